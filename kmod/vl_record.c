// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: the log records of what a driver does to its device and
 * of the device's life (created, reset, removed).  The records of requests,
 * completions and interrupts are written where chains are walked, in
 * vl_vq.c.  Formats: include/uapi/linux/virtio_loopback.h.
 *
 * Every function here returns at once when nothing is recording, and may
 * lose its record (counted) when the ring has no room: it never waits.
 * On a device play mode made, what the driver does is handed to the play
 * engine instead, to be compared with the log (vl_play_observe()).
 */
#include <linux/slab.h>

#include "vl_internal.h"

static void vl_record_small(struct vl_dev *dev, u16 kind, u32 queue,
			    const void *payload, u32 len)
{
	struct vl_log_writer w;

	if (!vl_log_recording())
		return;
	if (vl_log_begin(&w, kind, 0, dev->index, queue, len))
		vl_log_put(&w, payload, len);
	vl_log_end(&w);
}

/*
 * A snapshot point: everything needed to create the device again as it
 * stands.  Process context (it copies the config space first).
 */
void vl_record_device(struct vl_dev *dev)
{
	struct virtio_loopback_log_device p = {};
	const size_t fixed = sizeof(p) - sizeof(p.rec);
	struct vl_log_writer w;
	unsigned int i;
	u8 *config;

	if (!vl_log_recording())
		return;
	config = kmalloc(max(dev->config_size, 1U), GFP_KERNEL);
	if (!config)
		return;
	spin_lock(&dev->config_lock);
	memcpy(config, dev->config, dev->config_size);
	p.config_generation = cpu_to_le32(dev->config_generation);
	spin_unlock(&dev->config_lock);

	p.device_id = cpu_to_le32(dev->device_id);
	p.vendor_id = cpu_to_le32(dev->vendor_id);
	p.device_features = cpu_to_le64(dev->device_features);
	p.driver_features = cpu_to_le64(dev->driver_features);
	p.num_queues = cpu_to_le32(dev->num_queues);
	p.max_queue_size = cpu_to_le32(dev->max_queue_size);
	p.status = cpu_to_le32(READ_ONCE(dev->status));
	p.config_size = cpu_to_le32(dev->config_size);

	if (vl_log_begin(&w, VIRTIO_LOOPBACK_LOG_DEVICE, 0, dev->index,
			 VIRTIO_LOOPBACK_LOG_NO_QUEUE,
			 fixed + dev->num_queues * sizeof(__le32) +
			 dev->config_size)) {
		vl_log_put(&w, (u8 *)&p + sizeof(p.rec), fixed);
		for (i = 0; i < dev->num_queues; i++) {
			struct vl_vq *vq = &dev->vqs[i];
			__le32 size = cpu_to_le32(vq->enabled ? vq->vring.num : 0);

			vl_log_put(&w, &size, sizeof(size));
		}
		vl_log_put(&w, config, dev->config_size);
	}
	vl_log_end(&w);
	kfree(config);
}

void vl_record_removed(struct vl_dev *dev)
{
	vl_record_small(dev, VIRTIO_LOOPBACK_LOG_REMOVED,
			VIRTIO_LOOPBACK_LOG_NO_QUEUE, NULL, 0);
}

void vl_record_reset(struct vl_dev *dev)
{
	__le32 p[2] = { cpu_to_le32(dev->epoch) };

	vl_play_observe(dev, VIRTIO_LOOPBACK_LOG_RESET,
			VIRTIO_LOOPBACK_LOG_NO_QUEUE, dev->epoch, 0, NULL, 0);

	vl_record_small(dev, VIRTIO_LOOPBACK_LOG_RESET,
			VIRTIO_LOOPBACK_LOG_NO_QUEUE, p, sizeof(p));
}

void vl_record_features(struct vl_dev *dev)
{
	__le64 p = cpu_to_le64(dev->driver_features);

	vl_play_observe(dev, VIRTIO_LOOPBACK_LOG_FEATURES,
			VIRTIO_LOOPBACK_LOG_NO_QUEUE, dev->driver_features, 0,
			NULL, 0);

	vl_record_small(dev, VIRTIO_LOOPBACK_LOG_FEATURES,
			VIRTIO_LOOPBACK_LOG_NO_QUEUE, &p, sizeof(p));
}

void vl_record_status(struct vl_dev *dev, u8 status)
{
	__le32 p[2] = { cpu_to_le32(status) };

	vl_play_observe(dev, VIRTIO_LOOPBACK_LOG_STATUS,
			VIRTIO_LOOPBACK_LOG_NO_QUEUE, status, 0, NULL, 0);

	vl_record_small(dev, VIRTIO_LOOPBACK_LOG_STATUS,
			VIRTIO_LOOPBACK_LOG_NO_QUEUE, p, sizeof(p));
}

/* CONFIG_WRITE (the driver's) or CONFIG_CHANGE (the device's). */
void vl_record_config(struct vl_dev *dev, u16 kind, u32 offset,
		      const void *data, u32 size, u32 generation)
{
	__le32 p[4] = {
		cpu_to_le32(offset), cpu_to_le32(size), cpu_to_le32(generation),
	};
	struct vl_log_writer w;

	if (kind == VIRTIO_LOOPBACK_LOG_CONFIG_WRITE)
		vl_play_observe(dev, kind, VIRTIO_LOOPBACK_LOG_NO_QUEUE, 0,
				offset, data, size);
	if (!vl_log_recording())
		return;
	if (vl_log_begin(&w, kind, 0, dev->index, VIRTIO_LOOPBACK_LOG_NO_QUEUE,
			 sizeof(p) + size)) {
		vl_log_put(&w, p, sizeof(p));
		vl_log_put(&w, data, size);
	}
	vl_log_end(&w);
}

void vl_record_queue(struct vl_vq *vq, u32 size)
{
	__le32 p[2] = { cpu_to_le32(size) };

	vl_play_observe(vq->dev, VIRTIO_LOOPBACK_LOG_QUEUE, vq->index, size, 0,
			NULL, 0);
	vl_record_small(vq->dev, VIRTIO_LOOPBACK_LOG_QUEUE, vq->index, p,
			sizeof(p));
}
