/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the virtio-loopback selftests (run inside the test VM).
 */
#ifndef VL_TEST_UTIL_H
#define VL_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define VL_MODULE_NAME "virtio_loopback"
#define VL_DEVNODE "/dev/virtio-loopback"
#define VL_DEBUGFS "/sys/kernel/debug/virtio_loopback"

/* Read a whole small file into @buf; returns its length or -errno. */
static inline ssize_t vl_read_file(const char *path, char *buf, size_t size)
{
	ssize_t len, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		len = read(fd, buf + total, size - 1 - total);
		if (len < 0) {
			len = -errno;
			close(fd);
			return len;
		}
		if (len == 0)
			break;
		total += len;
	}
	buf[total] = '\0';
	close(fd);
	return total;
}

static inline int vl_module_path(char *path, size_t size)
{
	struct utsname u;

	if (uname(&u))
		return -errno;
	snprintf(path, size, "/lib/modules/%s/extra/%s.ko", u.release,
		 VL_MODULE_NAME);
	return 0;
}

/* Load the module with finit_module(2): 0 or -errno. */
static inline int vl_module_load_params(const char *params)
{
	char path[256];
	int fd, ret;

	ret = vl_module_path(path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static inline int vl_module_load(void)
{
	return vl_module_load_params("");
}

/* Unload the module with delete_module(2): 0 or -errno. */
static inline int vl_module_unload(void)
{
	return syscall(SYS_delete_module, VL_MODULE_NAME, O_NONBLOCK) ? -errno : 0;
}

static inline int vl_module_loaded(void)
{
	return access("/sys/module/" VL_MODULE_NAME, F_OK) == 0;
}

/* Run a shell command; its output into @buf, its exit status returned. */
static inline int vl_run(const char *cmd, char *buf, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0;

	if (!p)
		return -1;
	if (buf) {
		len = fread(buf, 1, size - 1, p);
		buf[len] = '\0';
	}
	return WEXITSTATUS(pclose(p));
}

/* Read a whole file into memory (*@buf, to free()); its length, or -1. */
static inline ssize_t vl_slurp(const char *path, unsigned char **buf)
{
	struct stat st;
	ssize_t len = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*buf = NULL;
	if (fd >= 0 && !fstat(fd, &st) && st.st_size > 0 &&
	    (*buf = malloc(st.st_size)))
		len = read(fd, *buf, st.st_size);
	if (fd >= 0)
		close(fd);
	return len;
}

#endif /* VL_TEST_UTIL_H */
