// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: the generic netlink family "virtio_loopback".
 *
 * Control and inspection for vl-qmpd and vlctl.  Every command has its own
 * strict attribute policy.  The one command there is only reads.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "vl_internal.h"

static struct genl_family vl_genl_family;

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

	if (nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_MODE, state.mode) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT,
			      state.icount, VIRTIO_LOOPBACK_A_REPLAY_PAD))
		goto err_cancel;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_cancel:
	genlmsg_cancel(msg, hdr);
err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* REPLAY_GET takes no attributes: anything sent is rejected. */
static const struct nla_policy vl_replay_get_policy[VIRTIO_LOOPBACK_A_REPLAY_MAX + 1] = {
	[VIRTIO_LOOPBACK_A_REPLAY_PAD]		= { .type = NLA_REJECT },
	[VIRTIO_LOOPBACK_A_REPLAY_MODE]		= { .type = NLA_REJECT },
	[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT]	= { .type = NLA_REJECT },
};

static const struct genl_ops vl_genl_ops[] = {
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_REPLAY_GET,
		.doit	= vl_genl_replay_get,
		.policy	= vl_replay_get_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
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
