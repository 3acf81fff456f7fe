// SPDX-License-Identifier: GPL-2.0
/*
 * vl-qmpd end to end, against the module: a QMP client (vl_test_qmp.h)
 * records blk and console sessions through the daemon and replays them,
 * with QEMU's replay-break and replay-seek stopping exactly where asked;
 * clients that misbehave while a replay runs hurt no one; a daemon killed
 * while it records, or whose disk fills, leaves a file whose whole records
 * parse and play as it is, a cut in its last record refused unless
 * --allow-cut says to drop it.  The host
 * tests (selftests/host/vl_qmp*_test.c) cover the protocol byte for byte;
 * here what counts is the module behind it.
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "vl_genl.h"
#include "vl_logfmt.h"
#include "vl_test_backend.h"
#include "vl_test_blk.h"
#include "vl_test_console.h"
#include "vl_test_log.h"
#include "vl_test_qmp.h"
#include "vl_test_rng.h"

#define QMP_SOCK	"/tmp/qmp.sock"
#define QMPD_LOG	"/tmp/qmpd.log"
#define BLK_FILE	"/tmp/vl-qmpd-blk.img"
#define CONSOLE_SOCK	"/tmp/vl-qmpd-con.sock"
#define MAX_RECORDS	256
/* Waits for replay: generous, the VM may run without KVM. */
#define PLAY_WAIT_MS	60000

FIXTURE(qmpd) {
	struct vl_genl genl;
	struct qmpd_proc d;
	struct qmp_client c;
	struct vl_backend_proc backend;
	pid_t reader;			/* test 4's /dev/hwrng reader */
	unsigned char *log;		/* the recorded file */
	size_t len;
	struct log_summary sum;
	uint64_t icount[MAX_RECORDS];
	size_t n;
	/* The blk session's bytes (shared_alloc(): the workload is a child). */
	unsigned char *pattern, *back, *elsewhere, *held;
	struct console_job *console;	/* the console session's */
};

static void *blk_buffer(void)
{
	return shared_alloc(BLK_PATTERN);
}

FIXTURE_SETUP(qmpd)
{
	ASSERT_EQ(0, vl_genl_open(&self->genl));
	self->c.fd = -1;
	unlink(QMPD_LOG);
	self->pattern = blk_buffer();
	self->back = blk_buffer();
	self->elsewhere = blk_buffer();
	self->held = blk_buffer();
	self->console = shared_alloc(sizeof(*self->console));
	ASSERT_TRUE(self->pattern && self->back && self->elsewhere && self->held);
	ASSERT_NE(NULL, self->console);
	self->console->peer = -1;
}

/*
 * Whatever a failed test left: the daemon killed (its play descriptor
 * closes, which ends play mode), recording and play mode ended in the
 * module, the backend and the reader gone, so the next test starts clean.
 */
FIXTURE_TEARDOWN(qmpd)
{
	if (!__test_passed(_metadata))
		qmpd_print_log(&self->d);
	qmpd_kill(&self->d, SIGKILL);
	if (self->c.fd >= 0)
		qmp_close(&self->c);
	if (self->reader > 0) {
		kill(self->reader, SIGKILL);
		waitpid(self->reader, NULL, 0);
	}
	if (self->backend.pid > 0)
		vl_backend_stop(&self->backend, SIGKILL);
	vl_genl_play_stop(&self->genl);
	vl_genl_record_stop(&self->genl);
	wait_file_has(VL_DEBUGFS "/devices", "vl", false);
	vl_genl_close(&self->genl);
	munmap(self->pattern, BLK_PATTERN);
	munmap(self->back, BLK_PATTERN);
	munmap(self->elsewhere, BLK_PATTERN);
	munmap(self->held, BLK_PATTERN);
	if (self->console->peer >= 0)
		close(self->console->peer);
	munmap(self->console, sizeof(*self->console));
	free(self->log);
	unlink(QMPD_LOG);
	unlink(BLK_FILE);
	unlink(QMP_SOCK ".err");
}

/* ---- Sessions to record -------------------------------------------------- */

/* The same bytes for the same @seed, in the recording and in the replay. */
static void fill(unsigned char *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
}

/* A 16 MiB tmpfs file for vl-backend blk, holding @held at BLK_READ_AT. */
static void blk_file(struct __test_metadata *_metadata,
		     const unsigned char *held)
{
	int fd = open(BLK_FILE, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 16 << 20));
	ASSERT_EQ(BLK_PATTERN, pwrite(fd, held, BLK_PATTERN, BLK_READ_AT));
	close(fd);
}

/*
 * virtio-blk's probe alone: the driver's set-up and the partition scan,
 * which replay on their own.  Not virtio-rng's: the kernel's hwrng thread
 * reads it when it likes, and a replay then waits for a read the recording
 * happened to see (on 6.1, tens of seconds now and then).
 */
