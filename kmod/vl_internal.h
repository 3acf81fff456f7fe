/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-loopback: declarations shared by the module's source files.
 */
#ifndef _VL_INTERNAL_H
#define _VL_INTERNAL_H

#include <linux/types.h>
#include <linux/virtio_loopback.h>

/* A consistent copy of the replay state, taken under its lock. */
struct vl_replay_state {
	u32 mode;		/* enum virtio_loopback_replay_mode */
	u64 icount;
};

void vl_replay_get_state(struct vl_replay_state *state);
const char *vl_replay_mode_name(u32 mode);

int vl_chardev_init(void);
void vl_chardev_exit(void);

int vl_genl_init(void);
void vl_genl_exit(void);

void vl_debugfs_init(void);
void vl_debugfs_exit(void);

#endif /* _VL_INTERNAL_H */
