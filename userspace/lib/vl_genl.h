/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small client for the "virtio_loopback" generic netlink family, shared by
 * vlctl, vl-qmpd and the selftests.  Every function returns 0 or a negative
 * errno: the kernel's own error code where the kernel refused a request.
 */
#ifndef VL_GENL_H
#define VL_GENL_H

#include <stdint.h>

struct nl_sock;
struct nl_msg;

struct vl_genl {
	struct nl_sock *sock;
	int family_id;
	unsigned int family_version;
};

struct vl_replay_info {
	uint32_t mode;		/* enum virtio_loopback_replay_mode */
	uint64_t icount;
	uint32_t icount_source;	/* enum virtio_loopback_icount_source */
	char filename[256];	/* empty unless there is a log */
	uint64_t records;	/* logged by this recording */
	uint64_t lost;
	uint32_t log_fill;	/* bytes waiting in the ring */
	uint32_t log_size;
};

int vl_genl_open(struct vl_genl *genl);
void vl_genl_close(struct vl_genl *genl);

/* A request message for @cmd, ready for attributes. */
struct nl_msg *vl_genl_new_request(const struct vl_genl *genl, uint8_t cmd);

/*
 * Send @msg (consumed) and wait for the kernel's acknowledgement.  Each reply
 * message is handed to @parse, which returns 0 or a negative errno.
 */
typedef int (*vl_genl_parse_fn)(struct nl_msg *reply, void *arg);
int vl_genl_transact(struct vl_genl *genl, struct nl_msg *msg,
		     vl_genl_parse_fn parse, void *arg);

int vl_genl_replay_get(struct vl_genl *genl, struct vl_replay_info *info);
/* Start recording into the module's log; @filename (may be NULL) is what
 * query reports. */
int vl_genl_record_start(struct vl_genl *genl, const char *filename);
int vl_genl_record_stop(struct vl_genl *genl);
const char *vl_icount_source_name(uint32_t source);

const char *vl_replay_mode_name(uint32_t mode);

#endif /* VL_GENL_H */
