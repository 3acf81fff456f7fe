// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user: the device lives in another process, an unmodified
 * vhost-user back-end (qemu-storage-daemon, ...), and this model is its
 * front-end, the role QEMU plays for a guest.
 *
 * At start the model connects to the back-end, negotiates features and
 * protocol features and reads the device's config space (GET_CONFIG): that
 * is what the loopback device is created with.  When the driver sets
 * DRIVER_OK, the shadow rings in the shared memfd are handed to the
 * back-end; each request the kernel delivers is copied into one, the
 * back-end is kicked once per batch, and its used entries (signalled on
 * the call eventfds) are copied back as completions.  A driver reset stops
 * the rings again.
 *
 * The back-end is trusted with nothing: a reply or a used entry that
 * breaks the protocol, or the back-end going away, ends the model with an
 * error.  The loop then closes the channel, and the kernel fails the
 * requests still in flight and removes the device.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "backend.h"
#include "vhost_user_mem.h"
#include "vhost_user_msg.h"

#define VU_QUEUE_SIZE		128
/* Device-type feature bits: what the driver and the back-end agree on. */
#define VU_DEVICE_FEATURES	((1ULL << 24) - 1)
/*
 * The bridge bounds a blk request so that a ring slot (and one read() of
 * the channel) holds it: at most this many segments of at most this size.
 */
#define VU_BLK_SEG_MAX		126u
#define VU_BLK_SIZE_MAX		(32u << 10)
/* Beside the data: header, status byte, discard/write-zeroes ranges. */
#define VU_BLK_SLOT_EXTRA	8192u
/* epoll tags beside the queue numbers. */
#define VU_TAG_SOCKET		0x10000u
#define VU_TAG_BACKEND_REQ	0x10001u
#define VU_MAX_EVENTS		16

struct vl_vhost_user {
	struct vu_conn conn;
	struct vu_mem mem;
	const char *path;
	unsigned int queues;
	uint64_t features;		/* the back-end offered */
	uint64_t protocol;		/* protocol features agreed */
	uint64_t added;			/* bits offered to the driver only */
	int epfd;
	int backend_req;		/* our end of the back-end channel */
	int *kick, *call;
	bool *pending_kick;
	bool started;
	uint64_t requests, completions, failed, config_changes;
	uint64_t ring_starts;		/* DRIVER_OK after a reset, or the first */
};

static bool vu_has(uint64_t features, unsigned int bit)
{
	return features & (1ULL << bit);
}

/* ---- Failing a request the back-end cannot take ------------------------ */

/* virtio-blk: zeros, then VIRTIO_BLK_S_IOERR in the last writable byte. */
static void vu_fail_request(struct vl_vhost_user *vu, struct vl_loop *loop,
			    const struct vl_request *req)
{
	uint8_t *data;

	vu->failed++;
	if (!req->in_len) {
		vl_complete(loop, req->id, req->queue, NULL, 0);
		return;
	}
	data = vl_complete_begin(loop, req->id, req->queue, req->in_len);
	if (!data)
		return;
	memset(data, 0, req->in_len);
	data[req->in_len - 1] = VIRTIO_BLK_S_IOERR;
	vl_complete_end(loop, req->in_len);
}

/* ---- Negotiation --------------------------------------------------------- */

static int vu_fail_conn(struct vl_vhost_user *vu, int err)
{
	vl_err("vhost-user back-end %s: %s", vu->path, vu->conn.error);
	return err;
}

