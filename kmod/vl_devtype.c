// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: what the transport knows of particular device types.
 *
 * Three things, each in one small table: which types may be created, how
 * to fail a request of each so that its driver understands, and which
 * queues are posted.
 *
 * Failing a request.
 * When a backend dies, the transport completes every request it held, and
 * a request it cannot deliver (too many segments) is failed at once.  A
 * used entry alone does not say "failed": virtio-blk, for one, reads the
 * status byte the device was to write and never pre-sets it, and it has no
 * timeout to fall back on.  So every type the transport serves has a rule
 * here, and a type without one cannot be created: completing its requests
 * with nothing written might read as success (virtio-scsi would).
 *
 * Never complete a request as a success it was not: a rule writes the
 * failure into the request itself, or returns nothing where "no data" is
 * the truth.
 */
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "vl_internal.h"

struct vl_fail_rule {
	u32 device_id;
	const char *name;
	/*
	 * Write the failure, note what was written for the log; return the
	 * used length to report.
	 */
	u32 (*fail)(const struct vl_chain_ends *ends, struct vl_fail_note *note);
};

/* rng, console: a used length of 0 is "no data", which is true. */
static u32 vl_fail_no_data(const struct vl_chain_ends *ends,
			   struct vl_fail_note *note)
{
	return 0;
}

/* virtio-blk: the status is the last byte the device may write. */
static u32 vl_fail_blk(const struct vl_chain_ends *ends,
		       struct vl_fail_note *note)
{
	static const u8 status = VIRTIO_BLK_S_IOERR;
	const struct vl_seg *last = &ends->last_in;

	if (!last->len ||
	    vl_phys_write(last->addr + last->len - 1, &status, 1))
		return 0;
	note->offset = ends->in_len - 1;
	note->len = 1;
	note->data[0] = status;
	return ends->in_len;
}

/*
 * virtio-fs: the in-data starts with struct fuse_out_header {len, error,
 * unique}; the unique comes from the fuse_in_header {len, opcode, unique}
 * that starts the out-data.
 */
static u32 vl_fail_fs(const struct vl_chain_ends *ends,
		      struct vl_fail_note *note)
{
	struct {
		__le32 len;
		__le32 error;
		__le64 unique;
	} out = { .len = cpu_to_le32(sizeof(out)), .error = cpu_to_le32(-EIO) };
	u8 in_hdr[16];

	if (ends->first_out.len < sizeof(in_hdr) ||
	    vl_phys_read(in_hdr, ends->first_out.addr, sizeof(in_hdr)))
		return 0;
	memcpy(&out.unique, in_hdr + 8, sizeof(out.unique));
	if (ends->first_in.len < sizeof(out) ||
	    vl_phys_write(ends->first_in.addr, &out, sizeof(out)))
		return 0;
	BUILD_BUG_ON(sizeof(out) > sizeof(note->data));
	memcpy(note->data, &out, sizeof(out));
	note->len = sizeof(out);
	return sizeof(out);
}

static const struct vl_fail_rule vl_fail_rules[] = {
	{ VIRTIO_ID_BLOCK,	"block",	vl_fail_blk },
	{ VIRTIO_ID_CONSOLE,	"console",	vl_fail_no_data },
	{ VIRTIO_ID_RNG,	"rng",		vl_fail_no_data },
	{ VIRTIO_ID_FS,		"fs",		vl_fail_fs },
};

static const struct vl_fail_rule *vl_fail_rule(u32 device_id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vl_fail_rules); i++)
		if (vl_fail_rules[i].device_id == device_id)
			return &vl_fail_rules[i];
	return NULL;
}

u32 vl_fail_request(u32 device_id, const struct vl_chain_ends *ends,
		    struct vl_fail_note *note)
{
	const struct vl_fail_rule *rule = vl_fail_rule(device_id);

	return rule ? rule->fail(ends, note) : 0;
}

/*
 * The allow-list, as VDUSE has one: the device types a backend may create.
 * By default those the transport is tested with; the administrator may
 * add others that have a rule above (virtio-fs), never one without.
 */
static unsigned int allowed_types[ARRAY_SIZE(vl_fail_rules)] = {
	VIRTIO_ID_BLOCK, VIRTIO_ID_CONSOLE, VIRTIO_ID_RNG,
};

static unsigned int n_allowed_types = 3;
module_param_array(allowed_types, uint, &n_allowed_types, 0444);
MODULE_PARM_DESC(allowed_types,
		 "virtio device ids a backend may create (default 2,3,4: block, console, rng; 26, fs, may be added)");

bool vl_devtype_allowed(u32 device_id)
{
	unsigned int i;

	if (!vl_fail_rule(device_id))
		return false;
	for (i = 0; i < n_allowed_types; i++)
		if (allowed_types[i] == device_id)
			return true;
	return false;
}

void vl_devtype_show(struct seq_file *s)
{
	unsigned int i;

	seq_puts(s, "allowed_types:");
	for (i = 0; i < ARRAY_SIZE(vl_fail_rules); i++)
		if (vl_devtype_allowed(vl_fail_rules[i].device_id))
			seq_printf(s, " %u(%s)", vl_fail_rules[i].device_id,
				   vl_fail_rules[i].name);
	seq_putc(s, '\n');
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
