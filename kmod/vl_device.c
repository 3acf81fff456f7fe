// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: the transport.
 *
 * One struct vl_dev per device a backend created.  Its virtio_config_ops
 * serve the driver from kernel-side state (config shadow, status, features)
 * and tell the backend what changed through pending events its next read()
 * reports.  Vrings are the mainline virtio_ring's; vl_vq.c plays their
 * device side.
 *
 * Lifetime: a kref held by the backend's file and, once registration
 * starts, by the virtio device (dropped in its release, which the virtio
 * core leaves to the transport).  Registration runs in a work item because
 * a driver's probe may wait for requests that only the backend can answer.
 */
#include <linux/debugfs.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio_config.h>
#include <net/netlink.h>

#include "vl_compat.h"
#include "vl_internal.h"

/* Transport feature bits the device side implements; others are withdrawn. */
#define VL_TRANSPORT_FEATURES						\
	(BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |				\
	 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) | BIT_ULL(VIRTIO_F_VERSION_1))
/*
 * The bits the virtio spec reserves for the transport and for extensions:
 * 24 to 41, and 50 up.  Spelled out rather than taken from
 * VIRTIO_TRANSPORT_F_END, which ends at 41 on 6.1 and 42 on 6.12.
 */
#define VL_TRANSPORT_BITS (GENMASK_ULL(41, 24) | GENMASK_ULL(63, 50))

static DEFINE_IDA(vl_index_ida);
static DEFINE_MUTEX(vl_devices_lock);
static LIST_HEAD(vl_devices);

static void vl_dev_free(struct kref *ref)
{
	struct vl_dev *dev = container_of(ref, struct vl_dev, ref);
	struct vl_play_action *a, *n;
	unsigned int i;

	for (i = 0; dev->vqs && i < dev->num_queues; i++) {
		kvfree(dev->vqs[i].inflight);
		kvfree(dev->vqs[i].posted_buf);
		kfree(dev->vqs[i].seen);
	}
	list_for_each_entry_safe(a, n, &dev->actions, node)
		kfree(a);
	kfree(dev->vqs);
	kvfree(dev->segs);
	kvfree(dev->msg_buf);
	kfree(dev->config);
	ida_free(&vl_index_ida, dev->index);
	kfree(dev);
}

static void vl_dev_put(struct vl_dev *dev)
{
	kref_put(&dev->ref, vl_dev_free);
}

/* Tell the backend's reader that @event happened. */
static void vl_dev_post(struct vl_dev *dev, enum vl_pending_event event)
{
	spin_lock(&dev->events_lock);
	__set_bit(event, &dev->pending);
	spin_unlock(&dev->events_lock);
	wake_up_interruptible(&dev->waitq);
}

/* virtio_config_ops */

static void vl_get(struct virtio_device *vdev, unsigned int offset,
		   void *buf, unsigned int len)
{
	struct vl_dev *dev = to_vl_dev(vdev);
	bool inside = offset <= dev->config_size &&
		      len <= dev->config_size - offset;
	u32 generation;

	spin_lock(&dev->config_lock);
	if (inside)
		memcpy(buf, dev->config + offset, len);
	else
		memset(buf, 0, len);
	generation = dev->config_generation;
	spin_unlock(&dev->config_lock);
	if (inside)
		vl_record_config(dev, VIRTIO_LOOPBACK_LOG_CONFIG_READ, offset,
				 buf, len, generation);
}

static void vl_set(struct virtio_device *vdev, unsigned int offset,
		   const void *buf, unsigned int len)
{
	struct vl_dev *dev = to_vl_dev(vdev);

	if (offset > dev->config_size || len > dev->config_size - offset)
		return;
	spin_lock(&dev->config_lock);
	memcpy(dev->config + offset, buf, len);
	spin_unlock(&dev->config_lock);
	vl_record_config(dev, VIRTIO_LOOPBACK_LOG_CONFIG_WRITE, offset, buf,
			 len, 0);

	spin_lock(&dev->events_lock);
	if (!test_bit(VL_PENDING_CONFIG, &dev->pending)) {
		dev->config_dirty_start = offset;
		dev->config_dirty_end = offset + len;
	} else {
		dev->config_dirty_start = min(dev->config_dirty_start, offset);
		dev->config_dirty_end = max(dev->config_dirty_end, offset + len);
	}
	__set_bit(VL_PENDING_CONFIG, &dev->pending);
	spin_unlock(&dev->events_lock);
	wake_up_interruptible(&dev->waitq);
}