static int vu_negotiate_protocol(struct vl_vhost_user *vu)
{
	const uint64_t wanted = 1ULL << VU_PROTOCOL_F_MQ |
				1ULL << VU_PROTOCOL_F_REPLY_ACK |
				1ULL << VU_PROTOCOL_F_BACKEND_REQ |
				1ULL << VU_PROTOCOL_F_CONFIG;
	uint64_t offered;
	int err;

	err = vu_get_u64(&vu->conn, VU_GET_PROTOCOL_FEATURES, &offered);
	if (!err)
		err = vu_set_u64(&vu->conn, VU_SET_PROTOCOL_FEATURES,
				 offered & wanted);
	if (err)
		return vu_fail_conn(vu, err);
	vu->protocol = offered & wanted;
	vu->conn.reply_ack = vu_has(vu->protocol, VU_PROTOCOL_F_REPLY_ACK);
	vl_debug("vhost-user protocol features: offered %#llx, agreed %#llx",
		 (unsigned long long)offered,
		 (unsigned long long)vu->protocol);
	return 0;
}

static int vu_check_features(struct vl_vhost_user *vu)
{
	if (!vu_has(vu->features, VIRTIO_F_VERSION_1)) {
		vl_err("vhost-user back-end %s does not offer VIRTIO_F_VERSION_1: legacy devices are not supported",
		       vu->path);
		return -EOPNOTSUPP;
	}
	/* One descriptor per request is what keeps the shadow ring simple. */
	if (!vu_has(vu->features, VIRTIO_RING_F_INDIRECT_DESC)) {
		vl_err("vhost-user back-end %s does not offer VIRTIO_RING_F_INDIRECT_DESC, which the bridge needs",
		       vu->path);
		return -EOPNOTSUPP;
	}
	if (!vu_has(vu->features, VU_F_PROTOCOL_FEATURES)) {
		vl_err("vhost-user back-end %s has no protocol features, so no GET_CONFIG: the device's config space cannot be known",
		       vu->path);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int vu_check_queues(struct vl_vhost_user *vu)
{
	uint64_t n = 1;
	int err;

	if (vu_has(vu->protocol, VU_PROTOCOL_F_MQ)) {
		err = vu_get_u64(&vu->conn, VU_GET_QUEUE_NUM, &n);
		if (err)
			return vu_fail_conn(vu, err);
	}
	if (vu->queues > n) {
		vl_err("vhost-user back-end %s serves %llu queue%s, not the %u asked for with --queues",
		       vu->path, (unsigned long long)n, n == 1 ? "" : "s",
		       vu->queues);
		return -EINVAL;
	}
	return 0;
}

/* Config changes come on a channel of their own, when the back-end can. */
static int vu_setup_backend_req(struct vl_vhost_user *vu)
{
	int sv[2], err;

	if (!vu_has(vu->protocol, VU_PROTOCOL_F_BACKEND_REQ))
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	err = vu_set_fd(&vu->conn, VU_SET_BACKEND_REQ_FD, 0, sv[1]);
	close(sv[1]);
	if (err) {
		close(sv[0]);
		return vu_fail_conn(vu, err);
	}
	vu->backend_req = sv[0];
	return 0;
}

static int vu_negotiate(struct vl_vhost_user *vu)
{
	int err;

	err = vu_set_owner(&vu->conn);
	if (!err)
		err = vu_get_u64(&vu->conn, VU_GET_FEATURES, &vu->features);
	if (err)
		return vu_fail_conn(vu, err);
	vl_debug("vhost-user device features %#llx",
		 (unsigned long long)vu->features);
	err = vu_check_features(vu);
	if (!err)
		err = vu_negotiate_protocol(vu);
	if (!err && !vu_has(vu->protocol, VU_PROTOCOL_F_CONFIG)) {
		vl_err("vhost-user back-end %s does not offer the CONFIG protocol feature: the device's config space cannot be known",
		       vu->path);
		err = -EOPNOTSUPP;
	}
	if (!err)
		err = vu_check_queues(vu);
	return err ? err : vu_setup_backend_req(vu);
}

/* ---- The blk device's config -------------------------------------------- */

/*
 * Read the config space.  A back-end answers only the sizes it knows, and
 * an older one knows a shorter struct virtio_blk_config: try the full one,
 * then the fields every virtio-blk back-end of the 1.x spec has.
 */
static int vu_read_blk_config(struct vl_vhost_user *vu, struct vl_device *dev)
{
	static const uint32_t sizes[] = {
		sizeof(struct virtio_blk_config),
		offsetof(struct virtio_blk_config, write_zeroes_may_unmap) + 4,
	};
	size_t i;
	int err = -EIO;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(dev->config, 0, sizeof(struct virtio_blk_config));
		err = vu_get_config(&vu->conn, 0, sizes[i], dev->config);
		if (!err) {
			dev->config_size = sizes[i];
			return 0;
		}
		if (err != -EIO)
			break;
		vl_debug("GET_CONFIG of %u bytes: %s", sizes[i],
			 vu->conn.error);
	}
	return vu_fail_conn(vu, err);
}

static uint32_t vu_min_nonzero(uint32_t a, uint32_t b)
{
	return a && a < b ? a : b;
}

/*
 * Bound a request (see VU_BLK_SEG_MAX): the limits shown to the driver are
 * the back-end's or the bridge's, whichever is smaller.  SEG_MAX and
 * SIZE_MAX the back-end did not offer are offered to the driver alone.
 */
static void vu_clamp_blk_config(struct vl_vhost_user *vu,
				struct vl_device *dev)
{
	struct virtio_blk_config *cfg = (struct virtio_blk_config *)dev->config;
	uint32_t seg_max = 0, size_max = 0;

	if (vu_has(vu->features, VIRTIO_BLK_F_SEG_MAX))
		seg_max = le32toh(cfg->seg_max);
	if (vu_has(vu->features, VIRTIO_BLK_F_SIZE_MAX))
		size_max = le32toh(cfg->size_max);
	cfg->seg_max = htole32(vu_min_nonzero(seg_max, VU_BLK_SEG_MAX));
	cfg->size_max = htole32(vu_min_nonzero(size_max, VU_BLK_SIZE_MAX));
	cfg->num_queues = htole16(vu->queues);
	vu->added = (1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_SIZE_MAX) &
		    ~vu->features;
}

static const struct vl_device_ops vl_vhost_user_ops;

static void vu_describe(struct vl_vhost_user *vu, struct vl_device *dev)
{
	uint64_t features = (vu->features & VU_DEVICE_FEATURES) | vu->added |
			    VL_TRANSPORT_FEATURES;

	if (vu->queues == 1)
		features &= ~(1ULL << VIRTIO_BLK_F_MQ);
	dev->name = "vhost-user-blk";
	dev->ops = &vl_vhost_user_ops;
	dev->desc = (struct vl_device_desc){
		.device_id = VIRTIO_ID_BLOCK,
		.features = features,
		.num_queues = vu->queues,
		.max_queue_size = VU_QUEUE_SIZE,
	};
}

/* ---- Starting and stopping the rings ------------------------------------ */

static int vu_set_features(struct vl_vhost_user *vu, uint64_t driver)
{
	/* The ring between us and the back-end is ours: indirect, no event idx. */
	uint64_t acked = (driver & vu->features & VU_DEVICE_FEATURES &
			  ~vu->added) |
			 1ULL << VIRTIO_F_VERSION_1 |
			 1ULL << VIRTIO_RING_F_INDIRECT_DESC |
			 1ULL << VU_F_PROTOCOL_FEATURES;

	vl_debug("vhost-user SET_FEATURES %#llx", (unsigned long long)acked);
	return vu_set_u64(&vu->conn, VU_SET_FEATURES, acked);
}

static int vu_start_ring(struct vl_vhost_user *vu, uint32_t q)
{
	const struct vu_ring *ring = &vu->mem.rings[q];
	struct vu_vring_addr addr = {
		.index = q,
		.desc_user_addr = vu_mem_uaddr(&vu->mem, ring->desc_gpa),
		.used_user_addr = vu_mem_uaddr(&vu->mem, ring->used_gpa),
		.avail_user_addr = vu_mem_uaddr(&vu->mem, ring->avail_gpa),
	};
	int err;

	err = vu_set_vring_state(&vu->conn, VU_SET_VRING_NUM, q, ring->num);
	if (!err)
		err = vu_set_vring_state(&vu->conn, VU_SET_VRING_BASE, q, 0);
	if (!err)
		err = vu_set_vring_addr(&vu->conn, &addr);
	/* The call fd first: a ring that starts on its kick may answer at once. */
	if (!err)
		err = vu_set_fd(&vu->conn, VU_SET_VRING_CALL, q, vu->call[q]);
	if (!err)
		err = vu_set_fd(&vu->conn, VU_SET_VRING_KICK, q, vu->kick[q]);
	if (!err)
		err = vu_set_vring_state(&vu->conn, VU_SET_VRING_ENABLE, q, 1);
	return err;
}

static int vu_start(struct vl_vhost_user *vu, uint64_t driver_features)
{
	struct vu_mem_region region = {
		.guest_phys_addr = 0,
		.memory_size = vu->mem.size,
		.userspace_addr = vu_mem_uaddr(&vu->mem, 0),
		.mmap_offset = 0,
	};
	uint32_t q;
	int err;

	vu_mem_reset(&vu->mem);
	err = vu_set_features(vu, driver_features);
	if (!err)
		err = vu_set_mem_table(&vu->conn, &region, vu->mem.fd);
	for (q = 0; !err && q < vu->queues; q++)
		err = vu_start_ring(vu, q);
	if (err)
		return vu_fail_conn(vu, err);
	vu->started = true;
	vu->ring_starts++;
	vl_debug("vhost-user rings started (%u queues of %u)", vu->queues,
		 VU_QUEUE_SIZE);
	return 0;
}

static void vu_drain_eventfd(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) == sizeof(n))
		;
}

