// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the vl-qmpd binary, without the module (none is ever
 * loaded on the host): it serves QMP all the same, query-replay saying
 * mode none.  What matters here is the daemon around the protocol: many
 * clients at once, and clients that misbehave (garbage, a megabyte with
 * no end, leaving mid-request, never reading) while the others are
 * answered and the daemon's memory stays bounded; its command line, exit
 * statuses, pid file, --daemonize, quit and SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define TIMEOUT_MS	5000

static char qmpd[PATH_MAX + 32];

/* build/bin/vl-qmpd, beside this test's build/host-tests/. */
static const char *qmpd_path(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return "vl-qmpd";
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(qmpd, sizeof(qmpd), "%s/../bin/vl-qmpd", self);
	return qmpd;
}

/* Start vl-qmpd with @args (NULL-terminated, after argv[0]); its pid. */
static pid_t spawn(const char *const *args, int out_fd)
{
	const char *argv[16] = { qmpd_path() };
	pid_t pid;
	int i;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	pid = fork();
	if (!pid) {
		if (out_fd >= 0) {
			dup2(out_fd, STDOUT_FILENO);
			dup2(out_fd, STDERR_FILENO);
		}
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	return pid;
}

/* Its exit status, or -1 if it did not end within @ms. */
static int wait_exit(pid_t pid, int ms)
{
	int status, i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(10000);
	}
	return -1;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Connect, retrying while the daemon starts. */
static int connect_wait(const char *path)
{
	int fd, i;

	for (i = 0; i < TIMEOUT_MS / 10; i++) {
		fd = connect_unix(path);
		if (fd >= 0)
			return fd;
		usleep(10000);
	}
	return -1;
}

/* One CRLF-terminated line (without it) into @buf; false on EOF or timeout. */
static bool read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len + 1 < size) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, TIMEOUT_MS) != 1 || read(fd, buf + len, 1) != 1)
			return false;
		if (++len >= 2 && buf[len - 2] == '\r' && buf[len - 1] == '\n') {
			buf[len - 2] = '\0';
			return true;
		}
	}
	return false;
}

static bool send_str(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s);
}

/* The next line that has @needle, skipping others (errors, events). */
static bool expect_line(int fd, const char *needle, char *buf, size_t size)
{
	while (read_line(fd, buf, size))
		if (strstr(buf, needle))
			return true;
	return false;
}