static u32 vl_generation(struct virtio_device *vdev)
{
	return READ_ONCE(to_vl_dev(vdev)->config_generation);
}

static u8 vl_get_status(struct virtio_device *vdev)
{
	return READ_ONCE(to_vl_dev(vdev)->status);
}

/* The device serves requests: the driver set DRIVER_OK, and was heard. */
bool vl_dev_driver_ok(struct vl_dev *dev)
{
	/* Acquire: pairs with vl_set_status(); its STATUS event is posted. */
	return smp_load_acquire(&dev->serving);
}

/*
 * The device takes no request before DRIVER_OK.  Once the driver sets it,
 * the backend is told first (its STATUS message comes before any request),
 * then what the driver queued before is served: posted queues at once, the
 * others by the reader the STATUS event woke.
 */
static void vl_set_status(struct virtio_device *vdev, u8 status)
{
	struct vl_dev *dev = to_vl_dev(vdev);
	bool ok = status & VIRTIO_CONFIG_S_DRIVER_OK;
	unsigned int i;

	WRITE_ONCE(dev->status, status);
	vl_record_status(dev, status);
	if (!ok)
		WRITE_ONCE(dev->serving, false);
	vl_dev_post(dev, VL_PENDING_STATUS);
	if (ok && !vl_dev_driver_ok(dev)) {
		/* Release: whoever sees it serving finds the STATUS event. */
		smp_store_release(&dev->serving, true);
		down_read(&dev->rings_sem);
		for (i = 0; i < dev->num_queues; i++)
			if (dev->vqs[i].posted_buf)
				vl_vq_post(&dev->vqs[i], true);
		up_read(&dev->rings_sem);
		wake_up_interruptible(&dev->waitq);
	}
}

static void vl_reset(struct virtio_device *vdev)
{
	struct vl_dev *dev = to_vl_dev(vdev);
	unsigned int i;

	/*
	 * register_virtio_device() resets the device once the core's
	 * config_lock is set up: from then on config changes can be passed
	 * to virtio_config_changed(), which holds them while the driver
	 * probes.
	 */
	spin_lock(&dev->config_lock);
	dev->config_notify = true;
	spin_unlock(&dev->config_lock);

	/* Waits for read() and write() to leave the rings: never for long. */
	down_write(&dev->rings_sem);
	for (i = 0; i < dev->num_queues; i++)
		vl_vq_reset(&dev->vqs[i]);
	dev->epoch++;
	WRITE_ONCE(dev->serving, false);
	WRITE_ONCE(dev->status, 0);
	dev->driver_features = 0;
	vl_record_reset(dev);
	up_write(&dev->rings_sem);
	vl_dev_post(dev, VL_PENDING_RESET);
}

/*
 * The driver's kick: atomic context, often with the driver's locks held
 * and interrupts off.  Posted chains are taken here, even when the backend
 * is gone; the reader or the failing work does the rest.
 */
static bool vl_notify(struct virtqueue *virtqueue)
{
	struct vl_vq *vq = virtqueue->priv;
	struct vl_dev *dev = vq->dev;

	if (vq->posted_buf)
		vl_vq_post(vq, true);
	if (dev->played)
		vl_play_kick();
	if (READ_ONCE(dev->dead))
		queue_work(vl_wq, &dev->dead_work);
	else
		wake_up_interruptible(&dev->waitq);
	return true;
}