static void blk_probe_session(struct __test_metadata *_metadata,
			      FIXTURE_DATA(qmpd) *self)
{
	const char *argv[] = { "blk", "--file", BLK_FILE, NULL };
	char disk[32];

	fill(self->held, BLK_PATTERN, 2);
	blk_file(_metadata, self->held);
	ASSERT_EQ(0, vl_backend_start(&self->backend, argv));
	ASSERT_EQ(0, vl_backend_child(&self->backend, "block", disk, sizeof(disk)));
	ASSERT_TRUE(wait_devices_quiet(20));
	vl_backend_stop(&self->backend, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
}

/*
 * vl-backend blk on a tmpfs file: 1 MiB written and read back in 256 KiB
 * O_DIRECT requests, then 1 MiB read that the file held before.
 */
static void blk_session(struct __test_metadata *_metadata,
			FIXTURE_DATA(qmpd) *self)
{
	const char *argv[] = { "blk", "--file", BLK_FILE, NULL };
	struct blk_job job = {
		.pattern = self->pattern, .back = self->back,
		.elsewhere = self->elsewhere,
	};
	char disk[32];

	fill(self->pattern, BLK_PATTERN, 1);
	fill(self->held, BLK_PATTERN, 2);
	blk_file(_metadata, self->held);
	ASSERT_EQ(0, vl_backend_start(&self->backend, argv));
	ASSERT_EQ(0, vl_backend_child(&self->backend, "block", disk, sizeof(disk)));
	job.disk = disk;
	ASSERT_EQ(0, run_with_deadline(blk_job_run, &job, 60, &self->genl));
	EXPECT_EQ(0, memcmp(self->pattern, self->back, BLK_PATTERN));
	EXPECT_EQ(0, memcmp(self->held, self->elsewhere, BLK_PATTERN));
	vl_backend_stop(&self->backend, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
}

/*
 * vl-backend console on a socket, its peer connected: the driver writes a
 * line and reads what the peer sends (vl_test_console.h).
 */
static void console_session(struct __test_metadata *_metadata,
			    FIXTURE_DATA(qmpd) *self)
{
	const char *argv[] = { "console", "--socket", CONSOLE_SOCK, NULL };
	struct console_job *job = self->console;

	ASSERT_EQ(0, vl_backend_start(&self->backend, argv));
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", true));
	job->peer = console_peer_connect(CONSOLE_SOCK);
	ASSERT_LE(0, job->peer);
	ASSERT_EQ(0, run_with_deadline(console_job_run, job, 60, &self->genl));
	EXPECT_EQ(0, memcmp(console_in, job->got, sizeof(console_in) - 1));
	close(job->peer);
	job->peer = -1;
	vl_backend_stop(&self->backend, SIGTERM);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
}

typedef void (*session_fn)(struct __test_metadata *_metadata,
			   FIXTURE_DATA(qmpd) *self);

/* ---- The daemon's side --------------------------------------------------- */

/* SHUTDOWN with @reason, from the events the client kept. */
static void expect_shutdown(struct __test_metadata *_metadata,
			    struct qmp_client *c, const char *reason)
{
	struct json_object *ev = qmp_wait_event(c, "SHUTDOWN", QMP_TIMEOUT_MS);
	struct json_object *data, *v;

	ASSERT_NE(NULL, ev);
	ASSERT_TRUE(json_object_object_get_ex(ev, "data", &data));
	ASSERT_TRUE(json_object_object_get_ex(data, "reason", &v));
	EXPECT_STREQ(reason, json_object_get_string(v));
	json_object_put(ev);
}

/*
 * quit: SHUTDOWN before the reply, as QEMU says it; then the daemon exits
 * 0, a recording completed, play mode ended, its socket removed.
 */
static void quit_daemon_status(struct __test_metadata *_metadata,
			       FIXTURE_DATA(qmpd) *self, int status)
{
	qmp_clear_events(&self->c);
	ASSERT_EQ(0, qmp_cmd(&self->c, "quit", NULL)) TH_LOG("%s", self->c.error);
	ASSERT_NE(0, self->c.nevents);	/* SHUTDOWN came first */
	expect_shutdown(_metadata, &self->c, "host-qmp-quit");
	EXPECT_EQ(status, qmpd_wait_exit(&self->d, QMP_TIMEOUT_MS));
	EXPECT_NE(0, access(QMP_SOCK, F_OK));
	qmp_close(&self->c);
}

static void quit_daemon(struct __test_metadata *_metadata,
			FIXTURE_DATA(qmpd) *self)
{
	quit_daemon_status(_metadata, self, 0);
}

/* SIGTERM: SHUTDOWN says so, and the daemon exits 0 all the same. */
static void term_daemon(struct __test_metadata *_metadata,
			FIXTURE_DATA(qmpd) *self)
{
	ASSERT_EQ(0, kill(self->d.pid, SIGTERM));
	expect_shutdown(_metadata, &self->c, "host-signal");
	EXPECT_EQ(0, qmpd_wait_exit(&self->d, QMP_TIMEOUT_MS));
	qmp_close(&self->c);
}

/* The recording, loaded: it parses whole, nothing lost, its icounts. */
static void load_log(struct __test_metadata *_metadata,
		     FIXTURE_DATA(qmpd) *self)
{
	ssize_t len = vl_slurp(QMPD_LOG, &self->log);
	char err[256];

	ASSERT_LT(0, len);
	self->len = len;
	ASSERT_EQ(0, log_summarize(self->log, self->len, &self->sum, err,
				   sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, self->sum.kinds[VIRTIO_LOOPBACK_LOG_LOSS]);
	self->n = log_icounts(self->log, self->len, self->icount, MAX_RECORDS);
	TH_LOG("recorded %zu bytes, %llu records, icount %llu", self->len,
	       (unsigned long long)self->sum.records,
	       (unsigned long long)self->sum.last_icount);
}

/* A device event with @device_id, the one of the session. */
static void expect_device_event(struct __test_metadata *_metadata,
				struct qmp_client *c, const char *name)
{
	struct json_object *ev = qmp_wait_event(c, name, QMP_TIMEOUT_MS);

	EXPECT_NE(NULL, ev) TH_LOG("no %s", name);
	if (ev)
		EXPECT_LT(0, qmp_event_int(ev, "device-id"));
	json_object_put(ev);
}

/*
 * Record @session through vl-qmpd --record, a client connected all along:
 * query-replay names the file in mode record, the device's coming and
 * going are events; then quit (or SIGTERM, @by_signal) completes the
 * file, which is loaded.
 */
static void record_through_qmpd(struct __test_metadata *_metadata,
				FIXTURE_DATA(qmpd) *self, session_fn session,
				bool by_signal)
{
	struct qmp_replay r;

	ASSERT_EQ(0, qmpd_start(&self->d, QMP_SOCK, "--record", QMPD_LOG));
	ASSERT_EQ(0, qmpd_open(&self->d, &self->c));
	ASSERT_EQ(0, qmp_query_replay(&self->c, &r));
	EXPECT_STREQ("record", r.mode);
	EXPECT_STREQ(QMPD_LOG, r.filename);
	EXPECT_EQ(0, qmp_paused(&self->c));
	session(_metadata, self);
	expect_device_event(_metadata, &self->c, "X-DEVICE-ADDED");
	expect_device_event(_metadata, &self->c, "X-DEVICE-REMOVED");
	ASSERT_EQ(0, qmp_query_replay(&self->c, &r));
	EXPECT_STREQ("record", r.mode);
	EXPECT_LT(0, r.icount);
	if (by_signal)
		term_daemon(_metadata, self);
	else
		quit_daemon(_metadata, self);
	load_log(_metadata, self);
}

/* vl-qmpd --replay of the recording, a client negotiated: mode play. */
static void replay_start(struct __test_metadata *_metadata,
			 FIXTURE_DATA(qmpd) *self, const char *file)
{
	struct qmp_replay r;

	ASSERT_EQ(0, qmpd_start(&self->d, QMP_SOCK, "--replay", file));
	ASSERT_EQ(0, qmpd_open(&self->d, &self->c));
	ASSERT_EQ(0, qmp_query_replay(&self->c, &r));
	EXPECT_STREQ("play", r.mode);
	EXPECT_STREQ(file, r.filename);
}

/*
 * The daemon feeds the log as soon as it starts, so a replay with no
 * workload may be anywhere by the time the client asks: wait for it to
 * stop at the log's end, a known place to go on from.
 */
static void wait_replay_end(struct __test_metadata *_metadata,
			    FIXTURE_DATA(qmpd) *self)
{
	struct qmp_replay r = { 0 };

	for (int waited = 0; waited < PLAY_WAIT_MS; waited += 100) {
		ASSERT_EQ(0, qmp_query_replay(&self->c, &r));
		if (r.icount == self->sum.last_icount && qmp_paused(&self->c) == 1)
			return;
		usleep(100 * 1000);
	}
	ASSERT_EQ(self->sum.last_icount, r.icount) TH_LOG("never at the end");
}

/*
 * A STOP came (a RESUME before it, when @resumed), and replay is paused
 * at exactly @icount, in play mode.
 */
static void expect_stopped_at(struct __test_metadata *_metadata,
			      struct qmp_client *c, uint64_t icount,
			      bool resumed)
{
	struct json_object *stop = qmp_wait_event(c, "STOP", PLAY_WAIT_MS);
	struct json_object *resume = qmp_take_event(c, "RESUME");
	struct qmp_replay r;

	ASSERT_NE(NULL, stop) TH_LOG("no STOP at %llu", (unsigned long long)icount);
	json_object_put(stop);
	/* qmp_wait_event() reads up to the STOP: a RESUME kept came before. */
	if (resumed)
		EXPECT_NE(NULL, resume);
	json_object_put(resume);
	ASSERT_EQ(0, qmp_query_replay(c, &r));
	EXPECT_STREQ("play", r.mode);
	EXPECT_EQ(icount, r.icount);
	EXPECT_EQ(1, qmp_paused(c));
}

/* replay-seek: the reply at once, then RESUME and STOP there. */
static void expect_seek(struct __test_metadata *_metadata,
			struct qmp_client *c, uint64_t icount)
{
	qmp_clear_events(c);
	ASSERT_EQ(0, qmp_cmd_icount(c, "replay-seek", icount))
		TH_LOG("%s", c->error);
	expect_stopped_at(_metadata, c, icount, true);
}

/* A refusal, in QEMU's words. */
static void expect_refused(struct __test_metadata *_metadata,
			   struct qmp_client *c, const char *cmd,
			   uint64_t icount, const char *desc)
{
	EXPECT_EQ(-1, qmp_cmd_icount(c, cmd, icount));
	EXPECT_STREQ(desc, c->error);
}

/* cont to the log's end: STOP, then X-REPLAY-END with its icount. */
static void cont_to_end(struct __test_metadata *_metadata,
			FIXTURE_DATA(qmpd) *self)
{
	struct json_object *end;
	struct qmp_replay r;

	qmp_clear_events(&self->c);
	ASSERT_EQ(0, qmp_cmd(&self->c, "cont", NULL)) TH_LOG("%s", self->c.error);
	end = qmp_wait_event(&self->c, "X-REPLAY-END", PLAY_WAIT_MS);
	ASSERT_NE(NULL, end);
	EXPECT_EQ((int64_t)self->sum.last_icount, qmp_event_int(end, "icount"));
	json_object_put(end);
	EXPECT_NE(NULL, qmp_take_event(&self->c, "STOP"));
	ASSERT_EQ(0, qmp_query_replay(&self->c, &r));
	EXPECT_EQ(self->sum.last_icount, r.icount);
	EXPECT_EQ(1, qmp_paused(&self->c));
}

/* x-query-divergence: {} when the drivers did what the log says. */
static void expect_no_divergence(struct __test_metadata *_metadata,
				 struct qmp_client *c)
{
	struct json_object *reply = qmp_execute(c, "x-query-divergence", NULL);
	struct json_object *ret;

	ASSERT_NE(NULL, reply);
	ASSERT_TRUE(json_object_object_get_ex(reply, "return", &ret));
	EXPECT_EQ(0, json_object_object_length(ret))
		TH_LOG("%s", json_object_to_json_string(ret));
	json_object_put(reply);
}

/* quit ends play mode with the daemon: the module is back to none. */
static void quit_replay(struct __test_metadata *_metadata,
			FIXTURE_DATA(qmpd) *self)
{
	struct vl_replay_info info;

	quit_daemon(_metadata, self);
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_EQ(VIRTIO_LOOPBACK_REPLAY_MODE_NONE, info.mode);
	EXPECT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "played", false));
}

/* ---- 1. Recording -------------------------------------------------------- */

/*
 * A blk session recorded through vl-qmpd: the file it wrote is a whole
 * log of this kernel, with the device's creation, its requests and its
 * removal, and vlctl reads it.
 */
TEST_F_TIMEOUT(qmpd, records_a_blk_session, 120)
{
	struct virtio_loopback_log_header *hdr;
	char out[256];
	struct utsname u;

	record_through_qmpd(_metadata, self, blk_session, false);
	EXPECT_EQ(1, self->sum.kinds[VIRTIO_LOOPBACK_LOG_DEVICE]);
	EXPECT_EQ(1, self->sum.kinds[VIRTIO_LOOPBACK_LOG_REMOVED]);
	/* 4 writes, a flush, 8 reads, besides the partition scan's. */
	EXPECT_LE(13, self->sum.kinds[VIRTIO_LOOPBACK_LOG_REQUEST]);
	ASSERT_EQ(0, uname(&u));
	hdr = (void *)self->log;
	EXPECT_STREQ(u.release, hdr->kernel_release);
	EXPECT_EQ(0, vl_run("vlctl log " QMPD_LOG " >/dev/null 2>&1", out,
			    sizeof(out)));
}

/* ---- 2. Replay: break and seek ------------------------------------------- */

/*
 * Replayed through vl-qmpd: QEMU's refusals; seeks back and forth and a
 * breakpoint stop at exactly their icount, each with its STOP; a deleted
 * breakpoint stops nothing; cont goes on to the end, X-REPLAY-END.  The
 * targets lie between records of virtio-blk's probe, which replays on its
 * own; a backward seek makes the device again (the daemon then feeds the
 * log from a snapshot point once more).
 */
TEST_F_TIMEOUT(qmpd, replay_breaks_and_seeks_exactly, 180)
{
	struct qmp_client *c = &self->c;
	const uint64_t *ic = self->icount;

	record_through_qmpd(_metadata, self, blk_probe_session, true);
	ASSERT_LE(10, self->n);
	replay_start(_metadata, self, QMPD_LOG);
	wait_replay_end(_metadata, self);

	expect_refused(_metadata, c, "replay-break", between(ic, 5),
		       "cannot set breakpoint at the instruction in the past");
	expect_refused(_metadata, c, "replay-seek", self->sum.last_icount + 1,
		       "cannot seek to the specified instruction count");

	/* Back from the end into the probe. */
	expect_seek(_metadata, c, between(ic, 2));

	/* A breakpoint ahead does not thaw replay; cont runs to it. */
	ASSERT_EQ(0, qmp_cmd_icount(c, "replay-break", between(ic, 5)))
		TH_LOG("%s", c->error);
	EXPECT_EQ(1, qmp_paused(c));
	qmp_clear_events(c);
	ASSERT_EQ(0, qmp_cmd(c, "cont", NULL)) TH_LOG("%s", c->error);
	expect_stopped_at(_metadata, c, between(ic, 5), true);

	/* Forward, then back to before its driver did anything. */
	expect_seek(_metadata, c, between(ic, 7));
	expect_seek(_metadata, c, between(ic, 0));
	expect_refused(_metadata, c, "replay-break", between(ic, 0) - 1,
		       "cannot set breakpoint at the instruction in the past");

	/* A breakpoint deleted: cont goes past it to the end. */
	ASSERT_EQ(0, qmp_cmd_icount(c, "replay-break", between(ic, 8)));
	ASSERT_EQ(0, qmp_cmd(c, "replay-delete-break", NULL)) TH_LOG("%s", c->error);
	cont_to_end(_metadata, self);
	expect_no_divergence(_metadata, c);
	quit_replay(_metadata, self);
}

/* ---- 3. Bad clients while a replay runs ---------------------------------- */

/* The next reply is an input error with @desc, and without an id. */
static void expect_input_error(struct __test_metadata *_metadata,
			       struct qmp_client *c, const char *desc)
{
	struct json_object *o = qmp_read_reply(c, QMP_TIMEOUT_MS);

	ASSERT_NE(NULL, o) TH_LOG("no error for: %s", desc);
	EXPECT_STREQ(desc, qmp_error_desc(o) ? qmp_error_desc(o) : "(none)");
	EXPECT_FALSE(json_object_object_get_ex(o, "id", NULL));
	json_object_put(o);
}

/* Whether a client is served as it should be: query-replay, mode play. */
static bool answers(struct qmp_client *c)
{
	struct qmp_replay r;

	return !qmp_query_replay(c, &r) && !strcmp(r.mode, "play") &&
	       !strcmp(r.filename, QMPD_LOG);
}

/*
 * Malformed JSON gets QEMU's errors and the next request its answer;
 * binary garbage is answered or dropped.
 */
static void malformed_clients(struct __test_metadata *_metadata,
			      FIXTURE_DATA(qmpd) *self)
{
	static const char *const bad[][2] = {
		{ "{\"execute\":}", "JSON parse error, expecting value" },
		{ "[1]", "QMP input must be a JSON object" },
		{ "{1:2}", "JSON parse error, key is not a string in object" },
		{ "@", "JSON parse error, stray '@'" },
		{ "{\"execute\":\"query-replay\",\"foo\":1}",
		  "QMP input member 'foo' is unexpected" },
	};
	struct qmp_client c;
	char junk[65536];
	unsigned int seed = 8;

	ASSERT_EQ(0, qmpd_open(&self->d, &c));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_TRUE(qmp_send_str(&c, bad[i][0]));
		expect_input_error(_metadata, &c, bad[i][1]);
	}
	EXPECT_TRUE(answers(&c));
	qmp_close(&c);

	ASSERT_EQ(0, qmpd_open(&self->d, &c));
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = rand_r(&seed);
	/*
	 * Not waiting for room: the daemon stops reading a client whose
	 * errors pile up unread, and may drop it before it all went.
	 */
	if (send(c.fd, junk, sizeof(junk), MSG_DONTWAIT) < 0)
		TH_LOG("garbage: %s", strerror(errno));
	qmp_close(&c);
	EXPECT_TRUE(answers(&self->c));
}

