// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: play mode, and the controls of every mode.
 *
 * A player (vlctl replay, vl-qmpd) opens the play stream with
 * VIRTIO_LOOPBACK_OPEN_PLAY and writes a log into it.  Each record is
 * checked as it arrives (vl_logfmt.c), then applied in log order by the
 * play engine, a work item:
 *
 *  - what the device did (DEVICE, REMOVED, COMPLETION, CONFIG_CHANGE,
 *    INTERRUPT) is done: devices are made with no backend, completions
 *    write the logged in-data into the driver's buffers;
 *  - what the driver read (CONFIG_READ) is passed over: the config the log
 *    made answers the driver's reads, whenever they come;
 *  - what the driver did (RESET, FEATURES, STATUS, CONFIG_WRITE, QUEUE,
 *    REQUEST) is waited for, then compared: control actions come from the
 *    transport's hooks (vl_record.c) through a queue per device; requests
 *    are taken from the avail rings, named by queue and per-queue sequence
 *    number, and compared by their lengths and out-data (not by how they
 *    are cut into segments: that depends on where the driver's buffers
 *    lie; nor by a blk request's I/O priority: that is the submitter's
 *    nice value).  Posted chains are compared by a CRC32C of their out-data,
 *    since they are returned inside the notification.
 *
 * Submitters that race may queue one queue's requests in another order
 * than when recorded: with a window (VIRTIO_LOOPBACK_OPEN_PLAY), a chain
 * may match one of the next requests its queue logged; it is taken as
 * that one (completions name requests by their logged number), counted as
 * a soft divergence, and skipped when the cursor gets there.
 *
 * Multiqueue devices whose submitters race (one per CPU, each on its own
 * queue) interleave their queues differently from one run to the next.
 * In per-queue order (VIRTIO_LOOPBACK_PLAY_PER_QUEUE), while the record
 * at the cursor waits on one queue, the records after it of the other
 * queues go on, each queue in its own log order, up to the next record
 * that is not one queue's (a status, a reset, a device made or removed):
 * that one still waits for everything before it.  Those applied ahead
 * are kept in @ahead too, and skipped when the cursor gets there.
 *
 * The first mismatch is a divergence: replay stops there.  Stopping (the
 * stop command, a breakpoint, a seek's target, a divergence, the log's
 * end) freezes the device side: the engine applies nothing, and backend
 * devices in record or no mode get no requests and complete nothing.
 *
 * The icount in play mode is the icount of the last record applied, or
 * exactly the breakpoint or seek target when one stopped replay.  A
 * backward seek goes back to a snapshot point: a DEVICE record made while
 * no other device of the log lived, or the log's start.  The devices made
 * since are removed (their drivers let go), the stream moves back to the
 * snapshot's offset and the player writes from there again.
 *
 * Locking: vl_play.lock (a mutex) guards everything here and is held by
 * the engine while it works.  Drivers never take it: their actions go
 * through the device's actions_lock (a spinlock) and a kick of the work,
 * so a driver that waits inside a device's removal never waits on it.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>
#include <net/netlink.h>
#include <uapi/linux/virtio_blk.h>
#include <uapi/linux/virtio_ids.h>

#include "vl_internal.h"
#include "vl_logfmt.h"

/* What a snapshot point needs to be gone back to. */
struct vl_snapshot {
	u64 offset;		/* of its record in the stream */
	u64 position;		/* records applied before it */
	u64 icount;		/* the icount before it */
};

static struct vl_play {
	struct mutex lock;		/* everything here; see the top */
	struct work_struct work;
	wait_queue_head_t feeder_wait;	/* room in the buffer, a rewind, the end */

	/* Mode play: a player's stream is open. */
	bool active;
	u64 session;			/* which open stream is the current one */
	u64 size;			/* bytes the player announced */
	u64 end_icount;
	char filename[VL_LOG_FILENAME_MAX];
	u32 icount_source;

	/*
	 * The stream: bytes [0, len) of buf are at stream offsets
	 * [base, base + len); [start, valid) are checked whole records not
	 * yet applied.  The file header was checked once header_len is set.
	 */
	u8 *buf;
	u32 buf_size;
	u32 start;
	u32 valid;
	u32 len;
	u64 base;
	u32 applying_end;	/* where the record being applied ends */
	u32 header_len;
	struct vl_log_reader reader;

	/* Where replay stands. */
	u64 icount;
	u64 position;
	bool has_break;
	u64 break_icount;
	bool seeking;
	u64 seek_icount;
	bool ended;
	bool has_divergence;
	struct vl_divergence divergence;
	struct list_head devices;	/* the devices the log made */
	struct vl_snapshot *snaps;
	unsigned int nsnaps;
	unsigned int snaps_cap;
	u32 *gone;			/* the log's removed devices */
	unsigned int ngone;

	/*
	 * Racing submitters: a chain may match one of the next @window
	 * requests its queue logged.  Those matched ahead of the cursor are
	 * kept in @ahead, by their stream offset / 8, and skipped when the
	 * cursor gets there.
	 */
	u32 window;
	bool per_queue;
	struct xarray ahead;
	u64 soft_divergences;
	u64 applied_ahead;		/* in per-queue order */
} vl_play = {
	.lock = __MUTEX_INITIALIZER(vl_play.lock),
	.feeder_wait = __WAIT_QUEUE_HEAD_INITIALIZER(vl_play.feeder_wait),
	.devices = LIST_HEAD_INIT(vl_play.devices),
	.ahead = XARRAY_INIT(vl_play.ahead, 0),
};

/*
 * Frozen: the device side takes and completes nothing.  Set by stop, by
 * replay stopping, cleared by cont; read locklessly by the backend channel.
 */
static bool vl_paused;
DECLARE_WAIT_QUEUE_HEAD(vl_thaw_wait);

bool vl_frozen(void)
{
	return READ_ONCE(vl_paused);
}

bool vl_play_active(void)
{
	return READ_ONCE(vl_play.active);
}

void vl_play_kick(void)
{
	queue_work(vl_wq, &vl_play.work);
}

/* The icount every mode reports; the caller holds vl_play.lock. */
static u64 vl_current_icount(void)
{
	struct vl_log_state st;

	if (vl_play.active)
		return vl_play.icount;
	vl_log_get_state(&st);
	return st.recording ? st.icount : 0;
}

/* Freeze; the caller holds vl_play.lock.  Tells the events group. */
static void vl_pause(u32 reason)
{
	if (vl_paused)
		return;
	WRITE_ONCE(vl_paused, true);
	vl_genl_notify_stopped(vl_current_icount(), reason);
}

