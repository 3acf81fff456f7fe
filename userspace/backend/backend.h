/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vl-backend: the pieces shared by the command line, the event loop and the
 * device models.
 *
 * A device model fills in a struct vl_device (what to create, its config
 * space, its operations); the event loop creates it on the channel, feeds
 * it the driver's messages and requests, and sends its completions back in
 * batches.
 */
#ifndef VL_BACKEND_H
#define VL_BACKEND_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "vl_channel.h"

/* The transport features every device offers: all the transport has. */
#define VL_TRANSPORT_FEATURES						\
	(1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC |	\
	 1ULL << VIRTIO_RING_F_EVENT_IDX)

/* ---- Messages for humans (log.c) --------------------------------------- */

extern bool vl_verbose;

__attribute__((format(printf, 1, 2))) void vl_err(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void vl_warn(const char *fmt, ...);
/* Only with --verbose. */
__attribute__((format(printf, 1, 2))) void vl_debug(const char *fmt, ...);

/* ---- Device models ------------------------------------------------------ */

struct vl_loop;
struct vl_device;

/*
 * What the loop asks of a device model.  Only @request is required.  A
 * request is completed with vl_complete_begin()/vl_complete_end() (or
 * vl_complete()), now or later: the id and the queue are all a model needs
 * to keep for a request it holds.
 */
struct vl_device_ops {
	/* The driver reset the device: forget every request in flight. */
	void (*reset)(struct vl_device *dev);
	/* The driver set the status byte (dev->status already holds it). */
	void (*status)(struct vl_device *dev, struct vl_loop *loop);
	/* The driver wrote config bytes (dev->config already holds them). */
	void (*config_write)(struct vl_device *dev, uint32_t offset,
			     uint32_t size);
	void (*request)(struct vl_device *dev, struct vl_loop *loop,
			const struct vl_request *req);
	/* Every message of one read() has been handled. */
	void (*batch_done)(struct vl_device *dev, struct vl_loop *loop);
	/*
	 * File descriptors of the model's own, for the loop to poll beside
	 * the channel: fill up to @max entries, return how many.
	 */
	int (*poll_fds)(struct vl_device *dev, struct pollfd *fds, int max);
	/* Their events; a negative errno stops the backend. */
	int (*poll_events)(struct vl_device *dev, struct vl_loop *loop,
			   const struct pollfd *fds, int nfds);
	/* The model's counters for --stats, one "name value" line each. */
	void (*stats)(struct vl_device *dev, FILE *f);
	void (*destroy)(struct vl_device *dev);
};

struct vl_device {
	const char *name;		/* "rng", "blk", ... */
	const struct vl_device_ops *ops;
	struct vl_device_desc desc;
	uint8_t config[VIRTIO_LOOPBACK_MAX_CONFIG_SIZE];
	uint32_t config_size;
	/* What the driver did, kept up to date by the loop. */
	uint64_t driver_features;
	uint32_t status;
	void *priv;
};

struct vl_blk_options {
	const char *file;
	unsigned int queues;
	bool readonly;
	const char *serial;		/* NULL: vl-blk-<inode in hex> */
};

/* A --serial the guest can show: 1 to 20 printable ASCII characters. */
bool vl_blk_serial_ok(const char *serial);

struct vl_console_options {
	const char *socket_path;	/* NULL: stdin and stdout */
};

struct vl_vhost_user_options {
	const char *socket_path;	/* the back-end's unix socket */
	unsigned int queues;
};

/* Each returns 0, or prints why it cannot and returns a negative errno. */
int vl_rng_init(struct vl_device *dev);
int vl_blk_init(struct vl_device *dev, const struct vl_blk_options *opts);
int vl_console_init(struct vl_device *dev,
		    const struct vl_console_options *opts);
int vl_vhost_user_init(struct vl_device *dev,
		       const struct vl_vhost_user_options *opts);

/* ---- The event loop (loop.c) -------------------------------------------- */

struct vl_serve_options {
	const char *channel;		/* NULL: VL_CHANNEL_PATH */
	const char *stats;		/* --stats FILE, or NULL */
	unsigned int latency_ms;	/* --latency: hold completions back */
};

/*
 * Create @dev on the channel and serve it until SIGINT, SIGTERM or SIGHUP.
 * Returns the process exit status.
 */
int vl_serve(struct vl_device *dev, const struct vl_serve_options *opts);

/*
 * Open the completion of request @id on @queue with room for @max_len bytes
 * of in-data and return where they go, flushing the batch first if it is
 * full.  NULL only when the backend is going down (out of memory, channel
 * gone): leave the request then.
 */
void *vl_complete_begin(struct vl_loop *loop, uint64_t id, uint32_t queue,
			uint32_t max_len);
/* Finish it: @len bytes of in-data, reported to the driver as used. */
void vl_complete_end(struct vl_loop *loop, uint32_t len);
/* Complete with a copy of @data. */
void vl_complete(struct vl_loop *loop, uint64_t id, uint32_t queue,
		 const void *data, uint32_t len);
/*
 * The model cannot go on (it has said why): the loop stops, the channel
 * closes and the kernel fails what is in flight and removes the device.
 */
void vl_fail(struct vl_loop *loop);
/* Tell the driver that @size config bytes at @offset changed. */
void vl_config_changed(struct vl_loop *loop, struct vl_device *dev,
		       uint32_t offset, uint32_t size);

#endif /* VL_BACKEND_H */
