/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vhost-user protocol, front-end side: the message formats this
 * bridge uses (numbers from QEMU's docs/interop/vhost-user.rst, the
 * protocol's specification) and a synchronous request/reply exchange on
 * the back-end's unix socket.
 *
 * Everything the back-end sends is untrusted: a reply of the wrong type,
 * size or shape, an unexpected file descriptor, or silence beyond
 * VU_REPLY_TIMEOUT_MS is an error, never a crash or a wait forever.
 */
#ifndef VHOST_USER_MSG_H
#define VHOST_USER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Front-end requests (the subset the bridge sends). */
enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_SET_MEM_TABLE = 5,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SET_BACKEND_REQ_FD = 21,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
};

/* Back-end requests on the back-end channel (SET_BACKEND_REQ_FD). */
#define VU_BACKEND_CONFIG_CHANGE_MSG	2

/* The feature bit that says protocol features exist. */
#define VU_F_PROTOCOL_FEATURES		30

/* Protocol feature bits. */
#define VU_PROTOCOL_F_MQ		0
#define VU_PROTOCOL_F_REPLY_ACK		3
#define VU_PROTOCOL_F_BACKEND_REQ	5
#define VU_PROTOCOL_F_CONFIG		9

/* Header flags: the version, and what a message asks of the peer. */
#define VU_VERSION		0x1u
#define VU_VERSION_MASK		0x3u
#define VU_FLAG_REPLY		(1u << 2)
#define VU_FLAG_NEED_REPLY	(1u << 3)

/* SET_VRING_KICK/CALL: the payload's bit saying "no file descriptor". */
#define VU_VRING_NOFD_MASK	(1ull << 8)
#define VU_VRING_IDX_MASK	0xffull

#define VU_MAX_MEM_REGIONS	8
#define VU_MAX_FDS		8
/* GET_CONFIG's payload: offset, size, flags, then at most this much. */
#define VU_MAX_CONFIG_SIZE	256
/* A back-end that has not answered by then is taken for hung. */
#define VU_REPLY_TIMEOUT_MS	30000

struct vu_header {
	uint32_t request;
	uint32_t flags;
	uint32_t size;			/* bytes of payload after this header */
} __attribute__((packed));

struct vu_vring_state {
	uint32_t index;
	uint32_t num;
} __attribute__((packed));

struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
} __attribute__((packed));

struct vu_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
} __attribute__((packed));

struct vu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vu_mem_region regions[VU_MAX_MEM_REGIONS];
} __attribute__((packed));

struct vu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[VU_MAX_CONFIG_SIZE];
} __attribute__((packed));

#define VU_CONFIG_HDR_SIZE	offsetof(struct vu_config, region)

union vu_payload {
	uint64_t u64;
	struct vu_vring_state state;
	struct vu_vring_addr addr;
	struct vu_mem_table mem;
	struct vu_config config;
} __attribute__((packed));

/* The payload follows the header with no gap: this is the wire format. */
struct vu_msg {
	struct vu_header hdr;
	union vu_payload payload;
	int fds[VU_MAX_FDS];
	unsigned int nfds;
} __attribute__((packed));

_Static_assert(offsetof(struct vu_msg, payload) == sizeof(struct vu_header),
	       "the payload must follow the header");

/* One connection to a back-end. */
struct vu_conn {
	int fd;
	bool reply_ack;		/* REPLY_ACK negotiated: ask for acks */
	char error[200];	/* why the last call failed */
};

/* A request's name for messages, "GET_CONFIG"; "request 77" otherwise. */
const char *vu_request_name(uint32_t request);

/* Connect to the back-end listening on @path.  0 or -errno. */
int vu_connect(struct vu_conn *c, const char *path);
void vu_close(struct vu_conn *c);

/* Send @msg (its fds too); no reply is awaited.  0 or -errno. */
int vu_send(int fd, const struct vu_msg *msg, char *error, size_t errlen);

/*
 * Receive one message from @fd within @timeout_ms (-1: it is known to be
 * there), its fds in msg->fds.  The header and the size are checked
 * against what the protocol allows; the caller checks the meaning.
 */
int vu_recv(int fd, struct vu_msg *msg, int timeout_ms, char *error,
	    size_t errlen);

/* Close every fd a received message carried. */
void vu_msg_close_fds(struct vu_msg *msg);

/*
 * The front-end's requests.  Each returns 0 or a negative errno with
 * c->error set.  Requests without a reply ask for an ack when REPLY_ACK
 * was negotiated, so a back-end's refusal is seen where it happens.
 */
int vu_get_u64(struct vu_conn *c, uint32_t request, uint64_t *value);
int vu_set_u64(struct vu_conn *c, uint32_t request, uint64_t value);
int vu_set_owner(struct vu_conn *c);
int vu_set_vring_state(struct vu_conn *c, uint32_t request, uint32_t index,
		       uint32_t num);
int vu_get_vring_base(struct vu_conn *c, uint32_t index, uint32_t *base);
int vu_set_vring_addr(struct vu_conn *c, const struct vu_vring_addr *addr);
/* SET_VRING_KICK/CALL or SET_BACKEND_REQ_FD (@index unused) with @fd. */
int vu_set_fd(struct vu_conn *c, uint32_t request, uint32_t index, int fd);
int vu_set_mem_table(struct vu_conn *c, const struct vu_mem_region *region,
		     int fd);
/* Read @size config bytes from @offset into @buf. */
int vu_get_config(struct vu_conn *c, uint32_t offset, uint32_t size,
		  uint8_t *buf);
int vu_set_config(struct vu_conn *c, uint32_t offset, uint32_t size,
		  const uint8_t *buf);

#endif /* VHOST_USER_MSG_H */
