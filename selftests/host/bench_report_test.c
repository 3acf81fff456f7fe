// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of vl-bench-report's parser: the markers scripts/vm-bench
 * writes, fio's JSON, and every way a log can be broken.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "../../userspace/tools/bench_report.h"

static bool NEAR(double a, double b)
{
	return fabs(a - b) < 1e-6 * (fabs(b) + 1);
}

/* A fio --output-format=json output cut down to what matters, one job. */
#define FIO_JSON(side, iops, bw, io)					\
	"{",								\
	"  \"fio version\" : \"fio-3.33\",",				\
	"  \"jobs\" : [",						\
	"    {",							\
	"      \"jobname\" : \"j\",",					\
	"      \"error\" : 0,",						\
	"      \"" side "\" : {",					\
	"        \"io_bytes\" : " #io ",",				\
	"        \"bw_bytes\" : " #bw ",",				\
	"        \"iops\" : " #iops ",",				\
	"        \"lat_ns\" : { \"mean\" : 2500.0, \"N\" : 10 }",	\
	"      },",							\
	"      \"trim\" : { \"io_bytes\" : 0, \"bw_bytes\" : 0,",	\
	"                 \"iops\" : 0.000000 }",			\
	"    }",							\
	"  ]",								\
	"}"

static void feed(struct br_report *r, const char *const *lines)
{
	br_init(r);
	for (; *lines; lines++)
		br_feed_line(r, *lines);
	br_finish(r);
}

static bool has_message(const struct br_report *r, const char *part)
{
	for (size_t i = 0; i < r->nmessages; i++)
		if (strstr(r->messages[i], part))
			return true;
	return false;
}

static bool error_has(const struct br_result *res, const char *part)
{
	return res && !res->ok && res->error && strstr(res->error, part);
}

/* Row n of a printed table has these six cells (split at 2+ blanks). */
static bool row_is(const char *table, int n, const char *c0, const char *c1,
		   const char *c2, const char *c3, const char *c4,
		   const char *c5)
{
	const char *want[] = { c0, c1, c2, c3, c4, c5 };
	const char *p = table;
	size_t i = 0;

	while (n-- > 0 && p)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	if (!p)
		return false;
	for (;;) {
		size_t len;

		while (*p == ' ')
			p++;
		if (*p == '\n' || !*p)
			return i == 6;
		for (len = 0; p[len] && p[len] != '\n' &&
		     !(p[len] == ' ' && p[len + 1] == ' '); len++)
			;
		if (i == 6 || strlen(want[i]) != len ||
		    strncmp(p, want[i], len))
			return false;
		i++;
		p += len;
	}
}

TEST(two_targets_and_their_ratio)
{
	const char *const log[] = {
		"### vl-bench START kernel=6.12.0-test date=2026-01-02T03:04:05Z fio=fio-3.33\n",
		"# a note\n",
		"### vl-bench TARGET vl-blk /dev/vda\n",
		"### vl-bench TARGET loop /dev/loop0\n",
		"### vl-bench BEGIN vl-blk randread-4k-qd1\n",
		FIO_JSON("read", 250.5, 1026048, 8208384),
		"### vl-bench END vl-blk randread-4k-qd1 rc=0\n",
		"### vl-bench BEGIN loop randread-4k-qd1\n",
		FIO_JSON("read", 1002, 4104192, 32833536),
		"### vl-bench END loop randread-4k-qd1 rc=0\n",
		"### vl-bench FINISH\n", "### vl-run DONE\n", NULL,
	};
	const struct br_result *res;
	struct br_report r;
	double ratio = 0;

	feed(&r, log);
	EXPECT_EQ(0, r.nmessages);
	EXPECT_TRUE(r.started && r.finished);
	EXPECT_STREQ("6.12.0-test", r.kernel);
	EXPECT_STREQ("2026-01-02T03:04:05Z", r.date);
	ASSERT_EQ(2, r.ntargets);
	EXPECT_STREQ("vl-blk", r.targets[0]);
	EXPECT_STREQ("loop", r.targets[1]);
	ASSERT_EQ(1, r.njobs);
	EXPECT_EQ(2, br_count_ok(&r));

	res = br_get(&r, "randread-4k-qd1", "vl-blk");
	ASSERT_NE(NULL, res);
	EXPECT_TRUE(res->ok);
	EXPECT_TRUE(NEAR(res->iops, 250.5));
	EXPECT_TRUE(NEAR(res->mb_s, 1.026048));
	EXPECT_TRUE(NEAR(res->lat_us, 2.5));
	EXPECT_STREQ("read", res->side);

	ASSERT_TRUE(br_ratio(&r, "randread-4k-qd1", "vl-blk", &ratio));
	EXPECT_TRUE(NEAR(ratio, 250.5 / 1002));
	EXPECT_FALSE(br_ratio(&r, "no-such-job", "vl-blk", &ratio));
	br_release(&r);
}