static void vl_resume(void)
{
	if (!vl_paused)
		return;
	WRITE_ONCE(vl_paused, false);
	wake_up_all(&vl_thaw_wait);
	vl_devices_wake();
	vl_play_kick();
	vl_genl_notify_resumed(vl_current_icount());
}

/* Driver actions, from the transport's hooks: any context. */

void vl_play_observe(struct vl_dev *dev, u16 kind, u32 queue, u64 value,
		     u32 offset, const void *data, u32 size)
{
	struct vl_play_action *a;
	unsigned long flags;

	if (!dev->played || READ_ONCE(dev->dead))
		return;
	a = kmalloc(struct_size(a, data, size), GFP_ATOMIC);
	spin_lock_irqsave(&dev->actions_lock, flags);
	if (a) {
		a->kind = kind;
		a->queue = queue;
		a->value = value;
		a->offset = offset;
		a->size = size;
		if (size)
			memcpy(a->data, data, size);
		list_add_tail(&a->node, &dev->actions);
	} else {
		dev->actions_lost = true;
	}
	spin_unlock_irqrestore(&dev->actions_lock, flags);
	vl_play_kick();
}

static struct vl_play_action *vl_action_peek(struct vl_dev *dev, bool *lost)
{
	struct vl_play_action *a;

	spin_lock_irq(&dev->actions_lock);
	a = list_first_entry_or_null(&dev->actions, struct vl_play_action,
				     node);
	*lost = dev->actions_lost;
	spin_unlock_irq(&dev->actions_lock);
	return a;
}

static void vl_action_drop(struct vl_dev *dev, struct vl_play_action *a)
{
	spin_lock_irq(&dev->actions_lock);
	list_del(&a->node);
	spin_unlock_irq(&dev->actions_lock);
	kfree(a);
}

/* Divergences */

/* What the engine does with a record. */
enum vl_apply {
	VL_APPLIED,		/* done: on to the next */
	VL_WAIT,		/* the driver has not done it yet */
	VL_STOPPED,		/* a divergence or a bad log: replay stopped */
	VL_AHEAD,		/* a later request matched; this one still waits */
};

static __printf(5, 6)
enum vl_apply vl_diverge(const struct vl_log_rec_view *v, const char *field,
			 u64 expected, u64 actual, const char *fmt, ...)
{
	struct vl_divergence *d = &vl_play.divergence;
	va_list args;

	memset(d, 0, sizeof(*d));
	d->icount = vl_play.icount;
	d->device = v->device;
	d->queue = v->queue;
	d->record = v->seq;
	d->expected = expected;
	d->actual = actual;
	strscpy(d->field, field, sizeof(d->field));
	va_start(args, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, args);
	va_end(args);
	vl_play.has_divergence = true;
	vl_genl_notify_divergence(d);
	vl_pause(VIRTIO_LOOPBACK_STOP_DIVERGENCE);
	return VL_STOPPED;
}

/* The log asks for what cannot be done: play cannot go on from here. */
static enum vl_apply vl_log_error(const struct vl_log_rec_view *v,
				  const char *what)
{
	struct vl_divergence *d = &vl_play.divergence;

	memset(d, 0, sizeof(*d));
	d->icount = vl_play.icount;
	d->device = v->device;
	d->queue = v->queue;
	d->record = v->seq;
	strscpy(d->field, "log", sizeof(d->field));
	snprintf(d->message, sizeof(d->message), "record %llu (%s): %s",
		 v->seq, vl_log_kind_name(v->kind) ?: "unknown", what);
	vl_play.has_divergence = true;
	vl_genl_notify_divergence(d);
	vl_pause(VIRTIO_LOOPBACK_STOP_LOG_ERROR);
	return VL_STOPPED;
}

/* Devices */

static struct vl_dev *vl_play_find(u32 log_index)
{
	struct vl_dev *dev;

	list_for_each_entry(dev, &vl_play.devices, play_node)
		if (dev->log_index == log_index)
			return dev;
	return NULL;
}

/*
 * Devices of the log that were removed: the records of their removal that
 * follow REMOVED happen again when play mode removes them.
 */
static bool vl_gone(u32 log_index)
{
	unsigned int i;

	for (i = 0; i < vl_play.ngone; i++)
		if (vl_play.gone[i] == log_index)
			return true;
	return false;
}

static int vl_gone_add(u32 log_index)
{
	u32 *gone;

	if (vl_gone(log_index))
		return 0;
	gone = krealloc_array(vl_play.gone, vl_play.ngone + 1, sizeof(*gone),
			      GFP_KERNEL);
	if (!gone)
		return -ENOMEM;
	gone[vl_play.ngone++] = log_index;
	vl_play.gone = gone;
	return 0;
}

/* The log made the device again: its records count again. */
static void vl_gone_del(u32 log_index)
{
	unsigned int i;

	for (i = 0; i < vl_play.ngone; i++)
		if (vl_play.gone[i] == log_index)
			vl_play.gone[i] = vl_play.gone[--vl_play.ngone];
}

static void vl_play_remove(struct vl_dev *dev)
{
	list_del_init(&dev->play_node);
	vl_dev_destroy(dev);
}

static void vl_play_remove_all(void)
{
	struct vl_dev *dev, *n;

	list_for_each_entry_safe(dev, n, &vl_play.devices, play_node)
		vl_play_remove(dev);
}

static int vl_snapshot_add(u64 offset)
{
	struct vl_snapshot *snap;

	if (vl_play.nsnaps &&
	    vl_play.snaps[vl_play.nsnaps - 1].offset >= offset)
		return 0;	/* passed again after a rewind */
	if (vl_play.nsnaps == vl_play.snaps_cap) {
		unsigned int cap = max(16U, vl_play.snaps_cap * 2);

		snap = krealloc_array(vl_play.snaps, cap, sizeof(*snap),
				      GFP_KERNEL);
		if (!snap)
			return -ENOMEM;
		vl_play.snaps = snap;
		vl_play.snaps_cap = cap;
	}
	snap = &vl_play.snaps[vl_play.nsnaps++];
	snap->offset = offset;
	snap->position = vl_play.position;
	snap->icount = vl_play.icount;
	return 0;
}

static enum vl_apply vl_apply_device(const struct vl_log_rec_view *v)
{
	struct virtio_loopback_device_config cfg = {
		.device_id = v->u.device.device_id,
		.vendor_id = v->u.device.vendor_id,
		.features = v->u.device.device_features,
		.num_queues = v->u.device.num_queues,
		.max_queue_size = v->u.device.max_queue_size,
		.config_size = v->u.device.config_size,
	};
	struct vl_dev *dev;

