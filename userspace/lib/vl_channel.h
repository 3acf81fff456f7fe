/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend channel, /dev/virtio-loopback, seen from userspace: opening
 * it and creating the file's device, a parser that turns a read() buffer
 * into checked message views, and a batch builder that gathers completions
 * and config changes for one write().
 *
 * The message formats themselves live in <linux/virtio_loopback.h>; nothing
 * here redefines them.  Every function returns 0 (or a count) on success and
 * a negative errno on failure, the kernel's own code where the kernel
 * refused.
 */
#ifndef VL_CHANNEL_H
#define VL_CHANNEL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/virtio_loopback.h>

#define VL_CHANNEL_PATH			"/dev/" VIRTIO_LOOPBACK_DEVICE_NAME

/*
 * read() fails with ENOSPC when the first message does not fit, so the read
 * buffer must hold the largest request a device can receive: a request's
 * out-data is bounded by what the device advertises (virtio-blk: seg_max
 * times size_max), plus the segment table.
 */
#define VL_CHANNEL_READ_BUF_SIZE	(4u << 20)
#define VL_CHANNEL_BATCH_SIZE		(4u << 20)

static inline size_t vl_msg_align(size_t len)
{
	return (len + VIRTIO_LOOPBACK_MSG_ALIGN - 1) &
	       ~(size_t)(VIRTIO_LOOPBACK_MSG_ALIGN - 1);
}

/* ---- Opening the channel and creating its device ---------------------- */

/*
 * Open @path (NULL: VL_CHANNEL_PATH) and check the kernel's API version.
 * Returns the file descriptor, or -errno; -EPROTO when the version differs
 * (*kernel_version then says which one the kernel speaks).
 */
int vl_channel_open(const char *path, uint64_t *kernel_version);

/* A sentence explaining an error of vl_channel_open(), for humans. */
const char *vl_channel_open_hint(int err);

/* What VIRTIO_LOOPBACK_CREATE_DEVICE needs, apart from the config bytes. */
struct vl_device_desc {
	uint32_t device_id;
	uint32_t vendor_id;
	uint64_t features;
	uint32_t num_queues;
	uint32_t max_queue_size;
};

/*
 * Create the file's device with @config_size bytes of initial config space.
 * Returns the device's index N (vlN) or -errno.
 */
int vl_channel_create_device(int fd, const struct vl_device_desc *desc,
			     const void *config, size_t config_size);

int vl_channel_get_info(int fd, struct virtio_loopback_device_info *info);

/* ---- Parsing what read() returned ------------------------------------- */

/* A request's segment layout and out-data, pointing into the read buffer. */
struct vl_request {
	uint64_t id;
	uint32_t queue;
	uint32_t nsegs;
	uint32_t out_len;
	uint32_t in_len;
	bool posted;			/* already returned: never complete it */
	const struct virtio_loopback_seg *segs;
	const uint8_t *out;		/* @out_len bytes */
};

/*
 * One checked message.  The scalar fields are copied out of the buffer; the
 * pointers point into it and stay valid as long as the buffer does.
 */
struct vl_msg {
	uint16_t type;			/* enum virtio_loopback_msg_type */
	uint32_t len;			/* the whole message, header included */
	size_t offset;			/* where it starts in the buffer */
	union {
		struct {
			uint32_t epoch;
		} reset;
		struct {
			uint64_t driver_features;
		} features;
		struct {
			uint32_t queue;
			uint32_t size;
		} queue;
		/* MSG_CONFIG and MSG_CONFIG_CHANGE */
		struct {
			uint32_t offset;
			uint32_t size;
			const uint8_t *data;
		} config;
		struct {
			uint32_t status;
		} status;
		struct vl_request request;
		struct {
			uint64_t id;
			uint32_t queue;
			uint32_t len;
			const uint8_t *data;
		} complete;
	};
};

/*
 * Walks a buffer message by message.  The buffer must be 8-byte aligned,
 * as a malloc()ed one is.
 */
struct vl_parser {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	char error[160];	/* why the last call failed */
};

void vl_parser_init(struct vl_parser *p, const void *buf, size_t len);

/*
 * Take the next message into @msg.  Returns 1 with a message, 0 at the end
 * of the buffer, or a negative errno with p->error set:
 *  -EBADMSG: the framing is broken (a header or its length is wrong); the
 *	parser cannot find the next message and stops there.
 *  -EINVAL: the framing is intact but the body contradicts itself; the
 *	message is skipped and the next call goes on after it.
 * A message of a type this parser does not know is returned as it is, with
 * only its header checked: newer kernels may add types.
 */
int vl_parser_next(struct vl_parser *p, struct vl_msg *msg);

/* "REQUEST", "COMPLETE", ...; "type 77" style for unknown types. */
const char *vl_msg_type_name(uint16_t type);

/* ---- Building what write() takes -------------------------------------- */

typedef ssize_t (*vl_write_fn)(int fd, const void *buf, size_t len);

/*
 * Completions and config changes gathered for one write().  The buffer is
 * allocated once; appending never allocates except when a single message is
 * larger than the whole buffer, which then grows.
 */
struct vl_batch {
	uint8_t *buf;
	size_t cap;
	size_t len;		/* bytes of finished messages */
	unsigned int count;	/* finished messages */
	size_t open;		/* offset of the open completion, or SIZE_MAX */
	uint32_t open_max;	/* the most in-data the open one may take */
	vl_write_fn write;	/* write(2); tests put a fake here */
};

int vl_batch_init(struct vl_batch *b, size_t cap);
void vl_batch_free(struct vl_batch *b);
void vl_batch_clear(struct vl_batch *b);

/* Bytes a completion with @data_len bytes of in-data takes in a batch. */
size_t vl_complete_msg_size(uint32_t data_len);

/*
 * Open a completion of request @id on @queue with room for @max_len bytes
 * of in-data, and return where the in-data goes, so a device can produce
 * it in place (a pread() straight into the batch).  NULL when the batch has
 * no room left (flush it and try again) or no memory.  Opening another
 * message first abandons this one.
 */
void *vl_batch_complete_begin(struct vl_batch *b, uint64_t id, uint32_t queue,
			      uint32_t max_len);

/* Finish the open completion with @len (<= max_len) bytes of in-data. */
void vl_batch_complete_end(struct vl_batch *b, uint32_t len);

/* Append a whole completion: begin, copy, end.  0 or -ENOSPC/-ENOMEM. */
int vl_batch_add_complete(struct vl_batch *b, uint64_t id, uint32_t queue,
			  const void *data, uint32_t len);

/* Append a config change of @size bytes at @offset.  0 or -errno. */
int vl_batch_add_config_change(struct vl_batch *b, uint32_t offset,
			       const void *data, uint32_t size);

/* The kernel refused @msg with @err (a negative errno). */
typedef void (*vl_reject_fn)(const struct vl_msg *msg, int err, void *arg);

/*
 * Write the batch to @fd, as few write() calls as the kernel allows, and
 * empty it.  The kernel takes messages up to the first bad one and returns
 * their bytes; when the first message is bad, write() fails with its error:
 * that message is handed to @reject (with its type, id, ...), dropped, and
 * the rest is written.  Returns the number of messages refused, or a
 * negative errno when the channel itself failed (the rest is dropped).
 */
int vl_batch_flush(struct vl_batch *b, int fd, vl_reject_fn reject, void *arg);

#endif /* VL_CHANNEL_H */
