// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk backed by a file or a block device.
 *
 * A request's out-data starts with struct virtio_blk_outhdr (type, ioprio,
 * sector; little-endian); a write's data follows it.  Its in-data is
 * [data...][status byte]: a read's data, or nothing, then the status.  The
 * completion always carries all in_len bytes, so the status byte lands in
 * the last writable byte, where the driver looks for it.
 *
 * Every request is completed, whatever its shape: a driver has no timeout
 * (virtio_blk waits forever), so a request left unanswered hangs it.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
#define VL_BLK_HDR_SIZE		((uint32_t)sizeof(struct virtio_blk_outhdr))

_Static_assert(VL_BLK_SEG_MAX * VL_BLK_SIZE_MAX + 4096 <=
	       VL_CHANNEL_READ_BUF_SIZE, "largest request must fit a read()");

/* What the device did, for --stats: tests check that flushes arrive. */
struct vl_blk_stats {
	uint64_t reads, writes, flushes, fdatasyncs, get_ids;
	uint64_t unsupported, malformed, io_errors;
	uint64_t bytes_read, bytes_written;
};

struct vl_blk {
	int fd;
	bool readonly;
	uint64_t capacity;		/* in bytes, whole sectors */
	char id[VIRTIO_BLK_ID_BYTES];	/* NUL-padded, not NUL-terminated */
	unsigned int errors;		/* I/O errors reported so far */
	unsigned int malformed_shown;
	struct vl_blk_stats stats;
};

/* Errors are reported, but a failing disk must not flood the terminal. */
static void vl_blk_io_error(struct vl_blk *blk, const char *what,
			    uint64_t sector, int err)
{
	blk->stats.io_errors++;
	if (++blk->errors > VL_BLK_MAX_ERRORS_SHOWN)
		return;
	vl_err("%s at sector %llu failed: %s%s", what,
	       (unsigned long long)sector, strerror(-err),
	       blk->errors == VL_BLK_MAX_ERRORS_SHOWN ?
	       " (further I/O errors are not shown)" : "");
}

/* A driver that breaks the protocol is worth a word, not a flood. */
static void vl_blk_malformed(struct vl_blk *blk, const struct vl_request *req,
			     uint32_t type, const char *why)
{
	blk->stats.malformed++;
	if (++blk->malformed_shown > VL_BLK_MAX_ERRORS_SHOWN)
		return;
	vl_warn("malformed request %#llx on queue %u (type %u, %u bytes out, %u in): %s%s",
		(unsigned long long)req->id, req->queue, type, req->out_len,
		req->in_len, why,
		blk->malformed_shown == VL_BLK_MAX_ERRORS_SHOWN ?
		" (further ones are not shown)" : "");
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

/* Within the disk, without overflowing on the way. */
static bool vl_blk_in_range(const struct vl_blk *blk, uint64_t sector,
			    uint64_t len)
{
	if (sector > blk->capacity / VL_BLK_SECTOR)
		return false;
	return len <= blk->capacity - sector * VL_BLK_SECTOR;
}

/*
 * The shape each request type must have (virtio spec, "Device Operation"
 * of the block device): a header, then a write's data, in whole sectors;
 * the writable part is a read's data (whole sectors) or the id, then one
 * status byte.  Returns why @req does not fit @type, or NULL when it does.
 * The caller has checked that the header and the status byte are there.
 */
static const char *vl_blk_layout_error(uint32_t type,
				       const struct vl_request *req)
{
	uint32_t out_data = req->out_len - VL_BLK_HDR_SIZE;
	uint32_t in_data = req->in_len - 1;

	switch (type) {
	case VIRTIO_BLK_T_IN:
		if (out_data)
			return "a read carries data to the device";
		if (in_data % VL_BLK_SECTOR)
			return "read length is not whole sectors";
		return NULL;
	case VIRTIO_BLK_T_OUT:
		if (in_data)
			return "a write has writable bytes besides its status";
		if (out_data % VL_BLK_SECTOR)
			return "write length is not whole sectors";
		return NULL;
	case VIRTIO_BLK_T_FLUSH:
		if (out_data || in_data)
			return "a flush carries data";
		return NULL;
	case VIRTIO_BLK_T_GET_ID:
		if (out_data)
			return "GET_ID carries data to the device";
		if (!in_data)
			return "GET_ID has no room for the id";
		return NULL;
	default:
		/* Unknown types are answered UNSUPP, whatever their shape. */
		return NULL;
	}
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

	blk->stats.reads++;
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
	} else {
		blk->stats.bytes_read += len;
	}
	data[len] = status;
	vl_complete_end(loop, req->in_len);
}

/* T_OUT: the data follows the header in the out-data. */
static uint8_t vl_blk_write(struct vl_blk *blk, const struct vl_request *req,
			    uint64_t sector)
{
	uint32_t len = req->out_len - VL_BLK_HDR_SIZE;
	int err;

	blk->stats.writes++;
	if (blk->readonly || !vl_blk_in_range(blk, sector, len))
		return VIRTIO_BLK_S_IOERR;
	err = vl_blk_pwrite(blk->fd, req->out + VL_BLK_HDR_SIZE, len,
			    sector * VL_BLK_SECTOR);
	if (err) {
		vl_blk_io_error(blk, "write", sector, err);
		return VIRTIO_BLK_S_IOERR;
	}
	blk->stats.bytes_written += len;
	return VIRTIO_BLK_S_OK;
}