static void vl_del_vqs_locked(struct vl_dev *dev)
{
	struct virtqueue *virtqueue, *n;

	list_for_each_entry_safe(virtqueue, n, &dev->vdev.vqs, list) {
		struct vl_vq *vq = virtqueue->priv;

		vl_vq_teardown(vq);
		vring_del_virtqueue(virtqueue);
		set_bit(vq->index, dev->queues_changed);
		vl_record_queue(vq, 0);
	}
}

/* Interrupt work takes rings_sem: finish it before taking it exclusive. */
static void vl_cancel_signal_work(struct vl_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->num_queues; i++)
		cancel_work_sync(&dev->vqs[i].signal_work);
}

static void vl_del_vqs(struct virtio_device *vdev)
{
	struct vl_dev *dev = to_vl_dev(vdev);

	vl_cancel_signal_work(dev);
	down_write(&dev->rings_sem);
	vl_del_vqs_locked(dev);
	up_write(&dev->rings_sem);
	wake_up_interruptible(&dev->waitq);
}

static int vl_find_vqs(VL_FIND_VQS_PARAMS)
{
	struct vl_vqs_args args = VL_FIND_VQS_ARGS_INIT;
	struct vl_dev *dev = to_vl_dev(vdev);
	unsigned int i, queue = 0;
	int err = 0;

	down_write(&dev->rings_sem);
	for (i = 0; i < nvqs; i++) {
		struct virtqueue *virtqueue;

		if (!vl_vq_name(&args, i)) {
			vqs[i] = NULL;
			continue;
		}
		if (queue >= dev->num_queues) {
			err = -ENOENT;
			break;
		}
		virtqueue = vring_create_virtqueue(queue, dev->max_queue_size,
						   SMP_CACHE_BYTES, vdev, true,
						   true, vl_vq_ctx(&args, i),
						   vl_notify,
						   vl_vq_callback(&args, i),
						   vl_vq_name(&args, i));
		if (!virtqueue) {
			err = -ENOMEM;
			break;
		}
		vl_vq_setup(&dev->vqs[queue], virtqueue);
		set_bit(queue, dev->queues_changed);
		vl_record_queue(&dev->vqs[queue], dev->vqs[queue].vring.num);
		vqs[i] = virtqueue;
		queue++;
	}
	if (err)
		vl_del_vqs_locked(dev);
	up_write(&dev->rings_sem);
	wake_up_interruptible(&dev->waitq);
	return err;
}

/* Completions run under rings_sem held shared: taking it exclusive waits. */
static void vl_synchronize_cbs(struct virtio_device *vdev)
{
	struct vl_dev *dev = to_vl_dev(vdev);

	down_write(&dev->rings_sem);
	up_write(&dev->rings_sem);
}

static u64 vl_get_features(struct virtio_device *vdev)
{
	return to_vl_dev(vdev)->device_features;
}

static int vl_finalize_features(struct virtio_device *vdev)
{
	struct vl_dev *dev = to_vl_dev(vdev);

	vring_transport_features(vdev);
	if (!__virtio_test_bit(vdev, VIRTIO_F_VERSION_1)) {
		dev_err(&vdev->dev, "driver did not accept VIRTIO_F_VERSION_1\n");
		return -EINVAL;
	}
	dev->driver_features = vdev->features;
	vl_record_features(dev);
	vl_dev_post(dev, VL_PENDING_FEATURES);
	return 0;
}

static const char *vl_bus_name(struct virtio_device *vdev)
{
	return dev_name(to_vl_dev(vdev)->parent);
}

static const struct virtio_config_ops vl_config_ops = {
	.get			= vl_get,
	.set			= vl_set,
	.generation		= vl_generation,
	.get_status		= vl_get_status,
	.set_status		= vl_set_status,
	.reset			= vl_reset,
	.find_vqs		= vl_find_vqs,
	.del_vqs		= vl_del_vqs,
	.synchronize_cbs	= vl_synchronize_cbs,
	.get_features		= vl_get_features,
	.finalize_features	= vl_finalize_features,
	.bus_name		= vl_bus_name,
};

