// SPDX-License-Identifier: GPL-2.0
/*
 * vlctl events [--json] [--count N]: the family's notifications as they
 * come, one line each, flushed at once (tests read them through a pipe).
 * Once subscribed it says so on stderr, "vlctl: listening for events", a
 * stable line that scripts wait for before they make something happen.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/virtio_loopback.h>

#include "attrs.h"
#include "vl_genl.h"
#include "vlctl.h"

static const struct vlctl_event {
	uint8_t cmd;
	const char *name;
	const struct vl_attr_set *set;
} vlctl_events[] = {
	{ VIRTIO_LOOPBACK_CMD_STOPPED_NTF, "stopped", &vl_stopped_set },
	{ VIRTIO_LOOPBACK_CMD_RESUMED_NTF, "resumed", &vl_resumed_set },
	{ VIRTIO_LOOPBACK_CMD_DIVERGENCE_NTF, "divergence", &vl_divergence_set },
	{ VIRTIO_LOOPBACK_CMD_LOSS_NTF, "loss", &vl_loss_set },
	{ VIRTIO_LOOPBACK_CMD_DEVICE_ADDED_NTF, "device-added", &vl_device_set },
	{ VIRTIO_LOOPBACK_CMD_DEVICE_REMOVED_NTF, "device-removed", &vl_device_set },
};

struct vlctl_listener {
	int family_id;
	bool json;
	bool has_count;
	uint64_t count;		/* with has_count: print no more than these */
	uint64_t seen;
};

static const struct vlctl_event *find_event(uint8_t cmd)
{
	size_t i;

	for (i = 0; i < sizeof(vlctl_events) / sizeof(vlctl_events[0]); i++)
		if (vlctl_events[i].cmd == cmd)
			return &vlctl_events[i];
	return NULL;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct vlctl_listener *l = arg;
	const struct vlctl_event *ev;
	int err;

	if (nlh->nlmsg_type != l->family_id || !genlmsg_valid_hdr(nlh, 0))
		return 0;
	/* One datagram may hold more than --count still wants. */
	if (l->has_count && l->seen >= l->count)
		return 0;
	/* A notification of a newer module: nothing this vlctl can name. */
	ev = find_event(((struct genlmsghdr *)nlmsg_data(nlh))->cmd);
	if (!ev)
		return 0;
	err = vlctl_print_msg(stdout, msg, ev->set, ev->name, l->json);
	if (!err)
		l->seen++;
	return err;
}

static int listen_events(struct vl_genl *genl, struct vlctl_listener *l)
{
	int err;

	while (!l->has_count || l->seen < l->count) {
		err = vl_genl_recv(genl, on_event, l);
		if (err == -ENOBUFS) {
			fprintf(stderr, "vlctl: events were lost: the socket's buffer overflowed\n");
			continue;
		}
		if (err) {
			fprintf(stderr, "vlctl: events: %s\n", strerror(-err));
			return 1;
		}
	}
	return 0;
}

int vlctl_events_main(struct vl_genl *genl, int argc, char **argv)
{
	struct vlctl_listener l;
	struct vlctl_args a;
	int err;

	err = vlctl_parse_args(argc, argv, VLCTL_OPT_JSON | VLCTL_OPT_COUNT, 0,
			       "vlctl events [--json] [--count N]", &a, stderr);
	if (err)
		return err;
	if (vlctl_connect(genl))
		return 1;
	err = vl_genl_subscribe_events(genl);
	if (err) {
		fprintf(stderr, "vlctl: cannot join the events group: %s\n",
			strerror(-err));
		return 1;
	}
	fprintf(stderr, "vlctl: listening for events\n");
	l = (struct vlctl_listener){
		.family_id = genl->family_id, .json = a.json,
		.has_count = a.has_count, .count = a.count,
	};
	return listen_events(genl, &l);
}