static uint8_t vl_blk_flush(struct vl_blk *blk)
{
	blk->stats.flushes++;
	if (blk->readonly)
		return VIRTIO_BLK_S_OK;
	blk->stats.fdatasyncs++;
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

	blk->stats.get_ids++;
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
	const char *why;
	uint64_t sector;
	uint32_t type;

	if (req->posted) {
		/* No blk queue is posted: the transport already answered. */
		vl_blk_malformed(blk, req, 0, "posted request on a blk queue");
		return;
	}
	if (req->out_len < sizeof(hdr) || req->in_len < 1) {
		vl_blk_malformed(blk, req, 0, req->in_len < 1 ?
				 "no writable status byte" :
				 "request header too short");
		vl_blk_complete_status(loop, req, VIRTIO_BLK_S_IOERR);
		return;
	}
	memcpy(&hdr, req->out, sizeof(hdr));
	type = le32toh(hdr.type);
	sector = le64toh(hdr.sector);
	why = vl_blk_layout_error(type, req);
	if (why) {
		vl_blk_malformed(blk, req, type, why);
		vl_blk_complete_status(loop, req, VIRTIO_BLK_S_IOERR);
		return;
	}

	switch (type) {
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
		blk->stats.unsupported++;
		vl_blk_complete_status(loop, req, VIRTIO_BLK_S_UNSUPP);
		break;
	}
}

static void vl_blk_stats(struct vl_device *dev, FILE *f)
{
	const struct vl_blk_stats *st = &((struct vl_blk *)dev->priv)->stats;

	fprintf(f, "read %llu\nwrite %llu\nflush %llu\nfdatasync %llu\n"
		"get_id %llu\nunsupported %llu\nmalformed %llu\n"
		"io_errors %llu\nbytes_read %llu\nbytes_written %llu\n",
		(unsigned long long)st->reads, (unsigned long long)st->writes,
		(unsigned long long)st->flushes,
		(unsigned long long)st->fdatasyncs,
		(unsigned long long)st->get_ids,
		(unsigned long long)st->unsupported,
		(unsigned long long)st->malformed,
		(unsigned long long)st->io_errors,
		(unsigned long long)st->bytes_read,
		(unsigned long long)st->bytes_written);
}

static void vl_blk_destroy(struct vl_device *dev)
{
	struct vl_blk *blk = dev->priv;

	/* Closing the file drops its lock. */
	close(blk->fd);
	free(blk);
	dev->priv = NULL;
}

static const struct vl_device_ops vl_blk_ops = {
	.request = vl_blk_request,
	.stats = vl_blk_stats,
	.destroy = vl_blk_destroy,
};

/* The size of a regular file or of a block device, in bytes. */
static int vl_blk_size(int fd, const char *file, uint64_t *size)
{
	struct stat st;
	int err;

	if (fstat(fd, &st)) {
		err = -errno;
		vl_err("cannot stat %s: %s", file, strerror(-err));
		return err;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size)) {
			err = -errno;
			vl_err("cannot get the size of %s: %s", file,
			       strerror(-err));
			return err;
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

/*
 * Two backends writing one image corrupt it, and a reader beside a writer
 * sees torn data: writers take the lock alone, read-only backends share it.
 */
static int vl_blk_lock(int fd, const char *file, bool readonly)
{
	int err;

	if (!flock(fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB))
		return 0;
	err = -errno;
	if (err == -EWOULDBLOCK) {
		vl_err("%s is in use: another process holds a lock on it (another vl-backend serving it?)",
		       file);
		return -EBUSY;
	}
	vl_err("cannot lock %s: %s", file, strerror(-err));
	return err;
}

/* The id the guest sees in /sys/block/vdX/serial. */
static void vl_blk_set_id(struct vl_blk *blk, const char *serial)
{
	char def[VIRTIO_BLK_ID_BYTES];
	struct stat st;

	if (!serial) {
		/* Stable for one image, different for two. */
		if (fstat(blk->fd, &st))
			st.st_ino = 0;
		snprintf(def, sizeof(def), "vl-blk-%llx",
			 (unsigned long long)st.st_ino);
		serial = def;
	}
	memset(blk->id, 0, sizeof(blk->id));
	memcpy(blk->id, serial, strnlen(serial, sizeof(blk->id)));
}

static int vl_blk_open(struct vl_blk *blk, const struct vl_blk_options *opts)
{
	uint64_t size;
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
	err = vl_blk_lock(blk->fd, opts->file, opts->readonly);
	if (err)
		return err;
	err = vl_blk_size(blk->fd, opts->file, &size);
	if (err)
		return err;
	if (size < VL_BLK_SECTOR) {
		/* A disk of no sectors: the driver would see nothing to use. */
		vl_err("%s is %s: a disk needs at least one %u-byte sector",
		       opts->file, size ? "smaller than one sector" :
		       "empty (0 bytes)", VL_BLK_SECTOR);
		return -EINVAL;
	}
	blk->capacity = size / VL_BLK_SECTOR * VL_BLK_SECTOR;
	if (size % VL_BLK_SECTOR)
		vl_warn("%s: the last %llu bytes are not a whole sector and are not served",
			opts->file, (unsigned long long)(size % VL_BLK_SECTOR));
	vl_blk_set_id(blk, opts->serial);
	return 0;
}

static void vl_blk_describe(struct vl_device *dev, const struct vl_blk *blk,
			    const struct vl_blk_options *opts)
{
	struct virtio_blk_config cfg;
	uint64_t features;

	/* FLUSH: the guest then sees a write-back cache and sends flushes. */
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

bool vl_blk_serial_ok(const char *serial)
{
	size_t i, len = strlen(serial);

	if (!len || len > VIRTIO_BLK_ID_BYTES)
		return false;
	for (i = 0; i < len; i++)
		if (serial[i] < 0x20 || serial[i] > 0x7e)
			return false;
	return true;
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
