// SPDX-License-Identifier: GPL-2.0
/*
 * What vlctl's netlink subcommands share: connecting to the family, and
 * saying why the kernel refused a request in the kernel's own words.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vl_genl.h"
#include "vlctl.h"

int vlctl_connect(struct vl_genl *genl)
{
	int err = vl_genl_open(genl);

	if (err == -ENOENT) {
		fprintf(stderr,
			"vlctl: generic netlink family 'virtio_loopback' not found: is virtio_loopback.ko loaded?\n");
		return 1;
	}
	if (err) {
		fprintf(stderr, "vlctl: cannot open generic netlink: %s\n",
			strerror(-err));
		return 1;
	}
	return 0;
}

int vlctl_refused(const struct vl_genl *genl, const char *cmd, int err,
		  const char *known)
{
	/* The module's NL_SET_ERR_MSG texts are QEMU's: they stand alone. */
	if (genl->error_msg[0])
		fprintf(stderr, "vlctl: %s\n", genl->error_msg);
	else
		fprintf(stderr, "vlctl: %s: %s\n", cmd,
			known ? known : strerror(-err));
	return 1;
}
