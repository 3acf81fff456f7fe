// SPDX-License-Identifier: GPL-2.0
/*
 * vlctl log FILE: decode a replay log, like blkparse does a blktrace.
 *
 * The whole file is checked as it is read, by the same code the module
 * uses (kmod/vl_logfmt.c): the records before the first bad one are
 * printed, then the bad one is named by its offset and what is wrong with
 * it, and the exit status is 1.  No kernel module is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log_decode.h"
#include "log_file.h"
#include "vlctl.h"

void vlctl_log_usage(FILE *out)
{
	fprintf(out,
		"usage: vlctl log [OPTIONS] FILE\n"
		"\n"
		"Decode a replay log (FILE, or - for standard input): one line per\n"
		"record with its seq, icount, time, device, queue, kind and payload.\n"
		"\n"
		"Options:\n"
		"  --raw          hex of the payloads too\n"
		"  --json         one JSON object per record (the file header first)\n"
		"  --device N     only device vlN's records\n"
		"  --queue N      only queue N's records\n"
		"  --kind K[,K]   only these kinds: device reset features status\n"
		"                 config-write queue request completion config-change\n"
		"                 interrupt removed loss config-read unknown\n"
		"\n"
		"Exit status: 0, or 1 when the log is bad (after the records before\n"
		"the bad one), 2 on a usage error.\n");
}

/* FILE, or - for standard input. */
static int load(const char *path, struct log_buf *b)
{
	int fd, err;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return -errno;
	err = log_buf_load(fd, b);
	if (fd)
		close(fd);
	return err;
}

static void decode_header(void *arg, const struct vl_log_hdr_view *hdr)
{
	vl_logdec_header(arg, hdr);
}

static int decode_record(void *arg, const struct vl_log_rec_view *rec)
{
	return vl_logdec_record(arg, rec);
}

/* Decode @b; 0, or 1 with the reason on @err when the log is bad. */
static int decode(struct vl_logdec *d, const struct log_buf *b,
		  const char *path, FILE *err)
{
	static const struct log_walk_ops ops = {
		.header = decode_header,
		.record = decode_record,
	};
	char why[160];
	int ret;

	ret = log_walk(b, &ops, d, NULL, why, sizeof(why));
	if (ret < 0) {
		fprintf(err, "vlctl: %s: out of memory\n", path);
		return 1;
	}
	if (ret) {
		fflush(d->out);
		fprintf(err, "vlctl: %s: %s\n", path, why);
	}
	return ret;
}

static bool parse_u32(const char *s, u32 *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 0);
	if (errno || end == s || *end || n > UINT_MAX || *s == '-')
		return false;
	*v = n;
	return true;
}

/* --kind request,completion: a mask of kinds, or false on a bad name. */
static bool parse_kinds(const char *arg, u32 *kinds, FILE *err)
{
	char *copy = strdup(arg), *save = NULL, *name;
	bool ok = copy != NULL;
	u32 bit;

	for (name = strtok_r(copy, ",", &save); ok && name;
	     name = strtok_r(NULL, ",", &save)) {
		bit = vl_logdec_kind_bit(name);
		if (!bit) {
			fprintf(err, "vlctl log: unknown kind '%s'\n", name);
			ok = false;
		}
		*kinds |= bit;
	}
	free(copy);
	return ok;
}

enum { OPT_RAW = 256, OPT_JSON, OPT_DEVICE, OPT_QUEUE, OPT_KIND, OPT_HELP };

static const struct option log_options[] = {
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "kind", required_argument, NULL, OPT_KIND },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* 0 and *@path set, 2 on a usage error, -1 for --help. */
static int parse_args(int argc, char **argv, struct vl_logdec_opts *o,
		      const char **path, FILE *err)
{
	int c;

	optind = 0;	/* glibc: start over, whoever parsed before */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", log_options, NULL)) != -1) {
		switch (c) {
		case OPT_RAW:
			o->raw = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_DEVICE:
			o->by_device = true;
			if (!parse_u32(optarg, &o->device))
				goto bad_number;
			break;
		case OPT_QUEUE:
			o->by_queue = true;
			if (!parse_u32(optarg, &o->queue))
				goto bad_number;
			break;
		case OPT_KIND:
			if (!parse_kinds(optarg, &o->kinds, err))
				return 2;
			break;
		case OPT_HELP:
			return -1;
		default:
			fprintf(err, "vlctl log: bad option '%s'\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(err, "vlctl log: give one FILE\n");
		return 2;
	}
	*path = argv[optind];
	return 0;

bad_number:
	fprintf(err, "vlctl log: '%s' is not a number\n", optarg);
	return 2;
}

int vlctl_log_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct vl_logdec_opts opts = { 0 };
	struct vl_logdec dec;
	struct log_buf buf;
	const char *path;
	int ret;

	ret = parse_args(argc, argv, &opts, &path, err);
	if (ret == -1) {
		vlctl_log_usage(out);
		return 0;
	}
	if (ret) {
		vlctl_log_usage(err);
		return ret;
	}
	ret = load(path, &buf);
	if (ret) {
		fprintf(err, "vlctl: %s: %s\n", path, strerror(-ret));
		return 1;
	}
	vl_logdec_init(&dec, &opts, out);
	ret = decode(&dec, &buf, path, err);
	vl_logdec_fini(&dec);
	log_buf_unload(&buf);
	if (fflush(out) && !ret) {
		fprintf(err, "vlctl: writing the output: %s\n", strerror(errno));
		ret = 1;
	}
	return ret;
}
