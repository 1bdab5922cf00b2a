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
/* a slice in progress when a ring stops ends within this */
#define STOP_MS		20
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
	top = vm_build_dir();
	return top ? vm_gpus_init(gpu, NGPU) : -1;
}

static int policies_cleanup(void)
{
	return vm_gpus_cleanup(gpu, NGPU);
}

static bool setup_gpus(const unsigned int *divs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[i], divs[i])))
			return false;
	return true;
}

/*
 * |got - want| <= tol + slack (what stalls of the host may have moved
 * it, vm_window_slack()), noted with what was measured
 */
static bool near(const char *what, double got, double want, double tol,
		 double slack)
{
	if (slack > 0)
		vm_note("%s: %.3f (want %.3f +- %.3f, and %.3f for stalls)", what,
			got, want, tol, slack);
	else
		vm_note("%s: %.3f (want %.3f +- %.3f)", what, got, want, tol);
	return got >= want - tol - slack && got <= want + tol + slack;
}

/* vGPU @i's part of the wall time in @w is @want */
static bool util_near(const char *what, const struct vm_window *w,
		      unsigned int i, double want)
{
	return near(what, vm_window_util(w, i), want, TOLERANCE,
		    vm_window_slack(w, i, want, true));
}

/* vGPU @i's part of the GPU time in @w is @want */
static bool share_near(const char *what, const struct vm_window *w,
		       unsigned int i, double want)
{
	return near(what, vm_window_share(w, i), want, TOLERANCE,
		    vm_window_slack(w, i, want, false));
}

/* the engine was busy @want of the wall time in @w */
static bool busy_near(const char *what, const struct vm_window *w, double want)
{
	uint64_t stalled = 0;
	unsigned int i;

	for (i = 0; i < w->n; i++)
		stalled += w->stalled_ns[i];
	return near(what, vm_window_total_util(w), want, TOLERANCE,
		    w->wall_ns ? 2.0 * stalled / w->wall_ns : 0);
}

/*
 * GPU time of the first @n over a window after @settle_ms, with the
 * stalls since the test began (what a stall cost a vGPU may be paid back
 * long after it)
 */
static void window(unsigned int n, unsigned int settle_ms, struct vm_window *w)
{
	vm_sleep_ms(settle_ms);
	vm_window_measure(gpu, n, 0, WINDOW_MS, w);
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
	vm_stalls_clear(gpu, 2);
	id1 = vm_gpu_id(&gpu[1]);
	VM_EQ_FATAL(LOAD("%s/bpf/sched_fixed.bpf.o --set 'share[%u]=500'",
			 top, id1), 0);
	vm_gpu_keep_busy(&gpu[0], 0, 3000);
	window(2, SETTLE_MS, &w);
	CU_ASSERT(util_near("alone: V1_4's part of the wall time", &w, 0, 0.25));
	CU_ASSERT(busy_near("alone: the engine's busy part", &w, 0.25));

	vm_gpu_keep_busy(&gpu[1], 0, 3000);
	window(2, SETTLE_MS, &w);
	CU_ASSERT(util_near("both: the V1_4 by weight", &w, 0, 0.25));
	CU_ASSERT(util_near("both: the one with share 500", &w, 1, 0.50));
	CU_ASSERT(busy_near("both: the engine's busy part", &w, 0.75));
	check_active("sched_fixed");
	VM_EQ(LOAD("--unload sched_fixed"), 0);
	vm_gpus_teardown(gpu, NGPU);
}

/*
 * sched_equal: weights 32, 16 and 1 (V1_2, V1_4, V1_64) get a third each;
 * once one's ring is stopped (its work dropped) the other two split the
 * engine from the next slice on.
 */
