// SPDX-License-Identifier: GPL-2.0
/*
 * The command line that vlctl's subcommands share: --json, --count N,
 * --window N, --per-queue, --allow-cut and operands, numbers read
 * strictly.  A usage error is found here, before anything talks to the
 * kernel, so that it exits 2 whether or not the module is loaded.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vlctl.h"

bool vlctl_parse_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	/* strtoull() would take blanks, a sign and 0x: none is a count. */
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int d = (unsigned char)*s - '0';

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	return true;
}

/* --NAME N or --NAME=N into @v; @i moves past what it took.  0 or 2. */
static int parse_number(int argc, char **argv, int *i, const char *name,
			uint64_t *v, FILE *err)
{
	const char *arg = argv[*i], *value;
	size_t len = strlen(name);

	if (arg[len] == '=')
		value = arg + len + 1;
	else if (*i + 1 < argc)
		value = argv[++*i];
	else
		value = "";
	if (!vlctl_parse_u64(value, v)) {
		fprintf(err, "vlctl %s: %s wants a decimal number, not '%s'\n",
			argv[0], name, value);
		return 2;
	}
	return 0;
}

/* Whether @arg is the option @name, as "--name" or "--name=...". */
static bool is_option(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(arg, name, len) && (!arg[len] || arg[len] == '=');
}

/* One option of @argv: 0, or 2 when @allowed does not take it. */
static int parse_option(int argc, char **argv, int *i, unsigned int allowed,
			struct vlctl_args *a, FILE *err)
{
	const char *arg = argv[*i];

	if ((allowed & VLCTL_OPT_JSON) && !strcmp(arg, "--json")) {
		a->json = true;
		return 0;
	}
	if ((allowed & VLCTL_OPT_COUNT) && is_option(arg, "--count")) {
		a->has_count = true;
		return parse_number(argc, argv, i, "--count", &a->count, err);
	}
	if ((allowed & VLCTL_OPT_PER_QUEUE) && !strcmp(arg, "--per-queue")) {
		a->per_queue = true;
		return 0;
	}
	if ((allowed & VLCTL_OPT_ALLOW_CUT) && !strcmp(arg, "--allow-cut")) {
		a->allow_cut = true;
		return 0;
	}
	if ((allowed & VLCTL_OPT_WINDOW) && is_option(arg, "--window"))
		return parse_number(argc, argv, i, "--window", &a->window, err);
	fprintf(err, "vlctl %s: unknown option '%s'\n", argv[0], arg);
	return 2;
}

int vlctl_parse_args(int argc, char **argv, unsigned int allowed, int nargs,
		     const char *usage, struct vlctl_args *a, FILE *err)
{
	bool options = true;
	int i, ret = 0;

	memset(a, 0, sizeof(*a));
	/* Operands may come before options; "-1" is an operand (a bad
	 * number, said so by the caller), "--" ends the options. */
	for (i = 1; i < argc && !ret; i++) {
		if (options && !strcmp(argv[i], "--"))
			options = false;
		else if (options && !strncmp(argv[i], "--", 2))
			ret = parse_option(argc, argv, &i, allowed, a, err);
		else if (a->noperands < nargs && a->noperands < VLCTL_MAX_OPERANDS)
			a->operands[a->noperands++] = argv[i];
		else
			ret = 2;
	}
	if (!ret && a->noperands != nargs)
		ret = 2;
	if (ret)
		fprintf(err, "usage: %s\n", usage);
	return ret;
}

int vlctl_parse_icount(const char *cmd, const char *arg, uint64_t *v)
{
	if (vlctl_parse_u64(arg, v))
		return 0;
	fprintf(stderr,
		"vlctl %s: '%s' is not an icount (a decimal number from 0 to %ju)\n",
		cmd, arg, (uintmax_t)UINT64_MAX);
	return 2;
}
