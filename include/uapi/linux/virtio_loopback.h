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

/*
 * Open the replay log's stream, on a file that has no device: returns a new
 * file descriptor whose read() yields a struct virtio_loopback_log_header,
 * then whole records as they are logged, oldest first.  One reader at a
 * time (EBUSY); CAP_SYS_ADMIN, since the log holds every device's data.
 * While it is open and recording, a producer that may sleep waits for it
 * to make room; one that may not is counted as lost.
 */
#define VIRTIO_LOOPBACK_OPEN_LOG	_IO(VIRTIO_LOOPBACK_IOC_MAGIC, 0x10)

/* The largest window of struct virtio_loopback_play_start. */
#define VIRTIO_LOOPBACK_PLAY_MAX_WINDOW	256

/*
 * struct virtio_loopback_play_start flags.  PER_QUEUE: the queues of the
 * log go on independently, each in its own log order (for multiqueue
 * devices whose submitters race); anything that is not one queue's (a
 * status, a reset, a device made or removed) still waits for all before
 * it.  Without it, every record is applied in the log's order.
 */
#define VIRTIO_LOOPBACK_PLAY_PER_QUEUE	(1U << 0)

/**
 * struct virtio_loopback_play_start - VIRTIO_LOOPBACK_OPEN_PLAY
 * @size: bytes of the log, its file header included
 * @end_icount: the icount of its last record: seeks beyond are refused
 * @filename: what query-replay names, NUL-terminated (may be empty)
 * @window: 0 plays every queue's requests in the log's order exactly.
 *	For submitters that race, a chain the driver queued may instead
 *	match any of the next @window requests its queue logged (up to
 *	VIRTIO_LOOPBACK_PLAY_MAX_WINDOW): it is taken as that request and
 *	counted as a soft divergence (debugfs), and replay goes on.
 * @flags: VIRTIO_LOOPBACK_PLAY_PER_QUEUE or zero
 * @reserved: zero
 */
struct virtio_loopback_play_start {
	__u64 size;
	__u64 end_icount;
	char filename[256];
	__u32 window;
	__u32 flags;
	__u64 reserved[3];
};

/*
 * Play a log, on a file that has no device: mode play begins and the
 * returned file descriptor takes the log, from its file header on.  One
 * player at a time, not while recording (EBUSY); CAP_SYS_ADMIN.
 *
 * The module checks each record as it arrives: write() takes bytes up to
 * the first bad record and fails with EBADMSG on it (its offset is then
 * lseek(fd, 0, SEEK_CUR)).  Writes block while the play buffer (the
 * module parameter log_size) is full.  Every write() appends at the
 * offset lseek(fd, 0, SEEK_CUR) reports, which is where the module wants
 * the log next: a backward seek moves it back to a snapshot point, and a
 * write() that was blocked across such a move fails with ESTALE.  poll()
 * reports EPOLLOUT while the module wants bytes, EPOLLHUP once play mode
 * has ended.  Closing the descriptor ends play mode: the devices it made
 * go away.
 */
#define VIRTIO_LOOPBACK_OPEN_PLAY \
	_IOW(VIRTIO_LOOPBACK_IOC_MAGIC, 0x11, struct virtio_loopback_play_start)

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

/*
 * The replay log
 * ==============
 *
 * A log is a file header followed by records.  Every integer is little
 * endian.  Every record starts with struct virtio_loopback_log_rec, whose
 * @len covers the whole record and is a multiple of
 * VIRTIO_LOOPBACK_LOG_ALIGN, so a reader steps over kinds it does not know.
 * Every record and the file header carry a CRC32C (Castagnoli, the
 * kernel's crc32c(): initial value ~0, final value inverted), computed
 * with the crc field zero, so a flipped byte anywhere is detected.
 * Reserved fields are zero.  Records are numbered by @seq from 0, when the
 * recording began, without gaps (records the module could not log take no
 * number: a LOSS record counts them); a stream opened after the ring
 * dropped its oldest records starts later.  @icount strictly increases.
 *
 * Requests are named by their queue and their per-queue sequence number,
 * never by descriptor head: heads are not stable between runs.
 */
