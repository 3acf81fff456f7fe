// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: the generic netlink family "virtio_loopback".
 *
 * Control and inspection for vl-qmpd and vlctl.  Every command has its own
 * strict attribute policy; the commands that change state need
 * CAP_NET_ADMIN (GENL_ADMIN_PERM).
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "vl_internal.h"

static struct genl_family vl_genl_family;

static int vl_genl_put_state(struct sk_buff *msg,
			     const struct vl_replay_state *st)
{
	if (nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_MODE, st->mode) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, st->icount,
			      VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT_SOURCE,
			st->log.recording ? st->log.icount_source :
					    VIRTIO_LOOPBACK_ICOUNT_NONE) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_RECORDS,
			      st->log.records, VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_LOST,
			      st->log.lost, VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_LOG_FILL, st->log.fill) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_LOG_SIZE, st->log.size))
		return -EMSGSIZE;
	/* As QEMU's query-replay: a file name only while there is a log. */
	if (st->log.recording && st->log.filename[0] &&
	    nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_FILENAME,
			   st->log.filename))
		return -EMSGSIZE;
	return 0;
}

static int vl_genl_replay_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vl_replay_state state;
	struct sk_buff *msg;
	void *hdr;

	vl_replay_get_state(&state);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &vl_genl_family, 0,
				VIRTIO_LOOPBACK_CMD_REPLAY_GET);
	if (!hdr)
		goto err_free;
	if (vl_genl_put_state(msg, &state))
		goto err_cancel;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_cancel:
	genlmsg_cancel(msg, hdr);
err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int vl_genl_record_start(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = info->attrs[VIRTIO_LOOPBACK_A_REPLAY_FILENAME];
	int err;

	err = vl_log_start(name ? nla_data(name) : NULL);
	if (err == -EBUSY)
		NL_SET_ERR_MSG(info->extack, "already recording");
	return err;
}

static int vl_genl_record_stop(struct sk_buff *skb, struct genl_info *info)
{
	int err = vl_log_stop();

	if (err == -EALREADY)
		NL_SET_ERR_MSG(info->extack, "not recording");
	return err;
}

/* Attributes no command takes: the state it answers. */
#define VL_REJECT_STATE_ATTRS						\
	[VIRTIO_LOOPBACK_A_REPLAY_PAD]		= { .type = NLA_REJECT },	\
	[VIRTIO_LOOPBACK_A_REPLAY_MODE]		= { .type = NLA_REJECT },	\
	[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT]	= { .type = NLA_REJECT },	\
	[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT_SOURCE] = { .type = NLA_REJECT },	\
	[VIRTIO_LOOPBACK_A_REPLAY_RECORDS]	= { .type = NLA_REJECT },	\
	[VIRTIO_LOOPBACK_A_REPLAY_LOST]		= { .type = NLA_REJECT },	\
	[VIRTIO_LOOPBACK_A_REPLAY_LOG_FILL]	= { .type = NLA_REJECT },	\
	[VIRTIO_LOOPBACK_A_REPLAY_LOG_SIZE]	= { .type = NLA_REJECT }

static const struct nla_policy vl_no_attrs_policy[VIRTIO_LOOPBACK_A_REPLAY_MAX + 1] = {
	VL_REJECT_STATE_ATTRS,
	[VIRTIO_LOOPBACK_A_REPLAY_FILENAME]	= { .type = NLA_REJECT },
};

static const struct nla_policy vl_record_start_policy[VIRTIO_LOOPBACK_A_REPLAY_MAX + 1] = {
	VL_REJECT_STATE_ATTRS,
	[VIRTIO_LOOPBACK_A_REPLAY_FILENAME] = {
		.type = NLA_NUL_STRING, .len = VL_LOG_FILENAME_MAX - 1
	},
};

static const struct genl_ops vl_genl_ops[] = {
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_REPLAY_GET,
		.doit	= vl_genl_replay_get,
		.policy	= vl_no_attrs_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
	},
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_RECORD_START,
		.doit	= vl_genl_record_start,
		.policy	= vl_record_start_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_RECORD_STOP,
		.doit	= vl_genl_record_stop,
		.policy	= vl_no_attrs_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group vl_genl_mcgrps[] = {
	{ .name = VIRTIO_LOOPBACK_MCGRP_EVENTS },
};

static struct genl_family vl_genl_family __ro_after_init = {
	.name		= VIRTIO_LOOPBACK_FAMILY_NAME,
	.version	= VIRTIO_LOOPBACK_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.ops		= vl_genl_ops,
	.n_ops		= ARRAY_SIZE(vl_genl_ops),
	.mcgrps		= vl_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vl_genl_mcgrps),
};

int __init vl_genl_init(void)
{
	return genl_register_family(&vl_genl_family);
}

void vl_genl_exit(void)
{
	genl_unregister_family(&vl_genl_family);
}
