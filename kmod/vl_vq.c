// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: the device side of a split virtqueue.
 *
 * The driver side is the mainline virtio_ring; this file plays the device:
 * it takes descriptor chains from the avail ring, walks them (direct and
 * indirect descriptors), copies their data between the driver's buffers and
 * the backend, and returns them through the used ring.
 *
 * Without VIRTIO_F_ACCESS_PLATFORM the driver's descriptors hold physical
 * addresses (sg_phys()), so every buffer is reached page by page through
 * kmap_local_page().  The kernel's own device-side helper, vringh, is not
 * built in the kernels this module serves, hence this walker.  Everything
 * in a descriptor is checked before it is used: indices, lengths, loops,
 * nesting, and that readable segments come before writable ones.
 *
 * Ordering: the device reads avail->idx with acquire semantics before the
 * ring entries it covers, and publishes used->idx with release semantics
 * after the entries it covers.
 *
 * Locking: an avail entry is read, checked and stepped past under one hold
 * of vq->lock, and a used entry published under it, so the reader, a
 * posting notification and the failing work never take one chain twice.
 * The driver's notification may arrive with its own locks held and
 * interrupts off: nothing here prints, sleeps or waits on userspace.  What
 * deserves a message is counted and logged later by vl_dev_report_work().
 * Copies to and from userspace run with page faults disabled (see
 * vl_chardev.c): a backend's buffer never makes a reset wait.
 */
#include <linux/highmem.h>
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/virtio_config.h>

#include "vl_internal.h"
#include "vl_logfmt.h"

/* Visit each page-sized piece of a physical range. */
int vl_phys_for_each(u64 addr, u32 len, vl_page_fn fn, void *ctx)
{
	while (len) {
		unsigned long pfn = PHYS_PFN(addr);
		size_t offset = offset_in_page(addr);
		size_t n = min_t(size_t, len, PAGE_SIZE - offset);
		void *kaddr;
		int err;

		if (!pfn_valid(pfn))
			return -EFAULT;
		kaddr = kmap_local_page(pfn_to_page(pfn));
		err = fn(kaddr + offset, n, ctx);
		kunmap_local(kaddr);
		if (err)
			return err;
		addr += n;
		len -= n;
	}
	return 0;
}

struct vl_copy {
	union {
		u8 *kbuf;
		const u8 *ksrc;
		u8 __user *ubuf;
		const u8 __user *usrc;
	};
};

static int vl_page_to_kernel(void *kaddr, size_t len, void *ctx)
{
	struct vl_copy *c = ctx;

	memcpy(c->kbuf, kaddr, len);
	c->kbuf += len;
	return 0;
}

static int vl_kernel_to_page(void *kaddr, size_t len, void *ctx)
{
	struct vl_copy *c = ctx;

	memcpy(kaddr, c->ksrc, len);
	c->ksrc += len;
	return 0;
}

static int vl_page_to_user(void *kaddr, size_t len, void *ctx)
{
	struct vl_copy *c = ctx;

	if (copy_to_user(c->ubuf, kaddr, len))
		return -EFAULT;
	c->ubuf += len;
	return 0;
}

static int vl_user_to_page(void *kaddr, size_t len, void *ctx)
{
	struct vl_copy *c = ctx;

	if (copy_from_user(kaddr, c->usrc, len))
		return -EFAULT;
	c->usrc += len;
	return 0;
}

int vl_phys_read(void *dst, u64 addr, u32 len)
{
	struct vl_copy c = { .kbuf = dst };

	return vl_phys_for_each(addr, len, vl_page_to_kernel, &c);
}

int vl_phys_write(u64 addr, const void *src, u32 len)
{
	struct vl_copy c = { .ksrc = src };

	return vl_phys_for_each(addr, len, vl_kernel_to_page, &c);
}

/* Walking a descriptor chain */

typedef int (*vl_seg_fn)(const struct vl_seg *seg, void *ctx);

/* A walk callback returns this to end the walk early, successfully. */
#define VL_WALK_STOP 1

static int vl_read_desc(struct vl_vq *vq, u64 table, unsigned int i,
			struct vring_desc *desc)
{
	if (!table) {
		*desc = vq->vring.desc[i];
		return 0;
	}
	return vl_phys_read(desc, table + (u64)i * sizeof(*desc), sizeof(*desc));
}

/*
 * Call @fn on each segment of the chain at @head.  -EINVAL (or -EFAULT)
 * for a chain the device cannot read; -E2BIG when it has more than
 * @max_segs segments, which is legal up to VL_CHAIN_MAX_SEGS.
 */
static int vl_walk_chain(struct vl_vq *vq, u16 head, unsigned int max_segs,
			 vl_seg_fn fn, void *ctx)
{
	struct virtio_device *vdev = &vq->dev->vdev;
	unsigned int i = head, size = vq->vring.num, steps = 0, nsegs = 0;
	bool seen_write = false;
	struct vring_desc desc;
	struct vl_seg seg;
	u64 table = 0;
	u16 flags;
	int err;

	for (;;) {
		/* More steps than entries means the chain loops. */
		if (i >= size || ++steps > size)
			return -EINVAL;
		err = vl_read_desc(vq, table, i, &desc);
		if (err)
			return err;
		flags = virtio16_to_cpu(vdev, desc.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			u32 len = virtio32_to_cpu(vdev, desc.len);

			if (table || (flags & VRING_DESC_F_NEXT) ||
			    !virtio_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC) ||
			    !len || len % sizeof(desc) ||
			    len / sizeof(desc) > VL_CHAIN_MAX_SEGS)
				return -EINVAL;
			table = virtio64_to_cpu(vdev, desc.addr);
			size = len / sizeof(desc);
			i = 0;
			steps = 0;
			continue;
		}

		seg.addr = virtio64_to_cpu(vdev, desc.addr);
		seg.len = virtio32_to_cpu(vdev, desc.len);
		seg.flags = flags & VRING_DESC_F_WRITE ? VIRTIO_LOOPBACK_SEG_WRITE : 0;
		if (!seg.flags && seen_write)
			return -EINVAL;
		seen_write |= seg.flags;
		if (++nsegs > VL_CHAIN_MAX_SEGS)
			return -EINVAL;
		if (nsegs > max_segs)
			return -E2BIG;
		err = fn(&seg, ctx);
		if (err)
			return err == VL_WALK_STOP ? 0 : err;

		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = virtio16_to_cpu(vdev, desc.next);
	}
}

