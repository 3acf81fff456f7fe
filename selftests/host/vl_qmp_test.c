// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of vl-qmpd's QMP layer without a kernel: the protocol
 * (qmp.c, qmp_frame.c, qmp_json.c) and the commands (commands.c) run
 * in-process against a fake module, this file's backend.h.  Every
 * expected line below was first read from QEMU 7.2 itself
 * (qemu-system-x86_64 -M none -qmp stdio) given the same input: the
 * bytes, the key order, the error classes and texts, the CRLF.
 * The module's notifications become events by events.c, on messages
 * built here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <netlink/genl/genl.h>

#include <linux/virtio_loopback.h>

#include "kselftest_harness.h"
#include "backend.h"
#include "events.h"
#include "qmp.h"
#include "vl_genl.h"

/* ---- The fake module --------------------------------------------------- */

static struct fake {
	int err;			/* what every request returns */
	const char *why;		/* its words, as the kernel's extack */
	struct vl_replay_info info;
	uint64_t last_icount;		/* of break or seek */
	const char *last_call;
	const char *record_file;
	bool quit;
	bool stop_event;		/* stop sends STOP, as the module does */
} fk;

static struct qmp_session *sessions[4];

void qmpd_broadcast(const char *name, struct json_object *data)
{
	size_t len, i;
	char *line = qmp_event_line(name, data, &len);

	for (i = 0; i < 4; i++)
		if (sessions[i] && sessions[i]->negotiated)
			sessions[i]->send(sessions[i]->send_arg, line, len);
	free(line);
}

static int fake_call(const char *name)
{
	fk.last_call = name;
	return fk.err;
}

int qmpd_replay_get(struct vl_replay_info *info)
{
	*info = fk.info;
	return fake_call("replay_get");
}

int qmpd_break_set(uint64_t icount)
{
	fk.last_icount = icount;
	return fake_call("break_set");
}

int qmpd_break_delete(void)
{
	return fake_call("break_delete");
}

int qmpd_seek(uint64_t icount)
{
	fk.last_icount = icount;
	return fake_call("seek");
}

int qmpd_stop(void)
{
	if (!fk.err && fk.stop_event)
		qmpd_broadcast("STOP", NULL);
	return fake_call("stop");
}

int qmpd_cont(void)
{
	return fake_call("cont");
}

int qmpd_record_start(const char *filename)
{
	fk.record_file = filename;
	return fake_call("record_start");
}

int qmpd_record_stop(void)
{
	return fake_call("record_stop");
}

int qmpd_devices(struct json_object **list)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "index", json_object_new_int(0));
	json_object_object_add(d, "device-id", json_object_new_int(4));
	*list = json_object_new_array();
	json_object_array_add(*list, d);
	return fake_call("devices");
}

int qmpd_divergence(struct json_object **div)
{
	*div = json_object_new_object();
	return fake_call("divergence");
}

/* The daemon's own state, not the module's: it answers without one. */
int qmpd_play_log(struct json_object **info)
{
	*info = json_object_new_object();
	json_object_object_add(*info, "filename", json_object_new_string("/tmp/a.log"));
	json_object_object_add(*info, "cut-bytes", json_object_new_int(40));
	return 0;
}

const char *qmpd_strerror(int err)
{
	if (err == -ENODEV)
		return "the virtio_loopback module is not loaded";
	return fk.why ? fk.why : strerror(-err);
}

void qmpd_quit(void)
{
	fk.quit = true;
}

/* ---- A client: what it was sent ------------------------------------------ */

struct client {
	struct qmp_session s;
	char *out;
	size_t len;
};

static void capture(void *arg, const char *line, size_t len)
{
	struct client *c = arg;

	c->out = realloc(c->out, c->len + len + 1);
	memcpy(c->out + c->len, line, len);
	c->len += len;
	c->out[c->len] = '\0';
}

static void client_init(struct client *c, int slot)
{
	memset(c, 0, sizeof(*c));
	qmp_session_init(&c->s, capture, c);
	sessions[slot] = &c->s;
	memset(&fk, 0, sizeof(fk));
}