#define VIRTIO_LOOPBACK_LOG_MAGIC	0x474c4c56	/* "VLLG" */
#define VIRTIO_LOOPBACK_LOG_VERSION	1
#define VIRTIO_LOOPBACK_LOG_ALIGN	8

/* Where the icount comes from. */
enum virtio_loopback_icount_source {
	VIRTIO_LOOPBACK_ICOUNT_NONE,	/* not recording or playing */
	VIRTIO_LOOPBACK_ICOUNT_VIRTUAL,	/* 1 per ns of monotonic time */
	VIRTIO_LOOPBACK_ICOUNT_PMU,	/* retired instructions, all CPUs */
};

/**
 * struct virtio_loopback_log_header - the start of a log file
 * @magic: VIRTIO_LOOPBACK_LOG_MAGIC
 * @version: VIRTIO_LOOPBACK_LOG_VERSION
 * @header_len: bytes of this header; the first record follows
 * @icount_source: enum virtio_loopback_icount_source
 * @crc: CRC32C of the header, with @crc zero
 * @created_ns: CLOCK_REALTIME when the recording began, in ns
 * @kernel_release: the recording kernel's release, NUL-padded
 * @reserved: zero
 */
struct virtio_loopback_log_header {
	__le32 magic;
	__le16 version;
	__le16 header_len;
	__le32 icount_source;
	__le32 crc;
	__le64 created_ns;
	char kernel_release[64];
	__le64 reserved[4];
};

enum virtio_loopback_log_kind {
	/* Snapshot points: a device as it is, enough to create it again. */
	VIRTIO_LOOPBACK_LOG_DEVICE = 1,		/* struct virtio_loopback_log_device */
	VIRTIO_LOOPBACK_LOG_RESET,		/* struct virtio_loopback_log_reset */

	/* What the driver did */
	VIRTIO_LOOPBACK_LOG_FEATURES,		/* struct virtio_loopback_log_features */
	VIRTIO_LOOPBACK_LOG_STATUS,		/* struct virtio_loopback_log_status */
	VIRTIO_LOOPBACK_LOG_CONFIG_WRITE,	/* struct virtio_loopback_log_config */
	VIRTIO_LOOPBACK_LOG_QUEUE,		/* struct virtio_loopback_log_queue */
	VIRTIO_LOOPBACK_LOG_REQUEST,		/* struct virtio_loopback_log_request */

	/* What the device did */
	VIRTIO_LOOPBACK_LOG_COMPLETION,		/* struct virtio_loopback_log_completion */
	VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE,	/* struct virtio_loopback_log_config */
	VIRTIO_LOOPBACK_LOG_INTERRUPT,		/* struct virtio_loopback_log_interrupt */
	VIRTIO_LOOPBACK_LOG_REMOVED,		/* no payload; see below */

	/* What the log itself lost */
	VIRTIO_LOOPBACK_LOG_LOSS,		/* struct virtio_loopback_log_loss */

	/* What the driver read of the config space, and at which generation */
	VIRTIO_LOOPBACK_LOG_CONFIG_READ,	/* struct virtio_loopback_log_config */
};

/*
 * REMOVED: the backend removed the device.  The records of it that follow
 * are its removal: the driver letting go (reset, queues deleted) and the
 * requests the transport failed for it.
 */

/* @queue of a record that concerns the whole device. */
#define VIRTIO_LOOPBACK_LOG_NO_QUEUE	0xffffffff

/**
 * struct virtio_loopback_log_rec - the header of every record
 * @kind: enum virtio_loopback_log_kind
 * @flags: VIRTIO_LOOPBACK_LOG_F_* of the kind, else zero
 * @len: bytes of the record, header included; a multiple of
 *	VIRTIO_LOOPBACK_LOG_ALIGN
 * @crc: CRC32C of the whole record (padding included), with @crc zero
 * @device: N of the device vlN
 * @seq: the record's number in the log, from 0
 * @icount: the instruction count when it happened
 * @time_ns: CLOCK_MONOTONIC when it happened, in ns
 * @queue: the virtqueue, or VIRTIO_LOOPBACK_LOG_NO_QUEUE
 * @reserved: zero
 */
