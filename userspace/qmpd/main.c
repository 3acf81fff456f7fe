// SPDX-License-Identifier: GPL-2.0
/*
 * vl-qmpd: the QMP daemon of virtio-loopback.  It speaks QMP as QEMU 7.2
 * does on unix and TCP sockets, to many clients at once, and bridges the
 * commands to the module over generic netlink; while recording it writes
 * the module's log stream into a file, while replaying it feeds one.
 *
 * Exit status: 0 after quit or SIGINT/SIGTERM, 1 when it could not start
 * or failed, 2 for bad usage, 3 when it ended well but a recording it
 * wrote lost records (they are marked in the file).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/virtio_loopback.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "loop.h"
#include "qmpd.h"

#define EXIT_USAGE	2
#define EXIT_LOST	3
#define QMPD_MAX_QMP	16
/* How long clients get to read their last replies when quitting. */
#define QMPD_FLUSH_MS	1000

struct options {
	const char *qmp[QMPD_MAX_QMP];
	int nqmp;
	const char *record;
	const char *replay;
	const char *pidfile;
	bool daemonize;
	struct qmpd_play_opts play;	/* --window, --per-queue, --allow-cut */
	bool has_window;
};

static bool daemonized;

void qmpd_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vl-qmpd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vl-qmpd --qmp ADDR [--qmp ADDR]... [--record FILE |\n"
		"               --replay FILE [--window N] [--per-queue] [--allow-cut]]\n"
		"               [--pidfile FILE] [--daemonize]\n"
		"\n"
		"The QMP daemon of virtio-loopback: QEMU's QMP (query-replay, replay-break,\n"
		"replay-delete-break, replay-seek, stop, cont, query-status, ...) for the\n"
		"virtio_loopback module, to any QMP client.\n"
		"\n"
		"  --qmp unix:PATH        listen on a unix socket (QEMU's ,server,nowait\n"
		"  --qmp tcp:HOST:PORT    are accepted); TCP: QMP has no authentication, use\n"
		"                         127.0.0.1.  Several --qmp listen on all of them.\n"
		"  --record FILE          start recording: the module's log goes into FILE\n"
		"  --replay FILE          play FILE: checked whole, then fed to the module\n"
		"  --window N             with --replay: a request the driver queued may\n"
		"                         match one of its queue's next N in the log\n"
		"                         (submitters that race; 0 to %u, default 0)\n"
		"  --per-queue            with --replay: each queue in its own log order,\n"
		"                         not the log's across queues (multiqueue devices)\n"
		"  --allow-cut            with --replay: a FILE cut inside its last record\n"
		"                         (a recorder killed, a full disk) plays its whole\n"
		"                         records, with a warning (else it is refused)\n"
		"  --pidfile FILE         write the daemon's pid to FILE (removed at exit)\n"
		"  --daemonize            run in the background once listening; stdin and\n"
		"                         stdout go to /dev/null, stderr stays as given\n"
		"  -h, --help             this text\n"
		"\n"
		"Without the module loaded it serves QMP all the same: query-replay says\n"
		"mode none, query-status running, and commands that need the module fail\n"
		"until it is loaded; --record and --replay need it at start.\n"
		"\n"
		"Exit status: 0 after quit, SIGINT or SIGTERM; 1 could not start, or failed\n"
		"(a recording's file could not be written too);\n"
		"2 bad usage; 3 ended well, but a recording lost records (marked in FILE).\n",
		VIRTIO_LOOPBACK_PLAY_MAX_WINDOW);
}

/* --window N: decimal, digits only, at most the module's largest. */
static int parse_window(const char *arg, struct options *o)
{
	unsigned long n = 0;
	const char *p;

	for (p = arg; *p >= '0' && *p <= '9' && n <= VIRTIO_LOOPBACK_PLAY_MAX_WINDOW; p++)
		n = n * 10 + (*p - '0');
	if (!*arg || *p || n > VIRTIO_LOOPBACK_PLAY_MAX_WINDOW) {
		qmpd_log("--window wants a decimal number from 0 to %u, not '%s'",
			 VIRTIO_LOOPBACK_PLAY_MAX_WINDOW, arg);
		return EXIT_USAGE;
	}
	o->play.window = n;
	o->has_window = true;
	return 0;
}

/* What the options say together that is wrong; NULL when nothing is. */
static const char *conflict(const struct options *o)
{
	if (!o->nqmp)
		return "no --qmp address";
	if (o->record && o->replay)
		return "--record and --replay exclude each other";
	if ((o->has_window || o->play.per_queue || o->play.allow_cut) &&
	    !o->replay)
		return "--window, --per-queue and --allow-cut go with --replay";
	return NULL;
}

