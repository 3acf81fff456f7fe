/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vlctl's subcommands, one file each; vlctl.c dispatches to them.
 */
#ifndef VLCTL_H
#define VLCTL_H

#include <stdio.h>

/*
 * vlctl log: @argv[0] is "log".  Writes to @out and @err (not stdout and
 * stderr, so that tests can run it in-process).  Returns the exit status.
 */
int vlctl_log_main(int argc, char **argv, FILE *out, FILE *err);
void vlctl_log_usage(FILE *out);

struct vl_genl;

/* vlctl record FILE and vlctl stop-recording: @argv[0] is the command. */
int vlctl_record_main(struct vl_genl *genl, int argc, char **argv);
int vlctl_stop_recording_main(struct vl_genl *genl, int argc, char **argv);

#endif /* VLCTL_H */