/* Greeting read, capabilities negotiated. */
static int client(const char *path)
{
	char line[512];
	int fd = connect_wait(path);

	if (fd < 0 || !read_line(fd, line, sizeof(line)) || !strstr(line, "\"QMP\"") ||
	    !send_str(fd, "{\"execute\":\"qmp_capabilities\"}") ||
	    !read_line(fd, line, sizeof(line)) || strcmp(line, "{\"return\": {}}")) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Whether the client at @fd still gets answers: query-replay, mode none. */
static bool answers(int fd, const char *id)
{
	char req[128], want[128], line[512];

	snprintf(req, sizeof(req), "{\"execute\":\"query-replay\",\"id\":\"%s\"}", id);
	snprintf(want, sizeof(want), "{\"return\": {\"icount\": 0, \"mode\": \"none\"}, \"id\": \"%s\"}", id);
	return send_str(fd, req) && expect_line(fd, "\"id\"", line, sizeof(line)) &&
	       !strcmp(line, want);
}

/* The daemon's resident memory, in KiB. */
static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

FIXTURE(daemon) {
	char dir[64];
	char sock[128];
	pid_t pid;
	int log;
};

FIXTURE_SETUP(daemon)
{
	const char *args[] = { "--qmp", self->sock, NULL };
	char spec[160];

	strcpy(self->dir, "/tmp/vl-qmpd-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->sock, sizeof(self->sock), "%s/qmp.sock", self->dir);
	snprintf(spec, sizeof(spec), "unix:%s", self->sock);
	args[1] = spec;
	self->log = open("/dev/null", O_WRONLY | O_CLOEXEC);
	self->pid = spawn(args, self->log);
	ASSERT_GT(self->pid, 0);
	args[1] = self->sock;
}

FIXTURE_TEARDOWN(daemon)
{
	char path[160];

	/* A daemon that had to quit is gone; else it ends on SIGTERM, with 0. */
	if (!kill(self->pid, SIGTERM))
		EXPECT_EQ(0, wait_exit(self->pid, TIMEOUT_MS));
	snprintf(path, sizeof(path), "%s/qmp.sock", self->dir);
	unlink(path);
	rmdir(self->dir);
	close(self->log);
}

TEST_F(daemon, serves_qmp_without_the_module)
{
	int fd = client(self->sock);

	ASSERT_GE(fd, 0);
	EXPECT_TRUE(answers(fd, "a"));
	close(fd);
}

TEST_F(daemon, sixty_four_clients_at_once)
{
	int fds[64], i;
	char id[16];

	for (i = 0; i < 64; i++) {
		fds[i] = client(self->sock);
		ASSERT_GE(fds[i], 0);
	}
	/* All ask before any reads: each gets its own answer. */
	for (i = 0; i < 64; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		EXPECT_TRUE(answers(fds[(i * 37) % 64], id));
	}
	for (i = 0; i < 64; i++)
		close(fds[i]);
}

TEST_F(daemon, garbage_and_malformed_json_hurt_no_one)
{
	int junk_fd = client(self->sock), bad = client(self->sock);
	int good = client(self->sock);
	unsigned int seed = 1;
	char junk[65536];
	size_t i;

	ASSERT_GE(junk_fd, 0);
	ASSERT_GE(bad, 0);
	ASSERT_GE(good, 0);
	/* Binary garbage: answered with errors, or dropped; never a crash. */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)rand_r(&seed);
	EXPECT_EQ((ssize_t)sizeof(junk), write(junk_fd, junk, sizeof(junk)));
	EXPECT_TRUE(answers(good, "g1"));
	close(junk_fd);
	/* Malformed JSON: each gets its error, the next request its answer. */
	send_str(bad, "{\"execute\":}{\"execute\":\"query-status\",}{1:2}[1 2]\n"
		      "}\x01\xff@{\"execute\" \"x\"}nul ");
	EXPECT_TRUE(answers(bad, "b1"));
	EXPECT_TRUE(answers(good, "g2"));
	close(bad);
	close(good);
}

TEST_F(daemon, a_megabyte_without_a_boundary_is_refused_and_dropped)
{
	int bad = client(self->sock), good = client(self->sock);
	size_t n = (1u << 20) + 4096, off = 0;
	char *big = malloc(n), line[512];

	ASSERT_GE(bad, 0);
	memset(big, 'x', n);
	memcpy(big, "{\"execute\":\"query-status\",\"id\":\"", 33);
	while (off < n) {
		ssize_t w = write(bad, big + off, n - off);

		if (w <= 0)
			break;	/* dropped before all of it went */
		off += w;
	}
	ASSERT_TRUE(read_line(bad, line, sizeof(line)));
	EXPECT_STREQ("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON token size limit exceeded\"}}",
		     line);
	EXPECT_FALSE(read_line(bad, line, sizeof(line)));	/* closed */
	EXPECT_TRUE(answers(good, "g"));
	free(big);
	close(bad);
	close(good);
}

TEST_F(daemon, a_client_leaving_mid_request)
{
	int gone = client(self->sock), good = client(self->sock);

	ASSERT_GE(gone, 0);
	send_str(gone, "{\"execute\":\"query-sta");
	close(gone);
	/* And one that leaves before reading its answer. */
	gone = client(self->sock);
	send_str(gone, "{\"execute\":\"query-commands\"}");
	close(gone);
	EXPECT_TRUE(answers(good, "g"));
	close(good);
}

TEST_F(daemon, a_client_that_never_reads_is_bounded)
{
	const char *req = "{\"execute\":\"query-commands\"}";
	int hog = client(self->sock), good = client(self->sock);
	long before = rss_kib(self->pid);
	struct timespec start, now;

	ASSERT_GE(hog, 0);
	fcntl(hog, F_SETFL, O_NONBLOCK);
	/* Ask until the daemon stops taking requests from it (a second of
	 * writes going nowhere), never reading a reply. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		if (write(hog, req, strlen(req)) < 0 && errno != EAGAIN)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 2);
	EXPECT_TRUE(answers(good, "g"));
	/* Its replies wait in a bounded queue: a few MiB at most. */
	EXPECT_LT(rss_kib(self->pid) - before, 8 * 1024);
	close(hog);
	EXPECT_TRUE(answers(good, "g2"));
	close(good);
}

TEST_F(daemon, quit_says_shutdown_and_ends_with_0)
{
	int fd = client(self->sock), other = client(self->sock);
	char line[512];
	struct stat st;

	ASSERT_GE(fd, 0);
	send_str(fd, "{\"execute\":\"quit\",\"id\":1}");
	ASSERT_TRUE(read_line(fd, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}"));
	ASSERT_TRUE(read_line(fd, line, sizeof(line)));
	EXPECT_STREQ("{\"return\": {}, \"id\": 1}", line);
	ASSERT_TRUE(read_line(other, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "SHUTDOWN"));
	EXPECT_EQ(0, wait_exit(self->pid, TIMEOUT_MS));
	EXPECT_NE(0, stat(self->sock, &st));	/* its socket is removed */
	close(fd);
	close(other);
}

TEST_F(daemon, sigterm_says_shutdown_and_ends_with_0)
{
	int fd = client(self->sock);
	char line[512];

	ASSERT_GE(fd, 0);
	kill(self->pid, SIGTERM);
	ASSERT_TRUE(read_line(fd, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "\"reason\": \"host-signal\""));
	EXPECT_EQ(0, wait_exit(self->pid, TIMEOUT_MS));
	close(fd);
}

TEST_F(daemon, a_second_daemon_on_the_same_socket_is_refused)
{
	char spec[160];
	const char *args[] = { "--qmp", spec, NULL };
	int fd = client(self->sock);

	ASSERT_GE(fd, 0);
	snprintf(spec, sizeof(spec), "unix:%s", self->sock);
	EXPECT_EQ(1, wait_exit(spawn(args, self->log), TIMEOUT_MS));
	EXPECT_TRUE(answers(fd, "still"));
	close(fd);
}

/* ---- The command line ----------------------------------------------------- */

static int run(const char *const *args)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int status = wait_exit(spawn(args, null), TIMEOUT_MS);

	close(null);
	return status;
}

TEST(exit_statuses)
{
	EXPECT_EQ(0, run((const char *[]){ "--help", NULL }));
	EXPECT_EQ(2, run((const char *[]){ NULL }));
	EXPECT_EQ(2, run((const char *[]){ "--bogus", NULL }));
	EXPECT_EQ(2, run((const char *[]){ "--qmp", "unix:/tmp/x", "extra", NULL }));
	EXPECT_EQ(2, run((const char *[]){ "--qmp", "unix:/tmp/x", "--record", "a",
					    "--replay", "b", NULL }));
	EXPECT_EQ(1, run((const char *[]){ "--qmp", "carrier-pigeon:1", NULL }));
	EXPECT_EQ(1, run((const char *[]){ "--qmp", "unix:/nonexistent/dir/s", NULL }));
	/* No module on the host: recording and replaying cannot start. */
	EXPECT_EQ(1, run((const char *[]){ "--qmp", "unix:/tmp/vl-qmpd-test-rec.sock",
					    "--record", "/tmp/vl-qmpd-test.log", NULL }));
	unlink("/tmp/vl-qmpd-test.log");
}

/* Its exit status, what it said (both streams) into @said. */
static int run_saying(const char *const *args, char *said, size_t size)
{
	char path[] = "/tmp/vl-qmpd-said.XXXXXX";
	int fd = mkstemp(path), status;
	ssize_t n;

	unlink(path);
	status = wait_exit(spawn(args, fd), TIMEOUT_MS);
	n = pread(fd, said, size - 1, 0);
	said[n > 0 ? n : 0] = '\0';
	close(fd);
	return status;
}

/* --window, --per-queue and --allow-cut: with --replay only, the window bounded. */
TEST(replay_options_are_checked)
{
	static const struct {
		const char *args[8];
		const char *said;
	} bad[] = {
		{ { "--window", "3" }, "--window, --per-queue and --allow-cut go with --replay" },
		{ { "--allow-cut" }, "--window, --per-queue and --allow-cut go with --replay" },
		{ { "--per-queue" }, "--window, --per-queue and --allow-cut go with --replay" },
		{ { "--record", "a", "--allow-cut" },
		  "--window, --per-queue and --allow-cut go with --replay" },
		{ { "--replay", "b", "--window", "257" },
		  "--window wants a decimal number from 0 to 256, not '257'" },
		{ { "--replay", "b", "--window=-1" }, "not '-1'" },
		{ { "--replay", "b", "--window", "0x10" }, "not '0x10'" },
		{ { "--replay", "b", "--window", "" }, "not ''" },
		{ { "--replay", "b", "--window", " 5" }, "not ' 5'" },
		{ { "--replay", "b", "--window", "99999999999999999999" },
		  "not '99999999999999999999'" },
	};
	const char *args[12] = { "--qmp", "unix:/tmp/vl-qmpd-test-opt.sock" };
	char said[4096];
	size_t i, k;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (k = 0; bad[i].args[k]; k++)
			args[2 + k] = bad[i].args[k];
		args[2 + k] = NULL;
		EXPECT_EQ(2, run_saying(args, said, sizeof(said))) TH_LOG("case %zu", i);
		EXPECT_NE(NULL, strstr(said, bad[i].said)) TH_LOG("case %zu: %s", i, said);
	}
	/* Good options: on the host it stops at the module, not at them. */
	args[2] = "--replay";
	args[3] = "/tmp/vl-qmpd-test-none.log";
	args[4] = "--window=256";
	args[5] = "--allow-cut";
	args[6] = NULL;
	EXPECT_EQ(1, run_saying(args, said, sizeof(said)));
	EXPECT_EQ(NULL, strstr(said, "usage")) TH_LOG("%s", said);
	EXPECT_NE(0, access("/tmp/vl-qmpd-test-opt.sock", F_OK));
}