struct virtio_loopback_log_rec {
	__le16 kind;
	__le16 flags;
	__le32 len;
	__le32 crc;
	__le32 device;
	__le64 seq;
	__le64 icount;
	__le64 time_ns;
	__le32 queue;
	__le32 reserved;
};

/* DEVICE: created (or as it stood when the recording began) */
struct virtio_loopback_log_device {
	struct virtio_loopback_log_rec rec;
	__le32 device_id;
	__le32 vendor_id;
	__le64 device_features;
	__le64 driver_features;
	__le32 num_queues;
	__le32 max_queue_size;
	__le32 status;
	__le32 config_size;
	__le32 config_generation;
	__le32 reserved[3];
	__le32 queue_size[];	/* num_queues entries, 0: not set up */
	/* then config_size bytes of config space, then padding */
};

/* RESET: the driver reset the device; requests of @epoch - 1 are void. */
struct virtio_loopback_log_reset {
	struct virtio_loopback_log_rec rec;
	__le32 epoch;
	__le32 reserved;
};

/* FEATURES: the driver accepted these. */
struct virtio_loopback_log_features {
	struct virtio_loopback_log_rec rec;
	__le64 driver_features;
};

/* STATUS: the driver set the status byte. */
struct virtio_loopback_log_status {
	struct virtio_loopback_log_rec rec;
	__le32 status;
	__le32 reserved;
};

/*
 * CONFIG_WRITE (driver), CONFIG_CHANGE (device) and CONFIG_READ (the
 * driver read them, the config generation being @generation): bytes at
 * @offset.
 */
struct virtio_loopback_log_config {
	struct virtio_loopback_log_rec rec;
	__le32 offset;
	__le32 size;
	__le32 generation;	/* after a CONFIG_CHANGE, at a CONFIG_READ; 0 for CONFIG_WRITE */
	__le32 reserved;
	__u8 data[];
};

/* QUEUE: the driver set up @rec.queue with @size entries; 0: deleted. */
struct virtio_loopback_log_queue {
	struct virtio_loopback_log_rec rec;
	__le32 size;
	__le32 reserved;
};

/* The transport completed the request itself at notify time (posted). */
#define VIRTIO_LOOPBACK_LOG_F_POSTED	(1U << 0)
/* The transport failed the request: no backend, or too many segments. */
#define VIRTIO_LOOPBACK_LOG_F_FAILED	(1U << 1)

/* One segment of a logged chain: struct virtio_loopback_seg, little endian. */
struct virtio_loopback_log_seg {
	__le32 len;
	__le32 flags;		/* VIRTIO_LOOPBACK_SEG_* */
};

/**
 * struct virtio_loopback_log_request - a chain the device took
 * @rec: header; @rec.flags may hold VIRTIO_LOOPBACK_LOG_F_POSTED, or
 *	VIRTIO_LOOPBACK_LOG_F_FAILED for a chain the transport failed without
 *	a backend seeing it
 * @req_seq: its number on its queue, from 0 after the queue's setup
 * @nsegs: entries of @segs; 0 (and no out-data) for a failed chain with
 *	more than VIRTIO_LOOPBACK_MAX_SEGS segments
 * @out_len: bytes of out-data, after @segs
 * @in_len: bytes the device may write
 * @reserved: zero
 * @segs: the chain's layout, readable segments first
 */
struct virtio_loopback_log_request {
	struct virtio_loopback_log_rec rec;
	__le64 req_seq;
	__le32 nsegs;
	__le32 out_len;
	__le32 in_len;
	__le32 reserved;
	struct virtio_loopback_log_seg segs[];
	/* then out_len bytes of out-data, then padding */
};

