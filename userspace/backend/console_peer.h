/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The far end of vl-backend's console: stdin and stdout, or one client at
 * a time on a unix stream socket.  It moves bytes only; what they mean to
 * the virtio-console device is dev_console.c's business.
 */
#ifndef VL_CONSOLE_PEER_H
#define VL_CONSOLE_PEER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct vl_peer {
	const char *socket_path;	/* NULL: stdin and stdout */
	int listen_fd;
	int client_fd;			/* the connected client, or -1 */
	int in_fd;			/* -1: nothing more to read */
	int out_fd;			/* -1: nobody to write to */
	bool nonblocking;		/* in_fd and out_fd are ours */
	bool hup;			/* the client hung up, data may remain */
};

/* What vl_peer_events() found the peer ready for. */
#define VL_PEER_READABLE	(1u << 0)
#define VL_PEER_WRITABLE	(1u << 1)

/* Start listening on @socket_path, or use stdin/stdout when it is NULL. */
int vl_peer_open(struct vl_peer *peer, const char *socket_path);
void vl_peer_close(struct vl_peer *peer);

static inline bool vl_peer_can_read(const struct vl_peer *peer)
{
	return peer->in_fd >= 0;
}

static inline bool vl_peer_can_write(const struct vl_peer *peer)
{
	return peer->out_fd >= 0;
}

/*
 * The descriptors to poll: up to 2.  @want_read when there is somewhere to
 * put input, @want_write when output is waiting.
 */
int vl_peer_poll_fds(struct vl_peer *peer, bool want_read, bool want_write,
		     struct pollfd *fds, int max);

/* Handle connects and hang-ups; returns VL_PEER_* readiness. */
unsigned int vl_peer_events(struct vl_peer *peer, const struct pollfd *fds,
			    int nfds);

/*
 * Move bytes: > 0 bytes done, 0 when the peer is not ready (try again after
 * poll), or -ENOTCONN when that direction is closed for good (it already
 * is when this returns).
 */
ssize_t vl_peer_read(struct vl_peer *peer, void *buf, size_t len);
ssize_t vl_peer_write(struct vl_peer *peer, const void *buf, size_t len);

#endif /* VL_CONSOLE_PEER_H */
