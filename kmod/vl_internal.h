/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-loopback: declarations shared by the module's source files.
 *
 * The data flow: a kernel virtio driver talks to struct vl_dev through
 * virtio_config_ops and its vrings (vl_device.c).  The device side of each
 * vring is walked by vl_vq.c.  Userspace serves the device through the
 * backend channel (vl_chardev.c), which turns requests into messages and
 * messages into completions.  Every interaction goes through the vl_dev_*
 * and vl_vq_* functions declared here: that is where record and replay
 * hook in.
 */
#ifndef _VL_INTERNAL_H
#define _VL_INTERNAL_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/virtio.h>
#include <linux/virtio_ring.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/virtio_loopback.h>

struct netlink_ext_ack;
struct seq_file;

/* Where a descriptor chain stands, by its head index. */
enum vl_req_state {
	VL_REQ_FREE,		/* owned by the driver */
	VL_REQ_DELIVERED,	/* read by the backend, not yet completed */
	VL_REQ_COMPLETING,	/* a completion is copying its in-data */
};

struct vl_inflight {
	u8 state;		/* enum vl_req_state */
	u16 gen;		/* bumped each time the head is taken */
	u32 in_len;		/* capacity of the chain's writable segments */
	u64 req_seq;		/* its number on the queue, for the log */
};

/*
 * The device side of one virtqueue.
 *
 * @lock guards everything the device side reads of the avail ring and
 * writes to the used ring: an avail entry is read, checked and stepped
 * past under one hold of it, whoever takes it (the reader, a posting
 * notification, the failing work).  It is taken with interrupts off: a
 * driver may notify from hard interrupt context.
 */
struct vl_vq {
	struct vl_dev *dev;
	unsigned int index;
	struct virtqueue *vq;	/* NULL while the driver has not set it up */
	struct vring vring;	/* the driver's split ring, kernel addresses */
	bool enabled;		/* set up and not reset since */
	/*
	 * The driver queued a chain the device cannot read (a loop, a bad
	 * index or address): the queue stops, as a device that needs a reset.
	 */
	const char *broken;

	spinlock_t lock;	/* see above */
	u16 last_avail_idx;	/* next avail entry the device takes */
	u16 used_idx;		/* next used entry the device fills */
	u16 signalled_used;	/* used_idx at the last interrupt */
	u16 broken_head;	/* the chain that broke the queue */
	u64 next_req_seq;	/* the log's number for the next request */
	struct vl_inflight *inflight;	/* max_queue_size entries */

	/* vring_interrupt() for this queue runs on one CPU at a time. */
	spinlock_t irq_lock;

	/*
	 * Posted queue (vl_queue_is_posted()): chains are copied here and
	 * returned at notification time.  A byte ring of records (u32 length,
	 * data), free-running indices: one producer under @lock, one consumer,
	 * the reader.
	 */
	u8 *posted_buf;
	u32 posted_head;
	u32 posted_tail;
	struct work_struct signal_work;	/* interrupts for posted chains */

	u64 requests;
	u64 completions;
	u64 interrupts;
	u64 stale_completions;
	u64 posted;
	u64 posted_dropped;	/* bytes lost while the backend did not read */
	u64 oversized;		/* chains failed: too many segments to deliver */
	u64 unreadable;		/* chains returned unread on removal */

	/* What vl_dev_report_work() last told the kernel log. */
	u64 reported_dropped;
	u64 reported_oversized;
	u64 reported_unreadable;
	bool reported_broken;

	/*
	 * Play mode, posted queues: what each chain returned at notification
	 * time looked like, for the play engine to compare with the log.  A
	 * ring of VL_POSTED_SEEN entries under @lock; @seen_lost when it was
	 * full.
	 */
	struct vl_posted_seen *seen;
	u32 seen_head;
	u32 seen_tail;
	bool seen_lost;
};

/* A posted chain as play mode saw it: the log's REQUEST fields. */
struct vl_posted_seen {
	u64 req_seq;
	u32 nsegs;
	u32 out_len;
	u32 in_len;
	u32 crc;		/* CRC32C of the out-data */
};

#define VL_POSTED_SEEN	256

#define VL_POSTED_BUF_SIZE	(256 * 1024)
/* A posted chain is handed over in records of at most this many bytes. */
#define VL_POSTED_MAX		(32 * 1024)
/*
 * The most segments a chain may have, indirect tables included: a driver
 * never builds one longer than the largest queue (virtio-blk's limit is
 * 32768 too).  Longer is malformed; longer than VIRTIO_LOOPBACK_MAX_SEGS
 * is legal but cannot be delivered, and is failed like a device would.
 */
