// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading the module: every interface comes and goes with it,
 * and rounds of 100 cycles leave no kernel memory behind; nor do rounds of
 * devices created, pushed requests through and destroyed.
 *
 * Leaks are looked for in /proc/slabinfo: a leak of even one object per
 * cycle makes some cache grow with every cycle.  Unloading ends in RCU
 * callbacks, so each snapshot waits for the system to settle.
 */
#include <linux/perf_event.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "vl_test_util.h"
#include "vl_test_rng.h"

#define CYCLES 100
#define DEVICE_CYCLES 30
#define MAX_CACHES 512

struct slab_count {
	char name[64];
	long objs;		/* active objects */
	long objsize;
};

struct slab_snapshot {
	struct slab_count caches[MAX_CACHES];
	int n;
	long unreclaimable_kb;
};

static long meminfo_kb(const char *key)
{
	char line[256];
	long value = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			value = atol(line + strlen(key) + 1);
	fclose(f);
	return value;
}

static void settle(void)
{
	/*
	 * Let pending RCU frees and deferred work finish; have SLUB give back
	 * what its per-CPU slabs and KASAN's quarantine still hold.
	 */
	sync();
	for (int i = 0; i < 3; i++) {
		usleep(200 * 1000);
		if (system("echo 3 > /proc/sys/vm/drop_caches") != 0)
			break;
		if (system("for f in /sys/kernel/slab/*/shrink; do echo 1 > $f; done 2>/dev/null"))
			break;
	}
}

static int take_snapshot(struct slab_snapshot *s)
{
	char line[512];
	FILE *f;

	settle();
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -errno;
	s->n = 0;
	while (fgets(line, sizeof(line), f) && s->n < MAX_CACHES) {
		struct slab_count *c = &s->caches[s->n];
		long total;

		/* name <active_objs> <num_objs> <objsize> ... */
		if (sscanf(line, "%63s %ld %ld %ld", c->name, &c->objs, &total,
			   &c->objsize) == 4 && line[0] != '#')
			s->n++;
	}
	fclose(f);
	s->unreclaimable_kb = meminfo_kb("SUnreclaim");
	return 0;
}

static long find_objs(const struct slab_snapshot *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->caches[i].name, name))
			return s->caches[i].objs;
	return 0;
}

static void expect_interfaces(struct __test_metadata *_metadata, bool present)
{
	struct stat st;

	EXPECT_EQ(present, stat("/dev/virtio-loopback", &st) == 0);
	EXPECT_EQ(present, stat(VL_DEBUGFS "/state", &st) == 0);
	EXPECT_EQ(present, stat("/sys/module/" VL_MODULE_NAME, &st) == 0);
}

FIXTURE(unloaded) {
	bool was_loaded;
};

FIXTURE_SETUP(unloaded)
{
	self->was_loaded = vl_module_loaded();
	if (self->was_loaded)
		ASSERT_EQ(0, vl_module_unload());
}

/* Leave the module as the test found it, for the tests that follow. */
FIXTURE_TEARDOWN(unloaded)
{
	if (self->was_loaded && !vl_module_loaded())
		ASSERT_EQ(0, vl_module_load());
}

TEST_F(unloaded, interfaces_follow_the_module)
{
	expect_interfaces(_metadata, false);
	ASSERT_EQ(0, vl_module_load());
	expect_interfaces(_metadata, true);
	EXPECT_EQ(-EEXIST, vl_module_load());
	ASSERT_EQ(0, vl_module_unload());
	expect_interfaces(_metadata, false);
	EXPECT_EQ(-ENOENT, vl_module_unload());
}

/* Whether CPU 0 counts retired instructions (a PMU perf can use). */
static bool cpu_counts_instructions(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_INSTRUCTIONS,
		.size = sizeof(attr),
	};
	int fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The icount source a recording reports in debugfs, or "" if none. */
static void recording_icount_source(char *source, size_t size)
{
	char state[4096], *at;

	source[0] = 0;
	if (vl_run("vlctl start-recording", NULL, 0))
		return;
	if (vl_read_file(VL_DEBUGFS "/state", state, sizeof(state)) > 0 &&
	    (at = strstr(state, "icount_source: ")))
		sscanf(at, "icount_source: %31s", source);
	vl_run("vlctl stop-recording", NULL, 0);
}

/*
 * icount_source: auto picks the PMU where CPU 0 counts retired
 * instructions, else the virtual clock; pmu is refused without a PMU;
 * anything else is refused.  A recording reports what it uses.
 */
TEST_F(unloaded, icount_source_is_checked_and_reported)
{
	bool pmu = cpu_counts_instructions();
	char source[32];

	TH_LOG("this CPU %s retired instructions", pmu ? "counts" : "does not count");
	EXPECT_EQ(-EINVAL, vl_module_load_params("icount_source=cycles"));
	EXPECT_FALSE(vl_module_loaded());

	ASSERT_EQ(0, vl_module_load_params("icount_source=virtual"));
	recording_icount_source(source, sizeof(source));
	EXPECT_STREQ("virtual", source);
	ASSERT_EQ(0, vl_module_unload());

	ASSERT_EQ(0, vl_module_load_params("icount_source=auto"));
	recording_icount_source(source, sizeof(source));
	EXPECT_STREQ(pmu ? "pmu" : "virtual", source);
	ASSERT_EQ(0, vl_module_unload());

	if (pmu) {
		ASSERT_EQ(0, vl_module_load_params("icount_source=pmu"));
		recording_icount_source(source, sizeof(source));
		EXPECT_STREQ("pmu", source);
		ASSERT_EQ(0, vl_module_unload());
	} else {
		EXPECT_EQ(-ENODEV, vl_module_load_params("icount_source=pmu"));
		EXPECT_FALSE(vl_module_loaded());
	}
}