TEST(write_side_crlf_and_text_before_the_json)
{
	const char *const log[] = {
		"### vl-bench START kernel=k\r\n",
		"### vl-bench BEGIN loop randwrite-4k-qd16\r\n",
		"fio: a note fio printed first\r\n",
		FIO_JSON("write", 1500, 6144000, 49152000),
		"### vl-bench END loop randwrite-4k-qd16 rc=0\r\n",
		"### vl-bench FINISH\r\n", NULL,
	};
	const struct br_result *res;
	struct br_report r;

	feed(&r, log);
	EXPECT_EQ(0, r.nmessages);
	res = br_get(&r, "randwrite-4k-qd16", "loop");
	ASSERT_NE(NULL, res);
	ASSERT_TRUE(res->ok);
	EXPECT_STREQ("write", res->side);
	EXPECT_TRUE(NEAR(res->iops, 1500));
	EXPECT_TRUE(NEAR(res->mb_s, 6.144));
	br_release(&r);
}

TEST(targets_are_columns_in_order_of_appearance)
{
	const char *const log[] = {
		"### vl-bench START kernel=k",
		"### vl-bench TARGET vl-blk /dev/vda",
		"### vl-bench BEGIN vduse j", FIO_JSON("read", 30, 1, 1),
		"### vl-bench END vduse j rc=0",
		"### vl-bench BEGIN loop j", FIO_JSON("read", 100, 1, 1),
		"### vl-bench END loop j rc=0",
		"### vl-bench BEGIN vl-blk j", FIO_JSON("read", 60, 1, 1),
		"### vl-bench END vl-blk j rc=0",
		"### vl-bench FINISH", NULL,
	};
	struct br_report r;
	double ratio;

	feed(&r, log);
	EXPECT_EQ(0, r.nmessages);
	ASSERT_EQ(3, r.ntargets);
	EXPECT_STREQ("vl-blk", r.targets[0]);
	EXPECT_STREQ("vduse", r.targets[1]);
	EXPECT_STREQ("loop", r.targets[2]);
	ASSERT_TRUE(br_ratio(&r, "j", "vduse", &ratio));
	EXPECT_TRUE(NEAR(ratio, 0.3));
	ASSERT_TRUE(br_ratio(&r, "j", "vl-blk", &ratio));
	EXPECT_TRUE(NEAR(ratio, 0.6));
	br_release(&r);
}

TEST(fio_failure_is_an_error_not_a_number)
{
	const char *const log[] = {
		"### vl-bench START kernel=k",
		"### vl-bench BEGIN vl-blk j", FIO_JSON("read", 30, 1, 1),
		"### vl-bench END vl-blk j rc=1",
		"### vl-bench BEGIN loop j", FIO_JSON("read", 100, 1, 1),
		"### vl-bench END loop j rc=0",
		"### vl-bench FINISH", NULL,
	};
	struct br_report r;
	double ratio;

	feed(&r, log);
	EXPECT_TRUE(error_has(br_get(&r, "j", "vl-blk"), "status 1"));
	EXPECT_FALSE(br_ratio(&r, "j", "vl-blk", &ratio));
	EXPECT_EQ(1, br_count_ok(&r));
	br_release(&r);
}

TEST(truncated_and_malformed_json)
{
	const char *const log[] = {
		"### vl-bench START kernel=k",
		"### vl-bench BEGIN t cut", "{", "  \"jobs\" : [ { \"read\" : {",
		"### vl-bench END t cut rc=0",
		"### vl-bench BEGIN t bad", "{ \"jobs\" : [ } ]",
		"### vl-bench END t bad rc=0",
		"### vl-bench BEGIN t empty",
		"### vl-bench END t empty rc=0",
		"### vl-bench BEGIN t trailing", "{ \"jobs\" : [] } extra",
		"### vl-bench END t trailing rc=0",
		"### vl-bench FINISH", NULL,
	};
	struct br_report r;

	feed(&r, log);
	EXPECT_TRUE(error_has(br_get(&r, "cut", "t"), "cut short"));
	EXPECT_TRUE(error_has(br_get(&r, "bad", "t"), "malformed"));
	EXPECT_TRUE(error_has(br_get(&r, "empty", "t"), "no JSON"));
	EXPECT_TRUE(error_has(br_get(&r, "trailing", "t"), "text after"));
	EXPECT_EQ(0, br_count_ok(&r));
	br_release(&r);
}