static void client_fini(struct client *c)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (sessions[i] == &c->s)
			sessions[i] = NULL;
	qmp_session_fini(&c->s);
	free(c->out);
}

/* Replace the number after @key at each place in @s with @mark. */
static void blank_numbers(char *s, const char *key, char mark)
{
	char *p, *q;

	for (p = strstr(s, key); p; p = strstr(p, key)) {
		p += strlen(key);
		for (q = p; *q >= '0' && *q <= '9'; q++)
			;
		if (q == p)
			continue;
		*p = mark;
		memmove(p + 1, q, strlen(q) + 1);
	}
}

/* What @c was sent since last asked, timestamps blanked; cleared. */
static char *take(struct client *c)
{
	char *out = c->out ? c->out : strdup("");

	blank_numbers(out, "\"seconds\": ", 'S');
	blank_numbers(out, "\"microseconds\": ", 'U');
	c->out = NULL;
	c->len = 0;
	return out;
}

static int input(struct client *c, const char *s)
{
	return qmp_session_input(&c->s, s, strlen(s));
}

#define NEGOTIATE "{\"execute\":\"qmp_capabilities\"}"
#define OK "{\"return\": {}}\r\n"
#define ERR(cls, desc) "{\"error\": {\"class\": \"" cls "\", \"desc\": \"" desc "\"}}\r\n"
#define GENERIC(desc) ERR("GenericError", desc)

/* Send @in, expect exactly @want back. */
#define EXPECT_REPLY(c, in, want) do { \
	char *got_; \
	input(c, in); \
	got_ = take(c); \
	EXPECT_STREQ(want, got_); \
	free(got_); \
} while (0)

FIXTURE(qmp) {
	struct client c;
};

FIXTURE_SETUP(qmp)
{
	client_init(&self->c, 0);
}

FIXTURE_TEARDOWN(qmp)
{
	client_fini(&self->c);
}

/* ---- Greeting and negotiation ------------------------------------------------- */

TEST_F(qmp, greeting_is_qemus_shape_with_crlf)
{
	char *got;

	qmp_session_greet(&self->c.s);
	got = take(&self->c);
	EXPECT_STREQ("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
		     "\"package\": \"vl-qmpd (virtio-loopback)\"}, \"capabilities\": []}}\r\n", got);
	free(got);
}

TEST_F(qmp, commands_wait_for_negotiation)
{
	EXPECT_REPLY(&self->c, "{\"execute\":\"query-status\"}",
		     ERR("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'"));
	/* Even a command vl-qmpd does not have, and with its id. */
	EXPECT_REPLY(&self->c, "{\"execute\":\"foo\",\"id\":5}",
		     "{\"id\": 5, \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
		     "\"Expecting capabilities negotiation with 'qmp_capabilities'\"}}\r\n");
	EXPECT_REPLY(&self->c, "{\"execute\":\"qmp_capabilities\",\"id\":1}",
		     "{\"return\": {}, \"id\": 1}\r\n");
	EXPECT_TRUE(self->c.s.negotiated);
	EXPECT_REPLY(&self->c, "{\"execute\":\"qmp_capabilities\",\"id\":{\"a\":[1]}}",
		     "{\"id\": {\"a\": [1]}, \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
		     "\"Capabilities negotiation is already complete, command ignored\"}}\r\n");
}

TEST_F(qmp, capabilities_arguments)
{
	EXPECT_REPLY(&self->c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"foo\"]}}",
		     GENERIC("Parameter 'null' does not accept value 'foo'"));
	EXPECT_REPLY(&self->c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":\"foo\"}}",
		     GENERIC("Invalid parameter type for 'enable', expected: array"));
	EXPECT_REPLY(&self->c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[1]}}",
		     GENERIC("Invalid parameter type for 'enable[0]', expected: string"));
	/* Not offered in the greeting: vl-qmpd has no out-of-band commands. */
	EXPECT_REPLY(&self->c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}",
		     GENERIC("Capability oob not available"));
	EXPECT_REPLY(&self->c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"foo\":1,\"bar\":2,\"baz\":3}}",
		     GENERIC("Parameter 'baz' is unexpected"));
	EXPECT_FALSE(self->c.s.negotiated);
	EXPECT_REPLY(&self->c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[]}}", OK);
}