	if (vl_play_find(v->device))
		return vl_log_error(v, "the device exists already");
	if (v->u.device.status)
		return vl_log_error(v, "recorded in use: its driver's probe is not in the log");
	/* No other device lives: everything after can be made again from here. */
	if (list_empty(&vl_play.devices) &&
	    vl_snapshot_add(vl_play.base + vl_play.start))
		return vl_log_error(v, "out of memory");
	dev = vl_dev_create_played(&cfg, v->u.device.config, v->device);
	if (IS_ERR(dev))
		return vl_log_error(v, PTR_ERR(dev) == -EOPNOTSUPP ?
				    "device type not allowed (module parameter allowed_types)" :
				    "the device cannot be made");
	list_add_tail(&dev->play_node, &vl_play.devices);
	vl_gone_del(v->device);
	vl_dev_start(dev);
	return VL_APPLIED;
}

/* Driver actions against the log */

static enum vl_apply vl_compare_action(const struct vl_log_rec_view *v,
				       const struct vl_play_action *a)
{
	u32 i;

	if (a->kind != v->kind)
		return vl_diverge(v, "kind", v->kind, a->kind,
				  "expected %s, the driver did %s",
				  vl_log_kind_name(v->kind),
				  vl_log_kind_name(a->kind));
	switch (v->kind) {
	case VIRTIO_LOOPBACK_LOG_FEATURES:
		if (a->value != v->u.features.driver_features)
			return vl_diverge(v, "driver_features",
					  v->u.features.driver_features,
					  a->value, "other features accepted");
		break;
	case VIRTIO_LOOPBACK_LOG_STATUS:
		if (a->value != v->u.status.status)
			return vl_diverge(v, "status", v->u.status.status,
					  a->value, "another status set");
		break;
	case VIRTIO_LOOPBACK_LOG_QUEUE:
		if (a->queue != v->queue)
			return vl_diverge(v, "queue", v->queue, a->queue,
					  "another queue set up");
		if (a->value != v->u.queue.size)
			return vl_diverge(v, "queue_size", v->u.queue.size,
					  a->value, "another queue size");
		break;
	case VIRTIO_LOOPBACK_LOG_CONFIG_WRITE:
		if (a->offset != v->u.config.offset)
			return vl_diverge(v, "config_offset",
					  v->u.config.offset, a->offset,
					  "config written elsewhere");
		if (a->size != v->u.config.size)
			return vl_diverge(v, "config_size", v->u.config.size,
					  a->size, "config written at another size");
		for (i = 0; i < a->size; i++)
			if (a->data[i] != v->u.config.data[i])
				return vl_diverge(v, "config_data",
						  v->u.config.data[i],
						  a->data[i],
						  "config byte %u differs", i);
		break;
	}
	return VL_APPLIED;
}

static enum vl_apply vl_apply_action(const struct vl_log_rec_view *v,
				     struct vl_dev *dev)
{
	struct vl_play_action *a;
	enum vl_apply ret;
	bool lost;

	a = vl_action_peek(dev, &lost);
	if (lost)
		return vl_diverge(v, "actions", 0, 0,
				  "out of memory: a driver action was not kept");
	if (!a)
		return VL_WAIT;
	ret = vl_compare_action(v, a);
	if (ret == VL_APPLIED)
		vl_action_drop(dev, a);
	return ret;
}

/* Requests */

/*
 * The out-data bytes that are not compared: a virtio-blk request's I/O
 * priority.  The block layer fills it in from the nice value of whichever
 * task submits (the workload, a kworker probing the disk), a scheduling
 * hint that is no part of what the request asks of the device.
 */
static int vl_compare_request_out(const struct vl_dev *dev,
				  const struct vl_chain *chain,
				  const u8 *expected, u32 *bad, u8 *actual)
{
	u32 skip = 0, skip_len = 0;

	if (dev->device_id == VIRTIO_ID_BLOCK) {
		skip = offsetof(struct virtio_blk_outhdr, ioprio);
		skip_len = sizeof_field(struct virtio_blk_outhdr, ioprio);
	}
	return vl_vq_compare_out(dev->segs, chain->nsegs, expected, skip,
				 skip_len, bad, actual);
}

/*
 * A chain is compared by what its device sees: the bytes it may read and
 * write, and the out-data.  How the bytes are cut into segments depends
 * on where the driver's buffers happen to lie in memory (an O_DIRECT read
 * into another buffer merges other pages), so the layout is not compared.
 */
static enum vl_apply vl_compare_chain(const struct vl_log_rec_view *v,
				      struct vl_vq *vq,
				      const struct vl_chain *chain)
{
	u32 bad;
	u8 actual;

	if (!vl_play.window && vq->next_req_seq != v->u.request.req_seq)
		return vl_diverge(v, "req_seq", v->u.request.req_seq,
				  vq->next_req_seq, "requests were skipped");
	if (chain->out_len != v->u.request.out_len)
		return vl_diverge(v, "out_len", v->u.request.out_len,
				  chain->out_len, "a request of another size");
	if (chain->in_len != v->u.request.in_len)
		return vl_diverge(v, "in_len", v->u.request.in_len,
				  chain->in_len, "a request for another size");
	switch (vl_compare_request_out(vq->dev, chain, v->u.request.out, &bad,
				       &actual)) {
	case 0:
		return VL_APPLIED;
	case -EILSEQ:
		return vl_diverge(v, "out_data", v->u.request.out[bad], actual,
				  "out-data byte %u differs", bad);
	default:
		return vl_diverge(v, "out_data", 0, 0,
				  "the driver's buffer cannot be read");
	}
}

/* Whether @chain is the request @v logged: lengths and out-data. */
static bool vl_chain_is(const struct vl_log_rec_view *v, struct vl_vq *vq,
			const struct vl_chain *chain)
{
	u32 bad;
	u8 actual;

	return chain->out_len == v->u.request.out_len &&
	       chain->in_len == v->u.request.in_len &&
	       !vl_compare_request_out(vq->dev, chain, v->u.request.out,
				       &bad, &actual);
}

/* Nothing past a breakpoint or a seek's target is applied ahead. */
static bool vl_past_target(const struct vl_log_rec_view *v)
{
	return (vl_play.has_break && v->icount > vl_play.break_icount) ||
	       (vl_play.seeking && v->icount > vl_play.seek_icount);
}

static unsigned long vl_ahead_key(u64 offset)
{
	return offset / VIRTIO_LOOPBACK_LOG_ALIGN;
}

