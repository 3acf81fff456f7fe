// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of `vlctl log`: logs are built with the format's own builders
 * (vl_logbuild.h), written to a file and decoded by the subcommand itself,
 * in-process, its output and errors captured; lines and JSON objects are
 * then checked field by field.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "vl_logbuild.h"
#include "vlctl.h"
#include "vlctl_run.h"

/* Device indexes and the types the test log gives them. */
#define BLK	0
#define CON	1
#define RNG	2
#define FS	3	/* a type whose requests are not decoded */

/* A virtio-blk request's out-data: its header, then data to write. */
static size_t blk_request(struct logbuf *b, u16 flags, u64 req_seq, u32 type,
			  u64 sector, const void *data, u32 data_len,
			  u32 in_len)
{
	u8 out[16 + 512];
	__le32 t = htole32(type);
	__le64 s = htole64(sector);

	memset(out, 0, 16);
	memcpy(out, &t, 4);
	memcpy(out + 8, &s, 8);
	memcpy(out + 16, data, data_len);
	return lb_request(b, flags, BLK, 0, req_seq, data_len ? 2 : 1, out,
			  16 + data_len, in_len);
}

/* A completion that wrote @len bytes, the last being the status @status. */
static size_t blk_complete(struct logbuf *b, u64 req_seq, u32 len, u8 status)
{
	u8 *data = calloc(1, len);
	size_t off;

	data[len - 1] = status;
	off = lb_completion(b, 0, BLK, 0, req_seq, len, 0, data, len);
	free(data);
	return off;
}

/*
 * The test log: every device type the decoder knows and one it does not,
 * every kind, requests of every blk op, completions of every status.
 * Seq numbers are given in the comments.
 */
static void build_log(struct logbuf *b)
{
	static const u8 blk_config[8] = { 0x00, 0x20 };	/* capacity 8192 */
	u8 discard[16] = { 100, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0 };
	u8 sector[512];

	memset(sector, 'w', sizeof(sector));
	lb_device(b, BLK, 2, 1, 256, blk_config, sizeof(blk_config));	/* 0 */
	lb_u32(b, VIRTIO_LOOPBACK_LOG_STATUS, BLK,
	       VIRTIO_LOOPBACK_LOG_NO_QUEUE, 0xf);			/* 1 */
	lb_features(b, BLK, 1ULL << 32 | 1ULL << 9);			/* 2 */
	lb_u32(b, VIRTIO_LOOPBACK_LOG_QUEUE, BLK, 0, 256);		/* 3 */
	blk_request(b, 0, 0, 0, 2048, NULL, 0, 4097);			/* 4 */
	blk_complete(b, 0, 4097, 0);					/* 5 */
	blk_request(b, 0, 1, 1, 8, sector, 512, 1);			/* 6 */
	blk_complete(b, 1, 1, 1);					/* 7 */
	blk_request(b, 0, 2, 4, 0, NULL, 0, 1);				/* 8 */
	blk_complete(b, 2, 1, 2);					/* 9 */
	blk_request(b, 0, 3, 8, 0, NULL, 0, 21);			/* 10 */
	blk_request(b, 0, 4, 11, 0, discard, 16, 1);			/* 11 */
	/* 12: the transport failed request 3 (the backend died) */
	lb_completion(b, VIRTIO_LOOPBACK_LOG_F_FAILED, BLK, 0, 3, 21, 20,
		      "\x01", 1);
	lb_u32(b, VIRTIO_LOOPBACK_LOG_INTERRUPT, BLK, 0, 4);		/* 13 */

	lb_device(b, CON, 3, 2, 64, NULL, 0);				/* 14 */
	lb_request(b, VIRTIO_LOOPBACK_LOG_F_POSTED, CON, 1, 0, 1,
		   "hello\n", 6, 0);					/* 15 */
	lb_completion(b, VIRTIO_LOOPBACK_LOG_F_POSTED, CON, 1, 0, 0, 0,
		      NULL, 0);						/* 16 */
	lb_request(b, 0, CON, 0, 0, 0, NULL, 0, 4096);			/* 17 */
	lb_completion(b, 0, CON, 0, 0, 6, 0, "typed\x01", 6);		/* 18 */
	lb_request(b, VIRTIO_LOOPBACK_LOG_F_POSTED, CON, 1, 1, 1,
		   "0123456789abcdefghijklmnopqrstuvwxyz", 36, 0);	/* 19 */

	lb_device(b, RNG, 4, 1, 64, NULL, 0);				/* 20 */
	lb_request(b, 0, RNG, 0, 0, 0, NULL, 0, 64);			/* 21 */
	lb_completion(b, 0, RNG, 0, 0, 64, 0, sector, 64);		/* 22 */

	lb_device(b, FS, 26, 2, 128, NULL, 0);				/* 23 */
	lb_request(b, 0, FS, 1, 0, 2, "0123456789abcdef", 16, 8);	/* 24 */
	lb_config(b, VIRTIO_LOOPBACK_LOG_CONFIG_CHANGE, BLK, 0, "\x00\x40",
		  2, 1);						/* 25 */
	lb_unknown(b, VL_LOG_KIND_END, 0x8000, "future", 6);		/* 26 */
	lb_loss(b, 3, 512);						/* 27 */
	lb_u32(b, VIRTIO_LOOPBACK_LOG_RESET, BLK,
	       VIRTIO_LOOPBACK_LOG_NO_QUEUE, 1);			/* 28 */
	lb_removed(b, RNG);						/* 29 */
}