/* ---- The id, any JSON value ------------------------------------------------------- */

TEST_F(qmp, id_is_echoed_whatever_its_type)
{
	static const char *const cases[][2] = {
		{ "\"x\"", "\"x\"" }, { "-5", "-5" }, { "null", "null" },
		{ "true", "true" }, { "1e2", "100" }, { "0.1", "0.10000000000000001" },
		{ "1.0", "1" }, { "18446744073709551615", "18446744073709551615" },
		{ "[true,false,{\"z\":1,\"a\":[]}]", "[true, false, {\"a\": [], \"z\": 1}]" },
		{ "\"\\u00e9/\"", "\"\\u00E9/\"" }, { "\"\\u0000\"", "\"\\u0000\"" },
		{ "\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00\"" },
		{ "\"\xc3\xa9\xe2\x82\xac\"", "\"\\u00E9\\u20AC\"" },
	};
	char in[256], want[256];
	size_t i;

	input(&self->c, NEGOTIATE);
	free(take(&self->c));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(in, sizeof(in), "{\"execute\":\"query-version\",\"id\":%s}", cases[i][0]);
		snprintf(want, sizeof(want),
			 "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
			 "\"package\": \"vl-qmpd (virtio-loopback)\"}, \"id\": %s}\r\n", cases[i][1]);
		EXPECT_REPLY(&self->c, in, want);
	}
}

/* ---- Framing: JSON object boundaries, not lines -------------------------------- */

TEST_F(qmp, a_request_split_across_reads)
{
	const char *req = "{\"execute\":\"qmp_capabilities\",\"id\":\"a}\\\"{\"}";
	size_t i;

	for (i = 0; req[i + 1]; i++) {
		qmp_session_input(&self->c.s, req + i, 1);
		EXPECT_EQ(0, self->c.len);
	}
	EXPECT_REPLY(&self->c, req + i, "{\"return\": {}, \"id\": \"a}\\\"{\"}\r\n");
}

TEST_F(qmp, several_requests_in_one_read_without_newlines)
{
	EXPECT_REPLY(&self->c, NEGOTIATE "{\"execute\":\"cont\",\"id\":1}  \n\n"
		     "{\"execute\":\"stop\",\"id\":2}",
		     OK "{\"return\": {}, \"id\": 1}\r\n{\"return\": {}, \"id\": 2}\r\n");
	/* A number at the top level ends at the byte after it. */
	EXPECT_REPLY(&self->c, "1", "");
	EXPECT_REPLY(&self->c, " ", GENERIC("QMP input must be a JSON object"));
}

/* ---- Errors, in QEMU's words ------------------------------------------------------ */

