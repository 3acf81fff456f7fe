// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of vl-backend's virtio-blk model (userspace/backend/
 * dev_blk.c) on image files in /tmp, with a fake event loop that records
 * the completions: every request, however malformed, is completed exactly
 * once, with the right status in its last writable byte; an empty image is
 * refused; an image served for writing is locked against a second backend;
 * the serial and the counters are what --serial and --stats promise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/virtio_blk.h>

#include "kselftest_harness.h"
#include "backend.h"

#define IMG_SIZE	(1u << 20)
#define MAX_DONE	8
#define MAX_DATA	(64u << 10)

/* ---- A fake of loop.c: completions are kept for the test to look at ---- */

struct done {
	uint64_t id;
	uint32_t queue;
	uint32_t len;
	uint8_t data[MAX_DATA];
};

struct vl_loop {
	struct done done[MAX_DONE];
	unsigned int n;
	bool open;
};

void *vl_complete_begin(struct vl_loop *loop, uint64_t id, uint32_t queue,
			uint32_t max_len)
{
	struct done *d;

	if (loop->n >= MAX_DONE || max_len > MAX_DATA || loop->open)
		abort();	/* a test asked too much, or begin twice */
	d = &loop->done[loop->n];
	d->id = id;
	d->queue = queue;
	/* Garbage where the model must write: it must not leave any. */
	memset(d->data, 0xa5, max_len);
	loop->open = true;
	return d->data;
}

void vl_complete_end(struct vl_loop *loop, uint32_t len)
{
	if (!loop->open)
		abort();
	loop->done[loop->n++].len = len;
	loop->open = false;
}

void vl_complete(struct vl_loop *loop, uint64_t id, uint32_t queue,
		 const void *data, uint32_t len)
{
	void *dst = vl_complete_begin(loop, id, queue, len);

	if (len)
		memcpy(dst, data, len);
	vl_complete_end(loop, len);
}

/* ---- Helpers -------------------------------------------------------------- */