#define NRECS	30

static char path[] = "/tmp/vlctl_log_test.XXXXXX";

/* The fixture's file, made once by mkstemp(), rewritten by some tests. */
static void write_log(const struct logbuf *b, size_t len)
{
	int fd = strstr(path, "XXXXXX") ? mkstemp(path) :
		 open(path, O_WRONLY | O_TRUNC);

	if (fd < 0 || write(fd, b->buf, len) != (ssize_t)len)
		abort();
	close(fd);
}

/* vlctl log ARGS... PATH */
static void run_log(struct run *r, const char *const *args)
{
	char *argv[16];
	int argc = run_argv(argv, 16, "log", args);
	FILE *out, *err;

	run_open(r, &out, &err);
	run_close(r, vlctl_log_main(argc, argv, out, err), out, err);
}

/* The text line of record @seq, or "" (a static copy). */
static const char *line_of(const struct run *r, unsigned int seq)
{
	static char line[4096];
	char want[16];
	const char *p = r->out, *end;

	snprintf(want, sizeof(want), "%8u ", seq);
	while (p && *p) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (!strncmp(p, want, strlen(want)) &&
		    (size_t)(end - p) < sizeof(line)) {
			memcpy(line, p, end - p);
			line[end - p] = '\0';
			return line;
		}
		p = *end ? end + 1 : end;
	}
	return "";
}

static unsigned int count_lines(const char *s, const char *prefix)
{
	unsigned int n = 0;

	for (; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : "")
		if (!strncmp(s, prefix, strlen(prefix)))
			n++;
	return n;
}

#define EXPECT_LINE(r, seq, text) \
	EXPECT_NE(NULL, strstr(line_of(r, seq), text)) \
		TH_LOG("record %u: \"%s\" lacks \"%s\"", seq, line_of(r, seq), text)

FIXTURE(log)
{
	struct logbuf b;
	struct run r;
};

FIXTURE_SETUP(log)
{
	lb_init(&self->b);
	build_log(&self->b);
	strcpy(path, "/tmp/vlctl_log_test.XXXXXX");
	write_log(&self->b, self->b.len);
	memset(&self->r, 0, sizeof(self->r));
}

FIXTURE_TEARDOWN(log)
{
	unlink(path);
	run_free(&self->r);
	lb_free(&self->b);
}

TEST_F(log, one_line_per_record)
{
	run_log(&self->r, (const char *[]){ path, NULL });
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(0, self->r.err_len);
	EXPECT_EQ(NRECS + 1, count_lines(self->r.out, ""));
	EXPECT_EQ(0, strncmp(self->r.out,
			     "# replay log version 1, icount virtual, kernel 6.12.0-test, created 1700000000.123456789\n",
			     88)) TH_LOG("%s", self->r.out);
	/* seq, icount, time, device, queue, kind */
	EXPECT_STREQ("       4           1050      5.000001050 vl0     0 request       #0 op read sector 2048 len 4096",
		     line_of(&self->r, 4));
	EXPECT_LINE(&self->r, 0, "vl0     - device        type blk device_id 2 vendor_id 0x1af4 device_features 0x100000000 driver_features 0x0 status 0x0 num_queues 1 max_queue_size 256 queue_size 256 config_size 8 config_generation 0");
	EXPECT_LINE(&self->r, 1, "status 0xf status_bits acknowledge|driver|features_ok|driver_ok");
	EXPECT_LINE(&self->r, 2, "features      driver_features 0x100000200");
	EXPECT_LINE(&self->r, 3, "vl0     0 queue         size 256");
	EXPECT_LINE(&self->r, 13, "interrupt     used_idx 4");
	EXPECT_LINE(&self->r, 25, "config-change offset 0 size 2 generation 1 value 16384");
	EXPECT_LINE(&self->r, 27, "-       - loss          records 3 bytes 512");
	EXPECT_LINE(&self->r, 28, "reset         epoch 1");
	EXPECT_LINE(&self->r, 29, "vl2     - removed");
}

