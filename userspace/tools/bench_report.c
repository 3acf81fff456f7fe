// SPDX-License-Identifier: GPL-2.0
/*
 * The parser behind vl-bench-report, see bench_report.h.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bench_report.h"

#define BR_MESSAGES_MAX	200

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("vl-bench-report: out of memory\n", stderr);
		abort();
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		fputs("vl-bench-report: out of memory\n", stderr);
		abort();
	}
	return s;
}

static __attribute__((format(printf, 2, 3)))
void set_error(struct br_result *res, const char *fmt, ...)
{
	va_list ap;

	free(res->error);
	va_start(ap, fmt);
	res->error = vformat(fmt, ap);
	va_end(ap);
	res->ok = false;
}

/* A problem with the log itself, "line N: ..." when about one line. */
static __attribute__((format(printf, 2, 3)))
void message(struct br_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nmessages > BR_MESSAGES_MAX)
		return;
	r->messages = xrealloc(r->messages,
			       (r->nmessages + 1) * sizeof(*r->messages));
	if (r->nmessages == BR_MESSAGES_MAX) {
		r->messages[r->nmessages++] = xstrdup("more problems not shown");
		return;
	}
	va_start(ap, fmt);
	r->messages[r->nmessages++] = vformat(fmt, ap);
	va_end(ap);
}

void br_init(struct br_report *r)
{
	memset(r, 0, sizeof(*r));
	r->baseline = BR_BASELINE;
	r->info = json_object_new_object();
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void br_release(struct br_report *r)
{
	free(r->kernel);
	free(r->date);
	json_object_put(r->info);
	free_names(r->targets, r->ntargets);
	free_names(r->jobs, r->njobs);
	for (size_t i = 0; i < r->nentries; i++)
		free(r->entries[i].r.error);
	free(r->entries);
	free_names(r->messages, r->nmessages);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= BR_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._+-", *s))
			return false;
	return true;
}

static ssize_t find_name(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return (ssize_t)i;
	return -1;
}

static size_t add_name(char ***names, size_t *n, const char *name)
{
	ssize_t i = find_name(*names, *n, name);

	if (i >= 0)
		return (size_t)i;
	*names = xrealloc(*names, (*n + 1) * sizeof(**names));
	(*names)[*n] = xstrdup(name);
	return (*n)++;
}

static struct br_entry *find_entry(const struct br_report *r, size_t job,
				   size_t target)
{
	for (size_t i = 0; i < r->nentries; i++)
		if (r->entries[i].job == job && r->entries[i].target == target)
			return &r->entries[i];
	return NULL;
}

/* Takes over res (its error). */
static void add_result(struct br_report *r, const char *target,
		       const char *job, struct br_result *res)
{
	size_t t = add_name(&r->targets, &r->ntargets, target);
	size_t j = add_name(&r->jobs, &r->njobs, job);
	struct br_entry *e;

	if (find_entry(r, j, t)) {
		message(r, "line %lu: a second result for %s %s, ignored",
			r->lineno, target, job);
		free(res->error);
		return;
	}
	r->entries = xrealloc(r->entries,
			      (r->nentries + 1) * sizeof(*r->entries));
	e = &r->entries[r->nentries++];
	e->job = j;
	e->target = t;
	e->r = *res;
}

/*
 * Splits the first max words off s, in place; *rest is what follows them
 * (leading blanks skipped), NULL if nothing.  Returns how many words.
 */
static int split(char *s, char **words, int max, char **rest)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || n == max)
			break;
		words[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	*rest = *s ? s : NULL;
	return n;
}

static void close_block(struct br_report *r, const char *why)
{
	struct br_result res = { .lat_us = -1 };

	set_error(&res, "%s", why);
	add_result(r, r->block_target, r->block_job, &res);
	r->in_block = false;
}

