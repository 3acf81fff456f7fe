// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: the replay log's ring and its stream.
 *
 * One ring for the whole module, guarded by one spinlock taken with
 * interrupts off: records come from the driver's notification (posted
 * chains) as well as from process context, and the log must be in one
 * strict order, which a per-CPU buffer would only give after a merge.
 * A producer reserves a record under the lock, writes it in place (from
 * kernel buffers or straight from the driver's pages) and publishes it;
 * the icount is stamped under the same lock, so it strictly increases in
 * log order.  A record's CRC32C is filled in by the stream's reader, just
 * before the record is copied out: it protects the log from the ring to
 * the file and beyond, so it need not cost the driver's path anything,
 * nor be computed for the records a flight recorder overwrites unread.
 *
 * The ring is streamed through one file descriptor (VIRTIO_LOOPBACK_OPEN_LOG)
 * as bytes: the file header, then the records.  While that reader is
 * attached nothing is overwritten: a producer that may sleep waits for
 * room before it takes the locks of the device side (vl_log_wait_room(),
 * called by the backend channel); one that may not is counted as lost,
 * and the next record is preceded by a LOSS record.  With no reader the
 * ring keeps the newest records, a flight recorder.
 *
 * icount: from vl_icount.c (retired instructions or a virtual clock),
 * forced strictly increasing.
 */
#include <linux/anon_inodes.h>
#include <linux/crc32.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/sched/clock.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#include "vl_internal.h"
#include "vl_logfmt.h"

static unsigned int log_size = 4 << 20;
module_param(log_size, uint, 0444);
MODULE_PARM_DESC(log_size, "bytes of the replay log's ring (64 KiB to 1 GiB, default 4 MiB)");

#define VL_LOG_MIN	SZ_64K
#define VL_LOG_MAX	SZ_1G
/* The newest records debugfs shows, found without walking the ring. */
#define VL_LOG_RECENT	64

struct vl_log {
	spinlock_t lock;	/* everything below; irq-safe, see above */
	u8 *buf;
	u32 size;
	u64 head;		/* free-running byte offsets */
	u64 tail;
	u64 crc_pos;		/* records before it have their CRC (reader) */
	u64 seq;		/* the next record's */
	u64 icount;		/* the last record's */
	u64 base_ns;		/* monotonic time when recording began */
	u64 records;
	u64 lost_records;	/* in all */
	u64 lost_bytes;
	u64 unmarked_records;	/* lost since the last LOSS record */
	u64 unmarked_bytes;
	u64 recent[VL_LOG_RECENT];	/* where the newest records start */
	bool recording;
	bool reader;		/* a stream is open: nothing is overwritten */
	struct mutex read_mutex;	/* one read() at a time; crc_pos */
	wait_queue_head_t data_wait;
	wait_queue_head_t room_wait;
	struct work_struct loss_work;	/* tells the events group of a loss */
	struct delayed_work wake_work;	/* the reader's wake-up, deferred */
	u64 woken_head;			/* head when the reader was last woken */
	char filename[VL_LOG_FILENAME_MAX];
};

static struct vl_log vl_log = {
	.lock = __SPIN_LOCK_UNLOCKED(vl_log.lock),
	.read_mutex = __MUTEX_INITIALIZER(vl_log.read_mutex),
	.data_wait = __WAIT_QUEUE_HEAD_INITIALIZER(vl_log.data_wait),
	.room_wait = __WAIT_QUEUE_HEAD_INITIALIZER(vl_log.room_wait),
};

/* Recording is checked without the lock on every hook; a stale answer only
 * logs one record more or less around a start or stop.
 */
bool vl_log_recording(void)
{
	return READ_ONCE(vl_log.recording);
}

static void vl_log_loss_work(struct work_struct *work)
{
	unsigned long flags;
	u64 lost;

	spin_lock_irqsave(&vl_log.lock, flags);
	lost = vl_log.lost_records;
	spin_unlock_irqrestore(&vl_log.lock, flags);
	vl_genl_notify_loss(lost);
}

static u32 vl_crc32c(u32 crc, const void *p, size_t len)
{
	return __crc32c_le(crc, p, len);
}

/* Ring access, wrapping */

static void vl_ring_copy_in(u64 pos, const void *src, u32 len)
{
	u32 off = pos % vl_log.size;
	u32 first = min(len, vl_log.size - off);

	memcpy(vl_log.buf + off, src, first);
	memcpy(vl_log.buf, src + first, len - first);
}

static void vl_ring_copy_out(void *dst, u64 pos, u32 len)
{
	u32 off = pos % vl_log.size;
	u32 first = min(len, vl_log.size - off);

	memcpy(dst, vl_log.buf + off, first);
	memcpy(dst + first, vl_log.buf, len - first);
}

static u64 vl_log_used(void)
{
	return vl_log.head - vl_log.tail;
}

/* Flight recorder: drop whole records from the tail until @need fits. */
static void vl_log_drop_oldest(u32 need)
{
	struct virtio_loopback_log_rec rec;

	while (vl_log.size - vl_log_used() < need && vl_log.tail != vl_log.head) {
		vl_ring_copy_out(&rec, vl_log.tail, sizeof(rec));
		vl_log.tail += le32_to_cpu(rec.len);
	}
}

/*
 * Room for @need bytes: overwrite the oldest with no reader, else only
 * what the reader has consumed.  The caller holds the lock.
 */
static bool vl_log_make_room(u32 need)
{
	if (need > vl_log.size)
		return false;
	if (!vl_log.reader)
		vl_log_drop_oldest(need);
	return vl_log.size - vl_log_used() >= need;
}

static u64 vl_log_stamp(u64 now)
{
	u64 icount = vl_icount_now(now - vl_log.base_ns);

	if (vl_log.seq && icount <= vl_log.icount)
		icount = vl_log.icount + 1;
	vl_log.icount = icount;
	return icount;
}

static void vl_log_start_rec(struct vl_log_writer *w, u16 kind, u16 flags,
			     u32 device, u32 queue, u32 len)
{
	u64 now = ktime_get_ns();
	struct virtio_loopback_log_rec rec = {
		.kind = cpu_to_le16(kind),
		.flags = cpu_to_le16(flags),
		.len = cpu_to_le32(len),
		.device = cpu_to_le32(device),
		.seq = cpu_to_le64(vl_log.seq++),
		.icount = cpu_to_le64(vl_log_stamp(now)),
		.time_ns = cpu_to_le64(now),
		.queue = cpu_to_le32(queue),
	};

	w->start = vl_log.head;
	w->pos = vl_log.head;
	w->end = vl_log.head + len;
	vl_log_put(w, &rec, sizeof(rec));
}

/* Close a record: pad it, publish it (its CRC is zero until it is read). */
static void vl_log_seal(struct vl_log_writer *w)
{
	static const u8 zeros[VIRTIO_LOOPBACK_LOG_ALIGN];

	/* Padding; more only if a chain changed while it was logged. */
	while (w->pos < w->end)
		vl_log_put(w, zeros, min_t(u64, w->end - w->pos, sizeof(zeros)));
	vl_log.recent[vl_log.records % VL_LOG_RECENT] = w->start;
	vl_log.head = w->end;
	vl_log.records++;
}

static void vl_log_mark_loss(void)
{
	u32 len = sizeof(struct virtio_loopback_log_loss);
	struct vl_log_writer w;
	__le64 counts[2] = {
		cpu_to_le64(vl_log.unmarked_records),
		cpu_to_le64(vl_log.unmarked_bytes),
	};

	vl_log_start_rec(&w, VIRTIO_LOOPBACK_LOG_LOSS, 0, 0,
			 VIRTIO_LOOPBACK_LOG_NO_QUEUE, len);
	vl_log_put(&w, counts, sizeof(counts));
	vl_log_seal(&w);
	vl_log.unmarked_records = 0;
	vl_log.unmarked_bytes = 0;
	/* Atomic context here: the event is sent from process context. */
	queue_work(vl_wq, &vl_log.loss_work);
}

/*
 * Take the ring and reserve a record of @payload bytes after its header.
 * Returns false, counting the record lost, when there is no room.  Either
 * way the ring's lock is held until vl_log_end().  Any context.
 */
bool vl_log_begin(struct vl_log_writer *w, u16 kind, u16 flags, u32 device,
		  u32 queue, u32 payload)
	__acquires(&vl_log.lock)
{
	u32 len = ALIGN(sizeof(struct virtio_loopback_log_rec) + payload,
			VIRTIO_LOOPBACK_LOG_ALIGN);
	u32 loss;

	spin_lock_irqsave(&vl_log.lock, w->flags);
	w->reserved = false;
	loss = vl_log.unmarked_records ?
	       sizeof(struct virtio_loopback_log_loss) : 0;
	if (!vl_log.recording)
		return false;
	if (!vl_log_make_room(len + loss)) {
		vl_log.lost_records++;
		vl_log.unmarked_records++;
		vl_log.lost_bytes += len;
		vl_log.unmarked_bytes += len;
		return false;
	}
	if (loss)
		vl_log_mark_loss();
	vl_log_start_rec(w, kind, flags, device, queue, len);
	w->reserved = true;
	return true;
}

/*
 * Append @len bytes of the record being written, never past what was
 * reserved: a chain the driver changed while it was logged (a driver bug)
 * gives a record the parser refuses, not a ring overrun.
 */
void vl_log_put(struct vl_log_writer *w, const void *src, u32 len)
{
	len = min_t(u64, len, w->end - w->pos);
	vl_ring_copy_in(w->pos, src, len);
	w->pos += len;
}

/*
 * The reader is woken once a batch is there, or a little later: waking it
 * for every record would cost a context switch per request.  A batch is a
 * fraction of the ring, so a backend waiting for room never waits on the
 * delay.
 */
#define VL_LOG_WAKE_BATCH	SZ_64K
#define VL_LOG_WAKE_DELAY_MS	10

static void vl_log_wake_work(struct work_struct *work)
{
	unsigned long flags;

	spin_lock_irqsave(&vl_log.lock, flags);
	vl_log.woken_head = vl_log.head;
	spin_unlock_irqrestore(&vl_log.lock, flags);
	wake_up_interruptible(&vl_log.data_wait);
}

/* Publish the record vl_log_begin() reserved, if it did; let the ring go. */
void vl_log_end(struct vl_log_writer *w)
	__releases(&vl_log.lock)
{
	bool sealed = w->reserved, wake = false;

	if (sealed) {
		vl_log_seal(w);
		wake = vl_log.head - vl_log.woken_head >=
		       min_t(u32, VL_LOG_WAKE_BATCH, vl_log.size / 8);
		if (wake)
			vl_log.woken_head = vl_log.head;
	}
	spin_unlock_irqrestore(&vl_log.lock, w->flags);
	if (wake)
		wake_up_interruptible(&vl_log.data_wait);
	else if (sealed && !delayed_work_pending(&vl_log.wake_work))
		queue_delayed_work(vl_wq, &vl_log.wake_work,
				   msecs_to_jiffies(VL_LOG_WAKE_DELAY_MS));
}

/* Room for a record of @payload bytes, now, without waiting. */
bool vl_log_has_room(u32 payload)
{
	u32 len = ALIGN(sizeof(struct virtio_loopback_log_rec) + payload +
			sizeof(struct virtio_loopback_log_loss),
			VIRTIO_LOOPBACK_LOG_ALIGN);
	unsigned long flags;
	bool room;

	if (!vl_log_recording())
		return true;
	spin_lock_irqsave(&vl_log.lock, flags);
	room = !vl_log.reader || len > vl_log.size ||
	       vl_log.size - vl_log_used() >= len;
	spin_unlock_irqrestore(&vl_log.lock, flags);
	return room;
}

/*
 * Backpressure: wait until a record of @payload bytes fits.  Called by the
 * backend channel with no lock held, so a slow log reader slows the backend
 * down, never the driver.
 */
int vl_log_wait_room(u32 payload)
{
	return wait_event_interruptible(vl_log.room_wait,
					vl_log_has_room(payload));
}

/* Recording on and off */

int vl_log_start(const char *filename)
{
	unsigned long flags;
	int err;

	/* Not under a reader's feet: it may be filling in CRCs. */
	mutex_lock(&vl_log.read_mutex);
	if (vl_log_recording()) {
		mutex_unlock(&vl_log.read_mutex);
		return -EBUSY;
	}
	err = vl_icount_start();
	if (err) {
		mutex_unlock(&vl_log.read_mutex);
		return err;
	}
	spin_lock_irqsave(&vl_log.lock, flags);
	vl_log.tail = vl_log.head;
	vl_log.crc_pos = vl_log.head;
	vl_log.seq = 0;
	vl_log.icount = 0;
	vl_log.records = 0;
	vl_log.lost_records = 0;
	vl_log.lost_bytes = 0;
	vl_log.unmarked_records = 0;
	vl_log.unmarked_bytes = 0;
	vl_log.base_ns = ktime_get_ns();
	strscpy(vl_log.filename, filename ? filename : "",
		sizeof(vl_log.filename));
	WRITE_ONCE(vl_log.recording, true);
	spin_unlock_irqrestore(&vl_log.lock, flags);
	mutex_unlock(&vl_log.read_mutex);

	/* The log starts with every device as it is: snapshot points. */
	vl_devices_record();
	return 0;
}

int vl_log_stop(void)
{
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&vl_log.lock, flags);
	if (vl_log.recording) {
		/* What was lost since the last mark, marked if it still fits. */
		if (vl_log.unmarked_records &&
		    vl_log_make_room(sizeof(struct virtio_loopback_log_loss)))
			vl_log_mark_loss();
		WRITE_ONCE(vl_log.recording, false);
	} else {
		err = -EALREADY;
	}
	spin_unlock_irqrestore(&vl_log.lock, flags);
	if (!err)
		vl_icount_stop();
	wake_up_interruptible(&vl_log.data_wait);
	wake_up_interruptible(&vl_log.room_wait);
	return err;
}