static int make_image(char *path, size_t size, off_t len)
{
	int fd;

	snprintf(path, size, "/tmp/vl-blk-model-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, len)) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* vl_blk_init() with stderr caught in @err (what the user would read). */
static int init_capture(struct vl_device *dev, const struct vl_blk_options *o,
			char *err, size_t size)
{
	FILE *tmp = tmpfile();
	int saved, ret;
	size_t n;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	memset(dev, 0, sizeof(*dev));
	ret = vl_blk_init(dev, o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, size - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	return ret;
}

/* A request: the header, @out_data bytes after it, @in_len writable. */
struct req_buf {
	struct vl_request req;
	uint8_t out[sizeof(struct virtio_blk_outhdr) + MAX_DATA];
};

static const struct vl_request *
make_req(struct req_buf *b, uint64_t id, uint32_t type, uint64_t sector,
	 uint32_t hdr_len, const void *out_data, uint32_t out_data_len,
	 uint32_t in_len)
{
	struct virtio_blk_outhdr hdr = {
		.type = htole32(type),
		.sector = htole64(sector),
	};

	memset(b, 0, sizeof(*b));
	memcpy(b->out, &hdr, sizeof(hdr));
	if (out_data_len)
		memcpy(b->out + hdr_len, out_data, out_data_len);
	b->req = (struct vl_request){
		.id = id,
		.queue = 0,
		.out_len = hdr_len + out_data_len,
		.in_len = in_len,
		.out = b->out,
	};
	return &b->req;
}

/* The value of counter @name in the model's --stats lines, or -1. */
static long long stat_of(struct vl_device *dev, const char *name)
{
	char *text = NULL, key[64], *line;
	long long value = -1;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	dev->ops->stats(dev, f);
	fclose(f);
	snprintf(key, sizeof(key), "%s ", name);
	for (line = text; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, key, strlen(key))) {
			value = atoll(line + strlen(key));
			break;
		}
	}
	free(text);
	return value;
}

/* ---- A device on a 1 MiB image ------------------------------------------ */

FIXTURE(blk) {
	char path[64];
	struct vl_device dev;
	struct vl_loop loop;
	struct req_buf buf;
};

FIXTURE_SETUP(blk)
{
	struct vl_blk_options o = { .queues = 1 };
	char err[512];

	ASSERT_EQ(0, make_image(self->path, sizeof(self->path), IMG_SIZE));
	o.file = self->path;
	ASSERT_EQ(0, init_capture(&self->dev, &o, err, sizeof(err)))
		TH_LOG("%s", err);
	memset(&self->loop, 0, sizeof(self->loop));
}

FIXTURE_TEARDOWN(blk)
{
	if (self->dev.ops)
		self->dev.ops->destroy(&self->dev);
	unlink(self->path);
}

static void submit(FIXTURE_DATA(blk) *self, const struct vl_request *req)
{
	self->dev.ops->request(&self->dev, &self->loop, req);
}

TEST_F(blk, write_read_flush_round_trip)
{
	uint8_t data[1024], back[1024];
	const struct done *d;
	int fd;

	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = i * 7 + 1;
	submit(self, make_req(&self->buf, 1, VIRTIO_BLK_T_OUT, 2, 16, data,
			      sizeof(data), 1));
	submit(self, make_req(&self->buf, 2, VIRTIO_BLK_T_IN, 2, 16, NULL, 0,
			      sizeof(data) + 1));
	submit(self, make_req(&self->buf, 3, VIRTIO_BLK_T_FLUSH, 0, 16, NULL,
			      0, 1));
	ASSERT_EQ(3, self->loop.n);

	d = &self->loop.done[0];
	EXPECT_EQ(1, d->id);
	EXPECT_EQ(1, d->len);
	EXPECT_EQ(VIRTIO_BLK_S_OK, d->data[0]);
	d = &self->loop.done[1];
	EXPECT_EQ(2, d->id);
	EXPECT_EQ(sizeof(data) + 1, d->len);
	EXPECT_EQ(0, memcmp(data, d->data, sizeof(data)));
	EXPECT_EQ(VIRTIO_BLK_S_OK, d->data[sizeof(data)]);
	d = &self->loop.done[2];
	EXPECT_EQ(3, d->id);
	EXPECT_EQ(VIRTIO_BLK_S_OK, d->data[0]);

	/* The image holds it, at sector 2. */
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(back), pread(fd, back, sizeof(back), 2 * 512));
	close(fd);
	EXPECT_EQ(0, memcmp(data, back, sizeof(data)));

	EXPECT_EQ(1, stat_of(&self->dev, "write"));
	EXPECT_EQ(1, stat_of(&self->dev, "read"));
	EXPECT_EQ(1, stat_of(&self->dev, "flush"));
	EXPECT_EQ(1, stat_of(&self->dev, "fdatasync"));
	EXPECT_EQ(sizeof(data), stat_of(&self->dev, "bytes_written"));
	EXPECT_EQ(sizeof(data), stat_of(&self->dev, "bytes_read"));
	EXPECT_EQ(0, stat_of(&self->dev, "malformed"));
	EXPECT_EQ(0, stat_of(&self->dev, "io_errors"));
}

/*
 * Requests a driver should never send.  Each is completed once: with its
 * status in the last writable byte, or with length 0 when it has none.
 */
struct bad_req {
	const char *what;
	uint32_t type;
	uint64_t sector;
	uint32_t hdr_len;
	uint32_t out_data;
	uint32_t in_len;
	int status;		/* -1: no status byte, used length 0 */
	bool malformed;		/* counted as a protocol breach */
};