/* GET_VRING_BASE stops a ring; what was in flight is forgotten. */
static int vu_stop(struct vl_vhost_user *vu)
{
	uint32_t q, base;
	int err = 0;

	if (!vu->started)
		return 0;
	vu->started = false;
	for (q = 0; !err && q < vu->queues; q++)
		err = vu_get_vring_base(&vu->conn, q, &base);
	for (q = 0; q < vu->queues; q++)
		vu_drain_eventfd(vu->call[q]);
	vu_mem_reset(&vu->mem);
	return err ? vu_fail_conn(vu, err) : 0;
}

/* ---- The driver's side ----------------------------------------------------- */

static void vl_vhost_user_reset(struct vl_device *dev)
{
	struct vl_vhost_user *vu = dev->priv;

	/* Nothing to answer: a reset has no loop to report a failure to. */
	if (vu_stop(vu))
		vu_close(&vu->conn);
}

static void vl_vhost_user_status(struct vl_device *dev, struct vl_loop *loop)
{
	struct vl_vhost_user *vu = dev->priv;

	if (vu->conn.fd < 0) {
		vl_fail(loop);
		return;
	}
	if ((dev->status & VIRTIO_CONFIG_S_DRIVER_OK) && !vu->started &&
	    vu_start(vu, dev->driver_features))
		vl_fail(loop);
}