static const char *const bad_input[][2] = {
	{ "[1]", GENERIC("QMP input must be a JSON object") },
	{ "\"abc\"", GENERIC("QMP input must be a JSON object") },
	{ "null ", GENERIC("QMP input must be a JSON object") },
	{ "{\"foo\":1}", GENERIC("QMP input member 'foo' is unexpected") },
	{ "{\"execute\":1}", GENERIC("QMP input member 'execute' must be a string") },
	{ "{\"arguments\":{}}", GENERIC("QMP input lacks member 'execute'") },
	{ "{}", GENERIC("QMP input lacks member 'execute'") },
	{ "{\"execute\":\"qmp_capabilities\",\"arguments\":[]}",
	  GENERIC("QMP input member 'arguments' must be an object") },
	{ "{\"exec-oob\":\"qmp_capabilities\"}", GENERIC("QMP input member 'exec-oob' is unexpected") },
	{ "{\"zzz\":1,\"aaa\":2,\"execute\":5}", GENERIC("QMP input member 'aaa' is unexpected") },
	{ "{\"id\":3,\"foo\":1}",
	  "{\"id\": 3, \"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'foo' is unexpected\"}}\r\n" },
	{ "}", GENERIC("JSON parse error, expecting value") },
	{ "]", GENERIC("JSON parse error, expecting value") },
	{ "foo ", GENERIC("JSON parse error, invalid keyword 'foo'") },
	{ "{\"execute\":}", GENERIC("JSON parse error, expecting value") },
	{ "{\"execute\":\"x\",}", GENERIC("JSON parse error, expecting value") },
	{ "{\"execute\" \"x\"}", GENERIC("JSON parse error, missing : in object pair") },
	{ "{1:2}", GENERIC("JSON parse error, key is not a string in object") },
	{ "[1 2]", GENERIC("JSON parse error, expected separator in list") },
	{ "{\"execute\":\"x\" \"id\":1}", GENERIC("JSON parse error, expected separator in dict") },
	{ "@", GENERIC("JSON parse error, stray '@'") },
	{ "\x01\x02", GENERIC("JSON parse error, stray '\\u0001'")
		      GENERIC("JSON parse error, stray '\\u0002'") },
	{ "\xff", GENERIC("JSON parse error, stray '\\uFFFD'") },
	{ "NaN ", GENERIC("JSON parse error, stray 'N'") },
	{ "ab@cd" NEGOTIATE, GENERIC("JSON parse error, invalid keyword 'ab'")
			     GENERIC("JSON parse error, stray '@'") OK },
};

TEST_F(qmp, malformed_input_gets_qemus_error_without_id)
{
	size_t i;

	for (i = 0; i < sizeof(bad_input) / sizeof(bad_input[0]); i++) {
		client_fini(&self->c);
		client_init(&self->c, 0);
		EXPECT_REPLY(&self->c, bad_input[i][0], bad_input[i][1]);
	}
}

static const char *const bad_command[][2] = {
	{ "{\"execute\":\"foo\",\"id\":[1,{\"a\":null}]}",
	  "{\"id\": [1, {\"a\": null}], \"error\": {\"class\": \"CommandNotFound\", "
	  "\"desc\": \"The command foo has not been found\"}}\r\n" },
	{ "{\"execute\":\"query-version\",\"arguments\":{\"a\":1}}", GENERIC("Parameter 'a' is unexpected") },
	{ "{\"execute\":\"replay-break\"}", GENERIC("Parameter 'icount' is missing") },
	{ "{\"execute\":\"replay-break\",\"arguments\":{\"x\":1}}", GENERIC("Parameter 'icount' is missing") },
	{ "{\"execute\":\"replay-break\",\"arguments\":{\"icount\":\"5\"}}",
	  GENERIC("Invalid parameter type for 'icount', expected: integer") },
	{ "{\"execute\":\"replay-break\",\"arguments\":{\"icount\":1.0}}",
	  GENERIC("Invalid parameter type for 'icount', expected: integer") },
	{ "{\"execute\":\"replay-seek\",\"arguments\":{\"icount\":18446744073709551615}}",
	  GENERIC("Invalid parameter type for 'icount', expected: integer") },
	{ "{\"execute\":\"replay-seek\",\"arguments\":{\"icount\":null}}",
	  GENERIC("Invalid parameter type for 'icount', expected: integer") },
	{ "{\"execute\":\"replay-break\",\"arguments\":{\"icount\":5,\"x\":1}}",
	  GENERIC("Parameter 'x' is unexpected") },
	{ "{\"execute\":\"replay-delete-break\",\"arguments\":{\"icount\":1}}",
	  GENERIC("Parameter 'icount' is unexpected") },
	{ "{\"execute\":\"x-record-start\"}", GENERIC("Parameter 'filename' is missing") },
	{ "{\"execute\":\"x-record-start\",\"arguments\":{\"filename\":1}}",
	  GENERIC("Invalid parameter type for 'filename', expected: string") },
};

