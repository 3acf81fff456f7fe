// SPDX-License-Identifier: GPL-2.0
/*
 * Counting test results from kselftest TAP output; see tap_parse.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap_parse.h"

#define BEGIN_MARK "### vl-test BEGIN "
#define END_MARK "### vl-test END "

static void count(struct tap_parser *p, enum tap_outcome outcome,
		  const char *test, const char *why)
{
	switch (outcome) {
	case TAP_PASS:
		p->counts.passed++;
		break;
	case TAP_FAIL:
		p->counts.failed++;
		p->suite_failures++;
		break;
	case TAP_SKIP:
		p->counts.skipped++;
		p->suite_skips++;
		break;
	}
	if (p->report)
		p->report(outcome, p->suite, test, why, p->arg);
}

/* Copy @src without its line ending and trailing blanks. */
static void copy_trimmed(char *dst, size_t size, const char *src)
{
	size_t len;

	snprintf(dst, size, "%s", src);
	len = strlen(dst);
	while (len && strchr("\r\n \t", dst[len - 1]))
		dst[--len] = '\0';
}

static void end_suite(struct tap_parser *p, const char *why_unfinished,
		      int rc)
{
	char why[160];

	if (why_unfinished) {
		count(p, TAP_FAIL, "(suite)", why_unfinished);
	} else if (p->planned < 0 && p->reported == 0) {
		snprintf(why, sizeof(why), "no TAP output (exit status %d)", rc);
		count(p, TAP_FAIL, "(suite)", why);
	} else if (p->planned >= 0 && p->reported < p->planned) {
		snprintf(why, sizeof(why),
			 "%ld of %ld planned tests never reported (exit status %d)",
			 p->planned - p->reported, p->planned, rc);
		count(p, TAP_FAIL, "(suite)", why);
	} else if (rc != 0 && p->suite_failures == 0 && p->suite_skips == 0) {
		snprintf(why, sizeof(why), "exit status %d with no failing test", rc);
		count(p, TAP_FAIL, "(suite)", why);
	}
	p->in_suite = false;
}

static void begin_suite(struct tap_parser *p, const char *name)
{
	if (p->in_suite)
		end_suite(p, "did not finish (no END marker)", 0);
	copy_trimmed(p->suite, sizeof(p->suite), name);
	p->in_suite = true;
	p->planned = -1;
	p->reported = 0;
	p->suite_failures = 0;
	p->suite_skips = 0;
}

static void parse_end_marker(struct tap_parser *p, const char *rest)
{
	const char *rc_field = strstr(rest, " rc=");
	int rc = rc_field ? atoi(rc_field + 4) : -1;

	if (!p->in_suite)
		return;
	end_suite(p, NULL, rc);
}

/* "ok 3 name # SKIP reason", "not ok 4 name", with the "ok" already gone. */
static void parse_result(struct tap_parser *p, const char *rest, bool ok)
{
	char test[256], *directive;
	const char *name = rest;

	while (*name == ' ')
		name++;
	while (*name >= '0' && *name <= '9')
		name++;
	while (*name == ' ' || *name == '-')
		name++;
	copy_trimmed(test, sizeof(test), name);

	p->reported++;
	directive = strstr(test, " # ");
	if (directive)
		*directive = '\0';
	if (directive && !strncasecmp(directive + 3, "SKIP", 4)) {
		const char *why = directive + 7;

		while (*why == ' ')
			why++;
		if (p->skip_allowed && p->skip_allowed(p->suite, test, p->arg))
			count(p, TAP_SKIP, test, why);
		else
			count(p, TAP_FAIL, test, *why ? why : "skipped");
		return;
	}
	if (directive && !strncasecmp(directive + 3, "XFAIL", 5)) {
		count(p, TAP_PASS, test, NULL);
		return;
	}
	count(p, ok ? TAP_PASS : TAP_FAIL, test, NULL);
}

void tap_parser_init(struct tap_parser *p, tap_skip_allowed_fn skip_allowed,
		     tap_report_fn report, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->skip_allowed = skip_allowed;
	p->report = report;
	p->arg = arg;
	p->planned = -1;
}

void tap_parser_line(struct tap_parser *p, const char *line)
{
	long first, last;

	if (!strncmp(line, BEGIN_MARK, strlen(BEGIN_MARK))) {
		begin_suite(p, line + strlen(BEGIN_MARK));
		return;
	}
	if (!strncmp(line, END_MARK, strlen(END_MARK))) {
		parse_end_marker(p, line + strlen(END_MARK));
		return;
	}
	/* Outside a suite nothing counts: it is the runner's own chatter. */
	if (!p->in_suite)
		return;
	if (!strncmp(line, "ok ", 3) || !strcmp(line, "ok"))
		parse_result(p, line + 2, true);
	else if (!strncmp(line, "not ok", 6))
		parse_result(p, line + 6, false);
	else if (sscanf(line, "%ld..%ld", &first, &last) == 2 && first == 1)
		p->planned = last;
}

void tap_parser_finish(struct tap_parser *p)
{
	if (p->in_suite)
		end_suite(p, "did not finish (no END marker: crashed or timed out)", 0);
}