static const struct bad_req bad_reqs[] = {
	{ "header too short", VIRTIO_BLK_T_IN, 0, 8, 0, 513, VIRTIO_BLK_S_IOERR, true },
	{ "no header at all", VIRTIO_BLK_T_IN, 0, 0, 0, 1, VIRTIO_BLK_S_IOERR, true },
	{ "read without a status byte", VIRTIO_BLK_T_IN, 0, 16, 0, 0, -1, true },
	{ "nothing writable, nothing readable", VIRTIO_BLK_T_IN, 0, 0, 0, 0, -1, true },
	{ "read carrying out-data", VIRTIO_BLK_T_IN, 0, 16, 512, 513, VIRTIO_BLK_S_IOERR, true },
	{ "read of 100 bytes", VIRTIO_BLK_T_IN, 0, 16, 0, 101, VIRTIO_BLK_S_IOERR, true },
	{ "write of 100 bytes", VIRTIO_BLK_T_OUT, 0, 16, 100, 1, VIRTIO_BLK_S_IOERR, true },
	{ "write with writable data", VIRTIO_BLK_T_OUT, 0, 16, 512, 513, VIRTIO_BLK_S_IOERR, true },
	{ "write without a status byte", VIRTIO_BLK_T_OUT, 0, 16, 512, 0, -1, true },
	{ "flush carrying data", VIRTIO_BLK_T_FLUSH, 0, 16, 512, 1, VIRTIO_BLK_S_IOERR, true },
	{ "flush with writable data", VIRTIO_BLK_T_FLUSH, 0, 16, 0, 2, VIRTIO_BLK_S_IOERR, true },
	{ "GET_ID carrying data", VIRTIO_BLK_T_GET_ID, 0, 16, 8, 21, VIRTIO_BLK_S_IOERR, true },
	{ "GET_ID with no room", VIRTIO_BLK_T_GET_ID, 0, 16, 0, 1, VIRTIO_BLK_S_IOERR, true },
	{ "unknown type", 99, 0, 16, 0, 1, VIRTIO_BLK_S_UNSUPP, false },
	{ "discard (not offered)", VIRTIO_BLK_T_DISCARD, 0, 16, 16, 1, VIRTIO_BLK_S_UNSUPP, false },
	{ "read past the end", VIRTIO_BLK_T_IN, IMG_SIZE / 512, 16, 0, 513, VIRTIO_BLK_S_IOERR, false },
	{ "read across the end", VIRTIO_BLK_T_IN, IMG_SIZE / 512 - 1, 16, 0, 1025, VIRTIO_BLK_S_IOERR, false },
	{ "write at a huge sector", VIRTIO_BLK_T_OUT, 1ULL << 60, 16, 512, 1, VIRTIO_BLK_S_IOERR, false },
	{ "write at the last sector + 1", VIRTIO_BLK_T_OUT, IMG_SIZE / 512, 16, 512, 1, VIRTIO_BLK_S_IOERR, false },
};

TEST_F(blk, malformed_requests_fail_and_never_hang)
{
	static uint8_t junk[4096];
	long long malformed = 0;
	uint8_t back[4096];
	unsigned int i;
	int fd;

	memset(junk, 0x3c, sizeof(junk));
	for (i = 0; i < sizeof(bad_reqs) / sizeof(bad_reqs[0]); i++) {
		const struct bad_req *b = &bad_reqs[i];
		const struct done *d;

		self->loop.n = 0;
		submit(self, make_req(&self->buf, 100 + i, b->type, b->sector,
				      b->hdr_len, junk, b->out_data, b->in_len));
		ASSERT_EQ(1, self->loop.n) TH_LOG("%s: %u completions",
						   b->what, self->loop.n);
		d = &self->loop.done[0];
		EXPECT_EQ(100 + i, d->id) TH_LOG("%s", b->what);
		if (b->status < 0) {
			EXPECT_EQ(0, d->len) TH_LOG("%s", b->what);
		} else {
			ASSERT_EQ(b->in_len, d->len) TH_LOG("%s", b->what);
			EXPECT_EQ(b->status, d->data[d->len - 1])
				TH_LOG("%s", b->what);
			/* No stale bytes before the status either. */
			for (uint32_t j = 0; j + 1 < d->len; j++)
				if (d->data[j]) {
					EXPECT_EQ(0, d->data[j])
						TH_LOG("%s: byte %u", b->what, j);
					break;
				}
		}
		malformed += b->malformed;
		EXPECT_EQ(malformed, stat_of(&self->dev, "malformed"))
			TH_LOG("%s", b->what);
	}

	/* None of the refused writes reached the image. */
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(back), pread(fd, back, sizeof(back), 0));
	close(fd);
	for (i = 0; i < sizeof(back); i++)
		ASSERT_EQ(0, back[i]) TH_LOG("image byte %u was written", i);
}

