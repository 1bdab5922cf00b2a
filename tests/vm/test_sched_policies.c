// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: the scheduling policies operators ask for - fixed share,
 * equal share, caps, low latency for short work - each loaded with
 * gvt-load over vGPUs running real WORK, and judged by the GPU time the
 * vGPUs got (RING_BUSY_NS) over windows of wall time, or by the latency
 * the short vGPU's jobs saw.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "gvt_policy.h"
#include "vm_sched.h"
#include "../../bpf/sched_latency.h"

#define NGPU		3
#define WINDOW_MS	1000
#define SETTLE_MS	200
/* of the GPU time or of the wall time, under full emulation */
#define TOLERANCE	0.03

/* the latency test: jobs of the short vGPU, and their size */
#define LAT_JOBS	200
#define LAT_JOB_NS	50000u

static struct vm_gpu gpu[NGPU];
static const char *top;
static char out[8192];

#define LOAD(...)	vm_gvt_load(out, sizeof(out), __VA_ARGS__)

static int policies_init(void)
{
	unsigned int i;

	top = vm_build_dir();
	if (!top)
		return -1;
	for (i = 0; i < NGPU; i++)
		gpu[i].efd = -1;
	vm_unload_all();
	return 0;
}

static void teardown_gpus(void)
{
	unsigned int i;

	for (i = 0; i < NGPU; i++)
		vm_gpu_teardown(&gpu[i]);
}

static int policies_cleanup(void)
{
	teardown_gpus();
	vm_unload_all();
	return vm_suite_cleanup();
}

static bool setup_gpus(const unsigned int *divs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[i], divs[i])))
			return false;
	return true;
}

/* |got - want| <= tol, noted with what was measured */
static bool near(const char *what, double got, double want, double tol)
{
	vm_note("%s: %.3f (want %.3f +- %.3f)", what, got, want, tol);
	return got >= want - tol && got <= want + tol;
}

/* the policy @name decides, and has not been ejected */
static void check_active(const char *name)
{
	struct gvt_policy_info p;

	if (!VM_OK(NULL, vm_policy_find("sched", name, &p)))
		return;
	VM_STR(p.state, "active");
	CU_ASSERT(p.decisions > 0);
	if (strcmp(p.state, "active"))
		vm_note("%s: %s %s", name, p.exit_reason, p.exit_msg);
}

static int map_set(const char *policy, const char *map, uint32_t key,
		   uint32_t value)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/fs/bpf/gvt/%s/%s", policy, map);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	ret = bpf_map_update_elem(fd, &key, &value, BPF_ANY) ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * sched_fixed: a V1_4 (weight 16: 250 permille of the parent) alone gets
 * its quarter and the engine idles the rest; a second vGPU with 500
 * permille from the share map gets half, and the first still its quarter.
 */
static void test_fixed(void)
{
	static const unsigned int divs[2] = { 4, 4 };
	struct vm_window w;
	uint32_t id1;

	if (!setup_gpus(divs, 2))
		return;
	id1 = vm_gpu_id(&gpu[1]);
	VM_EQ_FATAL(LOAD("%s/bpf/sched_fixed.bpf.o --set 'share[%u]=500'",
			 top, id1), 0);
	vm_gpu_keep_busy(&gpu[0], 0, 3000);
	vm_sleep_ms(SETTLE_MS);
	vm_window_measure(gpu, 2, 0, WINDOW_MS, &w);
	CU_ASSERT(near("alone: V1_4's part of the wall time",
		       vm_window_util(&w, 0), 0.25, TOLERANCE));
	CU_ASSERT(near("alone: the engine's busy part",
		       vm_window_total_util(&w), 0.25, TOLERANCE));

	vm_gpu_keep_busy(&gpu[1], 0, 3000);
	vm_sleep_ms(SETTLE_MS);
	vm_window_measure(gpu, 2, 0, WINDOW_MS, &w);
	CU_ASSERT(near("both: the V1_4 by weight", vm_window_util(&w, 0), 0.25,
		       TOLERANCE));
	CU_ASSERT(near("both: the one with share 500", vm_window_util(&w, 1),
		       0.50, TOLERANCE));
	CU_ASSERT(near("both: the engine's busy part",
		       vm_window_total_util(&w), 0.75, TOLERANCE));
	check_active("sched_fixed");
	VM_EQ(LOAD("--unload sched_fixed"), 0);
	teardown_gpus();
}

/*
 * sched_equal: weights 32, 16 and 1 (V1_2, V1_4, V1_64) get a third each;
 * once one's work is done the other two split the engine.
 */