void vl_log_get_state(struct vl_log_state *st)
{
	unsigned long flags;

	spin_lock_irqsave(&vl_log.lock, flags);
	st->recording = vl_log.recording;
	st->reader = vl_log.reader;
	st->icount = vl_log.icount;
	st->records = vl_log.records;
	st->lost = vl_log.lost_records;
	st->fill = vl_log_used();
	st->size = vl_log.size;
	strscpy(st->filename, vl_log.filename, sizeof(st->filename));
	spin_unlock_irqrestore(&vl_log.lock, flags);
	st->icount_source = vl_icount_source();
}

/*
 * debugfs: the newest records still in the ring, oldest first, one line
 * each: the header's fields and the first payload words.  Each record is
 * copied out under the lock, so a record overwritten meanwhile is skipped.
 */
void vl_log_show_recent(struct seq_file *s)
{
	struct {
		struct virtio_loopback_log_rec rec;
		__le32 words[4];
	} r;
	unsigned long flags;
	u64 n, first, pos;

	spin_lock_irqsave(&vl_log.lock, flags);
	n = vl_log.records;
	spin_unlock_irqrestore(&vl_log.lock, flags);
	first = n > VL_LOG_RECENT ? n - VL_LOG_RECENT : 0;

	for (; first < n; first++) {
		const char *kind;
		u32 len;

		spin_lock_irqsave(&vl_log.lock, flags);
		pos = vl_log.recent[first % VL_LOG_RECENT];
		if (vl_log.records - first > VL_LOG_RECENT || pos < vl_log.tail) {
			spin_unlock_irqrestore(&vl_log.lock, flags);
			continue;
		}
		vl_ring_copy_out(&r, pos, sizeof(r.rec));
		len = le32_to_cpu(r.rec.len);
		memset(r.words, 0, sizeof(r.words));
		vl_ring_copy_out(r.words, pos + sizeof(r.rec),
				 min_t(u32, sizeof(r.words), len - sizeof(r.rec)));
		spin_unlock_irqrestore(&vl_log.lock, flags);

		kind = vl_log_kind_name(le16_to_cpu(r.rec.kind));
		seq_printf(s, "%llu icount %llu vl%u queue %d %s flags 0x%x len %u: %08x %08x %08x %08x\n",
			   le64_to_cpu(r.rec.seq), le64_to_cpu(r.rec.icount),
			   le32_to_cpu(r.rec.device), (int)le32_to_cpu(r.rec.queue),
			   kind ? kind : "unknown", le16_to_cpu(r.rec.flags), len,
			   le32_to_cpu(r.words[0]), le32_to_cpu(r.words[1]),
			   le32_to_cpu(r.words[2]), le32_to_cpu(r.words[3]));
	}
}