/*
 * The chain is not the request at the cursor @v: look for it among the
 * next requests of its queue, up to the window, none past a breakpoint or
 * a seek's target.  Found, it is taken as that request (its completion
 * will find it by the logged number) and counted as a soft divergence.
 */
static enum vl_apply vl_match_ahead(const struct vl_log_rec_view *v,
				    struct vl_vq *vq,
				    const struct vl_chain *chain)
{
	u32 pos = vl_play.applying_end, seen = 0;
	struct vl_log_rec_view w;
	const char *reason;
	u64 offset;

	while (pos < vl_play.valid && seen < vl_play.window) {
		if (vl_log_check_rec(vl_play.buf + pos, vl_play.valid - pos,
				     &w, &reason))
			break;
		offset = vl_play.base + pos;
		pos += w.len;
		if (vl_past_target(&w))
			break;
		if (w.kind != VIRTIO_LOOPBACK_LOG_REQUEST ||
		    w.device != v->device || w.queue != v->queue ||
		    (w.flags & VIRTIO_LOOPBACK_LOG_F_POSTED) ||
		    xa_load(&vl_play.ahead, vl_ahead_key(offset)))
			continue;
		seen++;
		if (!vl_chain_is(&w, vq, chain))
			continue;
		if (vl_vq_take_played(vq, chain, w.u.request.req_seq))
			return VL_WAIT;
		if (xa_err(xa_store(&vl_play.ahead, vl_ahead_key(offset),
				    xa_mk_value(1), GFP_KERNEL)))
			return vl_log_error(v, "out of memory");
		vl_play.position++;
		vl_play.soft_divergences++;
		return VL_AHEAD;
	}
	/* Not a later one either: the divergence is at the cursor. */
	return vl_compare_chain(v, vq, chain);
}

/*
 * The avail ring is empty.  If the driver did something else meanwhile,
 * it will not queue this request: that is the divergence.
 */
static enum vl_apply vl_no_request(const struct vl_log_rec_view *v,
				   struct vl_dev *dev)
{
	struct vl_play_action *a;
	bool lost;

	a = vl_action_peek(dev, &lost);
	if (!a && !lost)
		return VL_WAIT;
	return vl_diverge(v, "kind", v->kind, a ? a->kind : 0,
			  "expected a request, the driver did %s",
			  a ? vl_log_kind_name(a->kind) : "something unkept");
}

static enum vl_apply vl_apply_posted(const struct vl_log_rec_view *v,
				     struct vl_vq *vq)
{
	struct vl_posted_seen seen;
	u32 crc = ~0U;

	if (vq->seen_lost)
		return vl_diverge(v, "posted", 0, 0,
				  "more posted chains than play mode keeps");
	if (!vl_vq_pop_seen(vq, &seen))
		return vl_no_request(v, vq->dev);
	if (seen.req_seq != v->u.request.req_seq)
		return vl_diverge(v, "req_seq", v->u.request.req_seq,
				  seen.req_seq, "posted chains were skipped");
	if (seen.out_len != v->u.request.out_len)
		return vl_diverge(v, "out_len", v->u.request.out_len,
				  seen.out_len, "posted chain of another size");
	crc = vl_crc32c_update(crc, v->u.request.out, seen.out_len);
	if (~crc != seen.crc)
		return vl_diverge(v, "out_crc", ~crc, seen.crc,
				  "posted out-data differs");
	return VL_APPLIED;
}

static enum vl_apply vl_apply_request(const struct vl_log_rec_view *v,
				      struct vl_vq *vq)
{
	struct vl_dev *dev = vq->dev;
	struct vl_chain chain;
	enum vl_apply ret;
	int found;

	if (v->flags & VIRTIO_LOOPBACK_LOG_F_POSTED)
		return vl_apply_posted(v, vq);
	/*
	 * A chain too long to deliver: the transport failed it as it found
	 * it, in play mode as when recording.  Its number is taken then.
	 */
	if ((v->flags & VIRTIO_LOOPBACK_LOG_F_FAILED) && !v->u.request.nsegs) {
		down_read(&dev->rings_sem);
		vl_vq_peek(vq, &chain, dev->segs);
		up_read(&dev->rings_sem);
		return READ_ONCE(vq->next_req_seq) > v->u.request.req_seq ?
		       VL_APPLIED : vl_no_request(v, dev);
	}

	down_read(&dev->rings_sem);
	found = vl_vq_peek(vq, &chain, dev->segs);
	if (found < 0)
		ret = vl_diverge(v, "queue", v->queue, v->queue,
				 "the driver queued a chain the device cannot read");
	else if (!found)
		ret = vl_no_request(v, dev);
	else if (vl_play.window && !vl_chain_is(v, vq, &chain))
		ret = vl_match_ahead(v, vq, &chain);
	else
		ret = vl_compare_chain(v, vq, &chain);
	if (ret == VL_APPLIED &&
	    vl_vq_take_played(vq, &chain, v->u.request.req_seq))
		ret = VL_WAIT;	/* reset meanwhile: look again */
	up_read(&dev->rings_sem);
	return ret;
}

/* What the device did */

static enum vl_apply vl_apply_completion(const struct vl_log_rec_view *v,
					 struct vl_vq *vq)
{
	struct vl_dev *dev = vq->dev;
	int err;

	/* Posted chains went back inside their notification. */
	if (v->flags & VIRTIO_LOOPBACK_LOG_F_POSTED)
		return VL_APPLIED;
	down_read(&dev->rings_sem);
	err = vl_vq_complete_played(vq, v->u.completion.req_seq,
				    v->u.completion.data_offset,
				    v->u.completion.data,
				    v->u.completion.data_len,
				    v->u.completion.used_len);
	up_read(&dev->rings_sem);
	switch (err) {
	case 0:
		return VL_APPLIED;
	case -ENOENT:
		return vl_diverge(v, "req_seq", v->u.completion.req_seq, 0,
				  "the driver has no request %llu in flight",
				  v->u.completion.req_seq);
	case -EMSGSIZE:
		return vl_diverge(v, "used_len", v->u.completion.used_len, 0,
				  "the request's buffers are too short");
	default:
		return vl_diverge(v, "in_data", 0, 0,
				  "the driver's buffer cannot be written");
	}
}

static enum vl_apply vl_apply_interrupt(struct vl_vq *vq)
{
	down_read(&vq->dev->rings_sem);
	vl_vq_signal(vq);
	up_read(&vq->dev->rings_sem);
	return VL_APPLIED;
}