TEST_F(blk, posted_request_is_never_completed)
{
	struct vl_request req;

	req = *make_req(&self->buf, 7, VIRTIO_BLK_T_IN, 0, 16, NULL, 0, 513);
	req.posted = true;
	submit(self, &req);
	EXPECT_EQ(0, self->loop.n);
	EXPECT_EQ(1, stat_of(&self->dev, "malformed"));
}

TEST_F(blk, default_serial_names_the_inode)
{
	char want[VIRTIO_BLK_ID_BYTES] = "";
	struct stat st;
	const struct done *d;

	ASSERT_EQ(0, stat(self->path, &st));
	snprintf(want, sizeof(want), "vl-blk-%llx",
		 (unsigned long long)st.st_ino);
	submit(self, make_req(&self->buf, 9, VIRTIO_BLK_T_GET_ID, 0, 16, NULL,
			      0, VIRTIO_BLK_ID_BYTES + 1));
	ASSERT_EQ(1, self->loop.n);
	d = &self->loop.done[0];
	ASSERT_EQ(VIRTIO_BLK_ID_BYTES + 1, d->len);
	EXPECT_EQ(0, memcmp(want, d->data, VIRTIO_BLK_ID_BYTES));
	EXPECT_EQ(VIRTIO_BLK_S_OK, d->data[VIRTIO_BLK_ID_BYTES]);
	EXPECT_EQ(1, stat_of(&self->dev, "get_id"));
}

/* ---- Devices the tests set up themselves ---------------------------------- */

TEST(serial_of_20_characters_fills_the_id)
{
	struct vl_blk_options o = { .queues = 1,
				    .serial = "ABCDEFGHIJ0123456789" };
	struct vl_device dev;
	struct vl_loop *loop = calloc(1, sizeof(*loop));
	struct req_buf *b = malloc(sizeof(*b));
	char path[64], err[512];

	ASSERT_EQ(0, make_image(path, sizeof(path), 4096));
	o.file = path;
	ASSERT_EQ(0, init_capture(&dev, &o, err, sizeof(err))) TH_LOG("%s", err);
	dev.ops->request(&dev, loop, make_req(b, 1, VIRTIO_BLK_T_GET_ID, 0, 16,
					      NULL, 0, VIRTIO_BLK_ID_BYTES + 1));
	ASSERT_EQ(1, loop->n);
	EXPECT_EQ(0, memcmp(o.serial, loop->done[0].data, VIRTIO_BLK_ID_BYTES));
	dev.ops->destroy(&dev);
	unlink(path);
	free(loop);
	free(b);
}

TEST(serial_rules)
{
	EXPECT_TRUE(vl_blk_serial_ok("disk-1"));
	EXPECT_TRUE(vl_blk_serial_ok("ABCDEFGHIJ0123456789"));
	EXPECT_FALSE(vl_blk_serial_ok(""));
	EXPECT_FALSE(vl_blk_serial_ok("ABCDEFGHIJ0123456789X"));
	EXPECT_FALSE(vl_blk_serial_ok("tab\there"));
	EXPECT_FALSE(vl_blk_serial_ok("\xc3\xa9t\xc3\xa9"));
}

