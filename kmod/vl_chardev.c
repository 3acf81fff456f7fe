// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: the backend channel, /dev/virtio-loopback.
 *
 * One open file will be one userspace device.  The node is root-only
 * (mode 0600): a backend decides what the kernel's drivers see.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "vl_internal.h"

static int vl_chardev_open(struct inode *inode, struct file *file)
{
	return 0;
}

static int vl_chardev_release(struct inode *inode, struct file *file)
{
	return 0;
}

static const struct file_operations vl_chardev_fops = {
	.owner		= THIS_MODULE,
	.open		= vl_chardev_open,
	.release	= vl_chardev_release,
	.llseek		= noop_llseek,
};

static struct miscdevice vl_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= VIRTIO_LOOPBACK_DEVICE_NAME,
	.fops	= &vl_chardev_fops,
	.mode	= 0600,
};

int vl_chardev_init(void)
{
	return misc_register(&vl_miscdev);
}

void vl_chardev_exit(void)
{
	misc_deregister(&vl_miscdev);
}
