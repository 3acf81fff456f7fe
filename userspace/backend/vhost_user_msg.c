// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user messages on a unix stream socket: framing, file descriptors
 * (SCM_RIGHTS) and the front-end's synchronous requests.
 *
 * The socket is blocking for simplicity of the framing, but every read is
 * preceded by a poll() with a deadline, so a back-end that stops talking
 * half way through a message cannot hold the bridge forever.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vhost_user_msg.h"

static const char *const vu_names[] = {
	[VU_GET_FEATURES] = "GET_FEATURES",
	[VU_SET_FEATURES] = "SET_FEATURES",
	[VU_SET_OWNER] = "SET_OWNER",
	[VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VU_SET_VRING_NUM] = "SET_VRING_NUM",
	[VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VU_SET_VRING_BASE] = "SET_VRING_BASE",
	[VU_GET_VRING_BASE] = "GET_VRING_BASE",
	[VU_SET_VRING_KICK] = "SET_VRING_KICK",
	[VU_SET_VRING_CALL] = "SET_VRING_CALL",
	[VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[VU_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
	[VU_GET_CONFIG] = "GET_CONFIG",
	[VU_SET_CONFIG] = "SET_CONFIG",
};

const char *vu_request_name(uint32_t request)
{
	static char buf[32];

	if (request < sizeof(vu_names) / sizeof(vu_names[0]) &&
	    vu_names[request])
		return vu_names[request];
	snprintf(buf, sizeof(buf), "request %u", request);
	return buf;
}

__attribute__((format(printf, 3, 4)))
static int vu_fail(char *error, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error, errlen, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

int vu_connect(struct vu_conn *c, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int err;

	memset(c, 0, sizeof(*c));
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(c->error, sizeof(c->error),
			 "socket path is longer than %zu bytes",
			 sizeof(addr.sun_path) - 1);
		c->fd = -1;
		return -ENAMETOOLONG;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr,
				 sizeof(addr))) {
		err = -errno;
		snprintf(c->error, sizeof(c->error), "cannot connect to %s: %s",
			 path, strerror(errno));
		vu_close(c);
		return err;
	}
	return 0;
}

void vu_close(struct vu_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int vu_send(int fd, const struct vu_msg *msg, char *error, size_t errlen)
{
	char control[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
	size_t len = sizeof(msg->hdr) + msg->hdr.size;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	ssize_t n;

	if (msg->nfds) {
		memset(control, 0, sizeof(control));
		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * msg->nfds);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * msg->nfds);
		memcpy(CMSG_DATA(cmsg), msg->fds, sizeof(int) * msg->nfds);
	}
	do {
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(error, errlen, "cannot send %s: %s",
			 vu_request_name(msg->hdr.request), strerror(errno));
		return -errno;
	}
	/* A unix stream socket takes a message this small whole. */
	if ((size_t)n != len)
		return vu_fail(error, errlen, "%s was sent only in part",
			       vu_request_name(msg->hdr.request));
	return 0;
}

static long vu_ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Wait until @fd is readable, or fail at @deadline (NULL: no wait). */
static int vu_wait(int fd, const struct timespec *deadline, char *error,
		   size_t errlen)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long left = deadline ? vu_ms_left(deadline) : 0;
	int n;

	do {
		n = poll(&pfd, 1, left < 0 ? 0 : left);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0) {
		snprintf(error, errlen,
			 "the back-end did not answer within %u s",
			 VU_REPLY_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	return 0;
}

/* Keep the fds of a control message; close any beyond what fits. */
static void vu_take_fds(struct msghdr *mh, struct vu_msg *msg)
{
	struct cmsghdr *cmsg;

	for (cmsg = CMSG_FIRSTHDR(mh); cmsg; cmsg = CMSG_NXTHDR(mh, cmsg)) {
		size_t n, i;
		int fd;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
			if (msg->nfds < VU_MAX_FDS)
				msg->fds[msg->nfds++] = fd;
			else
				close(fd);
		}
	}
}

/* Read exactly @len bytes into @buf, fds of the first bytes into @msg. */
static int vu_read_full(int fd, void *buf, size_t len, struct vu_msg *msg,
			const struct timespec *deadline, char *error,
			size_t errlen)
{
	char control[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
	size_t got = 0;
	ssize_t n;
	int err;

	while (got < len) {
		struct iovec iov = { (char *)buf + got, len - got };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control,
			.msg_controllen = sizeof(control),
		};

		err = vu_wait(fd, deadline, error, errlen);
		if (err)
			return err;
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(error, errlen, "cannot read from the back-end: %s",
				 strerror(errno));
			return -errno;
		}
		vu_take_fds(&mh, msg);
		if (mh.msg_flags & MSG_CTRUNC)
			return vu_fail(error, errlen,
				       "the back-end sent more file descriptors than a message may carry");
		if (n == 0)
			return vu_fail(error, errlen,
				       "the back-end closed the connection");
		got += n;
	}
	return 0;
}

