// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink client for the virtio_loopback family, on libnl-genl-3.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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
	char *error_msg;	/* the genl's, for the extack message */
	size_t error_msg_size;
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

/* A dump ends with NLMSG_DONE, which may carry an error of its own. */
static int vl_on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct vl_transaction *t = arg;
	int err;

	t->done = true;
	if (nlmsg_datalen(nlh) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0 && !t->err)
			t->err = err;
	}
	return NL_STOP;
}

/*
 * The NL_SET_ERR_MSG text of a refusal.  libnl 3.7 has no extack API:
 * libnl hands the error callback the payload of the NLMSG_ERROR message,
 * so its header lies just before it, and the TLVs follow the copy of the
 * request (only its header when the kernel capped it).
 */
static void vl_copy_extack(const struct nlmsgerr *e, char *buf, size_t size)
{
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t start = NLMSG_ALIGN(sizeof(*e)), len = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
		start += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (start >= len ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + start),
		      len - start, NULL) < 0 || !tb[NLMSGERR_ATTR_MSG])
		return;
	/* A string attribute need not hold its NUL within its length. */
	snprintf(buf, size, "%.*s", nla_len(tb[NLMSGERR_ATTR_MSG]),
		 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

static int vl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *nlerr,
		       void *arg)
{
	struct vl_transaction *t = arg;

	(void)nla;
	t->done = true;
	t->err = nlerr->error;
	vl_copy_extack(nlerr, t->error_msg, t->error_msg_size);
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
	/* Refusals then say why in words (NL_SET_ERR_MSG); a kernel without
	 * extack just sends the errno, so a failure here changes nothing. */
	setsockopt(nl_socket_get_fd(genl->sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &(int){ 1 }, sizeof(int));
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

static struct nl_msg *vl_genl_new_msg(const struct vl_genl *genl, uint8_t cmd,
				      int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, genl->family_id, 0,
			 flags, cmd, VIRTIO_LOOPBACK_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *vl_genl_new_request(const struct vl_genl *genl, uint8_t cmd)
{
	return vl_genl_new_msg(genl, cmd, NLM_F_REQUEST | NLM_F_ACK);
}

/*
 * A dump that started ends with NLMSG_DONE and is never acknowledged (the
 * kernel sends no ACK even where libnl asks for one): the transaction ends
 * at NLMSG_DONE.
 */
struct nl_msg *vl_genl_new_dump(const struct vl_genl *genl, uint8_t cmd)
{
	return vl_genl_new_msg(genl, cmd, NLM_F_REQUEST | NLM_F_DUMP);
}

int vl_genl_transact(struct vl_genl *genl, struct nl_msg *msg,
		     vl_genl_parse_fn parse, void *arg)
{
	struct vl_transaction t = {
		.parse = parse, .arg = arg, .error_msg = genl->error_msg,
		.error_msg_size = sizeof(genl->error_msg),
	};
	struct nl_cb *cb;
	int err;

	genl->error_msg[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vl_on_valid, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, vl_on_ack, &t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, vl_on_finish, &t);
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

/* Play mode's attributes: each may be absent (older kernels, other modes). */
static void vl_parse_play_state(struct nlattr **tb, struct vl_replay_info *info)
{
	struct nlattr *a;

	a = tb[VIRTIO_LOOPBACK_A_REPLAY_BREAK];
	info->has_break = a;
	if (a)
		info->break_icount = nla_get_u64(a);
	a = tb[VIRTIO_LOOPBACK_A_REPLAY_PAUSED];
	info->has_paused = a;
	if (a)
		info->paused = nla_get_u8(a);
	a = tb[VIRTIO_LOOPBACK_A_REPLAY_POSITION];
	info->has_position = a;
	if (a)
		info->position = nla_get_u64(a);
	a = tb[VIRTIO_LOOPBACK_A_REPLAY_END_ICOUNT];
	info->has_end_icount = a;
	if (a)
		info->end_icount = nla_get_u64(a);
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
	vl_parse_play_state(tb, info);
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

/* Send @msg, unless putting its attributes failed (@put_err): free it. */
static int vl_genl_send_put(struct vl_genl *genl, struct nl_msg *msg,
			    int put_err)
{
	if (put_err) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return vl_genl_transact(genl, msg, NULL, NULL);
}

int vl_genl_record_start(struct vl_genl *genl, const char *filename)
{
	struct nl_msg *msg;

	msg = vl_genl_new_request(genl, VIRTIO_LOOPBACK_CMD_RECORD_START);
	if (!msg)
		return -ENOMEM;
	return vl_genl_send_put(genl, msg, filename ?
				nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_FILENAME,
					       filename) : 0);
}

int vl_genl_record_stop(struct vl_genl *genl)
{
	return vl_genl_command(genl, VIRTIO_LOOPBACK_CMD_RECORD_STOP);
}

int vl_genl_command(struct vl_genl *genl, uint8_t cmd)
{
	struct nl_msg *msg = vl_genl_new_request(genl, cmd);

	if (!msg)
		return -ENOMEM;
	return vl_genl_transact(genl, msg, NULL, NULL);
}

int vl_genl_command_u64(struct vl_genl *genl, uint8_t cmd, int attr,
			uint64_t value)
{
	struct nl_msg *msg = vl_genl_new_request(genl, cmd);

	if (!msg)
		return -ENOMEM;
	return vl_genl_send_put(genl, msg, nla_put_u64(msg, attr, value));
}

int vl_genl_play_stop(struct vl_genl *genl)
{
	return vl_genl_command(genl, VIRTIO_LOOPBACK_CMD_PLAY_STOP);
}

int vl_genl_break_set(struct vl_genl *genl, uint64_t icount)
{
	return vl_genl_command_u64(genl, VIRTIO_LOOPBACK_CMD_BREAK_SET,
				   VIRTIO_LOOPBACK_A_REPLAY_BREAK, icount);
}

int vl_genl_break_delete(struct vl_genl *genl)
{
	return vl_genl_command(genl, VIRTIO_LOOPBACK_CMD_BREAK_DELETE);
}

int vl_genl_seek(struct vl_genl *genl, uint64_t icount)
{
	return vl_genl_command_u64(genl, VIRTIO_LOOPBACK_CMD_SEEK,
				   VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, icount);
}

int vl_genl_stop(struct vl_genl *genl)
{
	return vl_genl_command(genl, VIRTIO_LOOPBACK_CMD_STOP);
}

int vl_genl_cont(struct vl_genl *genl)
{
	return vl_genl_command(genl, VIRTIO_LOOPBACK_CMD_CONT);
}

/* Notifications carry the sequence number 0, not the socket's. */
static int vl_no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int vl_genl_subscribe_events(struct vl_genl *genl)
{
	int grp;

	grp = genl_ctrl_resolve_grp(genl->sock, VIRTIO_LOOPBACK_FAMILY_NAME,
				    VIRTIO_LOOPBACK_MCGRP_EVENTS);
	if (grp < 0)
		return -ENOENT;
	if (nl_socket_add_membership(genl->sock, grp) < 0)
		return -EPROTO;
	nl_socket_disable_seq_check(genl->sock);
	/* Room for a burst (a seek re-creates every device): fewer losses. */
	nl_socket_set_buffer_size(genl->sock, 1 << 20, 0);
	return 0;
}

int vl_genl_recv(struct vl_genl *genl, vl_genl_parse_fn parse, void *arg)
{
	struct vl_transaction t = { .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, vl_no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vl_on_valid, &t);
	err = nl_recvmsgs(genl->sock, cb);
	nl_cb_put(cb);
	/* libnl reports recvmsg()'s ENOBUFS, the overrun, as NLE_NOMEM. */
	if (err == -NLE_NOMEM)
		return -ENOBUFS;
	/* A non-blocking socket with nothing more to read. */
	if (err == -NLE_AGAIN)
		return -EAGAIN;
	if (err < 0)
		return -EIO;
	return t.err;
}

/* names[@i], or "unknown" for a value the table does not know. */
static const char *vl_name(const char *const *names, size_t n, uint32_t i)
{
	return i < n && names[i] ? names[i] : "unknown";
}

const char *vl_icount_source_name(uint32_t source)
{
	static const char *const names[] = {
		[VIRTIO_LOOPBACK_ICOUNT_NONE] = "none",
		[VIRTIO_LOOPBACK_ICOUNT_VIRTUAL] = "virtual",
		[VIRTIO_LOOPBACK_ICOUNT_PMU] = "pmu",
	};

	return vl_name(names, sizeof(names) / sizeof(names[0]), source);
}

const char *vl_stop_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[VIRTIO_LOOPBACK_STOP_USER] = "user",
		[VIRTIO_LOOPBACK_STOP_BREAK] = "break",
		[VIRTIO_LOOPBACK_STOP_SEEK] = "seek",
		[VIRTIO_LOOPBACK_STOP_DIVERGENCE] = "divergence",
		[VIRTIO_LOOPBACK_STOP_END] = "end",
		[VIRTIO_LOOPBACK_STOP_LOG_ERROR] = "log-error",
	};

	return vl_name(names, sizeof(names) / sizeof(names[0]), reason);
}

const char *vl_replay_mode_name(uint32_t mode)
{
	static const char *const names[] = {
		[VIRTIO_LOOPBACK_REPLAY_MODE_NONE] = "none",
		[VIRTIO_LOOPBACK_REPLAY_MODE_RECORD] = "record",
		[VIRTIO_LOOPBACK_REPLAY_MODE_PLAY] = "play",
	};

	return vl_name(names, sizeof(names) / sizeof(names[0]), mode);
}
