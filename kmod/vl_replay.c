// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: replay state.
 *
 * The mode and instruction count that query-replay reports, with the log's
 * counters: "record" while the log records (vl_log.c), "play" while a
 * player's stream is open (vl_play.c), "none" otherwise, as QEMU without
 * -icount rr.
 */
#include "vl_internal.h"

void vl_replay_get_state(struct vl_replay_state *state)
{
	vl_log_get_state(&state->log);
	vl_play_get_state(&state->play);
	state->paused = state->play.paused;
	if (state->play.playing) {
		state->mode = VIRTIO_LOOPBACK_REPLAY_MODE_PLAY;
		state->icount = state->play.icount;
		state->icount_source = state->play.icount_source;
	} else if (state->log.recording) {
		state->mode = VIRTIO_LOOPBACK_REPLAY_MODE_RECORD;
		state->icount = state->log.icount;
		state->icount_source = state->log.icount_source;
	} else {
		state->mode = VIRTIO_LOOPBACK_REPLAY_MODE_NONE;
		state->icount = 0;
		state->icount_source = VIRTIO_LOOPBACK_ICOUNT_NONE;
	}
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