static void vl_vhost_user_config_write(struct vl_device *dev, uint32_t offset,
				       uint32_t size)
{
	struct vl_vhost_user *vu = dev->priv;
	int err;

	/* The back-end keeps its own config (the write cache mode, ...). */
	err = vu_set_config(&vu->conn, offset, size, dev->config + offset);
	if (err)
		vl_warn("vhost-user back-end %s: config write of %u bytes at %u: %s",
			vu->path, size, offset, vu->conn.error);
}

static void vl_vhost_user_request(struct vl_device *dev, struct vl_loop *loop,
				  const struct vl_request *req)
{
	struct vl_vhost_user *vu = dev->priv;
	int slot;

	if (req->posted)
		return;
	vu->requests++;
	if (!vu->started) {
		vl_warn("request %#llx on queue %u before the rings started",
			(unsigned long long)req->id, req->queue);
		vu_fail_request(vu, loop, req);
		return;
	}
	slot = vu_ring_add(&vu->mem, &vu->mem.rings[req->queue], req);
	if (slot < 0) {
		vl_warn("request %#llx on queue %u (%u segments, %u+%u bytes) cannot go to the back-end: %s",
			(unsigned long long)req->id, req->queue, req->nsegs,
			req->out_len, req->in_len,
			slot == -E2BIG ? "larger than a ring slot" :
			slot == -ENOSPC ? "no free ring slot" :
			"a layout the ring cannot carry");
		vu_fail_request(vu, loop, req);
		return;
	}
	vu->pending_kick[req->queue] = true;
}

