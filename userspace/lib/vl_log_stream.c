// SPDX-License-Identifier: GPL-2.0
/*
 * Draining the module's log stream into a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virtio_loopback.h>

#include "vl_log_stream.h"

/* A short write (a full disk) is retried, so that it is reported. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* The stream has its own fd, from a file of the node with no device. */
int vl_log_stream_open(const char *device)
{
	int chan, fd, err;

	chan = open(device, O_RDWR | O_CLOEXEC);
	if (chan < 0)
		return -errno;
	fd = ioctl(chan, VIRTIO_LOOPBACK_OPEN_LOG);
	err = errno;
	close(chan);
	return fd < 0 ? -err : fd;
}

ssize_t vl_log_stream_copy(int log, int out, char *buf, size_t size)
{
	ssize_t n;
	int err;

	do
		n = read(log, buf, size);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	err = write_all(out, buf, n);
	return err ? err : n;
}
