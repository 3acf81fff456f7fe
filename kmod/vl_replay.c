// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: replay state.
 *
 * The mode and instruction count that query-replay reports.  Recording and
 * playing back build on this state; until a log is started the module runs
 * in mode "none" with an icount of 0, as QEMU does without -icount rr.
 */
#include <linux/mutex.h>

#include "vl_internal.h"

static DEFINE_MUTEX(vl_replay_lock);
static struct vl_replay_state vl_replay = {
	.mode = VIRTIO_LOOPBACK_REPLAY_MODE_NONE,
};

void vl_replay_get_state(struct vl_replay_state *state)
{
	mutex_lock(&vl_replay_lock);
	*state = vl_replay;
	mutex_unlock(&vl_replay_lock);
}

const char *vl_replay_mode_name(u32 mode)
{
	switch (mode) {
	case VIRTIO_LOOPBACK_REPLAY_MODE_NONE:
		return "none";
	case VIRTIO_LOOPBACK_REPLAY_MODE_RECORD:
		return "record";
	case VIRTIO_LOOPBACK_REPLAY_MODE_PLAY:
		return "play";
	}
	return "unknown";
}