/**
 * struct virtio_loopback_log_completion - the device returned a chain
 * @rec: header; @rec.flags may hold VIRTIO_LOOPBACK_LOG_F_POSTED or
 *	VIRTIO_LOOPBACK_LOG_F_FAILED
 * @req_seq: the request's number on its queue
 * @used_len: the used length the driver saw
 * @data_offset: where @data starts in the chain's writable part: 0 for
 *	what a backend wrote; for a failed request, where the transport
 *	wrote the failure (virtio-blk: the status byte)
 * @data_len: bytes of @data
 * @reserved: zero
 * @data: the bytes the device wrote, then padding
 */
struct virtio_loopback_log_completion {
	struct virtio_loopback_log_rec rec;
	__le64 req_seq;
	__le32 used_len;
	__le32 data_offset;
	__le32 data_len;
	__le32 reserved;
	__u8 data[];
};

/* INTERRUPT: the driver's callback ran for @rec.queue. */
struct virtio_loopback_log_interrupt {
	struct virtio_loopback_log_rec rec;
	__le32 used_idx;	/* the used index it covered */
	__le32 reserved;
};

/* LOSS: records that could not be logged since the last LOSS; @rec.device 0. */
struct virtio_loopback_log_loss {
	struct virtio_loopback_log_rec rec;
	__le64 records;
	__le64 bytes;
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

/* Why replay stopped, in a STOPPED notification. */
enum virtio_loopback_stop_reason {
	VIRTIO_LOOPBACK_STOP_USER,		/* the stop command */
	VIRTIO_LOOPBACK_STOP_BREAK,		/* the breakpoint was reached */
	VIRTIO_LOOPBACK_STOP_SEEK,		/* a seek reached its target */
	VIRTIO_LOOPBACK_STOP_DIVERGENCE,	/* the driver did something else */
	VIRTIO_LOOPBACK_STOP_END,		/* the log has no more records */
	VIRTIO_LOOPBACK_STOP_LOG_ERROR,		/* the log cannot be played on */
};

/* Attributes describing the replay state (attribute-set "replay"). */
enum {
	VIRTIO_LOOPBACK_A_REPLAY_PAD = 1,
	VIRTIO_LOOPBACK_A_REPLAY_MODE,		/* u32, enum virtio_loopback_replay_mode */
	VIRTIO_LOOPBACK_A_REPLAY_ICOUNT,	/* u64, current instruction count */
	VIRTIO_LOOPBACK_A_REPLAY_ICOUNT_SOURCE,	/* u32, enum virtio_loopback_icount_source */
	VIRTIO_LOOPBACK_A_REPLAY_FILENAME,	/* string, the log file, as its writer named it */
	VIRTIO_LOOPBACK_A_REPLAY_RECORDS,	/* u64, records logged */
	VIRTIO_LOOPBACK_A_REPLAY_LOST,		/* u64, records lost */
	VIRTIO_LOOPBACK_A_REPLAY_LOG_FILL,	/* u32, bytes waiting in the ring */
	VIRTIO_LOOPBACK_A_REPLAY_LOG_SIZE,	/* u32, bytes of the ring */
	VIRTIO_LOOPBACK_A_REPLAY_BREAK,		/* u64, the breakpoint's icount */
	VIRTIO_LOOPBACK_A_REPLAY_PAUSED,	/* u8, 1 while the device side is frozen */
	VIRTIO_LOOPBACK_A_REPLAY_POSITION,	/* u64, records of the log played */
	VIRTIO_LOOPBACK_A_REPLAY_END_ICOUNT,	/* u64, icount of the log's last record */
	VIRTIO_LOOPBACK_A_REPLAY_REASON,	/* u32, enum virtio_loopback_stop_reason */
	VIRTIO_LOOPBACK_A_REPLAY_DEVICE,	/* u32, N of the log's device vlN */
	VIRTIO_LOOPBACK_A_REPLAY_QUEUE,		/* u32, virtqueue; 0xffffffff: none */
	VIRTIO_LOOPBACK_A_REPLAY_RECORD,	/* u64, seq of the log record */
	VIRTIO_LOOPBACK_A_REPLAY_FIELD,		/* string, what differs */
	VIRTIO_LOOPBACK_A_REPLAY_EXPECTED,	/* u64, its value in the log */
	VIRTIO_LOOPBACK_A_REPLAY_ACTUAL,	/* u64, its value now */
	VIRTIO_LOOPBACK_A_REPLAY_MESSAGE,	/* string, a sentence for people */