static void on_start(struct br_report *r, char *args)
{
	char *save = NULL;

	if (r->started)
		message(r, "line %lu: a second START: two runs in one log?",
			r->lineno);
	r->started = true;
	for (char *kv = strtok_r(args, " \t", &save); kv;
	     kv = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq || eq == kv) {
			message(r, "line %lu: START: \"%s\" is not key=value",
				r->lineno, kv);
			continue;
		}
		*eq = '\0';
		json_object_object_add(r->info, kv,
				       json_object_new_string(eq + 1));
		if (!strcmp(kv, "kernel")) {
			free(r->kernel);
			r->kernel = xstrdup(eq + 1);
		} else if (!strcmp(kv, "date")) {
			free(r->date);
			r->date = xstrdup(eq + 1);
		}
	}
}

static void on_begin(struct br_report *r, char *args)
{
	char *w[2], *rest;

	if (split(args, w, 2, &rest) != 2 || rest || !valid_name(w[0]) ||
	    !valid_name(w[1])) {
		message(r, "line %lu: malformed BEGIN, want \"BEGIN <target> <job>\"",
			r->lineno);
		return;
	}
	if (r->in_block) {
		message(r, "line %lu: BEGIN %s %s inside %s %s (line %lu) that has no END",
			r->lineno, w[0], w[1], r->block_target, r->block_job,
			r->block_line);
		close_block(r, "no END marker");
	}
	r->in_block = true;
	r->block_line = r->lineno;
	strcpy(r->block_target, w[0]);
	strcpy(r->block_job, w[1]);
	r->len = 0;
	r->overflow = false;
}

static void on_end(struct br_report *r, char *args)
{
	struct br_result res = { .lat_us = -1 };
	char *w[3], *rest, *end;
	long rc;

	if (!r->in_block) {
		message(r, "line %lu: END without BEGIN", r->lineno);
		return;
	}
	if (split(args, w, 3, &rest) != 3 || rest || strncmp(w[2], "rc=", 3)) {
		message(r, "line %lu: malformed END, want \"END <target> <job> rc=<n>\"",
			r->lineno);
		close_block(r, "malformed END marker");
		return;
	}
	if (strcmp(w[0], r->block_target) || strcmp(w[1], r->block_job)) {
		message(r, "line %lu: END %s %s closes BEGIN %s %s (line %lu)",
			r->lineno, w[0], w[1], r->block_target, r->block_job,
			r->block_line);
		close_block(r, "END marker names another job");
		return;
	}
	errno = 0;
	rc = strtol(w[2] + 3, &end, 10);
	if (errno || end == w[2] + 3 || *end) {
		message(r, "line %lu: END: bad exit status \"%s\"", r->lineno,
			w[2]);
		close_block(r, "malformed END marker");
		return;
	}
	r->in_block = false;
	if (rc != 0)
		set_error(&res, "fio exited with status %ld", rc);
	else if (r->overflow)
		set_error(&res, "fio's output is over %u bytes", BR_BLOCK_MAX);
	else
		br_parse_fio_json(r->buf ? r->buf : "", r->len, &res);
	add_result(r, r->block_target, r->block_job, &res);
}

static void on_error(struct br_report *r, char *args)
{
	char *w[1], *rest;

	if (split(args, w, 1, &rest) != 1 || !valid_name(w[0])) {
		message(r, "line %lu: malformed ERROR, want \"ERROR <target> <message>\"",
			r->lineno);
		return;
	}
	if (strcmp(w[0], "all"))
		add_name(&r->targets, &r->ntargets, w[0]);
	message(r, "vm-bench: %s: %s", w[0], rest ? rest : "(no message)");
}

static void on_target(struct br_report *r, char *args)
{
	char *w[1], *rest;

	if (split(args, w, 1, &rest) != 1 || !valid_name(w[0])) {
		message(r, "line %lu: malformed TARGET, want \"TARGET <target> <device>\"",
			r->lineno);
		return;
	}
	add_name(&r->targets, &r->ntargets, w[0]);
}