static int vl_add_len(u32 *total, u32 len)
{
	return check_add_overflow(*total, len, total) ? -EINVAL : 0;
}

struct vl_collect {
	struct vl_chain *chain;
	struct vl_seg *segs;
};

static int vl_collect_seg(const struct vl_seg *seg, void *ctx)
{
	struct vl_collect *c = ctx;
	struct vl_chain *chain = c->chain;

	c->segs[chain->nsegs++] = *seg;
	return vl_add_len(seg->flags ? &chain->in_len : &chain->out_len,
			  seg->len);
}

static int vl_ends_seg(const struct vl_seg *seg, void *ctx)
{
	struct vl_chain_ends *ends = ctx;

	if (seg->flags) {
		if (!ends->n_in++)
			ends->first_in = *seg;
		if (seg->len)
			ends->last_in = *seg;
		return vl_add_len(&ends->in_len, seg->len);
	}
	if (!ends->n_out++)
		ends->first_out = *seg;
	return vl_add_len(&ends->out_len, seg->len);
}

/*
 * The log's records of chains.  A chain is walked again to log it, from
 * the driver's pages, while the device side still holds it: a request when
 * it is taken, a completion before its used entry is published, so the log
 * never shows what the driver has not been given, nor misses what it has.
 */

static int vl_page_to_log(void *kaddr, size_t len, void *ctx)
{
	vl_log_put(ctx, kaddr, len);
	return 0;
}

static int vl_log_seg_layout(const struct vl_seg *seg, void *ctx)
{
	struct virtio_loopback_log_seg s = {
		.len = cpu_to_le32(seg->len),
		.flags = cpu_to_le32(seg->flags),
	};

	vl_log_put(ctx, &s, sizeof(s));
	return 0;
}

static int vl_log_seg_out(const struct vl_seg *seg, void *ctx)
{
	if (seg->flags)
		return VL_WALK_STOP;
	return vl_phys_for_each(seg->addr, seg->len, vl_page_to_log, ctx);
}

struct vl_log_in {
	struct vl_log_writer *w;
	u32 left;
};

static int vl_log_seg_in(const struct vl_seg *seg, void *ctx)
{
	struct vl_log_in *in = ctx;
	u32 n = min(in->left, seg->len);

	if (!in->left)
		return VL_WALK_STOP;
	if (!seg->flags)
		return 0;
	in->left -= n;
	return vl_phys_for_each(seg->addr, n, vl_page_to_log, in->w);
}

/*
 * REQUEST: the chain's layout and out-data.  One longer than a request
 * message can carry is logged without them (it is failed, never delivered).
 */
static void vl_vq_log_request(struct vl_vq *vq, u16 head, u64 req_seq,
			      u16 flags)
{
	struct virtio_loopback_log_request p = {};
	const u32 fixed = sizeof(p) - sizeof(p.rec);
	struct vl_chain_ends ends = {};
	struct vl_log_writer w;
	unsigned int nsegs;
	u32 out_len;

	if (!vl_log_recording() ||
	    vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS, vl_ends_seg, &ends))
		return;
	nsegs = ends.n_out + ends.n_in;
	if (nsegs > VIRTIO_LOOPBACK_MAX_SEGS)
		nsegs = 0;
	out_len = nsegs ? ends.out_len : 0;
	p.req_seq = cpu_to_le64(req_seq);
	p.nsegs = cpu_to_le32(nsegs);
	p.out_len = cpu_to_le32(out_len);
	p.in_len = cpu_to_le32(ends.in_len);
	if (vl_log_begin(&w, VIRTIO_LOOPBACK_LOG_REQUEST, flags,
			 vq->dev->index, vq->index,
			 fixed + nsegs * sizeof(struct virtio_loopback_log_seg) +
			 out_len)) {
		vl_log_put(&w, (u8 *)&p + sizeof(p.rec), fixed);
		if (nsegs) {
			vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS,
				      vl_log_seg_layout, &w);
			vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS,
				      vl_log_seg_out, &w);
		}
	}
	vl_log_end(&w);
}

/*
 * COMPLETION: the first @len bytes of the chain's writable part, as the
 * backend wrote them, or what a fail rule wrote (@note).
 */
