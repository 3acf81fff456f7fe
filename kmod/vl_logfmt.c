// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: the replay log's parser, checker and record builder.
 *
 * The format is include/uapi/linux/virtio_loopback.h's; vl_logfmt.h says
 * how this code is shared between the module and userspace.  The checks
 * go from the cheapest and most telling to the most specific: is the
 * record there at all (length), is it intact (CRC), is it well formed
 * (reserved fields, flags, queue, the kind's own fields, padding).  The
 * first failure names the field; nothing past it is looked at.
 *
 * What one record cannot show (is its device known, does a completion's
 * data fit the request's writable part, did the log start at 0) is for
 * the layer above, which knows the devices and their requests.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#include "vl_logfmt.h"

#ifndef __KERNEL__
/*
 * CRC32C (Castagnoli) for userspace, from its polynomial 0x1EDC6F41,
 * bit-reversed 0x82F63B78 since the CRC is computed LSB first; one table
 * lookup per byte.
 */
#define VL_CRC32C_POLY_REVERSED	0x82F63B78U

static u32 vl_crc32c_table[256];
static pthread_once_t vl_crc32c_once = PTHREAD_ONCE_INIT;

static void vl_crc32c_make_table(void)
{
	u32 i, bit, crc;

	for (i = 0; i < 256; i++) {
		crc = i;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ ((crc & 1) ? VL_CRC32C_POLY_REVERSED : 0);
		vl_crc32c_table[i] = crc;
	}
}

u32 vl_crc32c_update(u32 crc, const void *p, size_t len)
{
	const u8 *b = p;

	pthread_once(&vl_crc32c_once, vl_crc32c_make_table);
	while (len--)
		crc = vl_crc32c_table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return crc;
}
#endif /* !__KERNEL__ */

/* Where the file header and a record keep their CRC. */
#define VL_LOG_HDR_CRC_OFFSET	offsetof(struct virtio_loopback_log_header, crc)
#define VL_LOG_REC_CRC_OFFSET	offsetof(struct virtio_loopback_log_rec, crc)

/*
 * CRC32C of @len bytes at @p, as if the four CRC bytes at
 * @crc_offset were zero: the stored CRC is checked in place, with no
 * copy, in a buffer the caller may not write.
 */
static u32 vl_log_crc_skipping_crc(const u8 *p, size_t len, size_t crc_offset)
{
	static const u8 zero[4];
	u32 crc = ~0U;

	crc = vl_crc32c_update(crc, p, crc_offset);
	crc = vl_crc32c_update(crc, zero, sizeof(zero));
	crc = vl_crc32c_update(crc, p + crc_offset + sizeof(zero),
			       len - crc_offset - sizeof(zero));
	return ~crc;
}

static bool vl_log_aligned(const void *p)
{
	return ((uintptr_t)p & (VIRTIO_LOOPBACK_LOG_ALIGN - 1)) == 0;
}

static bool vl_log_is_pow2(u32 n)
{
	return n && !(n & (n - 1));
}

static bool vl_log_all_zero(const u8 *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/* ---- The file header ---------------------------------------------------- */

static const char * const vl_log_source_names[] = {
	[VIRTIO_LOOPBACK_ICOUNT_NONE]		= "none",
	[VIRTIO_LOOPBACK_ICOUNT_VIRTUAL]	= "virtual",
	[VIRTIO_LOOPBACK_ICOUNT_PMU]		= "pmu",
};

const char *vl_log_icount_source_name(u32 source)
{
	if (source >= ARRAY_SIZE(vl_log_source_names))
		return NULL;
	return vl_log_source_names[source];
}

/* The release is a C string padded with NULs to the end of its field. */
static bool vl_log_release_ok(const char *s, size_t size)
{
	const char *nul = memchr(s, 0, size);

	return nul && vl_log_all_zero((const u8 *)nul, s + size - nul);
}

int vl_log_check_header(const void *buf, size_t len,
			struct vl_log_hdr_view *out, const char **reason)
{
	const struct virtio_loopback_log_header *hdr = buf;
	u32 hlen;

	if (!vl_log_aligned(buf)) {
		*reason = "header: buffer not 8-byte aligned";
		return -EINVAL;
	}
	/*
	 * The magic first, then the version: a file that is not a log, or a
	 * log of another version, is said to be so rather than corrupt.
	 */
	if (len < sizeof(*hdr)) {
		*reason = "header: truncated";
		return -ENODATA;
	}
	if (le32_to_cpu(hdr->magic) != VIRTIO_LOOPBACK_LOG_MAGIC) {
		*reason = "header: bad magic, not a replay log";
		return -EBADMSG;
	}
	if (le16_to_cpu(hdr->version) != VIRTIO_LOOPBACK_LOG_VERSION) {
		*reason = "header: unsupported version";
		return -EPROTONOSUPPORT;
	}
	/* A later header may be longer: its CRC covers all of it. */
	hlen = le16_to_cpu(hdr->header_len);
	if (hlen < sizeof(*hdr) || hlen % VIRTIO_LOOPBACK_LOG_ALIGN) {
		*reason = "header: bad header_len";
		return -EBADMSG;
	}
	if (hlen > len) {
		*reason = "header: truncated";
		return -ENODATA;
	}
	if (vl_log_crc_skipping_crc(buf, hlen, VL_LOG_HDR_CRC_OFFSET) !=
	    le32_to_cpu(hdr->crc)) {
		*reason = "header: crc mismatch";
		return -EBADMSG;
	}
	if (!vl_log_icount_source_name(le32_to_cpu(hdr->icount_source))) {
		*reason = "header: unknown icount_source";
		return -EBADMSG;
	}
	if (!vl_log_release_ok(hdr->kernel_release,
			       sizeof(hdr->kernel_release))) {
		*reason = "header: kernel_release not NUL-padded";
		return -EBADMSG;
	}
	if (!vl_log_all_zero((const u8 *)hdr->reserved,
			     sizeof(hdr->reserved))) {
		*reason = "header: reserved not zero";
		return -EBADMSG;
	}
	out->version = le16_to_cpu(hdr->version);
	out->header_len = hlen;
	out->icount_source = le32_to_cpu(hdr->icount_source);
	out->created_ns = le64_to_cpu(hdr->created_ns);
	out->kernel_release = hdr->kernel_release;
	return 0;
}

/* ---- One record: the kinds' own checks ---------------------------------- */

/*
 * Each returns the bytes its kind fills before the padding (the record's
 * len must be exactly that, padded), or 0 with *@why set when a field is
 * wrong.  @v->len is the record's length, already known to cover the
 * kind's fixed struct; a variable part is checked against it before it is
 * used.
 */
static size_t vl_log_check_device(const u8 *p, struct vl_log_rec_view *v,
				  const char **why)
{
	const struct virtio_loopback_log_device *d = (const void *)p;
	typeof(v->u.device) *o = &v->u.device;
	size_t need;
	u32 i, size;

	o->device_id = le32_to_cpu(d->device_id);
	o->vendor_id = le32_to_cpu(d->vendor_id);
	o->device_features = le64_to_cpu(d->device_features);
	o->driver_features = le64_to_cpu(d->driver_features);
	o->num_queues = le32_to_cpu(d->num_queues);
	o->max_queue_size = le32_to_cpu(d->max_queue_size);
	o->status = le32_to_cpu(d->status);
	o->config_size = le32_to_cpu(d->config_size);
	o->config_generation = le32_to_cpu(d->config_generation);
	o->queue_size = d->queue_size;

	if (!vl_log_all_zero((const u8 *)d->reserved, sizeof(d->reserved))) {
		*why = "device: reserved not zero";
		return 0;
	}
	if (!o->num_queues || o->num_queues > VIRTIO_LOOPBACK_MAX_QUEUES) {
		*why = "device: num_queues out of range";
		return 0;
	}
	if (o->max_queue_size < 2 ||
	    o->max_queue_size > VIRTIO_LOOPBACK_MAX_QUEUE_SIZE ||
	    !vl_log_is_pow2(o->max_queue_size)) {
		*why = "device: bad max_queue_size";
		return 0;
	}
	if (o->status > 0xff) {
		*why = "device: status above 0xff";
		return 0;
	}
	if (o->config_size > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE) {
		*why = "device: config_size above 1024";
		return 0;
	}
	need = vl_log_device_len(o->num_queues, o->config_size);
	if (need > v->len) {
		*why = "device: queue sizes and config do not fit";
		return 0;
	}
	/* Split rings have power-of-2 sizes, at most the device's maximum. */
	for (i = 0; i < o->num_queues; i++) {
		size = le32_to_cpu(d->queue_size[i]);
		if (size && (!vl_log_is_pow2(size) || size > o->max_queue_size)) {
			*why = "device: bad queue_size";
			return 0;
		}
	}
	o->config = (const u8 *)&d->queue_size[o->num_queues];
	return need;
}

static size_t vl_log_check_reset(const u8 *p, struct vl_log_rec_view *v,
				 const char **why)
{
	const struct virtio_loopback_log_reset *r = (const void *)p;

	v->u.reset.epoch = le32_to_cpu(r->epoch);
	if (r->reserved) {
		*why = "reset: reserved not zero";
		return 0;
	}
	return sizeof(*r);
}

static size_t vl_log_check_status(const u8 *p, struct vl_log_rec_view *v,
				  const char **why)
{
	const struct virtio_loopback_log_status *s = (const void *)p;

	v->u.status.status = le32_to_cpu(s->status);
	if (s->reserved) {
		*why = "status: reserved not zero";
		return 0;
	}
	if (v->u.status.status > 0xff) {
		*why = "status: status above 0xff";
		return 0;
	}
	return sizeof(*s);
}

static size_t vl_log_check_config(const u8 *p, struct vl_log_rec_view *v,
				  const char **why)
{
	const struct virtio_loopback_log_config *c = (const void *)p;
	typeof(v->u.config) *o = &v->u.config;

	o->offset = le32_to_cpu(c->offset);
	o->size = le32_to_cpu(c->size);
	o->generation = le32_to_cpu(c->generation);
	o->data = c->data;
	if (c->reserved) {
		*why = "config: reserved not zero";
		return 0;
	}
	/* Each is bounded first, so that the sum cannot wrap. */
	if (o->offset > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE ||
	    o->size > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE ||
	    o->offset + o->size > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE) {
		*why = "config: offset + size above 1024";
		return 0;
	}
	if (v->kind == VIRTIO_LOOPBACK_LOG_CONFIG_WRITE && o->generation) {
		*why = "config: generation not zero in a config write";
		return 0;
	}
	if (vl_log_config_len(o->size) > v->len) {
		*why = "config: data does not fit";
		return 0;
	}
	return vl_log_config_len(o->size);
}

static size_t vl_log_check_queue(const u8 *p, struct vl_log_rec_view *v,
				 const char **why)
{
	const struct virtio_loopback_log_queue *q = (const void *)p;
	u32 size = le32_to_cpu(q->size);

	v->u.queue.size = size;
	if (q->reserved) {
		*why = "queue: reserved not zero";
		return 0;
	}
	if (size && (!vl_log_is_pow2(size) ||
		     size > VIRTIO_LOOPBACK_MAX_QUEUE_SIZE)) {
		*why = "queue: bad size";
		return 0;
	}
	return sizeof(*q);
}

/* The chain's layout: readable segments, then writable ones, summing up. */
static bool vl_log_check_segs(const struct virtio_loopback_log_seg *segs,
			      u32 nsegs, u32 out_len, u32 in_len,
			      const char **why)
{
	u64 out = 0, in = 0;
	bool writable = false;
	u32 i, flags;

	for (i = 0; i < nsegs; i++) {
		flags = le32_to_cpu(segs[i].flags);
		if (flags & ~VIRTIO_LOOPBACK_SEG_WRITE) {
			*why = "request: unknown segment flags";
			return false;
		}
		if (!(flags & VIRTIO_LOOPBACK_SEG_WRITE) && writable) {
			*why = "request: readable segment after a writable one";
			return false;
		}
		writable = flags & VIRTIO_LOOPBACK_SEG_WRITE;
		if (writable)
			in += le32_to_cpu(segs[i].len);
		else
			out += le32_to_cpu(segs[i].len);
	}
	if (out != out_len) {
		*why = "request: out_len is not the readable segments' sum";
		return false;
	}
	if (in != in_len) {
		*why = "request: in_len is not the writable segments' sum";
		return false;
	}
	return true;
}

/*
 * A chain too long to be delivered (more than VIRTIO_LOOPBACK_MAX_SEGS
 * segments) is failed by the transport and logged with no layout and no
 * out-data; only its in_len is kept, unchecked.
 */
static size_t vl_log_check_request(const u8 *p, struct vl_log_rec_view *v,
				   const char **why)
{
	const struct virtio_loopback_log_request *r = (const void *)p;
	typeof(v->u.request) *o = &v->u.request;
	size_t need;

	o->req_seq = le64_to_cpu(r->req_seq);
	o->nsegs = le32_to_cpu(r->nsegs);
	o->out_len = le32_to_cpu(r->out_len);
	o->in_len = le32_to_cpu(r->in_len);
	o->segs = r->segs;
	if (r->reserved) {
		*why = "request: reserved not zero";
		return 0;
	}
	if (o->nsegs > VIRTIO_LOOPBACK_MAX_SEGS ||
	    (!o->nsegs && !(v->flags & VIRTIO_LOOPBACK_LOG_F_FAILED))) {
		*why = "request: nsegs out of range";
		return 0;
	}
	if (!o->nsegs && o->out_len) {
		*why = "request: out-data without segments";
		return 0;
	}
	need = vl_log_request_len(o->nsegs, o->out_len);
	if (need > v->len) {
		*why = "request: segments and out-data do not fit";
		return 0;
	}
	if (o->nsegs &&
	    !vl_log_check_segs(r->segs, o->nsegs, o->out_len, o->in_len, why))
		return 0;
	o->out = (const u8 *)&r->segs[o->nsegs];
	return need;
}

static size_t vl_log_check_completion(const u8 *p, struct vl_log_rec_view *v,
				      const char **why)
{
	const struct virtio_loopback_log_completion *c = (const void *)p;
	typeof(v->u.completion) *o = &v->u.completion;

	o->req_seq = le64_to_cpu(c->req_seq);
	o->used_len = le32_to_cpu(c->used_len);
	o->data_offset = le32_to_cpu(c->data_offset);
	o->data_len = le32_to_cpu(c->data_len);
	o->data = c->data;
	if (c->reserved) {
		*why = "completion: reserved not zero";
		return 0;
	}
	/* Only the transport, failing a request, writes past the start. */
	if (o->data_offset && !(v->flags & VIRTIO_LOOPBACK_LOG_F_FAILED)) {
		*why = "completion: data_offset not zero";
		return 0;
	}
	if ((u64)o->data_offset + o->data_len > 0xffffffffULL) {
		*why = "completion: data_offset + data_len wraps";
		return 0;
	}
	if (vl_log_completion_len(o->data_len) > v->len) {
		*why = "completion: data does not fit";
		return 0;
	}
	return vl_log_completion_len(o->data_len);
}

static size_t vl_log_check_interrupt(const u8 *p, struct vl_log_rec_view *v,
				     const char **why)
{
	const struct virtio_loopback_log_interrupt *i = (const void *)p;

	v->u.interrupt.used_idx = le32_to_cpu(i->used_idx);
	if (i->reserved) {
		*why = "interrupt: reserved not zero";
		return 0;
	}
	/* A split ring's used index is 16 bits wide. */
	if (v->u.interrupt.used_idx > 0xffff) {
		*why = "interrupt: used_idx above 0xffff";
		return 0;
	}
	return sizeof(*i);
}

/* The kind's own fields: see above.  Only known kinds come here. */
static size_t vl_log_check_payload(const u8 *p, struct vl_log_rec_view *v,
				   const char **why)
{
	const struct virtio_loopback_log_features *f = (const void *)p;
	const struct virtio_loopback_log_loss *l = (const void *)p;

	switch (v->kind) {
	case VIRTIO_LOOPBACK_LOG_DEVICE:
		return vl_log_check_device(p, v, why);
	case VIRTIO_LOOPBACK_LOG_RESET:
		return vl_log_check_reset(p, v, why);
	case VIRTIO_LOOPBACK_LOG_FEATURES:
		v->u.features.driver_features = le64_to_cpu(f->driver_features);
		return sizeof(*f);
	case VIRTIO_LOOPBACK_LOG_STATUS:
		return vl_log_check_status(p, v, why);
	case VIRTIO_LOOPBACK_LOG_CONFIG_WRITE:
	case VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE:
	case VIRTIO_LOOPBACK_LOG_CONFIG_READ:
		return vl_log_check_config(p, v, why);
	case VIRTIO_LOOPBACK_LOG_QUEUE:
		return vl_log_check_queue(p, v, why);
	case VIRTIO_LOOPBACK_LOG_REQUEST:
		return vl_log_check_request(p, v, why);
	case VIRTIO_LOOPBACK_LOG_COMPLETION:
		return vl_log_check_completion(p, v, why);
	case VIRTIO_LOOPBACK_LOG_INTERRUPT:
		return vl_log_check_interrupt(p, v, why);
	case VIRTIO_LOOPBACK_LOG_REMOVED:
		return sizeof(struct virtio_loopback_log_rec);
	case VIRTIO_LOOPBACK_LOG_LOSS:
		v->u.loss.records = le64_to_cpu(l->records);
		v->u.loss.bytes = le64_to_cpu(l->bytes);
		return sizeof(*l);
	}
	*why = "kind without a check";	/* a kind added to the table only */
	return 0;
}

/* Which queue a kind's record names. */
enum vl_log_queue_rule {
	VL_LOG_Q_NONE,		/* the whole device: VIRTIO_LOOPBACK_LOG_NO_QUEUE */
	VL_LOG_Q_ONE,		/* one virtqueue */
	VL_LOG_Q_ANY,		/* a virtqueue or the whole device */
};

struct vl_log_kind_info {
	const char *name;
	size_t size;		/* the kind's fixed struct */
	u16 flags;		/* the flags it may carry */
	u8 queue;		/* enum vl_log_queue_rule */
};

#define VL_LOG_KIND(k, n, s, f, q) \
	[VIRTIO_LOOPBACK_LOG_##k] = { n, sizeof(s), f, VL_LOG_Q_##q }

/*
 * An interrupt for a config change names no queue.  A loss marker names
 * no queue either; its device is whatever the writer had at hand.
 */
static const struct vl_log_kind_info vl_log_kinds[VL_LOG_KIND_END] = {
	VL_LOG_KIND(DEVICE, "device", struct virtio_loopback_log_device, 0, NONE),
	VL_LOG_KIND(RESET, "reset", struct virtio_loopback_log_reset, 0, NONE),
	VL_LOG_KIND(FEATURES, "features", struct virtio_loopback_log_features, 0, NONE),
	VL_LOG_KIND(STATUS, "status", struct virtio_loopback_log_status, 0, NONE),
	VL_LOG_KIND(CONFIG_WRITE, "config-write", struct virtio_loopback_log_config, 0, NONE),
	VL_LOG_KIND(QUEUE, "queue", struct virtio_loopback_log_queue, 0, ONE),
	VL_LOG_KIND(REQUEST, "request", struct virtio_loopback_log_request,
		    VIRTIO_LOOPBACK_LOG_F_POSTED | VIRTIO_LOOPBACK_LOG_F_FAILED, ONE),
	VL_LOG_KIND(COMPLETION, "completion", struct virtio_loopback_log_completion,
		    VIRTIO_LOOPBACK_LOG_F_POSTED | VIRTIO_LOOPBACK_LOG_F_FAILED, ONE),
	VL_LOG_KIND(CONFIG_CHANGE, "config-change", struct virtio_loopback_log_config, 0, NONE),
	VL_LOG_KIND(INTERRUPT, "interrupt", struct virtio_loopback_log_interrupt, 0, ANY),
	VL_LOG_KIND(REMOVED, "removed", struct virtio_loopback_log_rec, 0, NONE),
	VL_LOG_KIND(LOSS, "loss", struct virtio_loopback_log_loss, 0, NONE),
	VL_LOG_KIND(CONFIG_READ, "config-read", struct virtio_loopback_log_config, 0, NONE),
};

static const struct vl_log_kind_info *vl_log_kind(u16 kind)
{
	if (kind >= VL_LOG_KIND_END || !vl_log_kinds[kind].name)
		return NULL;
	return &vl_log_kinds[kind];
}

const char *vl_log_kind_name(u16 kind)
{
	const struct vl_log_kind_info *k = vl_log_kind(kind);

	return k ? k->name : NULL;
}

static bool vl_log_queue_ok(u8 rule, u32 queue)
{
	bool none = queue == VIRTIO_LOOPBACK_LOG_NO_QUEUE;
	bool one = queue < VIRTIO_LOOPBACK_MAX_QUEUES;

	switch (rule) {
	case VL_LOG_Q_NONE:
		return none;
	case VL_LOG_Q_ONE:
		return one;
	default:
		return none || one;
	}
}

/* The common header's fields, in CPU order, into @v. */
static void vl_log_fill_common(const struct virtio_loopback_log_rec *rec,
			       struct vl_log_rec_view *v)
{
	v->rec = rec;
	v->len = le32_to_cpu(rec->len);
	v->kind = le16_to_cpu(rec->kind);
	v->flags = le16_to_cpu(rec->flags);
	v->device = le32_to_cpu(rec->device);
	v->queue = le32_to_cpu(rec->queue);
	v->seq = le64_to_cpu(rec->seq);
	v->icount = le64_to_cpu(rec->icount);
	v->time_ns = le64_to_cpu(rec->time_ns);
	v->offset = 0;
	v->known = false;
}

/* What a known kind adds to the common checks. */
static int vl_log_check_kind(const u8 *p, const struct vl_log_kind_info *k,
			     struct vl_log_rec_view *v, const char **reason)
{
	size_t used;

	if (v->flags & ~k->flags) {
		*reason = "unknown flags for its kind";
		return -EBADMSG;
	}
	if (!vl_log_queue_ok(k->queue, v->queue)) {
		*reason = k->queue == VL_LOG_Q_NONE ?
			  "queue set on a whole-device record" :
			  "queue out of range";
		return -EBADMSG;
	}
	if (v->len < k->size) {
		*reason = "len shorter than its kind";
		return -EBADMSG;
	}
	used = vl_log_check_payload(p, v, reason);
	if (!used)
		return -EBADMSG;
	if (VL_LOG_PAD(used) != v->len) {
		*reason = "len does not match the payload";
		return -EBADMSG;
	}
	if (!vl_log_all_zero(p + used, v->len - used)) {
		*reason = "padding not zero";
		return -EBADMSG;
	}
	v->known = true;
	return 0;
}

int vl_log_check_rec(const void *rec, size_t avail,
		     struct vl_log_rec_view *out, const char **reason)
{
	const struct virtio_loopback_log_rec *r = rec;
	const struct vl_log_kind_info *k;

	if (!vl_log_aligned(rec)) {
		*reason = "record not 8-byte aligned in memory";
		return -EINVAL;
	}
	if (avail < sizeof(*r)) {
		*reason = "truncated inside the record header";
		return -ENODATA;
	}
	vl_log_fill_common(r, out);
	if (out->len < sizeof(*r)) {
		*reason = "len shorter than the record header";
		return -EBADMSG;
	}
	if (out->len % VIRTIO_LOOPBACK_LOG_ALIGN) {
		*reason = "len not a multiple of 8";
		return -EBADMSG;
	}
	if (out->len > avail) {
		*reason = "truncated: len goes past the end";
		return -ENODATA;
	}
	if (vl_log_crc_skipping_crc(rec, out->len, VL_LOG_REC_CRC_OFFSET) !=
	    le32_to_cpu(r->crc)) {
		*reason = "crc mismatch";
		return -EBADMSG;
	}
	if (r->reserved) {
		*reason = "reserved not zero";
		return -EBADMSG;
	}
	k = vl_log_kind(out->kind);
	if (!k)
		return 0;	/* intact; the caller skips what it cannot read */
	return vl_log_check_kind(rec, k, out, reason);
}

/* ---- The reader --------------------------------------------------------- */

void vl_log_reader_init(struct vl_log_reader *r, const void *buf, size_t len,
			size_t pos)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->pos = pos;
}

void vl_log_reader_refill(struct vl_log_reader *r, const void *buf,
			  size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
}

static int vl_log_reader_fail(struct vl_log_reader *r, int err,
			      const char *reason)
{
	r->err = err;
	r->bad_offset = r->pos;
	r->bad_index = r->index;
	r->reason = reason;
	return err;
}

int vl_log_next(struct vl_log_reader *r, struct vl_log_rec_view *out)
{
	const char *reason = NULL;
	int err;

	if (r->err)
		return r->err;
	if (r->pos >= r->len)
		return 0;
	err = vl_log_check_rec(r->buf + r->pos, r->len - r->pos, out, &reason);
	if (err)
		return vl_log_reader_fail(r, err, reason);
	if (r->started && out->seq != r->last_seq + 1)
		return vl_log_reader_fail(r, -EBADMSG,
					  "seq is not the previous one + 1");
	if (r->started && out->icount <= r->last_icount)
		return vl_log_reader_fail(r, -EBADMSG,
					  "icount does not increase");
	if (!r->started)
		r->first_seq = out->seq;
	r->started = true;
	r->last_seq = out->seq;
	r->last_icount = out->icount;
	out->offset = r->pos;
	r->pos += out->len;
	r->index++;
	return 1;
}

int vl_log_format_error(const struct vl_log_reader *r, char *buf, size_t size)
{
	return snprintf(buf, size, "record %llu at offset %zu: %s",
			(unsigned long long)r->bad_index, r->bad_offset,
			r->reason ? r->reason : "no error");
}

/* ---- Building ----------------------------------------------------------- */

void vl_log_hdr_fill(struct virtio_loopback_log_header *hdr,
		     u32 icount_source, u64 created_ns,
		     const char *kernel_release)
{
	size_t n = strnlen(kernel_release, sizeof(hdr->kernel_release) - 1);

	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = cpu_to_le32(VIRTIO_LOOPBACK_LOG_MAGIC);
	hdr->version = cpu_to_le16(VIRTIO_LOOPBACK_LOG_VERSION);
	hdr->header_len = cpu_to_le16(sizeof(*hdr));
	hdr->icount_source = cpu_to_le32(icount_source);
	hdr->created_ns = cpu_to_le64(created_ns);
	memcpy(hdr->kernel_release, kernel_release, n);
	hdr->crc = cpu_to_le32(vl_log_crc32c(hdr, sizeof(*hdr)));
}

void vl_log_rec_init(void *rec, u16 kind, u16 flags, u32 device, u32 queue)
{
	struct virtio_loopback_log_rec *r = rec;

	memset(r, 0, sizeof(*r));
	r->kind = cpu_to_le16(kind);
	r->flags = cpu_to_le16(flags);
	r->device = cpu_to_le32(device);
	r->queue = cpu_to_le32(queue);
}

size_t vl_log_rec_finish(void *rec, size_t len)
{
	struct virtio_loopback_log_rec *r = rec;
	size_t padded = VL_LOG_PAD(len);

	memset((u8 *)rec + len, 0, padded - len);
	r->len = cpu_to_le32(padded);
	r->crc = 0;
	r->crc = cpu_to_le32(vl_log_crc32c(rec, padded));
	return padded;
}
