// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: BPF scheduling policies sharing the engines among vGPUs that
 * run real work, loaded in process through the policy library; the
 * module's checks and watchdog ejecting the bad ones while every vGPU
 * keeps progressing, the exit record waited for as a loader would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "vm_gpu.h"
#include "vm_sched.h"
#include "gvt_policy.h"

#define NGPU		3
#define WORK_NS		GVT_WORK_MAX_NS		/* 100 ms per command */
#define WINDOW_MS	1200
#define TOLERANCE	0.07

static struct vm_gpu gpu[NGPU];
static char out[8192];

/* runs a shell command, keeps its output in out[]; its exit status */
#define RUN(...)	vm_run(out, sizeof(out), __VA_ARGS__)

/* the attached scheduling policy as one line, in out[] */
static const char *sched_line(void)
{
	return vm_sched_line(out, sizeof(out));
}

static int sched_init(void)
{
	if (!vm_build_dir())
		return -1;
	vm_gpus_clear(gpu, NGPU);
	return 0;
}

static int sched_cleanup(void)
{
	vm_gpus_teardown(gpu, NGPU);
	vm_unload_all();
	return vm_suite_cleanup();
}

/* vGPUs of types V1_@divs[i], each with @n WORK commands queued on engine 0 */
static bool busy_gpus(const unsigned int *divs, unsigned int count,
		      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (!VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[i], divs[i])))
			return false;
	for (i = 0; i < count; i++)
		vm_gpu_submit_work(&gpu[i], 0, n, WORK_NS);
	return true;
}

/* GPU-time shares of engine 0 over the next @ms */
static void measure(unsigned int count, unsigned int ms, double *share)
{
	uint64_t b0[NGPU], total = 0;
	unsigned int i;

	for (i = 0; i < count; i++)
		b0[i] = vm_gpu_busy(&gpu[i], 0);
	usleep(ms * 1000);
	for (i = 0; i < count; i++) {
		b0[i] = vm_gpu_busy(&gpu[i], 0) - b0[i];
		total += b0[i];
	}
	for (i = 0; i < count; i++)
		share[i] = total ? (double)b0[i] / total : 0;
	CU_ASSERT(total > (uint64_t)ms * 1000000 / 2);
}

static void check_shares(const char *what, unsigned int count,
			 const double *share, const double *want)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		vm_note("%s: vGPU %u share %.3f (want %.3f)", what,
			vm_gpu_rd(&gpu[i], GVT_PV_VGPU_ID), share[i], want[i]);
		CU_ASSERT(share[i] > want[i] - TOLERANCE &&
			  share[i] < want[i] + TOLERANCE);
	}
}

static void test_weighted_live(void)
{
	static const unsigned int divs[NGPU] = { 8, 8, 8 };
	static const uint32_t w1[NGPU] = { 1, 2, 4 }, w2[NGPU] = { 4, 2, 1 };
	double share[NGPU], want[NGPU];
	uint32_t id[NGPU];
	unsigned int i;
	int fd;

	if (!busy_gpus(divs, NGPU, 40))
		return;
	for (i = 0; i < NGPU; i++)
		id[i] = vm_gpu_rd(&gpu[i], GVT_PV_VGPU_ID);
	VM_POL_OK_FATAL(vm_policy_load("sched_weighted", NULL, NULL,
				       "weights[%u]=%u weights[%u]=%u weights[%u]=%u",
				       id[0], w1[0], id[1], w1[1], id[2], w1[2]));
	usleep(200 * 1000);
	measure(NGPU, WINDOW_MS, share);
	for (i = 0; i < NGPU; i++)
		want[i] = w1[i] / 7.0;
	check_shares("weights 1:2:4", NGPU, share, want);

	/* change the weights in the live map: the shares follow */
	fd = bpf_obj_get("/sys/fs/bpf/gvt/sched_weighted/weights");
	VM_EQ_FATAL(fd >= 0, 1);
	for (i = 0; i < NGPU; i++)
		VM_EQ(bpf_map_update_elem(fd, &id[i], &w2[i], BPF_ANY), 0);
	close(fd);
	usleep(300 * 1000);
	measure(NGPU, WINDOW_MS, share);
	for (i = 0; i < NGPU; i++)
		want[i] = w2[i] / 7.0;
	check_shares("weights 4:2:1 (changed live)", NGPU, share, want);

	sched_line();
	VM_EQ(strstr(out, "sched sched_weighted state=active") != NULL, 1);
	VM_POL_OK(vm_policy_unload("sched_weighted"));
	vm_gpus_teardown(gpu, NGPU);
}