/*
 * The backend changed the config space: update the shadow, tell the driver.
 * Before registration began there is no driver to tell: it will read the
 * new shadow when it probes.  During the probe the core holds the news
 * until the driver is ready for it.
 */
void vl_dev_config_change(struct vl_dev *dev, u32 offset, const u8 *data,
			  u32 size)
{
	bool notify;
	u32 generation;

	spin_lock(&dev->config_lock);
	memcpy(dev->config + offset, data, size);
	generation = dev->config_generation + 1;
	WRITE_ONCE(dev->config_generation, generation);
	notify = dev->config_notify;
	spin_unlock(&dev->config_lock);
	vl_record_config(dev, VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE, offset, data,
			 size, generation);
	/* Outside our lock: the driver's handler reads the config. */
	if (notify)
		virtio_config_changed(&dev->vdev);
}

/* Have the notify path's findings logged, from process context. */
void vl_dev_report(struct vl_dev *dev)
{
	queue_work(vl_wq, &dev->report_work);
}

/*
 * Log what the notify path counted but could not print (printing there
 * could recurse into an hvc console's locks), and tell the driver of a
 * broken queue the way a device does: NEEDS_RESET and a config interrupt.
 * Its queues are broken for it too, so that it gets errors instead of
 * waiting on a device that will not answer; once the backend is gone,
 * vl_dead_work() mends them, after this work has finished.
 */
static void vl_dev_report_work(struct work_struct *work)
{
	struct vl_dev *dev = container_of(work, struct vl_dev, report_work);
	struct device *d = dev->parent;
	bool needs_reset = false;
	unsigned int i;

	for (i = 0; i < dev->num_queues; i++) {
		struct vl_vq *vq = &dev->vqs[i];
		u64 dropped, oversized, unreadable;
		const char *broken = NULL;
		u16 head;

		spin_lock_irq(&vq->lock);
		dropped = vq->posted_dropped - vq->reported_dropped;
		oversized = vq->oversized - vq->reported_oversized;
		unreadable = vq->unreadable - vq->reported_unreadable;
		vq->reported_dropped = vq->posted_dropped;
		vq->reported_oversized = vq->oversized;
		vq->reported_unreadable = vq->unreadable;
		if (vq->broken && !vq->reported_broken) {
			broken = vq->broken;
			head = vq->broken_head;
		}
		vq->reported_broken = !!vq->broken;
		spin_unlock_irq(&vq->lock);

		if (dropped)
			dev_warn_ratelimited(d, "queue %u: %llu bytes of output dropped: the backend is not reading\n",
					     i, dropped);
		if (oversized)
			dev_warn_ratelimited(d, "queue %u: %llu requests failed: more than %u segments\n",
					     i, oversized, VIRTIO_LOOPBACK_MAX_SEGS);
		if (unreadable)
			dev_err_ratelimited(d, "queue %u: %llu chains the device could not read returned unread\n",
					    i, unreadable);
		if (broken) {
			dev_err(d, "queue %u: %s (head %u); queue stopped, device needs reset\n",
				i, broken, head);
			needs_reset = true;
		}
	}
	if (needs_reset) {
		if (!READ_ONCE(dev->dead)) {
			WRITE_ONCE(dev->driver_broken, true);
			virtio_break_device(&dev->vdev);
		}
		WRITE_ONCE(dev->status,
			   READ_ONCE(dev->status) | VIRTIO_CONFIG_S_NEEDS_RESET);
		vl_dev_post(dev, VL_PENDING_STATUS);
		spin_lock(&dev->config_lock);
		needs_reset = dev->config_notify;
		spin_unlock(&dev->config_lock);
		if (needs_reset)
			virtio_config_changed(&dev->vdev);
	}
}

/* Something for the backend's read(); requests wait while frozen. */
bool vl_dev_has_work(struct vl_dev *dev)
{
	unsigned int i;

	if (READ_ONCE(dev->pending) ||
	    !bitmap_empty(dev->queues_changed, dev->num_queues))
		return true;
	for (i = 0; i < dev->num_queues; i++)
		if ((vl_vq_has_avail(&dev->vqs[i]) && !vl_frozen()) ||
		    vl_vq_has_posted(&dev->vqs[i]))
			return true;
	return false;
}