static void test_equal(void)
{
	static const unsigned int divs[NGPU] = { 2, 4, 64 };
	struct vm_window w;
	unsigned int i;
	uint32_t last;

	if (!setup_gpus(divs, NGPU))
		return;
	VM_EQ_FATAL(LOAD("%s/bpf/sched_equal.bpf.o", top), 0);
	/* the first has work for about two windows at a third of the engine */
	last = vm_gpu_keep_busy(&gpu[0], 0, 600);
	for (i = 1; i < NGPU; i++)
		vm_gpu_keep_busy(&gpu[i], 0, 3000);
	vm_sleep_ms(SETTLE_MS);
	vm_window_measure(gpu, NGPU, 0, WINDOW_MS, &w);
	CU_ASSERT(near("weight 32", vm_window_share(&w, 0), 1 / 3.0, TOLERANCE));
	CU_ASSERT(near("weight 16", vm_window_share(&w, 1), 1 / 3.0, TOLERANCE));
	CU_ASSERT(near("weight 1", vm_window_share(&w, 2), 1 / 3.0, TOLERANCE));
	/* work-conserving: only the cost of switching is not given out */
	vm_note("the engine's busy part: %.3f", vm_window_total_util(&w));
	CU_ASSERT(vm_window_total_util(&w) > 0.8);

	/* the first one's work ends: halves for the other two at once */
	CU_ASSERT_FATAL(vm_gpu_wait(&gpu[0], 0, last, NULL) != 0);
	vm_window_measure(gpu, NGPU, 0, WINDOW_MS, &w);
	VM_EQ(w.busy_ns[0], 0);
	CU_ASSERT(near("weight 16, one done", vm_window_share(&w, 1), 0.5,
		       TOLERANCE));
	CU_ASSERT(near("weight 1, one done", vm_window_share(&w, 2), 0.5,
		       TOLERANCE));
	CU_ASSERT(vm_window_total_util(&w) > 0.8);
	check_active("sched_equal");
	VM_EQ(LOAD("--unload sched_equal"), 0);
	teardown_gpus();
}

/*
 * sched_cap: a vGPU capped at 200 permille stays there alone (the engine
 * idles) and beside an uncapped one (which takes the rest); the cap
 * raised to 400 in the live map holds from the next period.
 */
static void test_cap(void)
{
	static const unsigned int divs[2] = { 4, 4 };
	struct vm_window w;
	uint32_t id0;

	if (!setup_gpus(divs, 2))
		return;
	id0 = vm_gpu_id(&gpu[0]);
	VM_EQ_FATAL(LOAD("%s/bpf/sched_cap.bpf.o --set period_ms=100 --set 'cap[%u]=200'",
			 top, id0), 0);
	vm_gpu_keep_busy(&gpu[0], 0, 3000);
	vm_sleep_ms(SETTLE_MS);
	vm_window_measure(gpu, 2, 0, WINDOW_MS, &w);
	CU_ASSERT(near("alone: the capped one", vm_window_util(&w, 0), 0.20,
		       TOLERANCE));
	CU_ASSERT(near("alone: the engine's busy part",
		       vm_window_total_util(&w), 0.20, TOLERANCE));

	vm_gpu_keep_busy(&gpu[1], 0, 3000);
	vm_sleep_ms(SETTLE_MS);
	vm_window_measure(gpu, 2, 0, WINDOW_MS, &w);
	CU_ASSERT(near("cap 200: the capped one", vm_window_util(&w, 0), 0.20,
		       TOLERANCE));
	/* the uncapped one takes the rest: what the engine gives out, less 0.2 */
	CU_ASSERT(near("cap 200: the uncapped one", vm_window_util(&w, 1),
		       vm_window_total_util(&w) - 0.20, TOLERANCE));
	CU_ASSERT(vm_window_total_util(&w) > 0.8);

	VM_OK(NULL, map_set("sched_cap", "cap", id0, 400));
	vm_sleep_ms(SETTLE_MS);
	vm_window_measure(gpu, 2, 0, WINDOW_MS, &w);
	CU_ASSERT(near("cap 400 (live): the capped one", vm_window_util(&w, 0),
		       0.40, TOLERANCE));
	CU_ASSERT(near("cap 400 (live): the uncapped one", vm_window_util(&w, 1),
		       vm_window_total_util(&w) - 0.40, TOLERANCE));
	check_active("sched_cap");
	VM_EQ(LOAD("--unload sched_cap"), 0);
	teardown_gpus();
}

struct lat_result {
	uint64_t start_p50, start_p99;	/* waited for the engine, ns */
	uint64_t done_p50, done_p99;	/* doorbell to its interrupt seen */
	unsigned int regrants;		/* jobs that took more than one slice */
	double long_util;		/* the long vGPU's part of the time */
};

/*
 * The short vGPU (gpu[0]) runs LAT_JOBS jobs of LAT_JOB_NS one at a time,
 * at random moments, while the long one (gpu[1]) keeps the engine busy:
 * how long each waited for the engine (the kernel's wait_ns, from the
 * doorbell to the slice's start) and until its interrupt came.
 */