static enum vl_apply vl_apply_config_change(const struct vl_log_rec_view *v,
					    struct vl_dev *dev)
{
	if (v->u.config.offset > dev->config_size ||
	    v->u.config.size > dev->config_size - v->u.config.offset)
		return vl_log_error(v, "config change beyond the config space");
	vl_dev_config_change(dev, v->u.config.offset, v->u.config.data,
			     v->u.config.size);
	return VL_APPLIED;
}

/* Records of one queue of one device of the log. */
static enum vl_apply vl_apply_queue_rec(const struct vl_log_rec_view *v,
					struct vl_dev *dev)
{
	struct vl_vq *vq;

	if (v->queue >= dev->num_queues)
		return vl_log_error(v, "no such queue");
	vq = &dev->vqs[v->queue];
	switch (v->kind) {
	case VIRTIO_LOOPBACK_LOG_REQUEST:
		return vl_apply_request(v, vq);
	case VIRTIO_LOOPBACK_LOG_COMPLETION:
		return vl_apply_completion(v, vq);
	default:
		return vl_apply_interrupt(vq);
	}
}

static enum vl_apply vl_apply(const struct vl_log_rec_view *v)
{
	struct vl_dev *dev;

	if (!v->known)
		return VL_APPLIED;	/* a later version's kind: skipped */
	switch (v->kind) {
	case VIRTIO_LOOPBACK_LOG_DEVICE:
		return vl_apply_device(v);
	case VIRTIO_LOOPBACK_LOG_LOSS:
		return vl_log_error(v, "the recording lost records here");
	}
	dev = vl_play_find(v->device);
	/* Its removal: what the driver and transport did, done again. */
	if (!dev && vl_gone(v->device))
		return VL_APPLIED;
	if (!dev)
		return vl_log_error(v, "no such device in the log");
	switch (v->kind) {
	case VIRTIO_LOOPBACK_LOG_REMOVED:
		if (vl_gone_add(v->device))
			return vl_log_error(v, "out of memory");
		vl_play_remove(dev);
		return VL_APPLIED;
	case VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE:
		return vl_apply_config_change(v, dev);
	case VIRTIO_LOOPBACK_LOG_CONFIG_READ:
		/*
		 * What the driver read: the config the DEVICE and CONFIG_CHANGE
		 * records make answers it again.  Not waited for: anyone may
		 * read the config at any time (sysfs, a config-change handler).
		 */
		return VL_APPLIED;
	case VIRTIO_LOOPBACK_LOG_REQUEST:
	case VIRTIO_LOOPBACK_LOG_COMPLETION:
	case VIRTIO_LOOPBACK_LOG_INTERRUPT:
		return vl_apply_queue_rec(v, dev);
	default:
		return vl_apply_action(v, dev);
	}
}

/*
 * Per-queue order: the queues a scan ahead of the cursor found waiting,
 * the cursor's among them.  A scan that meets more stops there.
 */
#define VL_PLAY_BLOCKED_MAX	32
/* Records a scan looks at, at most: it runs each time the cursor waits. */
#define VL_PLAY_AHEAD_RECORDS	4096

struct vl_blocked {
	unsigned int n;
	struct {
		u32 device;
		u32 queue;
	} q[VL_PLAY_BLOCKED_MAX];
};

static bool vl_blocked_has(const struct vl_blocked *b, u32 device, u32 queue)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		if (b->q[i].device == device && b->q[i].queue == queue)
			return true;
	return false;
}

static bool vl_blocked_add(struct vl_blocked *b, u32 device, u32 queue)
{
	if (b->n == VL_PLAY_BLOCKED_MAX)
		return false;
	b->q[b->n].device = device;
	b->q[b->n].queue = queue;
	b->n++;
	return true;
}

static bool vl_is_queue_rec(const struct vl_log_rec_view *v)
{
	return v->known && (v->kind == VIRTIO_LOOPBACK_LOG_REQUEST ||
			    v->kind == VIRTIO_LOOPBACK_LOG_COMPLETION ||
			    v->kind == VIRTIO_LOOPBACK_LOG_INTERRUPT);
}

/*
 * The cursor's record @cur waits on its queue: apply what can be of the
 * other queues' records after it, each queue in order.  True if any was.
 */
static bool vl_play_other_queues(const struct vl_log_rec_view *cur)
{
	u32 pos = vl_play.start + cur->len, looked = 0;
	struct vl_blocked blocked = {};
	struct vl_log_rec_view w;
	const char *reason;
	bool progress = false;
	enum vl_apply ret;
	u64 offset;

	vl_blocked_add(&blocked, cur->device, cur->queue);
	while (pos < vl_play.valid && looked++ < VL_PLAY_AHEAD_RECORDS) {
		if (vl_log_check_rec(vl_play.buf + pos, vl_play.valid - pos,
				     &w, &reason))
			break;
		offset = vl_play.base + pos;
		pos += w.len;
		if (!w.known || w.kind == VIRTIO_LOOPBACK_LOG_CONFIG_READ ||
		    xa_load(&vl_play.ahead, vl_ahead_key(offset)))
			continue;
		if (!vl_is_queue_rec(&w) || vl_past_target(&w))
			break;
		if (vl_blocked_has(&blocked, w.device, w.queue))
			continue;
		vl_play.applying_end = pos;
		ret = vl_apply(&w);
		if (ret == VL_STOPPED)
			return progress;
		if (ret == VL_APPLIED) {
			if (xa_err(xa_store(&vl_play.ahead, vl_ahead_key(offset),
					    xa_mk_value(1), GFP_KERNEL))) {
				vl_log_error(&w, "out of memory");
				return progress;
			}
			vl_play.position++;
			vl_play.applied_ahead++;
			progress = true;
			continue;
		}
		/* Waiting, or one of its later requests was taken for it. */
		progress |= ret == VL_AHEAD;
		if (!vl_blocked_add(&blocked, w.device, w.queue))
			break;
	}
	return progress;
}

/* The engine */

static void vl_signal_all(void)
{
	struct vl_dev *dev;
	unsigned int i;

	list_for_each_entry(dev, &vl_play.devices, play_node) {
		down_read(&dev->rings_sem);
		for (i = 0; i < dev->num_queues; i++)
			vl_vq_signal(&dev->vqs[i]);
		up_read(&dev->rings_sem);
	}
}

/* Stop where a breakpoint or a seek's target says, before record @v. */
static bool vl_target_reached(const struct vl_log_rec_view *v)
{
	if (vl_play.has_break && v->icount > vl_play.break_icount) {
		vl_play.has_break = false;
		vl_play.icount = max(vl_play.icount, vl_play.break_icount);
		vl_pause(VIRTIO_LOOPBACK_STOP_BREAK);
		return true;
	}
	if (vl_play.seeking && v->icount > vl_play.seek_icount) {
		vl_play.seeking = false;
		vl_play.icount = max(vl_play.icount, vl_play.seek_icount);
		vl_pause(VIRTIO_LOOPBACK_STOP_SEEK);
		return true;
	}
	return false;
}