#define VL_CHAIN_MAX_SEGS	VIRTIO_LOOPBACK_MAX_QUEUE_SIZE

/* Control events waiting for the backend's next read(). */
enum vl_pending_event {
	VL_PENDING_RESET,
	VL_PENDING_FEATURES,
	VL_PENDING_CONFIG,
	VL_PENDING_STATUS,
};

/* One segment of a chain, as the walker finds it. */
struct vl_seg {
	u64 addr;		/* guest-physical: the driver's sg_phys() */
	u32 len;
	u32 flags;		/* VIRTIO_LOOPBACK_SEG_* */
};

struct vl_dev {
	struct virtio_device vdev;
	struct device *parent;		/* vlN, the virtio device's parent */
	struct kref ref;		/* the file's and the virtio device's */
	struct list_head node;		/* in vl_devices */
	int index;

	u32 device_id;
	u32 vendor_id;
	u64 device_features;
	unsigned int num_queues;
	unsigned int max_queue_size;

	/* Config space shadow: the driver's reads never wait on userspace. */
	spinlock_t config_lock;
	u8 *config;
	u32 config_size;
	u32 config_generation;

	u8 status;
	bool serving;			/* DRIVER_OK set, and reported */
	u64 driver_features;
	u32 epoch;			/* bumped by every reset */

	/*
	 * read() and write() hold it shared while they touch the rings;
	 * reset, find_vqs and del_vqs hold it exclusive.
	 */
	struct rw_semaphore rings_sem;
	struct mutex read_mutex;	/* one reader pops the avail rings */
	wait_queue_head_t waitq;

	spinlock_t events_lock;		/* pending, queues_changed, config_dirty_* */
	unsigned long pending;		/* VL_PENDING_* bits */
	DECLARE_BITMAP(queues_changed, VIRTIO_LOOPBACK_MAX_QUEUES);
	u32 config_dirty_start, config_dirty_end;

	struct vl_vq *vqs;
	struct vl_seg *segs;		/* the reader's scratch chain layout */
	u8 *msg_buf;			/* the reader's scratch message */
#define VL_MSG_BUF_SIZE \
	(sizeof(struct virtio_loopback_msg_request) + \
	 VIRTIO_LOOPBACK_MAX_SEGS * sizeof(struct virtio_loopback_seg))
	unsigned int next_queue;	/* where the next read starts, for fairness */

	struct work_struct register_work;
	struct work_struct dead_work;
	struct work_struct report_work;	/* log what the notify path saw */
	bool started;			/* registration was queued */
	bool registered;
	bool register_failed;
	bool config_notify;		/* the core's config_lock is ready */
	bool driver_broken;		/* a queue was broken for the driver */
	bool dead;			/* the backend is gone */
	u32 read_size_needed;		/* the message the last ENOSPC held back */
	u32 log_room_needed;		/* the record the log had no room for */

	/*
	 * Play mode made this device from a log: there is no backend, the
	 * play engine (vl_play.c) serves it.  What the driver does is queued
	 * on @actions for the engine to compare with the log.
	 */
	bool played;
	u32 log_index;			/* N of the log's vlN */
	struct list_head play_node;	/* in the engine's list */
	spinlock_t actions_lock;	/* @actions, @actions_lost */
	struct list_head actions;	/* struct vl_play_action */
	bool actions_lost;		/* one could not be queued */
};

static inline struct vl_dev *to_vl_dev(struct virtio_device *vdev)
{
	return container_of(vdev, struct vl_dev, vdev);
}

extern struct workqueue_struct *vl_wq;

/* vl_device.c: the transport */
struct vl_dev *vl_dev_create(const struct virtio_loopback_device_config *cfg,
			     const u8 __user *config);
struct vl_dev *vl_dev_create_played(const struct virtio_loopback_device_config *cfg,
				    const u8 *config, u32 log_index);
void vl_dev_destroy(struct vl_dev *dev);
void vl_dev_get_info(struct vl_dev *dev, struct virtio_loopback_device_info *info);
bool vl_dev_has_work(struct vl_dev *dev);
void vl_dev_start(struct vl_dev *dev);
void vl_dev_config_change(struct vl_dev *dev, u32 offset, const u8 *data,
			  u32 size);