static void vl_vq_log_completion(struct vl_vq *vq, u16 head, u64 req_seq,
				 u16 flags, u32 used_len, u32 len,
				 const struct vl_fail_note *note)
{
	struct virtio_loopback_log_completion p = {};
	const u32 fixed = sizeof(p) - sizeof(p.rec);
	struct vl_log_writer w;
	struct vl_log_in in = { .w = &w, .left = len };

	if (!vl_log_recording())
		return;
	if (note)
		len = note->len;
	p.req_seq = cpu_to_le64(req_seq);
	p.used_len = cpu_to_le32(used_len);
	p.data_offset = cpu_to_le32(note ? note->offset : 0);
	p.data_len = cpu_to_le32(len);
	if (vl_log_begin(&w, VIRTIO_LOOPBACK_LOG_COMPLETION, flags,
			 vq->dev->index, vq->index, fixed + len)) {
		vl_log_put(&w, (u8 *)&p + sizeof(p.rec), fixed);
		if (note)
			vl_log_put(&w, note->data, len);
		else if (len)
			vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS,
				      vl_log_seg_in, &in);
	}
	vl_log_end(&w);
}

static void vl_vq_log_interrupt(struct vl_vq *vq, u16 used_idx)
{
	struct vl_log_writer w;
	__le32 p[2] = { cpu_to_le32(used_idx) };

	if (!vl_log_recording())
		return;
	if (vl_log_begin(&w, VIRTIO_LOOPBACK_LOG_INTERRUPT, 0, vq->dev->index,
			 vq->index, sizeof(p)))
		vl_log_put(&w, p, sizeof(p));
	vl_log_end(&w);
}

/* Taking requests from the avail ring */

static u16 vl_avail_idx(struct vl_vq *vq)
{
	__virtio16 idx;

	/* Acquire: the entries the index covers are read after it. */
	idx = smp_load_acquire(&vq->vring.avail->idx);
	return virtio16_to_cpu(&vq->dev->vdev, idx);
}

/* Stop the queue; vl_dev_report_work() tells the log and the driver. */
static void vl_vq_break(struct vl_vq *vq, const char *why, u16 head)
{
	lockdep_assert_held(&vq->lock);
	if (!vq->broken) {
		vq->broken = why;
		vq->broken_head = head;
	}
	vl_dev_report(vq->dev);
}

static u64 vl_request_id(struct vl_dev *dev, u16 head, u16 gen)
{
	return (u64)dev->epoch << 32 | (u32)gen << 16 | head;
}

/* Entries the device may take now; the caller holds vq->lock. */
static bool vl_vq_avail_locked(struct vl_vq *vq)
{
	return vq->enabled && !vq->broken && vl_dev_driver_ok(vq->dev) &&
	       vl_avail_idx(vq) != vq->last_avail_idx;
}

/* Safe from poll(): the lock keeps del_vqs() from freeing the ring under us. */
bool vl_vq_has_avail(struct vl_vq *vq)
{
	bool avail;

	spin_lock_irq(&vq->lock);
	avail = vl_vq_avail_locked(vq);
	spin_unlock_irq(&vq->lock);
	return avail;
}

/*
 * The head of the next avail entry, or -ENOENT when the driver put a bad
 * one there (the queue is then broken).  The caller holds vq->lock and
 * has seen an entry with vl_vq_avail_locked() or in dead mode.
 */
static int vl_vq_next_head(struct vl_vq *vq)
{
	unsigned int slot = vq->last_avail_idx % vq->vring.num;
	u16 head = virtio16_to_cpu(&vq->dev->vdev, vq->vring.avail->ring[slot]);

	if (head >= vq->vring.num || vq->inflight[head].state != VL_REQ_FREE) {
		vl_vq_break(vq, "avail ring names a bad head", head);
		return -ENOENT;
	}
	return head;
}

/*
 * Step past one avail entry.  With VIRTIO_RING_F_EVENT_IDX the driver kicks
 * only when it queues past avail_event, so it must follow: a device that
 * takes entries without moving it never hears of new ones.  The barrier
 * orders that store before the next look at avail->idx, which catches
 * what the driver queued while it still saw the old value.
 */
static void vl_vq_advance_avail(struct vl_vq *vq)
{
	struct virtio_device *vdev = &vq->dev->vdev;

	vq->last_avail_idx++;
	if (virtio_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
		vring_avail_event(&vq->vring) =
			cpu_to_virtio16(vdev, vq->last_avail_idx);
		/* avail_event before the next read of avail->idx. */
		smp_mb();
	}
}

/* Publish one used entry; the caller holds vq->lock. */
static void vl_vq_push_used(struct vl_vq *vq, u16 head, u32 len)
{
	struct virtio_device *vdev = &vq->dev->vdev;
	struct vring_used_elem *used;

	vq->inflight[head].state = VL_REQ_FREE;
	used = &vq->vring.used->ring[vq->used_idx % vq->vring.num];
	used->id = cpu_to_virtio32(vdev, head);
	used->len = cpu_to_virtio32(vdev, len);
	vq->used_idx++;
	/* The entry must be visible before the index that covers it. */
	smp_store_release(&vq->vring.used->idx,
			  cpu_to_virtio16(vdev, vq->used_idx));
	vq->completions++;
}

/*
 * Return a chain with the failure its driver understands (vl_devtype.c).
 * One the device cannot even read goes back with nothing written: that
 * only happens on removal, when holding it back would hang the driver.
 * The caller holds vq->lock.
 */
static void vl_vq_fail_locked(struct vl_vq *vq, u16 head)
{
	struct vl_inflight *req = &vq->inflight[head];
	struct vl_fail_note note = {};
	struct vl_chain_ends ends = {};
	u32 len = 0;

	/* A chain the backend never saw is logged as taken, then failed. */
	if (req->state == VL_REQ_FREE) {
		req->req_seq = vq->next_req_seq++;
		vl_vq_log_request(vq, head, req->req_seq,
				  VIRTIO_LOOPBACK_LOG_F_FAILED);
	}
	if (vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS, vl_ends_seg, &ends)) {
		vq->unreadable++;
		vl_dev_report(vq->dev);
	} else {
		len = vl_fail_request(vq->dev->device_id, &ends, &note);
	}
	vl_vq_log_completion(vq, head, req->req_seq,
			     VIRTIO_LOOPBACK_LOG_F_FAILED, len, 0, &note);
	vl_vq_push_used(vq, head, len);
}

