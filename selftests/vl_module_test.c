// SPDX-License-Identifier: GPL-2.0
/*
 * The module's interfaces exist and answer: the backend channel node, the
 * generic netlink family with its events group, debugfs, and vlctl on top.
 */
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/virtio_loopback.h>

#include "kselftest_harness.h"
#include "vl_genl.h"
#include "vl_test_util.h"

TEST(devnode_is_a_root_only_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(VL_DEVNODE, &st)) TH_LOG("%s: %s", VL_DEVNODE, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

TEST(root_can_open_devnode)
{
	int fd = open(VL_DEVNODE, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(errno));
	close(fd);
}

TEST(non_root_cannot_open_devnode)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = open(VL_DEVNODE, O_RDWR);
		_exit(fd < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("nobody could open %s", VL_DEVNODE);
}

FIXTURE(genl) {
	struct vl_genl genl;
};

FIXTURE_SETUP(genl)
{
	int err = vl_genl_open(&self->genl);

	ASSERT_EQ(0, err) TH_LOG("vl_genl_open: %s", strerror(-err));
}

FIXTURE_TEARDOWN(genl)
{
	vl_genl_close(&self->genl);
}

TEST_F(genl, family_has_version_1)
{
	EXPECT_LT(0, self->genl.family_id);
	EXPECT_EQ(VIRTIO_LOOPBACK_FAMILY_VERSION, self->genl.family_version);
}

TEST_F(genl, events_group_resolves)
{
	int grp = genl_ctrl_resolve_grp(self->genl.sock,
					 VIRTIO_LOOPBACK_FAMILY_NAME,
					 VIRTIO_LOOPBACK_MCGRP_EVENTS);

	EXPECT_LT(0, grp);
	/* Joining it must work for an unprivileged listener's socket too. */
	EXPECT_EQ(0, nl_socket_add_membership(self->genl.sock, grp));
}

TEST_F(genl, replay_get_answers_mode_none_icount_0)
{
	struct vl_replay_info info = { .mode = 99, .icount = 99 };

	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_EQ(VIRTIO_LOOPBACK_REPLAY_MODE_NONE, info.mode);
	EXPECT_EQ(0, info.icount);
}

TEST_F(genl, replay_get_rejects_attributes)
{
	struct nl_msg *msg;

	msg = vl_genl_new_request(&self->genl, VIRTIO_LOOPBACK_CMD_REPLAY_GET);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_MODE,
				 VIRTIO_LOOPBACK_REPLAY_MODE_PLAY));
	EXPECT_EQ(-EINVAL, vl_genl_transact(&self->genl, msg, NULL, NULL));
}

TEST_F(genl, unknown_attribute_is_rejected)
{
	struct nl_msg *msg;

	msg = vl_genl_new_request(&self->genl, VIRTIO_LOOPBACK_CMD_REPLAY_GET);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, VIRTIO_LOOPBACK_A_REPLAY_MAX + 1, 1));
	EXPECT_EQ(-EINVAL, vl_genl_transact(&self->genl, msg, NULL, NULL));
}

TEST_F(genl, unknown_command_is_rejected)
{
	struct nl_msg *msg = vl_genl_new_request(&self->genl,
						 VIRTIO_LOOPBACK_CMD_MAX + 1);

	ASSERT_NE(NULL, msg);
	EXPECT_EQ(-EOPNOTSUPP, vl_genl_transact(&self->genl, msg, NULL, NULL));
}

/*
 * 10 000 random requests to the family: random commands (known and not),
 * random attributes of random types and lengths, as root and as nobody.
 * Each gets an answer (0 or an errno), none changes anything it should
 * not, and the family still answers afterwards.
 */
#define RANDOM_MESSAGES 10000

static int send_random(struct vl_genl *genl, unsigned int *accepted)
{
	uint8_t cmd = random() % (VIRTIO_LOOPBACK_CMD_MAX + 3);
	struct nl_msg *msg = vl_genl_new_request(genl, cmd);
	int nattrs = random() % 4, err;
	unsigned char data[64];

	if (!msg)
		return -ENOMEM;
	for (int i = 0; i < nattrs; i++) {
		int len = random() % sizeof(data);

		for (int j = 0; j < len; j++)
			data[j] = random();
		if (random() % 4 == 0 && len)
			data[len - 1] = '\0';	/* sometimes a proper string */
		nla_put(msg, random() % (VIRTIO_LOOPBACK_A_REPLAY_MAX + 3), len,
			data);
	}
	err = vl_genl_transact(genl, msg, NULL, NULL);
	if (!err)
		(*accepted)++;
	return err;
}

TEST_F_TIMEOUT(genl, random_messages_get_answers_and_change_nothing, 300)
{
	struct vl_replay_info info;
	unsigned int accepted = 0;
	pid_t pid;
	int status;

	srandom(7);
	for (int i = 0; i < RANDOM_MESSAGES / 2; i++) {
		int err = send_random(&self->genl, &accepted);

		ASSERT_TRUE(err <= 0 && err > -4096) TH_LOG("message %d: %d", i, err);
	}
	TH_LOG("root: %u of %d accepted", accepted, RANDOM_MESSAGES / 2);
	/*
	 * The only state a message can change: recording on or off, the
	 * device side frozen (stop) or not.  Play mode needs a player's fd.
	 */
	vl_genl_record_stop(&self->genl);
	vl_genl_cont(&self->genl);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vl_genl genl;
		unsigned int changed = 0;

		if (setresuid(65534, 65534, 65534) || vl_genl_open(&genl))
			_exit(2);
		srandom(11);
		for (int i = 0; i < RANDOM_MESSAGES / 2; i++) {
			struct nl_msg *msg;
			int err;

			err = send_random(&genl, &changed);
			if (err > 0 || err <= -4096)
				_exit(3);
			/* Only REPLAY_GET may succeed for nobody. */
			msg = vl_genl_new_request(&genl, VIRTIO_LOOPBACK_CMD_RECORD_STOP);
			if (msg && vl_genl_transact(&genl, msg, NULL, NULL) != -EPERM)
				_exit(4);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("2: setup, 3: bad answer, 4: not EPERM");

	ASSERT_EQ(0, vl_genl_replay_get(&self->genl, &info));
	EXPECT_EQ(VIRTIO_LOOPBACK_REPLAY_MODE_NONE, info.mode);
}

TEST(debugfs_state_shows_mode_and_icount)
{
	char buf[1024];
	struct stat st;

	ASSERT_EQ(0, stat(VL_DEBUGFS "/state", &st));
	EXPECT_EQ(0400, st.st_mode & 0777);
	ASSERT_LT(0, vl_read_file(VL_DEBUGFS "/state", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "mode: none\n")) TH_LOG("state: %s", buf);
	EXPECT_NE(NULL, strstr(buf, "icount: 0\n")) TH_LOG("state: %s", buf);
	EXPECT_NE(NULL, strstr(buf, "api_version: 1\n")) TH_LOG("state: %s", buf);
}

TEST(vlctl_query_prints_the_state)
{
	char buf[256] = "";
	FILE *p = popen("vlctl query", "r");
	size_t len;

	ASSERT_NE(NULL, p);
	len = fread(buf, 1, sizeof(buf) - 1, p);
	buf[len] = '\0';
	EXPECT_EQ(0, pclose(p));
	EXPECT_EQ(0, strncmp(buf, "mode: none\nicount: 0\nicount source: none\n",
			     strlen("mode: none\nicount: 0\nicount source: none\n")))
		TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, " of 4194304 bytes waiting\n"))
		TH_LOG("%s", buf);
}

TEST_HARNESS_MAIN
