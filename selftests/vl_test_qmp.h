/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QMP in the selftests: the client of userspace/lib/qmp_client.c (a unix
 * socket, json-c, replies matched by id, events kept for the test to
 * wait for), with what the tests ask of it most; and vl-qmpd itself:
 * started with its stderr in a file (and, for a full disk, a limit on
 * the size of the files it writes), waited for, stopped.
 */
#ifndef VL_TEST_QMP_H
#define VL_TEST_QMP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "qmp_client.h"
#include "vl_test_util.h"

#ifndef VL_QMPD
#define VL_QMPD			"/usr/bin/vl-qmpd"
#endif

/* {"icount": @icount}, the arguments of replay-break and replay-seek. */
static inline struct json_object *qmp_icount_arg(uint64_t icount)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "icount", json_object_new_int64(icount));
	return args;
}

static inline int qmp_cmd_icount(struct qmp_client *c, const char *execute,
				 uint64_t icount)
{
	return qmp_cmd(c, execute, qmp_icount_arg(icount));
}

/* What query-replay and query-status answer. */
struct qmp_replay {
	char mode[16];
	char filename[256];
	uint64_t icount;
};

static inline int qmp_query_replay(struct qmp_client *c, struct qmp_replay *r)
{
	struct json_object *reply = qmp_execute(c, "query-replay", NULL), *ret, *v;
	int err = -1;

	memset(r, 0, sizeof(*r));
	if (reply && json_object_object_get_ex(reply, "return", &ret) &&
	    json_object_object_get_ex(ret, "mode", &v)) {
		snprintf(r->mode, sizeof(r->mode), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(ret, "filename", &v))
			snprintf(r->filename, sizeof(r->filename), "%s",
				 json_object_get_string(v));
		if (json_object_object_get_ex(ret, "icount", &v)) {
			r->icount = json_object_get_uint64(v);
			err = 0;
		}
	}
	json_object_put(reply);
	return err;
}

/*
 * query-status: 1 paused, 0 running, -1 no answer or one where "status"
 * and "running" disagree.
 */
static inline int qmp_paused(struct qmp_client *c)
{
	struct json_object *reply = qmp_execute(c, "query-status", NULL), *ret;
	struct json_object *status, *running;
	int paused = -1;

	if (reply && json_object_object_get_ex(reply, "return", &ret) &&
	    json_object_object_get_ex(ret, "status", &status) &&
	    json_object_object_get_ex(ret, "running", &running)) {
		bool p = !strcmp(json_object_get_string(status), "paused");
		bool r = !strcmp(json_object_get_string(status), "running");

		if ((p || r) && json_object_get_boolean(running) == r)
			paused = p;
	}
	json_object_put(reply);
	return paused;
}

/* An event's "data" member @key as an integer, or -1. */
static inline int64_t qmp_event_int(struct json_object *ev, const char *key)
{
	struct json_object *data, *v;

	if (!json_object_object_get_ex(ev, "data", &data) ||
	    !json_object_object_get_ex(data, key, &v))
		return -1;
	return json_object_get_int64(v);
}

/* ---- vl-qmpd ------------------------------------------------------------- */

struct qmpd_proc {
	pid_t pid;
	char sock[64];		/* its unix socket */
	char errlog[64];	/* its stderr */
};

/* The file size limit of qmpd_spawn(): none. */
#define QMPD_NO_FILE_LIMIT	0

/*
 * Start vl-qmpd on the unix socket @sock with the options @args (up to
 * their NULL; at most 8).  Its messages go to a file, printed by
 * qmpd_print_log(): on the TAP stream they would not be comments.  With
 * a @file_limit (RLIMIT_FSIZE, SIGXFSZ ignored) the files it writes stop
 * growing there, as on a full disk: a write past it fails with EFBIG.
 */
static inline int qmpd_spawn(struct qmpd_proc *d, const char *sock,
			     const char *const *args, off_t file_limit)
{
	const char *argv[12] = { VL_QMPD, "--qmp" };
	struct rlimit lim = { file_limit, file_limit };
	char spec[80];
	int i;

	argv[2] = spec;
	for (i = 0; args[i] && i < 8; i++)
		argv[3 + i] = args[i];
	snprintf(d->sock, sizeof(d->sock), "%s", sock);
	snprintf(d->errlog, sizeof(d->errlog), "%s.err", sock);
	snprintf(spec, sizeof(spec), "unix:%s", sock);
	fflush(stderr);
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (!d->pid) {
		int fd = open(d->errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0600);

		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		if (file_limit != QMPD_NO_FILE_LIMIT &&
		    (signal(SIGXFSZ, SIG_IGN) == SIG_ERR ||
		     setrlimit(RLIMIT_FSIZE, &lim)))
			_exit(126);
		execv(VL_QMPD, (char *const *)argv);
		_exit(127);
	}
	return 0;
}

/* vl-qmpd with @mode ("--record", "--replay" or NULL) and @file. */
static inline int qmpd_start(struct qmpd_proc *d, const char *sock,
			     const char *mode, const char *file)
{
	const char *args[] = { mode, file, NULL };

	return qmpd_spawn(d, sock, args, QMPD_NO_FILE_LIMIT);
}

/* Its exit status (128 + N for signal N), or -1 if it ran on for @ms. */
static inline int qmpd_wait_exit(struct qmpd_proc *d, int ms)
{
	int status;

	for (int i = 0; d->pid > 0 && i < ms / 10; i++) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       128 + WTERMSIG(status);
		}
		usleep(10 * 1000);
	}
	return -1;
}

static inline bool qmpd_alive(struct qmpd_proc *d)
{
	return d->pid > 0 && waitpid(d->pid, NULL, WNOHANG) == 0;
}

/*
 * A client once the daemon listens (its socket appears only then): 0,
 * or -1 if the daemon exited or did not listen within QMP_TIMEOUT_MS.
 */
static inline int qmpd_connect(struct qmpd_proc *d, struct qmp_client *c)
{
	for (int i = 0; i < QMP_TIMEOUT_MS / 20; i++) {
		if (!qmp_connect_once(c, d->sock))
			return 0;
		if (!qmpd_alive(d))
			return -1;
		usleep(20 * 1000);
	}
	return -1;
}

/* Connected, greeted and negotiated: 0, or -1. */
static inline int qmpd_open(struct qmpd_proc *d, struct qmp_client *c)
{
	if (qmpd_connect(d, c))
		return -1;
	if (!qmp_negotiate(c))
		return 0;
	qmp_close(c);
	return -1;
}

/* Killed if it still runs (a failed test): @sig, then reaped. */
static inline void qmpd_kill(struct qmpd_proc *d, int sig)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, sig);
	waitpid(d->pid, NULL, 0);
	d->pid = 0;
}

/* What the daemon said on stderr, as TAP comments. */
static inline void qmpd_print_log(const struct qmpd_proc *d)
{
	char line[512];
	FILE *f = fopen(d->errlog, "r");

	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "# %s", line);
	if (f)
		fclose(f);
}

#endif /* VL_TEST_QMP_H */
