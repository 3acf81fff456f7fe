/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-loopback: the differences between the kernels it builds against,
 * kept in this one place.
 *
 * find_vqs() changed shape in 6.11: the separate callbacks[], names[] and
 * ctx[] arrays became one array of struct virtqueue_info.  The transport
 * reads them through the accessors below whatever the kernel.
 *
 * Kbuild tests the kernel's headers for the feature itself and defines
 * VL_HAVE_VIRTQUEUE_INFO, rather than this header guessing from
 * LINUX_VERSION_CODE: distribution kernels backport such changes.
 */
#ifndef _VL_COMPAT_H
#define _VL_COMPAT_H

#include <linux/virtio_config.h>

#ifdef VL_HAVE_VIRTQUEUE_INFO

struct vl_vqs_args {
	struct virtqueue_info *info;
};

#define VL_FIND_VQS_PARAMS						\
	struct virtio_device *vdev, unsigned int nvqs,			\
	struct virtqueue *vqs[], struct virtqueue_info vqs_info[],	\
	struct irq_affinity *desc

#define VL_FIND_VQS_ARGS_INIT { .info = vqs_info }

static inline const char *vl_vq_name(const struct vl_vqs_args *a, unsigned int i)
{
	return a->info[i].name;
}

static inline vq_callback_t *vl_vq_callback(const struct vl_vqs_args *a,
					    unsigned int i)
{
	return a->info[i].callback;
}

static inline bool vl_vq_ctx(const struct vl_vqs_args *a, unsigned int i)
{
	return a->info[i].ctx;
}

#else

struct vl_vqs_args {
	vq_callback_t **callbacks;
	const char * const *names;
	const bool *ctx;
};

#define VL_FIND_VQS_PARAMS						\
	struct virtio_device *vdev, unsigned int nvqs,			\
	struct virtqueue *vqs[], vq_callback_t *callbacks[],		\
	const char * const names[], const bool *ctx,			\
	struct irq_affinity *desc

#define VL_FIND_VQS_ARGS_INIT						\
	{ .callbacks = callbacks, .names = names, .ctx = ctx }

static inline const char *vl_vq_name(const struct vl_vqs_args *a, unsigned int i)
{
	return a->names[i];
}

static inline vq_callback_t *vl_vq_callback(const struct vl_vqs_args *a,
					    unsigned int i)
{
	return a->callbacks[i];
}

static inline bool vl_vq_ctx(const struct vl_vqs_args *a, unsigned int i)
{
	return a->ctx ? a->ctx[i] : false;
}

#endif

#endif /* _VL_COMPAT_H */
