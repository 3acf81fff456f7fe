// SPDX-License-Identifier: GPL-2.0
/*
 * vl-backend's vhost-user layers on the host, against a back-end the test
 * plays on the other end of a socketpair (vhost_user_msg.c) and against
 * used rings the test writes itself (vhost_user_mem.c): every way a
 * back-end can answer wrongly is an error that says what was wrong, and
 * nothing is read or written outside what was asked for.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vhost_user_mem.h"
#include "vhost_user_msg.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* What the fake back-end writes: a header and @size bytes of payload. */
static void peer_write(int fd, uint32_t request, uint32_t flags,
		       uint32_t size, const void *payload, size_t len)
{
	struct vu_header h = { request, flags, size };

	if (write(fd, &h, sizeof(h)) != sizeof(h) ||
	    (len && write(fd, payload, len) != (ssize_t)len))
		abort();
}

FIXTURE(conn) {
	struct vu_conn c;
	int peer;
};

FIXTURE_SETUP(conn)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	memset(&self->c, 0, sizeof(self->c));
	self->c.fd = sv[0];
	self->peer = sv[1];
}

FIXTURE_TEARDOWN(conn)
{
	vu_close(&self->c);
	close(self->peer);
}

TEST_F(conn, get_features_returns_the_value)
{
	uint64_t v = 0x175007e46ull, got = 0;
	struct vu_msg sent;

	peer_write(self->peer, VU_GET_FEATURES, VU_VERSION | VU_FLAG_REPLY,
		   8, &v, 8);
	ASSERT_EQ(0, vu_get_u64(&self->c, VU_GET_FEATURES, &got));
	EXPECT_EQ(v, got);
	/* What went out is a bare header with the version. */
	ASSERT_EQ(0, vu_recv(self->peer, &sent, 1000, self->c.error,
			     sizeof(self->c.error)));
	EXPECT_EQ(VU_GET_FEATURES, sent.hdr.request);
	EXPECT_EQ(VU_VERSION, sent.hdr.flags);
	EXPECT_EQ(0, sent.hdr.size);
}

TEST_F(conn, reply_to_another_request_is_an_error)
{
	uint64_t v = 1, got = 0;

	peer_write(self->peer, VU_GET_QUEUE_NUM, VU_VERSION | VU_FLAG_REPLY,
		   8, &v, 8);
	EXPECT_EQ(-EPROTO, vu_get_u64(&self->c, VU_GET_FEATURES, &got));
	EXPECT_NE(NULL, strstr(self->c.error, "answered GET_FEATURES with GET_QUEUE_NUM"))
		TH_LOG("%s", self->c.error);
	EXPECT_EQ(0, got);
}

TEST_F(conn, reply_without_reply_flag_is_an_error)
{
	uint64_t v = 1, got = 0;

	peer_write(self->peer, VU_GET_FEATURES, VU_VERSION, 8, &v, 8);
	EXPECT_EQ(-EPROTO, vu_get_u64(&self->c, VU_GET_FEATURES, &got));
	EXPECT_NE(NULL, strstr(self->c.error, "not marked as a reply"));
}

TEST_F(conn, reply_of_the_wrong_size_is_an_error)
{
	uint32_t v = 1;
	uint64_t got = 0;

	peer_write(self->peer, VU_GET_FEATURES, VU_VERSION | VU_FLAG_REPLY,
		   4, &v, 4);
	EXPECT_EQ(-EPROTO, vu_get_u64(&self->c, VU_GET_FEATURES, &got));
	EXPECT_NE(NULL, strstr(self->c.error, "with 4 bytes, not 8"))
		TH_LOG("%s", self->c.error);
}

TEST_F(conn, oversized_payload_is_refused_unread)
{
	uint64_t got = 0;

	peer_write(self->peer, VU_GET_FEATURES, VU_VERSION | VU_FLAG_REPLY,
		   1u << 30, NULL, 0);
	EXPECT_EQ(-EPROTO, vu_get_u64(&self->c, VU_GET_FEATURES, &got));
	EXPECT_NE(NULL, strstr(self->c.error, "more than any message has"));
}

TEST_F(conn, wrong_version_is_an_error)
{
	uint64_t v = 1, got = 0;

	peer_write(self->peer, VU_GET_FEATURES, 2 | VU_FLAG_REPLY, 8, &v, 8);
	EXPECT_EQ(-EPROTO, vu_get_u64(&self->c, VU_GET_FEATURES, &got));
	EXPECT_NE(NULL, strstr(self->c.error, "version 2"));
}

TEST_F(conn, connection_closed_mid_reply_is_an_error)
{
	uint32_t half = 7;
	uint64_t got = 0;

	peer_write(self->peer, VU_GET_FEATURES, VU_VERSION | VU_FLAG_REPLY,
		   8, &half, 4);
	shutdown(self->peer, SHUT_WR);
	EXPECT_EQ(-EPROTO, vu_get_u64(&self->c, VU_GET_FEATURES, &got));
	EXPECT_NE(NULL, strstr(self->c.error, "closed the connection"));
	EXPECT_EQ(0, got);
}

