// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: the backend channel, /dev/virtio-loopback.
 *
 * One open file is one userspace device.  ioctl() creates it; read() turns
 * what the driver did into messages (control events first, then requests
 * with their layout and out-data); write() turns completions and config
 * changes into used entries, in-data and interrupts.  The node is root-only
 * (mode 0600): a backend decides what the kernel's drivers see.
 *
 * The message formats are in include/uapi/linux/virtio_loopback.h.
 * Everything userspace sends is checked before it takes effect.
 *
 * Copies to and from the backend's buffers run under rings_sem with page
 * faults disabled.  A buffer whose pages must be faulted in (swapped out,
 * userfaultfd, a FUSE mapping, a file on the device being served) would
 * otherwise hold rings_sem, and with it the driver's reset, for as long as
 * userspace likes.  A copy that faults gives up with nothing taken; the
 * pages are faulted in with no lock held, and the batch is tried again.
 *
 * The stop command freezes the device side: read() then delivers control
 * messages and posted data (the driver has those chains back) but no
 * request, write() waits for cont.
 *
 * While recording with a log reader attached, the backend waits here, with
 * no lock held, for the log to have room for the records its next request
 * or completion makes: the backend goes at the log reader's pace, and the
 * driver never waits on either (vl_log.c).
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/pagemap.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vl_internal.h"

#define VL_ALIGN(x) ALIGN(x, VIRTIO_LOOPBACK_MSG_ALIGN)

/* Fault-ins in a row before a copy that keeps faulting gives up. */
#define VL_FAULT_RETRIES 8

static struct vl_dev *vl_file_dev(struct file *file)
{
	/* Published by cmpxchg() once the device is complete. */
	return smp_load_acquire((struct vl_dev **)&file->private_data);
}

/* read(): control events */

struct vl_events {
	unsigned long pending;
	DECLARE_BITMAP(queues, VIRTIO_LOOPBACK_MAX_QUEUES);
	u32 config_start, config_end;
};

static void vl_events_take(struct vl_dev *dev, struct vl_events *ev)
{
	spin_lock(&dev->events_lock);
	ev->pending = dev->pending;
	dev->pending = 0;
	bitmap_copy(ev->queues, dev->queues_changed, VIRTIO_LOOPBACK_MAX_QUEUES);
	bitmap_zero(dev->queues_changed, VIRTIO_LOOPBACK_MAX_QUEUES);
	ev->config_start = dev->config_dirty_start;
	ev->config_end = dev->config_dirty_end;
	spin_unlock(&dev->events_lock);
}

/* The events could not be delivered: report them again next time. */
static void vl_events_restore(struct vl_dev *dev, const struct vl_events *ev)
{
	spin_lock(&dev->events_lock);
	if (test_bit(VL_PENDING_CONFIG, &ev->pending)) {
		if (test_bit(VL_PENDING_CONFIG, &dev->pending)) {
			dev->config_dirty_start = min(dev->config_dirty_start,
						      ev->config_start);
			dev->config_dirty_end = max(dev->config_dirty_end,
						    ev->config_end);
		} else {
			dev->config_dirty_start = ev->config_start;
			dev->config_dirty_end = ev->config_end;
		}
	}
	dev->pending |= ev->pending;
	bitmap_or(dev->queues_changed, dev->queues_changed, ev->queues,
		  VIRTIO_LOOPBACK_MAX_QUEUES);
	spin_unlock(&dev->events_lock);
}

static void *vl_put_msg(u8 **p, u16 type, u32 len)
{
	struct virtio_loopback_msg *hdr = (void *)*p;

	memset(hdr, 0, VL_ALIGN(len));
	hdr->type = type;
	hdr->len = VL_ALIGN(len);
	*p += hdr->len;
	return hdr;
}