/*
 * A client leaving in the middle of a request; one leaving before its
 * reply: the seek it asked for still happens, its STOP reaches the
 * others.
 */
static void clients_leaving(struct __test_metadata *_metadata,
			    FIXTURE_DATA(qmpd) *self)
{
	uint64_t target = between(self->icount, 4);
	struct qmp_client c;
	char req[160];

	ASSERT_EQ(0, qmpd_open(&self->d, &c));
	ASSERT_TRUE(qmp_send_str(&c, "{\"execute\":\"replay-se"));
	qmp_close(&c);
	EXPECT_TRUE(answers(&self->c));

	ASSERT_EQ(0, qmpd_open(&self->d, &c));
	snprintf(req, sizeof(req),
		 "{\"execute\":\"replay-seek\",\"arguments\":{\"icount\":%llu}}",
		 (unsigned long long)target);
	qmp_clear_events(&self->c);
	ASSERT_TRUE(qmp_send_str(&c, req));
	qmp_close(&c);
	expect_stopped_at(_metadata, &self->c, target, true);
}

#define MANY_CLIENTS	64

/* One of many: its greeting, then the replies to what it sent at once. */
static bool many_client_answered(struct qmp_client *c, int id)
{
	struct json_object *o, *ret, *v;
	bool ok;

	if (!qmp_read_greeting(c))
		return false;
	o = qmp_read_reply(c, QMP_TIMEOUT_MS);
	ok = o && json_object_object_get_ex(o, "return", NULL);
	json_object_put(o);
	o = qmp_read_reply(c, QMP_TIMEOUT_MS);
	ok = ok && o && json_object_object_get_ex(o, "id", &v) &&
	     json_object_get_int(v) == id &&
	     json_object_object_get_ex(o, "return", &ret) &&
	     json_object_object_get_ex(ret, "mode", &v) &&
	     !strcmp(json_object_get_string(v), "play");
	json_object_put(o);
	return ok;
}