TEST_F(log, blk_ops_and_statuses)
{
	run_log(&self->r, (const char *[]){ path, NULL });
	ASSERT_EQ(0, self->r.status);
	EXPECT_LINE(&self->r, 5, "completion    #0 op read status ok used_len 4097");
	EXPECT_LINE(&self->r, 6, "request       #1 op write sector 8 len 512");
	EXPECT_LINE(&self->r, 7, "#1 op write status ioerr used_len 1");
	EXPECT_LINE(&self->r, 8, "#2 op flush len 0");
	EXPECT_LINE(&self->r, 9, "#2 op flush status unsupp used_len 1");
	EXPECT_LINE(&self->r, 10, "#3 op get-id len 20");
	EXPECT_LINE(&self->r, 11, "#4 op discard sector 100 len 4096 ranges 1");
	/* The failure the transport wrote: the status byte, at its offset. */
	EXPECT_LINE(&self->r, 12, "completion    failed #3 op get-id status ioerr used_len 21 data_offset 20");
}

TEST_F(log, console_text_and_rng_lengths)
{
	run_log(&self->r, (const char *[]){ path, NULL });
	ASSERT_EQ(0, self->r.status);
	EXPECT_LINE(&self->r, 14, "type console device_id 3");
	EXPECT_LINE(&self->r, 15, "vl1     1 request       posted #0 text \"hello\\n\"");
	EXPECT_LINE(&self->r, 16, "completion    posted #0 used_len 0");
	EXPECT_LINE(&self->r, 17, "request       #0 in_len 4096");
	EXPECT_LINE(&self->r, 18, "completion    #0 text \"typed\\x01\" used_len 6");
	/* A preview: 32 bytes, then "...". */
	EXPECT_LINE(&self->r, 19, "text \"0123456789abcdefghijklmnopqrstuv...\"");
	EXPECT_LINE(&self->r, 21, "vl2     0 request       #0 len 64");
	EXPECT_LINE(&self->r, 22, "completion    #0 used_len 64");
	/* A type not decoded: the request's shape. */
	EXPECT_LINE(&self->r, 23, "type fs device_id 26");
	EXPECT_LINE(&self->r, 24, "#0 nsegs 3 out_len 16 in_len 8");
}

TEST_F(log, unknown_kinds_are_shown_and_skipped)
{
	run_log(&self->r, (const char *[]){ path, NULL });
	ASSERT_EQ(0, self->r.status);
	EXPECT_LINE(&self->r, 26, "vl0     - unknown-14    flags 0x8000 kind_id 14 len 56");
	EXPECT_LINE(&self->r, 27, "loss");
}

TEST_F(log, filters)
{
	run_log(&self->r, (const char *[]){ "--device", "1", path, NULL });
	ASSERT_EQ(0, self->r.status);
	/* console's 6 records, and the loss that may have hit it */
	EXPECT_EQ(1 + 6 + 1, count_lines(self->r.out, "")) TH_LOG("%s", self->r.out);
	EXPECT_LINE(&self->r, 15, "hello");
	EXPECT_LINE(&self->r, 27, "loss");
	run_free(&self->r);

	run_log(&self->r, (const char *[]){ "--queue", "1", path, NULL });
	ASSERT_EQ(0, self->r.status);
	EXPECT_EQ(1 + 4 + 1, count_lines(self->r.out, "")) TH_LOG("%s", self->r.out);
	run_free(&self->r);

	/* Filtered out, still decoded: the completion knows its read. */
	run_log(&self->r, (const char *[]){ "--kind", "completion,loss",
					    "--device=0", path, NULL });
	ASSERT_EQ(0, self->r.status);
	EXPECT_EQ(1 + 5, count_lines(self->r.out, "")) TH_LOG("%s", self->r.out);
	EXPECT_LINE(&self->r, 5, "op read status ok");
	run_free(&self->r);

	run_log(&self->r, (const char *[]){ "--kind", "unknown", path, NULL });
	ASSERT_EQ(0, self->r.status);
	EXPECT_EQ(2, count_lines(self->r.out, ""));
	EXPECT_LINE(&self->r, 26, "unknown-14");
}