TEST_F(unloaded, busy_module_refuses_to_unload)
{
	int fd;

	ASSERT_EQ(0, vl_module_load());
	fd = open(VL_DEVNODE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, vl_module_unload());
	close(fd);
	EXPECT_EQ(0, vl_module_unload());
}

static void cycle(struct __test_metadata *_metadata, int n)
{
	int i, err;

	for (i = 0; i < n; i++) {
		err = vl_module_load();
		ASSERT_EQ(0, err) TH_LOG("cycle %d: load: %s", i, strerror(-err));
		err = vl_module_unload();
		ASSERT_EQ(0, err) TH_LOG("cycle %d: unload: %s", i, strerror(-err));
	}
}

/* A device created, 4 KiB of requests served through it, destroyed. */
static void device_cycle(struct __test_metadata *_metadata, int n)
{
	char path[128];
	int i, index;

	for (i = 0; i < n; i++) {
		struct rng_backend b;

		index = rng_backend_start(&b);
		ASSERT_LE(0, index) TH_LOG("cycle %d: no device", i);
		EXPECT_EQ(4096, hwrng_read_check(4096)) TH_LOG("cycle %d", i);
		rng_backend_stop(&b);
		snprintf(path, sizeof(path),
			 "/sys/devices/virtual/misc/virtio-loopback/vl%d", index);
		for (int tries = 0; tries < 200 && !access(path, F_OK); tries++)
			usleep(50 * 1000);
		ASSERT_NE(0, access(path, F_OK)) TH_LOG("cycle %d: vl%d stays", i, index);
	}
}

/*
 * SLUB counts a CPU's current slab as fully in use, so a cache's count moves
 * in steps of up to a slab (tens of objects) without any leak, and unrelated
 * kernel activity moves it too.  A leak is growth of at least half the cycle
 * count in each of three rounds in a row: a leak of one object per cycle
 * always shows as that; noise does not keep it up.
 */
#define ROUNDS 3

/* SLAB_RECLAIM_ACCOUNT: the shrinkers give these objects back on demand. */
static bool slab_reclaimable(const char *name)
{
	char path[256], buf[8];

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/reclaim_account",
		 name);
	return vl_read_file(path, buf, sizeof(buf)) > 0 && buf[0] == '1';
}

typedef void (*cycle_fn)(struct __test_metadata *_metadata, int n);

static void expect_no_growth(struct __test_metadata *_metadata, cycle_fn fn,
			     int cycles)
{
	static struct slab_snapshot snap[ROUNDS + 1];
	int i, r;

	/* Warm up so caches the first cycles create are in every snapshot. */
	fn(_metadata, 5);
	ASSERT_EQ(0, take_snapshot(&snap[0]));
	for (r = 1; r <= ROUNDS; r++) {
		fn(_metadata, cycles);
		ASSERT_EQ(0, take_snapshot(&snap[r]));
	}

	for (i = 0; i < snap[ROUNDS].n; i++) {
		const char *name = snap[ROUNDS].caches[i].name;
		long growth[ROUNDS];
		bool leaking = true;

		/*
		 * vfree() hands areas back in batches of megabytes: every thread
		 * a cycle starts leaves its stack's vmap_area until then.  And
		 * reclaimable caches (dentries, inodes) grow with the test's own
		 * file lookups, held until memory is short.  The debug kernel's
		 * kmemleak sees leaks of either for real.
		 */
		if (!strcmp(name, "vmap_area") || slab_reclaimable(name))
			continue;

		for (r = 0; r < ROUNDS; r++) {
			growth[r] = find_objs(&snap[r + 1], name) -
				    find_objs(&snap[r], name);
			leaking &= growth[r] >= cycles / 2;
		}
		EXPECT_FALSE(leaking)
			TH_LOG("slab cache %s grew by %ld, %ld, %ld objects in rounds of %d cycles",
			       name, growth[0], growth[1], growth[2], cycles);
	}
	TH_LOG("SUnreclaim: %ld kB before, %ld kB after %d cycles",
	       snap[0].unreclaimable_kb, snap[ROUNDS].unreclaimable_kb,
	       ROUNDS * cycles);
	EXPECT_GT(1024, snap[ROUNDS].unreclaimable_kb - snap[0].unreclaimable_kb);
}

TEST_F_TIMEOUT(unloaded, cycles_leave_no_leak, 600)
{
	expect_no_growth(_metadata, cycle, CYCLES);
}

TEST_F_TIMEOUT(unloaded, device_cycles_leave_no_leak, 600)
{
	ASSERT_EQ(0, vl_module_load());
	expect_no_growth(_metadata, device_cycle, DEVICE_CYCLES);
	EXPECT_EQ(0, vl_module_unload());
}

TEST_HARNESS_MAIN
