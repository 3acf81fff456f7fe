/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vlctl log: turns checked replay-log records (kmod/vl_logfmt.h) into
 * lines for people or JSON objects for scripts, one per record.
 *
 * Decoding a record needs what came before it: the device's type (from its
 * DEVICE record) says how to read a request, and a completion is read
 * with its request (a virtio-blk status byte sits at the end of the
 * request's writable part).  The decoder keeps both; filters only choose
 * what is printed, never what is remembered.
 */
#ifndef VLCTL_LOG_DECODE_H
#define VLCTL_LOG_DECODE_H

#include <stdbool.h>
#include <stdio.h>

#include "vl_logfmt.h"

/* Bit 0 of vl_logdec_opts.kinds: kinds this decoder does not know. */
#define VL_LOGDEC_KIND_UNKNOWN	1U

struct vl_logdec_opts {
	bool raw;		/* hex of payloads too */
	bool json;		/* one JSON object per line */
	bool by_device;		/* show only @device's records */
	u32 device;
	bool by_queue;		/* show only @queue's records */
	u32 queue;
	u32 kinds;		/* bit K: show kind K; 0: every kind */
};

struct vl_logdec_dev;
struct vl_logdec_req;

struct vl_logdec {
	struct vl_logdec_opts opts;
	FILE *out;
	struct vl_logdec_dev *devs;	/* device index -> virtio type */
	size_t ndevs;
	struct vl_logdec_req *reqs;	/* requests not yet completed */
	size_t nreqs;
	size_t reqs_cap;
};

void vl_logdec_init(struct vl_logdec *d, const struct vl_logdec_opts *opts,
		    FILE *out);
void vl_logdec_fini(struct vl_logdec *d);

/* Print the file header: a comment line, or a {"header": ...} object. */
void vl_logdec_header(struct vl_logdec *d, const struct vl_log_hdr_view *h);

/* Remember what @v tells, print it if the filters let it.  0 or -ENOMEM. */
int vl_logdec_record(struct vl_logdec *d, const struct vl_log_rec_view *v);

/* The bit of vl_logdec_opts.kinds for a kind's name, or 0 if unknown. */
u32 vl_logdec_kind_bit(const char *name);

#endif /* VLCTL_LOG_DECODE_H */
