// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop every device model runs in: one read() takes a batch of
 * the driver's messages, each is handed to the model, and the completions
 * the model produces go back in one write() per batch.  No allocation per
 * request: the read buffer and the completion batch are allocated once.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <linux/virtio_config.h>

#include "backend.h"

/* Past this, a message the kernel cannot fit into read() is a bug. */
#define VL_READ_BUF_LIMIT	(256u << 20)
/* The model's own descriptors, beside the channel and the signals. */
#define VL_MAX_DEVICE_FDS	4
/* How often to ask whether the device is registered yet, in ms. */
#define VL_REGISTER_POLL_MS	20

struct vl_loop {
	struct vl_device *dev;
	const struct vl_serve_options *opts;
	const char *path;
	int chan;
	int sig_fd;
	int index;			/* N of vlN */
	uint8_t *rbuf;
	size_t rcap;
	struct vl_batch batch;
	bool announced;
	bool stop;			/* a signal asked us to */
	bool fatal;			/* something went wrong: exit 1 */
	bool warned_unknown;
	bool stats_warned;
	/* For --stats: every request must end as a completion. */
	uint64_t requests;		/* requests to complete */
	uint64_t posted;		/* already returned by the transport */
	uint64_t completions;
};

/* ---- Completions --------------------------------------------------------- */

static void vl_report_reject(const struct vl_msg *msg, int err, void *arg)
{
	(void)arg;
	switch (msg->type) {
	case VIRTIO_LOOPBACK_MSG_COMPLETE:
		vl_err("the kernel refused COMPLETE of request %#llx on queue %u (%u bytes): %s",
		       (unsigned long long)msg->complete.id,
		       msg->complete.queue, msg->complete.len, strerror(-err));
		break;
	case VIRTIO_LOOPBACK_MSG_CONFIG_CHANGE:
		vl_err("the kernel refused CONFIG_CHANGE of %u bytes at %u: %s",
		       msg->config.size, msg->config.offset, strerror(-err));
		break;
	default:
		vl_err("the kernel refused %s: %s", vl_msg_type_name(msg->type),
		       strerror(-err));
		break;
	}
}

static void vl_flush(struct vl_loop *loop)
{
	int ret;

	if (!loop->batch.len)
		return;
	ret = vl_batch_flush(&loop->batch, loop->chan, vl_report_reject, loop);
	if (ret < 0 && !loop->fatal) {
		vl_err("cannot write to %s: %s", loop->path, strerror(-ret));
		loop->fatal = true;
	}
}

void *vl_complete_begin(struct vl_loop *loop, uint64_t id, uint32_t queue,
			uint32_t max_len)
{
	void *data;

	if (loop->fatal)
		return NULL;
	data = vl_batch_complete_begin(&loop->batch, id, queue, max_len);
	if (!data && loop->batch.len) {
		vl_flush(loop);
		data = vl_batch_complete_begin(&loop->batch, id, queue,
					       max_len);
	}
	if (!data && !loop->fatal) {
		vl_err("out of memory for a completion of %u bytes", max_len);
		loop->fatal = true;
	}
	return loop->fatal ? NULL : data;
}

void vl_complete_end(struct vl_loop *loop, uint32_t len)
{
	vl_batch_complete_end(&loop->batch, len);
	loop->completions++;
}

void vl_complete(struct vl_loop *loop, uint64_t id, uint32_t queue,
		 const void *data, uint32_t len)
{
	void *dst = vl_complete_begin(loop, id, queue, len);

	if (!dst)
		return;
	if (len)
		memcpy(dst, data, len);
	vl_complete_end(loop, len);
}

void vl_fail(struct vl_loop *loop)
{
	loop->fatal = true;
}

void vl_config_changed(struct vl_loop *loop, struct vl_device *dev,
		       uint32_t offset, uint32_t size)
{
	int err;

	if ((uint64_t)offset + size > dev->config_size || loop->fatal)
		return;
	err = vl_batch_add_config_change(&loop->batch, offset,
					 dev->config + offset, size);
	if (err == -ENOSPC) {
		vl_flush(loop);
		err = vl_batch_add_config_change(&loop->batch, offset,
						 dev->config + offset, size);
	}
	if (err && !loop->fatal) {
		vl_err("cannot queue a config change: %s", strerror(-err));
		loop->fatal = true;
	}
}

/* ---- The driver's messages ---------------------------------------------- */

