/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a vlctl subcommand in-process, as the host tests do, with what
 * it prints on its two streams captured in memory.
 */
#ifndef VLCTL_RUN_H
#define VLCTL_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one run printed, and its exit status. */
struct run {
	int status;
	char *out;
	char *err;
	size_t out_len, err_len;
};

/* @cmd, then @args up to their NULL, into @argv (room for @max): argc. */
static inline int run_argv(char **argv, int max, const char *cmd,
			   const char *const *args)
{
	int argc = 0;

	argv[argc++] = (char *)cmd;
	while (*args && argc < max - 1)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return argc;
}

/* The subcommand's streams; run_close() keeps what they got. */
static inline void run_open(struct run *r, FILE **out, FILE **err)
{
	*out = open_memstream(&r->out, &r->out_len);
	*err = open_memstream(&r->err, &r->err_len);
}

static inline void run_close(struct run *r, int status, FILE *out, FILE *err)
{
	fclose(out);
	fclose(err);
	r->status = status;
}

static inline void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

#endif /* VLCTL_RUN_H */