void vl_dev_get_info(struct vl_dev *dev, struct virtio_loopback_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->index = dev->index;
	if (READ_ONCE(dev->registered)) {
		info->flags |= VIRTIO_LOOPBACK_INFO_REGISTERED;
		info->virtio_index = dev->vdev.index;
	}
	if (READ_ONCE(dev->register_failed))
		info->flags |= VIRTIO_LOOPBACK_INFO_FAILED;
	info->status = READ_ONCE(dev->status);
	info->driver_features = dev->driver_features;
	info->read_size_needed = READ_ONCE(dev->read_size_needed);
}

/* Lifecycle */

static void vl_vdev_release(struct device *d)
{
	struct virtio_device *vdev = dev_to_virtio(d);

	vl_dev_put(to_vl_dev(vdev));
}

static void vl_parent_release(struct device *d)
{
	kfree(d);
}

static void vl_register_work(struct work_struct *work)
{
	struct vl_dev *dev = container_of(work, struct vl_dev, register_work);
	int err;

	/* The virtio device's reference, dropped by vl_vdev_release(). */
	kref_get(&dev->ref);
	err = register_virtio_device(&dev->vdev);
	if (err) {
		dev_err(dev->parent, "cannot register virtio device: %d\n", err);
		WRITE_ONCE(dev->register_failed, true);
		put_device(&dev->vdev.dev);
		return;
	}
	WRITE_ONCE(dev->registered, true);
}

/*
 * The backend is gone: fail whatever the driver queued.  If a queue was
 * broken for the driver, virtio_ring hides used entries from it; the
 * driver's remove() still waits for its requests (virtio-blk's
 * del_gendisk()), so the queues are mended for it to see them fail.
 */
static void vl_dead_work(struct work_struct *work)
{
	struct vl_dev *dev = container_of(work, struct vl_dev, dead_work);
	unsigned int i;
	bool unbreak;

	/* A report that breaks the driver's queues runs to its end first. */
	flush_work(&dev->report_work);
	unbreak = READ_ONCE(dev->driver_broken);
	if (unbreak)
		__virtio_unbreak_device(&dev->vdev);
	mutex_lock(&dev->read_mutex);
	down_read(&dev->rings_sem);
	for (i = 0; i < dev->num_queues; i++) {
		struct vl_vq *vq = &dev->vqs[i];
		int failed = vl_vq_fail_all(vq);

		if (unbreak && vq->enabled)
			vl_vq_interrupt(vq);
		else if (failed)
			vl_vq_signal(vq);
	}
	up_read(&dev->rings_sem);
	mutex_unlock(&dev->read_mutex);
}

static int vl_dev_check_config(const struct virtio_loopback_device_config *cfg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cfg->reserved); i++)
		if (cfg->reserved[i])
			return -EINVAL;
	if (!cfg->device_id)
		return -EINVAL;
	if (!vl_devtype_allowed(cfg->device_id)) {
		pr_info_ratelimited("virtio_loopback: device type %u is not allowed (module parameter allowed_types)\n",
				    cfg->device_id);
		return -EOPNOTSUPP;
	}
	if (!cfg->num_queues ||
	    cfg->num_queues > VIRTIO_LOOPBACK_MAX_QUEUES ||
	    cfg->max_queue_size < 2 ||
	    cfg->max_queue_size > VIRTIO_LOOPBACK_MAX_QUEUE_SIZE ||
	    !is_power_of_2(cfg->max_queue_size) ||
	    cfg->config_size > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE ||
	    !(cfg->features & BIT_ULL(VIRTIO_F_VERSION_1)))
		return -EINVAL;
	return 0;
}

