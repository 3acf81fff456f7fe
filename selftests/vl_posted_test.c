// SPDX-License-Identifier: GPL-2.0
/*
 * Posted queues take chains of any length.  A multiport virtio-console,
 * served here on the raw channel, opens port 1; splice() to /dev/vportNp1
 * queues one chain of 128 KiB on its transmit queue, which the transport
 * posts.  The backend must get all of it, in order, in posted requests of
 * at most 32 KiB each.
 */
#include <dirent.h>
#include <linux/virtio_console.h>

#include "kselftest_harness.h"
#include "vl_test_rng.h"

#define PORTS		2
#define TX1		5	/* rx0 tx0 c_ivq c_ovq rx1 tx1 */
#define C_IVQ		2
#define C_OVQ		3
#define SPLICED		(128 << 10)
#define RECORD_MAX	(32 << 10)

struct console_create {
	struct virtio_loopback_device_config cfg;
	struct virtio_console_config config;
};

struct console_backend {
	int fd;
	int stop_pipe[2];
	pthread_t thread;
	unsigned char *rbuf, *wbuf;
	uint64_t held[64];		/* c_ivq buffers the driver gave us */
	unsigned int nheld;
	unsigned char *got;		/* what tx1 carried */
	size_t got_len;
	unsigned int records;
	uint32_t largest;
	int failed;			/* a step that went wrong, for the log */
};

/* Send one control message through a held c_ivq buffer. */
static void control(struct console_backend *b, uint32_t id, uint16_t event,
		    uint16_t value)
{
	struct virtio_console_control c = {
		.id = id, .event = event, .value = value,
	};
	struct virtio_loopback_msg_complete *m = (void *)b->wbuf;
	size_t n;

	if (!b->nheld) {
		b->failed = __LINE__;
		return;
	}
	n = put_completion(b->wbuf, b->held[--b->nheld], C_IVQ, sizeof(c), 0);
	memcpy(m->data, &c, sizeof(c));
	if (write(b->fd, b->wbuf, n) != (ssize_t)n)
		b->failed = __LINE__;
}

static void on_control(struct console_backend *b, const unsigned char *data,
		       uint32_t len)
{
	struct virtio_console_control c;

	if (len < sizeof(c))
		return;
	memcpy(&c, data, sizeof(c));
	if (c.event == VIRTIO_CONSOLE_DEVICE_READY && c.value == 1)
		control(b, 1, VIRTIO_CONSOLE_PORT_ADD, 1);
	else if (c.event == VIRTIO_CONSOLE_PORT_READY && c.id == 1 && c.value)
		control(b, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
}

/* Completions go out one by one, from on_control(): nothing to batch. */
static size_t on_request(void *ctx, const struct virtio_loopback_msg_request *r,
			 unsigned char *out)
{
	struct console_backend *b = ctx;
	const unsigned char *data = (const void *)&r->segs[r->nsegs];

	if (r->queue == C_IVQ && !(r->hdr.flags & VIRTIO_LOOPBACK_MSG_F_POSTED)) {
		if (b->nheld < sizeof(b->held) / sizeof(b->held[0]))
			b->held[b->nheld++] = r->id;
	} else if (r->queue == C_OVQ) {
		on_control(b, data, r->out_len);
	} else if (r->queue == TX1) {
		if (b->got_len + r->out_len > SPLICED) {
			b->failed = __LINE__;
			return 0;
		}
		memcpy(b->got + b->got_len, data, r->out_len);
		b->got_len += r->out_len;
		b->records++;
		if (r->out_len > b->largest)
			b->largest = r->out_len;
	}
	return 0;
}

static void *console_serve(void *arg)
{
	struct console_backend *b = arg;

	raw_serve(b->fd, b->stop_pipe[0], b->rbuf, READ_BUF_SIZE, b->wbuf,
		  on_request, b);
	return NULL;
}

/* /dev/vportNp1, once the driver has added port 1. */
static int find_port(char *path, size_t size)
{
	for (int tries = 0; tries < 200; tries++) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			size_t len = strlen(e->d_name);

			if (len > 2 && !strcmp(e->d_name + len - 2, "p1")) {
				snprintf(path, size, "/dev/%s", e->d_name);
				closedir(d);
				if (!access(path, F_OK))
					return 0;
				d = NULL;
				break;
			}
		}
		if (d)
			closedir(d);
		usleep(50 * 1000);
	}
	return -1;
}