/* Encode the events into dev->msg_buf; returns the bytes used. */
static size_t vl_events_encode(struct vl_dev *dev, const struct vl_events *ev)
{
	u8 *p = dev->msg_buf;
	unsigned int q;

	if (test_bit(VL_PENDING_RESET, &ev->pending)) {
		struct virtio_loopback_msg_reset *m;

		m = vl_put_msg(&p, VIRTIO_LOOPBACK_MSG_RESET, sizeof(*m));
		m->epoch = dev->epoch;
	}
	if (test_bit(VL_PENDING_FEATURES, &ev->pending)) {
		struct virtio_loopback_msg_features *m;

		m = vl_put_msg(&p, VIRTIO_LOOPBACK_MSG_FEATURES, sizeof(*m));
		m->driver_features = dev->driver_features;
	}
	for_each_set_bit(q, ev->queues, dev->num_queues) {
		struct virtio_loopback_msg_queue *m;

		m = vl_put_msg(&p, VIRTIO_LOOPBACK_MSG_QUEUE, sizeof(*m));
		m->queue = q;
		m->size = dev->vqs[q].enabled ? dev->vqs[q].vring.num : 0;
	}
	if (test_bit(VL_PENDING_CONFIG, &ev->pending)) {
		struct virtio_loopback_msg_config *m;
		u32 size = ev->config_end - ev->config_start;

		m = vl_put_msg(&p, VIRTIO_LOOPBACK_MSG_CONFIG, sizeof(*m) + size);
		m->offset = ev->config_start;
		m->size = size;
		spin_lock(&dev->config_lock);
		memcpy(m->data, dev->config + ev->config_start, size);
		spin_unlock(&dev->config_lock);
	}
	if (test_bit(VL_PENDING_STATUS, &ev->pending)) {
		struct virtio_loopback_msg_status *m;

		m = vl_put_msg(&p, VIRTIO_LOOPBACK_MSG_STATUS, sizeof(*m));
		m->status = READ_ONCE(dev->status);
	}
	return p - dev->msg_buf;
}

static ssize_t vl_read_events(struct vl_dev *dev, char __user *buf,
			      size_t count)
{
	struct vl_events ev;
	size_t len;

	vl_events_take(dev, &ev);
	if (!ev.pending && bitmap_empty(ev.queues, VIRTIO_LOOPBACK_MAX_QUEUES))
		return 0;
	len = vl_events_encode(dev, &ev);
	if (len > count || copy_to_user(buf, dev->msg_buf, len)) {
		vl_events_restore(dev, &ev);
		dev->read_size_needed = len;
		return len > count ? -ENOSPC : -EFAULT;
	}
	return len;
}

/* read(): requests */

static ssize_t vl_read_request(struct vl_dev *dev, struct vl_vq *vq,
			       char __user *buf, size_t count)
{
	struct virtio_loopback_msg_request *m = (void *)dev->msg_buf;
	size_t head_len, len;
	struct vl_chain chain;
	unsigned int i;

	/* A malformed chain stops its queue (logged); the others go on. */
	if (vl_vq_peek(vq, &chain, dev->segs) <= 0)
		return 0;

	head_len = struct_size(m, segs, chain.nsegs);
	len = VL_ALIGN(head_len + chain.out_len);
	dev->read_size_needed = len;
	if (len > count)
		return -ENOSPC;
	dev->log_room_needed = sizeof(struct virtio_loopback_log_request) +
			       chain.nsegs * sizeof(struct virtio_loopback_log_seg) +
			       chain.out_len;
	if (!vl_log_has_room(dev->log_room_needed))
		return -ENOBUFS;

	memset(m, 0, head_len);
	m->hdr.type = VIRTIO_LOOPBACK_MSG_REQUEST;
	m->hdr.len = len;
	m->id = chain.id;
	m->queue = vq->index;
	m->nsegs = chain.nsegs;
	m->out_len = chain.out_len;
	m->in_len = chain.in_len;
	for (i = 0; i < chain.nsegs; i++) {
		m->segs[i].len = dev->segs[i].len;
		m->segs[i].flags = dev->segs[i].flags;
	}
	if (copy_to_user(buf, m, head_len) ||
	    vl_vq_copy_out(dev->segs, chain.nsegs, buf + head_len) ||
	    clear_user(buf + head_len + chain.out_len,
		       len - head_len - chain.out_len))
		return -EFAULT;

	/* Only now is the request the backend's; if it is gone, look again. */
	return vl_vq_take(vq, &chain) ? 0 : len;
}