/*
 * Describe the next chain of the avail ring in @chain and @segs without
 * taking it.  Returns 1 when there is one, 0 when the ring is empty, or an
 * error when the queue broke.  A chain with more segments than a request
 * message carries is legal: it is failed here, as a device without the
 * resources for it would, and the next one is looked at.
 */
int vl_vq_peek(struct vl_vq *vq, struct vl_chain *chain, struct vl_seg *segs)
{
	struct vl_collect collect = { .chain = chain, .segs = segs };
	bool failed = false;
	int head, ret = 0;

	spin_lock_irq(&vq->lock);
	while (vl_vq_avail_locked(vq)) {
		head = vl_vq_next_head(vq);
		if (head < 0) {
			ret = head;
			break;
		}
		chain->head = head;
		chain->avail_idx = vq->last_avail_idx;
		chain->nsegs = 0;
		chain->out_len = 0;
		chain->in_len = 0;
		ret = vl_walk_chain(vq, head, VIRTIO_LOOPBACK_MAX_SEGS,
				    vl_collect_seg, &collect);
		if (!ret) {
			chain->id = vl_request_id(vq->dev, head,
						  vq->inflight[head].gen + 1);
			ret = 1;
			break;
		}
		if (ret != -E2BIG) {
			vl_vq_break(vq, "malformed descriptor chain", head);
			break;
		}
		vl_vq_advance_avail(vq);
		vl_vq_fail_locked(vq, head);
		vq->oversized++;
		vl_dev_report(vq->dev);
		failed = true;
		ret = 0;
	}
	spin_unlock_irq(&vq->lock);

	if (failed)
		vl_vq_signal(vq);
	return ret;
}

/*
 * Take the chain vl_vq_peek() described: it becomes chain->id.  -EAGAIN if
 * it is no longer the next one (the caller looks again).
 */
int vl_vq_take(struct vl_vq *vq, const struct vl_chain *chain)
{
	struct vl_inflight *req = &vq->inflight[chain->head];
	int err = -EAGAIN;
	u64 req_seq = 0;

	spin_lock_irq(&vq->lock);
	if (vq->enabled && vq->last_avail_idx == chain->avail_idx &&
	    req->state == VL_REQ_FREE) {
		req->state = VL_REQ_DELIVERED;
		req->gen++;
		req->in_len = chain->in_len;
		req->req_seq = vq->next_req_seq++;
		req_seq = req->req_seq;
		vl_vq_advance_avail(vq);
		vq->requests++;
		err = 0;
	}
	spin_unlock_irq(&vq->lock);
	/* Before the backend can complete it: read() has not returned yet. */
	if (!err)
		vl_vq_log_request(vq, chain->head, req_seq, 0);
	return err;
}

/*
 * Play mode: take the chain as the request the log numbered @req_seq, so
 * that the log's completion finds it even when it was queued out of order.
 */
int vl_vq_take_played(struct vl_vq *vq, const struct vl_chain *chain,
		      u64 req_seq)
{
	int err = vl_vq_take(vq, chain);

	if (!err) {
		spin_lock_irq(&vq->lock);
		vq->inflight[chain->head].req_seq = req_seq;
		spin_unlock_irq(&vq->lock);
	}
	return err;
}

/* Copy a chain's out-data (its readable segments) to userspace. */
int vl_vq_copy_out(const struct vl_seg *segs, unsigned int nsegs,
		   u8 __user *dst)
{
	struct vl_copy c = { .ubuf = dst };
	unsigned int i;
	int err;

	for (i = 0; i < nsegs && !segs[i].flags; i++) {
		err = vl_phys_for_each(segs[i].addr, segs[i].len,
				       vl_page_to_user, &c);
		if (err)
			return err;
	}
	return 0;
}

/* Returning requests through the used ring */

struct vl_copy_in {
	const u8 __user *src;
	u32 left;
};

static int vl_copy_in_seg(const struct vl_seg *seg, void *ctx)
{
	struct vl_copy_in *in = ctx;
	struct vl_copy c = { .usrc = in->src };
	u32 n = min(in->left, seg->len);
	int err;

	if (!in->left)
		return VL_WALK_STOP;
	if (!seg->flags)
		return 0;
	err = vl_phys_for_each(seg->addr, n, vl_user_to_page, &c);
	if (err)
		return err;
	in->src += n;
	in->left -= n;
	return 0;
}

/*
 * Complete request @id with @len bytes of in-data from userspace.  A request
 * of an earlier epoch (before a reset) is void: its completion is accepted
 * and dropped, since the backend may not have read the reset yet.  Anything
 * else that does not name a request the backend holds is refused.  A failed
 * copy leaves the request in flight and the used ring untouched: the driver
 * sees nothing until a completion succeeds, and then exactly the bytes
 * copied.
 */
