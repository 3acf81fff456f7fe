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
	const char *filename = NULL;

	if (nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_MODE, st->mode) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, st->icount,
			      VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT_SOURCE,
			st->icount_source) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_RECORDS,
			      st->log.records, VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_LOST,
			      st->log.lost, VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_LOG_FILL, st->log.fill) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_LOG_SIZE, st->log.size) ||
	    nla_put_u8(msg, VIRTIO_LOOPBACK_A_REPLAY_PAUSED, st->paused))
		return -EMSGSIZE;
	if (st->mode == VIRTIO_LOOPBACK_REPLAY_MODE_PLAY &&
	    (nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_POSITION,
			       st->play.position, VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	     nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_END_ICOUNT,
			       st->play.end_icount, VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	     (st->play.has_break &&
	      nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_BREAK,
				st->play.break_icount,
				VIRTIO_LOOPBACK_A_REPLAY_PAD))))
		return -EMSGSIZE;
	/* As QEMU's query-replay: a file name only while there is a log. */
	if (st->mode == VIRTIO_LOOPBACK_REPLAY_MODE_PLAY)
		filename = st->play.filename;
	else if (st->mode == VIRTIO_LOOPBACK_REPLAY_MODE_RECORD)
		filename = st->log.filename;
	if (filename && filename[0] &&
	    nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_FILENAME, filename))
		return -EMSGSIZE;
	return 0;
}

static int vl_genl_replay_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vl_replay_state *state;
	struct sk_buff *msg;
	void *hdr;
	int err = -EMSGSIZE;

	/* Two file names: too big for the stack. */
	state = kmalloc(sizeof(*state), GFP_KERNEL);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!state || !msg) {
		err = -ENOMEM;
		goto err_free;
	}
	vl_replay_get_state(state);

	hdr = genlmsg_put_reply(msg, info, &vl_genl_family, 0,
				VIRTIO_LOOPBACK_CMD_REPLAY_GET);
	if (!hdr || vl_genl_put_state(msg, state))
		goto err_free;
	kfree(state);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	kfree(state);
	nlmsg_free(msg);
	return err;
}

static int vl_genl_record_start(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = info->attrs[VIRTIO_LOOPBACK_A_REPLAY_FILENAME];
	int err;

	err = vl_replay_record_start(name ? nla_data(name) : NULL);
	if (err == -EBUSY && vl_play_active())
		NL_SET_ERR_MSG(info->extack, "playing a log");
	else if (err == -EBUSY)
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

static int vl_genl_play_stop(struct sk_buff *skb, struct genl_info *info)
{
	int err = vl_play_stop();

	if (err == -EALREADY)
		NL_SET_ERR_MSG(info->extack, "not playing");
	return err;
}

static u64 vl_genl_u64(struct genl_info *info, int attr)
{
	return nla_get_u64(info->attrs[attr]);
}

static int vl_genl_break_set(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, VIRTIO_LOOPBACK_A_REPLAY_BREAK))
		return -EINVAL;
	return vl_play_break(vl_genl_u64(info, VIRTIO_LOOPBACK_A_REPLAY_BREAK),
			     info->extack);
}

static int vl_genl_break_delete(struct sk_buff *skb, struct genl_info *info)
{
	return vl_play_delete_break(info->extack);
}

static int vl_genl_seek(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT))
		return -EINVAL;
	return vl_play_seek(vl_genl_u64(info, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT),
			    info->extack);
}

static int vl_genl_stop(struct sk_buff *skb, struct genl_info *info)
{
	return vl_replay_stop();
}

static int vl_genl_cont(struct sk_buff *skb, struct genl_info *info)
{
	return vl_replay_cont();
}

static int vl_genl_put_divergence(struct sk_buff *msg,
				  const struct vl_divergence *d)
{
	if (nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, d->icount,
			      VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_DEVICE, d->device) ||
	    nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_QUEUE, d->queue) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_RECORD, d->record,
			      VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_FIELD, d->field) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_EXPECTED,
			      d->expected, VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_ACTUAL, d->actual,
			      VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
	    nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_MESSAGE, d->message))
		return -EMSGSIZE;
	return 0;
}

