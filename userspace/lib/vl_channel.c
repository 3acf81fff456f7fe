// SPDX-License-Identifier: GPL-2.0
/*
 * The backend channel: open, create the device, parse read() batches and
 * build write() batches.  See vl_channel.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vl_channel.h"

/* ---- Opening the channel and creating its device ---------------------- */

int vl_channel_open(const char *path, uint64_t *kernel_version)
{
	uint64_t version = 0;
	int fd, err;

	fd = open(path ? path : VL_CHANNEL_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, VIRTIO_LOOPBACK_GET_API_VERSION, &version)) {
		err = -errno;
		close(fd);
		/* Not our driver behind that node at all. */
		return err == -ENOTTY ? -EPROTO : err;
	}
	if (kernel_version)
		*kernel_version = version;
	if (version != VIRTIO_LOOPBACK_API_VERSION) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

const char *vl_channel_open_hint(int err)
{
	switch (-err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return "no such device: is virtio_loopback.ko loaded?";
	case EACCES:
	case EPERM:
		return "permission denied: the device node is mode 0600, run as root";
	case EPROTO:
		return "the module speaks another channel API version: rebuild the tools";
	default:
		return strerror(-err);
	}
}

int vl_channel_create_device(int fd, const struct vl_device_desc *desc,
			     const void *config, size_t config_size)
{
	struct virtio_loopback_device_config *cfg;
	int ret;

	if (config_size > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE)
		return -EINVAL;
	/* The fixed part and the config bytes travel in one buffer. */
	cfg = calloc(1, sizeof(*cfg) + config_size);
	if (!cfg)
		return -ENOMEM;
	cfg->device_id = desc->device_id;
	cfg->vendor_id = desc->vendor_id;
	cfg->features = desc->features;
	cfg->num_queues = desc->num_queues;
	cfg->max_queue_size = desc->max_queue_size;
	cfg->config_size = config_size;
	if (config_size)
		memcpy(cfg->config, config, config_size);

	ret = ioctl(fd, VIRTIO_LOOPBACK_CREATE_DEVICE, cfg);
	if (ret < 0)
		ret = -errno;
	free(cfg);
	return ret;
}

int vl_channel_get_info(int fd, struct virtio_loopback_device_info *info)
{
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, VIRTIO_LOOPBACK_GET_DEVICE_INFO, info))
		return -errno;
	return 0;
}

/* ---- Parsing ----------------------------------------------------------- */

static const char *const vl_msg_names[] = {
	[VIRTIO_LOOPBACK_MSG_RESET]		= "RESET",
	[VIRTIO_LOOPBACK_MSG_FEATURES]		= "FEATURES",
	[VIRTIO_LOOPBACK_MSG_QUEUE]		= "QUEUE",
	[VIRTIO_LOOPBACK_MSG_CONFIG]		= "CONFIG",
	[VIRTIO_LOOPBACK_MSG_STATUS]		= "STATUS",
	[VIRTIO_LOOPBACK_MSG_REQUEST]		= "REQUEST",
	[VIRTIO_LOOPBACK_MSG_COMPLETE]		= "COMPLETE",
	[VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE]	= "CONFIG_CHANGE",
};

const char *vl_msg_type_name(uint16_t type)
{
	static __thread char unknown[16];

	if (type < sizeof(vl_msg_names) / sizeof(vl_msg_names[0]) &&
	    vl_msg_names[type])
		return vl_msg_names[type];
	snprintf(unknown, sizeof(unknown), "type %u", type);
	return unknown;
}

void vl_parser_init(struct vl_parser *p, const void *buf, size_t len)
{
	p->buf = buf;
	p->len = len;
	p->pos = 0;
	p->error[0] = '\0';
}

__attribute__((format(printf, 3, 4)))
static int vl_parse_fail(struct vl_parser *p, int err, const char *fmt, ...)
{
	int n;
	va_list ap;

	n = snprintf(p->error, sizeof(p->error), "message at offset %zu: ",
		     p->pos);
	va_start(ap, fmt);
	vsnprintf(p->error + n, sizeof(p->error) - n, fmt, ap);
	va_end(ap);
	return err;
}

/* The fixed part every message of a known type must have. */
static size_t vl_msg_min_len(uint16_t type)
{
	switch (type) {
	case VIRTIO_LOOPBACK_MSG_RESET:
		return sizeof(struct virtio_loopback_msg_reset);
	case VIRTIO_LOOPBACK_MSG_FEATURES:
		return sizeof(struct virtio_loopback_msg_features);
	case VIRTIO_LOOPBACK_MSG_QUEUE:
		return sizeof(struct virtio_loopback_msg_queue);
	case VIRTIO_LOOPBACK_MSG_CONFIG:
	case VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE:
		return sizeof(struct virtio_loopback_msg_config);
	case VIRTIO_LOOPBACK_MSG_STATUS:
		return sizeof(struct virtio_loopback_msg_status);
	case VIRTIO_LOOPBACK_MSG_REQUEST:
		return sizeof(struct virtio_loopback_msg_request);
	case VIRTIO_LOOPBACK_MSG_COMPLETE:
		return sizeof(struct virtio_loopback_msg_complete);
	default:
		return sizeof(struct virtio_loopback_msg);
	}
}

