/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small client for the "virtio_loopback" generic netlink family, shared by
 * vlctl, vl-qmpd and the selftests.  Every function returns 0 or a negative
 * errno: the kernel's own error code where the kernel refused a request.
 */
#ifndef VL_GENL_H
#define VL_GENL_H

#include <stdbool.h>
#include <stdint.h>

struct nl_sock;
struct nl_msg;

struct vl_genl {
	struct nl_sock *sock;
	int family_id;
	unsigned int family_version;
	/* The kernel's message (extack) for the last request it refused, or
	 * "" when it gave none. */
	char error_msg[256];
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
	/* Play mode's state; each has_ flag says whether the kernel sent it
	 * (a breakpoint only while one is set). */
	bool has_break, has_paused, has_position, has_end_icount;
	uint64_t break_icount;
	bool paused;
	uint64_t position;	/* records of the log played */
	uint64_t end_icount;	/* of the log's last record */
};

int vl_genl_open(struct vl_genl *genl);
void vl_genl_close(struct vl_genl *genl);

/* A request message for @cmd, ready for attributes. */
struct nl_msg *vl_genl_new_request(const struct vl_genl *genl, uint8_t cmd);
/* The same as a dump request: one reply per object, then NLMSG_DONE. */
struct nl_msg *vl_genl_new_dump(const struct vl_genl *genl, uint8_t cmd);

/*
 * Send @msg (consumed) and wait for the kernel's acknowledgement, or the end
 * of a dump.  Each reply message is handed to @parse, which returns 0 or a
 * negative errno.  A refusal's extack message lands in @genl->error_msg.
 */
typedef int (*vl_genl_parse_fn)(struct nl_msg *reply, void *arg);
int vl_genl_transact(struct vl_genl *genl, struct nl_msg *msg,
		     vl_genl_parse_fn parse, void *arg);

int vl_genl_replay_get(struct vl_genl *genl, struct vl_replay_info *info);
/* Start recording into the module's log; @filename (may be NULL) is what
 * query reports. */
int vl_genl_record_start(struct vl_genl *genl, const char *filename);
int vl_genl_record_stop(struct vl_genl *genl);

/* A command with no attributes, or with one u64 attribute. */
int vl_genl_command(struct vl_genl *genl, uint8_t cmd);
int vl_genl_command_u64(struct vl_genl *genl, uint8_t cmd, int attr,
			uint64_t value);

/* Play mode's controls (QEMU's replay-break, replay-seek, stop, cont). */
int vl_genl_play_stop(struct vl_genl *genl);
int vl_genl_break_set(struct vl_genl *genl, uint64_t icount);
int vl_genl_break_delete(struct vl_genl *genl);
int vl_genl_seek(struct vl_genl *genl, uint64_t icount);
int vl_genl_stop(struct vl_genl *genl);
int vl_genl_cont(struct vl_genl *genl);

/*
 * Join the family's "events" multicast group.  The socket is then for
 * notifications only: their sequence numbers are not checked.
 */
int vl_genl_subscribe_events(struct vl_genl *genl);
/*
 * Wait for what the kernel sends next and hand each message to @parse.
 * -ENOBUFS when notifications were lost (the socket's buffer overflowed);
 * the socket stays usable.  -EAGAIN on a non-blocking socket with nothing
 * to read.
 */
int vl_genl_recv(struct vl_genl *genl, vl_genl_parse_fn parse, void *arg);

const char *vl_icount_source_name(uint32_t source);
/* "user", "break", ...; "unknown" for a reason this code does not know. */
const char *vl_stop_reason_name(uint32_t reason);

const char *vl_replay_mode_name(uint32_t mode);

#endif /* VL_GENL_H */
