// SPDX-License-Identifier: GPL-2.0
/*
 * The console's peer: stdin/stdout, or a unix stream socket that takes one
 * client at a time (the next one waits in the listen backlog).  A client
 * may close its sending side and still read what the device says; only
 * when both directions are closed does the socket accept the next one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend.h"
#include "console_peer.h"

static int vl_peer_fill_addr(struct sockaddr_un *addr, const char *path)
{
	size_t len = strlen(path);

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (len >= sizeof(addr->sun_path)) {
		vl_err("socket path %s is longer than %zu bytes", path,
		       sizeof(addr->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(addr->sun_path, path, len + 1);
	return 0;
}

/* A socket file nobody listens on is left over from a crash: reuse it. */
static bool vl_socket_is_stale(const struct sockaddr_un *addr)
{
	struct stat st;
	bool stale;
	int fd;

	if (stat(addr->sun_path, &st) || !S_ISSOCK(st.st_mode))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	stale = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) &&
		errno == ECONNREFUSED;
	close(fd);
	return stale;
}

static int vl_peer_listen(struct vl_peer *peer, const char *path)
{
	struct sockaddr_un addr;
	int fd, err;

	err = vl_peer_fill_addr(&addr, path);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		vl_err("cannot create a unix socket: %s", strerror(-err));
		return err;
	}
	err = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	if (err && errno == EADDRINUSE && vl_socket_is_stale(&addr)) {
		unlink(path);
		err = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	}
	if (!err)
		err = listen(fd, 1);
	if (err) {
		err = -errno;
		vl_err("cannot listen on %s: %s%s", path, strerror(-err),
		       err == -EADDRINUSE ?
		       " (another process listens there, or it is not a socket)" : "");
		close(fd);
		return err;
	}
	peer->listen_fd = fd;
	return 0;
}

int vl_peer_open(struct vl_peer *peer, const char *socket_path)
{
	memset(peer, 0, sizeof(*peer));
	peer->socket_path = socket_path;
	peer->listen_fd = -1;
	peer->client_fd = -1;
	peer->in_fd = -1;
	peer->out_fd = -1;
	if (socket_path) {
		peer->nonblocking = true;
		return vl_peer_listen(peer, socket_path);
	}
	peer->in_fd = STDIN_FILENO;
	peer->out_fd = STDOUT_FILENO;
	return 0;
}

static void vl_peer_drop_client(struct vl_peer *peer)
{
	if (peer->client_fd < 0)
		return;
	close(peer->client_fd);
	peer->client_fd = -1;
	peer->in_fd = -1;
	peer->out_fd = -1;
	peer->hup = false;
	vl_debug("console client left");
}

void vl_peer_close(struct vl_peer *peer)
{
	vl_peer_drop_client(peer);
	if (peer->listen_fd >= 0) {
		close(peer->listen_fd);
		unlink(peer->socket_path);
		peer->listen_fd = -1;
	}
	peer->in_fd = -1;
	peer->out_fd = -1;
}

/* A client with both directions closed makes room for the next one. */
static void vl_peer_settle(struct vl_peer *peer)
{
	if (peer->client_fd >= 0 && peer->in_fd < 0 && peer->out_fd < 0)
		vl_peer_drop_client(peer);
}

static void vl_peer_accept(struct vl_peer *peer)
{
	int fd = accept4(peer->listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			vl_warn("accept on %s: %s", peer->socket_path,
				strerror(errno));
		return;
	}
	peer->client_fd = fd;
	peer->in_fd = fd;
	peer->out_fd = fd;
	peer->hup = false;
	vl_debug("console client connected");
}

int vl_peer_poll_fds(struct vl_peer *peer, bool want_read, bool want_write,
		     struct pollfd *fds, int max)
{
	short in_ev = want_read && peer->in_fd >= 0 ? POLLIN : 0;
	short out_ev = want_write && peer->out_fd >= 0 ? POLLOUT : 0;
	int n = 0;

	if (max < 2)
		return 0;
	if (peer->socket_path) {
		if (peer->client_fd < 0) {
			fds[n++] = (struct pollfd){ .fd = peer->listen_fd,
						    .events = POLLIN };
		} else if (in_ev || out_ev || !peer->hup) {
			/* Polled even with no events, to notice a hang-up. */
			fds[n++] = (struct pollfd){ .fd = peer->client_fd,
						    .events = in_ev | out_ev };
		}
		return n;
	}
	if (in_ev)
		fds[n++] = (struct pollfd){ .fd = peer->in_fd, .events = in_ev };
	if (out_ev)
		fds[n++] = (struct pollfd){ .fd = peer->out_fd,
					    .events = out_ev };
	return n;
}

/* The client hung up: keep reading what it sent before, if anything. */
static void vl_peer_on_hangup(struct vl_peer *peer)
{
	int unread = 0;

	peer->out_fd = -1;
	if (peer->in_fd >= 0 && !ioctl(peer->in_fd, FIONREAD, &unread) &&
	    unread > 0)
		peer->hup = true;
	else
		peer->in_fd = -1;
	vl_peer_settle(peer);
}

unsigned int vl_peer_events(struct vl_peer *peer, const struct pollfd *fds,
			    int nfds)
{
	unsigned int ready = 0;
	int i;

	for (i = 0; i < nfds; i++) {
		short ev = fds[i].revents;

		if (!ev)
			continue;
		if (fds[i].fd == peer->listen_fd) {
			vl_peer_accept(peer);
			continue;
		}
		/* Read and write find out about errors and end of file. */
		if (fds[i].fd == peer->in_fd && (ev & ~POLLOUT))
			ready |= VL_PEER_READABLE;
		if (fds[i].fd == peer->out_fd && (ev & ~POLLIN))
			ready |= VL_PEER_WRITABLE;
		if (fds[i].fd == peer->client_fd && (ev & (POLLHUP | POLLERR)) &&
		    !(ev & POLLIN))
			vl_peer_on_hangup(peer);
	}
	return ready;
}

static void vl_peer_close_in(struct vl_peer *peer)
{
	peer->in_fd = -1;
	if (peer->hup)
		peer->out_fd = -1;
	vl_peer_settle(peer);
}

ssize_t vl_peer_read(struct vl_peer *peer, void *buf, size_t len)
{
	ssize_t n;

	if (peer->in_fd < 0)
		return -ENOTCONN;
	n = read(peer->in_fd, buf, len);
	if (n > 0)
		return n;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0)
		vl_debug("console input: %s", strerror(errno));
	else
		vl_debug("console input ended");
	vl_peer_close_in(peer);
	return -ENOTCONN;
}

ssize_t vl_peer_write(struct vl_peer *peer, const void *buf, size_t len)
{
	ssize_t n;

	if (peer->out_fd < 0)
		return -ENOTCONN;
	if (peer->out_fd == peer->client_fd)
		n = send(peer->out_fd, buf, len, MSG_NOSIGNAL);
	else
		n = write(peer->out_fd, buf, len);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	vl_debug("console output: %s", strerror(errno));
	/* A client that stopped reading is gone, whatever it still sends. */
	peer->out_fd = -1;
	if (peer->client_fd >= 0)
		peer->in_fd = -1;
	vl_peer_settle(peer);
	return -ENOTCONN;
}