bool vl_dev_driver_ok(struct vl_dev *dev);
void vl_dev_report(struct vl_dev *dev);
void vl_devices_show(struct seq_file *s);
void vl_devices_wake(void);
struct sk_buff;
struct netlink_callback;
int vl_devices_dump(struct sk_buff *skb, struct netlink_callback *cb);
int vl_dev_put_attrs(struct sk_buff *msg, struct vl_dev *dev, bool stats);

/* vl_vq.c: the device side of a split virtqueue */
struct vl_chain {
	u64 id;			/* the request id it gets when taken */
	u16 head;
	u16 avail_idx;		/* the avail entry it was found at */
	unsigned int nsegs;
	u32 out_len;
	u32 in_len;
};

/* What failing a chain needs to know of it, whatever its length. */
struct vl_chain_ends {
	struct vl_seg first_out;	/* len 0: none */
	struct vl_seg first_in;
	struct vl_seg last_in;		/* the last one of non-zero length */
	unsigned int n_out;
	unsigned int n_in;
	u32 out_len;
	u32 in_len;
};

void vl_vq_setup(struct vl_vq *vq, struct virtqueue *virtqueue);
void vl_vq_teardown(struct vl_vq *vq);
void vl_vq_reset(struct vl_vq *vq);
bool vl_vq_has_avail(struct vl_vq *vq);
int vl_vq_peek(struct vl_vq *vq, struct vl_chain *chain, struct vl_seg *segs);
int vl_vq_take(struct vl_vq *vq, const struct vl_chain *chain);
int vl_vq_take_played(struct vl_vq *vq, const struct vl_chain *chain,
		      u64 req_seq);
int vl_vq_copy_out(const struct vl_seg *segs, unsigned int nsegs,
		   u8 __user *dst);
int vl_vq_complete(struct vl_vq *vq, u64 id, const u8 __user *data, u32 len);
int vl_vq_fail_all(struct vl_vq *vq);
typedef int (*vl_page_fn)(void *kaddr, size_t len, void *ctx);
int vl_phys_for_each(u64 addr, u32 len, vl_page_fn fn, void *ctx);
int vl_phys_read(void *dst, u64 addr, u32 len);
int vl_phys_write(u64 addr, const void *src, u32 len);
void vl_vq_signal(struct vl_vq *vq);
void vl_vq_interrupt(struct vl_vq *vq);
void vl_vq_signal_work(struct work_struct *work);
int vl_vq_post(struct vl_vq *vq, bool in_notify);
bool vl_vq_has_posted(struct vl_vq *vq);
ssize_t vl_vq_read_posted(struct vl_vq *vq, char __user *buf, size_t count);
bool vl_vq_pop_seen(struct vl_vq *vq, struct vl_posted_seen *seen);
int vl_vq_complete_played(struct vl_vq *vq, u64 req_seq, u32 offset,
			  const u8 *data, u32 len, u32 used_len);
int vl_vq_compare_out(const struct vl_seg *segs, unsigned int nsegs,
		      const u8 *expected, u32 skip, u32 skip_len,
		      u32 *bad_offset, u8 *actual);
unsigned int vl_vq_inflight(struct vl_vq *vq);

/* What a fail rule wrote into a chain's writable part, for the log. */
struct vl_fail_note {
	u32 offset;
	u32 len;
	u8 data[16];
};

/* vl_devtype.c: what the transport knows of particular device types */
bool vl_devtype_allowed(u32 device_id);
u32 vl_fail_request(u32 device_id, const struct vl_chain_ends *ends,
		    struct vl_fail_note *note);
bool vl_queue_is_posted(u32 device_id, unsigned int queue);
void vl_devtype_show(struct seq_file *s);

/* vl_log.c: the replay log's ring and stream */
#define VL_LOG_FILENAME_MAX	256

struct vl_log_writer {
	unsigned long flags;	/* the ring lock's saved interrupt state */
	bool reserved;		/* a record is being written */
	u64 start;
	u64 pos;
	u64 end;
};

struct vl_log_state {
	bool recording;
	bool reader;
	u32 icount_source;	/* enum virtio_loopback_icount_source */
	u64 icount;
	u64 records;
	u64 lost;
	u64 fill;
	u32 size;
	char filename[VL_LOG_FILENAME_MAX];
};

