// SPDX-License-Identifier: GPL-2.0
/*
 * vl-backend as a user meets it: help, clear errors for bad command lines
 * (exit status 2), for files it cannot serve (1): missing, empty, or
 * already served by another backend; a clean exit with its device removed
 * on SIGTERM, and its --stats file.
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
		"blk --file /tmp/x --serial ''",
		"blk --file /tmp/x --serial 123456789012345678901",
		"--latency x rng", "rng --latency -1", "rng --latency 60001",
		"rng --stats ''", "--stats",
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

TEST(empty_file_is_refused)
{
	char out[4096];
	int fd = open("/tmp/vl-empty.img", O_RDWR | O_CREAT | O_TRUNC, 0600);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(1, run_backend("blk --file /tmp/vl-empty.img", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "/tmp/vl-empty.img is empty")) TH_LOG("%s", out);
	unlink("/tmp/vl-empty.img");
}

/* Two backends writing one image would corrupt it: the second is refused. */
TEST(image_served_by_another_backend_is_refused)
{
	const char *file = "/tmp/vl-locked.img";
	const char *argv[] = { "blk", "--file", file, NULL };
	struct vl_backend_proc backend;
	char out[4096];
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));
	close(fd);
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	EXPECT_EQ(1, run_backend("blk --file /tmp/vl-locked.img", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "/tmp/vl-locked.img is in use")) TH_LOG("%s", out);
	EXPECT_EQ(1, run_backend("blk --readonly --file /tmp/vl-locked.img", out,
				 sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "in use")) TH_LOG("%s", out);
	vl_backend_stop(&backend, SIGTERM);
	unlink(file);
}

TEST(stats_are_written_at_exit)
{
	const char *argv[] = { "rng", "--stats", "/tmp/vl-rng.stats", NULL };
	struct vl_backend_proc backend;
	char stats[1024];
	int fd;

	unlink("/tmp/vl-rng.stats");
	ASSERT_EQ(0, vl_backend_start(&backend, argv));
	/* Make the driver ask for entropy: one request at least. */
	fd = open("/sys/class/misc/hw_random/rng_current", O_WRONLY);
	if (fd >= 0) {
		char name[32];
		int len = snprintf(name, sizeof(name), "virtio_rng.%d",
				   backend.virtio_index);

		if (write(fd, name, len) != len)
			TH_LOG("cannot select virtio_rng: %s", strerror(errno));
		close(fd);
	}
	vl_backend_stop(&backend, SIGTERM);
	ASSERT_LT(0, vl_read_file("/tmp/vl-rng.stats", stats, sizeof(stats)));
	EXPECT_NE(NULL, strstr(stats, "device rng\n")) TH_LOG("%s", stats);
	EXPECT_LE(0, vl_stat_value(stats, "requests")) TH_LOG("%s", stats);
	/* Every request the backend took, it answered. */
	EXPECT_EQ(vl_stat_value(stats, "requests"),
		  vl_stat_value(stats, "completions")) TH_LOG("%s", stats);
	unlink("/tmp/vl-rng.stats");
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
