/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parser behind vl-bench-report: reads the log scripts/vm-bench writes
 * in the test VM and gathers fio's numbers per job and target.
 *
 * The log, one marker a line (anything else outside a block is ignored):
 *   ### vl-bench START key=value ...        kernel=, date= are used
 *   ### vl-bench TARGET <target> <device>
 *   ### vl-bench ERROR <target> <message>   a target that could not run
 *   ### vl-bench BEGIN <target> <job>
 *   <fio --output-format=json output>
 *   ### vl-bench END <target> <job> rc=<n>
 *   ### vl-bench FINISH
 * Targets and jobs are whatever the markers name, in the order they first
 * appear; ratios compare each target with the baseline target ("loop").
 */
#ifndef VL_BENCH_REPORT_H
#define VL_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_object;

#define BR_MARKER	"### vl-bench "
#define BR_BASELINE	"loop"
#define BR_NAME_MAX	64		/* target and job names, with the NUL */
#define BR_BLOCK_MAX	(16u << 20)	/* one fio output, at most */

struct br_result {
	bool ok;		/* the numbers below are valid */
	double iops;		/* read + write (+ trim), whichever did I/O */
	double mb_s;		/* bandwidth, 10^6 bytes a second */
	double lat_us;		/* mean completion latency; < 0 if unknown */
	const char *side;	/* "read", "write", "trim" or "mixed" */
	char *error;		/* why not ok (allocated) */
};

struct br_entry {
	size_t job, target;	/* indexes into br_report's jobs, targets */
	struct br_result r;
};

struct br_report {
	char *kernel;		/* from START kernel=, or NULL */
	char *date;		/* from START date=, or NULL */
	struct json_object *info;	/* every START key=value */
	const char *baseline;
	char **targets;
	size_t ntargets;
	char **jobs;
	size_t njobs;
	struct br_entry *entries;
	size_t nentries;
	char **messages;	/* problems found in the log (allocated) */
	size_t nmessages;
	bool started, finished;

	/* parser state */
	unsigned long lineno;
	bool in_block;
	unsigned long block_line;
	char block_target[BR_NAME_MAX], block_job[BR_NAME_MAX];
	char *buf;
	size_t len, cap;
	bool overflow;
};

void br_init(struct br_report *r);
void br_release(struct br_report *r);

/* Feed one line (a trailing "\n" or "\r\n" is ignored). */
void br_feed_line(struct br_report *r, const char *line);
/* The end of the log: a block left open or a missing FINISH is noted. */
void br_finish(struct br_report *r);
/* br_feed_line() every line of f, then br_finish(); -1 on a read error. */
int br_read_file(struct br_report *r, FILE *f);

/*
 * Parse one fio JSON output into *res (res->error says why on failure).
 * Returns 0 or -1.
 */
int br_parse_fio_json(const char *text, size_t len, struct br_result *res);

/* The result of job on target, or NULL if none was logged. */
const struct br_result *br_get(const struct br_report *r, const char *job,
			       const char *target);
/* IOPS of target / IOPS of the baseline for job; false if either lacks. */
bool br_ratio(const struct br_report *r, const char *job, const char *target,
	      double *ratio);
/* How many results have numbers. */
size_t br_count_ok(const struct br_report *r);

/*
 * The report as JSON: kernel, date (the log's, else fallback_date),
 * baseline, targets, per job the numbers per target and the ratios,
 * problems.  The caller puts the object.
 */
struct json_object *br_to_json(const struct br_report *r,
			       const char *fallback_date);
/* The table: job, IOPS per target, ratios to the baseline, MB/s. */
void br_print_table(const struct br_report *r, FILE *out);
/* Every problem: results without numbers, then the log's messages. */
void br_print_problems(const struct br_report *r, FILE *out);

#endif /* VL_BENCH_REPORT_H */