static int vl_dev_alloc_queues(struct vl_dev *dev, bool played)
{
	unsigned int i;

	dev->vqs = kcalloc(dev->num_queues, sizeof(*dev->vqs), GFP_KERNEL);
	if (!dev->vqs)
		return -ENOMEM;
	for (i = 0; i < dev->num_queues; i++) {
		struct vl_vq *vq = &dev->vqs[i];

		vq->dev = dev;
		vq->index = i;
		spin_lock_init(&vq->lock);
		spin_lock_init(&vq->irq_lock);
		INIT_WORK(&vq->signal_work, vl_vq_signal_work);
		vq->inflight = kvcalloc(dev->max_queue_size,
					sizeof(*vq->inflight), GFP_KERNEL);
		if (!vq->inflight)
			return -ENOMEM;
		if (vl_queue_is_posted(dev->device_id, i)) {
			vq->posted_buf = kvmalloc(VL_POSTED_BUF_SIZE, GFP_KERNEL);
			if (!vq->posted_buf)
				return -ENOMEM;
			if (played) {
				vq->seen = kcalloc(VL_POSTED_SEEN,
						   sizeof(*vq->seen), GFP_KERNEL);
				if (!vq->seen)
					return -ENOMEM;
			}
		}
	}
	dev->segs = kvcalloc(VIRTIO_LOOPBACK_MAX_SEGS, sizeof(*dev->segs),
			     GFP_KERNEL);
	dev->msg_buf = kvmalloc(VL_MSG_BUF_SIZE, GFP_KERNEL);
	return dev->segs && dev->msg_buf ? 0 : -ENOMEM;
}

static int vl_dev_add_parent(struct vl_dev *dev)
{
	struct device *parent;
	int err;

	parent = kzalloc(sizeof(*parent), GFP_KERNEL);
	if (!parent)
		return -ENOMEM;
	device_initialize(parent);
	parent->parent = vl_chardev_device();
	parent->release = vl_parent_release;
	err = dev_set_name(parent, "vl%d", dev->index);
	if (!err)
		err = device_add(parent);
	if (err) {
		put_device(parent);
		return err;
	}
	dev->parent = parent;
	return 0;
}

static struct vl_dev *vl_dev_new(const struct virtio_loopback_device_config *cfg,
				 const u8 *config, bool played)
{
	struct vl_dev *dev;
	int err;

	err = vl_dev_check_config(cfg);
	if (err)
		return ERR_PTR(err);

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	kref_init(&dev->ref);
	INIT_LIST_HEAD(&dev->actions);
	dev->index = ida_alloc(&vl_index_ida, GFP_KERNEL);
	if (dev->index < 0) {
		err = dev->index;
		kfree(dev);
		return ERR_PTR(err);
	}
	dev->played = played;
	dev->device_id = cfg->device_id;
	dev->vendor_id = cfg->vendor_id;
	dev->device_features = (cfg->features & ~VL_TRANSPORT_BITS) |
			       (cfg->features & VL_TRANSPORT_FEATURES);
	dev->num_queues = cfg->num_queues;
	dev->max_queue_size = cfg->max_queue_size;
	dev->config_size = cfg->config_size;
	spin_lock_init(&dev->config_lock);
	spin_lock_init(&dev->events_lock);
	spin_lock_init(&dev->actions_lock);
	init_rwsem(&dev->rings_sem);
	mutex_init(&dev->read_mutex);
	init_waitqueue_head(&dev->waitq);
	INIT_WORK(&dev->register_work, vl_register_work);
	INIT_WORK(&dev->dead_work, vl_dead_work);
	INIT_WORK(&dev->report_work, vl_dev_report_work);
	INIT_LIST_HEAD(&dev->node);
	INIT_LIST_HEAD(&dev->play_node);

	/* Even an empty config space gets a buffer: no NULL checks later. */
	dev->config = kzalloc(max(dev->config_size, 1U), GFP_KERNEL);
	err = dev->config ? 0 : -ENOMEM;
	if (!err)
		memcpy(dev->config, config, dev->config_size);
	if (!err)
		err = vl_dev_alloc_queues(dev, played);
	if (!err)
		err = vl_dev_add_parent(dev);
	if (err) {
		vl_dev_put(dev);
		return ERR_PTR(err);
	}

	dev->vdev.id.device = dev->device_id;
	dev->vdev.id.vendor = dev->vendor_id;
	dev->vdev.config = &vl_config_ops;
	dev->vdev.dev.parent = dev->parent;
	dev->vdev.dev.release = vl_vdev_release;
	return dev;
}

