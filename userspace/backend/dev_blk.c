// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk backed by a file or a block device.
 *
 * A request's out-data starts with struct virtio_blk_outhdr (type, ioprio,
 * sector; little-endian); a write's data follows it.  Its in-data is
 * [data...][status byte]: a read's data, or nothing, then the status.  The
 * completion always carries all in_len bytes, so the status byte lands in
 * the last writable byte, where the driver looks for it.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "backend.h"

#define VL_BLK_SECTOR		512u
#define VL_BLK_QUEUE_SIZE	256
/*
 * seg_max * size_max bounds a request's data, so that the largest request
 * (plus its header, status and segment table) fits in one read() buffer
 * and its completion in one batch.
 */
#define VL_BLK_SEG_MAX		126u
#define VL_BLK_SIZE_MAX		(32u << 10)
#define VL_BLK_MAX_ERRORS_SHOWN	10

_Static_assert(VL_BLK_SEG_MAX * VL_BLK_SIZE_MAX + 4096 <=
	       VL_CHANNEL_READ_BUF_SIZE, "largest request must fit a read()");

struct vl_blk {
	int fd;
	bool readonly;
	uint64_t capacity;		/* in bytes, whole sectors */
	char id[VIRTIO_BLK_ID_BYTES];
	unsigned int errors;
};

/* Errors are reported, but a failing disk must not flood the terminal. */
static void vl_blk_io_error(struct vl_blk *blk, const char *what,
			    uint64_t sector, int err)
{
	if (++blk->errors > VL_BLK_MAX_ERRORS_SHOWN)
		return;
	vl_err("%s at sector %llu failed: %s%s", what,
	       (unsigned long long)sector, strerror(-err),
	       blk->errors == VL_BLK_MAX_ERRORS_SHOWN ?
	       " (further I/O errors are not shown)" : "");
}