/*
 * 64 clients connected at once, each sending qmp_capabilities and
 * query-replay in one write before any reads: each gets its own answers.
 */
static void many_clients(struct __test_metadata *_metadata,
			 FIXTURE_DATA(qmpd) *self)
{
	struct qmp_client *c = calloc(MANY_CLIENTS, sizeof(*c));
	char req[160];
	int i, k;

	ASSERT_NE(NULL, c);
	for (i = 0; i < MANY_CLIENTS; i++)
		ASSERT_EQ(0, qmpd_connect(&self->d, &c[i]));
	for (i = 0; i < MANY_CLIENTS; i++) {
		snprintf(req, sizeof(req),
			 "{\"execute\":\"qmp_capabilities\"}"
			 "{\"execute\":\"query-replay\",\"id\":%d}", 1000 + i);
		ASSERT_TRUE(qmp_send_str(&c[i], req));
	}
	/* Read in another order than they asked. */
	for (i = 0; i < MANY_CLIENTS; i++) {
		k = (i * 37) % MANY_CLIENTS;
		EXPECT_TRUE(many_client_answered(&c[k], 1000 + k)) TH_LOG("client %d", k);
	}
	for (i = 0; i < MANY_CLIENTS; i++)
		qmp_close(&c[i]);
	free(c);
}

