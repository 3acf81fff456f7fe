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
 */
#include <linux/highmem.h>
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/virtio_config.h>

#include "vl_internal.h"

/* Visit each page-sized piece of a physical range. */
typedef int (*vl_page_fn)(void *kaddr, size_t len, void *ctx);

static int vl_phys_for_each(u64 addr, u32 len, vl_page_fn fn, void *ctx)
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

static int vl_walk_chain(struct vl_vq *vq, u16 head, vl_seg_fn fn, void *ctx)
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
			    len / sizeof(desc) > VIRTIO_LOOPBACK_MAX_SEGS)
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
		if (++nsegs > VIRTIO_LOOPBACK_MAX_SEGS)
			return -EINVAL;
		err = fn(&seg, ctx);
		if (err)
			return err == VL_WALK_STOP ? 0 : err;

		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = virtio16_to_cpu(vdev, desc.next);
	}
}

struct vl_collect {
	struct vl_chain *chain;
	struct vl_seg *segs;
};

static int vl_collect_seg(const struct vl_seg *seg, void *ctx)
{
	struct vl_collect *c = ctx;
	struct vl_chain *chain = c->chain;
	u32 *total = seg->flags ? &chain->in_len : &chain->out_len;

	if (check_add_overflow(*total, seg->len, total))
		return -EINVAL;
	c->segs[chain->nsegs++] = *seg;
	return 0;
}

/* Taking requests from the avail ring */

static u16 vl_avail_idx(struct vl_vq *vq)
{
	__virtio16 idx;

	/* Acquire: the entries the index covers are read after it. */
	idx = smp_load_acquire(&vq->vring.avail->idx);
	return virtio16_to_cpu(&vq->dev->vdev, idx);
}

static void vl_vq_break(struct vl_vq *vq, const char *why, u16 head)
{
	vq->broken = true;
	dev_err_ratelimited(&vq->dev->vdev.dev,
			    "queue %u: %s (head %u); queue stopped\n",
			    vq->index, why, head);
}

static u64 vl_request_id(struct vl_dev *dev, u16 head, u16 gen)
{
	return (u64)dev->epoch << 32 | (u32)gen << 16 | head;
}

/* Safe from poll(): the lock keeps del_vqs() from freeing the ring under us. */
bool vl_vq_has_avail(struct vl_vq *vq)
{
	bool avail;

	spin_lock_irq(&vq->lock);
	avail = vq->enabled && !vq->broken &&
		vl_avail_idx(vq) != vq->last_avail_idx;
	spin_unlock_irq(&vq->lock);
	return avail;
}

/*
 * Describe the next chain of the avail ring in @chain and @segs without
 * taking it.  Returns 1 when there is one, 0 when the ring is empty.
 */