FIXTURE(console) {
	struct console_backend b;
};

FIXTURE_SETUP(console)
{
	struct console_create req = {
		.cfg = {
			.device_id = VIRTIO_ID_CONSOLE,
			.vendor_id = 0x1af4,
			.features = 1ULL << VIRTIO_F_VERSION_1 |
				    1ULL << VIRTIO_RING_F_INDIRECT_DESC |
				    1ULL << VIRTIO_RING_F_EVENT_IDX |
				    1ULL << VIRTIO_CONSOLE_F_MULTIPORT,
			.num_queues = 2 * PORTS + 2,
			.max_queue_size = 128,
			.config_size = sizeof(struct virtio_console_config),
		},
		.config = { .max_nr_ports = PORTS },
	};
	struct console_backend *b = &self->b;

	memset(b, 0, sizeof(*b));
	b->rbuf = malloc(READ_BUF_SIZE);
	b->wbuf = malloc(4096);
	b->got = malloc(SPLICED);
	ASSERT_TRUE(b->rbuf && b->wbuf && b->got);
	ASSERT_EQ(0, pipe(b->stop_pipe));
	b->fd = open_channel();
	ASSERT_LE(0, b->fd);
	ASSERT_LE(0, ioctl(b->fd, VIRTIO_LOOPBACK_CREATE_DEVICE, &req));
	ASSERT_EQ(0, pthread_create(&b->thread, NULL, console_serve, b));
}

FIXTURE_TEARDOWN(console)
{
	struct console_backend *b = &self->b;

	if (write(b->stop_pipe[1], "x", 1) == 1)
		pthread_join(b->thread, NULL);
	close(b->fd);
	free(b->rbuf);
	free(b->wbuf);
	free(b->got);
}

TEST_F_TIMEOUT(console, spliced_chain_of_128KiB_arrives_whole, 120)
{
	struct console_backend *b = &self->b;
	unsigned char *pattern;
	char port[64];
	int pipefd[2], fd;
	ssize_t n = -1;

	ASSERT_EQ(0, find_port(port, sizeof(port))) TH_LOG("no port 1");
	/* The node appears a moment before the driver lists the port: ENXIO. */
	for (int i = 0; i < 100; i++) {
		fd = open(port, O_WRONLY);
		if (fd >= 0 || errno != ENXIO)
			break;
		usleep(50 * 1000);
	}
	ASSERT_LE(0, fd) TH_LOG("%s: %s", port, strerror(errno));

	pattern = malloc(SPLICED);
	ASSERT_NE(NULL, pattern);
	for (size_t i = 0; i < SPLICED; i++)
		pattern[i] = i * 7 + i / 4096;
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_LE(SPLICED, fcntl(pipefd[1], F_SETPIPE_SZ, SPLICED));
	ASSERT_EQ(SPLICED, write(pipefd[1], pattern, SPLICED));

	/* Once the device opened the port, the whole pipe goes as one chain. */
	for (int i = 0; i < 100; i++) {
		n = splice(pipefd[0], NULL, fd, NULL, SPLICED, SPLICE_F_NONBLOCK);
		if (n == SPLICED)
			break;
		ASSERT_TRUE(n < 0 && (errno == EAGAIN || errno == ENODEV))
			TH_LOG("splice gave %zd: %s", n, strerror(errno));
		usleep(50 * 1000);
	}
	ASSERT_EQ(SPLICED, n) TH_LOG("splice: %s", strerror(errno));

	for (int i = 0; i < 200 && b->got_len < SPLICED; i++)
		usleep(50 * 1000);
	EXPECT_EQ(0, b->failed) TH_LOG("backend failed at line %d", b->failed);
	ASSERT_EQ(SPLICED, b->got_len);
	EXPECT_EQ(0, memcmp(pattern, b->got, SPLICED));
	EXPECT_LE(SPLICED / RECORD_MAX, b->records);
	EXPECT_GE(RECORD_MAX, b->largest);
	TH_LOG("%u posted requests, the largest %u bytes", b->records, b->largest);

	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
	free(pattern);
}

TEST_HARNESS_MAIN