/* A device for a backend: its file will serve it. */
struct vl_dev *vl_dev_create(const struct virtio_loopback_device_config *cfg,
			     const u8 __user *config)
{
	struct vl_dev *dev;
	u8 *buf;

	if (cfg->config_size > VIRTIO_LOOPBACK_MAX_CONFIG_SIZE)
		return ERR_PTR(-EINVAL);
	buf = memdup_user(config, cfg->config_size);
	if (IS_ERR(buf))
		return ERR_CAST(buf);
	dev = vl_dev_new(cfg, buf, false);
	kfree(buf);
	return dev;
}

/* A device for play mode: the play engine serves it, from the log. */
struct vl_dev *vl_dev_create_played(const struct virtio_loopback_device_config *cfg,
				    const u8 *config, u32 log_index)
{
	struct vl_dev *dev = vl_dev_new(cfg, config, true);

	if (!IS_ERR(dev))
		dev->log_index = log_index;
	return dev;
}

/* The file owns the device now: show it, log it and register it. */
void vl_dev_start(struct vl_dev *dev)
{
	mutex_lock(&vl_devices_lock);
	list_add_tail(&dev->node, &vl_devices);
	vl_record_device(dev);
	mutex_unlock(&vl_devices_lock);
	vl_genl_notify_device(dev, true);

	dev->started = true;
	queue_work(vl_wq, &dev->register_work);
}

/*
 * The backend closed its file.  Fail what it held, so that the driver's
 * remove() (virtio-blk's del_gendisk() waits for every request) finishes,
 * then take the device away.  Requests the driver queues meanwhile are
 * failed by dead_work as their kicks arrive.
 */
void vl_dev_destroy(struct vl_dev *dev)
{
	bool registering;

	/* First out of debugfs' list: its reader must not see it go. */
	mutex_lock(&vl_devices_lock);
	list_del_init(&dev->node);
	mutex_unlock(&vl_devices_lock);

	/* Before what the removal makes the driver and the transport do. */
	if (dev->started)
		vl_record_removed(dev);
	WRITE_ONCE(dev->dead, true);
	/* Order "dead" before the queue scan, against vl_notify(). */
	smp_mb();
	queue_work(vl_wq, &dev->dead_work);

	registering = !cancel_work_sync(&dev->register_work);
	if (dev->started && registering && READ_ONCE(dev->registered))
		unregister_virtio_device(&dev->vdev);
	cancel_work_sync(&dev->dead_work);
	vl_cancel_signal_work(dev);
	cancel_work_sync(&dev->report_work);
	if (dev->started)
		vl_genl_notify_device(dev, false);

	device_unregister(dev->parent);
	vl_dev_put(dev);
}

/* A recording starts with every device as it stands. */
void vl_devices_record(void)
{
	struct vl_dev *dev;

	mutex_lock(&vl_devices_lock);
	list_for_each_entry(dev, &vl_devices, node)
		vl_record_device(dev);
	mutex_unlock(&vl_devices_lock);
}

/* debugfs: one block per device */

/* Frozen devices were thawed: their readers look at the rings again. */
void vl_devices_wake(void)
{
	struct vl_dev *dev;

	mutex_lock(&vl_devices_lock);
	list_for_each_entry(dev, &vl_devices, node)
		wake_up_interruptible(&dev->waitq);
	mutex_unlock(&vl_devices_lock);
}

