/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small vhost-user-blk back-end for the selftests, written apart from
 * vl-backend's own protocol code so that each checks the other: a thread
 * that listens on a unix socket, answers the front-end's negotiation,
 * maps the memory table, and serves a RAM disk of zeros from the split
 * ring it is given (reads return zeros, every request succeeds).  What
 * qemu-storage-daemon cannot be made to do, it can: announce a config
 * change (a new capacity), or answer with a used entry that names no
 * request in flight.
 */
#ifndef VL_TEST_VHOST_USER_H
#define VL_TEST_VHOST_USER_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

/* Message numbers of QEMU's docs/interop/vhost-user.rst. */
enum {
	FVU_GET_FEATURES = 1, FVU_SET_MEM_TABLE = 5, FVU_SET_VRING_ADDR = 9,
	FVU_GET_VRING_BASE = 11, FVU_SET_VRING_KICK = 12,
	FVU_SET_VRING_CALL = 13, FVU_GET_PROTOCOL_FEATURES = 15,
	FVU_GET_QUEUE_NUM = 17, FVU_SET_BACKEND_REQ_FD = 21,
	FVU_GET_CONFIG = 24,
};
#define FVU_CONFIG_CHANGE_MSG	2
#define FVU_REPLY		(1u << 2)
#define FVU_NEED_REPLY		(1u << 3)
#define FVU_FEATURES							\
	(1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_RING_F_INDIRECT_DESC |	\
	 1ull << 30 /* protocol features */ | 1ull << VIRTIO_BLK_F_SEG_MAX |	\
	 1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH)
/* MQ, REPLY_ACK, BACKEND_REQ, CONFIG */
#define FVU_PROTOCOL		(1ull << 0 | 1ull << 3 | 1ull << 5 | 1ull << 9)

enum fake_vu_mode {
	FAKE_VU_SERVE,		/* a well-behaved RAM disk */
	FAKE_VU_BAD_USED,	/* the first request is answered with garbage */
	FAKE_VU_SILENT,		/* reads every message, answers none */
};

struct fake_vu {
	char path[64];
	enum fake_vu_mode mode;
	volatile uint64_t capacity;	/* sectors */
	int listen_fd, conn, backend_req, kick, call;
	int stop[2];
	uint8_t *mem;
	uint64_t mem_size, mem_uaddr, mem_gpa;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint32_t num;
	uint16_t last_avail;
	unsigned long served;
	pthread_t thread;
};

struct fake_vu_msg {
	uint32_t request, flags, size;
	uint8_t payload[512];
} __attribute__((packed));

/* One message and its fds (at most 1 is kept); false at EOF or error. */
static inline bool fake_vu_read(int fd, struct fake_vu_msg *m, int *got_fd)
{
	char control[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec iov = { m, 12 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = control,
			     .msg_controllen = sizeof(control) };
	struct cmsghdr *c;

	*got_fd = -1;
	if (recvmsg(fd, &mh, MSG_WAITALL) != 12 || m->size > sizeof(m->payload))
		return false;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_type == SCM_RIGHTS)
			memcpy(got_fd, CMSG_DATA(c), sizeof(int));
	return !m->size || recv(fd, m->payload, m->size, MSG_WAITALL) ==
			   (ssize_t)m->size;
}

static inline void fake_vu_reply(int fd, struct fake_vu_msg *m, uint32_t size)
{
	m->flags = 1 | FVU_REPLY;
	m->size = size;
	if (write(fd, m, 12 + size) < 0)
		return;
}

static inline void fake_vu_reply_u64(int fd, struct fake_vu_msg *m,
				     uint64_t v)
{
	memcpy(m->payload, &v, 8);
	fake_vu_reply(fd, m, 8);
}

static inline void *fake_vu_gpa(struct fake_vu *f, uint64_t gpa)
{
	return f->mem + (gpa - f->mem_gpa);
}

static inline void *fake_vu_uaddr(struct fake_vu *f, uint64_t ua)
{
	return f->mem + (ua - f->mem_uaddr);
}

/* Answer one front-end message; false when the connection is done. */
static inline bool fake_vu_on_msg(struct fake_vu *f)
{
	struct fake_vu_msg m;
	uint64_t v[4];
	int fd;

	if (!fake_vu_read(f->conn, &m, &fd))
		return false;
	if (f->mode == FAKE_VU_SILENT) {
		if (fd >= 0)
			close(fd);
		return true;
	}
	switch (m.request) {
	case FVU_GET_FEATURES:
		fake_vu_reply_u64(f->conn, &m, FVU_FEATURES);
		return true;
	case FVU_GET_PROTOCOL_FEATURES:
		fake_vu_reply_u64(f->conn, &m, FVU_PROTOCOL);
		return true;
	case FVU_GET_QUEUE_NUM:
		fake_vu_reply_u64(f->conn, &m, 1);
		return true;
	case FVU_GET_CONFIG: {
		struct virtio_blk_config cfg = { 0 };
		uint32_t size;

		memcpy(&size, m.payload + 4, 4);
		cfg.capacity = f->capacity;
		cfg.seg_max = 64;
		cfg.blk_size = 512;
		if (size > sizeof(cfg))
			size = sizeof(cfg);
		memcpy(m.payload + 12, &cfg, size);
		fake_vu_reply(f->conn, &m, 12 + size);
		return true;
	}
	case FVU_GET_VRING_BASE:
		memcpy(m.payload + 4, &(uint32_t){ f->last_avail }, 4);
		fake_vu_reply(f->conn, &m, 8);
		return true;
	case FVU_SET_MEM_TABLE:
		/* nregions, padding, then gpa, size, uaddr, mmap offset */
		memcpy(v, m.payload + 8, sizeof(v));
		f->mem_gpa = v[0];
		f->mem_size = v[1];
		f->mem_uaddr = v[2];
		f->mem = mmap(NULL, v[1], PROT_READ | PROT_WRITE, MAP_SHARED,
			      fd, v[3]);
		close(fd);
		break;
	case FVU_SET_VRING_ADDR:
		/* index, flags, then desc, used, avail */
		memcpy(v, m.payload + 8, 3 * 8);
		f->desc = fake_vu_uaddr(f, v[0]);
		f->used = fake_vu_uaddr(f, v[1]);
		f->avail = fake_vu_uaddr(f, v[2]);
		break;
	case 8: /* SET_VRING_NUM */
		memcpy(&f->num, m.payload + 4, 4);
		break;
	case FVU_SET_VRING_KICK:
		f->kick = fd;
		break;
	case FVU_SET_VRING_CALL:
		f->call = fd;
		break;
	case FVU_SET_BACKEND_REQ_FD:
		f->backend_req = fd;
		break;
	default:
		if (fd >= 0)
			close(fd);
		break;
	}
	if (m.flags & FVU_NEED_REPLY)
		fake_vu_reply_u64(f->conn, &m, 0);
	return true;
}