/* Make room in a posted queue's ring, then move what waits into it. */
static ssize_t vl_read_posted_queue(struct vl_vq *vq, char __user *buf,
				    size_t count)
{
	ssize_t first, more;

	first = vl_vq_read_posted(vq, buf, count);
	if (first < 0 || !vl_vq_post(vq, false))
		return first;
	more = vl_vq_read_posted(vq, buf + first, count - first);
	return more < 0 ? first : first + more;
}

/* Requests of one ordinary queue, as many as fit. */
static ssize_t vl_read_queue(struct vl_dev *dev, struct vl_vq *vq,
			     char __user *buf, size_t count)
{
	size_t pos = 0;
	ssize_t ret;

	while ((ret = vl_read_request(dev, vq, buf + pos, count - pos)) > 0)
		pos += ret;
	return pos ? pos : ret;
}

static ssize_t vl_read_requests(struct vl_dev *dev, char __user *buf,
				size_t count)
{
	unsigned int n, first = dev->next_queue;
	size_t pos = 0;
	ssize_t ret = 0;

	/* Start at another queue each time, so no queue starves the others. */
	for (n = 0; n < dev->num_queues; n++) {
		struct vl_vq *vq = &dev->vqs[(first + n) % dev->num_queues];

		/*
		 * A posted queue's chains never reach the backend as requests;
		 * the driver has them back already, so they flow even while
		 * frozen.  Frozen (stop), no other request is taken.
		 */
		if (vq->posted_buf)
			ret = vl_read_posted_queue(vq, buf + pos, count - pos);
		else if (!vl_frozen())
			ret = vl_read_queue(dev, vq, buf + pos, count - pos);
		else
			ret = 0;
		if (ret < 0)
			break;
		pos += ret;
	}
	dev->next_queue = (first + 1) % dev->num_queues;
	return pos ? pos : ret;
}

static ssize_t vl_read_batch(struct vl_dev *dev, char __user *buf,
			     size_t count)
{
	/* Before the events: requests never overtake the STATUS of DRIVER_OK. */
	bool serving = vl_dev_driver_ok(dev);
	ssize_t events, requests;

	events = vl_read_events(dev, buf, count);
	if (events < 0 || !serving)
		return events;
	requests = vl_read_requests(dev, buf + events, count - events);
	if (requests < 0)
		return events ? events : requests;
	return events + requests;
}

static ssize_t vl_chardev_read(struct file *file, char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct vl_dev *dev = vl_file_dev(file);
	unsigned int faults = 0;
	size_t need;
	ssize_t ret;

	if (!dev)
		return -ENODEV;
	for (;;) {
		/* Requests and completions are logged now: a fresh icount. */
		vl_icount_sample();
		if (mutex_lock_interruptible(&dev->read_mutex))
			return -ERESTARTSYS;
		down_read(&dev->rings_sem);
		pagefault_disable();
		ret = vl_read_batch(dev, buf, count);
		pagefault_enable();
		need = min_t(size_t, count, dev->read_size_needed);
		up_read(&dev->rings_sem);
		mutex_unlock(&dev->read_mutex);
		if (ret == -EFAULT && ++faults <= VL_FAULT_RETRIES &&
		    !fault_in_writeable(buf, need))
			continue;
		if (ret == -ENOBUFS) {
			if (vl_log_wait_room(dev->log_room_needed))
				return -ERESTARTSYS;
			continue;
		}
		if (ret)
			return ret;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(dev->waitq, vl_dev_has_work(dev)))
			return -ERESTARTSYS;
	}
}

/* write() */

