// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of vlctl's netlink side without the module: what `vlctl
 * devices`, `divergence` and `events` print for a message (attrs.c, on
 * messages built here), and the library's transactions (vl_genl.c) against
 * the host kernel's own generic netlink controller, "nlctrl": a refusal's
 * extack message reaches the caller, a dump ends at NLMSG_DONE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/genetlink.h>

#include <linux/virtio_loopback.h>

#include "kselftest_harness.h"
#include "attrs.h"
#include "vl_genl.h"

/* ---- Printing ----------------------------------------------------------- */

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, cmd, 1);
	return msg;
}

/* What vlctl_print_msg() prints for @msg, as a malloc'ed string. */
static char *print(struct nl_msg *msg, const struct vl_attr_set *set,
		   const char *event, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (vlctl_print_msg(out, msg, set, event, json))
		fputs("(error)", out);
	fclose(out);
	return buf;
}

#define EXPECT_PRINTS(want, msg, set, event, json) do { \
	char *got_ = print(msg, set, event, json); \
	EXPECT_STREQ(want, got_); \
	free(got_); \
} while (0)

static struct nl_msg *device_msg(uint8_t cmd)
{
	struct nl_msg *msg = new_msg(cmd);

	nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_INDEX, 3);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_DEVICE_ID, 2);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_STATUS, 0xf);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_DEVICE_DEVICE_FEATURES, 1ULL << 32 | 0x200);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_NUM_QUEUES, 1);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_DEVICE_REQUESTS, UINT64_MAX);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_DEVICE_LOG_INDEX, 0);
	return msg;
}

TEST(device_lines_name_vlN_and_show_hex)
{
	struct nl_msg *msg = device_msg(VIRTIO_LOOPBACK_CMD_DEVICE_GET);

	EXPECT_PRINTS("vl3 device-id=2 status=0xf device-features=0x100000200 num-queues=1 requests=18446744073709551615 log-index=vl0\n",
		      msg, &vl_device_set, NULL, false);
	EXPECT_PRINTS("{\"index\":3,\"device-id\":2,\"status\":15,\"device-features\":4294967808,\"num-queues\":1,\"requests\":18446744073709551615,\"log-index\":0}\n",
		      msg, &vl_device_set, NULL, true);
	EXPECT_PRINTS("device-added vl3 device-id=2 status=0xf device-features=0x100000200 num-queues=1 requests=18446744073709551615 log-index=vl0\n",
		      msg, &vl_device_set, "device-added", false);
	nlmsg_free(msg);
}

TEST(divergence_quotes_its_message)
{
	struct nl_msg *msg = new_msg(VIRTIO_LOOPBACK_CMD_DIVERGENCE_NTF);

	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, 12345);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_DEVICE, 1);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_QUEUE, VIRTIO_LOOPBACK_LOG_NO_QUEUE);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_RECORD, 17);
	nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_FIELD, "out-data[12]");
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_EXPECTED, 65);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_ACTUAL, 66);
	nla_put_string(msg, VIRTIO_LOOPBACK_A_REPLAY_MESSAGE,
		       "vl1: byte 12 is \"B\", the log has \"A\"\n");
	EXPECT_PRINTS("divergence icount=12345 device=vl1 queue=- record=17 field=out-data[12] expected=65 actual=66 message=\"vl1: byte 12 is \\\"B\\\", the log has \\\"A\\\"\\x0a\"\n",
		      msg, &vl_divergence_set, "divergence", false);
	EXPECT_PRINTS("{\"event\":\"divergence\",\"icount\":12345,\"device\":1,\"queue\":null,\"record\":17,\"field\":\"out-data[12]\",\"expected\":65,\"actual\":66,\"message\":\"vl1: byte 12 is \\\"B\\\", the log has \\\"A\\\"\\n\"}\n",
		      msg, &vl_divergence_set, "divergence", true);
	nlmsg_free(msg);
}

TEST(stopped_names_its_reason)
{
	struct nl_msg *msg = new_msg(VIRTIO_LOOPBACK_CMD_STOPPED_NTF);

	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, 99);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_REASON, VIRTIO_LOOPBACK_STOP_LOG_ERROR);
	EXPECT_PRINTS("stopped icount=99 reason=log-error\n", msg,
		      &vl_stopped_set, "stopped", false);
	EXPECT_PRINTS("{\"event\":\"stopped\",\"icount\":99,\"reason\":\"log-error\"}\n",
		      msg, &vl_stopped_set, "stopped", true);
	nlmsg_free(msg);

	msg = new_msg(VIRTIO_LOOPBACK_CMD_STOPPED_NTF);
	nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_REASON, 1000);
	EXPECT_PRINTS("stopped reason=unknown\n", msg, &vl_stopped_set,
		      "stopped", false);
	nlmsg_free(msg);
}

/* Only what the set names is printed: a newer module's extra is not. */
TEST(attributes_outside_the_set_are_left_out)
{
	struct nl_msg *msg = new_msg(VIRTIO_LOOPBACK_CMD_LOSS_NTF);

	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_LOST, 7);
	nla_put_u64(msg, VIRTIO_LOOPBACK_A_REPLAY_ICOUNT, 5);
	EXPECT_PRINTS("loss lost=7\n", msg, &vl_loss_set, "loss", false);
	nlmsg_free(msg);

	msg = new_msg(VIRTIO_LOOPBACK_CMD_RESUMED_NTF);
	EXPECT_PRINTS("{\"event\":\"resumed\"}\n", msg, &vl_resumed_set,
		      "resumed", true);
	nlmsg_free(msg);
}

/* ---- Transactions, against nlctrl --------------------------------------- */

FIXTURE(ctrl)
{
	struct vl_genl genl;
};

/* The library's socket, on the controller's family instead of ours. */
FIXTURE_SETUP(ctrl)
{
	memset(&self->genl, 0, sizeof(self->genl));
	self->genl.sock = nl_socket_alloc();
	ASSERT_NE(NULL, self->genl.sock);
	if (genl_connect(self->genl.sock) < 0)
		SKIP(return, "no generic netlink socket here");
	setsockopt(nl_socket_get_fd(self->genl.sock), SOL_NETLINK,
		   NETLINK_EXT_ACK, &(int){ 1 }, sizeof(int));
	self->genl.family_id = GENL_ID_CTRL;
}

FIXTURE_TEARDOWN(ctrl)
{
	nl_socket_free(self->genl.sock);
}

static int count_replies(struct nl_msg *msg, void *arg)
{
	(void)msg;
	++*(int *)arg;
	return 0;
}

TEST_F(ctrl, a_refusal_brings_its_extack_message)
{
	struct nl_msg *msg;
	int n = 0;

	/* GETPOLICY is strictly validated: an unknown attribute is refused
	 * with NL_SET_ERR_MSG_ATTR's text. */
	msg = vl_genl_new_dump(&self->genl, CTRL_CMD_GETPOLICY);
	nla_put_u32(msg, 100, 5);
	EXPECT_EQ(-EINVAL, vl_genl_transact(&self->genl, msg, NULL, NULL));
	EXPECT_STREQ("Unknown attribute type", self->genl.error_msg);

	/* The next transaction starts with no message. */
	msg = vl_genl_new_dump(&self->genl, CTRL_CMD_GETFAMILY);
	EXPECT_EQ(0, vl_genl_transact(&self->genl, msg, count_replies, &n));
	EXPECT_STREQ("", self->genl.error_msg);
}

TEST_F(ctrl, a_dump_ends_at_done)
{
	struct nl_msg *msg;
	int n = 0;

	msg = vl_genl_new_dump(&self->genl, CTRL_CMD_GETFAMILY);
	EXPECT_EQ(0, vl_genl_transact(&self->genl, msg, count_replies, &n));
	EXPECT_LE(1, n);	/* nlctrl itself */
}

TEST_F(ctrl, a_refusal_is_the_kernels_errno)
{
	struct nl_msg *msg = vl_genl_new_request(&self->genl, CTRL_CMD_GETFAMILY);

	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, "nosuchfamily");
	EXPECT_EQ(-ENOENT, vl_genl_transact(&self->genl, msg, NULL, NULL));
}

TEST_HARNESS_MAIN
