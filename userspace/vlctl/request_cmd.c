// SPDX-License-Identifier: GPL-2.0
/*
 * The subcommands that are one netlink request each:
 *
 *   vlctl start-recording | stop-recording | stop-replay | break ICOUNT |
 *         delete-break |
 *         seek ICOUNT | stop | cont        (QEMU's replay-break, stop, ...)
 *
 * start-recording records into the module's ring only, with no reader: a
 * flight recorder, whose newest records debugfs shows.
 *   vlctl devices [--json]                 (every device, one line each)
 *   vlctl divergence [--json]              (the last divergence)
 *
 * The controls print nothing when the kernel takes them (they take --json
 * all the same, for scripts that pass it to every subcommand); devices and
 * divergence print the reply's attributes as attrs.c renders them.  A
 * refusal is said in the kernel's words, its extack message (QEMU's texts,
 * such as "setting the breakpoint is allowed only in play mode").
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <netlink/msg.h>

#include <linux/virtio_loopback.h>

#include "attrs.h"
#include "vl_genl.h"
#include "vlctl.h"

static const struct vlctl_request {
	const char *name;
	const char *usage;
	uint8_t cmd;
	int icount_attr;	/* the ICOUNT operand's attribute; 0: none */
	bool dump;
	const struct vl_attr_set *reply;	/* printed; NULL: none */
	int known_err;		/* an errno said in vlctl's words: */
	const char *known;
} vlctl_requests[] = {
	{ "start-recording", "vlctl start-recording",
	  VIRTIO_LOOPBACK_CMD_RECORD_START, 0, false, NULL,
	  -EBUSY, "already recording, or playing" },
	{ "stop-recording", "vlctl stop-recording",
	  VIRTIO_LOOPBACK_CMD_RECORD_STOP, 0, false, NULL,
	  -EALREADY, "not recording" },
	{ "stop-replay", "vlctl stop-replay",
	  VIRTIO_LOOPBACK_CMD_PLAY_STOP, 0, false, NULL,
	  -EALREADY, "not playing" },
	{ "break", "vlctl break ICOUNT", VIRTIO_LOOPBACK_CMD_BREAK_SET,
	  VIRTIO_LOOPBACK_A_REPLAY_BREAK, false, NULL, 0, NULL },
	{ "delete-break", "vlctl delete-break",
	  VIRTIO_LOOPBACK_CMD_BREAK_DELETE, 0, false, NULL, 0, NULL },
	{ "seek", "vlctl seek ICOUNT", VIRTIO_LOOPBACK_CMD_SEEK,
	  VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, false, NULL, 0, NULL },
	{ "stop", "vlctl stop", VIRTIO_LOOPBACK_CMD_STOP, 0, false, NULL,
	  0, NULL },
	{ "cont", "vlctl cont", VIRTIO_LOOPBACK_CMD_CONT, 0, false, NULL,
	  0, NULL },
	{ "devices", "vlctl devices [--json]", VIRTIO_LOOPBACK_CMD_DEVICE_GET,
	  0, true, &vl_device_set, 0, NULL },
	{ "divergence", "vlctl divergence [--json]",
	  VIRTIO_LOOPBACK_CMD_DIVERGENCE_GET, 0, false, &vl_divergence_set,
	  -ENOENT, "no divergence" },
};

static const struct vlctl_request *find_request(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(vlctl_requests) / sizeof(vlctl_requests[0]); i++)
		if (!strcmp(name, vlctl_requests[i].name))
			return &vlctl_requests[i];
	return NULL;
}

/* The request, its ICOUNT operand put; NULL when out of memory. */
static struct nl_msg *build(struct vl_genl *genl,
			    const struct vlctl_request *r, uint64_t icount)
{
	struct nl_msg *msg = r->dump ? vl_genl_new_dump(genl, r->cmd) :
				       vl_genl_new_request(genl, r->cmd);

	if (msg && r->icount_attr && nla_put_u64(msg, r->icount_attr, icount)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int vlctl_request_main(struct vl_genl *genl, int argc, char **argv)
{
	const struct vlctl_request *r = find_request(argv[0]);
	struct vlctl_printer p;
	uint64_t icount = 0;
	struct vlctl_args a;
	struct nl_msg *msg;
	int err;

	if (!r)
		return 2;
	err = vlctl_parse_args(argc, argv, VLCTL_OPT_JSON,
			       r->icount_attr ? 1 : 0, r->usage, &a, stderr);
	if (!err && r->icount_attr)
		err = vlctl_parse_icount(r->name, a.operands[0], &icount);
	if (err)
		return err;
	if (vlctl_connect(genl))
		return 1;
	msg = build(genl, r, icount);
	if (!msg)
		return vlctl_refused(genl, r->name, -ENOMEM, NULL);
	p = (struct vlctl_printer){ .set = r->reply, .json = a.json };
	err = vl_genl_transact(genl, msg, r->reply ? vlctl_print_cb : NULL, &p);
	if (err)
		return vlctl_refused(genl, r->name, err,
				     err == r->known_err ? r->known : NULL);
	return 0;
}
