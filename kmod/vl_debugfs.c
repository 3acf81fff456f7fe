// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: /sys/kernel/debug/virtio_loopback/, the live state for
 * humans.  Nothing here is an ABI; tools use generic netlink.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vl_internal.h"

static struct dentry *vl_debugfs_root;

static int vl_state_show(struct seq_file *s, void *unused)
{
	struct vl_replay_state state;

	vl_replay_get_state(&state);
	seq_printf(s, "api_version: %d\n", VIRTIO_LOOPBACK_API_VERSION);
	seq_printf(s, "mode: %s\n", vl_replay_mode_name(state.mode));
	seq_printf(s, "icount: %llu\n", state.icount);
	seq_printf(s, "icount_source: %s\n",
		   vl_icount_source_name(state.icount_source));
	seq_printf(s, "filename: %s\n",
		   state.play.playing ? state.play.filename : state.log.filename);
	vl_play_show(s);
	seq_printf(s, "log: %llu records, %llu lost, %llu of %u bytes waiting, reader %s\n",
		   state.log.records, state.log.lost, state.log.fill,
		   state.log.size, state.log.reader ? "attached" : "none");
	vl_devtype_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vl_state);

static int vl_devices_file_show(struct seq_file *s, void *unused)
{
	vl_devices_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vl_devices_file);

static int vl_log_file_show(struct seq_file *s, void *unused)
{
	vl_log_show_recent(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vl_log_file);

void __init vl_debugfs_init(void)
{
	vl_debugfs_root = debugfs_create_dir("virtio_loopback", NULL);
	debugfs_create_file("state", 0400, vl_debugfs_root, NULL,
			    &vl_state_fops);
	debugfs_create_file("devices", 0400, vl_debugfs_root, NULL,
			    &vl_devices_file_fops);
	debugfs_create_file("log", 0400, vl_debugfs_root, NULL,
			    &vl_log_file_fops);
}

void vl_debugfs_exit(void)
{
	debugfs_remove_recursive(vl_debugfs_root);
}