static void append(struct br_report *r, const char *line, size_t n)
{
	if (r->overflow)
		return;
	if (r->len + n + 2 > BR_BLOCK_MAX) {
		r->overflow = true;
		return;
	}
	if (r->len + n + 2 > r->cap) {
		r->cap = (r->len + n + 2) * 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	memcpy(r->buf + r->len, line, n);
	r->len += n;
	r->buf[r->len++] = '\n';
	r->buf[r->len] = '\0';
}

void br_feed_line(struct br_report *r, const char *line)
{
	size_t n = strlen(line);
	char *copy, *kw, *args;

	r->lineno++;
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n < strlen(BR_MARKER) || strncmp(line, BR_MARKER, strlen(BR_MARKER))) {
		if (r->in_block)
			append(r, line, n);
		return;
	}

	copy = xrealloc(NULL, n + 1);
	memcpy(copy, line, n);
	copy[n] = '\0';
	kw = copy + strlen(BR_MARKER);
	args = kw + strcspn(kw, " \t");
	if (*args)
		*args++ = '\0';

	if (r->in_block && strcmp(kw, "END") && strcmp(kw, "BEGIN")) {
		message(r, "line %lu: %s inside %s %s (line %lu) that has no END",
			r->lineno, kw, r->block_target, r->block_job,
			r->block_line);
		close_block(r, "no END marker");
	}
	if (!strcmp(kw, "START"))
		on_start(r, args);
	else if (!strcmp(kw, "TARGET"))
		on_target(r, args);
	else if (!strcmp(kw, "ERROR"))
		on_error(r, args);
	else if (!strcmp(kw, "BEGIN"))
		on_begin(r, args);
	else if (!strcmp(kw, "END"))
		on_end(r, args);
	else if (!strcmp(kw, "FINISH"))
		r->finished = true;
	else
		message(r, "line %lu: unknown marker \"%s\"", r->lineno, kw);
	free(copy);
}

void br_finish(struct br_report *r)
{
	if (r->in_block) {
		message(r, "the log ends inside %s %s (line %lu): the VM stopped early?",
			r->block_target, r->block_job, r->block_line);
		close_block(r, "the log ends before its END marker");
	}
	if (!r->started)
		message(r, "no \"%sSTART\" line: not a vm-bench log?", BR_MARKER);
	else if (!r->finished)
		message(r, "no \"%sFINISH\" line: the bench did not finish",
			BR_MARKER);
}

int br_read_file(struct br_report *r, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	errno = 0;
	while (getline(&line, &cap, f) >= 0)
		br_feed_line(r, line);
	if (ferror(f))
		ret = -1;
	free(line);
	br_finish(r);
	return ret;
}

/* A number member of obj; false if missing or not a number. */
static bool get_number(struct json_object *obj, const char *key, double *v)
{
	struct json_object *m;

	if (!json_object_object_get_ex(obj, key, &m))
		return false;
	if (!json_object_is_type(m, json_type_double) &&
	    !json_object_is_type(m, json_type_int))
		return false;
	*v = json_object_get_double(m);
	return true;
}

static const char *const fio_sides[] = { "read", "write", "trim" };