/* One kick per queue per batch: the back-end then takes them all. */
static void vl_vhost_user_batch_done(struct vl_device *dev,
				     struct vl_loop *loop)
{
	struct vl_vhost_user *vu = dev->priv;
	const uint64_t one = 1;
	uint32_t q;

	for (q = 0; q < vu->queues; q++) {
		if (!vu->pending_kick[q])
			continue;
		vu->pending_kick[q] = false;
		if (write(vu->kick[q], &one, sizeof(one)) != sizeof(one)) {
			vl_err("cannot kick queue %u: %s", q, strerror(errno));
			vl_fail(loop);
		}
	}
}

/* ---- The back-end's side --------------------------------------------------- */

/*
 * Copy one used entry back.  virtio-blk's status is the last writable
 * byte, wherever the back-end's used length ends, so the whole writable
 * area goes back (as the built-in blk model does); the driver does not
 * read the used length.
 */
static void vu_complete_slot(struct vl_vhost_user *vu, struct vl_loop *loop,
			     uint32_t q, uint32_t slot)
{
	struct vu_ring *ring = &vu->mem.rings[q];
	const struct vu_slot *s = &ring->slots[slot];

	vl_complete(loop, s->id, q, vu_ring_in_data(&vu->mem, ring, slot),
		    s->in_len);
	vu->completions++;
	vu_ring_release(ring, slot);
}

static int vu_drain_used(struct vl_vhost_user *vu, struct vl_loop *loop,
			 uint32_t q)
{
	uint32_t slot, len;
	const char *why;
	int ret;

	vu_drain_eventfd(vu->call[q]);
	if (!vu->started)
		return 0;
	while ((ret = vu_ring_next_used(&vu->mem.rings[q], &slot, &len,
					&why)) > 0)
		vu_complete_slot(vu, loop, q, slot);
	if (ret < 0)
		vl_err("vhost-user back-end %s broke queue %u: %s", vu->path,
		       q, why);
	return ret;
}

static int vu_config_changed(struct vl_vhost_user *vu, struct vl_device *dev,
			     struct vl_loop *loop)
{
	int err;

	err = vu_get_config(&vu->conn, 0, dev->config_size, dev->config);
	if (err)
		return vu_fail_conn(vu, err);
	vu_clamp_blk_config(vu, dev);
	vu->config_changes++;
	vl_debug("vhost-user back-end changed its config");
	vl_config_changed(loop, dev, 0, dev->config_size);
	return 0;
}

/* Answer a back-end request that asked for it: 0 is success. */
static int vu_ack_backend(struct vl_vhost_user *vu, const struct vu_msg *req,
			  uint64_t status)
{
	struct vu_msg reply;
	char error[200];

	if (!(req->hdr.flags & VU_FLAG_NEED_REPLY))
		return 0;
	memset(&reply, 0, sizeof(reply));
	reply.hdr.request = req->hdr.request;
	reply.hdr.flags = VU_VERSION | VU_FLAG_REPLY;
	reply.hdr.size = sizeof(uint64_t);
	reply.payload.u64 = status;
	if (!vu_send(vu->backend_req, &reply, error, sizeof(error)))
		return 0;
	vl_err("vhost-user back-end %s: %s", vu->path, error);
	return -EPIPE;
}

static int vu_on_backend_req(struct vl_vhost_user *vu, struct vl_device *dev,
			     struct vl_loop *loop)
{
	struct vu_msg msg;
	int err;