/* round robin ignores the types' weights (8, 4, 2) */
static void test_rr_equal(void)
{
	static const unsigned int divs[NGPU] = { 2, 4, 8 };
	double share[NGPU], want[NGPU] = { 1 / 3.0, 1 / 3.0, 1 / 3.0 };

	if (!busy_gpus(divs, NGPU, 40))
		return;
	VM_POL_OK_FATAL(vm_policy_load("sched_rr", NULL, NULL, NULL));
	usleep(200 * 1000);
	measure(NGPU, WINDOW_MS, share);
	check_shares("round robin", NGPU, share, want);
	/* a policy holds the module */
	VM_EQ(RUN("rmmod gvt_bpf") != 0, 1);

	/* replace it live by the weighted policy: the types' weights again */
	VM_POL_OK(vm_policy_replace("sched_rr", "sched_weighted", NULL));
	sched_line();
	VM_EQ(strstr(out, "sched sched_weighted state=active") != NULL, 1);
	usleep(300 * 1000);
	measure(NGPU, WINDOW_MS, share);
	want[0] = 8 / 14.0;
	want[1] = 4 / 14.0;
	want[2] = 2 / 14.0;
	check_shares("replaced by weighted (8:4:2)", NGPU, share, want);
	VM_POL_OK(vm_policy_unload("sched_rr"));
	vm_gpus_teardown(gpu, NGPU);
}

static void test_priority_aging(void)
{
	static const unsigned int divs[2] = { 8, 8 };
	double share[NGPU];
	uint32_t hi, lo;

	if (!busy_gpus(divs, 2, 40))
		return;
	hi = vm_gpu_rd(&gpu[0], GVT_PV_VGPU_ID);
	lo = vm_gpu_rd(&gpu[1], GVT_PV_VGPU_ID);
	VM_POL_OK_FATAL(vm_policy_load("sched_priority", NULL, NULL,
				       "prio[%u]=90 prio[%u]=10 aging_ms=5", hi, lo));
	usleep(200 * 1000);
	measure(2, WINDOW_MS, share);
	vm_note("priority 90 vs 10: shares %.3f %.3f", share[0], share[1]);
	CU_ASSERT(share[0] > 0.9);
	/*
	 * aging: 80 points apart at one point per 5 ms, the low-priority vGPU
	 * runs a slice every ~400 ms - a few per window - so it is never left
	 * waiting long enough for the watchdog to eject the policy
	 */
	CU_ASSERT(share[1] > 0.0005);
	sched_line();
	VM_EQ(strstr(out, "state=active") != NULL, 1);
	VM_POL_OK(vm_policy_unload("sched_priority"));
	vm_gpus_teardown(gpu, NGPU);
}

/* an invalid decision ejects the policy at once; the work still completes */
static void test_invalid_ejected(void)
{
	static const unsigned int divs[1] = { 8 };
	struct gvt_policy_info pol;
	uint32_t s;

	VM_POL_OK_FATAL(vm_policy_load("bad_sched_invalid", NULL, NULL, NULL));
	VM_EQ_FATAL(vm_policy_find("sched", "bad_sched_invalid", &pol), 0);
	if (!VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[0], divs[0])))
		return;
	s = vm_gpu_submit_work(&gpu[0], 0, 3, 1000000);
	CU_ASSERT(vm_gpu_wait(&gpu[0], 0, s, NULL) != 0);
	/* the kernel notified the state file: a loader's wait ends */
	VM_EQ(gvt_policy_wait_exit(pol.id, VM_WAIT_MS), 1);
	sched_line();
	vm_note("%s", out);
	VM_EQ(strstr(out, "state=ejected") != NULL, 1);
	VM_EQ(strstr(out, "reason=the kernel refused a decision") != NULL, 1);
	VM_EQ(strstr(out, "chose vGPU 554, which is not a vGPU of that parent") != NULL, 1);
	/* the exit record, field by field */
	VM_EQ(gvt_policy_read(pol.id, &pol), 0);
	VM_EQ(pol.exit_kind, GVT_EXIT_BAD_DECISION);
	VM_EQ(pol.exit_parent, 0);
	VM_EQ(pol.exit_vgpu, 554);
	VM_EQ(pol.exit_engine, 0);
	VM_POL_OK(vm_policy_unload("bad_sched_invalid"));
	vm_gpus_teardown(gpu, NGPU);
}