TEST_F(log, usage_errors)
{
	run_log(&self->r, (const char *[]){ "--kind", "requests", path, NULL });
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "unknown kind 'requests'"));
	run_free(&self->r);
	run_log(&self->r, (const char *[]){ "--device", "x1", path, NULL });
	EXPECT_EQ(2, self->r.status);
	run_free(&self->r);
	run_log(&self->r, (const char *[]){ "--bogus", path, NULL });
	EXPECT_EQ(2, self->r.status);
	run_free(&self->r);
	run_log(&self->r, (const char *[]){ NULL });
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "usage: vlctl log"));
	run_free(&self->r);
	run_log(&self->r, (const char *[]){ "--help", NULL });
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "--kind"));
	run_free(&self->r);
	run_log(&self->r, (const char *[]){ "/nonexistent/log", NULL });
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "No such file"));
}

TEST_F(log, raw_dumps_payloads)
{
	const char *dump;

	run_log(&self->r, (const char *[]){ "--raw", "--kind", "request",
					    "--device", "1", path, NULL });
	ASSERT_EQ(0, self->r.status);
	dump = strstr(self->r.out, "\n        000000  68 65 6c 6c 6f 0a");
	ASSERT_NE(NULL, dump) TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(dump, "|hello.|\n"));
	/* 36 bytes: three lines */
	EXPECT_NE(NULL, strstr(self->r.out, "        000020  77 78 79 7a"));
}

/* ---- JSON --------------------------------------------------------------- */

/* Line @i of the output, parsed. */
static json_object *json_line(const struct run *r, unsigned int i)
{
	const char *p = r->out;

	while (i-- && p)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	return p ? json_tokener_parse(p) : NULL;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "(none)";
}

