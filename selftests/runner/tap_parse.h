/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting test results from kselftest TAP output.
 *
 * The test runners wrap each test program's output in marker lines:
 *
 *   ### vl-test BEGIN <suite>
 *   ... the program's TAP ...
 *   ### vl-test END <suite> rc=<exit status>
 *
 * so a program that crashes, hangs or stops early is seen as such: results
 * missing from its plan, a non-zero exit with no failing result, or a BEGIN
 * without END each count as a failure.  A skip counts as a failure unless
 * the caller allows it: the kselftest harness exits 0 when everything
 * skipped, so a skip must never pass silently.
 */
#ifndef TAP_PARSE_H
#define TAP_PARSE_H

#include <stdbool.h>

enum tap_outcome { TAP_PASS, TAP_FAIL, TAP_SKIP };

struct tap_counts {
	unsigned int passed;
	unsigned int failed;
	unsigned int skipped;
};

/* Tells whether a skip of @test in @suite is expected. */
typedef bool (*tap_skip_allowed_fn)(const char *suite, const char *test,
				    void *arg);
/* Hears of every counted outcome; @why explains failures and skips. */
typedef void (*tap_report_fn)(enum tap_outcome outcome, const char *suite,
			      const char *test, const char *why, void *arg);

struct tap_parser {
	struct tap_counts counts;
	tap_skip_allowed_fn skip_allowed;
	tap_report_fn report;
	void *arg;

	/* The suite being read. */
	bool in_suite;
	char suite[128];
	long planned;		/* -1 until a "1..N" line */
	unsigned int reported;
	unsigned int suite_failures;
	unsigned int suite_skips;
};

void tap_parser_init(struct tap_parser *p, tap_skip_allowed_fn skip_allowed,
		     tap_report_fn report, void *arg);
/* Feed one line, with or without its line ending. */
void tap_parser_line(struct tap_parser *p, const char *line);
/* End of input: a suite still open did not finish. */
void tap_parser_finish(struct tap_parser *p);

#endif /* TAP_PARSE_H */
