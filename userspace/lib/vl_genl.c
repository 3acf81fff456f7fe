// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink client for the virtio_loopback family, on libnl-genl-3.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/virtio_loopback.h>

#include "vl_genl.h"

/* Where a transaction stands while its replies are read. */
struct vl_transaction {
	bool done;
	int err;
	vl_genl_parse_fn parse;
	void *arg;
};

static int vl_on_valid(struct nl_msg *msg, void *arg)
{
	struct vl_transaction *t = arg;
	int err;

	if (!t->parse || t->err)
		return NL_OK;
	err = t->parse(msg, t->arg);
	if (err)
		t->err = err;
	return NL_OK;
}

static int vl_on_ack(struct nl_msg *msg, void *arg)
{
	struct vl_transaction *t = arg;

	(void)msg;
	t->done = true;
	return NL_STOP;
}

static int vl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *nlerr,
		       void *arg)
{
	struct vl_transaction *t = arg;

	(void)nla;
	t->done = true;
	t->err = nlerr->error;
	return NL_STOP;
}

/* Look the family up in the controller's list: its id and its version. */
static int vl_genl_resolve(struct vl_genl *genl)
{
	struct nl_cache *families;
	struct genl_family *family;

	if (genl_ctrl_alloc_cache(genl->sock, &families) < 0)
		return -EPROTO;
	family = genl_ctrl_search_by_name(families, VIRTIO_LOOPBACK_FAMILY_NAME);
	nl_cache_free(families);
	/* The family is absent, not broken, when the module is not loaded. */
	if (!family)
		return -ENOENT;
	genl->family_id = genl_family_get_id(family);
	genl->family_version = genl_family_get_version(family);
	genl_family_put(family);
	return 0;
}

int vl_genl_open(struct vl_genl *genl)
{
	int err;

	genl->sock = nl_socket_alloc();
	if (!genl->sock)
		return -ENOMEM;

	if (genl_connect(genl->sock) < 0) {
		err = -ECONNREFUSED;
		goto err_free;
	}
	err = vl_genl_resolve(genl);
	if (err)
		goto err_free;
	return 0;

err_free:
	nl_socket_free(genl->sock);
	genl->sock = NULL;
	return err;
}

void vl_genl_close(struct vl_genl *genl)
{
	nl_socket_free(genl->sock);
	genl->sock = NULL;
}

struct nl_msg *vl_genl_new_request(const struct vl_genl *genl, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, genl->family_id, 0,
			 NLM_F_REQUEST | NLM_F_ACK, cmd,
			 VIRTIO_LOOPBACK_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int vl_genl_transact(struct vl_genl *genl, struct nl_msg *msg,
		     vl_genl_parse_fn parse, void *arg)
{
	struct vl_transaction t = { .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vl_on_valid, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, vl_on_ack, &t);
	nl_cb_err(cb, NL_CB_CUSTOM, vl_on_error, &t);

	err = nl_send_auto(genl->sock, msg);
	nlmsg_free(msg);
	while (err >= 0 && !t.done)
		err = nl_recvmsgs(genl->sock, cb);
	nl_cb_put(cb);

	if (err < 0 && !t.done)
		return -EIO;
	return t.err;
}

static int vl_parse_replay(struct nl_msg *reply, void *arg)
{
	struct nlattr *tb[VIRTIO_LOOPBACK_A_REPLAY_MAX + 1];
	struct vl_replay_info *info = arg;

	if (genlmsg_parse(nlmsg_hdr(reply), 0, tb, VIRTIO_LOOPBACK_A_REPLAY_MAX,
			  NULL) < 0)
		return -EPROTO;
	if (!tb[VIRTIO_LOOPBACK_A_REPLAY_MODE] ||
	    !tb[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT])
		return -EPROTO;
	memset(info, 0, sizeof(*info));
	info->mode = nla_get_u32(tb[VIRTIO_LOOPBACK_A_REPLAY_MODE]);
	info->icount = nla_get_u64(tb[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT]);
	/* The log's attributes, when the kernel has them. */
	if (tb[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT_SOURCE])
		info->icount_source =
			nla_get_u32(tb[VIRTIO_LOOPBACK_A_REPLAY_ICOUNT_SOURCE]);
	if (tb[VIRTIO_LOOPBACK_A_REPLAY_FILENAME])
		snprintf(info->filename, sizeof(info->filename), "%s",
			 nla_get_string(tb[VIRTIO_LOOPBACK_A_REPLAY_FILENAME]));
	if (tb[VIRTIO_LOOPBACK_A_REPLAY_RECORDS])
		info->records = nla_get_u64(tb[VIRTIO_LOOPBACK_A_REPLAY_RECORDS]);
	if (tb[VIRTIO_LOOPBACK_A_REPLAY_LOST])
		info->lost = nla_get_u64(tb[VIRTIO_LOOPBACK_A_REPLAY_LOST]);
	if (tb[VIRTIO_LOOPBACK_A_REPLAY_LOG_FILL])
		info->log_fill = nla_get_u32(tb[VIRTIO_LOOPBACK_A_REPLAY_LOG_FILL]);
	if (tb[VIRTIO_LOOPBACK_A_REPLAY_LOG_SIZE])
		info->log_size = nla_get_u32(tb[VIRTIO_LOOPBACK_A_REPLAY_LOG_SIZE]);
	return 0;
}

int vl_genl_replay_get(struct vl_genl *genl, struct vl_replay_info *info)
{
	struct nl_msg *msg;

	msg = vl_genl_new_request(genl, VIRTIO_LOOPBACK_CMD_REPLAY_GET);
	if (!msg)
		return -ENOMEM;
	return vl_genl_transact(genl, msg, vl_parse_replay, info);
}

int vl_genl_record_start(struct vl_genl *genl, const char *filename)
{
	struct nl_msg *msg;

	msg = vl_genl_new_request(genl, VIRTIO_LOOPBACK_CMD_RECORD_START);
	if (!msg)
		return -ENOMEM;
	if (filename &&
	    nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_FILENAME, filename)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return vl_genl_transact(genl, msg, NULL, NULL);
}

int vl_genl_record_stop(struct vl_genl *genl)
{
	struct nl_msg *msg;

	msg = vl_genl_new_request(genl, VIRTIO_LOOPBACK_CMD_RECORD_STOP);
	if (!msg)
		return -ENOMEM;
	return vl_genl_transact(genl, msg, NULL, NULL);
}

const char *vl_icount_source_name(uint32_t source)
{
	static const char *const names[] = {
		[VIRTIO_LOOPBACK_ICOUNT_NONE] = "none",
		[VIRTIO_LOOPBACK_ICOUNT_VIRTUAL] = "virtual",
		[VIRTIO_LOOPBACK_ICOUNT_PMU] = "pmu",
	};

	if (source >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[source];
}

const char *vl_replay_mode_name(uint32_t mode)
{
	static const char *const names[] = {
		[VIRTIO_LOOPBACK_REPLAY_MODE_NONE] = "none",
		[VIRTIO_LOOPBACK_REPLAY_MODE_RECORD] = "record",
		[VIRTIO_LOOPBACK_REPLAY_MODE_PLAY] = "play",
	};

	if (mode >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[mode];
}
