/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vl-qmpd's parts, as main.c puts them together: the QMP sockets and their
 * clients (server.c), the module over netlink (backend.c), the log stream
 * drained into a file while recording (record.c), a log fed to play mode
 * (play.c).  All of them run in one event loop (loop.c).
 */
#ifndef QMPD_H
#define QMPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vl_genl;

/* The module's node, through which the log streams are opened. */
#define QMPD_DEVICE	"/dev/virtio-loopback"

/* A line on stderr, "vl-qmpd: " first. */
void qmpd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* @path made absolute (malloc'ed), for use after the daemon's chdir("/"). */
char *qmpd_absolute(const char *path);

/* ---- server.c: QMP over unix and TCP sockets ------------------------------ */

/*
 * Listen on @spec, "unix:PATH" or "tcp:HOST:PORT" (QEMU's ",server" and
 * ",nowait"/",wait=off" are taken and ignored): 0, or -1 after saying why.
 */
int qmpd_server_listen(const char *spec);
/* Free the clients dropped during the last round of the loop. */
void qmpd_server_sweep(void);
/* Quitting: no new clients, no more requests; only output is written. */
void qmpd_server_stop_input(void);
/* Output still waiting for a client. */
bool qmpd_server_pending(void);
/* Close everything, and remove the unix sockets made. */
void qmpd_server_close(void);

/* ---- backend.c: the module ------------------------------------------------ */

/* Connect to the module if it is loaded (else on the first request). */
void qmpd_backend_init(void);
/* Connect now, for --record and --replay: 0, or -1 after saying why. */
int qmpd_backend_require(void);
void qmpd_backend_fini(void);
/* Whether a quit was asked for (quit, or a signal). */
bool qmpd_quitting(void);
/* The signal's quit: SHUTDOWN to the clients, as QEMU says it. */
void qmpd_quit_signal(void);

/* ---- record.c: the log stream into a file ------------------------------- */

/* Start recording into @file: 0, or a negative errno with @why said. */
int qmpd_record_begin(struct vl_genl *genl, const char *file, char *why,
		      size_t size);
/* Stop recording and write the rest of the log: 0 or -errno, @why said. */
int qmpd_record_end(struct vl_genl *genl, char *why, size_t size);
/* Whether a recording this daemon wrote lost records. */
bool qmpd_record_lost(void);
/* Whether writing its last recording's file failed (a full disk). */
bool qmpd_record_failed(void);
/* At exit: end a recording still running, so that its file is whole. */
void qmpd_record_fini(struct vl_genl *genl);

/* ---- play.c: a log fed to play mode ------------------------------------- */

/* How a log is played: --window, --per-queue, --allow-cut. */
struct qmpd_play_opts {
	uint32_t window;	/* struct virtio_loopback_play_start's */
	bool per_queue;		/* VIRTIO_LOOPBACK_PLAY_PER_QUEUE */
	bool allow_cut;		/* a file cut inside its last record plays */
};

/* Play @file as @opts say.  0, or -1 after saying why. */
int qmpd_play_begin(const char *file, const struct qmpd_play_opts *opts);
/* At exit: closing the play descriptor ends play mode. */
void qmpd_play_fini(void);

#endif /* QMPD_H */
