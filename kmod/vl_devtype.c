// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: what the transport knows of particular device types.
 *
 * Two things, each in one small table: how to fail a request so that its
 * driver understands, and which queues are posted.
 *
 * Failing a request.
 * When a backend dies, the transport completes every request it held.  A
 * used entry alone does not say "failed": virtio-blk, for one, reads the
 * status byte the device was to write and never pre-sets it, and it has no
 * timeout to fall back on.  So each device type that carries a status in
 * its in-data gets a rule here that writes a failure into it.  A device
 * type without a rule gets a used length of 0: for rng and console that
 * means "no data", which is true.
 *
 * Never complete a request as a success it was not: a rule must write the
 * failure into the request itself.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "vl_internal.h"

/* The bytes a rule reads of the out-data, at most. */
#define VL_FAIL_PEEK 16

struct vl_fail_rule {
	u32 device_id;
	/* Write the failure; return the used length to report. */
	u32 (*fail)(const struct vl_seg *segs, unsigned int nsegs);
};

static u32 vl_in_len(const struct vl_seg *segs, unsigned int nsegs)
{
	u32 len = 0;
	unsigned int i;

	for (i = 0; i < nsegs; i++)
		if (segs[i].flags)
			len += segs[i].len;
	return len;
}

/* virtio-blk: the status is the last byte the device may write. */
static u32 vl_fail_blk(const struct vl_seg *segs, unsigned int nsegs)
{
	static const u8 status = VIRTIO_BLK_S_IOERR;
	int i;

	for (i = nsegs - 1; i >= 0; i--) {
		if (!segs[i].flags)
			break;
		if (segs[i].len)
			return vl_phys_write(segs[i].addr + segs[i].len - 1,
					     &status, 1) ? 0 :
			       vl_in_len(segs, nsegs);
	}
	return 0;
}

/*
 * virtio-fs: the in-data starts with struct fuse_out_header {len, error,
 * unique}; the unique comes from the fuse_in_header {len, opcode, unique}
 * that starts the out-data.
 */
static u32 vl_fail_fs(const struct vl_seg *segs, unsigned int nsegs)
{
	struct {
		__le32 len;
		__le32 error;
		__le64 unique;
	} out = { .len = cpu_to_le32(sizeof(out)), .error = cpu_to_le32(-EIO) };
	u8 in_hdr[VL_FAIL_PEEK];
	unsigned int i;

	if (!nsegs || segs[0].flags || segs[0].len < sizeof(in_hdr) ||
	    vl_phys_read(in_hdr, segs[0].addr, sizeof(in_hdr)))
		return 0;
	memcpy(&out.unique, in_hdr + 8, sizeof(out.unique));

	for (i = 0; i < nsegs; i++) {
		if (!segs[i].flags)
			continue;
		if (segs[i].len < sizeof(out) ||
		    vl_phys_write(segs[i].addr, &out, sizeof(out)))
			return 0;
		return sizeof(out);
	}
	return 0;
}

static const struct vl_fail_rule vl_fail_rules[] = {
	{ VIRTIO_ID_BLOCK, vl_fail_blk },
	{ VIRTIO_ID_FS, vl_fail_fs },
};

u32 vl_fail_request(u32 device_id, const struct vl_seg *segs,
		    unsigned int nsegs)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vl_fail_rules); i++)
		if (vl_fail_rules[i].device_id == device_id)
			return vl_fail_rules[i].fail(segs, nsegs);
	return 0;
}

/*
 * Posted queues.  virtio-console sends on its transmit queues (the odd
 * ones: port 0, the control queue, ports 1 and up) and then spins, with
 * interrupts off, until the device returns the buffer; a second writer
 * spins on the port's lock the same way.  On a board with few CPUs that
 * leaves none for the backend, and the system stops.  A real device answers
 * within the notification; so does the transport for these queues: it
 * copies the out-data and returns the buffer at once, and the backend
 * reads the data later as a posted request.
 */
struct vl_posted_rule {
	u32 device_id;
	bool (*posted)(unsigned int queue);
};

static bool vl_console_queue_posted(unsigned int queue)
{
	return queue % 2 == 1;
}

static const struct vl_posted_rule vl_posted_rules[] = {
	{ VIRTIO_ID_CONSOLE, vl_console_queue_posted },
};

bool vl_queue_is_posted(u32 device_id, unsigned int queue)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vl_posted_rules); i++)
		if (vl_posted_rules[i].device_id == device_id)
			return vl_posted_rules[i].posted(queue);
	return false;
}
