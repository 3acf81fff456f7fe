// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a replay log file and walking its records through the format's
 * checks, for vlctl log and vlctl replay.
 */
#include <errno.h>
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

int log_walk(const struct log_buf *b, const struct log_walk_ops *ops,
	     void *arg, char *why, size_t size)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view rec;
	struct vl_log_reader r;
	const char *reason;
	int ret;

	if (vl_log_check_header(b->data, b->len, &hdr, &reason)) {
		snprintf(why, size, "offset 0: %s", reason);
		return 1;
	}
	if (ops->header)
		ops->header(arg, &hdr);
	vl_log_reader_init(&r, b->data, b->len, hdr.header_len);
	while ((ret = vl_log_next(&r, &rec)) == 1) {
		ret = ops->record(arg, &rec);
		if (ret)
			return ret;
	}
	if (ret < 0) {
		vl_log_format_error(&r, why, size);
		return 1;
	}
	return 0;
}
