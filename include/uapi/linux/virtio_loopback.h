/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * virtio-loopback: virtio devices whose device side lives in userspace.
 *
 * This header is the single source of every format and number shared between
 * the kernel module and its userspace tools: the backend channel on
 * /dev/virtio-loopback, the generic netlink family and the replay log.
 * Documentation/netlink/specs/virtio_loopback.yaml describes the same netlink
 * family in YNL form and must be kept in step with it.
 */
#ifndef _UAPI_LINUX_VIRTIO_LOOPBACK_H
#define _UAPI_LINUX_VIRTIO_LOOPBACK_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped whenever a format below changes incompatibly. */
#define VIRTIO_LOOPBACK_API_VERSION	1

/* The backend channel: a misc device, mode 0600. */
#define VIRTIO_LOOPBACK_DEVICE_NAME	"virtio-loopback"

/*
 * The backend channel: /dev/virtio-loopback
 * =========================================
 *
 * One open file is one device.  VIRTIO_LOOPBACK_CREATE_DEVICE describes it;
 * the kernel then registers a virtio device, and the kernel's virtio driver
 * for that device id binds to it.  Creating needs CAP_SYS_ADMIN (EPERM
 * otherwise), whoever opened the file.  From then on:
 *
 *  - read() yields a batch of messages: what the driver did (reset, features,
 *    queue setup, config writes, status) and the requests it queued, each
 *    with its chain's segment layout and its out-data (the bytes of the
 *    driver-readable segments).  Control messages come first, in the order
 *    RESET, FEATURES, QUEUE, CONFIG, STATUS; they report the latest state,
 *    so two quick status writes may arrive as one STATUS message.  read()
 *    blocks until there is something, unless O_NONBLOCK; poll() reports
 *    EPOLLIN then.  If the first message does not fit into the buffer, read()
 *    fails with ENOSPC and consumes nothing; VIRTIO_LOOPBACK_GET_DEVICE_INFO
 *    then tells its size.  Requests are delivered once the driver has set
 *    DRIVER_OK.  A chain with more than VIRTIO_LOOPBACK_MAX_SEGS segments
 *    cannot be delivered: the transport fails it as the device would (for
 *    virtio-blk, VIRTIO_BLK_S_IOERR) and counts it.
 *  - write() takes a batch of messages: completions (request id, in-data)
 *    and config changes.  Each message is checked before it takes effect; at
 *    the first bad one, write() stops and returns the bytes of the good
 *    messages before it, or fails with the bad one's error if it is the
 *    first.  A bad message changes nothing.
 *  - close() removes the device.  Requests still in flight fail with an
 *    error the driver understands (for virtio-blk, VIRTIO_BLK_S_IOERR).
 *
 * Every message starts with struct virtio_loopback_msg; its len covers the
 * whole message and is a multiple of VIRTIO_LOOPBACK_MSG_ALIGN, so the next
 * message starts at the current one plus len.
 */

#define VIRTIO_LOOPBACK_IOC_MAGIC	0xB9

#define VIRTIO_LOOPBACK_MAX_QUEUES	64
#define VIRTIO_LOOPBACK_MAX_QUEUE_SIZE	32768
#define VIRTIO_LOOPBACK_MAX_CONFIG_SIZE	1024
/* Segments in one request's chain, indirect tables included. */
#define VIRTIO_LOOPBACK_MAX_SEGS	1024

/* The API version: VIRTIO_LOOPBACK_API_VERSION. */
#define VIRTIO_LOOPBACK_GET_API_VERSION	_IOR(VIRTIO_LOOPBACK_IOC_MAGIC, 0x00, __u64)

/**
 * struct virtio_loopback_device_config - what VIRTIO_LOOPBACK_CREATE_DEVICE creates
 * @device_id: virtio device id (include/uapi/linux/virtio_ids.h), one the
 *	module parameter allowed_types lists (by default block, console and
 *	rng); another fails with EOPNOTSUPP
 * @vendor_id: virtio vendor id
 * @features: device feature bits offered.  VIRTIO_F_VERSION_1 is required.
 *	Of the bits the virtio spec reserves for the transport and for
 *	extensions (24 to 41, 50 to 63) only VIRTIO_RING_F_INDIRECT_DESC,
 *	VIRTIO_RING_F_EVENT_IDX and VIRTIO_F_VERSION_1 are kept; the others
 *	are withdrawn.
 * @num_queues: number of virtqueues, 1 to VIRTIO_LOOPBACK_MAX_QUEUES
 * @max_queue_size: queue size, a power of 2 from 2 to
 *	VIRTIO_LOOPBACK_MAX_QUEUE_SIZE (the driver may get a smaller one)
 * @config_size: bytes of @config, up to VIRTIO_LOOPBACK_MAX_CONFIG_SIZE
 * @reserved: must be zero
 * @config: the initial device-specific config space
 */