void vu_msg_close_fds(struct vu_msg *msg)
{
	while (msg->nfds)
		close(msg->fds[--msg->nfds]);
}

int vu_recv(int fd, struct vu_msg *msg, int timeout_ms, char *error,
	    size_t errlen)
{
	struct timespec deadline;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (timeout_ms < 0 ? 0 : timeout_ms) / 1000;
	memset(&msg->hdr, 0, sizeof(msg->hdr));
	msg->nfds = 0;
	err = vu_read_full(fd, &msg->hdr, sizeof(msg->hdr), msg, &deadline,
			   error, errlen);
	if (!err && (msg->hdr.flags & VU_VERSION_MASK) != VU_VERSION)
		err = vu_fail(error, errlen,
			      "the back-end speaks vhost-user version %u, not %u",
			      msg->hdr.flags & VU_VERSION_MASK, VU_VERSION);
	if (!err && msg->hdr.size > sizeof(msg->payload))
		err = vu_fail(error, errlen,
			      "the back-end sent %s with %u bytes of payload, more than any message has",
			      vu_request_name(msg->hdr.request),
			      msg->hdr.size);
	if (!err && msg->hdr.size)
		err = vu_read_full(fd, &msg->payload, msg->hdr.size, msg,
				   &deadline, error, errlen);
	if (err)
		vu_msg_close_fds(msg);
	return err;
}

/* ---- Requests ------------------------------------------------------------ */

static void vu_msg_init(struct vu_msg *msg, uint32_t request, uint32_t size)
{
	memset(msg, 0, sizeof(*msg));
	msg->hdr.request = request;
	msg->hdr.flags = VU_VERSION;
	msg->hdr.size = size;
}

/*
 * The reply to @request: the same request with the reply flag and, when
 * @size is not 0, exactly @size bytes of payload.  Replies carry no fds
 * in the requests used here: any that come are closed.
 */
static int vu_reply(struct vu_conn *c, uint32_t request, struct vu_msg *reply,
		    uint32_t size)
{
	int err = vu_recv(c->fd, reply, VU_REPLY_TIMEOUT_MS, c->error,
			  sizeof(c->error));

	if (err)
		return err;
	vu_msg_close_fds(reply);
	if (reply->hdr.request != request ||
	    !(reply->hdr.flags & VU_FLAG_REPLY))
		return vu_fail(c->error, sizeof(c->error),
			       "the back-end answered %s with %s%s",
			       vu_request_name(request),
			       vu_request_name(reply->hdr.request),
			       reply->hdr.flags & VU_FLAG_REPLY ? "" :
			       " (not marked as a reply)");
	if (size && reply->hdr.size != size)
		return vu_fail(c->error, sizeof(c->error),
			       "the back-end answered %s with %u bytes, not %u",
			       vu_request_name(request), reply->hdr.size, size);
	return 0;
}

/* Send a request that has no reply of its own; with REPLY_ACK, await it. */
static int vu_call(struct vu_conn *c, struct vu_msg *msg)
{
	uint32_t request = msg->hdr.request;
	struct vu_msg reply;
	int err;

	if (c->reply_ack)
		msg->hdr.flags |= VU_FLAG_NEED_REPLY;
	err = vu_send(c->fd, msg, c->error, sizeof(c->error));
	if (err || !c->reply_ack)
		return err;
	err = vu_reply(c, request, &reply, sizeof(uint64_t));
	if (err)
		return err;
	if (reply.payload.u64)
		return vu_fail(c->error, sizeof(c->error),
			       "the back-end refused %s (status %llu)",
			       vu_request_name(request),
			       (unsigned long long)reply.payload.u64);
	return 0;
}

int vu_get_u64(struct vu_conn *c, uint32_t request, uint64_t *value)
{
	struct vu_msg msg;
	int err;

	vu_msg_init(&msg, request, 0);
	err = vu_send(c->fd, &msg, c->error, sizeof(c->error));
	if (!err)
		err = vu_reply(c, request, &msg, sizeof(uint64_t));
	if (!err)
		*value = msg.payload.u64;
	return err;
}

