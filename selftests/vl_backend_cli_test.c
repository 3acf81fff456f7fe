// SPDX-License-Identifier: GPL-2.0
/*
 * vl-backend as a user meets it: help, clear errors for bad command lines
 * (exit status 2), for files it cannot serve (1), and a clean exit with
 * its device removed on SIGTERM.
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "vl_test_backend.h"

/* Run vl-backend with @args, capture stdout+stderr; returns exit status. */
static int run_backend(const char *args, char *out, size_t size)
{
	char cmd[512];
	size_t len;
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), VL_BACKEND " %s 2>&1", args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	len = fread(out, 1, size - 1, p);
	out[len] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(help_explains_every_device)
{
	char out[4096];

	EXPECT_EQ(0, run_backend("--help", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "usage: vl-backend")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "rng"));
	EXPECT_NE(NULL, strstr(out, "blk"));
	EXPECT_NE(NULL, strstr(out, "console"));
	EXPECT_EQ(0, run_backend("blk --help", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "--file")) TH_LOG("%s", out);
}

TEST(bad_command_lines_exit_2_with_a_reason)
{
	static const char *const bad[] = {
		"", "frobnicate", "blk", "blk --queues 2", "blk --file",
		"blk --file /tmp/x --queues 0", "blk --file /tmp/x --queues 65",
		"blk --file /tmp/x --queues two", "rng --bogus",
	};
	char out[4096];

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(2, run_backend(bad[i], out, sizeof(out)))
			TH_LOG("'vl-backend %s' said: %s", bad[i], out);
		EXPECT_NE(NULL, strstr(out, "vl-backend: "))
			TH_LOG("'vl-backend %s' gave no reason: %s", bad[i], out);
	}
}

TEST(missing_file_is_a_clear_error)
{
	char out[4096];

	EXPECT_EQ(1, run_backend("blk --file /nonexistent/disk.img", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "/nonexistent/disk.img")) TH_LOG("%s", out);
}

TEST(sigterm_exits_cleanly_and_removes_the_device)
{
	const char *argv[] = { "rng", NULL };
	struct vl_backend_proc backend;
	int status;

	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	status = vl_backend_stop(&backend, SIGTERM);
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_TRUE(vl_backend_device_gone(&backend));
}

TEST_HARNESS_MAIN