/* Status OK into the last writable byte of the chain at @head. */
static inline uint32_t fake_vu_serve_one(struct fake_vu *f, uint16_t head)
{
	struct vring_desc *d = &f->desc[head];
	uint32_t n = 1, i, in = 0;
	uint8_t *last = NULL;

	if (d->flags & VRING_DESC_F_INDIRECT) {
		n = d->len / sizeof(*d);
		d = fake_vu_gpa(f, d->addr);
	}
	for (i = 0; i < n; i++) {
		if (d[i].flags & VRING_DESC_F_WRITE) {
			in += d[i].len;
			last = (uint8_t *)fake_vu_gpa(f, d[i].addr) + d[i].len - 1;
		}
		if (!(d[i].flags & VRING_DESC_F_NEXT))
			break;
	}
	if (last)
		*last = VIRTIO_BLK_S_OK;
	return in;
}

static inline void fake_vu_on_kick(struct fake_vu *f)
{
	uint64_t n;
	uint16_t idx;

	if (read(f->kick, &n, sizeof(n)) != sizeof(n) || !f->num)
		return;
	idx = __atomic_load_n(&f->avail->idx, __ATOMIC_ACQUIRE);
	while (f->last_avail != idx) {
		uint16_t head = f->avail->ring[f->last_avail % f->num];
		struct vring_used_elem *e = &f->used->ring[f->used->idx % f->num];

		f->last_avail++;
		e->len = fake_vu_serve_one(f, head);
		e->id = f->mode == FAKE_VU_BAD_USED ? 0xffff : head;
		__atomic_store_n(&f->used->idx, f->used->idx + 1,
				 __ATOMIC_RELEASE);
		f->served++;
	}
	n = 1;
	if (write(f->call, &n, sizeof(n)) < 0)
		return;
}

static inline void *fake_vu_run(void *arg)
{
	struct fake_vu *f = arg;
	struct pollfd p[3];

	f->conn = accept(f->listen_fd, NULL, NULL);
	while (f->conn >= 0) {
		p[0] = (struct pollfd){ .fd = f->conn, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = f->stop[0], .events = POLLIN };
		p[2] = (struct pollfd){ .fd = f->kick, .events = POLLIN };
		if (poll(p, f->kick >= 0 ? 3 : 2, -1) < 0 || p[1].revents)
			break;
		if (p[0].revents && !fake_vu_on_msg(f))
			break;
		if (f->kick >= 0 && p[2].revents)
			fake_vu_on_kick(f);
	}
	return NULL;
}

static inline int fake_vu_start(struct fake_vu *f, const char *path,
				enum fake_vu_mode mode, uint64_t sectors)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	f->conn = f->backend_req = f->kick = f->call = -1;
	f->mode = mode;
	f->capacity = sectors;
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	unlink(path);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->listen_fd < 0 || pipe(f->stop) ||
	    bind(f->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(f->listen_fd, 1))
		return -1;
	return pthread_create(&f->thread, NULL, fake_vu_run, f) ? -1 : 0;
}

/* Grow the disk and tell the front-end, as a resized export would. */
static inline int fake_vu_resize(struct fake_vu *f, uint64_t sectors)
{
	struct fake_vu_msg m = { .request = FVU_CONFIG_CHANGE_MSG, .flags = 1 };

	f->capacity = sectors;
	if (f->backend_req < 0)
		return -1;
	return write(f->backend_req, &m, 12) == 12 ? 0 : -1;
}

static inline void fake_vu_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

static inline void fake_vu_stop(struct fake_vu *f)
{
	/* The pipe ends the loop; shutdown() an accept() still waiting. */
	if (write(f->stop[1], "x", 1) != 1)
		return;
	shutdown(f->listen_fd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	if (f->mem && f->mem != MAP_FAILED)
		munmap(f->mem, f->mem_size);
	fake_vu_close(f->listen_fd);
	fake_vu_close(f->conn);
	fake_vu_close(f->backend_req);
	fake_vu_close(f->kick);
	fake_vu_close(f->call);
	close(f->stop[0]);
	close(f->stop[1]);
	unlink(f->path);
}

#endif /* VL_TEST_VHOST_USER_H */