static bool vl_log_done(void)
{
	return vl_play.header_len && vl_play.start == vl_play.len &&
	       vl_play.base + vl_play.len == vl_play.size;
}

/* Apply the next record if it can be; true if it was. */
static bool vl_play_step(void)
{
	enum vl_apply ret = VL_APPLIED;
	struct vl_log_rec_view v;
	const char *reason;

	if (vl_paused)
		return false;
	if (vl_play.start == vl_play.valid) {
		/* At the end a seek is there (its target is not beyond it). */
		if (vl_log_done() && vl_play.seeking) {
			vl_play.seeking = false;
			vl_play.ended = true;
			vl_pause(VIRTIO_LOOPBACK_STOP_SEEK);
		} else if (vl_log_done() && !vl_play.ended) {
			vl_play.ended = true;
			vl_pause(VIRTIO_LOOPBACK_STOP_END);
		}
		return false;
	}
	/* Checked when it was written: this cannot fail. */
	if (WARN_ON_ONCE(vl_log_check_rec(vl_play.buf + vl_play.start,
					  vl_play.valid - vl_play.start, &v,
					  &reason)))
		return false;
	if (vl_target_reached(&v))
		return false;
	vl_play.applying_end = vl_play.start + v.len;
	if (xa_erase(&vl_play.ahead, vl_ahead_key(vl_play.base + vl_play.start)))
		vl_play.position--;	/* counted when it was applied ahead */
	else
		ret = vl_apply(&v);
	if (ret == VL_AHEAD)
		return true;
	if (ret == VL_WAIT && vl_play.per_queue && vl_is_queue_rec(&v))
		return vl_play_other_queues(&v);
	if (ret != VL_APPLIED)
		return false;
	vl_play.start += v.len;
	vl_play.icount = v.icount;
	vl_play.position++;
	wake_up_interruptible(&vl_play.feeder_wait);
	return true;
}

static void vl_play_work(struct work_struct *work)
{
	mutex_lock(&vl_play.lock);
	while (vl_play.active && vl_play_step())
		cond_resched();
	/*
	 * Waiting on the driver: it may be waiting on an interrupt the log
	 * placed later, where another driver's timing put it.
	 */
	if (vl_play.active && !vl_paused)
		vl_signal_all();
	mutex_unlock(&vl_play.lock);
}

/* The stream */

/* The stream offset of the next byte the player is to write. */
static u64 vl_stream_pos(void)
{
	return vl_play.base + vl_play.len;
}

/* Move what is not yet applied to the buffer's start. */
static void vl_stream_compact(void)
{
	if (!vl_play.start)
		return;
	memmove(vl_play.buf, vl_play.buf + vl_play.start,
		vl_play.len - vl_play.start);
	vl_play.base += vl_play.start;
	vl_play.valid -= vl_play.start;
	vl_play.len -= vl_play.start;
	vl_play.start = 0;
}

static int vl_stream_check_header(void)
{
	struct vl_log_hdr_view h;
	const char *reason;
	int err;

	err = vl_log_check_header(vl_play.buf, vl_play.len, &h, &reason);
	if (err == -ENODATA && vl_stream_pos() < vl_play.size)
		return 0;
	if (err)
		return -EBADMSG;
	vl_play.header_len = h.header_len;
	vl_play.icount_source = h.icount_source;
	vl_play.start = h.header_len;
	vl_play.valid = h.header_len;
	vl_log_reader_init(&vl_play.reader, vl_play.buf, 0, 0);
	return vl_snapshot_add(h.header_len);
}

/* Check the whole records that arrived; -EBADMSG at a bad one. */
static int vl_stream_check_records(void)
{
	struct vl_log_rec_view v;
	const char *reason;
	int err;

	for (;;) {
		u32 avail = vl_play.len - vl_play.valid;
		const struct virtio_loopback_log_rec *rec =
			(const void *)(vl_play.buf + vl_play.valid);

		if (!avail)
			return 0;
		err = vl_log_check_rec(rec, avail, &v, &reason);
		if (err == -ENODATA) {
			/*
			 * Cut short: more may come, unless the log has
			 * arrived whole or the record could never fit.
			 */
			if (vl_stream_pos() == vl_play.size ||
			    (avail >= sizeof(*rec) &&
			     le32_to_cpu(rec->len) > vl_play.buf_size))
				return -EBADMSG;
			return 0;
		}
		vl_log_reader_refill(&vl_play.reader, vl_play.buf + vl_play.valid,
				     v.len);
		if (err || vl_log_next(&vl_play.reader, &v) != 1 ||
		    v.icount > vl_play.end_icount)
			return -EBADMSG;
		vl_play.valid += v.len;
	}
}

static int vl_stream_check(void)
{
	int err = 0;

	if (!vl_play.header_len && !vl_play.base)
		err = vl_stream_check_header();
	if (!err && vl_play.header_len)
		err = vl_stream_check_records();
	if (err) {
		/* The bad bytes go; the player learns where from lseek(). */
		vl_play.len = vl_play.valid;
	}
	return err;
}

struct vl_stream_file {
	u64 session;
};

static bool vl_stream_current(struct file *file)
{
	struct vl_stream_file *sf = file->private_data;

	return vl_play.active && vl_play.session == sf->session;
}

static bool vl_stream_writable(struct file *file, u64 pos)
{
	bool ok;

	mutex_lock(&vl_play.lock);
	ok = !vl_stream_current(file) || vl_stream_pos() != pos ||
	     vl_play.len < vl_play.buf_size || vl_play.start;
	mutex_unlock(&vl_play.lock);
	return ok;
}

/* Append @n bytes at the stream's end; the caller holds vl_play.lock. */
static ssize_t vl_stream_append(const u8 *src, size_t n, loff_t *ppos)
{
	u32 before;
	int err;

	if (vl_play.start > vl_play.buf_size / 2 ||
	    vl_play.len == vl_play.buf_size)
		vl_stream_compact();
	n = min_t(size_t, n, vl_play.buf_size - vl_play.len);
	n = min_t(u64, n, vl_play.size - vl_stream_pos());
	memcpy(vl_play.buf + vl_play.len, src, n);
	before = vl_play.len;
	vl_play.len += n;
	err = vl_stream_check();
	*ppos = vl_stream_pos();
	/* The records before a bad one are good: they play. */
	vl_play_kick();
	if (!err)
		return n;
	/* This write's good bytes; the next one fails on the bad record. */
	if (vl_play.len > before)
		return vl_play.len - before;
	return err;
}