static int vl_write_complete(struct vl_dev *dev, const char __user *buf,
			     u32 len, unsigned long *signal)
{
	struct virtio_loopback_msg_complete m;
	int err;

	if (len < sizeof(m) || copy_from_user(&m, buf, sizeof(m)))
		return len < sizeof(m) ? -EINVAL : -EFAULT;
	if (m.queue >= dev->num_queues ||
	    len != VL_ALIGN(sizeof(m) + (u64)m.len))
		return -EINVAL;
	dev->log_room_needed = sizeof(struct virtio_loopback_log_completion) +
			       m.len;
	if (!vl_log_has_room(dev->log_room_needed))
		return -ENOBUFS;
	err = vl_vq_complete(&dev->vqs[m.queue], m.id, buf + sizeof(m), m.len);
	if (!err)
		__set_bit(m.queue, signal);
	return err;
}

static int vl_write_config_change(struct vl_dev *dev, const char __user *buf,
				  u32 len)
{
	struct virtio_loopback_msg_config m;
	u8 *data;

	if (len < sizeof(m) || copy_from_user(&m, buf, sizeof(m)))
		return len < sizeof(m) ? -EINVAL : -EFAULT;
	if (m.offset > dev->config_size || m.size > dev->config_size - m.offset ||
	    len != VL_ALIGN(sizeof(m) + (u64)m.size))
		return -EINVAL;
	data = memdup_user(buf + sizeof(m), m.size);
	if (IS_ERR(data))
		return PTR_ERR(data);
	vl_dev_config_change(dev, m.offset, data, m.size);
	kfree(data);
	return 0;
}

