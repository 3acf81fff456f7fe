// SPDX-License-Identifier: GPL-2.0
/*
 * vl-backend's messages for humans: one line each on stderr, prefixed with
 * the program's name so they stand out in a test log.
 */
#include <stdarg.h>
#include <stdio.h>

#include "backend.h"

bool vl_verbose;

static void vl_log(const char *level, const char *fmt, va_list ap)
{
	/* One fprintf per line keeps lines whole when stderr is shared. */
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "vl-backend: %s%s\n", level, line);
}

void vl_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vl_log("", fmt, ap);
	va_end(ap);
}

void vl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vl_log("warning: ", fmt, ap);
	va_end(ap);
}

void vl_debug(const char *fmt, ...)
{
	va_list ap;

	if (!vl_verbose)
		return;
	va_start(ap, fmt);
	vl_log("", fmt, ap);
	va_end(ap);
}