/* The stream */

struct vl_log_stream {
	struct virtio_loopback_log_header header;
	u32 header_sent;
};

static void vl_log_header_init(struct virtio_loopback_log_header *h)
{
	memset(h, 0, sizeof(*h));
	h->magic = cpu_to_le32(VIRTIO_LOOPBACK_LOG_MAGIC);
	h->version = cpu_to_le16(VIRTIO_LOOPBACK_LOG_VERSION);
	h->header_len = cpu_to_le16(sizeof(*h));
	h->icount_source = cpu_to_le32(vl_icount_source());
	h->created_ns = cpu_to_le64(ktime_get_real_ns());
	strscpy(h->kernel_release, utsname()->release, sizeof(h->kernel_release));
	h->crc = cpu_to_le32(~vl_crc32c(~0U, h, sizeof(*h)));
}

/* Bytes ready for the reader; it ends when recording stops and it is empty. */
static bool vl_log_readable(void)
{
	return READ_ONCE(vl_log.head) != READ_ONCE(vl_log.tail) ||
	       !vl_log_recording();
}

/* The CRC32C of @len ring bytes at @pos, going on from @crc. */
static u32 vl_ring_crc(u32 crc, u64 pos, u32 len)
{
	u32 off = pos % vl_log.size;
	u32 first = min(len, vl_log.size - off);

	crc = vl_crc32c(crc, vl_log.buf + off, first);
	return vl_crc32c(crc, vl_log.buf, len - first);
}