TEST_F(conn, unasked_fds_are_closed)
{
	uint64_t v = 3, got = 0;
	char control[CMSG_SPACE(sizeof(int) * 2)];
	struct vu_header h = { VU_GET_FEATURES, VU_VERSION | VU_FLAG_REPLY, 8 };
	char buf[sizeof(h) + 8];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);
	int fds[2] = { open("/dev/null", O_RDONLY), open("/dev/null", O_RDONLY) };
	int before;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &v, 8);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cmsg), fds, sizeof(fds));
	ASSERT_EQ(sizeof(buf), sendmsg(self->peer, &mh, 0));
	close(fds[0]);
	close(fds[1]);
	before = count_fds();
	ASSERT_EQ(0, vu_get_u64(&self->c, VU_GET_FEATURES, &got));
	EXPECT_EQ(3, got);
	EXPECT_EQ(before, count_fds());
}

TEST_F(conn, refusal_under_reply_ack_is_reported)
{
	uint64_t status = 1;

	self->c.reply_ack = true;
	peer_write(self->peer, VU_SET_FEATURES, VU_VERSION | VU_FLAG_REPLY,
		   8, &status, 8);
	EXPECT_EQ(-EPROTO, vu_set_u64(&self->c, VU_SET_FEATURES, 0));
	EXPECT_NE(NULL, strstr(self->c.error, "refused SET_FEATURES"))
		TH_LOG("%s", self->c.error);
}

TEST_F(conn, set_mem_table_passes_the_fd_and_one_region)
{
	struct vu_mem_region r = { 0, 1 << 20, 0x7f0000000000ull, 0 };
	struct vu_msg got;
	uint64_t ack = 0;
	int fd = open("/dev/null", O_RDONLY);

	self->c.reply_ack = true;
	peer_write(self->peer, VU_SET_MEM_TABLE, VU_VERSION | VU_FLAG_REPLY,
		   8, &ack, 8);
	ASSERT_EQ(0, vu_set_mem_table(&self->c, &r, fd));
	close(fd);
	ASSERT_EQ(0, vu_recv(self->peer, &got, 1000, self->c.error,
			     sizeof(self->c.error)));
	EXPECT_EQ(VU_SET_MEM_TABLE, got.hdr.request);
	EXPECT_EQ(VU_VERSION | VU_FLAG_NEED_REPLY, got.hdr.flags);
	EXPECT_EQ(8 + sizeof(r), got.hdr.size);
	EXPECT_EQ(1, got.payload.mem.nregions);
	EXPECT_EQ(r.userspace_addr, got.payload.mem.regions[0].userspace_addr);
	EXPECT_EQ(1, got.nfds);
	vu_msg_close_fds(&got);
}

TEST_F(conn, get_config_error_reply_is_eio)
{
	/* libvhost-user's way of saying no: the reply with no payload. */
	peer_write(self->peer, VU_GET_CONFIG, VU_VERSION | VU_FLAG_REPLY, 0,
		   NULL, 0);
	uint8_t buf[72];

	EXPECT_EQ(-EIO, vu_get_config(&self->c, 0, sizeof(buf), buf));
	EXPECT_EQ(-EINVAL, vu_get_config(&self->c, 0, VU_MAX_CONFIG_SIZE + 1,
					 buf));
}

/* ---- Shadow rings ------------------------------------------------------ */

FIXTURE(ring) {
	struct vu_mem mem;
	struct vu_ring *r;
	struct virtio_loopback_seg segs[3];
	uint8_t out[16];
	struct vl_request req;
};

FIXTURE_SETUP(ring)
{
	ASSERT_EQ(0, vu_mem_create(&self->mem, 1, 4, 8192));
	self->r = &self->mem.rings[0];
	/* virtio-blk's read: header out, data and status in. */
	self->segs[0] = (struct virtio_loopback_seg){ 16, 0 };
	self->segs[1] = (struct virtio_loopback_seg){ 4096, VIRTIO_LOOPBACK_SEG_WRITE };
	self->segs[2] = (struct virtio_loopback_seg){ 1, VIRTIO_LOOPBACK_SEG_WRITE };
	memset(self->out, 0x11, sizeof(self->out));
	self->req = (struct vl_request){
		.id = 42, .queue = 0, .nsegs = 3, .out_len = 16,
		.in_len = 4097, .segs = self->segs, .out = self->out,
	};
}

FIXTURE_TEARDOWN(ring)
{
	vu_mem_destroy(&self->mem);
}

static void push_used(struct vu_ring *r, uint32_t id, uint32_t len)
{
	uint16_t idx = r->used->idx;

	r->used->ring[idx % r->num].id = id;
	r->used->ring[idx % r->num].len = len;
	r->used->idx = idx + 1;
}