/* netlink: a device's attributes (attribute-set "device") */
int vl_dev_put_attrs(struct sk_buff *msg, struct vl_dev *dev, bool stats)
{
	u64 requests = 0, completions = 0;
	u32 inflight = 0;
	unsigned int i;

	if (nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_INDEX, dev->index) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_DEVICE_ID, dev->device_id) ||
	    (dev->played &&
	     nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_LOG_INDEX, dev->log_index)))
		return -EMSGSIZE;
	if (!stats)
		return 0;
	for (i = 0; i < dev->num_queues; i++) {
		inflight += vl_vq_inflight(&dev->vqs[i]);
		requests += READ_ONCE(dev->vqs[i].requests);
		completions += READ_ONCE(dev->vqs[i].completions);
	}
	if ((READ_ONCE(dev->registered) &&
	     nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_VIRTIO_INDEX,
			 dev->vdev.index)) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_STATUS,
			READ_ONCE(dev->status)) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_DEVICE_DEVICE_FEATURES,
			      dev->device_features, VIRTIO_LOOPBACK_A_DEVICE_PAD) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_DEVICE_DRIVER_FEATURES,
			      dev->driver_features, VIRTIO_LOOPBACK_A_DEVICE_PAD) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_NUM_QUEUES,
			dev->num_queues) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_INFLIGHT, inflight) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_DEVICE_REQUESTS, requests,
			      VIRTIO_LOOPBACK_A_DEVICE_PAD) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_DEVICE_COMPLETIONS,
			      completions, VIRTIO_LOOPBACK_A_DEVICE_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * netlink dump: one message per device, from the index after the last one
 * sent (cb->args[0]), so devices that come and go between the parts of a
 * dump are neither repeated nor skipped unless they changed meanwhile.
 */
int vl_devices_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vl_dev *dev;
	int err = 0;

	mutex_lock(&vl_devices_lock);
	list_for_each_entry(dev, &vl_devices, node) {
		if (dev->index < cb->args[0])
			continue;
		err = vl_genl_put_device(skb, cb, dev);
		if (err)
			break;
		cb->args[0] = dev->index + 1;
	}
	mutex_unlock(&vl_devices_lock);
	return err && !skb->len ? err : skb->len;
}

static void vl_vq_show(struct seq_file *s, struct vl_vq *vq)
{
	unsigned int inflight = vl_vq_inflight(vq);

	spin_lock_irq(&vq->lock);
	seq_printf(s, "  queue %u: %s size %u avail %u used %u inflight %u requests %llu completions %llu interrupts %llu stale %llu posted %llu dropped %llu oversized %llu unreadable %llu\n",
		   vq->index,
		   vq->broken ? "broken" : vq->enabled ? "enabled" : "disabled",
		   vq->vring.num, vq->last_avail_idx, vq->used_idx, inflight,
		   vq->requests, vq->completions, vq->interrupts,
		   vq->stale_completions, vq->posted, vq->posted_dropped,
		   vq->oversized, vq->unreadable);
	if (vq->broken)
		seq_printf(s, "    broken: %s (head %u)\n", vq->broken,
			   vq->broken_head);
	spin_unlock_irq(&vq->lock);
}

void vl_devices_show(struct seq_file *s)
{
	struct vl_dev *dev;
	unsigned int i;

	/*
	 * A device on the list is not being destroyed, and is registered
	 * once "registered" reads true: its name is stable.
	 */
	mutex_lock(&vl_devices_lock);
	list_for_each_entry(dev, &vl_devices, node) {
		seq_printf(s, "vl%d: device_id %u vendor_id 0x%x %s%s",
			   dev->index, dev->device_id, dev->vendor_id,
			   READ_ONCE(dev->registered) ? dev_name(&dev->vdev.dev) :
			   "unregistered", READ_ONCE(dev->dead) ? " dead" : "");
		if (dev->played)
			seq_printf(s, " played from log vl%u", dev->log_index);
		seq_putc(s, '\n');
		seq_printf(s, "  status 0x%02x device_features 0x%016llx driver_features 0x%016llx epoch %u\n",
			   READ_ONCE(dev->status), dev->device_features,
			   dev->driver_features, dev->epoch);
		for (i = 0; i < dev->num_queues; i++)
			vl_vq_show(s, &dev->vqs[i]);
	}
	mutex_unlock(&vl_devices_lock);
}