static int64_t jint(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

TEST_F(log, json_objects)
{
	json_object *o, *h, *v;
	unsigned int i;

	run_log(&self->r, (const char *[]){ "--json", path, NULL });
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(NRECS + 1, count_lines(self->r.out, "{"));
	/* Every line is one object. */
	for (i = 0; i <= NRECS; i++) {
		o = json_line(&self->r, i);
		ASSERT_NE(NULL, o) TH_LOG("line %u", i);
		EXPECT_EQ(json_type_object, json_object_get_type(o));
		json_object_put(o);
	}

	o = json_line(&self->r, 0);
	ASSERT_TRUE(json_object_object_get_ex(o, "header", &h));
	EXPECT_EQ(1, jint(h, "version"));
	EXPECT_STREQ("virtual", jstr(h, "icount_source"));
	EXPECT_STREQ("6.12.0-test", jstr(h, "kernel_release"));
	EXPECT_EQ(1700000000123456789LL, jint(h, "created_ns"));
	json_object_put(o);

	o = json_line(&self->r, 1 + 0);		/* the blk device */
	EXPECT_STREQ("device", jstr(o, "kind"));
	ASSERT_TRUE(json_object_object_get_ex(o, "queue", &v));
	EXPECT_EQ(NULL, v);
	EXPECT_STREQ("blk", jstr(o, "type"));
	EXPECT_STREQ("0x100000000", jstr(o, "device_features"));
	ASSERT_TRUE(json_object_object_get_ex(o, "queue_size", &v));
	EXPECT_EQ(256, json_object_get_int(json_object_array_get_idx(v, 0)));
	json_object_put(o);

	o = json_line(&self->r, 1 + 4);		/* the read */
	EXPECT_EQ(4, jint(o, "seq"));
	EXPECT_EQ(1050, jint(o, "icount"));
	EXPECT_EQ(5000001050LL, jint(o, "time_ns"));
	EXPECT_EQ(0, jint(o, "device"));
	EXPECT_EQ(0, jint(o, "queue"));
	EXPECT_STREQ("request", jstr(o, "kind"));
	EXPECT_EQ(0, jint(o, "req_seq"));
	EXPECT_STREQ("read", jstr(o, "op"));
	EXPECT_EQ(2048, jint(o, "sector"));
	EXPECT_EQ(4096, jint(o, "len"));
	ASSERT_TRUE(json_object_object_get_ex(o, "flags", &v));
	EXPECT_EQ(0, json_object_array_length(v));
	json_object_put(o);

	o = json_line(&self->r, 1 + 12);	/* the failed completion */
	EXPECT_STREQ("ioerr", jstr(o, "status"));
	ASSERT_TRUE(json_object_object_get_ex(o, "flags", &v));
	EXPECT_STREQ("failed", json_object_get_string(json_object_array_get_idx(v, 0)));
	json_object_put(o);

	o = json_line(&self->r, 1 + 15);	/* console text */
	EXPECT_STREQ("hello\\n", jstr(o, "text"));
	json_object_put(o);

	o = json_line(&self->r, 1 + 26);	/* the unknown kind */
	EXPECT_STREQ("unknown", jstr(o, "kind"));
	EXPECT_EQ(VL_LOG_KIND_END, jint(o, "kind_id"));
	json_object_put(o);

	o = json_line(&self->r, 1 + 27);	/* the loss: no device */
	ASSERT_TRUE(json_object_object_get_ex(o, "device", &v));
	EXPECT_EQ(NULL, v);
	EXPECT_EQ(3, jint(o, "records"));
	json_object_put(o);
}

TEST_F(log, json_raw_has_hex)
{
	json_object *o;

	run_log(&self->r, (const char *[]){ "--json", "--raw", "--device", "1",
					    "--kind", "request", path, NULL });
	ASSERT_EQ(0, self->r.status);
	o = json_line(&self->r, 1);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("68656c6c6f0a", jstr(o, "out_data"));
	json_object_put(o);
}

/* ---- Bad logs ----------------------------------------------------------- */

/* The offset of record @n of @b. */
static size_t rec_offset(const struct logbuf *b, unsigned int n)
{
	size_t off = sizeof(struct virtio_loopback_log_header);

	while (n--)
		off += le32toh(((struct virtio_loopback_log_rec *)(b->buf + off))->len);
	return off;
}

TEST_F(log, corrupt_record_stops_with_its_offset)
{
	size_t off = rec_offset(&self->b, 6);
	char want[96];

	self->b.buf[off + 60] ^= 4;
	write_log(&self->b, self->b.len);
	run_log(&self->r, (const char *[]){ path, NULL });
	EXPECT_EQ(1, self->r.status);
	/* The header and records 0 to 5, nothing after. */
	EXPECT_EQ(1 + 6, count_lines(self->r.out, "")) TH_LOG("%s", self->r.out);
	EXPECT_LINE(&self->r, 5, "completion");
	snprintf(want, sizeof(want), ": record 6 at offset %zu: crc mismatch\n", off);
	EXPECT_NE(NULL, strstr(self->r.err, want)) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, path));
}

TEST_F(log, truncated_log_names_the_cut_record)
{
	size_t off = rec_offset(&self->b, NRECS - 1);
	char want[96];

	write_log(&self->b, off + 20);
	run_log(&self->r, (const char *[]){ "--json", path, NULL });
	EXPECT_EQ(1, self->r.status);
	EXPECT_EQ(1 + NRECS - 1, count_lines(self->r.out, "{"));
	snprintf(want, sizeof(want), "record %u at offset %zu: truncated",
		 NRECS - 1, off);
	EXPECT_NE(NULL, strstr(self->r.err, want)) TH_LOG("%s", self->r.err);
}

TEST_F(log, not_a_log)
{
	write_log(&self->b, 0);
	run_log(&self->r, (const char *[]){ path, NULL });
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "offset 0: header: truncated"));
	run_free(&self->r);

	self->b.buf[0] = 'X';
	write_log(&self->b, self->b.len);
	run_log(&self->r, (const char *[]){ path, NULL });
	EXPECT_EQ(1, self->r.status);
	EXPECT_EQ(0, self->r.out_len);
	EXPECT_NE(NULL, strstr(self->r.err, "offset 0: header: bad magic"));
}

/* A pipe has no size to map: it is read whole first. */
TEST_F(log, reads_standard_input)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	ASSERT_LT(self->b.len, 65536);		/* fits the pipe's buffer */
	ASSERT_EQ(self->b.len, write(fds[1], self->b.buf, self->b.len));
	close(fds[1]);
	ASSERT_EQ(0, dup2(fds[0], 0));
	close(fds[0]);
	run_log(&self->r, (const char *[]){ "--kind", "loss", "-", NULL });
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(2, count_lines(self->r.out, ""));
}

TEST_HARNESS_MAIN