static void vl_on_status(struct vl_loop *loop, uint32_t status)
{
	struct vl_device *dev = loop->dev;

	vl_debug("driver status %#x%s%s%s%s%s", status,
		 status & VIRTIO_CONFIG_S_ACKNOWLEDGE ? " ACKNOWLEDGE" : "",
		 status & VIRTIO_CONFIG_S_DRIVER ? " DRIVER" : "",
		 status & VIRTIO_CONFIG_S_FEATURES_OK ? " FEATURES_OK" : "",
		 status & VIRTIO_CONFIG_S_DRIVER_OK ? " DRIVER_OK" : "",
		 status & VIRTIO_CONFIG_S_FAILED ? " FAILED" : "");
	if ((status & VIRTIO_CONFIG_S_FAILED) &&
	    !(dev->status & VIRTIO_CONFIG_S_FAILED))
		vl_warn("the %s driver gave up on vl%d (status FAILED)",
			dev->name, loop->index);
	dev->status = status;
	if (dev->ops->status)
		dev->ops->status(dev, loop);
}

static void vl_on_config(struct vl_loop *loop, const struct vl_msg *msg)
{
	struct vl_device *dev = loop->dev;
	uint32_t off = msg->config.offset, size = msg->config.size;

	vl_debug("driver wrote %u config bytes at %u", size, off);
	if ((uint64_t)off + size > dev->config_size) {
		vl_warn("driver wrote config bytes %u..%u, past the %u of this device",
			off, off + size, dev->config_size);
		return;
	}
	memcpy(dev->config + off, msg->config.data, size);
	if (dev->ops->config_write)
		dev->ops->config_write(dev, off, size);
}

static void vl_on_request(struct vl_loop *loop, const struct vl_request *req)
{
	struct vl_device *dev = loop->dev;

	if (req->posted)
		loop->posted++;
	else
		loop->requests++;
	if (req->queue >= dev->desc.num_queues) {
		/* The kernel checks this; answer rather than leave it hanging. */
		vl_warn("request %#llx on queue %u, the device has %u",
			(unsigned long long)req->id, req->queue,
			dev->desc.num_queues);
		if (!req->posted)
			vl_complete(loop, req->id, req->queue, NULL, 0);
		return;
	}
	dev->ops->request(dev, loop, req);
}

static void vl_dispatch(struct vl_loop *loop, const struct vl_msg *msg)
{
	struct vl_device *dev = loop->dev;

	switch (msg->type) {
	case VIRTIO_LOOPBACK_MSG_RESET:
		vl_debug("driver reset the device (epoch %u)",
			 msg->reset.epoch);
		if (dev->ops->reset)
			dev->ops->reset(dev);
		break;
	case VIRTIO_LOOPBACK_MSG_FEATURES:
		vl_debug("driver accepted features %#llx",
			 (unsigned long long)msg->features.driver_features);
		dev->driver_features = msg->features.driver_features;
		break;
	case VIRTIO_LOOPBACK_MSG_QUEUE:
		vl_debug("queue %u: size %u", msg->queue.queue,
			 msg->queue.size);
		break;
	case VIRTIO_LOOPBACK_MSG_CONFIG:
		vl_on_config(loop, msg);
		break;
	case VIRTIO_LOOPBACK_MSG_STATUS:
		vl_on_status(loop, msg->status.status);
		break;
	case VIRTIO_LOOPBACK_MSG_REQUEST:
		vl_on_request(loop, &msg->request);
		break;
	default:
		/* A newer kernel's message: its length lets us step over it. */
		if (!loop->warned_unknown)
			vl_warn("ignoring messages of %s from the kernel",
				vl_msg_type_name(msg->type));
		loop->warned_unknown = true;
		break;
	}
}

static void vl_parse_batch(struct vl_loop *loop, size_t len)
{
	struct vl_parser p;
	struct vl_msg msg;
	int ret;

	vl_parser_init(&p, loop->rbuf, len);
	while ((ret = vl_parser_next(&p, &msg)) != 0 && !loop->fatal) {
		if (ret == -EBADMSG) {
			vl_err("malformed batch from the kernel: %s", p.error);
			loop->fatal = true;
		} else if (ret < 0) {
			vl_err("ignoring a malformed message from the kernel: %s",
			       p.error);
		} else {
			vl_dispatch(loop, &msg);
		}
	}
	if (loop->dev->ops->batch_done && !loop->fatal)
		loop->dev->ops->batch_done(loop->dev, loop);
}