int vl_vq_peek(struct vl_vq *vq, struct vl_chain *chain, struct vl_seg *segs)
{
	struct vl_collect collect = { .chain = chain, .segs = segs };
	unsigned int slot;
	int err;

	if (!vl_vq_has_avail(vq))
		return 0;

	slot = vq->last_avail_idx % vq->vring.num;
	chain->head = virtio16_to_cpu(&vq->dev->vdev, vq->vring.avail->ring[slot]);
	chain->nsegs = 0;
	chain->out_len = 0;
	chain->in_len = 0;
	err = vl_walk_chain(vq, chain->head, vl_collect_seg, &collect);
	if (err) {
		vl_vq_break(vq, "malformed descriptor chain", chain->head);
		return err;
	}
	/* Only the reader takes heads, so the next generation is known. */
	chain->id = vl_request_id(vq->dev, chain->head,
				  vq->inflight[chain->head].gen + 1);
	return 1;
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

/* Take the chain vl_vq_peek() described: it becomes chain->id. */
int vl_vq_take(struct vl_vq *vq, const struct vl_chain *chain)
{
	struct vl_inflight *req = &vq->inflight[chain->head];

	spin_lock_irq(&vq->lock);
	if (req->state != VL_REQ_FREE) {
		spin_unlock_irq(&vq->lock);
		vl_vq_break(vq, "driver reused a head still in flight", chain->head);
		return -EINVAL;
	}
	req->state = VL_REQ_DELIVERED;
	req->gen++;
	req->in_len = chain->in_len;
	vl_vq_advance_avail(vq);
	vq->requests++;
	spin_unlock_irq(&vq->lock);
	return 0;
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
 * else that does not name a request the backend holds is refused, and a
 * failed copy leaves the request in flight.
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

	err = vl_walk_chain(vq, head, vl_copy_in_seg, &in);

	spin_lock_irq(&vq->lock);
	if (err)
		req->state = VL_REQ_DELIVERED;
	else
		vl_vq_push_used(vq, head, len);
	spin_unlock_irq(&vq->lock);
	return err;
}

/* Fail one chain the way its driver understands, and return it. */
static void vl_vq_fail(struct vl_vq *vq, u16 head, struct vl_seg *segs)
{
	struct vl_chain chain = { .head = head };
	struct vl_collect collect = { .chain = &chain, .segs = segs };
	u32 len = 0;

	if (!vl_walk_chain(vq, head, vl_collect_seg, &collect))
		len = vl_fail_request(vq->dev->device_id, segs, chain.nsegs);

	spin_lock_irq(&vq->lock);
	vl_vq_push_used(vq, head, len);
	spin_unlock_irq(&vq->lock);
}

/*
 * The backend is gone: fail every request it held and every request still
 * in the avail ring.  Returns how many were failed.  The caller holds the
 * reader's mutex, so @segs, the reader's scratch, is free.
 */
int vl_vq_fail_inflight(struct vl_vq *vq, struct vl_seg *segs)
{
	unsigned int head;
	int failed = 0;

	if (!vq->enabled)
		return 0;

	for (head = 0; head < vq->vring.num; head++) {
		if (vq->inflight[head].state == VL_REQ_FREE)
			continue;
		vl_vq_fail(vq, head, segs);
		failed++;
	}
	while (!vq->broken && vl_avail_idx(vq) != vq->last_avail_idx) {
		unsigned int slot = vq->last_avail_idx % vq->vring.num;
		u16 head = virtio16_to_cpu(&vq->dev->vdev,
					   vq->vring.avail->ring[slot]);

		if (head >= vq->vring.num) {
			vl_vq_break(vq, "avail ring names a bad head", head);
			break;
		}
		spin_lock_irq(&vq->lock);
		vl_vq_advance_avail(vq);
		spin_unlock_irq(&vq->lock);
		vl_vq_fail(vq, head, segs);
		failed++;
	}
	return failed;
}

/*
 * Interrupt the driver if it wants to hear of the used entries published
 * since the last interrupt: with VIRTIO_RING_F_EVENT_IDX when they pass its
 * used_event, otherwise unless it set VRING_AVAIL_F_NO_INTERRUPT.
 * vring_interrupt() runs the driver's callback; like a hardware interrupt it
 * must not race with softirqs on this CPU, so bottom halves are disabled.
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
	spin_unlock_irq(&vq->lock);

	if (need) {
		local_bh_disable();
		vring_interrupt(0, vq->vq);
		local_bh_enable();
	}
}

/*
 * Posted queues: see vl_devtype.c for why.  Chains are copied into the
 * queue's byte ring and returned to the driver inside its notification;
 * the reader hands the bytes to the backend later.  Nothing of a posted
 * queue ever waits on the backend: when the ring is full at notification
 * time, the chain is returned with its bytes dropped and counted, as a
 * UART drops on overrun; stalling would leave the driver spinning with
 * interrupts off.  A chain larger than VL_POSTED_MAX breaks the queue.
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

static int vl_sum_out(const struct vl_seg *seg, void *ctx)
{
	u32 *len = ctx;

	if (seg->flags)
		return 0;
	if (seg->len > VL_POSTED_MAX - *len)
		return -E2BIG;
	*len += seg->len;
	return 0;
}

struct vl_posted_fill {
	struct vl_vq *vq;
	u32 pos;
};

static int vl_page_to_posted(void *kaddr, size_t len, void *ctx)
{
	struct vl_posted_fill *fill = ctx;

	vl_posted_put(fill->vq, fill->pos, kaddr, len);
	fill->pos += len;
	return 0;
}

static int vl_post_seg(const struct vl_seg *seg, void *ctx)
{
	if (seg->flags)
		return 0;
	return vl_phys_for_each(seg->addr, seg->len, vl_page_to_posted, ctx);
}

/*
 * Post one chain; the caller holds vq->lock.  0, or -ENOSPC when the ring
 * is full and @drop is false, or another error for a chain it cannot take.
 */
static int vl_vq_post_one(struct vl_vq *vq, u16 head, bool drop)
{
	struct vl_posted_fill fill = { .vq = vq };
	u32 len = 0, need, tail;
	int err;

	err = vl_walk_chain(vq, head, vl_sum_out, &len);
	if (err)
		return err;
	need = sizeof(len) + ALIGN(len, sizeof(len));
	/* Acquire: the reader is done with the bytes before we reuse them. */
	tail = smp_load_acquire(&vq->posted_tail);
	if (vq->posted_head - tail + need > VL_POSTED_BUF_SIZE) {
		if (!drop)
			return -ENOSPC;
		if (!vq->posted_dropped)
			dev_warn_ratelimited(&vq->dev->vdev.dev,
					     "queue %u: the backend is not reading; output dropped\n",
					     vq->index);
		vq->posted_dropped += len;
		vl_vq_advance_avail(vq);
		vl_vq_push_used(vq, head, 0);
		return 0;
	}

	fill.pos = vq->posted_head;
	vl_posted_put(vq, fill.pos, &len, sizeof(len));
	fill.pos += sizeof(len);
	err = vl_walk_chain(vq, head, vl_post_seg, &fill);
	if (err)
		return err;
	/* Release: the record is complete before the reader sees it. */
	smp_store_release(&vq->posted_head, vq->posted_head + need);
	vl_vq_advance_avail(vq);
	vl_vq_push_used(vq, head, 0);
	vq->posted++;
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
	int posted = 0, err = 0;
	unsigned long flags;

	spin_lock_irqsave(&vq->lock, flags);
	while (!err && vq->enabled && !vq->broken &&
	       vl_avail_idx(vq) != vq->last_avail_idx) {
		unsigned int slot = vq->last_avail_idx % vq->vring.num;
		u16 head = virtio16_to_cpu(&vq->dev->vdev,
					   vq->vring.avail->ring[slot]);

		if (head >= vq->vring.num ||
		    vq->inflight[head].state != VL_REQ_FREE) {
			vl_vq_break(vq, "avail ring names a bad head", head);
			break;
		}
		err = vl_vq_post_one(vq, head, in_notify);
		if (!err)
			posted++;
		else if (err == -E2BIG)
			vl_vq_break(vq, "chain too large for a posted queue", head);
		else if (err != -ENOSPC)
			vl_vq_break(vq, "malformed descriptor chain", head);
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
		if (msg_len > count - pos)
			return pos ? pos : -ENOSPC;

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
			       msg_len - sizeof(hdr_buf) - len))
			return pos ? pos : -EFAULT;

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
	vq->broken = false;
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->posted_head = 0;
	vq->posted_tail = 0;
	for (i = 0; i < vq->dev->max_queue_size; i++)
		vq->inflight[i].state = VL_REQ_FREE;
	spin_unlock_irq(&vq->lock);
}