static bool lat_run(struct lat_result *r)
{
	static uint64_t start[LAT_JOBS], done[LAT_JOBS];
	unsigned long long w0, w1, g0, g1;
	unsigned int seed = 1, j;
	uint64_t t0, b0, wall0;
	uint32_t s;

	memset(r, 0, sizeof(*r));
	vm_gpu_keep_busy(&gpu[1], 0, 5000);
	vm_sleep_ms(SETTLE_MS);
	b0 = vm_gpu_busy(&gpu[1], 0);
	wall0 = vm_now_ns();
	for (j = 0; j < LAT_JOBS; j++) {
		/* 0.5 to 2.5 ms apart: at any point of the long one's slice */
		usleep(500 + rand_r(&seed) % 2000);
		if (gvt_vgpu_stat(gpu[0].v.uuid, "wait_ns", &w0) ||
		    gvt_vgpu_stat(gpu[0].v.uuid, "sched_grants", &g0))
			return false;
		t0 = vm_now_ns();
		s = vm_gpu_submit_work(&gpu[0], 0, 1, LAT_JOB_NS);
		if (!vm_gpu_wait(&gpu[0], 0, s, NULL))
			return false;
		done[j] = vm_now_ns() - t0;
		if (gvt_vgpu_stat(gpu[0].v.uuid, "wait_ns", &w1) ||
		    gvt_vgpu_stat(gpu[0].v.uuid, "sched_grants", &g1))
			return false;
		start[j] = w1 - w0;
		r->regrants += g1 - g0 > 1;
	}
	r->long_util = (double)(vm_gpu_busy(&gpu[1], 0) - b0) /
		       (vm_now_ns() - wall0);
	r->start_p50 = vm_percentile(start, LAT_JOBS, 50);
	r->start_p99 = vm_percentile(start, LAT_JOBS, 99);
	r->done_p50 = vm_percentile(done, LAT_JOBS, 50);
	r->done_p99 = vm_percentile(done, LAT_JOBS, 99);
	return true;
}

/*
 * How many of its recent slices on engine 0 sched_latency saw @g use to
 * their end, 0..1 (-1: unknown)
 */
static double lat_used(struct vm_gpu *g)
{
	struct lat_vgpu l;
	uint32_t id = vm_gpu_id(g);
	int fd = bpf_obj_get("/sys/fs/bpf/gvt/sched_latency/lat_state");
	double used = -1;

	if (fd < 0)
		return -1;
	if (!bpf_map_lookup_elem(fd, &id, &l))
		used = (double)l.used[0] / LAT_ONE;
	close(fd);
	return used;
}

static void lat_note(const char *what, const struct lat_result *r)
{
	vm_note("%s: waited for the engine p50 %.0f us p99 %.0f us, submit-to-complete p50 %.0f us p99 %.0f us (%u of %u jobs in more than one slice); long vGPU busy %.2f",
		what, r->start_p50 / 1e3, r->start_p99 / 1e3, r->done_p50 / 1e3,
		r->done_p99 / 1e3, r->regrants, LAT_JOBS, r->long_util);
}

/*
 * sched_latency: a vGPU running short jobs while another runs long WORK
 * waits much less for the engine than under the built-in scheduler.
 */
static void test_latency(void)
{
	static const unsigned int divs[2] = { 8, 2 };
	struct lat_result base, lat;
	double used_short, used_long;

	if (!setup_gpus(divs, 2))
		return;
	CU_ASSERT_FATAL(lat_run(&base));
	lat_note("built-in", &base);

	VM_EQ_FATAL(LOAD("%s/bpf/sched_latency.bpf.o", top), 0);
	CU_ASSERT_FATAL(lat_run(&lat));
	lat_note("sched_latency", &lat);
	/* classified: short below half of its slices used to the end */
	used_short = lat_used(&gpu[0]);
	used_long = lat_used(&gpu[1]);
	vm_note("slices used to their end: short vGPU %.2f, long vGPU %.2f",
		used_short, used_long);
	CU_ASSERT(used_short >= 0 && used_short < 0.5);
	CU_ASSERT(used_long >= 0.5);
	check_active("sched_latency");
	VM_EQ(LOAD("--unload sched_latency"), 0);

	/* a clear improvement: half the median wait, and a shorter tail */
	CU_ASSERT(lat.start_p50 * 2 < base.start_p50);
	CU_ASSERT(lat.start_p99 < base.start_p99);
	CU_ASSERT(lat.done_p50 < base.done_p50);
	/* the long one keeps most of the engine */
	CU_ASSERT(lat.long_util > 0.5);
	teardown_gpus();
}

int vm_register_sched_policies_suites(void)
{
	static const struct vm_test tests[] = {
		{ "sched_fixed: a vGPU alone gets its share, the engine idles", test_fixed },
		{ "sched_equal: equal shares whatever the weights", test_equal },
		{ "sched_cap: capped at its cap, changed live, others take the rest", test_cap },
		{ "sched_latency: short jobs wait less beside long ones", test_latency },
		{ NULL, NULL }
	};

	return vm_add_suite("sched policies", policies_init, policies_cleanup,
			    tests);
}