static int vl_write_msg(struct vl_dev *dev, const char __user *buf,
			size_t count, u32 *len, unsigned long *signal)
{
	struct virtio_loopback_msg hdr;

	*len = sizeof(hdr);
	if (count < sizeof(hdr))
		return -EINVAL;
	if (copy_from_user(&hdr, buf, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.len < sizeof(hdr) || hdr.len > count ||
	    hdr.len % VIRTIO_LOOPBACK_MSG_ALIGN)
		return -EINVAL;
	*len = hdr.len;

	switch (hdr.type) {
	case VIRTIO_LOOPBACK_MSG_COMPLETE:
		return vl_write_complete(dev, buf, hdr.len, signal);
	case VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE:
		return vl_write_config_change(dev, buf, hdr.len);
	}
	return -EINVAL;
}

/* The messages of one write(), under rings_sem with page faults disabled. */
static int vl_write_batch(struct vl_dev *dev, const char __user *buf,
			  size_t count, size_t *pos, u32 *len)
{
	DECLARE_BITMAP(signal, VIRTIO_LOOPBACK_MAX_QUEUES) = { 0 };
	unsigned int q;
	int err = 0;

	down_read(&dev->rings_sem);
	pagefault_disable();
	while (*pos < count) {
		err = vl_write_msg(dev, buf + *pos, count - *pos, len, signal);
		if (err)
			break;
		*pos += *len;
	}
	pagefault_enable();
	/* One interrupt per queue for the whole batch. */
	for_each_set_bit(q, signal, dev->num_queues)
		vl_vq_signal(&dev->vqs[q]);
	up_read(&dev->rings_sem);
	return err;
}

static ssize_t vl_chardev_write(struct file *file, const char __user *buf,
				size_t count, loff_t *ppos)
{
	struct vl_dev *dev = vl_file_dev(file);
	unsigned int faults = 0;
	size_t pos = 0;
	int err;
	u32 len;

	if (!dev)
		return -ENODEV;

	for (;;) {
		/* Requests and completions are logged now: a fresh icount. */
		vl_icount_sample();
		/* Frozen (stop): the device side completes nothing until cont. */
		if (vl_frozen()) {
			if (file->f_flags & O_NONBLOCK)
				return -EAGAIN;
			if (wait_event_interruptible(vl_thaw_wait, !vl_frozen()))
				return -ERESTARTSYS;
			continue;
		}
		err = vl_write_batch(dev, buf, count, &pos, &len);
		/* What went through is reported; the backend writes the rest. */
		if (pos)
			return pos;
		if (err == -ENOBUFS) {
			if (vl_log_wait_room(dev->log_room_needed))
				return -ERESTARTSYS;
			continue;
		}
		if (err == -EFAULT && ++faults <= VL_FAULT_RETRIES &&
		    !fault_in_readable(buf, min_t(size_t, count, len)))
			continue;
		return err;
	}
}

static __poll_t vl_chardev_poll(struct file *file, poll_table *wait)
{
	struct vl_dev *dev = vl_file_dev(file);
	__poll_t mask = 0;

	if (!dev)
		return EPOLLERR;
	poll_wait(file, &dev->waitq, wait);
	poll_wait(file, &vl_thaw_wait, wait);
	if (!vl_frozen())
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (vl_dev_has_work(dev))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/* ioctl() */

static long vl_ioctl_create(struct file *file, void __user *argp)
{
	struct virtio_loopback_device_config cfg;
	struct vl_dev *dev;

	/*
	 * A backend decides what the kernel's drivers see, and a file can be
	 * passed to another process: the creator itself must be privileged.
	 */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (vl_file_dev(file))
		return -EBUSY;
	if (copy_from_user(&cfg, argp, sizeof(cfg)))
		return -EFAULT;
	dev = vl_dev_create(&cfg, argp + sizeof(cfg));
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	/* Two racing creates on one file: the second one loses. */
	if (cmpxchg(&file->private_data, NULL, dev)) {
		vl_dev_destroy(dev);
		return -EBUSY;
	}
	vl_dev_start(dev);
	return dev->index;
}

static long vl_ioctl_info(struct file *file, void __user *argp)
{
	struct virtio_loopback_device_info info;
	struct vl_dev *dev = vl_file_dev(file);

	if (!dev)
		return -ENODEV;
	vl_dev_get_info(dev, &info);
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long vl_ioctl_open_play(struct file *file, void __user *argp)
{
	struct virtio_loopback_play_start *start;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (vl_file_dev(file))
		return -EBUSY;
	start = memdup_user(argp, sizeof(*start));
	if (IS_ERR(start))
		return PTR_ERR(start);
	ret = vl_play_open(start);
	kfree(start);
	return ret;
}

static long vl_chardev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	u64 version = VIRTIO_LOOPBACK_API_VERSION;

	switch (cmd) {
	case VIRTIO_LOOPBACK_GET_API_VERSION:
		return put_user(version, (u64 __user *)argp);
	case VIRTIO_LOOPBACK_CREATE_DEVICE:
		return vl_ioctl_create(file, argp);
	case VIRTIO_LOOPBACK_GET_DEVICE_INFO:
		return vl_ioctl_info(file, argp);
	case VIRTIO_LOOPBACK_OPEN_LOG:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return vl_file_dev(file) ? -EBUSY : vl_log_open_stream();
	case VIRTIO_LOOPBACK_OPEN_PLAY:
		return vl_ioctl_open_play(file, argp);
	}
	return -ENOTTY;
}

static int vl_chardev_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice here; the device comes later. */
	file->private_data = NULL;
	return nonseekable_open(inode, file);
}

static int vl_chardev_release(struct inode *inode, struct file *file)
{
	struct vl_dev *dev = file->private_data;

	if (dev)
		vl_dev_destroy(dev);
	return 0;
}

static const struct file_operations vl_chardev_fops = {
	.owner		= THIS_MODULE,
	.open		= vl_chardev_open,
	.release	= vl_chardev_release,
	.read		= vl_chardev_read,
	.write		= vl_chardev_write,
	.poll		= vl_chardev_poll,
	.unlocked_ioctl	= vl_chardev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice vl_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= VIRTIO_LOOPBACK_DEVICE_NAME,
	.fops	= &vl_chardev_fops,
	.mode	= 0600,
};

struct device *vl_chardev_device(void)
{
	return vl_miscdev.this_device;
}

int vl_chardev_init(void)
{
	return misc_register(&vl_miscdev);
}

void vl_chardev_exit(void)
{
	misc_deregister(&vl_miscdev);
}