#define VL_STREAM_CHUNK	SZ_64K

static ssize_t vl_stream_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	size_t n = min_t(size_t, count, VL_STREAM_CHUNK);
	ssize_t ret;
	u8 *bounce;

	if (!count)
		return 0;
	/* Copied outside the lock: the player's pages may fault. */
	bounce = kvmalloc(n, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	if (copy_from_user(bounce, ubuf, n)) {
		kvfree(bounce);
		return -EFAULT;
	}
	for (;;) {
		mutex_lock(&vl_play.lock);
		if (!vl_stream_current(file))
			ret = -EPIPE;
		else if (*ppos != vl_stream_pos())
			ret = -ESTALE;
		else if (vl_stream_pos() == vl_play.size)
			ret = -EFBIG;
		else if (vl_play.len < vl_play.buf_size || vl_play.start)
			ret = vl_stream_append(bounce, n, ppos);
		else
			ret = -EAGAIN;
		mutex_unlock(&vl_play.lock);
		if (ret != -EAGAIN || (file->f_flags & O_NONBLOCK))
			break;
		if (wait_event_interruptible(vl_play.feeder_wait,
					     vl_stream_writable(file, *ppos))) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	kvfree(bounce);
	return ret;
}

/* Only where the module wants the stream next: SEEK_CUR 0, or that offset. */
static loff_t vl_stream_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t pos;

	mutex_lock(&vl_play.lock);
	pos = vl_stream_pos();
	mutex_unlock(&vl_play.lock);
	if ((whence == SEEK_CUR && offset) ||
	    (whence == SEEK_SET && offset != pos) ||
	    (whence != SEEK_CUR && whence != SEEK_SET))
		return -EINVAL;
	file->f_pos = pos;
	return pos;
}

static __poll_t vl_stream_poll(struct file *file, poll_table *wait)
{
	__poll_t mask = 0;

	poll_wait(file, &vl_play.feeder_wait, wait);
	mutex_lock(&vl_play.lock);
	if (!vl_stream_current(file))
		mask = EPOLLHUP;
	else if (vl_stream_pos() < vl_play.size &&
		 (vl_play.len < vl_play.buf_size || vl_play.start))
		mask = EPOLLOUT | EPOLLWRNORM;
	mutex_unlock(&vl_play.lock);
	return mask;
}

/* End play mode; the caller holds vl_play.lock. */
static void vl_play_end(void)
{
	vl_play.active = false;
	vl_play_remove_all();
	vl_play.has_break = false;
	vl_play.seeking = false;
	kfree(vl_play.snaps);
	vl_play.snaps = NULL;
	kfree(vl_play.gone);
	vl_play.gone = NULL;
	vl_play.ngone = 0;
	xa_destroy(&vl_play.ahead);
	vl_play.nsnaps = 0;
	vl_play.snaps_cap = 0;
	vfree(vl_play.buf);
	vl_play.buf = NULL;
	/* Mode none runs, as QEMU leaves replay. */
	if (vl_paused) {
		WRITE_ONCE(vl_paused, false);
		wake_up_all(&vl_thaw_wait);
		vl_devices_wake();
		vl_genl_notify_resumed(0);
	}
	wake_up_interruptible_all(&vl_play.feeder_wait);
}

static int vl_stream_release(struct inode *inode, struct file *file)
{
	mutex_lock(&vl_play.lock);
	if (vl_stream_current(file))
		vl_play_end();
	mutex_unlock(&vl_play.lock);
	kfree(file->private_data);
	return 0;
}

static const struct file_operations vl_stream_fops = {
	.owner		= THIS_MODULE,
	.write		= vl_stream_write,
	.llseek		= vl_stream_llseek,
	.poll		= vl_stream_poll,
	.release	= vl_stream_release,
};

static int vl_play_begin(const struct virtio_loopback_play_start *start,
			 u64 session)
{
	struct vl_log_state log;

	vl_log_get_state(&log);
	if (vl_play.active || log.recording)
		return -EBUSY;
	vl_play.buf_size = log.size;
	vl_play.buf = vmalloc(vl_play.buf_size);
	if (!vl_play.buf)
		return -ENOMEM;
	vl_play.active = true;
	vl_play.session = session;
	vl_play.size = start->size;
	vl_play.end_icount = start->end_icount;
	vl_play.window = start->window;
	vl_play.per_queue = start->flags & VIRTIO_LOOPBACK_PLAY_PER_QUEUE;
	vl_play.soft_divergences = 0;
	vl_play.applied_ahead = 0;
	strscpy(vl_play.filename, start->filename, sizeof(vl_play.filename));
	vl_play.start = 0;
	vl_play.valid = 0;
	vl_play.len = 0;
	vl_play.base = 0;
	vl_play.header_len = 0;
	vl_play.icount = 0;
	vl_play.position = 0;
	vl_play.ended = false;
	vl_play.has_divergence = false;
	return 0;
}

/* VIRTIO_LOOPBACK_OPEN_PLAY */
int vl_play_open(const struct virtio_loopback_play_start *start)
{
	static u64 sessions;
	struct vl_stream_file *sf;
	struct file *file;
	int fd, err, i;

	for (i = 0; i < ARRAY_SIZE(start->reserved); i++)
		if (start->reserved[i])
			return -EINVAL;
	if ((start->flags & ~VIRTIO_LOOPBACK_PLAY_PER_QUEUE) ||
	    start->window > VIRTIO_LOOPBACK_PLAY_MAX_WINDOW)
		return -EINVAL;
	if (start->size < sizeof(struct virtio_loopback_log_header) ||
	    !memchr(start->filename, 0, sizeof(start->filename)))
		return -EINVAL;
	sf = kzalloc(sizeof(*sf), GFP_KERNEL);
	if (!sf)
		return -ENOMEM;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		kfree(sf);
		return fd;
	}
	file = anon_inode_getfile("[virtio-loopback-play]", &vl_stream_fops, sf,
				  O_WRONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		kfree(sf);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_LSEEK;

	mutex_lock(&vl_play.lock);
	sf->session = ++sessions;
	err = vl_play_begin(start, sf->session);
	mutex_unlock(&vl_play.lock);
	if (err) {
		put_unused_fd(fd);
		/* Its release sees another session: it ends nothing. */
		fput(file);
		return err;
	}
	fd_install(fd, file);
	return fd;
}