/*
 * While vl-qmpd replays, clients misbehave: malformed JSON, garbage,
 * leaving mid-command, 64 at once.  The daemon keeps answering everyone
 * else, the replay goes on where it was, and it quits cleanly.
 */
TEST_F_TIMEOUT(qmpd, bad_clients_during_replay_hurt_no_one, 180)
{
	record_through_qmpd(_metadata, self, blk_probe_session, true);
	ASSERT_LE(10, self->n);
	replay_start(_metadata, self, QMPD_LOG);
	wait_replay_end(_metadata, self);
	expect_seek(_metadata, &self->c, between(self->icount, 2));

	malformed_clients(_metadata, self);
	clients_leaving(_metadata, self);
	many_clients(_metadata, self);

	EXPECT_TRUE(qmpd_alive(&self->d));
	EXPECT_TRUE(answers(&self->c));
	cont_to_end(_metadata, self);
	expect_no_divergence(_metadata, &self->c);
	quit_replay(_metadata, self);
}

/* ---- 4. A recording cut short: SIGKILL, a full disk ----------------------- */

/* /dev/hwrng read until killed: the log keeps streaming. */
static void read_hwrng_forever(void)
{
	char buf[4096];
	int fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);

	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	_exit(0);
}

/* The file's size once it reaches @size bytes; -1 after @ms. */
static off_t wait_file_size(const char *path, off_t size, int ms)
{
	struct stat st;

	for (int waited = 0; waited < ms; waited += 50) {
		if (!stat(path, &st) && st.st_size >= size)
			return st.st_size;
		usleep(50 * 1000);
	}
	return -1;
}