static int vl_parse_config(struct vl_parser *p, const void *raw,
			   struct vl_msg *msg)
{
	const struct virtio_loopback_msg_config *m = raw;
	uint64_t end = (uint64_t)m->offset + m->size;

	if (m->size > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE ||
	    end > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE)
		return vl_parse_fail(p, -EINVAL,
				     "%s of %u bytes at %u is outside the %u bytes of config space",
				     vl_msg_type_name(msg->type), m->size,
				     m->offset, VIRTIO_LOOPBACK_MAX_CONFIG_SIZE);
	if (sizeof(*m) + m->size > msg->len)
		return vl_parse_fail(p, -EINVAL,
				     "%s of %u bytes does not fit in its length %u",
				     vl_msg_type_name(msg->type), m->size,
				     msg->len);
	msg->config.offset = m->offset;
	msg->config.size = m->size;
	msg->config.data = m->data;
	return 0;
}

/* Readable segments first, and their sums must match out_len and in_len. */
static int vl_check_segs(struct vl_parser *p, const struct vl_request *r)
{
	uint64_t out = 0, in = 0;
	uint32_t i;

	for (i = 0; i < r->nsegs; i++) {
		if (r->segs[i].flags & VIRTIO_LOOPBACK_SEG_WRITE) {
			in += r->segs[i].len;
		} else {
			if (in)
				return vl_parse_fail(p, -EINVAL,
						     "REQUEST %#llx: readable segment %u follows a writable one",
						     (unsigned long long)r->id,
						     i);
			out += r->segs[i].len;
		}
	}
	if (out != r->out_len || in != r->in_len)
		return vl_parse_fail(p, -EINVAL,
				     "REQUEST %#llx: segments hold %llu out and %llu in bytes, header says %u and %u",
				     (unsigned long long)r->id,
				     (unsigned long long)out,
				     (unsigned long long)in, r->out_len,
				     r->in_len);
	return 0;
}

static int vl_parse_request(struct vl_parser *p, const void *raw,
			    struct vl_msg *msg)
{
	const struct virtio_loopback_msg_request *m = raw;
	struct vl_request *r = &msg->request;
	uint64_t need;

	r->id = m->id;
	r->queue = m->queue;
	r->nsegs = m->nsegs;
	r->out_len = m->out_len;
	r->in_len = m->in_len;
	r->posted = m->hdr.flags & VIRTIO_LOOPBACK_MSG_F_POSTED;
	if (m->queue >= VIRTIO_LOOPBACK_MAX_QUEUES)
		return vl_parse_fail(p, -EINVAL, "REQUEST %#llx: queue %u out of range",
				     (unsigned long long)m->id, m->queue);
	if (m->nsegs == 0 || m->nsegs > VIRTIO_LOOPBACK_MAX_SEGS)
		return vl_parse_fail(p, -EINVAL,
				     "REQUEST %#llx: %u segments, expected 1 to %u",
				     (unsigned long long)m->id, m->nsegs,
				     VIRTIO_LOOPBACK_MAX_SEGS);
	need = sizeof(*m) + (uint64_t)m->nsegs * sizeof(m->segs[0]) +
	       m->out_len;
	if (need > msg->len)
		return vl_parse_fail(p, -EINVAL,
				     "REQUEST %#llx: %u segments and %u bytes of out-data need %llu bytes, length is %u",
				     (unsigned long long)m->id, m->nsegs,
				     m->out_len, (unsigned long long)need,
				     msg->len);
	r->segs = m->segs;
	r->out = (const uint8_t *)&m->segs[m->nsegs];
	return vl_check_segs(p, r);
}

static int vl_parse_complete(struct vl_parser *p, const void *raw,
			     struct vl_msg *msg)
{
	const struct virtio_loopback_msg_complete *m = raw;

	msg->complete.id = m->id;
	msg->complete.queue = m->queue;
	msg->complete.len = m->len;
	msg->complete.data = m->data;
	if (sizeof(*m) + (uint64_t)m->len > msg->len)
		return vl_parse_fail(p, -EINVAL,
				     "COMPLETE %#llx: %u bytes of in-data do not fit in its length %u",
				     (unsigned long long)m->id, m->len,
				     msg->len);
	return 0;
}