static int vl_genl_divergence_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vl_divergence d;
	struct sk_buff *msg;
	void *hdr;

	if (!vl_play_get_divergence(&d)) {
		NL_SET_ERR_MSG(info->extack, "no divergence");
		return -ENOENT;
	}
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vl_genl_family, 0,
				VIRTIO_LOOPBACK_CMD_DIVERGENCE_GET);
	if (!hdr || vl_genl_put_divergence(msg, &d)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* One device of a DEVICE_GET dump (vl_devices_dump()). */
int vl_genl_put_device(struct sk_buff *skb, struct netlink_callback *cb,
		       struct vl_dev *dev)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vl_genl_family, NLM_F_MULTI,
			  VIRTIO_LOOPBACK_CMD_DEVICE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (vl_dev_put_attrs(skb, dev, true)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Events: to the "events" group, from process context. */

static struct sk_buff *vl_genl_event_new(u8 cmd, void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&vl_genl_family, &init_net, 0))
		return NULL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &vl_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void vl_genl_event_send(struct sk_buff *msg, void *hdr, int err)
{
	if (err) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&vl_genl_family, msg, 0, 0, GFP_KERNEL);
}

void vl_genl_notify_stopped(u64 icount, u32 reason)
{
	void *hdr;
	struct sk_buff *msg = vl_genl_event_new(VIRTIO_LOOPBACK_CMD_STOPPED_NTF,
						&hdr);

	if (msg)
		vl_genl_event_send(msg, hdr,
				   nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT,
						     icount, VIRTIO_LOOPBACK_A_REPLAY_PAD) ||
				   nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_REASON,
					       reason));
}

void vl_genl_notify_resumed(u64 icount)
{
	void *hdr;
	struct sk_buff *msg = vl_genl_event_new(VIRTIO_LOOPBACK_CMD_RESUMED_NTF,
						&hdr);

	if (msg)
		vl_genl_event_send(msg, hdr,
				   nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT,
						     icount, VIRTIO_LOOPBACK_A_REPLAY_PAD));
}

void vl_genl_notify_divergence(const struct vl_divergence *d)
{
	void *hdr;
	struct sk_buff *msg = vl_genl_event_new(VIRTIO_LOOPBACK_CMD_DIVERGENCE_NTF,
						&hdr);

	if (msg)
		vl_genl_event_send(msg, hdr, vl_genl_put_divergence(msg, d));
}

void vl_genl_notify_loss(u64 lost)
{
	void *hdr;
	struct sk_buff *msg = vl_genl_event_new(VIRTIO_LOOPBACK_CMD_LOSS_NTF,
						&hdr);

	if (msg)
		vl_genl_event_send(msg, hdr,
				   nla_put_u64_64bit(msg, VIRTIO_LOOPBACK_A_REPLAY_LOST,
						     lost, VIRTIO_LOOPBACK_A_REPLAY_PAD));
}

void vl_genl_notify_device(struct vl_dev *dev, bool added)
{
	void *hdr;
	struct sk_buff *msg;

	msg = vl_genl_event_new(added ? VIRTIO_LOOPBACK_CMD_DEVICE_ADDED_NTF :
					VIRTIO_LOOPBACK_CMD_DEVICE_REMOVED_NTF,
				&hdr);
	if (msg)
		vl_genl_event_send(msg, hdr, vl_dev_put_attrs(msg, dev, false));
}

/*
 * Policies: each command takes exactly its attributes.  Validation is
 * strict (resv_start_op 0): an attribute a policy leaves unspecified, or
 * beyond it, is refused.
 */
#define VL_POLICY(name) \
	static const struct nla_policy name[VIRTIO_LOOPBACK_A_REPLAY_MAX + 1]

VL_POLICY(vl_no_attrs_policy) = {};

VL_POLICY(vl_record_start_policy) = {
	[VIRTIO_LOOPBACK_A_REPLAY_FILENAME] = {
		.type = NLA_NUL_STRING, .len = VL_LOG_FILENAME_MAX - 1
	},
};

VL_POLICY(vl_break_policy) = {
	[VIRTIO_LOOPBACK_A_REPLAY_BREAK] = { .type = NLA_U64 },
};

VL_POLICY(vl_seek_policy) = {
	[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT] = { .type = NLA_U64 },
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
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_PLAY_STOP,
		.doit	= vl_genl_play_stop,
		.policy	= vl_no_attrs_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_BREAK_SET,
		.doit	= vl_genl_break_set,
		.policy	= vl_break_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_BREAK_DELETE,
		.doit	= vl_genl_break_delete,
		.policy	= vl_no_attrs_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_SEEK,
		.doit	= vl_genl_seek,
		.policy	= vl_seek_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_STOP,
		.doit	= vl_genl_stop,
		.policy	= vl_no_attrs_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_CONT,
		.doit	= vl_genl_cont,
		.policy	= vl_no_attrs_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_DIVERGENCE_GET,
		.doit	= vl_genl_divergence_get,
		.policy	= vl_no_attrs_policy,
		.maxattr = VIRTIO_LOOPBACK_A_REPLAY_MAX,
	},
	{
		.cmd	= VIRTIO_LOOPBACK_CMD_DEVICE_GET,
		.dumpit	= vl_devices_dump,
		.policy	= vl_no_attrs_policy,
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