TEST_F(qmp, bad_commands_and_arguments)
{
	size_t i;

	input(&self->c, NEGOTIATE);
	free(take(&self->c));
	for (i = 0; i < sizeof(bad_command) / sizeof(bad_command[0]); i++)
		EXPECT_REPLY(&self->c, bad_command[i][0], bad_command[i][1]);
	EXPECT_EQ(NULL, fk.last_call);	/* none reached the module */
}

TEST_F(qmp, too_large_or_too_deep_input_ends_the_stream)
{
	size_t n = (1u << 20) + 16;
	char *big = malloc(n + 1), *got;
	int i;

	memset(big, 'x', n);
	memcpy(big, "{\"id\":\"", 7);
	big[n] = '\0';
	EXPECT_EQ(-EMSGSIZE, input(&self->c, big));
	got = take(&self->c);
	EXPECT_STREQ(GENERIC("JSON token size limit exceeded"), got);
	free(got);
	free(big);

	client_fini(&self->c);
	client_init(&self->c, 0);
	for (i = 0; i < 1024; i++)
		EXPECT_EQ(0, input(&self->c, "["));
	EXPECT_EQ(-ELOOP, input(&self->c, "["));
	got = take(&self->c);
	EXPECT_STREQ(GENERIC("JSON nesting depth limit exceeded"), got);
	free(got);
}

/* ---- Dispatch to the module ---------------------------------------------------------- */

TEST_F(qmp, query_status_and_query_replay)
{
	input(&self->c, NEGOTIATE);
	free(take(&self->c));
	EXPECT_REPLY(&self->c, "{\"execute\":\"query-status\"}",
		     "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}\r\n");
	fk.info.paused = true;
	EXPECT_REPLY(&self->c, "{\"execute\":\"query-status\"}",
		     "{\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}}\r\n");
	fk.info.mode = VIRTIO_LOOPBACK_REPLAY_MODE_PLAY;
	fk.info.icount = 1234;
	strcpy(fk.info.filename, "/tmp/blk.vllog");
	EXPECT_REPLY(&self->c, "{\"execute\":\"query-replay\"}",
		     "{\"return\": {\"icount\": 1234, \"mode\": \"play\", \"filename\": \"/tmp/blk.vllog\"}}\r\n");
	/* Without the module: no replay, nothing paused; never a failure. */
	fk.err = -ENODEV;
	EXPECT_REPLY(&self->c, "{\"execute\":\"query-replay\"}",
		     "{\"return\": {\"icount\": 0, \"mode\": \"none\"}}\r\n");
	EXPECT_REPLY(&self->c, "{\"execute\":\"query-status\"}",
		     "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}\r\n");
}

TEST_F(qmp, refusals_are_generic_errors_in_the_kernels_words)
{
	input(&self->c, NEGOTIATE);
	free(take(&self->c));
	EXPECT_REPLY(&self->c, "{\"execute\":\"replay-break\",\"arguments\":{\"icount\":77}}", OK);
	EXPECT_STREQ("break_set", fk.last_call);
	EXPECT_EQ(77, fk.last_icount);
	fk.err = -EINVAL;
	fk.why = "cannot set breakpoint at the instruction in the past";
	EXPECT_REPLY(&self->c, "{\"execute\":\"replay-break\",\"arguments\":{\"icount\":5},\"id\":\"b\"}",
		     "{\"id\": \"b\", \"error\": {\"class\": \"GenericError\", \"desc\": "
		     "\"cannot set breakpoint at the instruction in the past\"}}\r\n");
	fk.why = "cannot seek to the specified instruction count";
	EXPECT_REPLY(&self->c, "{\"execute\":\"replay-seek\",\"arguments\":{\"icount\":-1}}",
		     GENERIC("cannot seek to the specified instruction count"));
	EXPECT_EQ(UINT64_MAX, fk.last_icount);	/* QEMU's int, compared unsigned */
	fk.why = "already recording";
	EXPECT_REPLY(&self->c, "{\"execute\":\"x-record-start\",\"arguments\":{\"filename\":\"/tmp/f\"}}",
		     GENERIC("already recording"));
	EXPECT_STREQ("/tmp/f", fk.record_file);
}