/*
 * vl-qmpd records (its files limited to @file_limit bytes, or not) while
 * an rng backend serves a reader that never stops: the log streams into
 * the file until the test cuts it short.
 */
static void record_rng_stream(struct __test_metadata *_metadata,
			      FIXTURE_DATA(qmpd) *self, struct rng_backend *b,
			      off_t file_limit)
{
	const char *args[] = { "--record", QMPD_LOG, NULL };
	struct qmp_replay r;

	ASSERT_EQ(0, qmpd_spawn(&self->d, QMP_SOCK, args, file_limit));
	ASSERT_EQ(0, qmpd_open(&self->d, &self->c));
	ASSERT_EQ(0, qmp_query_replay(&self->c, &r));
	EXPECT_STREQ("record", r.mode);
	ASSERT_LE(0, rng_backend_start(b));
	ASSERT_TRUE(wait_file_has("/sys/class/misc/hw_random/rng_current",
				  "virtio_rng", true));
	self->reader = fork();
	ASSERT_LE(0, self->reader);
	if (!self->reader)
		read_hwrng_forever();
}

/* The reader and the backend gone, and with them the device. */
static void rng_stream_end(struct __test_metadata *_metadata,
			   FIXTURE_DATA(qmpd) *self, struct rng_backend *b)
{
	kill(self->reader, SIGKILL);
	waitpid(self->reader, NULL, 0);
	self->reader = 0;
	rng_backend_stop(b);
	ASSERT_TRUE(wait_file_has(VL_DEBUGFS "/devices", "vl", false));
}

/* A recording as it was left: its bytes, and how many of them are whole. */
struct cut_file {
	size_t len;
	size_t whole;		/* the header and the whole records */
	uint64_t records;	/* whole ones */
};

/*
 * The file a recorder cut short left: its header and every whole record
 * parse.  If anything does not, it must be the last record, cut short
 * (the daemon writes the stream as it reads it, and a write may stop
 * inside a record), and nothing after it.  Which of the two is said.
 */
static void expect_whole_records(struct __test_metadata *_metadata,
				 const unsigned char *log, size_t len,
				 struct cut_file *f)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view v;
	struct vl_log_reader r;
	const char *reason;
	char err[256];
	int ret;

	memset(f, 0, sizeof(*f));
	f->len = len;
	ret = vl_log_check_header(log, len, &hdr, &reason);
	ASSERT_EQ(0, ret) TH_LOG("header: %s", reason);
	vl_log_reader_init(&r, log, len, hdr.header_len);
	while ((ret = vl_log_next(&r, &v)) > 0)
		;
	f->records = r.index;
	if (!ret) {
		fprintf(stderr, "# cut short: %zu bytes, %llu records, ending on a record boundary\n",
			len, (unsigned long long)r.index);
		f->whole = len;
		return;
	}
	vl_log_format_error(&r, err, sizeof(err));
	/* -ENODATA: the record goes past the end; anything else is damage. */
	EXPECT_EQ(-ENODATA, ret) TH_LOG("%s", err);
	fprintf(stderr, "# cut short: %zu bytes, %llu whole records, then %zu bytes of a cut one (%s)\n",
		len, (unsigned long long)r.index, len - r.bad_offset, err);
	f->whole = r.bad_offset;
}

/* QMP_LOG as the recorder left it, checked as expect_whole_records() says. */
static void load_cut_file(struct __test_metadata *_metadata,
			  FIXTURE_DATA(qmpd) *self, struct cut_file *f)
{
	ssize_t len = vl_slurp(QMPD_LOG, &self->log);

	ASSERT_LT(0, len);
	expect_whole_records(_metadata, self->log, len, f);
	ASSERT_LT(sizeof(struct virtio_loopback_log_header), f->whole);
}

/*
 * vlctl log reads the file as it is: every whole record, then, for a cut
 * one, exit 1 naming its offset.
 */
static void expect_vlctl_log_reads(struct __test_metadata *_metadata,
				   const struct cut_file *f)
{
	char out[256], want[64];
	bool cut = f->whole < f->len;

	EXPECT_EQ(cut ? 1 : 0, vl_run("vlctl log " QMPD_LOG " 2>&1 >/dev/null",
				      out, sizeof(out))) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "at offset %zu: truncated", f->whole);
	if (cut)
		EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
}

/*
 * The file, cut inside its last record, as it is: vl-qmpd --replay and
 * vlctl replay refuse it, naming the cut record's offset and --allow-cut,
 * and play mode never starts.
 */
static void expect_cut_refused(struct __test_metadata *_metadata,
			       FIXTURE_DATA(qmpd) *self,
			       const struct cut_file *f)
{
	struct vl_replay_info info;
	char said[4096], want[64];

	snprintf(want, sizeof(want), "at offset %zu: truncated", f->whole);
	ASSERT_EQ(0, qmpd_start(&self->d, QMP_SOCK, "--replay", QMPD_LOG));
	EXPECT_EQ(1, qmpd_wait_exit(&self->d, QMP_TIMEOUT_MS));
	ASSERT_LT(0, vl_read_file(self->d.errlog, said, sizeof(said)));
	EXPECT_NE(NULL, strstr(said, want)) TH_LOG("%s", said);
	EXPECT_NE(NULL, strstr(said, "--allow-cut")) TH_LOG("%s", said);
	EXPECT_EQ(1, vl_run("vlctl replay " QMPD_LOG " 2>&1", said, sizeof(said)));
	EXPECT_NE(NULL, strstr(said, want)) TH_LOG("%s", said);
	EXPECT_NE(NULL, strstr(said, "--allow-cut")) TH_LOG("%s", said);
	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_EQ(VIRTIO_LOOPBACK_REPLAY_MODE_NONE, info.mode);
}