/* Adds one fio job's numbers; -1 with res->error set if it is malformed. */
static int add_fio_job(struct json_object *job, size_t idx,
		       struct br_result *res, unsigned int *sides,
		       double *lat_sum, double *lat_n)
{
	double err = 0;

	if (!json_object_is_type(job, json_type_object)) {
		set_error(res, "fio's jobs[%zu] is not an object", idx);
		return -1;
	}
	if (get_number(job, "error", &err) && err != 0) {
		set_error(res, "fio's job %zu failed with error %.0f", idx, err);
		return -1;
	}
	for (size_t s = 0; s < sizeof(fio_sides) / sizeof(*fio_sides); s++) {
		struct json_object *side, *lat;
		double io, iops, bw, mean, n;

		if (!json_object_object_get_ex(job, fio_sides[s], &side))
			continue;
		if (!json_object_is_type(side, json_type_object) ||
		    !get_number(side, "io_bytes", &io) ||
		    !get_number(side, "iops", &iops) ||
		    !get_number(side, "bw_bytes", &bw)) {
			set_error(res, "fio's jobs[%zu].%s lacks io_bytes, iops or bw_bytes",
				  idx, fio_sides[s]);
			return -1;
		}
		if (io <= 0)
			continue;
		*sides |= 1u << s;
		res->iops += iops;
		res->mb_s += bw / 1e6;
		if (json_object_object_get_ex(side, "lat_ns", &lat) &&
		    get_number(lat, "mean", &mean) && get_number(lat, "N", &n)) {
			*lat_sum += mean * n;
			*lat_n += n;
		}
	}
	return 0;
}

int br_parse_fio_json(const char *text, size_t len, struct br_result *res)
{
	struct json_tokener *tok;
	struct json_object *root, *jobs;
	enum json_tokener_error jerr;
	const char *start = NULL;
	unsigned int sides = 0;
	double lat_sum = 0, lat_n = 0;
	size_t off, njobs;

	memset(res, 0, sizeof(*res));
	res->lat_us = -1;

	/* fio may say something before its JSON: start at the first "{". */
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '{' && (i == 0 || text[i - 1] == '\n')) {
			start = text + i;
			break;
		}
	}
	if (!start) {
		set_error(res, "no JSON in fio's output");
		return -1;
	}
	len -= (size_t)(start - text);
	if (len > INT_MAX) {
		set_error(res, "fio's output is too large");
		return -1;
	}
	tok = json_tokener_new();
	if (!tok) {
		set_error(res, "out of memory");
		return -1;
	}
	root = json_tokener_parse_ex(tok, start, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root) {
		if (jerr == json_tokener_continue || jerr == json_tokener_success)
			set_error(res, "fio's JSON is cut short");
		else
			set_error(res, "fio's JSON is malformed at byte %zu: %s",
				  off, json_tokener_error_desc(jerr));
		return -1;
	}
	for (; off < len; off++) {
		if (!isspace((unsigned char)start[off])) {
			set_error(res, "text after fio's JSON, at byte %zu", off);
			goto fail;
		}
	}
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "jobs", &jobs) ||
	    !json_object_is_type(jobs, json_type_array)) {
		set_error(res, "fio's JSON has no \"jobs\" array");
		goto fail;
	}
	njobs = json_object_array_length(jobs);
	if (njobs == 0) {
		set_error(res, "fio's JSON has no job");
		goto fail;
	}
	for (size_t i = 0; i < njobs; i++)
		if (add_fio_job(json_object_array_get_idx(jobs, i), i, res,
				&sides, &lat_sum, &lat_n))
			goto fail;
	if (!sides) {
		set_error(res, "fio did no I/O");
		goto fail;
	}
	switch (sides) {
	case 1: res->side = "read"; break;
	case 2: res->side = "write"; break;
	case 4: res->side = "trim"; break;
	default: res->side = "mixed"; break;
	}
	if (lat_n > 0)
		res->lat_us = lat_sum / lat_n / 1e3;
	res->ok = true;
	json_object_put(root);
	return 0;
fail:
	json_object_put(root);
	res->iops = res->mb_s = 0;
	return -1;
}

const struct br_result *br_get(const struct br_report *r, const char *job,
			       const char *target)
{
	ssize_t j = find_name(r->jobs, r->njobs, job);
	ssize_t t = find_name(r->targets, r->ntargets, target);
	struct br_entry *e;

	if (j < 0 || t < 0)
		return NULL;
	e = find_entry(r, (size_t)j, (size_t)t);
	return e ? &e->r : NULL;
}

