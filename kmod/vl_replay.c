// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: replay state.
 *
 * The mode and instruction count that query-replay reports, with the log's
 * counters.  The mode is "record" while the log records (vl_log.c), "none"
 * otherwise, as QEMU without -icount rr.
 */
#include "vl_internal.h"

void vl_replay_get_state(struct vl_replay_state *state)
{
	vl_log_get_state(&state->log);
	state->mode = state->log.recording ? VIRTIO_LOOPBACK_REPLAY_MODE_RECORD :
					     VIRTIO_LOOPBACK_REPLAY_MODE_NONE;
	state->icount = state->log.recording ? state->log.icount : 0;
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

const char *vl_icount_source_name(u32 source)
{
	switch (source) {
	case VIRTIO_LOOPBACK_ICOUNT_NONE:
		return "none";
	case VIRTIO_LOOPBACK_ICOUNT_VIRTUAL:
		return "virtual";
	case VIRTIO_LOOPBACK_ICOUNT_PMU:
		return "pmu";
	}
	return "unknown";
}