TEST_F(ring, request_keeps_its_segment_layout)
{
	const struct vring_desc *table;
	uint32_t slot, len;
	const char *why;
	int s;

	s = vu_ring_add(&self->mem, self->r, &self->req);
	ASSERT_LE(0, s);
	EXPECT_EQ(1, self->r->avail->idx);
	EXPECT_EQ(s, self->r->avail->ring[0]);
	EXPECT_EQ(VRING_DESC_F_INDIRECT, self->r->desc[s].flags);
	EXPECT_EQ(3 * sizeof(struct vring_desc), self->r->desc[s].len);
	table = (const struct vring_desc *)(self->mem.base + self->r->desc[s].addr);
	EXPECT_EQ(16, table[0].len);
	EXPECT_EQ(VRING_DESC_F_NEXT, table[0].flags);
	EXPECT_EQ(4096, table[1].len);
	EXPECT_EQ(VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, table[1].flags);
	EXPECT_EQ(1, table[2].len);
	EXPECT_EQ(VRING_DESC_F_WRITE, table[2].flags);
	EXPECT_EQ(table[0].addr + 16, table[1].addr);
	EXPECT_EQ(0, memcmp(self->mem.base + table[0].addr, self->out, 16));

	/* The back-end answers: data and status land in the in-data. */
	memset(self->mem.base + table[1].addr, 0x5a, 4096);
	self->mem.base[table[2].addr] = 0;
	push_used(self->r, s, 4097);
	ASSERT_EQ(1, vu_ring_next_used(self->r, &slot, &len, &why));
	EXPECT_EQ(s, slot);
	EXPECT_EQ(4097, len);
	EXPECT_EQ(0x5a, vu_ring_in_data(&self->mem, self->r, slot)[0]);
	EXPECT_EQ(0, vu_ring_in_data(&self->mem, self->r, slot)[4096]);
	EXPECT_EQ(42, self->r->slots[slot].id);
	vu_ring_release(self->r, slot);
	EXPECT_EQ(0, vu_ring_next_used(self->r, &slot, &len, &why));
}

TEST_F(ring, used_index_ahead_of_requests_is_refused)
{
	uint32_t slot, len;
	const char *why = NULL;
	int s = vu_ring_add(&self->mem, self->r, &self->req);

	ASSERT_LE(0, s);
	push_used(self->r, s, 1);
	push_used(self->r, s, 1);
	EXPECT_EQ(-EPROTO, vu_ring_next_used(self->r, &slot, &len, &why));
	EXPECT_NE(NULL, why);
}

TEST_F(ring, used_entry_not_in_flight_is_refused)
{
	uint32_t slot, len;
	const char *why = NULL;
	int s = vu_ring_add(&self->mem, self->r, &self->req);

	ASSERT_LE(0, s);
	push_used(self->r, (s + 1) % 4, 1);
	EXPECT_EQ(-EPROTO, vu_ring_next_used(self->r, &slot, &len, &why));
	self->r->used->ring[0].id = 1000;
	EXPECT_EQ(-EPROTO, vu_ring_next_used(self->r, &slot, &len, &why));
}

TEST_F(ring, used_length_beyond_writable_is_refused)
{
	uint32_t slot, len;
	const char *why = NULL;
	int s = vu_ring_add(&self->mem, self->r, &self->req);

	ASSERT_LE(0, s);
	push_used(self->r, s, 4098);
	EXPECT_EQ(-EPROTO, vu_ring_next_used(self->r, &slot, &len, &why));
	EXPECT_STREQ("used length is larger than the writable buffers", why);
}

TEST_F(ring, full_big_and_misshapen_requests_are_refused)
{
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_LE(0, vu_ring_add(&self->mem, self->r, &self->req));
	EXPECT_EQ(-ENOSPC, vu_ring_add(&self->mem, self->r, &self->req));
	vu_mem_reset(&self->mem);

	self->segs[1].len = 8192;
	self->req.in_len = 8193;
	EXPECT_EQ(-E2BIG, vu_ring_add(&self->mem, self->r, &self->req));

	/* A readable segment after a writable one. */
	self->segs[1] = (struct virtio_loopback_seg){ 1, VIRTIO_LOOPBACK_SEG_WRITE };
	self->segs[2] = (struct virtio_loopback_seg){ 1, 0 };
	self->req.out_len = 17;
	self->req.in_len = 1;
	EXPECT_EQ(-EINVAL, vu_ring_add(&self->mem, self->r, &self->req));
	/* Lengths that contradict the segments. */
	self->segs[2].flags = VIRTIO_LOOPBACK_SEG_WRITE;
	self->req.out_len = 16;
	self->req.in_len = 5;
	EXPECT_EQ(-EINVAL, vu_ring_add(&self->mem, self->r, &self->req));
	self->req.nsegs = 0;
	EXPECT_EQ(-EINVAL, vu_ring_add(&self->mem, self->r, &self->req));
	EXPECT_EQ(0, self->r->avail->idx);
}

TEST_HARNESS_MAIN
