// SPDX-License-Identifier: GPL-2.0
/*
 * The command line that vlctl's netlink subcommands share: --json,
 * --count N and operands, numbers read strictly.  A usage error is found
 * here, before anything talks to the kernel, so that it exits 2 whether or
 * not the module is loaded.
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

/* --count N or --count=N; @i moves past what it took.  0 or 2. */
static int parse_count(int argc, char **argv, int *i, struct vlctl_args *a,
		       FILE *err)
{
	const char *arg = argv[*i], *value;

	if (arg[strlen("--count")] == '=')
		value = arg + strlen("--count=");
	else if (*i + 1 < argc)
		value = argv[++*i];
	else
		value = "";
	if (!vlctl_parse_u64(value, &a->count)) {
		fprintf(err, "vlctl %s: --count wants a decimal number, not '%s'\n",
			argv[0], value);
		return 2;
	}
	a->has_count = true;
	return 0;
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
	if ((allowed & VLCTL_OPT_COUNT) &&
	    (!strcmp(arg, "--count") || !strncmp(arg, "--count=", 8)))
		return parse_count(argc, argv, i, a, err);
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