int vl_vq_complete(struct vl_vq *vq, u64 id, const u8 __user *data, u32 len)
{
	struct vl_copy_in in = { .src = data, .left = len };
	u16 head = id & 0xffff, gen = (id >> 16) & 0xffff;
	struct vl_inflight *req;
	int err;

	if (id >> 32 != vq->dev->epoch) {
		if (id >> 32 > vq->dev->epoch)
			return -ENOENT;
		vq->stale_completions++;
		return 0;
	}
	if (!vq->enabled || head >= vq->vring.num)
		return -ENOENT;

	req = &vq->inflight[head];
	spin_lock_irq(&vq->lock);
	if (req->state != VL_REQ_DELIVERED || req->gen != gen) {
		spin_unlock_irq(&vq->lock);
		return -ENOENT;
	}
	if (len > req->in_len) {
		spin_unlock_irq(&vq->lock);
		return -EMSGSIZE;
	}
	req->state = VL_REQ_COMPLETING;
	spin_unlock_irq(&vq->lock);

	err = vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS, vl_copy_in_seg, &in);
	if (!err)
		vl_vq_log_completion(vq, head, req->req_seq, 0, len - in.left,
				     len - in.left, NULL);

	spin_lock_irq(&vq->lock);
	if (err)
		req->state = VL_REQ_DELIVERED;
	else
		vl_vq_push_used(vq, head, len - in.left);
	spin_unlock_irq(&vq->lock);
	return err;
}

/* Play mode: in-data from the log, from @skip bytes into the writable part. */
struct vl_write_in {
	const u8 *src;
	u32 skip;
	u32 left;
};

static int vl_write_in_seg(const struct vl_seg *seg, void *ctx)
{
	struct vl_write_in *in = ctx;
	u32 skip, n;
	int err;

	if (!in->left)
		return VL_WALK_STOP;
	if (!seg->flags)
		return 0;
	skip = min(in->skip, seg->len);
	in->skip -= skip;
	n = min(in->left, seg->len - skip);
	if (!n)
		return 0;
	err = vl_phys_write(seg->addr + skip, in->src, n);
	if (err)
		return err;
	in->src += n;
	in->left -= n;
	return 0;
}

/*
 * Play mode: complete the request numbered @req_seq on the queue with what
 * the log says its device wrote: @len bytes at @offset of the writable
 * part, and @used_len.  -ENOENT when the driver has no such request in
 * flight (a reset forgot it), -EMSGSIZE when the chain is too short.
 */
int vl_vq_complete_played(struct vl_vq *vq, u64 req_seq, u32 offset,
			  const u8 *data, u32 len, u32 used_len)
{
	struct vl_write_in in = { .src = data, .skip = offset, .left = len };
	struct vl_inflight *req = NULL;
	unsigned int head;
	int err;

	spin_lock_irq(&vq->lock);
	for (head = 0; vq->enabled && head < vq->vring.num; head++) {
		if (vq->inflight[head].state == VL_REQ_DELIVERED &&
		    vq->inflight[head].req_seq == req_seq) {
			req = &vq->inflight[head];
			break;
		}
	}
	if (!req) {
		spin_unlock_irq(&vq->lock);
		return -ENOENT;
	}
	if (used_len > req->in_len || offset > req->in_len ||
	    len > req->in_len - offset) {
		spin_unlock_irq(&vq->lock);
		return -EMSGSIZE;
	}
	req->state = VL_REQ_COMPLETING;
	spin_unlock_irq(&vq->lock);

	err = vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS, vl_write_in_seg, &in);

	spin_lock_irq(&vq->lock);
	if (err)
		req->state = VL_REQ_DELIVERED;
	else
		vl_vq_push_used(vq, head, used_len);
	spin_unlock_irq(&vq->lock);
	return err;
}

struct vl_compare {
	const u8 *expected;
	u32 pos;
	u32 skip_from;		/* bytes [skip_from, skip_to) are not compared */
	u32 skip_to;
	u32 bad;
	u8 actual;
	bool differs;
};

static int vl_compare_bytes(struct vl_compare *c, const u8 *p, u32 len)
{
	u32 i;

	if (!memcmp(p, c->expected + c->pos, len)) {
		c->pos += len;
		return 0;
	}
	for (i = 0; p[i] == c->expected[c->pos + i]; i++)
		;
	c->bad = c->pos + i;
	c->actual = p[i];
	c->differs = true;
	return -EILSEQ;
}

static int vl_compare_page(void *kaddr, size_t len, void *ctx)
{
	struct vl_compare *c = ctx;
	const u8 *p = kaddr;
	u32 n;
	int err;

	/* Up to the skipped bytes, over them, and the rest. */
	if (c->pos < c->skip_from) {
		n = min_t(u32, len, c->skip_from - c->pos);
		err = vl_compare_bytes(c, p, n);
		if (err)
			return err;
		p += n;
		len -= n;
	}
	if (len && c->pos < c->skip_to) {
		n = min_t(u32, len, c->skip_to - c->pos);
		c->pos += n;
		p += n;
		len -= n;
	}
	return len ? vl_compare_bytes(c, p, len) : 0;
}

/*
 * Compare a chain's out-data with @expected (as long as the readable
 * segments), but for the @skip_len bytes at @skip: 0 when equal; -EILSEQ
 * with the first differing byte's offset and value when not; -EFAULT when
 * a segment cannot be read.
 */
int vl_vq_compare_out(const struct vl_seg *segs, unsigned int nsegs,
		      const u8 *expected, u32 skip, u32 skip_len,
		      u32 *bad_offset, u8 *actual)
{
	struct vl_compare c = {
		.expected = expected,
		.skip_from = skip,
		.skip_to = skip + skip_len,
	};
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < nsegs && !segs[i].flags; i++)
		err = vl_phys_for_each(segs[i].addr, segs[i].len,
				       vl_compare_page, &c);
	if (c.differs) {
		*bad_offset = c.bad;
		*actual = c.actual;
	}
	return err;
}