/* Reading past the end of a file that shrank yields zeros. */
static int vl_blk_pread(int fd, uint8_t *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) {
			memset(buf, 0, len);
			return 0;
		}
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int vl_blk_pwrite(int fd, const uint8_t *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len) {
		n = pwrite(fd, buf, len, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Whole sectors, within the disk, without overflowing on the way. */
static bool vl_blk_in_range(const struct vl_blk *blk, uint64_t sector,
			    uint64_t len)
{
	if (len % VL_BLK_SECTOR)
		return false;
	if (sector > blk->capacity / VL_BLK_SECTOR)
		return false;
	return len <= blk->capacity - sector * VL_BLK_SECTOR;
}

/* Complete with no data: zeros, then @status in the last in-data byte. */
static void vl_blk_complete_status(struct vl_loop *loop,
				   const struct vl_request *req,
				   uint8_t status)
{
	uint8_t *data;

	if (!req->in_len) {
		/* Nowhere to put a status: the driver broke the protocol. */
		vl_complete(loop, req->id, req->queue, NULL, 0);
		return;
	}
	data = vl_complete_begin(loop, req->id, req->queue, req->in_len);
	if (!data)
		return;
	memset(data, 0, req->in_len - 1);
	data[req->in_len - 1] = status;
	vl_complete_end(loop, req->in_len);
}

/* T_IN: read straight into the completion, status byte after the data. */
static void vl_blk_read(struct vl_blk *blk, struct vl_loop *loop,
			const struct vl_request *req, uint64_t sector)
{
	uint32_t len = req->in_len - 1;
	uint8_t status = VIRTIO_BLK_S_OK;
	uint8_t *data;
	int err;

	if (!vl_blk_in_range(blk, sector, len)) {
		vl_blk_complete_status(loop, req, VIRTIO_BLK_S_IOERR);
		return;
	}
	data = vl_complete_begin(loop, req->id, req->queue, req->in_len);
	if (!data)
		return;
	err = vl_blk_pread(blk->fd, data, len, sector * VL_BLK_SECTOR);
	if (err) {
		vl_blk_io_error(blk, "read", sector, err);
		memset(data, 0, len);
		status = VIRTIO_BLK_S_IOERR;
	}
	data[len] = status;
	vl_complete_end(loop, req->in_len);
}

/* T_OUT: the data follows the header in the out-data. */
static uint8_t vl_blk_write(struct vl_blk *blk, const struct vl_request *req,
			    uint64_t sector)
{
	const struct virtio_blk_outhdr *hdr = (const void *)req->out;
	uint32_t len = req->out_len - sizeof(*hdr);
	int err;

	if (blk->readonly || !vl_blk_in_range(blk, sector, len))
		return VIRTIO_BLK_S_IOERR;
	err = vl_blk_pwrite(blk->fd, req->out + sizeof(*hdr), len,
			    sector * VL_BLK_SECTOR);
	if (err) {
		vl_blk_io_error(blk, "write", sector, err);
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t vl_blk_flush(struct vl_blk *blk)
{
	if (blk->readonly)
		return VIRTIO_BLK_S_OK;
	if (fdatasync(blk->fd)) {
		vl_blk_io_error(blk, "flush", 0, -errno);
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

/* T_GET_ID: up to 20 bytes, NUL-padded, then the status. */
static void vl_blk_get_id(struct vl_blk *blk, struct vl_loop *loop,
			  const struct vl_request *req)
{
	uint32_t len = req->in_len - 1;
	uint8_t *data;

	data = vl_complete_begin(loop, req->id, req->queue, req->in_len);
	if (!data)
		return;
	memset(data, 0, len);
	memcpy(data, blk->id, len < sizeof(blk->id) ? len : sizeof(blk->id));
	data[len] = VIRTIO_BLK_S_OK;
	vl_complete_end(loop, req->in_len);
}

static void vl_blk_request(struct vl_device *dev, struct vl_loop *loop,
			   const struct vl_request *req)
{
	struct vl_blk *blk = dev->priv;
	struct virtio_blk_outhdr hdr;
	uint64_t sector;

	if (req->out_len < sizeof(hdr) || req->in_len < 1) {
		vl_blk_complete_status(loop, req, VIRTIO_BLK_S_IOERR);
		return;
	}
	memcpy(&hdr, req->out, sizeof(hdr));
	sector = le64toh(hdr.sector);

	switch (le32toh(hdr.type)) {
	case VIRTIO_BLK_T_IN:
		vl_blk_read(blk, loop, req, sector);
		break;
	case VIRTIO_BLK_T_OUT:
		vl_blk_complete_status(loop, req,
				       vl_blk_write(blk, req, sector));
		break;
	case VIRTIO_BLK_T_FLUSH:
		vl_blk_complete_status(loop, req, vl_blk_flush(blk));
		break;
	case VIRTIO_BLK_T_GET_ID:
		vl_blk_get_id(blk, loop, req);
		break;
	default:
		vl_blk_complete_status(loop, req, VIRTIO_BLK_S_UNSUPP);
		break;
	}
}

static void vl_blk_destroy(struct vl_device *dev)
{
	struct vl_blk *blk = dev->priv;

	close(blk->fd);
	free(blk);
	dev->priv = NULL;
}

static const struct vl_device_ops vl_blk_ops = {
	.request = vl_blk_request,
	.destroy = vl_blk_destroy,
};

/* The size of a regular file or of a block device, in bytes. */
static int vl_blk_size(int fd, const char *file, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st)) {
		vl_err("cannot stat %s: %s", file, strerror(errno));
		return -errno;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size)) {
			vl_err("cannot get the size of %s: %s", file,
			       strerror(errno));
			return -errno;
		}
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		vl_err("%s is neither a regular file nor a block device",
		       file);
		return -EINVAL;
	}
	*size = st.st_size;
	return 0;
}

static int vl_blk_open(struct vl_blk *blk, const struct vl_blk_options *opts)
{
	uint64_t size;
	struct stat st;
	int err;

	blk->fd = open(opts->file, (opts->readonly ? O_RDONLY : O_RDWR) |
			O_CLOEXEC);
	if (blk->fd < 0) {
		err = -errno;
		vl_err("cannot open %s %s: %s", opts->file,
		       opts->readonly ? "for reading" : "for reading and writing",
		       strerror(-err));
		if (err == -EACCES || err == -EROFS)
			vl_err("(use --readonly to serve it read-only)");
		return err;
	}
	err = vl_blk_size(blk->fd, opts->file, &size);
	if (err)
		return err;
	blk->capacity = size / VL_BLK_SECTOR * VL_BLK_SECTOR;
	if (size % VL_BLK_SECTOR)
		vl_warn("%s: the last %llu bytes are not a whole sector and are not served",
			opts->file, (unsigned long long)(size % VL_BLK_SECTOR));
	/* A serial the guest can see in /sys/block/vdX/serial. */
	fstat(blk->fd, &st);
	snprintf(blk->id, sizeof(blk->id), "vl-blk-%llx",
		 (unsigned long long)st.st_ino);
	return 0;
}

static void vl_blk_describe(struct vl_device *dev, const struct vl_blk *blk,
			    const struct vl_blk_options *opts)
{
	struct virtio_blk_config cfg;
	uint64_t features;

	features = VL_TRANSPORT_FEATURES |
		   1ULL << VIRTIO_BLK_F_SIZE_MAX |
		   1ULL << VIRTIO_BLK_F_SEG_MAX |
		   1ULL << VIRTIO_BLK_F_BLK_SIZE |
		   1ULL << VIRTIO_BLK_F_FLUSH;
	if (opts->readonly)
		features |= 1ULL << VIRTIO_BLK_F_RO;
	if (opts->queues > 1)
		features |= 1ULL << VIRTIO_BLK_F_MQ;

	memset(&cfg, 0, sizeof(cfg));
	cfg.capacity = htole64(blk->capacity / VL_BLK_SECTOR);
	cfg.size_max = htole32(VL_BLK_SIZE_MAX);
	cfg.seg_max = htole32(VL_BLK_SEG_MAX);
	cfg.blk_size = htole32(VL_BLK_SECTOR);
	cfg.num_queues = htole16(opts->queues);

	dev->name = "blk";
	dev->ops = &vl_blk_ops;
	dev->desc = (struct vl_device_desc){
		.device_id = VIRTIO_ID_BLOCK,
		.features = features,
		.num_queues = opts->queues,
		.max_queue_size = VL_BLK_QUEUE_SIZE,
	};
	memcpy(dev->config, &cfg, sizeof(cfg));
	dev->config_size = sizeof(cfg);
}

int vl_blk_init(struct vl_device *dev, const struct vl_blk_options *opts)
{
	struct vl_blk *blk;
	int err;

	blk = calloc(1, sizeof(*blk));
	if (!blk)
		return -ENOMEM;
	blk->readonly = opts->readonly;
	err = vl_blk_open(blk, opts);
	if (err) {
		if (blk->fd >= 0)
			close(blk->fd);
		free(blk);
		return err;
	}
	vl_blk_describe(dev, blk, opts);
	dev->priv = blk;
	return 0;
}