/* x-query-play-log's member @key, or -1 when it has none. */
static int64_t play_log_int(struct qmp_client *c, const char *key)
{
	struct json_object *reply = qmp_execute(c, "x-query-play-log", NULL);
	struct json_object *ret, *v;
	int64_t n = -1;

	if (reply && json_object_object_get_ex(reply, "return", &ret) &&
	    json_object_object_get_ex(ret, key, &v))
		n = json_object_get_int64(v);
	json_object_put(reply);
	return n;
}

/*
 * The file as it is, played with --allow-cut: play mode starts on its
 * whole records, and a cut is said in the daemon's log and by
 * x-query-play-log, with its offset and the bytes dropped.  --window
 * and --per-queue reach the module (debugfs says its play order).
 */
static void replay_allowing_cut(struct __test_metadata *_metadata,
				FIXTURE_DATA(qmpd) *self,
				const struct cut_file *f)
{
	const char *args[] = { "--replay", QMPD_LOG, "--allow-cut",
			       "--window", "5", "--per-queue", NULL };
	struct qmp_client *c = &self->c;
	char said[4096], want[160];
	struct qmp_replay r;

	ASSERT_EQ(0, qmpd_spawn(&self->d, QMP_SOCK, args, QMPD_NO_FILE_LIMIT));
	ASSERT_EQ(0, qmpd_open(&self->d, c));
	ASSERT_EQ(0, qmp_query_replay(c, &r));
	EXPECT_STREQ("play", r.mode);
	EXPECT_STREQ(QMPD_LOG, r.filename);
	EXPECT_EQ((int64_t)f->whole, play_log_int(c, "size"));
	EXPECT_EQ((int64_t)f->records, play_log_int(c, "records"));
	EXPECT_EQ(5, play_log_int(c, "window"));
	EXPECT_EQ(1, play_log_int(c, "per-queue"));
	ASSERT_LT(0, vl_read_file(VL_DEBUGFS "/state", said, sizeof(said)));
	EXPECT_NE(NULL, strstr(said, "play order: per-queue, window 5,"))
		TH_LOG("%s", said);
	ASSERT_LT(0, vl_read_file(self->d.errlog, said, sizeof(said)));
	if (f->whole < f->len) {
		EXPECT_EQ((int64_t)f->whole, play_log_int(c, "cut-offset"));
		EXPECT_EQ((int64_t)(f->len - f->whole), play_log_int(c, "cut-bytes"));
		snprintf(want, sizeof(want),
			 "warning: %s: cut inside its last record, at offset %zu: %zu bytes dropped",
			 QMPD_LOG, f->whole, f->len - f->whole);
		EXPECT_NE(NULL, strstr(said, want)) TH_LOG("%s", said);
	} else {
		EXPECT_EQ(-1, play_log_int(c, "cut-bytes"));
		EXPECT_EQ(NULL, strstr(said, "warning")) TH_LOG("%s", said);
	}
	quit_replay(_metadata, self);
}

/*
 * vl-qmpd killed with SIGKILL while the log streams into its file: the
 * file as it was left is whole records, and a cut in the last one at
 * most.  vlctl reads it; vl-qmpd --allow-cut plays it as it is; a cut
 * one is refused without --allow-cut (a whole one plays all the same).
 * Where the kill lands is chance: which it was is said.
 */