/* Requests the device holds: taken, not yet returned. */
unsigned int vl_vq_inflight(struct vl_vq *vq)
{
	unsigned int i, n = 0;

	spin_lock_irq(&vq->lock);
	for (i = 0; i < vq->dev->max_queue_size; i++)
		n += vq->inflight[i].state != VL_REQ_FREE;
	spin_unlock_irq(&vq->lock);
	return n;
}

/*
 * The backend is gone: fail every request it held and every chain still
 * in the avail ring, each under one hold of the lock, whatever the queue's
 * state: the driver's remove() waits for all of them.  Returns how many.
 */
int vl_vq_fail_all(struct vl_vq *vq)
{
	unsigned int head, n;
	int failed = 0;

	if (vq->posted_buf && !vq->broken)
		return vl_vq_post(vq, true);

	for (head = 0; head < vq->dev->max_queue_size; head++) {
		spin_lock_irq(&vq->lock);
		if (vq->enabled && head < vq->vring.num &&
		    vq->inflight[head].state == VL_REQ_DELIVERED) {
			vl_vq_fail_locked(vq, head);
			failed++;
		}
		spin_unlock_irq(&vq->lock);
	}

	/* At most a ring's worth: new kicks queue this work again. */
	for (n = 0; n < vq->dev->max_queue_size; n++) {
		spin_lock_irq(&vq->lock);
		if (!vq->enabled || vl_avail_idx(vq) == vq->last_avail_idx) {
			spin_unlock_irq(&vq->lock);
			break;
		}
		head = virtio16_to_cpu(&vq->dev->vdev,
				       vq->vring.avail->ring[vq->last_avail_idx %
							     vq->vring.num]);
		vl_vq_advance_avail(vq);
		/* A bad head has no chain to return: step past it. */
		if (head < vq->vring.num &&
		    vq->inflight[head].state == VL_REQ_FREE) {
			vl_vq_fail_locked(vq, head);
			failed++;
		}
		spin_unlock_irq(&vq->lock);
	}
	return failed;
}

/* Run the driver's callback, as a hardware interrupt would: one at a time. */
void vl_vq_interrupt(struct vl_vq *vq)
{
	spin_lock_bh(&vq->irq_lock);
	vring_interrupt(0, vq->vq);
	spin_unlock_bh(&vq->irq_lock);
}

/*
 * Interrupt the driver if it wants to hear of the used entries published
 * since the last interrupt: with VIRTIO_RING_F_EVENT_IDX when they pass its
 * used_event, otherwise unless it set VRING_AVAIL_F_NO_INTERRUPT.
 * vring_interrupt() runs the driver's callback; like a hardware interrupt it
 * must not race with softirqs on this CPU, so bottom halves are disabled.
 * Callers hold rings_sem, so the queue cannot be deleted meanwhile.
 */
void vl_vq_signal(struct vl_vq *vq)
{
	struct virtio_device *vdev = &vq->dev->vdev;
	bool need;
	u16 old;

	spin_lock_irq(&vq->lock);
	/* A stale completion may name a queue that is gone since. */
	if (!vq->enabled) {
		spin_unlock_irq(&vq->lock);
		return;
	}
	/* Order the used->idx store before reading the driver's wishes. */
	smp_mb();
	old = vq->signalled_used;
	if (virtio_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX))
		need = vring_need_event(virtio16_to_cpu(vdev,
							vring_used_event(&vq->vring)),
					vq->used_idx, old);
	else
		need = old != vq->used_idx &&
		       !(virtio16_to_cpu(vdev, vq->vring.avail->flags) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	vq->signalled_used = vq->used_idx;
	if (need)
		vq->interrupts++;
	old = vq->used_idx;
	spin_unlock_irq(&vq->lock);

	if (need) {
		vl_vq_log_interrupt(vq, old);
		vl_vq_interrupt(vq);
	}
}

/*
 * Posted queues: see vl_devtype.c for why.  Chains are copied into the
 * queue's byte ring and returned to the driver inside its notification;
 * the reader hands the bytes to the backend later, in records of at most
 * VL_POSTED_MAX bytes, so a chain of any length is taken.  Nothing of a
 * posted queue ever waits on the backend: when the ring has no room at
 * notification time, or the backend is gone, the chain is returned with
 * its bytes dropped and counted, as a UART drops on overrun; stalling
 * would leave the driver spinning with interrupts off.
 */

static void vl_posted_put(struct vl_vq *vq, u32 pos, const void *src, u32 len)
{
	u32 off = pos % VL_POSTED_BUF_SIZE;
	u32 first = min(len, VL_POSTED_BUF_SIZE - off);

	memcpy(vq->posted_buf + off, src, first);
	memcpy(vq->posted_buf, src + first, len - first);
}

static void vl_posted_get(struct vl_vq *vq, u32 pos, void *dst, u32 len)
{
	u32 off = pos % VL_POSTED_BUF_SIZE;
	u32 first = min(len, VL_POSTED_BUF_SIZE - off);

	memcpy(dst, vq->posted_buf + off, first);
	memcpy(dst + first, vq->posted_buf, len - first);
}

static int vl_posted_to_user(struct vl_vq *vq, u32 pos, char __user *dst,
			     u32 len)
{
	u32 off = pos % VL_POSTED_BUF_SIZE;
	u32 first = min(len, VL_POSTED_BUF_SIZE - off);

	if (copy_to_user(dst, vq->posted_buf + off, first) ||
	    copy_to_user(dst + first, vq->posted_buf, len - first))
		return -EFAULT;
	return 0;
}

