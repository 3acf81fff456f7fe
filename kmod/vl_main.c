// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: a virtio transport whose devices live in userspace.
 *
 * Module entry points.  Each interface (backend channel, generic netlink,
 * debugfs) lives in a file of its own; this file only brings them up in
 * dependency order and takes them down in reverse.
 */
#include <linux/module.h>
#include <linux/workqueue.h>

#include "vl_internal.h"

/* Device registration and failing requests of departed backends. */
struct workqueue_struct *vl_wq;

static int __init vl_init(void)
{
	int err;

	/* Block I/O can depend on it under memory pressure: WQ_MEM_RECLAIM. */
	vl_wq = alloc_workqueue("virtio_loopback", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!vl_wq)
		return -ENOMEM;

	err = vl_log_init();
	if (err)
		goto err_wq;
	vl_play_init();

	/* debugfs is optional: a kernel without it still gets a transport. */
	vl_debugfs_init();

	err = vl_genl_init();
	if (err)
		goto err_debugfs;

	err = vl_chardev_init();
	if (err)
		goto err_genl;

	return 0;

err_genl:
	vl_genl_exit();
err_debugfs:
	vl_debugfs_exit();
	vl_log_exit();
err_wq:
	destroy_workqueue(vl_wq);
	return err;
}

static void __exit vl_exit(void)
{
	vl_chardev_exit();
	vl_play_exit();
	vl_genl_exit();
	vl_debugfs_exit();
	vl_log_exit();
	destroy_workqueue(vl_wq);
}

module_init(vl_init);
module_exit(vl_exit);

MODULE_DESCRIPTION("virtio transport for devices implemented in userspace, with record/replay");
MODULE_LICENSE("GPL");