/* Without the module there is no play mode: QEMU's own texts for that. */
TEST_F(qmp, without_the_module)
{
	input(&self->c, NEGOTIATE);
	free(take(&self->c));
	fk.err = -ENODEV;
	EXPECT_REPLY(&self->c, "{\"execute\":\"replay-break\",\"arguments\":{\"icount\":5}}",
		     GENERIC("setting the breakpoint is allowed only in play mode"));
	EXPECT_REPLY(&self->c, "{\"execute\":\"replay-delete-break\"}",
		     GENERIC("replay breakpoints are allowed only in play mode"));
	EXPECT_REPLY(&self->c, "{\"execute\":\"replay-seek\",\"arguments\":{\"icount\":5}}",
		     GENERIC("replay must be enabled to seek"));
	EXPECT_REPLY(&self->c, "{\"execute\":\"stop\"}",
		     GENERIC("the virtio_loopback module is not loaded"));
	EXPECT_REPLY(&self->c, "{\"execute\":\"x-query-devices\"}",
		     GENERIC("the virtio_loopback module is not loaded"));
	EXPECT_REPLY(&self->c, "{\"execute\":\"x-query-play-log\"}",
		     "{\"return\": {\"filename\": \"/tmp/a.log\", \"cut-bytes\": 40}}\r\n");
}

TEST_F(qmp, extensions)
{
	input(&self->c, NEGOTIATE);
	free(take(&self->c));
	EXPECT_REPLY(&self->c, "{\"execute\":\"x-query-devices\"}",
		     "{\"return\": [{\"index\": 0, \"device-id\": 4}]}\r\n");
	EXPECT_REPLY(&self->c, "{\"execute\":\"x-query-divergence\"}", "{\"return\": {}}\r\n");
	EXPECT_REPLY(&self->c, "{\"execute\":\"x-query-play-log\"}",
		     "{\"return\": {\"filename\": \"/tmp/a.log\", \"cut-bytes\": 40}}\r\n");
	EXPECT_REPLY(&self->c, "{\"execute\":\"x-record-stop\"}", OK);
	EXPECT_STREQ("record_stop", fk.last_call);
}

TEST_F(qmp, query_commands_lists_every_command)
{
	struct json_object *o, *list;
	char *got;

	input(&self->c, NEGOTIATE "{\"execute\":\"query-commands\"}");
	got = take(&self->c);
	o = json_tokener_parse(strstr(got, "\r\n") + 2);
	ASSERT_NE(NULL, o);
	list = json_object_object_get(o, "return");
	EXPECT_EQ(16, json_object_array_length(list));
	EXPECT_NE(NULL, strstr(got, "{\"name\": \"replay-seek\"}"));
	EXPECT_NE(NULL, strstr(got, "{\"name\": \"x-query-divergence\"}"));
	EXPECT_NE(NULL, strstr(got, "{\"name\": \"x-query-play-log\"}"));
	json_object_put(o);
	free(got);
}

/* ---- Events -------------------------------------------------------------------------- */

TEST_F(qmp, stop_says_stop_first_to_every_negotiated_client)
{
	struct client other, silent;
	char *got;

	client_init(&other, 1);
	client_init(&silent, 2);	/* never negotiates: no events */
	fk.stop_event = true;
	input(&other, NEGOTIATE);
	free(take(&other));
	EXPECT_REPLY(&self->c, NEGOTIATE "{\"execute\":\"stop\"}",
		     OK "{\"timestamp\": {\"seconds\": S, \"microseconds\": U}, \"event\": \"STOP\"}\r\n"
		     OK);
	got = take(&other);
	EXPECT_STREQ("{\"timestamp\": {\"seconds\": S, \"microseconds\": U}, \"event\": \"STOP\"}\r\n", got);
	free(got);
	EXPECT_EQ(0, silent.len);
	client_fini(&other);
	client_fini(&silent);
}

