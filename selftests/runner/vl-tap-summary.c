// SPDX-License-Identifier: GPL-2.0
/*
 * vl-tap-summary: the closing report of `make check`.
 *
 * usage: vl-tap-summary [--expected-skips FILE] STAGE=LOG...
 *
 * Reads each stage's log (marker-wrapped TAP, see tap_parse.h), names every
 * failure and skip, prints one line per stage and then exactly one closing
 * line "N passed, N failed, N skipped".  Exits 1 when anything failed or
 * nothing ran.
 *
 * FILE lists the skips that are expected, one per line:
 *   STAGE-PATTERN SUITE:TEST-PATTERN   (shell wildcards; '#' starts a comment)
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap_parse.h"

#define MAX_RULES 64

struct skip_rule {
	char stage[64];
	char test[192];
};

struct summary {
	const char *stage;
	struct skip_rule rules[MAX_RULES];
	unsigned int n_rules;
};

static int load_rules(struct summary *s, const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct skip_rule *r = &s->rules[s->n_rules];
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		if (sscanf(line, "%63s %191s", r->stage, r->test) != 2)
			continue;
		if (++s->n_rules == MAX_RULES)
			break;
	}
	fclose(f);
	return 0;
}

static bool skip_allowed(const char *suite, const char *test, void *arg)
{
	struct summary *s = arg;
	char name[400];
	unsigned int i;

	snprintf(name, sizeof(name), "%s:%s", suite, test);
	for (i = 0; i < s->n_rules; i++)
		if (!fnmatch(s->rules[i].stage, s->stage, 0) &&
		    !fnmatch(s->rules[i].test, name, 0))
			return true;
	return false;
}

static void report(enum tap_outcome outcome, const char *suite,
		   const char *test, const char *why, void *arg)
{
	struct summary *s = arg;

	if (outcome == TAP_FAIL)
		printf("FAIL %s %s: %s%s%s\n", s->stage, suite, test,
		       why ? ": " : "", why ? why : "");
	else if (outcome == TAP_SKIP)
		printf("SKIP %s %s: %s: %s\n", s->stage, suite, test, why);
}

static int summarize_stage(struct summary *s, const char *log,
			   struct tap_counts *total)
{
	struct tap_parser p;
	char line[4096];
	FILE *f = fopen(log, "r");

	tap_parser_init(&p, skip_allowed, report, s);
	if (!f) {
		printf("FAIL %s: no log %s\n", s->stage, log);
		total->failed++;
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		tap_parser_line(&p, line);
	fclose(f);
	tap_parser_finish(&p);

	printf("== %s: %u pass, %u fail, %u skip (log: %s)\n", s->stage,
	       p.counts.passed, p.counts.failed, p.counts.skipped, log);
	total->passed += p.counts.passed;
	total->failed += p.counts.failed;
	total->skipped += p.counts.skipped;
	return 0;
}

int main(int argc, char **argv)
{
	static struct summary s;
	struct tap_counts total = { 0 };
	char stage[64];
	int i = 1;

	if (i + 1 < argc && !strcmp(argv[i], "--expected-skips")) {
		if (load_rules(&s, argv[i + 1]))
			return 2;
		i += 2;
	}
	if (i == argc) {
		fprintf(stderr, "usage: vl-tap-summary [--expected-skips FILE] STAGE=LOG...\n");
		return 2;
	}
	for (; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof(stage)) {
			fprintf(stderr, "vl-tap-summary: expected STAGE=LOG, got '%s'\n",
				argv[i]);
			return 2;
		}
		snprintf(stage, sizeof(stage), "%.*s", (int)(eq - argv[i]), argv[i]);
		s.stage = stage;
		summarize_stage(&s, eq + 1, &total);
	}
	printf("%u passed, %u failed, %u skipped\n", total.passed, total.failed,
	       total.skipped);
	return total.failed || !total.passed ? 1 : 0;
}