/* Ring bytes taken by @len bytes of data, cut into records. */
static u32 vl_posted_space(u32 len)
{
	u32 full = len / VL_POSTED_MAX, rest = len % VL_POSTED_MAX;
	u32 space = full * (sizeof(u32) + VL_POSTED_MAX);

	if (rest || !len)
		space += sizeof(u32) + ALIGN(rest, sizeof(u32));
	return space;
}

struct vl_posted_fill {
	struct vl_vq *vq;
	u32 pos;		/* where the next byte goes */
	u32 left;		/* bytes of the chain not yet copied */
	u32 record_left;	/* bytes the current record still takes */
};

/* Start a record when the last one is full: its length, then its data. */
static void vl_posted_record(struct vl_posted_fill *fill)
{
	u32 len = min_t(u32, fill->left, VL_POSTED_MAX);

	fill->pos = ALIGN(fill->pos, sizeof(u32));
	vl_posted_put(fill->vq, fill->pos, &len, sizeof(len));
	fill->pos += sizeof(len);
	fill->record_left = len;
}

static int vl_page_to_posted(void *kaddr, size_t len, void *ctx)
{
	struct vl_posted_fill *fill = ctx;

	while (len) {
		u32 n;

		if (!fill->record_left)
			vl_posted_record(fill);
		n = min_t(u32, len, fill->record_left);
		vl_posted_put(fill->vq, fill->pos, kaddr, n);
		fill->pos += n;
		fill->left -= n;
		fill->record_left -= n;
		kaddr += n;
		len -= n;
	}
	return 0;
}

static int vl_post_seg(const struct vl_seg *seg, void *ctx)
{
	if (seg->flags)
		return 0;
	return vl_phys_for_each(seg->addr, seg->len, vl_page_to_posted, ctx);
}

/*
 * Play mode: there is no backend to hand a posted chain to; what it looked
 * like is kept for the play engine, as the log's REQUEST would show it.
 * The caller holds vq->lock.
 */
static int vl_crc_page(void *kaddr, size_t len, void *ctx)
{
	u32 *crc = ctx;

	*crc = vl_crc32c_update(*crc, kaddr, len);
	return 0;
}

static int vl_crc_seg_out(const struct vl_seg *seg, void *ctx)
{
	if (seg->flags)
		return VL_WALK_STOP;
	return vl_phys_for_each(seg->addr, seg->len, vl_crc_page, ctx);
}

static void vl_vq_see_posted(struct vl_vq *vq, u16 head,
			     const struct vl_chain_ends *ends)
{
	struct vl_posted_seen *seen;
	u32 crc = ~0U;

	if (vq->seen_head - vq->seen_tail >= VL_POSTED_SEEN) {
		vq->seen_lost = true;
		return;
	}
	seen = &vq->seen[vq->seen_head % VL_POSTED_SEEN];
	seen->req_seq = vq->next_req_seq;
	seen->nsegs = ends->n_out + ends->n_in;
	if (seen->nsegs > VIRTIO_LOOPBACK_MAX_SEGS)
		seen->nsegs = 0;
	seen->out_len = seen->nsegs ? ends->out_len : 0;
	seen->in_len = ends->in_len;
	if (seen->nsegs)
		vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS, vl_crc_seg_out, &crc);
	seen->crc = ~crc;
	vq->seen_head++;
	vq->posted++;
}

/* The oldest posted chain play mode has not matched yet. */
bool vl_vq_pop_seen(struct vl_vq *vq, struct vl_posted_seen *seen)
{
	bool found = false;

	spin_lock_irq(&vq->lock);
	if (vq->seen_head != vq->seen_tail) {
		*seen = vq->seen[vq->seen_tail % VL_POSTED_SEEN];
		vq->seen_tail++;
		found = true;
	}
	spin_unlock_irq(&vq->lock);
	return found;
}

/*
 * Post one chain; the caller holds vq->lock.  0, or -ENOSPC when the ring
 * is full and @drop is false.  A chain the device cannot read is returned
 * unread and counted: its driver spins until it is back.
 */
static int vl_vq_post_one(struct vl_vq *vq, u16 head, bool drop)
{
	struct vl_posted_fill fill = { .vq = vq, .pos = vq->posted_head };
	struct vl_chain_ends ends = {};
	u32 need, tail;
	int err;

	err = vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS, vl_ends_seg, &ends);
	if (err) {
		vq->unreadable++;
		vl_dev_report(vq->dev);
		goto done;
	}
	if (vq->seen) {
		vl_vq_see_posted(vq, head, &ends);
		goto done;
	}
	need = vl_posted_space(ends.out_len);
	/* Acquire: the reader is done with the bytes before we reuse them. */
	tail = smp_load_acquire(&vq->posted_tail);
	if (READ_ONCE(vq->dev->dead) ||
	    vq->posted_head - tail + need > VL_POSTED_BUF_SIZE) {
		if (!drop && !READ_ONCE(vq->dev->dead))
			return -ENOSPC;
		vq->posted_dropped += ends.out_len;
		vl_dev_report(vq->dev);
	} else {
		fill.left = ends.out_len;
		if (!fill.left)
			vl_posted_record(&fill);
		err = vl_walk_chain(vq, head, VL_CHAIN_MAX_SEGS, vl_post_seg,
				    &fill);
		if (err) {
			/* Changed under us: a driver bug; publish nothing. */
			vq->unreadable++;
			vl_dev_report(vq->dev);
		} else {
			/* Release: the records are whole before the reader sees them. */
			smp_store_release(&vq->posted_head, vq->posted_head + need);
			vq->posted++;
		}
	}