TEST_F(qmp, quit_says_shutdown_then_replies)
{
	EXPECT_REPLY(&self->c, NEGOTIATE "{\"execute\":\"quit\",\"id\":9}",
		     OK "{\"timestamp\": {\"seconds\": S, \"microseconds\": U}, \"event\": \"SHUTDOWN\", "
		     "\"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}\r\n"
		     "{\"return\": {}, \"id\": 9}\r\n");
	EXPECT_TRUE(fk.quit);
}

/* The events of a notification, as one string. */
static char events_seen[1024];

static void record_event(const char *name, struct json_object *data)
{
	size_t len = strlen(events_seen);

	snprintf(events_seen + len, sizeof(events_seen) - len, "%s %s;", name,
		 data ? json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN) : "-");
	json_object_put(data);
}

static const char *events_of(struct nl_msg *msg)
{
	events_seen[0] = '\0';
	qmpd_events_from_msg(msg, 0x20, record_event);
	nlmsg_free(msg);
	return events_seen;
}

static struct nl_msg *ntf(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 0, 0x20, 0, 0, cmd, 1);
	return msg;
}

TEST(notifications_become_events)
{
	struct nl_msg *msg;

	msg = ntf(VIRTIO_LOOPBACK_CMD_STOPPED_NTF);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, 500);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_REASON, VIRTIO_LOOPBACK_STOP_BREAK);
	EXPECT_STREQ("STOP -;", events_of(msg));

	msg = ntf(VIRTIO_LOOPBACK_CMD_STOPPED_NTF);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, 900);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_REASON, VIRTIO_LOOPBACK_STOP_END);
	EXPECT_STREQ("STOP -;X-REPLAY-END {\"icount\":900};", events_of(msg));

	msg = ntf(VIRTIO_LOOPBACK_CMD_RESUMED_NTF);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, 900);
	EXPECT_STREQ("RESUME -;", events_of(msg));

	msg = ntf(VIRTIO_LOOPBACK_CMD_LOSS_NTF);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_LOST, 3);
	EXPECT_STREQ("X-REPLAY-LOSS {\"lost\":3};", events_of(msg));

	msg = ntf(VIRTIO_LOOPBACK_CMD_DEVICE_ADDED_NTF);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_INDEX, 2);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_DEVICE_ID, 4);
	EXPECT_STREQ("X-DEVICE-ADDED {\"index\":2,\"device-id\":4};", events_of(msg));

	msg = ntf(VIRTIO_LOOPBACK_CMD_DEVICE_REMOVED_NTF);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_INDEX, 2);
	EXPECT_STREQ("X-DEVICE-REMOVED {\"index\":2};", events_of(msg));

	msg = ntf(VIRTIO_LOOPBACK_CMD_DIVERGENCE_NTF);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, 7);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_DEVICE, 1);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_QUEUE, VIRTIO_LOOPBACK_LOG_NO_QUEUE);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_RECORD, 12);
	nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_FIELD, "status");
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_EXPECTED, 15);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_ACTUAL, 0);
	nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_MESSAGE, "the driver reset");
	EXPECT_STREQ("X-REPLAY-DIVERGENCE {\"icount\":7,\"device\":1,\"queue\":null,\"record\":12,"
		     "\"field\":\"status\",\"expected\":15,\"actual\":0,\"message\":\"the driver reset\"};",
		     events_of(msg));

	/* Another family's message, or a command of a newer module: nothing. */
	msg = nlmsg_alloc();
	genlmsg_put(msg, 0, 0, 0x21, 0, 0, VIRTIO_LOOPBACK_CMD_STOPPED_NTF, 1);
	EXPECT_STREQ("", events_of(msg));
	EXPECT_STREQ("", events_of(ntf(200)));
}

TEST_HARNESS_MAIN