/*
 * Fill in the CRC of every record that starts before @end, the reader's
 * work.  No lock: with a reader attached, nothing between the tail and the
 * head is rewritten, and producers write after the head.  A record's CRC
 * field is zero until then, as the CRC's definition wants it.
 */
static void vl_log_fill_crcs(u64 end)
{
	struct virtio_loopback_log_rec rec;
	__le32 crc;
	u32 len;

	while (vl_log.crc_pos < end) {
		vl_ring_copy_out(&rec, vl_log.crc_pos, sizeof(rec));
		len = le32_to_cpu(rec.len);
		crc = cpu_to_le32(~vl_ring_crc(~0U, vl_log.crc_pos, len));
		vl_ring_copy_in(vl_log.crc_pos +
				offsetof(struct virtio_loopback_log_rec, crc),
				&crc, sizeof(crc));
		vl_log.crc_pos += len;
	}
}

/* Called with vl_log.read_mutex held. */
static ssize_t vl_log_read_ring(char __user *buf, size_t count)
{
	unsigned long flags;
	u64 tail, avail;
	u32 off, first, n;

	spin_lock_irqsave(&vl_log.lock, flags);
	tail = vl_log.tail;
	avail = vl_log_used();
	spin_unlock_irqrestore(&vl_log.lock, flags);

	n = min_t(u64, avail, count);
	vl_log_fill_crcs(tail + n);
	off = tail % vl_log.size;
	first = min(n, vl_log.size - off);
	if (copy_to_user(buf, vl_log.buf + off, first) ||
	    copy_to_user(buf + first, vl_log.buf, n - first))
		return -EFAULT;

	spin_lock_irqsave(&vl_log.lock, flags);
	vl_log.tail += n;
	spin_unlock_irqrestore(&vl_log.lock, flags);
	wake_up_interruptible(&vl_log.room_wait);
	return n;
}

