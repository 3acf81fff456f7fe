// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-loopback: where the replay log's icounts come from.
 *
 * pmu: one pinned kernel counter of retired instructions per online CPU
 * (PERF_COUNT_HW_INSTRUCTIONS), created when a recording starts.  The
 * backend channel's read() and write(), which may sleep, read their own
 * CPU's counter before they log: perf_event_read_value() takes a mutex,
 * and with migration disabled the counter it reads is the local one, so
 * no IPI.  A record's icount is the sum of the values last read on every
 * CPU; one made on a driver's path (a kick, an interrupt) gets the sum as
 * it stood, and never waits for a counter.  The log (vl_log.c)
 * forces each icount above the previous one.
 *
 * virtual: one instruction per nanosecond of monotonic time since the
 * recording began, QEMU's icount shift=0, for CPUs with no counter (the
 * x86 test VM under TCG has no PMU).
 *
 * The module parameter icount_source picks one at load: auto (pmu if the
 * first CPU has a retired-instruction counter, else virtual), pmu
 * (refused without one) or virtual.  The choice is fixed until unload:
 * every log of this load says the same in its file header.
 */
#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/percpu.h>
#include <linux/srcu.h>

#include "vl_internal.h"

static char *icount_source = "auto";
module_param(icount_source, charp, 0444);
MODULE_PARM_DESC(icount_source,
		 "where icounts come from: auto (default: pmu if the CPU counts retired instructions, else virtual), pmu, or virtual (1 per ns of monotonic time)");

static u32 vl_icount_kind = VIRTIO_LOOPBACK_ICOUNT_VIRTUAL;

/* The counters, NULL while not recording; freed after an SRCU grace. */
static DEFINE_PER_CPU(struct perf_event *, vl_icount_event);
static DEFINE_PER_CPU(struct perf_event *, vl_icount_dying);
/* What each CPU's counter said when it was last read. */
static DEFINE_PER_CPU(u64, vl_icount_last);
DEFINE_STATIC_SRCU(vl_icount_srcu);
static DEFINE_MUTEX(vl_icount_mutex);	/* start and stop */
static bool vl_icount_running;

static struct perf_event *vl_icount_counter(int cpu)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_INSTRUCTIONS,
		.size = sizeof(attr),
		.pinned = 1,
	};

	return perf_event_create_kernel_counter(&attr, cpu, NULL, NULL, NULL);
}

u32 vl_icount_source(void)
{
	return vl_icount_kind;
}

static void vl_icount_release_all(void)
{
	struct perf_event *ev;
	int cpu;

	for_each_possible_cpu(cpu) {
		per_cpu(vl_icount_dying, cpu) = per_cpu(vl_icount_event, cpu);
		WRITE_ONCE(per_cpu(vl_icount_event, cpu), NULL);
	}
	/* No sampler holds one any more. */
	synchronize_srcu(&vl_icount_srcu);
	for_each_possible_cpu(cpu) {
		ev = per_cpu(vl_icount_dying, cpu);
		per_cpu(vl_icount_dying, cpu) = NULL;
		per_cpu(vl_icount_last, cpu) = 0;
		if (ev)
			perf_event_release_kernel(ev);
	}
}

/*
 * A recording begins: a counter on every online CPU, each from zero.  A
 * CPU brought online later is not counted.  Process context.
 */
int vl_icount_start(void)
{
	struct perf_event *ev;
	int cpu, err = 0;

	if (vl_icount_kind != VIRTIO_LOOPBACK_ICOUNT_PMU)
		return 0;
	mutex_lock(&vl_icount_mutex);
	if (vl_icount_running)
		goto out;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		ev = vl_icount_counter(cpu);
		if (IS_ERR(ev)) {
			err = PTR_ERR(ev);
			pr_warn("virtio_loopback: no instruction counter on CPU %d: %pe\n",
				cpu, ev);
			break;
		}
		per_cpu(vl_icount_last, cpu) = 0;
		WRITE_ONCE(per_cpu(vl_icount_event, cpu), ev);
	}
	cpus_read_unlock();
	if (err)
		vl_icount_release_all();
	else
		vl_icount_running = true;
out:
	mutex_unlock(&vl_icount_mutex);
	return err;
}

/* The recording has ended.  Process context. */
void vl_icount_stop(void)
{
	mutex_lock(&vl_icount_mutex);
	if (vl_icount_running)
		vl_icount_release_all();
	vl_icount_running = false;
	mutex_unlock(&vl_icount_mutex);
}

/*
 * Read this CPU's counter.  Called where records are about to be made by
 * a caller that may sleep and holds no lock: the backend channel's read()
 * and write().  Records made anywhere else (a driver's kick, an
 * interrupt) are stamped with the values last read, never wait here.
 */
void vl_icount_sample(void)
{
	struct perf_event *ev;
	u64 enabled, running;
	int idx;

	might_sleep();
	if (vl_icount_kind != VIRTIO_LOOPBACK_ICOUNT_PMU)
		return;
	idx = srcu_read_lock(&vl_icount_srcu);
	migrate_disable();
	ev = READ_ONCE(*this_cpu_ptr(&vl_icount_event));
	if (ev)
		this_cpu_write(vl_icount_last,
			       perf_event_read_value(ev, &enabled, &running));
	migrate_enable();
	srcu_read_unlock(&vl_icount_srcu, idx);
}

/*
 * The icount now, before the log forces it above the last one: @since_ns
 * is the monotonic time since the recording began.  Any context.
 */
u64 vl_icount_now(u64 since_ns)
{
	u64 sum = 0;
	int cpu;

	if (vl_icount_kind != VIRTIO_LOOPBACK_ICOUNT_PMU)
		return since_ns;
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(vl_icount_last, cpu));
	return sum;
}

/* Whether the first online CPU has a retired-instruction counter. */
static int vl_icount_probe(void)
{
	struct perf_event *ev = vl_icount_counter(cpumask_first(cpu_online_mask));

	if (IS_ERR(ev))
		return PTR_ERR(ev);
	perf_event_release_kernel(ev);
	return 0;
}

int vl_icount_init(void)
{
	bool want_pmu = !strcmp(icount_source, "pmu");
	int err;

	if (!strcmp(icount_source, "virtual"))
		return 0;
	if (!want_pmu && strcmp(icount_source, "auto")) {
		pr_err("virtio_loopback: icount_source=%s: use auto, pmu or virtual\n",
		       icount_source);
		return -EINVAL;
	}
	err = vl_icount_probe();
	if (!err) {
		vl_icount_kind = VIRTIO_LOOPBACK_ICOUNT_PMU;
		return 0;
	}
	if (want_pmu) {
		pr_err("virtio_loopback: icount_source=pmu: this CPU has no retired-instruction counter (%d); use auto or virtual\n",
		       err);
		return -ENODEV;
	}
	return 0;
}

void vl_icount_exit(void)
{
	vl_icount_stop();
}