/* The first message did not fit: the kernel kept it, take a bigger bite. */
static void vl_grow_read_buf(struct vl_loop *loop)
{
	size_t cap = loop->rcap * 2;
	uint8_t *buf;

	if (cap > VL_READ_BUF_LIMIT) {
		vl_err("a message from the kernel is larger than %u MiB",
		       VL_READ_BUF_LIMIT >> 20);
		loop->fatal = true;
		return;
	}
	buf = realloc(loop->rbuf, cap);
	if (!buf) {
		vl_err("out of memory for a read buffer of %zu bytes", cap);
		loop->fatal = true;
		return;
	}
	loop->rbuf = buf;
	loop->rcap = cap;
}

static void vl_read_batch(struct vl_loop *loop)
{
	ssize_t n = read(loop->chan, loop->rbuf, loop->rcap);

	if (n > 0) {
		vl_parse_batch(loop, n);
		return;
	}
	if (n == 0) {
		vl_err("the kernel closed vl%d's channel", loop->index);
		loop->fatal = true;
		return;
	}
	switch (errno) {
	case EAGAIN:
	case EINTR:
		return;
	case ENOSPC:
		vl_grow_read_buf(loop);
		return;
	default:
		vl_err("cannot read from %s: %s", loop->path, strerror(errno));
		loop->fatal = true;
	}
}

/* ---- --stats ------------------------------------------------------------- */

static int vl_stats_print(const struct vl_loop *loop, FILE *f)
{
	struct vl_device *dev = loop->dev;

	fprintf(f, "device %s\nvl %d\nrequests %llu\nposted %llu\ncompletions %llu\n",
		dev->name, loop->index, (unsigned long long)loop->requests,
		(unsigned long long)loop->posted,
		(unsigned long long)loop->completions);
	if (dev->ops->stats)
		dev->ops->stats(dev, f);
	return ferror(f) ? -EIO : 0;
}

/*
 * Write the counters to the --stats file.  Through a temporary file and
 * rename(), so a reader sees the old file or the new one, never half of
 * one: a test that deletes it, sends SIGUSR1 and waits for it to appear
 * reads whole, fresh numbers.
 */