static ssize_t vl_log_stream_read(struct file *file, char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct vl_log_stream *st = file->private_data;
	size_t hdr_left = sizeof(st->header) - st->header_sent;
	ssize_t n;

	if (hdr_left) {
		n = min(hdr_left, count);
		if (copy_to_user(buf, (u8 *)&st->header + st->header_sent, n))
			return -EFAULT;
		st->header_sent += n;
		return n;
	}
	for (;;) {
		if (mutex_lock_interruptible(&vl_log.read_mutex))
			return -ERESTARTSYS;
		if (READ_ONCE(vl_log.head) != READ_ONCE(vl_log.tail))
			n = vl_log_read_ring(buf, count);
		else if (!vl_log_recording())
			n = 0;
		else
			n = -EAGAIN;
		mutex_unlock(&vl_log.read_mutex);
		if (n != -EAGAIN || (file->f_flags & O_NONBLOCK))
			return n;
		if (wait_event_interruptible(vl_log.data_wait, vl_log_readable()))
			return -ERESTARTSYS;
	}
}

static __poll_t vl_log_stream_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &vl_log.data_wait, wait);
	return vl_log_readable() ? EPOLLIN | EPOLLRDNORM : 0;
}

static int vl_log_stream_release(struct inode *inode, struct file *file)
{
	unsigned long flags;

	spin_lock_irqsave(&vl_log.lock, flags);
	vl_log.reader = false;
	/*
	 * A record the reader took only part of is dropped whole: the ring
	 * goes on from a record's start, for the flight recorder and for the
	 * next reader, whose stream begins with a header.
	 */
	vl_log.tail = vl_log.crc_pos;
	spin_unlock_irqrestore(&vl_log.lock, flags);
	wake_up_interruptible(&vl_log.room_wait);
	kfree(file->private_data);
	return 0;
}