static void test_equal(void)
{
	static const unsigned int divs[NGPU] = { 2, 4, 64 };
	struct vm_window w;
	unsigned int i;

	if (!setup_gpus(divs, NGPU))
		return;
	vm_stalls_clear(gpu, NGPU);
	VM_EQ_FATAL(LOAD("%s/bpf/sched_equal.bpf.o", top), 0);
	for (i = 0; i < NGPU; i++)
		vm_gpu_keep_busy(&gpu[i], 0, 3000);
	window(NGPU, SETTLE_MS, &w);
	CU_ASSERT(share_near("weight 32", &w, 0, 1 / 3.0));
	CU_ASSERT(share_near("weight 16", &w, 1, 1 / 3.0));
	CU_ASSERT(share_near("weight 1", &w, 2, 1 / 3.0));
	/* work-conserving: only the cost of switching is not given out */
	vm_note("the engine's busy part: %.3f", vm_window_total_util(&w));
	CU_ASSERT(vm_window_total_util(&w) > 0.8);

	/*
	 * The first one's ring stops (any RING_CTL write drops its work):
	 * halves for the other two once its slice in progress has ended.
	 */
	vm_gpu_wr(&gpu[0], GVT_ENGINE_REG(0, GVT_RING_CTL), 0);
	window(NGPU, STOP_MS, &w);
	VM_EQ(w.busy_ns[0], 0);
	CU_ASSERT(share_near("weight 16, one stopped", &w, 1, 0.5));
	CU_ASSERT(share_near("weight 1, one stopped", &w, 2, 0.5));
	CU_ASSERT(vm_window_total_util(&w) > 0.8);
	check_active("sched_equal");
	VM_EQ(LOAD("--unload sched_equal"), 0);
	vm_gpus_teardown(gpu, NGPU);
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
	vm_stalls_clear(gpu, 2);
	id0 = vm_gpu_id(&gpu[0]);
	VM_EQ_FATAL(LOAD("%s/bpf/sched_cap.bpf.o --set period_ms=100 --set 'cap[%u]=200'",
			 top, id0), 0);
	vm_gpu_keep_busy(&gpu[0], 0, 3000);
	window(2, SETTLE_MS, &w);
	CU_ASSERT(util_near("alone: the capped one", &w, 0, 0.20));
	CU_ASSERT(busy_near("alone: the engine's busy part", &w, 0.20));

	vm_gpu_keep_busy(&gpu[1], 0, 3000);
	window(2, SETTLE_MS, &w);
	CU_ASSERT(util_near("cap 200: the capped one", &w, 0, 0.20));
	/* the uncapped one takes the rest: what the engine gives out, less 0.2 */
	CU_ASSERT(util_near("cap 200: the uncapped one", &w, 1,
			    vm_window_total_util(&w) - 0.20));
	CU_ASSERT(vm_window_total_util(&w) > 0.8);

	VM_OK(NULL, map_set("sched_cap", "cap", id0, 400));
	window(2, SETTLE_MS, &w);
	CU_ASSERT(util_near("cap 400 (live): the capped one", &w, 0, 0.40));
	CU_ASSERT(util_near("cap 400 (live): the uncapped one", &w, 1,
			    vm_window_total_util(&w) - 0.40));
	check_active("sched_cap");
	VM_EQ(LOAD("--unload sched_cap"), 0);
	vm_gpus_teardown(gpu, NGPU);
}

struct lat_result {
	uint64_t start_p50, start_p90, start_p99; /* waited for the engine, ns */
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
	r->start_p90 = vm_percentile(start, LAT_JOBS, 90);
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
	vm_note("%s: waited for the engine p50 %.0f us p90 %.0f us p99 %.0f us, submit-to-complete p50 %.0f us p99 %.0f us (%u of %u jobs in more than one slice); long vGPU busy %.2f",
		what, r->start_p50 / 1e3, r->start_p90 / 1e3, r->start_p99 / 1e3,
		r->done_p50 / 1e3, r->done_p99 / 1e3, r->regrants, LAT_JOBS,
		r->long_util);
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
	/*
	 * Classified: the long one uses its slices to their end; the short
	 * one's end early, all but those the host stalls past their end
	 * (under full emulation on a busy host, a job of 50 us may take a
	 * whole slice). Its improvement is the judge below.
	 */
	used_short = lat_used(&gpu[0]);
	used_long = lat_used(&gpu[1]);
	vm_note("slices used to their end: short vGPU %.2f, long vGPU %.2f",
		used_short, used_long);
	CU_ASSERT(used_long >= 0.5);
	CU_ASSERT(used_short >= 0 && used_short < used_long);
	check_active("sched_latency");
	VM_EQ(LOAD("--unload sched_latency"), 0);

	/*
	 * A clear improvement: half the median wait and a shorter tail (p90:
	 * p99 is two jobs, and a stall of the host lands on a job or two of
	 * either run), and sooner done.
	 */
	CU_ASSERT(lat.start_p50 * 2 < base.start_p50);
	CU_ASSERT(lat.start_p90 < base.start_p90);
	CU_ASSERT(lat.done_p50 < base.done_p50);
	/* the long one keeps most of what it had (shorter slices cost some) */
	CU_ASSERT(lat.long_util > 0.6 * base.long_util);
	vm_gpus_teardown(gpu, NGPU);
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