/* Controls */

int vl_play_stop(void)
{
	int err = 0;

	mutex_lock(&vl_play.lock);
	if (vl_play.active)
		vl_play_end();
	else
		err = -EALREADY;
	mutex_unlock(&vl_play.lock);
	return err;
}

/* QEMU's texts (replay/replay-debugging.c), so vl-qmpd can pass them on. */
int vl_play_break(u64 icount, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&vl_play.lock);
	if (!vl_play.active) {
		NL_SET_ERR_MSG(extack, "setting the breakpoint is allowed only in play mode");
		err = -EINVAL;
	} else if (icount < vl_play.icount) {
		NL_SET_ERR_MSG(extack, "cannot set breakpoint at the instruction in the past");
		err = -EINVAL;
	} else {
		vl_play.has_break = true;
		vl_play.break_icount = icount;
		vl_play_kick();
	}
	mutex_unlock(&vl_play.lock);
	return err;
}

int vl_play_delete_break(struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&vl_play.lock);
	if (!vl_play.active) {
		NL_SET_ERR_MSG(extack, "replay breakpoints are allowed only in play mode");
		err = -EINVAL;
	} else {
		vl_play.has_break = false;
	}
	mutex_unlock(&vl_play.lock);
	return err;
}

/* The latest snapshot point at or before @icount. */
static const struct vl_snapshot *vl_snapshot_find(u64 icount)
{
	const struct vl_snapshot *found = NULL;
	unsigned int i;

	for (i = 0; i < vl_play.nsnaps; i++)
		if (vl_play.snaps[i].icount <= icount)
			found = &vl_play.snaps[i];
	return found;
}

/* Go back to @snap: the devices made since go, the player writes again. */
static void vl_play_rewind(const struct vl_snapshot *snap)
{
	struct vl_snapshot to = *snap;

	vl_play_remove_all();
	xa_destroy(&vl_play.ahead);
	/* At a snapshot point no device of the log lives, none is removed. */
	vl_play.ngone = 0;
	vl_play.nsnaps = snap - vl_play.snaps + 1;
	vl_play.base = to.offset;
	vl_play.start = 0;
	vl_play.valid = 0;
	vl_play.len = 0;
	vl_play.position = to.position;
	vl_play.icount = to.icount;
	vl_play.ended = false;
	vl_log_reader_init(&vl_play.reader, vl_play.buf, 0, 0);
	wake_up_interruptible_all(&vl_play.feeder_wait);
}

int vl_play_seek(u64 icount, struct netlink_ext_ack *extack)
{
	const struct vl_snapshot *snap;
	int err = 0;

	mutex_lock(&vl_play.lock);
	if (!vl_play.active) {
		NL_SET_ERR_MSG(extack, "replay must be enabled to seek");
		err = -EINVAL;
		goto out;
	}
	snap = icount < vl_play.icount ? vl_snapshot_find(icount) : NULL;
	if (icount > vl_play.end_icount ||
	    (icount < vl_play.icount && !snap)) {
		NL_SET_ERR_MSG(extack, "cannot seek to the specified instruction count");
		err = -EINVAL;
		goto out;
	}
	if (snap)
		vl_play_rewind(snap);
	vl_play.seeking = true;
	vl_play.seek_icount = icount;
	vl_resume();
	vl_play_kick();
out:
	mutex_unlock(&vl_play.lock);
	return err;
}

/* Recording and playing exclude each other: both are decided here. */
int vl_replay_record_start(const char *filename)
{
	int err;

	mutex_lock(&vl_play.lock);
	err = vl_play.active ? -EBUSY : vl_log_start(filename);
	mutex_unlock(&vl_play.lock);
	return err;
}

int vl_replay_stop(void)
{
	mutex_lock(&vl_play.lock);
	vl_pause(VIRTIO_LOOPBACK_STOP_USER);
	mutex_unlock(&vl_play.lock);
	return 0;
}

int vl_replay_cont(void)
{
	mutex_lock(&vl_play.lock);
	vl_resume();
	mutex_unlock(&vl_play.lock);
	return 0;
}

void vl_play_get_state(struct vl_play_state *st)
{
	mutex_lock(&vl_play.lock);
	st->playing = vl_play.active;
	st->paused = vl_paused;
	st->has_break = vl_play.active && vl_play.has_break;
	st->break_icount = vl_play.break_icount;
	st->icount = vl_play.icount;
	st->icount_source = vl_play.icount_source;
	st->position = vl_play.position;
	st->end_icount = vl_play.end_icount;
	strscpy(st->filename, vl_play.filename, sizeof(st->filename));
	mutex_unlock(&vl_play.lock);
}

bool vl_play_get_divergence(struct vl_divergence *d)
{
	bool has;

	mutex_lock(&vl_play.lock);
	has = vl_play.has_divergence;
	if (has)
		*d = vl_play.divergence;
	mutex_unlock(&vl_play.lock);
	return has;
}

/* debugfs */
void vl_play_show(struct seq_file *s)
{
	struct vl_divergence *d = &vl_play.divergence;

	mutex_lock(&vl_play.lock);
	seq_printf(s, "paused: %s\n", vl_paused ? "yes" : "no");
	if (vl_play.active) {
		seq_printf(s, "play position: %llu records, stream offset %llu of %llu, end icount %llu\n",
			   vl_play.position, vl_play.base + vl_play.start,
			   vl_play.size, vl_play.end_icount);
		seq_printf(s, "play buffer: %u of %u bytes, snapshots %u\n",
			   vl_play.len - vl_play.start, vl_play.buf_size,
			   vl_play.nsnaps);
		seq_printf(s, "play order: %s, window %u, soft divergences %llu, applied ahead %llu\n",
			   vl_play.per_queue ? "per-queue" : "strict",
			   vl_play.window, vl_play.soft_divergences,
			   vl_play.applied_ahead);
		if (vl_play.has_break)
			seq_printf(s, "break: %llu\n", vl_play.break_icount);
		if (vl_play.seeking)
			seq_printf(s, "seeking to: %llu\n", vl_play.seek_icount);
	}
	if (vl_play.has_divergence)
		seq_printf(s, "divergence: icount %llu device vl%u queue %d record %llu %s expected %llu actual %llu: %s\n",
			   d->icount, d->device, (int)d->queue, d->record,
			   d->field, d->expected, d->actual, d->message);
	mutex_unlock(&vl_play.lock);
}

void vl_play_init(void)
{
	INIT_WORK(&vl_play.work, vl_play_work);
}

void vl_play_exit(void)
{
	cancel_work_sync(&vl_play.work);
}