TEST_F_TIMEOUT(qmpd, sigkill_mid_recording_leaves_whole_records, 150)
{
	struct rng_backend b;
	struct cut_file f;

	record_rng_stream(_metadata, self, &b, QMPD_NO_FILE_LIMIT);
	/* Killed while the file grows: 64 KiB of records written by then. */
	ASSERT_LT(0, wait_file_size(QMPD_LOG, 64 << 10, 30000));
	ASSERT_EQ(0, kill(self->d.pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, qmpd_wait_exit(&self->d, QMP_TIMEOUT_MS));
	qmp_close(&self->c);
	/* Nobody reads the log now: the module keeps recording, overwriting. */
	rng_stream_end(_metadata, self, &b);
	EXPECT_EQ(0, vl_genl_record_stop(&self->genl));

	load_cut_file(_metadata, self, &f);
	expect_vlctl_log_reads(_metadata, &f);
	if (f.whole < f.len) {
		expect_cut_refused(_metadata, self, &f);
	} else {
		replay_start(_metadata, self, QMPD_LOG);
		quit_replay(_metadata, self);
	}
	replay_allowing_cut(_metadata, self, &f);
}

/*
 * The disk fills while vl-qmpd records (its files may not grow past a
 * size that is no record boundary, every record being 8-byte aligned):
 * the daemon stops recording and says so, serving on; the file ends
 * inside a record, for certain.  Refused as it is, naming the offset;
 * played with --allow-cut, the loss said.
 */
TEST_F_TIMEOUT(qmpd, a_full_disk_cuts_the_last_record_and_allow_cut_plays_it, 150)
{
	const off_t limit = (64 << 10) + 4;
	struct rng_backend b;
	struct qmp_replay r;
	struct cut_file f;
	char said[4096];

	record_rng_stream(_metadata, self, &b, limit);
	ASSERT_EQ(limit, wait_file_size(QMPD_LOG, limit, 30000));
	for (int waited = 0; waited < QMP_TIMEOUT_MS; waited += 100) {
		ASSERT_EQ(0, qmp_query_replay(&self->c, &r));
		if (!strcmp(r.mode, "none"))
			break;
		usleep(100 * 1000);
	}
	EXPECT_STREQ("none", r.mode);
	ASSERT_LT(0, vl_read_file(self->d.errlog, said, sizeof(said)));
	EXPECT_NE(NULL, strstr(said, "File too large: recording stopped")) TH_LOG("%s", said);
	rng_stream_end(_metadata, self, &b);
	/* The recording failed: so does the daemon, at its end. */
	quit_daemon_status(_metadata, self, 1);

	load_cut_file(_metadata, self, &f);
	ASSERT_EQ((size_t)limit, f.len);
	ASSERT_GT(f.len, f.whole);
	expect_vlctl_log_reads(_metadata, &f);
	expect_cut_refused(_metadata, self, &f);
	replay_allowing_cut(_metadata, self, &f);
}

/* ---- 5. A blk session replayed through vl-qmpd --------------------------- */

/*
 * stop and cont as QEMU has them: the event before the reply, and none
 * when the state does not change.
 */
static void stop_and_cont(struct __test_metadata *_metadata,
			  struct qmp_client *c)
{
	struct json_object *ev;

	qmp_clear_events(c);
	ASSERT_EQ(0, qmp_cmd(c, "stop", NULL)) TH_LOG("%s", c->error);
	ev = qmp_take_event(c, "STOP");
	EXPECT_NE(NULL, ev);
	json_object_put(ev);
	EXPECT_EQ(1, qmp_paused(c));
	ASSERT_EQ(0, qmp_cmd(c, "stop", NULL));
	ev = qmp_take_event(c, "STOP");
	EXPECT_EQ(NULL, ev);
	json_object_put(ev);
	ASSERT_EQ(0, qmp_cmd(c, "cont", NULL)) TH_LOG("%s", c->error);
	ev = qmp_take_event(c, "RESUME");
	EXPECT_NE(NULL, ev);
	json_object_put(ev);
	EXPECT_EQ(0, qmp_paused(c));
}

/*
 * The blk session recorded through vl-qmpd, replayed through it with no
 * backend: replay runs while it waits for the workload, a breakpoint
 * before the removal holds the device for it; the driver reads the
 * recorded bytes, its writes match the log, replay stops at the
 * breakpoint exactly, and cont plays the rest.
 */
TEST_F_TIMEOUT(qmpd, replays_a_blk_session, 180)
{
	struct blk_job job = {
		.pattern = self->pattern, .back = self->back,
		.elsewhere = self->elsewhere,
	};
	uint64_t hold;
	char disk[32];

	record_through_qmpd(_metadata, self, blk_session, false);
	ASSERT_NE(0, self->sum.removed_icount);
	hold = self->sum.removed_icount - 1;
	replay_start(_metadata, self, QMPD_LOG);
	/* The workload's records wait for it: the removal is far yet. */
	ASSERT_EQ(0, qmp_cmd_icount(&self->c, "replay-break", hold))
		TH_LOG("%s", self->c.error);
	EXPECT_EQ(0, qmp_paused(&self->c));
	stop_and_cont(_metadata, &self->c);

	ASSERT_EQ(0, blk_disk_name(played_index(), disk, sizeof(disk)));
	memset(self->back, 0, BLK_PATTERN);
	memset(self->elsewhere, 0, BLK_PATTERN);
	job.disk = disk;
	ASSERT_EQ(0, run_with_deadline(blk_job_run, &job, 60, &self->genl));
	EXPECT_EQ(0, memcmp(self->pattern, self->back, BLK_PATTERN));
	EXPECT_EQ(0, memcmp(self->held, self->elsewhere, BLK_PATTERN));
	expect_stopped_at(_metadata, &self->c, hold, false);
	cont_to_end(_metadata, self);
	expect_no_divergence(_metadata, &self->c);
	quit_replay(_metadata, self);
}

/* ---- 6. A console session through vl-qmpd -------------------------------- */

/*
 * A console session recorded through vl-qmpd and replayed through it with
 * no backend: what the peer sent reaches the driver again, from the log;
 * what the driver writes matches the log (no divergence).  A breakpoint
 * before the removal holds the device for the driver's read.
 */
TEST_F_TIMEOUT(qmpd, replays_a_console_session, 180)
{
	struct console_job *job = self->console;
	uint64_t hold;

	record_through_qmpd(_metadata, self, console_session, false);
	EXPECT_EQ(1, self->sum.kinds[VIRTIO_LOOPBACK_LOG_DEVICE]);
	EXPECT_LE(1, self->sum.kinds[VIRTIO_LOOPBACK_LOG_COMPLETION]);
	ASSERT_NE(0, self->sum.removed_icount);
	hold = self->sum.removed_icount - 1;
	replay_start(_metadata, self, QMPD_LOG);
	ASSERT_EQ(0, qmp_cmd_icount(&self->c, "replay-break", hold))
		TH_LOG("%s", self->c.error);

	memset(job->got, 0, sizeof(job->got));
	job->peer = -1;
	ASSERT_EQ(0, run_with_deadline(console_job_run, job, 60, &self->genl));
	EXPECT_EQ(0, memcmp(console_in, job->got, sizeof(console_in) - 1))
		TH_LOG("read '%.*s'", (int)sizeof(job->got), job->got);
	expect_stopped_at(_metadata, &self->c, hold, false);
	cont_to_end(_metadata, self);
	expect_no_divergence(_metadata, &self->c);
	quit_replay(_metadata, self);
}

TEST_HARNESS_MAIN
