// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console over the transport, served by `vl-backend console
 * --socket`: bytes written on either side arrive intact on the other.
 */
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "vl_test_backend.h"

#define PAYLOAD (64 * 1024)

FIXTURE(console) {
	struct vl_backend_proc backend;
	char socket_path[64];
	int peer;	/* our end of the backend's socket */
	int tty;	/* the driver's side: /dev/hvcN */
	unsigned char *sent, *got;
};

static int connect_peer(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The console's tty: the hvc the device's virtio-ports entry leads to. */
static int open_console_tty(void)
{
	struct termios t;
	char path[32];
	int fd = -1;

	/* This VM has no other hvc console: the device's port is the first. */
	for (int tries = 0; tries < 200 && fd < 0; tries++) {
		for (int i = 0; i < 8 && fd < 0; i++) {
			snprintf(path, sizeof(path), "/dev/hvc%d", i);
			fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		}
		if (fd < 0)
			usleep(50 * 1000);
	}
	if (fd < 0)
		return -1;
	/* Raw: no echo, no line discipline, the bytes as they are. */
	tcgetattr(fd, &t);
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
	tcflush(fd, TCIOFLUSH);
	return fd;
}

static int read_full(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 20000) <= 0)
			return -1;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += n;
	}
	return 0;
}

struct writer {
	pthread_t thread;
	int fd;
	const unsigned char *buf;
	size_t len;
};

static void *writer_run(void *arg)
{
	struct writer *w = arg;
	size_t done = 0;

	while (done < w->len) {
		ssize_t n = write(w->fd, w->buf + done, w->len - done);

		if (n <= 0)
			break;
		done += n;
	}
	return NULL;
}

static int writer_start(struct writer *w, int fd, const unsigned char *buf)
{
	w->fd = fd;
	w->buf = buf;
	w->len = PAYLOAD;
	return pthread_create(&w->thread, NULL, writer_run, w);
}

FIXTURE_SETUP(console)
{
	const char *argv[] = { "console", "--socket", self->socket_path, NULL };

	snprintf(self->socket_path, sizeof(self->socket_path),
		 "/tmp/vlcons-%d.sock", getpid());
	self->sent = malloc(PAYLOAD);
	self->got = malloc(PAYLOAD);
	ASSERT_NE(NULL, self->sent);
	ASSERT_NE(NULL, self->got);
	for (size_t i = 0; i < PAYLOAD; i++)
		self->sent[i] = random();
	ASSERT_EQ(0, vl_backend_start(&self->backend, argv))
		TH_LOG("vl-backend console did not come up");
	self->tty = open_console_tty();
	ASSERT_LE(0, self->tty) TH_LOG("no hvc console appeared");
	self->peer = connect_peer(self->socket_path);
	ASSERT_LE(0, self->peer) TH_LOG("connect: %s", strerror(errno));
}

FIXTURE_TEARDOWN(console)
{
	close(self->tty);
	close(self->peer);
	vl_backend_stop(&self->backend, SIGTERM);
	free(self->sent);
	free(self->got);
}

struct reader {
	pthread_t thread;
	int fd;
	unsigned char *buf;
	int result;
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;

	r->result = read_full(r->fd, r->buf, PAYLOAD);
	return NULL;
}

static int reader_start(struct reader *r, int fd, unsigned char *buf)
{
	r->fd = fd;
	r->buf = buf;
	r->result = -1;
	return pthread_create(&r->thread, NULL, reader_run, r);
}

static void transfer(struct __test_metadata *_metadata, int from, int to,
		     unsigned char *sent, unsigned char *got)
{
	struct writer w;

	ASSERT_EQ(0, writer_start(&w, from, sent));
	memset(got, 0, PAYLOAD);
	EXPECT_EQ(0, read_full(to, got, PAYLOAD)) TH_LOG("bytes went missing");
	pthread_join(w.thread, NULL);
	EXPECT_EQ(0, memcmp(sent, got, PAYLOAD)) TH_LOG("bytes arrived changed");
}

TEST_F_TIMEOUT(console, peer_to_driver_arrives_intact, 120)
{
	transfer(_metadata, self->peer, self->tty, self->sent, self->got);
}

TEST_F_TIMEOUT(console, driver_to_peer_arrives_intact, 120)
{
	char debugfs[8192], want[32], *line;

	transfer(_metadata, self->tty, self->peer, self->sent, self->got);

	/* The transmit queue is posted: none of it waited on the backend. */
	ASSERT_LT(0, vl_read_file(VL_DEBUGFS "/devices", debugfs, sizeof(debugfs)));
	snprintf(want, sizeof(want), "vl%d: device_id 3 ", self->backend.index);
	line = strstr(debugfs, want);
	ASSERT_NE(NULL, line) TH_LOG("%s", debugfs);
	line = strstr(line, "queue 1: enabled");
	ASSERT_NE(NULL, line) TH_LOG("%s", debugfs);
	EXPECT_EQ(0, strtoull(strstr(line, " requests ") + 10, NULL, 10));
	EXPECT_LT(0, strtoull(strstr(line, " posted ") + 8, NULL, 10));
	EXPECT_EQ(0, strtoull(strstr(line, " dropped ") + 9, NULL, 10));
}

TEST_F_TIMEOUT(console, both_ways_at_once, 120)
{
	unsigned char *back = malloc(PAYLOAD), *back_got = malloc(PAYLOAD);
	struct writer w;
	struct reader r;

	ASSERT_NE(NULL, back);
	ASSERT_NE(NULL, back_got);
	for (size_t i = 0; i < PAYLOAD; i++)
		back[i] = i * 7 + 3;
	/*
	 * Both ways at once: drain the peer's side while the driver writes, as
	 * a real peer would.  virtio_console's hvc put_chars() spins until the
	 * device takes each chunk, so a peer that stops reading stalls a CPU.
	 */
	ASSERT_EQ(0, writer_start(&w, self->tty, back));
	ASSERT_EQ(0, reader_start(&r, self->peer, back_got));
	transfer(_metadata, self->peer, self->tty, self->sent, self->got);
	pthread_join(w.thread, NULL);
	pthread_join(r.thread, NULL);
	EXPECT_EQ(0, r.result) TH_LOG("the peer missed bytes");
	EXPECT_EQ(0, memcmp(back, back_got, PAYLOAD));
	free(back);
	free(back_got);
}

TEST_HARNESS_MAIN