	err = vu_recv(vu->backend_req, &msg, VU_REPLY_TIMEOUT_MS,
		      vu->conn.error, sizeof(vu->conn.error));
	if (err)
		return vu_fail_conn(vu, err);
	vu_msg_close_fds(&msg);
	if (msg.hdr.request != VU_BACKEND_CONFIG_CHANGE_MSG) {
		vl_warn("vhost-user back-end %s sent back-end request %u, which the bridge does not serve",
			vu->path, msg.hdr.request);
		return vu_ack_backend(vu, &msg, 1);
	}
	/*
	 * Ack before reading the config: a back-end that waits for the ack
	 * cannot answer GET_CONFIG meanwhile.
	 */
	err = vu_ack_backend(vu, &msg, 0);
	return err ? err : vu_config_changed(vu, dev, loop);
}

static int vl_vhost_user_poll_fds(struct vl_device *dev, struct pollfd *fds,
				  int max)
{
	struct vl_vhost_user *vu = dev->priv;

	if (max < 1)
		return 0;
	fds[0] = (struct pollfd){ .fd = vu->epfd, .events = POLLIN };
	return 1;
}

static int vu_on_event(struct vl_vhost_user *vu, struct vl_device *dev,
		       struct vl_loop *loop, uint32_t tag)
{
	if (tag < vu->queues)
		return vu_drain_used(vu, loop, tag);
	if (tag == VU_TAG_BACKEND_REQ)
		return vu_on_backend_req(vu, dev, loop);
	/* Nothing is due on the main socket between requests. */
	vl_err("vhost-user back-end %s closed the connection (or spoke out of turn)",
	       vu->path);
	return -EPIPE;
}

static int vl_vhost_user_poll_events(struct vl_device *dev,
				     struct vl_loop *loop,
				     const struct pollfd *fds, int nfds)
{
	struct vl_vhost_user *vu = dev->priv;
	struct epoll_event ev[VU_MAX_EVENTS];
	int n, i, err;

	(void)fds;
	(void)nfds;
	n = epoll_wait(vu->epfd, ev, VU_MAX_EVENTS, 0);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	/* The used rings first: a back-end that died may have answered. */
	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 >= vu->queues)
			continue;
		err = vu_on_event(vu, dev, loop, ev[i].data.u32);
		if (err < 0)
			return err;
	}
	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 < vu->queues)
			continue;
		err = vu_on_event(vu, dev, loop, ev[i].data.u32);
		if (err < 0)
			return err;
	}
	return 0;
}

static void vl_vhost_user_stats(struct vl_device *dev, FILE *f)
{
	const struct vl_vhost_user *vu = dev->priv;

	fprintf(f, "vhost_user_requests %llu\nvhost_user_completions %llu\n"
		"vhost_user_failed %llu\nvhost_user_config_changes %llu\n"
		"vhost_user_ring_starts %llu\n",
		(unsigned long long)vu->requests,
		(unsigned long long)vu->completions,
		(unsigned long long)vu->failed,
		(unsigned long long)vu->config_changes,
		(unsigned long long)vu->ring_starts);
}

static void vu_free(struct vl_vhost_user *vu)
{
	unsigned int q;

	for (q = 0; q < vu->queues; q++) {
		if (vu->kick && vu->kick[q] >= 0)
			close(vu->kick[q]);
		if (vu->call && vu->call[q] >= 0)
			close(vu->call[q]);
	}
	if (vu->epfd >= 0)
		close(vu->epfd);
	if (vu->backend_req >= 0)
		close(vu->backend_req);
	vu_close(&vu->conn);
	vu_mem_destroy(&vu->mem);
	free(vu->kick);
	free(vu->call);
	free(vu->pending_kick);
	free(vu);
}

static void vl_vhost_user_destroy(struct vl_device *dev)
{
	vu_free(dev->priv);
	dev->priv = NULL;
}