TEST(empty_or_tiny_image_is_refused)
{
	struct vl_blk_options o = { .queues = 1 };
	struct vl_device dev;
	char path[64], err[512];

	ASSERT_EQ(0, make_image(path, sizeof(path), 0));
	o.file = path;
	EXPECT_EQ(-EINVAL, init_capture(&dev, &o, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "empty")) TH_LOG("said: %s", err);
	EXPECT_NE(NULL, strstr(err, path)) TH_LOG("said: %s", err);
	ASSERT_EQ(0, truncate(path, 511));
	EXPECT_EQ(-EINVAL, init_capture(&dev, &o, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "smaller than one sector"))
		TH_LOG("said: %s", err);
	ASSERT_EQ(0, truncate(path, 512));
	ASSERT_EQ(0, init_capture(&dev, &o, err, sizeof(err))) TH_LOG("%s", err);
	dev.ops->destroy(&dev);
	unlink(path);
}

TEST(image_in_use_is_refused)
{
	struct vl_blk_options rw = { .queues = 1 }, ro = { .queues = 1,
							   .readonly = true };
	struct vl_device a, b, c;
	char path[64], err[512];

	ASSERT_EQ(0, make_image(path, sizeof(path), 4096));
	rw.file = ro.file = path;
	ASSERT_EQ(0, init_capture(&a, &rw, err, sizeof(err))) TH_LOG("%s", err);
	/* A second writer, or a reader beside the writer: refused. */
	EXPECT_EQ(-EBUSY, init_capture(&b, &rw, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "in use")) TH_LOG("said: %s", err);
	EXPECT_NE(NULL, strstr(err, path)) TH_LOG("said: %s", err);
	EXPECT_EQ(-EBUSY, init_capture(&b, &ro, err, sizeof(err)));
	a.ops->destroy(&a);

	/* Readers share; a writer waits for them all to go. */
	ASSERT_EQ(0, init_capture(&b, &ro, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, init_capture(&c, &ro, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(-EBUSY, init_capture(&a, &rw, err, sizeof(err)));
	b.ops->destroy(&b);
	EXPECT_EQ(-EBUSY, init_capture(&a, &rw, err, sizeof(err)));
	c.ops->destroy(&c);
	ASSERT_EQ(0, init_capture(&a, &rw, err, sizeof(err))) TH_LOG("%s", err);
	a.ops->destroy(&a);
	unlink(path);
}

TEST(readonly_flush_does_not_sync_and_writes_fail)
{
	struct vl_blk_options o = { .queues = 1, .readonly = true };
	struct vl_loop *loop = calloc(1, sizeof(*loop));
	struct req_buf *b = malloc(sizeof(*b));
	static uint8_t data[512];
	struct vl_device dev;
	char path[64], err[512];

	ASSERT_EQ(0, make_image(path, sizeof(path), 4096));
	o.file = path;
	ASSERT_EQ(0, init_capture(&dev, &o, err, sizeof(err))) TH_LOG("%s", err);
	dev.ops->request(&dev, loop, make_req(b, 1, VIRTIO_BLK_T_OUT, 0, 16,
					      data, sizeof(data), 1));
	dev.ops->request(&dev, loop, make_req(b, 2, VIRTIO_BLK_T_FLUSH, 0, 16,
					      NULL, 0, 1));
	ASSERT_EQ(2, loop->n);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, loop->done[0].data[0]);
	EXPECT_EQ(VIRTIO_BLK_S_OK, loop->done[1].data[0]);
	EXPECT_EQ(1, stat_of(&dev, "flush"));
	EXPECT_EQ(0, stat_of(&dev, "fdatasync"));
	dev.ops->destroy(&dev);
	unlink(path);
	free(loop);
	free(b);
}

TEST_HARNESS_MAIN