	__VIRTIO_LOOPBACK_A_REPLAY_MAX,
	VIRTIO_LOOPBACK_A_REPLAY_MAX = (__VIRTIO_LOOPBACK_A_REPLAY_MAX - 1)
};

/* Attributes describing one device (attribute-set "device"). */
enum {
	VIRTIO_LOOPBACK_A_DEVICE_PAD = 1,
	VIRTIO_LOOPBACK_A_DEVICE_INDEX,		/* u32, N of vlN */
	VIRTIO_LOOPBACK_A_DEVICE_DEVICE_ID,	/* u32, virtio device id */
	VIRTIO_LOOPBACK_A_DEVICE_VIRTIO_INDEX,	/* u32, M of virtioM, once registered */
	VIRTIO_LOOPBACK_A_DEVICE_STATUS,	/* u32, the status byte */
	VIRTIO_LOOPBACK_A_DEVICE_DEVICE_FEATURES, /* u64, offered */
	VIRTIO_LOOPBACK_A_DEVICE_DRIVER_FEATURES, /* u64, accepted */
	VIRTIO_LOOPBACK_A_DEVICE_NUM_QUEUES,	/* u32, virtqueues */
	VIRTIO_LOOPBACK_A_DEVICE_INFLIGHT,	/* u32, requests taken, not completed */
	VIRTIO_LOOPBACK_A_DEVICE_REQUESTS,	/* u64, requests taken */
	VIRTIO_LOOPBACK_A_DEVICE_COMPLETIONS,	/* u64, requests completed */
	VIRTIO_LOOPBACK_A_DEVICE_LOG_INDEX,	/* u32, the log's device it plays */

	__VIRTIO_LOOPBACK_A_DEVICE_MAX,
	VIRTIO_LOOPBACK_A_DEVICE_MAX = (__VIRTIO_LOOPBACK_A_DEVICE_MAX - 1)
};

enum {
	VIRTIO_LOOPBACK_CMD_REPLAY_GET = 1,	/* answer the replay state */
	VIRTIO_LOOPBACK_CMD_RECORD_START,	/* mode record; FILENAME optional */
	VIRTIO_LOOPBACK_CMD_RECORD_STOP,	/* mode none */
	VIRTIO_LOOPBACK_CMD_PLAY_STOP,		/* end play mode: mode none */
	VIRTIO_LOOPBACK_CMD_BREAK_SET,		/* BREAK: stop when replay gets there */
	VIRTIO_LOOPBACK_CMD_BREAK_DELETE,	/* forget the breakpoint */
	VIRTIO_LOOPBACK_CMD_SEEK,		/* ICOUNT: play to it, then stop */
	VIRTIO_LOOPBACK_CMD_STOP,		/* freeze the device side */
	VIRTIO_LOOPBACK_CMD_CONT,		/* thaw it */
	VIRTIO_LOOPBACK_CMD_DIVERGENCE_GET,	/* the last divergence */
	VIRTIO_LOOPBACK_CMD_DEVICE_GET,		/* dump: every device */
	VIRTIO_LOOPBACK_CMD_STOPPED_NTF,	/* event: the device side froze */
	VIRTIO_LOOPBACK_CMD_RESUMED_NTF,	/* event: it thawed */
	VIRTIO_LOOPBACK_CMD_DIVERGENCE_NTF,	/* event: the driver left the log */
	VIRTIO_LOOPBACK_CMD_LOSS_NTF,		/* event: records were lost */
	VIRTIO_LOOPBACK_CMD_DEVICE_ADDED_NTF,	/* event */
	VIRTIO_LOOPBACK_CMD_DEVICE_REMOVED_NTF,	/* event */

	__VIRTIO_LOOPBACK_CMD_MAX,
	VIRTIO_LOOPBACK_CMD_MAX = (__VIRTIO_LOOPBACK_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_VIRTIO_LOOPBACK_H */
