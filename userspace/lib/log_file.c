// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a replay log file and walking its records through the format's
 * checks, for vlctl log, vlctl replay and vl-qmpd; and telling a log cut
 * inside its last record from a corrupt one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log_file.h"

/* A pipe or a terminal has no size to map: read it all. */
static int read_all(int fd, struct log_buf *b)
{
	size_t cap = 1 << 16;
	ssize_t n;
	void *p;

	b->data = malloc(cap);
	if (!b->data)
		return -ENOMEM;
	for (;;) {
		if (b->len == cap) {
			p = realloc(b->data, cap * 2);
			if (!p)
				return -ENOMEM;
			b->data = p;
			cap *= 2;
		}
		n = read(fd, (char *)b->data + b->len, cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return 0;
		b->len += n;
	}
}

void log_buf_unload(struct log_buf *b)
{
	if (b->mapped)
		munmap(b->data, b->len);
	else
		free(b->data);
	memset(b, 0, sizeof(*b));
}

int log_buf_load(int fd, struct log_buf *b)
{
	struct stat st;
	int err = 0;

	memset(b, 0, sizeof(*b));
	if (fstat(fd, &st)) {
		err = -errno;
	} else if (S_ISREG(st.st_mode) && st.st_size > 0) {
		b->data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (b->data == MAP_FAILED) {
			b->data = NULL;
			err = -errno;
		} else {
			b->len = st.st_size;
			b->mapped = true;
		}
	} else if (!S_ISREG(st.st_mode)) {
		err = read_all(fd, b);
	}
	if (err)
		log_buf_unload(b);
	return err;
}

#define REC_HDR		sizeof(struct virtio_loopback_log_rec)
#define REC_ALIGN	VIRTIO_LOOPBACK_LOG_ALIGN

/* Whether @avail bytes of a record header hold all of @field. */
#define HOLDS_FIELD(avail, field) \
	((avail) >= offsetof(struct virtio_loopback_log_rec, field) + \
		    sizeof(((struct virtio_loopback_log_rec *)0)->field))

/*
 * Bytes of CRC the search for an intact record inside a cut one may
 * compute besides four times the cut's size: a crafted file full of
 * made-up lengths cannot make the search quadratic.
 */
#define CUT_SEARCH_SLACK	(1u << 20)
#define CUT_SEARCH_GAVE_UP	SIZE_MAX

static void say_bad_record(const struct vl_log_reader *r, char *why,
			   size_t size, const char *what)
{
	snprintf(why, size, "record %llu at offset %zu: %s",
		 (unsigned long long)r->bad_index, r->bad_offset, what);
}

/*
 * What in the cut record's header, as far as the file holds it,
 * contradicts the records before it; NULL when nothing does.  A header
 * the file holds whole passed vl_log_check_rec()'s checks of its length.
 */
static const char *cut_header_contradiction(const struct vl_log_reader *r,
					    const struct virtio_loopback_log_rec *rec,
					    size_t avail)
{
	u32 len;

	if (HOLDS_FIELD(avail, len)) {
		len = le32_to_cpu(rec->len);
		if (len < REC_HDR || len % REC_ALIGN)
			return "len is no record's";
	}
	if (r->started && HOLDS_FIELD(avail, seq) &&
	    le64_to_cpu(rec->seq) != r->last_seq + 1)
		return "seq is not the previous one + 1";
	if (r->started && HOLDS_FIELD(avail, icount) &&
	    le64_to_cpu(rec->icount) <= r->last_icount)
		return "icount does not increase";
	if (HOLDS_FIELD(avail, reserved) && rec->reserved)
		return "reserved not zero";
	return NULL;
}

/*
 * Whether the header at @p could be the record after the cut one: a
 * length that fits before the end (else there is no CRC to check), and
 * the next seq when the walk knows it.
 */
static bool could_follow(const struct vl_log_reader *r, const u8 *p,
			 size_t avail)
{
	const struct virtio_loopback_log_rec *rec = (const void *)p;
	u32 len = le32_to_cpu(rec->len);

	if (len < REC_HDR || len > avail)
		return false;
	return !r->started || le64_to_cpu(rec->seq) == r->last_seq + 2;
}

/*
 * An intact record inside the bytes from the cut record to the end: then
 * its length is corrupt, the log not cut.  The offset of the first one,
 * 0 when there is none, or CUT_SEARCH_GAVE_UP.
 */
static size_t intact_record_inside(const struct log_buf *b,
				   const struct vl_log_reader *r)
{
	const u8 *buf = b->data;
	size_t budget = (b->len - r->bad_offset) * 4 + CUT_SEARCH_SLACK;
	struct vl_log_rec_view v;
	const char *reason;
	size_t p, len;

	for (p = r->bad_offset + REC_ALIGN; p + REC_HDR <= b->len; p += REC_ALIGN) {
		if (!could_follow(r, buf + p, b->len - p))
			continue;
		len = le32_to_cpu(((const struct virtio_loopback_log_rec *)(buf + p))->len);
		if (len > budget)
			return CUT_SEARCH_GAVE_UP;
		budget -= len;
		if (!vl_log_check_rec(buf + p, b->len - p, &v, &reason))
			return p;
	}
	return 0;
}

/*
 * The walk stopped at a record that goes past the end of @b: cut there,
 * or corrupt?  LOG_WALK_CUT with @cut filled, or LOG_WALK_BAD with @why
 * saying what shows the damage.
 */
static int judge_cut(const struct log_buf *b, const struct vl_log_reader *r,
		     struct log_cut *cut, char *why, size_t size)
{
	const void *rec = (const u8 *)b->data + r->bad_offset;
	size_t avail = b->len - r->bad_offset, inside;
	const char *contradiction;
	char what[128];

	contradiction = cut_header_contradiction(r, rec, avail);
	if (contradiction) {
		say_bad_record(r, why, size, contradiction);
		return LOG_WALK_BAD;
	}
	inside = intact_record_inside(b, r);
	if (inside == CUT_SEARCH_GAVE_UP) {
		say_bad_record(r, why, size,
			       "len goes past the end, over too many record-like bytes to tell a cut from a corrupt len");
		return LOG_WALK_BAD;
	}
	if (inside) {
		snprintf(what, sizeof(what),
			 "len goes past the end, over an intact record at offset %zu: corrupt",
			 inside);
		say_bad_record(r, why, size, what);
		return LOG_WALK_BAD;
	}
	cut->offset = r->bad_offset;
	cut->bytes = avail;
	cut->index = r->bad_index;
	return LOG_WALK_CUT;
}

int log_walk(const struct log_buf *b, const struct log_walk_ops *ops,
	     void *arg, struct log_cut *cut, char *why, size_t size)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view rec;
	struct vl_log_reader r;
	const char *reason;
	int ret;

	if (cut)
		memset(cut, 0, sizeof(*cut));
	if (vl_log_check_header(b->data, b->len, &hdr, &reason)) {
		snprintf(why, size, "offset 0: %s", reason);
		return LOG_WALK_BAD;
	}
	if (ops->header)
		ops->header(arg, &hdr);
	vl_log_reader_init(&r, b->data, b->len, hdr.header_len);
	while ((ret = vl_log_next(&r, &rec)) == 1) {
		ret = ops->record(arg, &rec);
		if (ret)
			return ret;
	}
	if (!ret)
		return 0;
	vl_log_format_error(&r, why, size);
	/* -ENODATA: the record goes past the end; anything else is damage. */
	if (cut && ret == -ENODATA)
		return judge_cut(b, &r, cut, why, size);
	return LOG_WALK_BAD;
}
