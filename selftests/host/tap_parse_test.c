// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the TAP result counter that closes `make check`.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "../runner/tap_parse.h"

static bool allow_skip_named_optional(const char *suite, const char *test,
				      void *arg)
{
	(void)suite;
	(void)arg;
	return strstr(test, "optional") != NULL;
}

static struct tap_counts feed(const char *const *lines)
{
	struct tap_parser p;

	tap_parser_init(&p, allow_skip_named_optional, NULL, NULL);
	for (; *lines; lines++)
		tap_parser_line(&p, *lines);
	tap_parser_finish(&p);
	return p.counts;
}

TEST(counts_passes_and_failures)
{
	const char *const log[] = {
		"### vl-test BEGIN s\n", "TAP version 13\n", "1..3\n",
		"# Starting 3 tests\n", "ok 1 global.a\n",
		"not ok 2 global.b\n", "ok 3 global.c\r\n",
		"# Totals: pass:2 fail:1\n", "### vl-test END s rc=1\n", NULL,
	};
	struct tap_counts c = feed(log);

	EXPECT_EQ(2, c.passed);
	EXPECT_EQ(1, c.failed);
	EXPECT_EQ(0, c.skipped);
}

TEST(unexpected_skip_is_a_failure)
{
	const char *const log[] = {
		"### vl-test BEGIN s", "1..2", "ok 1 global.a # SKIP no device",
		"ok 2 global.optional_b # SKIP not here", "### vl-test END s rc=0",
		NULL,
	};
	struct tap_counts c = feed(log);

	EXPECT_EQ(0, c.passed);
	EXPECT_EQ(1, c.failed);
	EXPECT_EQ(1, c.skipped);
}

TEST(missing_results_fail_the_suite)
{
	const char *const log[] = {
		"### vl-test BEGIN s", "1..4", "ok 1 global.a", "ok 2 global.b",
		"### vl-test END s rc=139", NULL,
	};
	struct tap_counts c = feed(log);

	EXPECT_EQ(2, c.passed);
	EXPECT_EQ(1, c.failed);
}

TEST(unfinished_suite_fails)
{
	const char *const log[] = {
		"### vl-test BEGIN s", "1..1", "ok 1 global.a",
		"### vl-test BEGIN t", "1..1", "ok 1 global.b", NULL,
	};
	struct tap_counts c = feed(log);

	EXPECT_EQ(2, c.passed);
	EXPECT_EQ(2, c.failed);
}

TEST(nonzero_exit_without_failures_fails)
{
	const char *const log[] = {
		"### vl-test BEGIN s", "1..1", "ok 1 global.a",
		"### vl-test END s rc=124", NULL,
	};
	struct tap_counts c = feed(log);

	EXPECT_EQ(1, c.passed);
	EXPECT_EQ(1, c.failed);
}

TEST(silent_suite_fails)
{
	const char *const log[] = {
		"### vl-test BEGIN s", "### vl-test END s rc=0", NULL,
	};
	struct tap_counts c = feed(log);

	EXPECT_EQ(0, c.passed);
	EXPECT_EQ(1, c.failed);
}

TEST(lines_outside_suites_do_not_count)
{
	const char *const log[] = {
		"ok 1 runner chatter", "not ok 2 kernel noise",
		"### vl-test BEGIN s", "1..1", "ok 1 global.a",
		"### vl-test END s rc=0", "not ok 3 trailing", NULL,
	};
	struct tap_counts c = feed(log);

	EXPECT_EQ(1, c.passed);
	EXPECT_EQ(0, c.failed);
}

TEST(xfail_counts_as_pass)
{
	const char *const log[] = {
		"### vl-test BEGIN s", "1..1", "ok 1 global.a # XFAIL known",
		"### vl-test END s rc=0", NULL,
	};
	struct tap_counts c = feed(log);

	EXPECT_EQ(1, c.passed);
	EXPECT_EQ(0, c.failed);
}

TEST_HARNESS_MAIN
