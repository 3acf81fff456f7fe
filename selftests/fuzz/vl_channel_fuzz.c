// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the channel parser that every backend runs over what
 * read() returns.  Whatever the bytes, it must stay inside the buffer,
 * never loop, and every message it returns must lie within the buffer with
 * its pointers inside the message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vl_channel.h"

static void check_inside(const uint8_t *buf, size_t len, const void *p,
			 size_t n)
{
	const uint8_t *q = p;

	if (q < buf || q > buf + len || n > (size_t)(buf + len - q))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parser wants an 8-byte aligned buffer, as read() gets one. */
	uint8_t *buf = malloc(size ? size : 1);
	struct vl_parser p;
	struct vl_msg msg;
	size_t last = 0;
	int ret;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	vl_parser_init(&p, buf, size);
	while ((ret = vl_parser_next(&p, &msg)) != 0) {
		if (ret == -EBADMSG)
			break;
		if (ret < 0)
			continue;
		/* Progress, and the message inside the buffer. */
		if (p.pos <= last && p.pos != size)
			abort();
		last = p.pos;
		check_inside(buf, size, buf + msg.offset, msg.len);
		if (msg.type == VIRTIO_LOOPBACK_MSG_REQUEST) {
			check_inside(buf + msg.offset, msg.len, msg.request.segs,
				     (size_t)msg.request.nsegs *
				     sizeof(*msg.request.segs));
			check_inside(buf + msg.offset, msg.len, msg.request.out,
				     msg.request.out_len);
		}
		if (msg.type == VIRTIO_LOOPBACK_MSG_CONFIG)
			check_inside(buf + msg.offset, msg.len, msg.config.data,
				     msg.config.size);
	}
	free(buf);
	return 0;
}