TEST(daemonize_pidfile_and_tcp)
{
	char dir[] = "/tmp/vl-qmpd-test.XXXXXX", sock[64], spec[96], pidfile[64];
	char tcp[32], line[512];
	const char *args[] = { "--qmp", spec, "--qmp", tcp, "--daemonize",
			       "--pidfile", pidfile, NULL };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int pid = 0, fd;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/s", dir);
	snprintf(spec, sizeof(spec), "unix:%s,server,nowait", sock);
	snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
	sa.sin_port = htons(20000 + getpid() % 20000);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(tcp, sizeof(tcp), "tcp:127.0.0.1:%d", ntohs(sa.sin_port));
	/* The parent returns once the daemon is ready. */
	ASSERT_EQ(0, run(args));
	f = fopen(pidfile, "r");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(1, fscanf(f, "%d", &pid));
	fclose(f);
	EXPECT_EQ(0, kill(pid, 0));
	fd = connect_unix(sock);
	EXPECT_TRUE(fd >= 0 && read_line(fd, line, sizeof(line)) && strstr(line, "\"QMP\""));
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_TRUE(read_line(fd, line, sizeof(line)) && strstr(line, "\"QMP\""));
	close(fd);
	kill(pid, SIGTERM);
	/* Not our child: its end shows as its pid file going. */
	for (int i = 0; i < TIMEOUT_MS / 10 && !access(pidfile, F_OK); i++)
		usleep(10000);
	EXPECT_NE(0, access(pidfile, F_OK));	/* removed at exit */
	EXPECT_NE(0, access(sock, F_OK));
	rmdir(dir);
}

TEST_HARNESS_MAIN