static int vl_stats_write(struct vl_loop *loop)
{
	const char *path = loop->opts->stats;
	char tmp[4096];
	int err = 0;
	FILE *f;

	if (!path)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		err = -errno;
	if (f && vl_stats_print(loop, f))
		err = -EIO;
	if (f && fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (!err)
		return 0;
	unlink(tmp);
	if (!loop->stats_warned)
		vl_err("cannot write the stats to %s: %s", path, strerror(-err));
	loop->stats_warned = true;
	return err;
}

/* ---- Set-up and the loop itself ------------------------------------------ */

/* Registration is asynchronous: say which virtioM we are once it is done. */
static void vl_check_registered(struct vl_loop *loop)
{
	struct virtio_loopback_device_info info;
	int err;

	err = vl_channel_get_info(loop->chan, &info);
	if (err) {
		vl_err("cannot ask for vl%d's state: %s", loop->index,
		       strerror(-err));
		loop->fatal = true;
		return;
	}
	if (info.flags & VIRTIO_LOOPBACK_INFO_FAILED) {
		vl_err("the kernel could not register vl%d as a virtio device (see dmesg)",
		       loop->index);
		loop->fatal = true;
		return;
	}
	if (!(info.flags & VIRTIO_LOOPBACK_INFO_REGISTERED))
		return;
	printf("vl-backend: %s device vl%u is virtio%u\n", loop->dev->name,
	       info.index, info.virtio_index);
	fflush(stdout);
	loop->announced = true;
}

static int vl_open_signals(void)
{
	sigset_t set;
	int fd;

	/* Writes to a peer that went away must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void vl_on_signal(struct vl_loop *loop)
{
	struct signalfd_siginfo si;

	if (read(loop->sig_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGUSR1) {
		vl_stats_write(loop);
		return;
	}
	vl_debug("caught %s: removing vl%d", strsignal(si.ssi_signo),
		 loop->index);
	loop->stop = true;
}

static int vl_open_channel(struct vl_loop *loop)
{
	uint64_t version = 0;
	int fd = vl_channel_open(loop->path, &version);

	if (fd == -EPROTO && version)
		vl_err("%s speaks channel API version %llu, vl-backend speaks %u: rebuild one to match the other",
		       loop->path, (unsigned long long)version,
		       VIRTIO_LOOPBACK_API_VERSION);
	else if (fd < 0)
		vl_err("cannot open %s: %s", loop->path,
		       vl_channel_open_hint(fd));
	return fd;
}

static int vl_create(struct vl_loop *loop)
{
	struct vl_device *dev = loop->dev;
	int index;

	index = vl_channel_create_device(loop->chan, &dev->desc, dev->config,
					 dev->config_size);
	if (index < 0) {
		vl_err("cannot create the %s device: %s%s", dev->name,
		       strerror(-index),
		       index == -EINVAL ? " (the kernel refused its description)" : "");
		return index;
	}
	loop->index = index;
	vl_debug("created vl%d (virtio device id %u, features %#llx, %u queues)",
		 index, dev->desc.device_id,
		 (unsigned long long)dev->desc.features,
		 dev->desc.num_queues);
	/* Never block in read(): poll() says when there is something. */
	fcntl(loop->chan, F_SETFL, fcntl(loop->chan, F_GETFL) | O_NONBLOCK);
	return 0;
}

static int vl_loop_init(struct vl_loop *loop, struct vl_device *dev,
			const struct vl_serve_options *opts)
{
	int err;

	memset(loop, 0, sizeof(*loop));
	loop->dev = dev;
	loop->opts = opts;
	loop->path = opts->channel ? opts->channel : VL_CHANNEL_PATH;
	loop->chan = -1;
	loop->index = -1;
	loop->sig_fd = vl_open_signals();
	if (loop->sig_fd < 0) {
		vl_err("cannot set up signal handling: %s",
		       strerror(-loop->sig_fd));
		return loop->sig_fd;
	}
	loop->rcap = VL_CHANNEL_READ_BUF_SIZE;
	loop->rbuf = malloc(loop->rcap);
	err = vl_batch_init(&loop->batch, VL_CHANNEL_BATCH_SIZE);
	if (!loop->rbuf || err) {
		vl_err("out of memory for the channel buffers");
		return -ENOMEM;
	}
	loop->chan = vl_open_channel(loop);
	if (loop->chan < 0)
		return loop->chan;
	err = vl_create(loop);
	/* A --stats file that cannot be written is found out now. */
	return err ? err : vl_stats_write(loop);
}

static void vl_loop_fini(struct vl_loop *loop)
{
	/* Closing the channel removes the device. */
	if (loop->chan >= 0)
		close(loop->chan);
	if (loop->sig_fd >= 0)
		close(loop->sig_fd);
	free(loop->rbuf);
	vl_batch_free(&loop->batch);
	if (loop->index >= 0)
		vl_debug("removed vl%d", loop->index);
}

/*
 * --latency: an emulated slow device keeps the batch's requests in flight
 * a while before answering them.  A signal cuts the wait short.
 */
static void vl_hold_completions(struct vl_loop *loop)
{
	struct pollfd pfd = { .fd = loop->sig_fd, .events = POLLIN };

	if (!loop->opts->latency_ms || !loop->batch.count || loop->fatal)
		return;
	poll(&pfd, 1, loop->opts->latency_ms);
}

static void vl_loop_once(struct vl_loop *loop)
{
	struct pollfd fds[2 + VL_MAX_DEVICE_FDS];
	struct vl_device *dev = loop->dev;
	int ndev = 0, n;

	fds[0] = (struct pollfd){ .fd = loop->chan, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = loop->sig_fd, .events = POLLIN };
	if (dev->ops->poll_fds)
		ndev = dev->ops->poll_fds(dev, fds + 2, VL_MAX_DEVICE_FDS);

	n = poll(fds, 2 + ndev, loop->announced ? -1 : VL_REGISTER_POLL_MS);
	if (n < 0 && errno != EINTR) {
		vl_err("poll: %s", strerror(errno));
		loop->fatal = true;
		return;
	}
	if (n > 0 && fds[1].revents) {
		vl_on_signal(loop);
		return;
	}
	if (n > 0 && fds[0].revents)
		vl_read_batch(loop);
	if (n > 0 && ndev && !loop->fatal &&
	    dev->ops->poll_events(dev, loop, fds + 2, ndev) < 0)
		loop->fatal = true;
	vl_hold_completions(loop);
	vl_flush(loop);
	if (!loop->announced && !loop->fatal)
		vl_check_registered(loop);
}

int vl_serve(struct vl_device *dev, const struct vl_serve_options *opts)
{
	struct vl_loop loop;
	int err;

	err = vl_loop_init(&loop, dev, opts);
	while (!err && !loop.stop && !loop.fatal)
		vl_loop_once(&loop);
	/* The last word on what the device did, also after an error. */
	if (!err)
		vl_stats_write(&loop);
	vl_loop_fini(&loop);
	return err || loop.fatal ? 1 : 0;
}