struct virtio_loopback_device_config {
	__u32 device_id;
	__u32 vendor_id;
	__u64 features;
	__u32 num_queues;
	__u32 max_queue_size;
	__u32 config_size;
	__u32 reserved[9];
	__u8 config[];
};

/*
 * Create this file's device.  Returns its index N: the virtio device appears
 * below /sys/devices/virtual/misc/virtio-loopback/vlN/.  Registration and
 * the driver's probe run asynchronously, because a probe may wait for
 * requests (virtio-blk reads the partition table) that only this file's
 * reader can answer.  EBUSY if the file already has a device.
 */
#define VIRTIO_LOOPBACK_CREATE_DEVICE \
	_IOW(VIRTIO_LOOPBACK_IOC_MAGIC, 0x01, struct virtio_loopback_device_config)

/* The virtio device is registered: virtio_index is valid. */
#define VIRTIO_LOOPBACK_INFO_REGISTERED	(1U << 0)
/* Registration failed; the device will never come up. */
#define VIRTIO_LOOPBACK_INFO_FAILED	(1U << 1)

/**
 * struct virtio_loopback_device_info - VIRTIO_LOOPBACK_GET_DEVICE_INFO
 * @index: N of vlN
 * @virtio_index: M of virtioM, once registered
 * @flags: VIRTIO_LOOPBACK_INFO_*
 * @status: the device status byte as the driver last set it
 * @driver_features: the features the driver accepted
 * @read_size_needed: the bytes of the message that the last read() failing
 *	with ENOSPC could not fit (control messages report the latest state
 *	and may have grown since)
 * @reserved32: zero
 * @reserved: zero
 */
struct virtio_loopback_device_info {
	__u32 index;
	__u32 virtio_index;
	__u32 flags;
	__u32 status;
	__u64 driver_features;
	__u32 read_size_needed;
	__u32 reserved32;
	__u64 reserved[3];
};

#define VIRTIO_LOOPBACK_GET_DEVICE_INFO \
	_IOR(VIRTIO_LOOPBACK_IOC_MAGIC, 0x02, struct virtio_loopback_device_info)

#define VIRTIO_LOOPBACK_MSG_ALIGN	8

enum virtio_loopback_msg_type {
	/* read(): what the driver did */
	VIRTIO_LOOPBACK_MSG_RESET = 1,		/* struct virtio_loopback_msg_reset */
	VIRTIO_LOOPBACK_MSG_FEATURES,		/* struct virtio_loopback_msg_features */
	VIRTIO_LOOPBACK_MSG_QUEUE,		/* struct virtio_loopback_msg_queue */
	VIRTIO_LOOPBACK_MSG_CONFIG,		/* struct virtio_loopback_msg_config */
	VIRTIO_LOOPBACK_MSG_STATUS,		/* struct virtio_loopback_msg_status */
	VIRTIO_LOOPBACK_MSG_REQUEST,		/* struct virtio_loopback_msg_request */

	/* write(): what the device does */
	VIRTIO_LOOPBACK_MSG_COMPLETE = 64,	/* struct virtio_loopback_msg_complete */
	VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE,	/* struct virtio_loopback_msg_config */
};

/*
 * A REQUEST the transport has already returned to the driver: deliver its
 * out-data, never complete it (in_len is 0, id is 0).  Queues whose driver
 * busy-waits for the device with interrupts off, such as virtio-console's
 * transmit queues, are served this way, so that a slow backend cannot stall
 * a CPU.
 */
#define VIRTIO_LOOPBACK_MSG_F_POSTED	(1U << 0)

/**
 * struct virtio_loopback_msg - the header of every channel message
 * @type: enum virtio_loopback_msg_type
 * @flags: VIRTIO_LOOPBACK_MSG_F_* on messages read; zero on messages written
 * @len: bytes of the whole message, header included; a multiple of
 *	VIRTIO_LOOPBACK_MSG_ALIGN
 */
struct virtio_loopback_msg {
	__u16 type;
	__u16 flags;
	__u32 len;
};

/*
 * The driver reset the device.  Every request read before is void: its
 * completion is accepted and dropped.  Requests carry the epoch in their id.
 */