static int vl_parse_body(struct vl_parser *p, const void *raw,
			 struct vl_msg *msg)
{
	switch (msg->type) {
	case VIRTIO_LOOPBACK_MSG_RESET:
		msg->reset.epoch =
			((const struct virtio_loopback_msg_reset *)raw)->epoch;
		return 0;
	case VIRTIO_LOOPBACK_MSG_FEATURES:
		msg->features.driver_features =
			((const struct virtio_loopback_msg_features *)raw)->driver_features;
		return 0;
	case VIRTIO_LOOPBACK_MSG_QUEUE:
		msg->queue.queue =
			((const struct virtio_loopback_msg_queue *)raw)->queue;
		msg->queue.size =
			((const struct virtio_loopback_msg_queue *)raw)->size;
		return 0;
	case VIRTIO_LOOPBACK_MSG_CONFIG:
	case VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE:
		return vl_parse_config(p, raw, msg);
	case VIRTIO_LOOPBACK_MSG_STATUS:
		msg->status.status =
			((const struct virtio_loopback_msg_status *)raw)->status;
		return 0;
	case VIRTIO_LOOPBACK_MSG_REQUEST:
		return vl_parse_request(p, raw, msg);
	case VIRTIO_LOOPBACK_MSG_COMPLETE:
		return vl_parse_complete(p, raw, msg);
	default:
		return 0;
	}
}

int vl_parser_next(struct vl_parser *p, struct vl_msg *msg)
{
	const struct virtio_loopback_msg *hdr;
	size_t left = p->len - p->pos;
	int err;

	if (left == 0)
		return 0;
	memset(msg, 0, sizeof(*msg));
	msg->offset = p->pos;
	if (left < sizeof(*hdr)) {
		err = vl_parse_fail(p, -EBADMSG,
				    "%zu bytes left, too few for a header",
				    left);
		goto lost;
	}
	hdr = (const void *)(p->buf + p->pos);
	msg->type = hdr->type;
	msg->len = hdr->len;
	if (hdr->len < sizeof(*hdr) ||
	    hdr->len % VIRTIO_LOOPBACK_MSG_ALIGN) {
		err = vl_parse_fail(p, -EBADMSG,
				    "%s length %u is not a multiple of %u of at least %zu",
				    vl_msg_type_name(hdr->type), hdr->len,
				    VIRTIO_LOOPBACK_MSG_ALIGN, sizeof(*hdr));
		goto lost;
	}
	if (hdr->len > left) {
		err = vl_parse_fail(p, -EBADMSG,
				    "%s length %u runs past the end of the buffer (%zu bytes left)",
				    vl_msg_type_name(hdr->type), hdr->len,
				    left);
		goto lost;
	}

	/* The framing holds from here on: a bad body skips one message. */
	if (hdr->len < vl_msg_min_len(hdr->type)) {
		err = vl_parse_fail(p, -EINVAL,
				    "%s length %u is shorter than its fixed part (%zu)",
				    vl_msg_type_name(hdr->type), hdr->len,
				    vl_msg_min_len(hdr->type));
	} else {
		err = vl_parse_body(p, hdr, msg);
	}
	p->pos += hdr->len;
	return err ? err : 1;

lost:
	p->pos = p->len;
	return err;
}

/* ---- Building ---------------------------------------------------------- */

int vl_batch_init(struct vl_batch *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = malloc(cap);
	if (!b->buf)
		return -ENOMEM;
	b->cap = cap;
	b->open = SIZE_MAX;
	b->write = write;
	return 0;
}

void vl_batch_free(struct vl_batch *b)
{
	free(b->buf);
	b->buf = NULL;
	b->cap = 0;
	vl_batch_clear(b);
}

void vl_batch_clear(struct vl_batch *b)
{
	b->len = 0;
	b->count = 0;
	b->open = SIZE_MAX;
}

size_t vl_complete_msg_size(uint32_t data_len)
{
	return vl_msg_align(sizeof(struct virtio_loopback_msg_complete) +
			    (size_t)data_len);
}

/*
 * Make room for a message of @size bytes.  An empty batch grows to take a
 * message larger than itself; a non-empty one asks to be flushed first.
 */
static void *vl_batch_room(struct vl_batch *b, size_t size)
{
	uint8_t *grown;

	b->open = SIZE_MAX;
	if (b->cap - b->len >= size)
		return b->buf + b->len;
	if (b->len)
		return NULL;
	grown = realloc(b->buf, size);
	if (!grown)
		return NULL;
	b->buf = grown;
	b->cap = size;
	return b->buf;
}