TEST(json_that_is_not_fio_output)
{
	static const struct {
		const char *json, *error;
	} cases[] = {
		{ "[1, 2]", "no JSON" },	/* not at a line's start: no "{" */
		{ "{ \"x\" : 1 }", "no \"jobs\"" },
		{ "{ \"jobs\" : {} }", "no \"jobs\"" },
		{ "{ \"jobs\" : [] }", "no job" },
		{ "{ \"jobs\" : [ 7 ] }", "not an object" },
		{ "{ \"jobs\" : [ { \"error\" : 5 } ] }", "error 5" },
		{ "{ \"jobs\" : [ { \"read\" : { \"iops\" : 1 } } ] }",
		  "lacks" },
		{ "{ \"jobs\" : [ { \"read\" : { \"io_bytes\" : 1, \"iops\" : \"x\", \"bw_bytes\" : 1 } } ] }",
		  "lacks" },
		{ "{ \"jobs\" : [ { \"read\" : { \"io_bytes\" : 0, \"iops\" : 0, \"bw_bytes\" : 0 } } ] }",
		  "no I/O" },
		{ "{ \"jobs\" : [ { \"read\" : 3 } ] }", "lacks" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct br_result res;

		EXPECT_EQ(-1, br_parse_fio_json(cases[i].json,
						strlen(cases[i].json), &res));
		EXPECT_TRUE(error_has(&res, cases[i].error))
			TH_LOG("case %zu: %s", i, res.error);
		free(res.error);
	}
}

TEST(two_sides_are_mixed)
{
	const char *json = "{ \"jobs\" : [ { "
		"\"read\" : { \"io_bytes\" : 10, \"iops\" : 3, \"bw_bytes\" : 2000000 }, "
		"\"write\" : { \"io_bytes\" : 10, \"iops\" : 4, \"bw_bytes\" : 1000000 } "
		"} ] }";
	struct br_result res;

	ASSERT_EQ(0, br_parse_fio_json(json, strlen(json), &res));
	EXPECT_STREQ("mixed", res.side);
	EXPECT_TRUE(NEAR(res.iops, 7));
	EXPECT_TRUE(NEAR(res.mb_s, 3));
	EXPECT_TRUE(res.lat_us < 0);
	free(res.error);
}

TEST(broken_markers_are_reported)
{
	const char *const log[] = {
		"### vl-bench START kernel=k novalue",
		"### vl-bench END t a rc=0",		/* no BEGIN */
		"### vl-bench BEGIN t a", FIO_JSON("read", 1, 1, 1),
		"### vl-bench BEGIN t b",		/* a has no END */
		FIO_JSON("read", 2, 1, 1),
		"### vl-bench END t c rc=0",		/* names another job */
		"### vl-bench BEGIN t d", FIO_JSON("read", 3, 1, 1),
		"### vl-bench END t d rc=x",
		"### vl-bench BEGIN t e", FIO_JSON("read", 4, 1, 1),
		"### vl-bench END t e",
		"### vl-bench BEGIN only-one-word",
		"### vl-bench BEGIN t e extra",
		"### vl-bench BEGIN t bad\"name",
		"### vl-bench BEGIN t f", FIO_JSON("read", 5, 1, 1),
		"### vl-bench END t f rc=0",
		"### vl-bench BEGIN t f", FIO_JSON("read", 6, 1, 1),
		"### vl-bench END t f rc=0",		/* a second f */
		"### vl-bench WHATEVER",
		"### vl-bench",
		"### vl-bench ",
		"### vl-bench TARGET",
		"### vl-bench ERROR",
		"### vl-bench BEGIN t g", FIO_JSON("read", 7, 1, 1),
		"### vl-bench FINISH",			/* inside g */
		NULL,
	};
	const struct br_result *f;
	struct br_report r;

	feed(&r, log);
	EXPECT_TRUE(has_message(&r, "\"novalue\" is not key=value"));
	EXPECT_TRUE(has_message(&r, "line 2: END without BEGIN"));
	EXPECT_TRUE(has_message(&r, "BEGIN t b inside t a"));
	EXPECT_TRUE(has_message(&r, "END t c closes BEGIN t b"));
	EXPECT_TRUE(has_message(&r, "bad exit status \"rc=x\""));
	EXPECT_TRUE(has_message(&r, "malformed END"));
	EXPECT_TRUE(has_message(&r, "malformed BEGIN"));
	EXPECT_TRUE(has_message(&r, "a second result for t f"));
	EXPECT_TRUE(has_message(&r, "unknown marker \"WHATEVER\""));
	EXPECT_TRUE(has_message(&r, "malformed TARGET"));
	EXPECT_TRUE(has_message(&r, "malformed ERROR"));
	EXPECT_TRUE(has_message(&r, "FINISH inside t g"));
	EXPECT_TRUE(error_has(br_get(&r, "a", "t"), "no END"));
	EXPECT_TRUE(error_has(br_get(&r, "b", "t"), "another job"));
	EXPECT_TRUE(error_has(br_get(&r, "d", "t"), "malformed END"));
	EXPECT_TRUE(error_has(br_get(&r, "e", "t"), "malformed END"));
	EXPECT_TRUE(error_has(br_get(&r, "g", "t"), "no END"));
	f = br_get(&r, "f", "t");
	ASSERT_NE(NULL, f);
	ASSERT_TRUE(f->ok);
	EXPECT_TRUE(NEAR(f->iops, 5));	/* the first one counts */
	EXPECT_EQ(1, br_count_ok(&r));
	br_release(&r);
}

TEST(a_log_cut_short)
{
	const char *const log[] = {
		"### vl-bench START kernel=k",
		"### vl-bench BEGIN loop j", "{ \"jobs\" : [", NULL,
	};
	struct br_report r;

	feed(&r, log);
	EXPECT_TRUE(has_message(&r, "ends inside loop j"));
	EXPECT_TRUE(has_message(&r, "did not finish"));
	EXPECT_TRUE(error_has(br_get(&r, "j", "loop"), "before its END"));
	br_release(&r);
}

TEST(not_a_bench_log)
{
	const char *const log[] = { "hello", "ok 1 something", NULL };
	struct br_report r;

	feed(&r, log);
	EXPECT_TRUE(has_message(&r, "not a vm-bench log"));
	EXPECT_EQ(0, r.ntargets);
	EXPECT_EQ(0, br_count_ok(&r));
	br_release(&r);
}

TEST(a_target_that_failed_is_still_a_column)
{
	const char *const log[] = {
		"### vl-bench START kernel=k",
		"### vl-bench ERROR vl-blk vl-backend exited with status 1",
		"### vl-bench ERROR all something general",
		"### vl-bench TARGET loop /dev/loop0",
		"### vl-bench BEGIN loop j", FIO_JSON("read", 100, 1, 1),
		"### vl-bench END loop j rc=0",
		"### vl-bench FINISH", NULL,
	};
	struct br_report r;
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	feed(&r, log);
	ASSERT_EQ(2, r.ntargets);
	EXPECT_STREQ("vl-blk", r.targets[0]);
	EXPECT_TRUE(has_message(&r, "vm-bench: vl-blk: vl-backend exited with status 1"));
	EXPECT_TRUE(has_message(&r, "vm-bench: all: something general"));
	EXPECT_EQ(NULL, br_get(&r, "j", "vl-blk"));

	out = open_memstream(&text, &size);
	ASSERT_NE(NULL, out);
	br_print_table(&r, out);
	fclose(out);
	EXPECT_TRUE(row_is(text, 0, "job", "vl-blk IOPS", "loop IOPS",
			   "vl-blk/loop", "vl-blk MB/s", "loop MB/s"))
		TH_LOG("table:\n%s", text);
	EXPECT_TRUE(row_is(text, 1, "j", "-", "100", "-", "-", "0.0"))
		TH_LOG("table:\n%s", text);
	free(text);
	br_release(&r);
}

TEST(no_baseline_no_ratios)
{
	const char *const log[] = {
		"### vl-bench START kernel=k",
		"### vl-bench BEGIN vl-blk j", FIO_JSON("read", 100, 1, 1),
		"### vl-bench END vl-blk j rc=0",
		"### vl-bench FINISH", NULL,
	};
	struct br_report r;
	struct json_object *root, *jobs, *ratios;
	char *text = NULL;
	size_t size = 0;
	double ratio;
	FILE *out;

	feed(&r, log);
	EXPECT_FALSE(br_ratio(&r, "j", "vl-blk", &ratio));
	out = open_memstream(&text, &size);
	ASSERT_NE(NULL, out);
	br_print_table(&r, out);
	fclose(out);
	EXPECT_EQ(NULL, strstr(text, "/loop"));
	free(text);

	root = br_to_json(&r, "fallback");
	ASSERT_TRUE(json_object_object_get_ex(root, "jobs", &jobs));
	ASSERT_TRUE(json_object_object_get_ex(
		json_object_array_get_idx(jobs, 0), "ratios", &ratios));
	EXPECT_EQ(0, json_object_object_length(ratios));
	json_object_put(root);
	br_release(&r);
}

TEST(the_json_report)
{
	const char *const log[] = {
		"### vl-bench START kernel=6.12.0-test fio=fio-3.33",
		"### vl-bench BEGIN vl-blk j", FIO_JSON("read", 250, 1000000, 1),
		"### vl-bench END vl-blk j rc=0",
		"### vl-bench BEGIN loop j", FIO_JSON("read", 1000, 1, 1),
		"### vl-bench END loop j rc=0",
		"### vl-bench BEGIN vl-blk k", "garbage",
		"### vl-bench END vl-blk k rc=0",
		"### vl-bench FINISH", NULL,
	};
	struct json_object *root, *v, *job, *res;
	struct br_report r;

	feed(&r, log);
	root = br_to_json(&r, "2000-01-01T00:00:00Z");
	ASSERT_NE(NULL, root);
	ASSERT_TRUE(json_object_object_get_ex(root, "kernel", &v));
	EXPECT_STREQ("6.12.0-test", json_object_get_string(v));
	/* The log has no date: the caller's. */
	ASSERT_TRUE(json_object_object_get_ex(root, "date", &v));
	EXPECT_STREQ("2000-01-01T00:00:00Z", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(root, "baseline", &v));
	EXPECT_STREQ("loop", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(root, "complete", &v));
	EXPECT_TRUE(json_object_get_boolean(v));
	ASSERT_TRUE(json_object_object_get_ex(root, "run", &v));
	ASSERT_TRUE(json_object_object_get_ex(v, "fio", &v));
	EXPECT_STREQ("fio-3.33", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(root, "targets", &v));
	EXPECT_EQ(2, json_object_array_length(v));

	ASSERT_TRUE(json_object_object_get_ex(root, "jobs", &v));
	ASSERT_EQ(2, json_object_array_length(v));
	job = json_object_array_get_idx(v, 0);
	ASSERT_TRUE(json_object_object_get_ex(job, "name", &v));
	EXPECT_STREQ("j", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(job, "ratios", &v));
	ASSERT_TRUE(json_object_object_get_ex(v, "vl-blk", &v));
	EXPECT_TRUE(NEAR(json_object_get_double(v), 0.25));
	ASSERT_TRUE(json_object_object_get_ex(job, "results", &res));
	ASSERT_TRUE(json_object_object_get_ex(res, "vl-blk", &res));
	ASSERT_TRUE(json_object_object_get_ex(res, "iops", &v));
	EXPECT_TRUE(NEAR(json_object_get_double(v), 250));
	ASSERT_TRUE(json_object_object_get_ex(res, "mb_s", &v));
	EXPECT_TRUE(NEAR(json_object_get_double(v), 1));
	/* A failed job is an error, not a number. */
	job = json_object_array_get_idx(json_object_object_get(root, "jobs"), 1);
	res = json_object_object_get(json_object_object_get(job, "results"),
				     "vl-blk");
	ASSERT_TRUE(json_object_object_get_ex(res, "error", &v));
	EXPECT_FALSE(json_object_object_get_ex(res, "iops", NULL));
	ASSERT_TRUE(json_object_object_get_ex(root, "problems", &v));
	EXPECT_EQ(1, json_object_array_length(v));
	/* What is written parses back. */
	v = json_tokener_parse(json_object_to_json_string(root));
	EXPECT_NE(NULL, v);
	json_object_put(v);
	json_object_put(root);
	br_release(&r);
}

TEST(long_lines_and_many_messages)
{
	struct br_report r;
	char *big = malloc(1 << 20);

	ASSERT_NE(NULL, big);
	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	br_init(&r);
	br_feed_line(&r, "### vl-bench START kernel=k");
	for (int i = 0; i < 1000; i++)
		br_feed_line(&r, "### vl-bench END t j rc=0");
	br_feed_line(&r, "### vl-bench BEGIN t j");
	for (int i = 0; i < 20; i++)
		br_feed_line(&r, big);	/* 20 MiB: over the limit */
	br_feed_line(&r, "### vl-bench END t j rc=0");
	br_finish(&r);
	EXPECT_TRUE(error_has(br_get(&r, "j", "t"), "over"));
	EXPECT_TRUE(r.nmessages <= 202);
	EXPECT_TRUE(has_message(&r, "more problems not shown"));
	br_release(&r);
	free(big);
}

TEST_HARNESS_MAIN