done:
	/* For the log, the device took the chain and completed it at once. */
	vq->inflight[head].req_seq = vq->next_req_seq++;
	vl_vq_log_request(vq, head, vq->inflight[head].req_seq,
			  VIRTIO_LOOPBACK_LOG_F_POSTED);
	vl_vq_log_completion(vq, head, vq->inflight[head].req_seq,
			     VIRTIO_LOOPBACK_LOG_F_POSTED, 0, 0, NULL);
	vl_vq_advance_avail(vq);
	vl_vq_push_used(vq, head, 0);
	return 0;
}

/*
 * Post what the avail ring holds.  Called in the driver's notification,
 * which may be atomic with interrupts off (printk through an hvc console
 * even runs it in hard interrupt context: hence the lock is taken with
 * interrupts off everywhere), and by the reader after it has made room.
 * The driver's interrupt comes from a work item.
 */
int vl_vq_post(struct vl_vq *vq, bool in_notify)
{
	int posted = 0, head, err = 0;
	unsigned long flags;

	spin_lock_irqsave(&vq->lock, flags);
	while (!err && (vl_vq_avail_locked(vq) ||
			(READ_ONCE(vq->dev->dead) && vq->enabled && !vq->broken &&
			 vl_avail_idx(vq) != vq->last_avail_idx))) {
		head = vl_vq_next_head(vq);
		if (head < 0)
			break;
		err = vl_vq_post_one(vq, head, in_notify);
		if (!err)
			posted++;
	}
	spin_unlock_irqrestore(&vq->lock, flags);

	if (posted)
		queue_work(vl_wq, &vq->signal_work);
	return posted;
}

bool vl_vq_has_posted(struct vl_vq *vq)
{
	return vq->posted_buf &&
	       READ_ONCE(vq->posted_head) != READ_ONCE(vq->posted_tail);
}

/* Hand posted records to the backend as REQUEST messages with F_POSTED. */
ssize_t vl_vq_read_posted(struct vl_vq *vq, char __user *buf, size_t count)
{
	u8 hdr_buf[sizeof(struct virtio_loopback_msg_request) +
		   sizeof(struct virtio_loopback_seg)];
	struct virtio_loopback_msg_request *m = (void *)hdr_buf;
	u32 tail = vq->posted_tail, head, len;
	size_t pos = 0, msg_len;

	/* Acquire: pairs with the release in vl_vq_post_one(). */
	head = smp_load_acquire(&vq->posted_head);
	while (tail != head) {
		vl_posted_get(vq, tail, &len, sizeof(len));
		msg_len = ALIGN(sizeof(hdr_buf) + len, VIRTIO_LOOPBACK_MSG_ALIGN);
		if (msg_len > count - pos) {
			if (!pos)
				vq->dev->read_size_needed = msg_len;
			return pos ? pos : -ENOSPC;
		}

		memset(hdr_buf, 0, sizeof(hdr_buf));
		m->hdr.type = VIRTIO_LOOPBACK_MSG_REQUEST;
		m->hdr.flags = VIRTIO_LOOPBACK_MSG_F_POSTED;
		m->hdr.len = msg_len;
		m->queue = vq->index;
		m->nsegs = 1;
		m->out_len = len;
		m->segs[0].len = len;
		if (copy_to_user(buf + pos, hdr_buf, sizeof(hdr_buf)) ||
		    vl_posted_to_user(vq, tail + sizeof(len),
				      buf + pos + sizeof(hdr_buf), len) ||
		    clear_user(buf + pos + sizeof(hdr_buf) + len,
			       msg_len - sizeof(hdr_buf) - len)) {
			if (!pos)
				vq->dev->read_size_needed = msg_len;
			return pos ? pos : -EFAULT;
		}

		tail += sizeof(len) + ALIGN(len, sizeof(len));
		/* Release: done with the bytes before the producer reuses them. */
		smp_store_release(&vq->posted_tail, tail);
		pos += msg_len;
	}
	return pos;
}

void vl_vq_signal_work(struct work_struct *work)
{
	struct vl_vq *vq = container_of(work, struct vl_vq, signal_work);

	down_read(&vq->dev->rings_sem);
	vl_vq_signal(vq);
	up_read(&vq->dev->rings_sem);
}

void vl_vq_setup(struct vl_vq *vq, struct virtqueue *virtqueue)
{
	vq->vq = virtqueue;
	vq->vring = *virtqueue_get_vring(virtqueue);
	virtqueue->priv = vq;
	vl_vq_reset(vq);
	spin_lock_irq(&vq->lock);
	vq->enabled = true;
	spin_unlock_irq(&vq->lock);
}

void vl_vq_teardown(struct vl_vq *vq)
{
	vl_vq_reset(vq);
	vq->vq = NULL;
}

/* Forget every request: after a reset the driver owns all its buffers. */
void vl_vq_reset(struct vl_vq *vq)
{
	unsigned int i;

	spin_lock_irq(&vq->lock);
	vq->enabled = false;
	vq->broken = NULL;
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->next_req_seq = 0;
	vq->posted_head = 0;
	vq->posted_tail = 0;
	vq->seen_head = 0;
	vq->seen_tail = 0;
	for (i = 0; i < vq->dev->max_queue_size; i++)
		vq->inflight[i].state = VL_REQ_FREE;
	spin_unlock_irq(&vq->lock);
}