struct virtio_loopback_msg_reset {
	struct virtio_loopback_msg hdr;
	__u32 epoch;
	__u32 reserved;
};

/* The driver accepted these features (FEATURES_OK follows in STATUS). */
struct virtio_loopback_msg_features {
	struct virtio_loopback_msg hdr;
	__u64 driver_features;
};

/* The driver set up queue @queue with @size entries; size 0: deleted. */
struct virtio_loopback_msg_queue {
	struct virtio_loopback_msg hdr;
	__u32 queue;
	__u32 size;
};

/*
 * MSG_CONFIG (read): the driver wrote @size bytes of config at @offset.
 * MSG_CONFIG_CHANGE (write): the device changed them; the driver is told.
 * @data holds the bytes, padded to VIRTIO_LOOPBACK_MSG_ALIGN.
 */
struct virtio_loopback_msg_config {
	struct virtio_loopback_msg hdr;
	__u32 offset;
	__u32 size;
	__u8 data[];
};

/* The driver set the device status byte. */
struct virtio_loopback_msg_status {
	struct virtio_loopback_msg hdr;
	__u32 status;
	__u32 reserved;
};

/* The segment is device-writable (in-data); otherwise driver-written. */
#define VIRTIO_LOOPBACK_SEG_WRITE	(1U << 0)

/**
 * struct virtio_loopback_seg - one buffer of a request's descriptor chain
 * @len: its length in bytes
 * @flags: VIRTIO_LOOPBACK_SEG_*
 */
struct virtio_loopback_seg {
	__u32 len;
	__u32 flags;
};

/**
 * struct virtio_loopback_msg_request - a request the driver queued
 * @hdr: header
 * @id: names the request in its completion
 * @queue: the virtqueue
 * @nsegs: entries of @segs, readable segments first
 * @out_len: bytes of out-data: the readable segments, in order
 * @in_len: bytes the device may write: the writable segments
 * @segs: the chain's layout; after it come @out_len bytes of out-data,
 *	then padding to VIRTIO_LOOPBACK_MSG_ALIGN
 */
struct virtio_loopback_msg_request {
	struct virtio_loopback_msg hdr;
	__u64 id;
	__u32 queue;
	__u32 nsegs;
	__u32 out_len;
	__u32 in_len;
	struct virtio_loopback_seg segs[];
};

/**
 * struct virtio_loopback_msg_complete - the device completes a request
 * @hdr: header
 * @id: the request's id
 * @queue: the request's queue
 * @len: bytes of @data, written from the start of the writable segments
 *	and reported to the driver as the used length; at most in_len
 * @data: the in-data, padded to VIRTIO_LOOPBACK_MSG_ALIGN
 */
struct virtio_loopback_msg_complete {
	struct virtio_loopback_msg hdr;
	__u64 id;
	__u32 queue;
	__u32 len;
	__u8 data[];
};

/* Generic netlink family, see Documentation/netlink/specs/. */
#define VIRTIO_LOOPBACK_FAMILY_NAME	"virtio_loopback"
#define VIRTIO_LOOPBACK_FAMILY_VERSION	1
#define VIRTIO_LOOPBACK_MCGRP_EVENTS	"events"

/* Mode of the replay subsystem; the names follow QEMU's ReplayMode. */
enum virtio_loopback_replay_mode {
	VIRTIO_LOOPBACK_REPLAY_MODE_NONE,
	VIRTIO_LOOPBACK_REPLAY_MODE_RECORD,
	VIRTIO_LOOPBACK_REPLAY_MODE_PLAY,
};

/* Attributes describing the replay state (attribute-set "replay"). */
enum {
	VIRTIO_LOOPBACK_A_REPLAY_PAD = 1,
	VIRTIO_LOOPBACK_A_REPLAY_MODE,		/* u32, enum virtio_loopback_replay_mode */
	VIRTIO_LOOPBACK_A_REPLAY_ICOUNT,	/* u64, current instruction count */

	__VIRTIO_LOOPBACK_A_REPLAY_MAX,
	VIRTIO_LOOPBACK_A_REPLAY_MAX = (__VIRTIO_LOOPBACK_A_REPLAY_MAX - 1)
};

enum {
	VIRTIO_LOOPBACK_CMD_REPLAY_GET = 1,	/* answer the replay state */

	__VIRTIO_LOOPBACK_CMD_MAX,
	VIRTIO_LOOPBACK_CMD_MAX = (__VIRTIO_LOOPBACK_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_VIRTIO_LOOPBACK_H */