bool br_ratio(const struct br_report *r, const char *job, const char *target,
	      double *ratio)
{
	const struct br_result *a = br_get(r, job, target);
	const struct br_result *b = br_get(r, job, r->baseline);

	if (!a || !b || !a->ok || !b->ok || b->iops <= 0)
		return false;
	*ratio = a->iops / b->iops;
	return true;
}

size_t br_count_ok(const struct br_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nentries; i++)
		n += r->entries[i].r.ok;
	return n;
}

static struct json_object *number(double v, int decimals)
{
	char s[64];

	snprintf(s, sizeof(s), "%.*f", decimals, v);
	return json_object_new_double_s(v, s);
}

static bool has_baseline(const struct br_report *r)
{
	return find_name(r->targets, r->ntargets, r->baseline) >= 0;
}

struct json_object *br_to_json(const struct br_report *r,
			       const char *fallback_date)
{
	struct json_object *root = json_object_new_object();
	struct json_object *targets = json_object_new_array();
	struct json_object *jobs = json_object_new_array();
	struct json_object *problems = json_object_new_array();
	const char *date = r->date ? r->date : fallback_date;

	json_object_object_add(root, "kernel", r->kernel ?
			       json_object_new_string(r->kernel) : NULL);
	json_object_object_add(root, "date", date ?
			       json_object_new_string(date) : NULL);
	json_object_object_add(root, "baseline",
			       json_object_new_string(r->baseline));
	json_object_object_add(root, "complete",
			       json_object_new_boolean(r->started && r->finished));
	json_object_object_add(root, "run", json_object_get(r->info));
	for (size_t t = 0; t < r->ntargets; t++)
		json_object_array_add(targets,
				      json_object_new_string(r->targets[t]));
	json_object_object_add(root, "targets", targets);

	for (size_t j = 0; j < r->njobs; j++) {
		struct json_object *job = json_object_new_object();
		struct json_object *results = json_object_new_object();
		struct json_object *ratios = json_object_new_object();

		json_object_object_add(job, "name",
				       json_object_new_string(r->jobs[j]));
		for (size_t t = 0; t < r->ntargets; t++) {
			struct br_entry *e = find_entry(r, j, t);
			struct json_object *res;
			double ratio;

			if (!e)
				continue;
			res = json_object_new_object();
			if (e->r.ok) {
				json_object_object_add(res, "iops",
						       number(e->r.iops, 1));
				json_object_object_add(res, "mb_s",
						       number(e->r.mb_s, 3));
				if (e->r.lat_us >= 0)
					json_object_object_add(res, "lat_us",
							       number(e->r.lat_us, 1));
				json_object_object_add(res, "side",
						       json_object_new_string(e->r.side));
			} else {
				json_object_object_add(res, "error",
						       json_object_new_string(e->r.error ?
									      e->r.error : "unknown"));
			}
			json_object_object_add(results, r->targets[t], res);
			if (strcmp(r->targets[t], r->baseline) &&
			    br_ratio(r, r->jobs[j], r->targets[t], &ratio))
				json_object_object_add(ratios, r->targets[t],
						       number(ratio, 3));
		}
		json_object_object_add(job, "results", results);
		json_object_object_add(job, "ratios", ratios);
		json_object_array_add(jobs, job);
	}
	json_object_object_add(root, "jobs", jobs);

	for (size_t i = 0; i < r->nentries; i++) {
		const struct br_entry *e = &r->entries[i];
		char *s;

		if (e->r.ok)
			continue;
		if (asprintf(&s, "%s %s: %s", r->targets[e->target],
			     r->jobs[e->job], e->r.error ? e->r.error : "unknown") < 0)
			continue;
		json_object_array_add(problems, json_object_new_string(s));
		free(s);
	}
	for (size_t i = 0; i < r->nmessages; i++)
		json_object_array_add(problems,
				      json_object_new_string(r->messages[i]));
	json_object_object_add(root, "problems", problems);
	return root;
}

/* The table's cells, row by row, then printed with aligned columns. */
struct table {
	size_t rows, cols;
	char **cells;
};