static const struct file_operations vl_log_stream_fops = {
	.owner		= THIS_MODULE,
	.read		= vl_log_stream_read,
	.poll		= vl_log_stream_poll,
	.release	= vl_log_stream_release,
	.llseek		= noop_llseek,
};

/* VIRTIO_LOOPBACK_OPEN_LOG: a new fd for the one reader. */
int vl_log_open_stream(void)
{
	struct vl_log_stream *st;
	unsigned long flags;
	int fd;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	vl_log_header_init(&st->header);

	spin_lock_irqsave(&vl_log.lock, flags);
	if (vl_log.reader) {
		spin_unlock_irqrestore(&vl_log.lock, flags);
		kfree(st);
		return -EBUSY;
	}
	vl_log.reader = true;
	vl_log.crc_pos = vl_log.tail;
	spin_unlock_irqrestore(&vl_log.lock, flags);

	fd = anon_inode_getfd("[virtio-loopback-log]", &vl_log_stream_fops, st,
			      O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		spin_lock_irqsave(&vl_log.lock, flags);
		vl_log.reader = false;
		spin_unlock_irqrestore(&vl_log.lock, flags);
		kfree(st);
	}
	return fd;
}

int vl_log_init(void)
{
	int err = vl_icount_init();

	if (err)
		return err;
	if (log_size < VL_LOG_MIN || log_size > VL_LOG_MAX) {
		pr_err("virtio_loopback: log_size=%u: use %u to %u bytes\n",
		       log_size, VL_LOG_MIN, VL_LOG_MAX);
		return -EINVAL;
	}
	INIT_WORK(&vl_log.loss_work, vl_log_loss_work);
	INIT_DELAYED_WORK(&vl_log.wake_work, vl_log_wake_work);
	vl_log.size = ALIGN(log_size, VIRTIO_LOOPBACK_LOG_ALIGN);
	vl_log.buf = vmalloc(vl_log.size);
	return vl_log.buf ? 0 : -ENOMEM;
}

void vl_log_exit(void)
{
	vl_icount_exit();
	cancel_work_sync(&vl_log.loss_work);
	cancel_delayed_work_sync(&vl_log.wake_work);
	vfree(vl_log.buf);
	vl_log.buf = NULL;
}
