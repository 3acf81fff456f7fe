/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vlctl's subcommands, one file each; vlctl.c dispatches to them.
 */
#ifndef VLCTL_H
#define VLCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * vlctl log: @argv[0] is "log".  Writes to @out and @err (not stdout and
 * stderr, so that tests can run it in-process).  Returns the exit status.
 */
int vlctl_log_main(int argc, char **argv, FILE *out, FILE *err);
void vlctl_log_usage(FILE *out);

/*
 * vlctl replay FILE: @argv[0] is "replay"; @device is the module's node
 * (tests name one that does not exist).  Returns the exit status.
 */
int vlctl_replay_main(int argc, char **argv, const char *device, FILE *out,
		      FILE *err);

struct vl_genl;

/*
 * The netlink subcommands: @argv[0] is the command (vlctl_request_main()
 * runs those that are one request: stop-recording, stop-replay, break,
 * delete-break, seek, stop, cont, devices, divergence).  @genl is not open
 * yet: a subcommand reads its arguments first, then calls vlctl_connect().
 * Each returns the exit status.
 */
int vlctl_query_main(struct vl_genl *genl, int argc, char **argv);
int vlctl_record_main(struct vl_genl *genl, int argc, char **argv);
int vlctl_request_main(struct vl_genl *genl, int argc, char **argv);
int vlctl_events_main(struct vl_genl *genl, int argc, char **argv);

/* Open @genl: 0, or 1 after saying why on stderr. */
int vlctl_connect(struct vl_genl *genl);
/*
 * Say why the kernel refused @cmd's request: its extack message if it gave
 * one, else @known when not NULL, else strerror(-@err).  Returns 1.
 */
int vlctl_refused(const struct vl_genl *genl, const char *cmd, int err,
		  const char *known);

/* ---- The command line (args.c) ------------------------------------------ */

#define VLCTL_OPT_JSON	(1u << 0)	/* --json */
#define VLCTL_OPT_COUNT	(1u << 1)	/* --count N */
#define VLCTL_OPT_WINDOW	(1u << 2)	/* --window N */
#define VLCTL_OPT_PER_QUEUE	(1u << 3)	/* --per-queue */
#define VLCTL_OPT_ALLOW_CUT	(1u << 4)	/* --allow-cut */
#define VLCTL_MAX_OPERANDS	2

struct vlctl_args {
	bool json;
	bool has_count;
	uint64_t count;
	uint64_t window;
	bool per_queue;
	bool allow_cut;
	const char *operands[VLCTL_MAX_OPERANDS];
	int noperands;
};

/*
 * Read @argv (@argv[0] the command): the options @allowed takes and exactly
 * @nargs operands, in any order.  0, or 2 after printing @usage on @err.
 */
int vlctl_parse_args(int argc, char **argv, unsigned int allowed, int nargs,
		     const char *usage, struct vlctl_args *a, FILE *err);
/* A decimal u64: digits only, no sign, no blanks, no overflow. */
bool vlctl_parse_u64(const char *s, uint64_t *v);
/* The same for @cmd's icount operand: 0, or 2 after saying what is wrong. */
int vlctl_parse_icount(const char *cmd, const char *arg, uint64_t *v);

#endif /* VLCTL_H */