static void cell(struct table *tb, size_t row, size_t col, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));
static void cell(struct table *tb, size_t row, size_t col, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	tb->cells[row * tb->cols + col] = vformat(fmt, ap);
	va_end(ap);
}

/* One target's result for a job: its IOPS or MB/s, "-" or "error". */
static void result_cell(struct table *tb, size_t row, size_t col,
			const struct br_entry *e, bool mb_s)
{
	if (!e)
		cell(tb, row, col, "-");
	else if (!e->r.ok)
		cell(tb, row, col, "error");
	else if (mb_s)
		cell(tb, row, col, "%.1f", e->r.mb_s);
	else
		cell(tb, row, col, "%.0f", e->r.iops);
}

void br_print_table(const struct br_report *r, FILE *out)
{
	bool base = has_baseline(r);
	size_t nratio = 0, col, *width;
	struct table tb;

	for (size_t t = 0; t < r->ntargets; t++)
		nratio += base && strcmp(r->targets[t], r->baseline);
	tb.rows = r->njobs + 1;
	tb.cols = 1 + 2 * r->ntargets + nratio;
	tb.cells = xrealloc(NULL, tb.rows * tb.cols * sizeof(*tb.cells));
	width = xrealloc(NULL, tb.cols * sizeof(*width));

	cell(&tb, 0, 0, "job");
	col = 1;
	for (size_t t = 0; t < r->ntargets; t++)
		cell(&tb, 0, col++, "%s IOPS", r->targets[t]);
	for (size_t t = 0; t < r->ntargets && base; t++)
		if (strcmp(r->targets[t], r->baseline))
			cell(&tb, 0, col++, "%s/%s", r->targets[t], r->baseline);
	for (size_t t = 0; t < r->ntargets; t++)
		cell(&tb, 0, col++, "%s MB/s", r->targets[t]);

	for (size_t j = 0; j < r->njobs; j++) {
		size_t row = j + 1;

		cell(&tb, row, 0, "%s", r->jobs[j]);
		col = 1;
		for (size_t t = 0; t < r->ntargets; t++)
			result_cell(&tb, row, col++, find_entry(r, j, t), false);
		for (size_t t = 0; t < r->ntargets && base; t++) {
			double ratio;

			if (!strcmp(r->targets[t], r->baseline))
				continue;
			if (br_ratio(r, r->jobs[j], r->targets[t], &ratio))
				cell(&tb, row, col++, "%.2f", ratio);
			else
				cell(&tb, row, col++, "-");
		}
		for (size_t t = 0; t < r->ntargets; t++)
			result_cell(&tb, row, col++, find_entry(r, j, t), true);
	}

	for (col = 0; col < tb.cols; col++) {
		width[col] = 0;
		for (size_t row = 0; row < tb.rows; row++) {
			size_t n = strlen(tb.cells[row * tb.cols + col]);

			if (n > width[col])
				width[col] = n;
		}
	}
	for (size_t row = 0; row < tb.rows; row++) {
		for (col = 0; col < tb.cols; col++) {
			const char *s = tb.cells[row * tb.cols + col];

			if (col == 0)
				fprintf(out, "%-*s", (int)width[col], s);
			else
				fprintf(out, "  %*s", (int)width[col], s);
			free(tb.cells[row * tb.cols + col]);
		}
		fputc('\n', out);
	}
	free(tb.cells);
	free(width);
}

void br_print_problems(const struct br_report *r, FILE *out)
{
	for (size_t i = 0; i < r->nentries; i++) {
		const struct br_entry *e = &r->entries[i];

		if (!e->r.ok)
			fprintf(out, "%s %s: %s\n", r->targets[e->target],
				r->jobs[e->job],
				e->r.error ? e->r.error : "unknown");
	}
	for (size_t i = 0; i < r->nmessages; i++)
		fprintf(out, "%s\n", r->messages[i]);
}