int vu_set_u64(struct vu_conn *c, uint32_t request, uint64_t value)
{
	struct vu_msg msg;

	vu_msg_init(&msg, request, sizeof(uint64_t));
	msg.payload.u64 = value;
	return vu_call(c, &msg);
}

int vu_set_owner(struct vu_conn *c)
{
	struct vu_msg msg;

	vu_msg_init(&msg, VU_SET_OWNER, 0);
	return vu_call(c, &msg);
}

int vu_set_vring_state(struct vu_conn *c, uint32_t request, uint32_t index,
		       uint32_t num)
{
	struct vu_msg msg;

	vu_msg_init(&msg, request, sizeof(struct vu_vring_state));
	msg.payload.state.index = index;
	msg.payload.state.num = num;
	return vu_call(c, &msg);
}

int vu_get_vring_base(struct vu_conn *c, uint32_t index, uint32_t *base)
{
	struct vu_msg msg;
	int err;

	vu_msg_init(&msg, VU_GET_VRING_BASE, sizeof(struct vu_vring_state));
	msg.payload.state.index = index;
	err = vu_send(c->fd, &msg, c->error, sizeof(c->error));
	if (!err)
		err = vu_reply(c, VU_GET_VRING_BASE, &msg,
			       sizeof(struct vu_vring_state));
	if (!err && msg.payload.state.index != index)
		err = vu_fail(c->error, sizeof(c->error),
			      "the back-end answered GET_VRING_BASE of queue %u for queue %u",
			      index, msg.payload.state.index);
	if (!err)
		*base = msg.payload.state.num;
	return err;
}

int vu_set_vring_addr(struct vu_conn *c, const struct vu_vring_addr *addr)
{
	struct vu_msg msg;

	vu_msg_init(&msg, VU_SET_VRING_ADDR, sizeof(*addr));
	msg.payload.addr = *addr;
	return vu_call(c, &msg);
}

int vu_set_fd(struct vu_conn *c, uint32_t request, uint32_t index, int fd)
{
	struct vu_msg msg;

	vu_msg_init(&msg, request, sizeof(uint64_t));
	msg.payload.u64 = index & VU_VRING_IDX_MASK;
	msg.fds[0] = fd;
	msg.nfds = 1;
	return vu_call(c, &msg);
}

int vu_set_mem_table(struct vu_conn *c, const struct vu_mem_region *region,
		     int fd)
{
	struct vu_msg msg;

	/* The size covers the regions sent, as QEMU sends it: one here. */
	vu_msg_init(&msg, VU_SET_MEM_TABLE,
		    offsetof(struct vu_mem_table, regions) + sizeof(*region));
	msg.payload.mem.nregions = 1;
	msg.payload.mem.regions[0] = *region;
	msg.fds[0] = fd;
	msg.nfds = 1;
	return vu_call(c, &msg);
}

int vu_get_config(struct vu_conn *c, uint32_t offset, uint32_t size,
		  uint8_t *buf)
{
	uint32_t len = VU_CONFIG_HDR_SIZE + size;
	struct vu_msg msg;
	int err;

	if (size > VU_MAX_CONFIG_SIZE)
		return -EINVAL;
	vu_msg_init(&msg, VU_GET_CONFIG, len);
	msg.payload.config.offset = offset;
	msg.payload.config.size = size;
	err = vu_send(c->fd, &msg, c->error, sizeof(c->error));
	if (!err)
		err = vu_reply(c, VU_GET_CONFIG, &msg, 0);
	if (err)
		return err;
	/* A back-end that cannot give the config answers with no payload. */
	if (msg.hdr.size != len || msg.payload.config.size != size ||
	    msg.payload.config.offset != offset) {
		snprintf(c->error, sizeof(c->error),
			 "the back-end did not give %u config bytes at %u (it answered with %u bytes of payload, %u config bytes at %u)",
			 size, offset, msg.hdr.size, msg.payload.config.size,
			 msg.payload.config.offset);
		return -EIO;
	}
	memcpy(buf, msg.payload.config.region, size);
	return 0;
}

int vu_set_config(struct vu_conn *c, uint32_t offset, uint32_t size,
		  const uint8_t *buf)
{
	struct vu_msg msg;

	if (size > VU_MAX_CONFIG_SIZE)
		return -EINVAL;
	vu_msg_init(&msg, VU_SET_CONFIG, VU_CONFIG_HDR_SIZE + size);
	msg.payload.config.offset = offset;
	msg.payload.config.size = size;
	memcpy(msg.payload.config.region, buf, size);
	return vu_call(c, &msg);
}