/* The options as a whole: 0, or EXIT_USAGE after saying why. */
static int check_options(int argc, char **argv, const struct options *o)
{
	const char *why = conflict(o);

	if (optind < argc)
		qmpd_log("unexpected argument '%s'", argv[optind]);
	else if (why)
		qmpd_log("%s", why);
	else
		return 0;
	usage(stderr);
	return EXIT_USAGE;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "qmp", required_argument, NULL, 'q' },
		{ "record", required_argument, NULL, 'r' },
		{ "replay", required_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'w' },
		{ "allow-cut", no_argument, NULL, 'c' },
		{ "per-queue", no_argument, NULL, 'Q' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "daemonize", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			if (o->nqmp == QMPD_MAX_QMP) {
				qmpd_log("at most %d --qmp", QMPD_MAX_QMP);
				return EXIT_USAGE;
			}
			o->qmp[o->nqmp++] = optarg;
			break;
		case 'r':
			o->record = optarg;
			break;
		case 'p':
			o->replay = optarg;
			break;
		case 'w':
			if (parse_window(optarg, o))
				return EXIT_USAGE;
			break;
		case 'c':
			o->play.allow_cut = true;
			break;
		case 'Q':
			o->play.per_queue = true;
			break;
		case 'P':
			o->pidfile = optarg;
			break;
		case 'd':
			o->daemonize = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return check_options(argc, argv, o);
}

/* ---- Signals: through the loop, as a descriptor ---------------------------- */

static struct qmpd_watch signal_watch;

static void on_signal(void *arg, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)arg;
	(void)events;
	if (read(signal_watch.fd, &si, sizeof(si)) == sizeof(si) &&
	    !qmpd_quitting()) {
		qmpd_log("signal %u: quitting", si.ssi_signo);
		qmpd_quit_signal();
	}
}

static void quit_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
}

/* Held from the start, so that one during start-up is not lost. */
static void block_signals(void)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	quit_signals(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
}

/*
 * After daemonizing: a signalfd in epoll wakes on the signals of the
 * process that added it, and that would be the parent that exited.
 */
static int catch_signals(void)
{
	sigset_t mask;

	quit_signals(&mask);
	signal_watch.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	signal_watch.fn = on_signal;
	if (signal_watch.fd < 0 || qmpd_loop_add(&signal_watch, EPOLLIN)) {
		qmpd_log("signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- Daemonizing and the pid file ---------------------------------------- */

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		qmpd_log("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The parent returns only once the child is ready (its pid file written),
 * with the child's verdict as its exit status: a script that starts the
 * daemon can connect as soon as it returns 0.
 */
static int daemonize(const char *pidfile)
{
	int ready[2], devnull;
	char ok = 1;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) || (pid = fork()) < 0) {
		qmpd_log("fork: %s", strerror(errno));
		return -1;
	}
	if (pid) {
		close(ready[1]);
		if (read(ready[0], &ok, 1) != 1)
			ok = 1;
		_exit(ok ? EXIT_FAILURE : 0);
	}
	close(ready[0]);
	setsid();
	if (chdir("/"))
		qmpd_log("chdir /: %s", strerror(errno));
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		close(devnull);
	}
	if (pidfile && write_pidfile(pidfile))
		return -1;	/* the parent reads EOF: failure */
	ok = 0;
	if (write(ready[1], &ok, 1) != 1)
		qmpd_log("telling the parent: %s", strerror(errno));
	close(ready[1]);
	daemonized = true;
	return 0;
}

/* ---- Running ----------------------------------------------------------------- */

static int start(const struct options *o)
{
	int i, err;

	block_signals();
	if (qmpd_loop_init())
		return -1;
	for (i = 0; i < o->nqmp; i++)
		if (qmpd_server_listen(o->qmp[i]))
			return -1;
	qmpd_backend_init();
	if ((o->record || o->replay) && qmpd_backend_require())
		return -1;
	if (o->record) {
		err = qmpd_record_start(o->record);
		if (err) {
			qmpd_log("cannot start recording: %s", qmpd_strerror(err));
			return -1;
		}
	}
	if (o->replay && qmpd_play_begin(o->replay, &o->play))
		return -1;
	if (o->daemonize ? daemonize(o->pidfile) :
	    o->pidfile ? write_pidfile(o->pidfile) : 0)
		return -1;
	return catch_signals();
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Serve until quit; then the last replies get a moment to go out. */
static int run(void)
{
	long deadline;
	int err = 0;

	while (!qmpd_quitting() && !err) {
		err = qmpd_loop_run_once(-1);
		qmpd_server_sweep();
	}
	if (err)
		qmpd_log("event loop: %s", strerror(-err));
	qmpd_server_stop_input();
	deadline = now_ms() + QMPD_FLUSH_MS;
	while (qmpd_server_pending() && now_ms() < deadline) {
		qmpd_loop_run_once(deadline - now_ms());
		qmpd_server_sweep();
	}
	return err ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int status;

	status = parse_options(argc, argv, &o);
	if (status)
		return status;
	if (o.pidfile && !(o.pidfile = qmpd_absolute(o.pidfile)))
		return EXIT_FAILURE;
	status = start(&o) || run() ? EXIT_FAILURE : 0;
	qmpd_backend_fini();
	qmpd_server_close();
	if (o.pidfile && (daemonized || !o.daemonize))
		unlink(o.pidfile);
	qmpd_loop_fini();
	if (!status && qmpd_record_failed())
		status = EXIT_FAILURE;
	if (!status && qmpd_record_lost())
		status = EXIT_LOST;
	return status;
}