/* Close a message: zero its padding, so no stale bytes leave the process. */
static void vl_batch_seal(struct vl_batch *b, void *raw, uint16_t type,
			  size_t body_len)
{
	struct virtio_loopback_msg *hdr = raw;
	size_t len = vl_msg_align(body_len);

	memset((uint8_t *)raw + body_len, 0, len - body_len);
	hdr->type = type;
	hdr->flags = 0;
	hdr->len = len;
	b->len += len;
	b->count++;
}

void *vl_batch_complete_begin(struct vl_batch *b, uint64_t id, uint32_t queue,
			      uint32_t max_len)
{
	struct virtio_loopback_msg_complete *m;

	m = vl_batch_room(b, vl_complete_msg_size(max_len));
	if (!m)
		return NULL;
	m->id = id;
	m->queue = queue;
	b->open = b->len;
	b->open_max = max_len;
	return m->data;
}

void vl_batch_complete_end(struct vl_batch *b, uint32_t len)
{
	struct virtio_loopback_msg_complete *m;

	if (b->open == SIZE_MAX)
		return;
	if (len > b->open_max)
		len = b->open_max;
	m = (void *)(b->buf + b->open);
	m->len = len;
	b->open = SIZE_MAX;
	vl_batch_seal(b, m, VIRTIO_LOOPBACK_MSG_COMPLETE, sizeof(*m) + len);
}

int vl_batch_add_complete(struct vl_batch *b, uint64_t id, uint32_t queue,
			  const void *data, uint32_t len)
{
	void *dst = vl_batch_complete_begin(b, id, queue, len);

	if (!dst)
		return b->len ? -ENOSPC : -ENOMEM;
	if (len)
		memcpy(dst, data, len);
	vl_batch_complete_end(b, len);
	return 0;
}

int vl_batch_add_config_change(struct vl_batch *b, uint32_t offset,
			       const void *data, uint32_t size)
{
	struct virtio_loopback_msg_config *m;
	size_t body = sizeof(*m) + (size_t)size;

	if (size > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE)
		return -EINVAL;
	m = vl_batch_room(b, vl_msg_align(body));
	if (!m)
		return b->len ? -ENOSPC : -ENOMEM;
	m->offset = offset;
	m->size = size;
	if (size)
		memcpy(m->data, data, size);
	vl_batch_seal(b, m, VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE, body);
	return 0;
}

/* The errors that mean the channel itself is gone, not one bad message. */
static bool vl_channel_failed(int err)
{
	switch (err) {
	case EBADF:
	case ENODEV:
	case ENXIO:
	case EIO:
	case EPIPE:
	case ESHUTDOWN:
		return true;
	default:
		return false;
	}
}

/* The length of the message at @pos, as this batch built it. */
static size_t vl_batch_msg_len(const struct vl_batch *b, size_t pos)
{
	const struct virtio_loopback_msg *hdr = (const void *)(b->buf + pos);

	return hdr->len;
}

/* Does the kernel's byte count end on one of our message boundaries? */
static bool vl_batch_on_boundary(const struct vl_batch *b, size_t from,
				 size_t to)
{
	while (from < to)
		from += vl_batch_msg_len(b, from);
	return from == to;
}

static void vl_batch_reject(const struct vl_batch *b, size_t pos, int err,
			    vl_reject_fn reject, void *arg)
{
	struct vl_parser p;
	struct vl_msg msg;

	if (!reject)
		return;
	vl_parser_init(&p, b->buf + pos, vl_batch_msg_len(b, pos));
	if (vl_parser_next(&p, &msg) < 0) {
		/* Our own message: cannot happen, but say what we know. */
		memset(&msg, 0, sizeof(msg));
		msg.type = ((const struct virtio_loopback_msg *)
			    (b->buf + pos))->type;
	}
	msg.offset = pos;
	reject(&msg, -err, arg);
}

/* The channel may be non-blocking; wait a moment for it to take more. */
static void vl_wait_writable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	poll(&pfd, 1, 100);
}

int vl_batch_flush(struct vl_batch *b, int fd, vl_reject_fn reject, void *arg)
{
	size_t pos = 0;
	int rejected = 0, ret = 0;
	ssize_t n;

	while (pos < b->len) {
		n = b->write(fd, b->buf + pos, b->len - pos);
		if (n > 0) {
			if (!vl_batch_on_boundary(b, pos, pos + n)) {
				ret = -EPROTO;
				break;
			}
			pos += n;
			continue;
		}
		if (n == 0) {
			ret = -EIO;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			vl_wait_writable(fd);
			continue;
		}
		if (vl_channel_failed(errno)) {
			ret = -errno;
			break;
		}
		/* The first message is the bad one: drop it, keep the rest. */
		vl_batch_reject(b, pos, errno, reject, arg);
		rejected++;
		pos += vl_batch_msg_len(b, pos);
	}
	vl_batch_clear(b);
	return ret ? ret : rejected;
}