bool vl_log_recording(void);
bool vl_log_begin(struct vl_log_writer *w, u16 kind, u16 flags, u32 device,
		  u32 queue, u32 payload);
void vl_log_put(struct vl_log_writer *w, const void *src, u32 len);
void vl_log_end(struct vl_log_writer *w);
bool vl_log_has_room(u32 payload);
int vl_log_wait_room(u32 payload);
int vl_log_start(const char *filename);
int vl_log_stop(void);
void vl_log_get_state(struct vl_log_state *st);
void vl_log_show_recent(struct seq_file *s);
int vl_log_open_stream(void);
int vl_log_init(void);
void vl_log_exit(void);

/* vl_icount.c: where icounts come from (enum virtio_loopback_icount_source) */
u32 vl_icount_source(void);
int vl_icount_start(void);
void vl_icount_stop(void);
void vl_icount_sample(void);
u64 vl_icount_now(u64 since_ns);
int vl_icount_init(void);
void vl_icount_exit(void);

/* vl_record.c: the records of what drivers and devices do */
void vl_record_device(struct vl_dev *dev);
void vl_record_removed(struct vl_dev *dev);
void vl_record_reset(struct vl_dev *dev);
void vl_record_features(struct vl_dev *dev);
void vl_record_status(struct vl_dev *dev, u8 status);
void vl_record_config(struct vl_dev *dev, u16 kind, u32 offset,
		      const void *data, u32 size, u32 generation);
void vl_record_queue(struct vl_vq *vq, u32 size);
void vl_devices_record(void);

/* vl_play.c: play mode, and the controls of every mode */
struct vl_play_action {
	struct list_head node;
	u16 kind;		/* enum virtio_loopback_log_kind */
	u32 queue;
	u64 value;		/* status, features, queue size */
	u32 offset;		/* CONFIG_WRITE */
	u32 size;
	u8 data[];
};

struct vl_divergence {
	u64 icount;
	u32 device;
	u32 queue;
	u64 record;
	u64 expected;
	u64 actual;
	char field[32];
	char message[160];
};

struct vl_play_state {
	bool playing;
	bool paused;
	bool has_break;
	u32 icount_source;
	u64 icount;
	u64 break_icount;
	u64 position;
	u64 end_icount;
	char filename[VL_LOG_FILENAME_MAX];
};

void vl_play_observe(struct vl_dev *dev, u16 kind, u32 queue, u64 value,
		     u32 offset, const void *data, u32 size);
void vl_play_kick(void);
bool vl_play_active(void);
int vl_play_open(const struct virtio_loopback_play_start *start);
int vl_play_stop(void);
int vl_play_break(u64 icount, struct netlink_ext_ack *extack);
int vl_play_delete_break(struct netlink_ext_ack *extack);
int vl_play_seek(u64 icount, struct netlink_ext_ack *extack);
int vl_replay_record_start(const char *filename);
int vl_replay_stop(void);
int vl_replay_cont(void);
bool vl_frozen(void);
extern wait_queue_head_t vl_thaw_wait;
void vl_play_get_state(struct vl_play_state *st);
bool vl_play_get_divergence(struct vl_divergence *d);
void vl_play_show(struct seq_file *s);
void vl_play_init(void);
void vl_play_exit(void);

/* vl_replay.c */
struct vl_replay_state {
	u32 mode;		/* enum virtio_loopback_replay_mode */
	u64 icount;
	u32 icount_source;
	bool paused;
	struct vl_log_state log;
	struct vl_play_state play;
};

void vl_replay_get_state(struct vl_replay_state *state);
const char *vl_replay_mode_name(u32 mode);
const char *vl_icount_source_name(u32 source);

/* Module parts */
int vl_chardev_init(void);
void vl_chardev_exit(void);
struct device *vl_chardev_device(void);

int vl_genl_init(void);
void vl_genl_exit(void);
int vl_genl_put_device(struct sk_buff *skb, struct netlink_callback *cb,
		       struct vl_dev *dev);
void vl_genl_notify_stopped(u64 icount, u32 reason);
void vl_genl_notify_resumed(u64 icount);
void vl_genl_notify_divergence(const struct vl_divergence *d);
void vl_genl_notify_loss(u64 lost);
void vl_genl_notify_device(struct vl_dev *dev, bool added);

void vl_debugfs_init(void);
void vl_debugfs_exit(void);

#endif /* _VL_INTERNAL_H */
