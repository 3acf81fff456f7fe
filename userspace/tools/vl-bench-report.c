// SPDX-License-Identifier: GPL-2.0
/*
 * vl-bench-report: the table of a `make bench` run, from the log that
 * scripts/vm-bench wrote in the test VM (see bench_report.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "bench_report.h"

static const char usage[] =
	"usage: vl-bench-report [--json FILE] [--baseline TARGET] RESULTS.LOG\n"
	"\n"
	"Print the fio numbers scripts/vm-bench logged, one row per job: IOPS\n"
	"per target, each target's IOPS over the baseline's (default \"loop\")\n"
	"and MB/s per target.  Problems in the log go to stderr.\n"
	"\n"
	"  -j, --json FILE       also write the report as JSON to FILE\n"
	"  -b, --baseline NAME   the target the ratios compare with\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 when the log holds at least one result, 1 when it holds\n"
	"none or cannot be read, 2 on a bad command line.  The numbers never\n"
	"change it.\n";

static int write_json(const struct br_report *r, const char *path)
{
	char date[32];
	time_t now = time(NULL);
	struct json_object *root;
	FILE *f;
	int ret = 0;

	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	root = br_to_json(r, date);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "vl-bench-report: %s: %m\n", path);
		json_object_put(root);
		return -1;
	}
	fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					     JSON_C_TO_STRING_NOSLASHESCAPE), f);
	fputc('\n', f);
	if (fclose(f)) {
		fprintf(stderr, "vl-bench-report: %s: %m\n", path);
		ret = -1;
	}
	json_object_put(root);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *json_path = NULL, *baseline = BR_BASELINE, *path;
	struct br_report r;
	FILE *f;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "j:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_path = optarg; break;
		case 'b': baseline = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	path = argv[optind];
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(stderr, "vl-bench-report: %s: %m\n", path);
		return 1;
	}

	br_init(&r);
	r.baseline = baseline;
	if (br_read_file(&r, f)) {
		fprintf(stderr, "vl-bench-report: %s: read error\n", path);
		ret = 1;
	}
	if (f != stdin)
		fclose(f);

	printf("vl-bench on %s, %s", r.kernel ? r.kernel : "an unknown kernel",
	       r.date ? r.date : "an unknown date");
	for (size_t t = 0; t < r.ntargets; t++)
		if (!strcmp(r.targets[t], baseline))
			printf("; ratios are IOPS over %s's", baseline);
	printf("\n");
	if (r.njobs)
		br_print_table(&r, stdout);
	else
		printf("(no results)\n");
	fflush(stdout);

	if (r.nmessages || br_count_ok(&r) < r.nentries) {
		fprintf(stderr, "vl-bench-report: problems in %s:\n", path);
		br_print_problems(&r, stderr);
	}
	if (!br_count_ok(&r)) {
		fprintf(stderr, "vl-bench-report: %s holds no result\n", path);
		ret = 1;
	}
	if (json_path && write_json(&r, json_path))
		ret = 1;
	br_release(&r);
	return ret;
}
