/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * virtio-loopback: virtio devices whose device side lives in userspace.
 *
 * This header is the single source of every format and number shared between
 * the kernel module and its userspace tools: the backend channel on
 * /dev/virtio-loopback, the generic netlink family and the replay log.
 * Documentation/netlink/specs/virtio_loopback.yaml describes the same netlink
 * family in YNL form and must be kept in step with it.
 */
#ifndef _UAPI_LINUX_VIRTIO_LOOPBACK_H
#define _UAPI_LINUX_VIRTIO_LOOPBACK_H

#include <linux/types.h>

/* Bumped whenever a format below changes incompatibly. */
#define VIRTIO_LOOPBACK_API_VERSION	1

/* The backend channel: a misc device, mode 0600. */
#define VIRTIO_LOOPBACK_DEVICE_NAME	"virtio-loopback"

/* Generic netlink family, see Documentation/netlink/specs/. */
#define VIRTIO_LOOPBACK_FAMILY_NAME	"virtio_loopback"
#define VIRTIO_LOOPBACK_FAMILY_VERSION	1
#define VIRTIO_LOOPBACK_MCGRP_EVENTS	"events"

/* Mode of the replay subsystem; the names follow QEMU's ReplayMode. */
enum virtio_loopback_replay_mode {
	VIRTIO_LOOPBACK_REPLAY_MODE_NONE,
	VIRTIO_LOOPBACK_REPLAY_MODE_RECORD,
	VIRTIO_LOOPBACK_REPLAY_MODE_PLAY,
};

/* Attributes describing the replay state (attribute-set "replay"). */
enum {
	VIRTIO_LOOPBACK_A_REPLAY_PAD = 1,
	VIRTIO_LOOPBACK_A_REPLAY_MODE,		/* u32, enum virtio_loopback_replay_mode */
	VIRTIO_LOOPBACK_A_REPLAY_ICOUNT,	/* u64, current instruction count */

	__VIRTIO_LOOPBACK_A_REPLAY_MAX,
	VIRTIO_LOOPBACK_A_REPLAY_MAX = (__VIRTIO_LOOPBACK_A_REPLAY_MAX - 1)
};

enum {
	VIRTIO_LOOPBACK_CMD_REPLAY_GET = 1,	/* answer the replay state */

	__VIRTIO_LOOPBACK_CMD_MAX,
	VIRTIO_LOOPBACK_CMD_MAX = (__VIRTIO_LOOPBACK_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_VIRTIO_LOOPBACK_H */