static const struct vl_device_ops vl_vhost_user_ops = {
	.reset = vl_vhost_user_reset,
	.status = vl_vhost_user_status,
	.config_write = vl_vhost_user_config_write,
	.request = vl_vhost_user_request,
	.batch_done = vl_vhost_user_batch_done,
	.poll_fds = vl_vhost_user_poll_fds,
	.poll_events = vl_vhost_user_poll_events,
	.stats = vl_vhost_user_stats,
	.destroy = vl_vhost_user_destroy,
};

/* ---- Set-up ------------------------------------------------------------------ */

static int vu_watch(struct vl_vhost_user *vu, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(vu->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* The kick and call eventfds of each queue, and the epoll set. */
static int vu_open_fds(struct vl_vhost_user *vu)
{
	unsigned int q;
	int err;

	vu->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (vu->epfd < 0)
		return -errno;
	for (q = 0; q < vu->queues; q++) {
		vu->kick[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		vu->call[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (vu->kick[q] < 0 || vu->call[q] < 0)
			return -errno;
		err = vu_watch(vu, vu->call[q], q);
		if (err)
			return err;
	}
	err = vu_watch(vu, vu->conn.fd, VU_TAG_SOCKET);
	if (!err && vu->backend_req >= 0)
		err = vu_watch(vu, vu->backend_req, VU_TAG_BACKEND_REQ);
	return err;
}

static struct vl_vhost_user *vu_alloc(const struct vl_vhost_user_options *opts)
{
	struct vl_vhost_user *vu = calloc(1, sizeof(*vu));
	unsigned int q;

	if (!vu)
		return NULL;
	vu->path = opts->socket_path;
	vu->queues = opts->queues;
	vu->epfd = -1;
	vu->backend_req = -1;
	vu->conn.fd = -1;
	vu->mem.fd = -1;
	vu->kick = calloc(vu->queues, sizeof(int));
	vu->call = calloc(vu->queues, sizeof(int));
	vu->pending_kick = calloc(vu->queues, sizeof(bool));
	if (!vu->kick || !vu->call || !vu->pending_kick) {
		vu_free(vu);
		return NULL;
	}
	for (q = 0; q < vu->queues; q++)
		vu->kick[q] = vu->call[q] = -1;
	return vu;
}

static int vu_setup(struct vl_vhost_user *vu, struct vl_device *dev)
{
	const struct virtio_blk_config *cfg;
	size_t slot_bytes;
	int err;

	if (vu_connect(&vu->conn, vu->path)) {
		vl_err("vhost-user: %s", vu->conn.error);
		return -ENOTCONN;
	}
	err = vu_negotiate(vu);
	if (!err)
		err = vu_read_blk_config(vu, dev);
	if (err)
		return err;
	vu_clamp_blk_config(vu, dev);
	vu_describe(vu, dev);
	cfg = (const struct virtio_blk_config *)dev->config;
	slot_bytes = (size_t)le32toh(cfg->seg_max) * le32toh(cfg->size_max) +
		     VU_BLK_SLOT_EXTRA;
	err = vu_mem_create(&vu->mem, vu->queues, VU_QUEUE_SIZE, slot_bytes);
	if (err) {
		vl_err("cannot create the shared memory: %s", strerror(-err));
		return err;
	}
	err = vu_open_fds(vu);
	if (err)
		vl_err("cannot set up the eventfds: %s", strerror(-err));
	return err;
}

int vl_vhost_user_init(struct vl_device *dev,
		       const struct vl_vhost_user_options *opts)
{
	struct vl_vhost_user *vu = vu_alloc(opts);
	int err;

	if (!vu)
		return -ENOMEM;
	err = vu_setup(vu, dev);
	if (err) {
		vu_free(vu);
		return err;
	}
	dev->priv = vu;
	vl_debug("vhost-user-blk: %u config bytes, %u queue%s, features %#llx",
		 dev->config_size, vu->queues, vu->queues == 1 ? "" : "s",
		 (unsigned long long)dev->desc.features);
	return 0;
}
