// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console with a single port (no VIRTIO_CONSOLE_F_MULTIPORT):
 * queue 0 is the receiveq, where the driver posts empty buffers that the
 * device fills with what the peer sends; queue 1 is the transmitq, whose
 * out-data goes to the peer.
 *
 * Receive buffers are held until the peer has bytes for them.  Transmit
 * requests normally arrive posted: the transport has already returned them,
 * because virtio_console spins with interrupts off until the device takes
 * each buffer (see the kernel's vl_devtype.c).  Their bytes wait here for
 * the peer, up to VL_CONSOLE_OUT_MAX; past that, as on a serial line
 * nobody reads, bytes are dropped and counted.  Transmit requests that are
 * not posted are held until their bytes have reached the peer.  With no
 * peer connected, transmitted bytes are dropped, as on a serial line with
 * nothing plugged in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "backend.h"
#include "console_peer.h"

#define VL_CONSOLE_RECEIVEQ	0
#define VL_CONSOLE_TRANSMITQ	1
#define VL_CONSOLE_QUEUE_SIZE	128
#define VL_CONSOLE_OUT_MAX	(4 << 20)

/* A request the device holds: its id, and a length or a byte mark. */
struct vl_held {
	uint64_t id;
	uint64_t mark;
};

/* Held requests, oldest first; never more than a queue has entries. */
struct vl_fifo {
	struct vl_held *slot;
	unsigned int head;
	unsigned int count;
	unsigned int size;
};

struct vl_console {
	struct vl_peer peer;
	struct vl_fifo rx;		/* mark: the buffer's length */
	struct vl_fifo tx;		/* mark: out_queued after its bytes */
	/* Bytes for the peer: out[out_start..out_end). */
	uint8_t *out;
	size_t out_start;
	size_t out_end;
	size_t out_cap;
	uint64_t out_queued;		/* bytes ever queued */
	uint64_t out_done;		/* bytes ever written or dropped */
	uint64_t dropped;		/* posted bytes the peer never took */
};

static int vl_fifo_init(struct vl_fifo *f, unsigned int size)
{
	f->slot = calloc(size, sizeof(*f->slot));
	f->head = 0;
	f->count = 0;
	f->size = size;
	return f->slot ? 0 : -ENOMEM;
}

static bool vl_fifo_push(struct vl_fifo *f, uint64_t id, uint64_t mark)
{
	if (f->count == f->size)
		return false;
	f->slot[(f->head + f->count) % f->size] = (struct vl_held){
		.id = id,
		.mark = mark,
	};
	f->count++;
	return true;
}

static const struct vl_held *vl_fifo_peek(const struct vl_fifo *f)
{
	return f->count ? &f->slot[f->head] : NULL;
}

static void vl_fifo_pop(struct vl_fifo *f)
{
	f->head = (f->head + 1) % f->size;
	f->count--;
}

/* ---- Device to driver: the receiveq ------------------------------------- */

static bool vl_console_can_receive(const struct vl_device *dev,
				   const struct vl_console *con)
{
	/* The device may use the queues only once the driver is ready. */
	return con->rx.count && (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       vl_peer_can_read(&con->peer);
}

/* Read the peer's bytes straight into the oldest receive buffers. */
static void vl_console_receive(struct vl_device *dev, struct vl_loop *loop)
{
	struct vl_console *con = dev->priv;
	const struct vl_held *buf;
	uint8_t *data;
	ssize_t n;

	while (vl_console_can_receive(dev, con)) {
		buf = vl_fifo_peek(&con->rx);
		data = vl_complete_begin(loop, buf->id, VL_CONSOLE_RECEIVEQ,
					 buf->mark);
		if (!data)
			return;
		n = vl_peer_read(&con->peer, data, buf->mark);
		if (n <= 0)
			return;	/* the open completion is dropped unsent */
		vl_complete_end(loop, n);
		vl_fifo_pop(&con->rx);
		/* A blocking stdin is read once per poll() that says so. */
		if (!con->peer.nonblocking)
			return;
	}
}

/* ---- Driver to device: the transmitq ------------------------------------ */

static int vl_console_queue_out(struct vl_console *con, const uint8_t *data,
				size_t len)
{
	size_t need = con->out_end - con->out_start + len;
	uint8_t *grown;
	size_t cap;

	if (con->out_end + len > con->out_cap && con->out_start) {
		memmove(con->out, con->out + con->out_start,
			con->out_end - con->out_start);
		con->out_end -= con->out_start;
		con->out_start = 0;
	}
	if (need > con->out_cap) {
		cap = con->out_cap ? con->out_cap : 4096;
		while (cap < need)
			cap *= 2;
		grown = realloc(con->out, cap);
		if (!grown)
			return -ENOMEM;
		con->out = grown;
		con->out_cap = cap;
	}
	memcpy(con->out + con->out_end, data, len);
	con->out_end += len;
	con->out_queued += len;
	return 0;
}

/* Complete the transmit requests whose bytes are all out. */
static void vl_console_complete_sent(struct vl_console *con,
				     struct vl_loop *loop)
{
	const struct vl_held *req;

	while ((req = vl_fifo_peek(&con->tx)) && req->mark <= con->out_done) {
		vl_complete(loop, req->id, VL_CONSOLE_TRANSMITQ, NULL, 0);
		vl_fifo_pop(&con->tx);
	}
}

static void vl_console_drop_out(struct vl_console *con)
{
	con->out_done += con->out_end - con->out_start;
	con->out_start = 0;
	con->out_end = 0;
}

/* Write what the peer takes now; the rest waits for poll(). */
static void vl_console_send(struct vl_console *con, struct vl_loop *loop)
{
	ssize_t n;

	while (con->out_end > con->out_start) {
		n = vl_peer_write(&con->peer, con->out + con->out_start,
				  con->out_end - con->out_start);
		if (n < 0)
			vl_console_drop_out(con);
		if (n <= 0)
			break;
		con->out_start += n;
		con->out_done += n;
	}
	if (con->out_start == con->out_end) {
		con->out_start = 0;
		con->out_end = 0;
	}
	vl_console_complete_sent(con, loop);
}

/* Bytes the transport already returned to the driver: keep or drop them. */
static void vl_console_transmit_posted(struct vl_console *con,
				       const struct vl_request *req)
{
	if (!vl_peer_can_write(&con->peer))
		return;
	if (con->out_end - con->out_start + req->out_len > VL_CONSOLE_OUT_MAX) {
		if (!con->dropped)
			vl_err("console peer is not reading: dropping output");
		con->dropped += req->out_len;
		return;
	}
	if (vl_console_queue_out(con, req->out, req->out_len))
		con->dropped += req->out_len;
}

static void vl_console_transmit(struct vl_console *con, struct vl_loop *loop,
				const struct vl_request *req)
{
	if (req->posted) {
		vl_console_transmit_posted(con, req);
		return;
	}
	if (!vl_peer_can_write(&con->peer)) {
		vl_complete(loop, req->id, req->queue, NULL, 0);
		return;
	}
	if (vl_console_queue_out(con, req->out, req->out_len)) {
		vl_err("out of memory for %u bytes of console output",
		       req->out_len);
		vl_complete(loop, req->id, req->queue, NULL, 0);
		return;
	}
	if (!vl_fifo_push(&con->tx, req->id, con->out_queued)) {
		/* More requests than queue entries: the kernel would not. */
		vl_complete(loop, req->id, req->queue, NULL, 0);
	}
}

/* ---- The device's operations --------------------------------------------- */

static void vl_console_request(struct vl_device *dev, struct vl_loop *loop,
			       const struct vl_request *req)
{
	struct vl_console *con = dev->priv;

	if (req->queue == VL_CONSOLE_TRANSMITQ) {
		vl_console_transmit(con, loop, req);
		return;
	}
	if (!req->in_len || !vl_fifo_push(&con->rx, req->id, req->in_len))
		vl_complete(loop, req->id, req->queue, NULL, 0);
}

static void vl_console_batch_done(struct vl_device *dev, struct vl_loop *loop)
{
	vl_console_send(dev->priv, loop);
}

static void vl_console_reset(struct vl_device *dev)
{
	struct vl_console *con = dev->priv;

	/*
	 * The held requests are void now.  Bytes the driver already
	 * transmitted still go to the peer.
	 */
	con->rx.count = 0;
	con->tx.count = 0;
}

static int vl_console_poll_fds(struct vl_device *dev, struct pollfd *fds,
			       int max)
{
	struct vl_console *con = dev->priv;

	return vl_peer_poll_fds(&con->peer, vl_console_can_receive(dev, con),
				con->out_end > con->out_start, fds, max);
}

static int vl_console_poll_events(struct vl_device *dev, struct vl_loop *loop,
				  const struct pollfd *fds, int nfds)
{
	struct vl_console *con = dev->priv;
	unsigned int ready = vl_peer_events(&con->peer, fds, nfds);

	if (ready & VL_PEER_READABLE)
		vl_console_receive(dev, loop);
	/* Also after a hang-up: dropped output completes its requests. */
	vl_console_send(con, loop);
	return 0;
}

static void vl_console_destroy(struct vl_device *dev)
{
	struct vl_console *con = dev->priv;

	vl_peer_close(&con->peer);
	free(con->rx.slot);
	free(con->tx.slot);
	free(con->out);
	free(con);
	dev->priv = NULL;
}

static const struct vl_device_ops vl_console_ops = {
	.reset = vl_console_reset,
	.request = vl_console_request,
	.batch_done = vl_console_batch_done,
	.poll_fds = vl_console_poll_fds,
	.poll_events = vl_console_poll_events,
	.destroy = vl_console_destroy,
};

int vl_console_init(struct vl_device *dev,
		    const struct vl_console_options *opts)
{
	struct virtio_console_config cfg;
	struct vl_console *con;
	int err;

	con = calloc(1, sizeof(*con));
	if (!con)
		return -ENOMEM;
	err = vl_fifo_init(&con->rx, VL_CONSOLE_QUEUE_SIZE);
	if (!err)
		err = vl_fifo_init(&con->tx, VL_CONSOLE_QUEUE_SIZE);
	if (err)
		vl_err("out of memory");
	else
		err = vl_peer_open(&con->peer, opts->socket_path);
	if (err) {
		free(con->rx.slot);
		free(con->tx.slot);
		free(con);
		return err;
	}

	/* No feature reads the config, but the driver may map all of it. */
	memset(&cfg, 0, sizeof(cfg));
	dev->name = "console";
	dev->ops = &vl_console_ops;
	dev->desc = (struct vl_device_desc){
		.device_id = VIRTIO_ID_CONSOLE,
		.features = VL_TRANSPORT_FEATURES,
		.num_queues = 2,
		.max_queue_size = VL_CONSOLE_QUEUE_SIZE,
	};
	memcpy(dev->config, &cfg, sizeof(cfg));
	dev->config_size = sizeof(cfg);
	dev->priv = con;
	return 0;
}
