/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's log stream (VIRTIO_LOOPBACK_OPEN_LOG): what a recorder
 * drains into its file while recording, shared by vlctl record and
 * vl-qmpd.  The stream starts with the log's file header, so what is
 * copied as it comes is a log file.
 */
#ifndef VL_LOG_STREAM_H
#define VL_LOG_STREAM_H

#include <stddef.h>
#include <sys/types.h>

/* Open the stream through the module's node @device: its fd, or -errno. */
int vl_log_stream_open(const char *device);

/*
 * One read of the stream, written whole to @out through @buf (@size
 * bytes): the bytes copied, 0 once recording stopped and the stream is
 * empty, or a negative errno (-EAGAIN: nothing yet, on a non-blocking
 * stream; EINTR is retried).
 */
ssize_t vl_log_stream_copy(int log, int out, char *buf, size_t size);

#endif /* VL_LOG_STREAM_H */