/* the watchdog ejects a policy that starves a vGPU; both complete */
static void test_starver_ejected(void)
{
	static const unsigned int divs[2] = { 8, 8 };
	uint64_t t0 = vm_now_ms(), b0;
	uint32_t s0, s1;

	if (!VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[0], divs[0])) ||
	    !VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[1], divs[1])))
		return;
	VM_POL_OK_FATAL(vm_policy_load("bad_sched_starve", NULL, NULL, NULL));
	b0 = vm_gpu_busy(&gpu[1], 0);
	s0 = vm_gpu_submit_work(&gpu[0], 0, 10, 50000000);	/* 0.5 s */
	s1 = vm_gpu_submit_work(&gpu[1], 0, 2, 50000000);
	CU_ASSERT(vm_gpu_wait(&gpu[1], 0, s1, NULL) != 0);
	CU_ASSERT(vm_gpu_wait(&gpu[0], 0, s0, NULL) != 0);
	CU_ASSERT(vm_gpu_busy(&gpu[1], 0) - b0 >= 100000000ull);
	sched_line();
	vm_note("%s (both done after %llu ms)", out,
		(unsigned long long)(vm_now_ms() - t0));
	VM_EQ(strstr(out, "state=ejected") != NULL, 1);
	VM_EQ(strstr(out, "reason=a vGPU waited too long") != NULL, 1);
	VM_EQ(strstr(out, "for gvt0 engine rcs (timeout 200 ms)") != NULL, 1);
	/* the ejection is counted on the vGPU that was starved */
	VM_EQ(vm_stat(gpu[1].v.uuid, "policy_ejections"), 1);
	VM_EQ(vm_stat(gpu[0].v.uuid, "policy_ejections"), 0);
	VM_POL_OK(vm_policy_unload("bad_sched_starve"));
	vm_gpus_teardown(gpu, NGPU);
}

/* detaching while work is queued and running loses nothing */
static void test_detach_in_flight(void)
{
	static const unsigned int divs[2] = { 4, 4 };
	uint32_t s0, s1;

	if (!VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[0], divs[0])) ||
	    !VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[1], divs[1])))
		return;
	VM_POL_OK_FATAL(vm_policy_load("sched_rr", NULL, NULL, NULL));
	s0 = vm_gpu_submit_work(&gpu[0], 0, 6, 50000000);
	s1 = vm_gpu_submit_work(&gpu[1], 0, 6, 50000000);
	usleep(150 * 1000);
	VM_POL_OK(vm_policy_unload("sched_rr"));
	CU_ASSERT(vm_gpu_wait(&gpu[0], 0, s0, NULL) != 0);
	CU_ASSERT(vm_gpu_wait(&gpu[1], 0, s1, NULL) != 0);
	sched_line();
	VM_EQ(out[0], '\0');
	vm_gpus_teardown(gpu, NGPU);
}

static void test_sched_refusals(void)
{
	/* one scheduling policy per parent at a time: refused, nothing left */
	VM_POL_OK(vm_policy_load("sched_rr", NULL, NULL, NULL));
	VM_EQ(vm_policy_load("sched_weighted", NULL, NULL, NULL), -EBUSY);
	VM_EQ(strstr(vm_policy_why(), "has a scheduling policy already") != NULL, 1);
	VM_EQ(access("/sys/fs/bpf/gvt/sched_weighted", F_OK), -1);
	VM_EQ(vm_policy_count("sched"), 1);
	VM_POL_OK(vm_policy_unload("sched_rr"));
	VM_EQ(vm_policy_unload("sched_weighted"), -ENOENT);
	/* a scheduling policy acts on parents and cannot be bound to a vGPU */
	VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[0], 8));
	VM_EQ(vm_policy_load("sched_rr", NULL, gpu[0].v.uuid, NULL), -EINVAL);
	VM_EQ(strstr(vm_policy_why(), "cannot be bound to a vGPU") != NULL, 1);
	VM_EQ(vm_policy_count(NULL), 0);
	vm_gpus_teardown(gpu, NGPU);
}

int vm_register_bpf_sched_suites(void)
{
	static const struct vm_test tests[] = {
		{ "sched_weighted: shares follow map weights, changed live", test_weighted_live },
		{ "sched_rr: equal shares; replaced live by sched_weighted", test_rr_equal },
		{ "sched_priority: priority wins, aging keeps the low one going", test_priority_aging },
		{ "a policy selecting an unknown vGPU is ejected, work completes", test_invalid_ejected },
		{ "the watchdog ejects a starving policy, every vGPU completes", test_starver_ejected },
		{ "detaching with work in flight loses nothing", test_detach_in_flight },
		{ "one scheduling policy at a time", test_sched_refusals },
		{ NULL, NULL }
	};

	return vm_add_suite("bpf sched", sched_init, sched_cleanup, tests);
}
