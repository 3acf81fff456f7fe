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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log_decode.h"
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
		"                 interrupt removed loss unknown\n"
		"\n"
		"Exit status: 0, or 1 when the log is bad (after the records before\n"
		"the bad one), 2 on a usage error.\n");
}

/* The log's bytes, mapped or read. */
struct log_buf {
	void *data;
	size_t len;
	bool mapped;
};

/* A pipe or a terminal has no size to map: read it all. */
static int read_all(int fd, struct log_buf *b)
{
	size_t cap = 1 << 16;
	ssize_t n;
	void *p;

	b->data = malloc(cap);
	if (!b->data)
		return -ENOMEM;
	for (;;) {
		if (b->len == cap) {
			p = realloc(b->data, cap * 2);
			if (!p)
				return -ENOMEM;
			b->data = p;
			cap *= 2;
		}
		n = read(fd, (char *)b->data + b->len, cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return 0;
		b->len += n;
	}
}

static void unload(struct log_buf *b)
{
	if (b->mapped)
		munmap(b->data, b->len);
	else
		free(b->data);
	memset(b, 0, sizeof(*b));
}

/* mmap gives a page-aligned buffer, as the parser wants 8-byte alignment. */
static int load(const char *path, struct log_buf *b)
{
	struct stat st;
	int fd, err = 0;

	memset(b, 0, sizeof(*b));
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
	} else if (S_ISREG(st.st_mode) && st.st_size > 0) {
		b->data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (b->data == MAP_FAILED) {
			b->data = NULL;
			err = -errno;
		} else {
			b->len = st.st_size;
			b->mapped = true;
		}
	} else if (!S_ISREG(st.st_mode)) {
		err = read_all(fd, b);
	}
	if (fd)
		close(fd);
	if (err)
		unload(b);
	return err;
}

/* Decode @b; 0, or 1 with the reason on @err when the log is bad. */
static int decode(struct vl_logdec *d, const struct log_buf *b,
		  const char *path, FILE *err)
{
	struct vl_log_hdr_view hdr;
	struct vl_log_rec_view rec;
	struct vl_log_reader r;
	const char *why;
	char line[160];
	int ret;

	ret = vl_log_check_header(b->data, b->len, &hdr, &why);
	if (ret) {
		fprintf(err, "vlctl: %s: offset 0: %s\n", path, why);
		return 1;
	}
	vl_logdec_header(d, &hdr);
	vl_log_reader_init(&r, b->data, b->len, hdr.header_len);
	while ((ret = vl_log_next(&r, &rec)) == 1) {
		if (vl_logdec_record(d, &rec)) {
			fprintf(err, "vlctl: %s: out of memory\n", path);
			return 1;
		}
	}
	if (ret < 0) {
		vl_log_format_error(&r, line, sizeof(line));
		fflush(d->out);
		fprintf(err, "vlctl: %s: %s\n", path, line);
		return 1;
	}
	return 0;
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
	unload(&buf);
	if (fflush(out) && !ret) {
		fprintf(err, "vlctl: writing the output: %s\n", strerror(errno));
		ret = 1;
	}
	return ret;
}
