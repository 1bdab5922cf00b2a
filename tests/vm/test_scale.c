// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: fairness at scale. 8 vGPUs with weights 1..8, and a whole
 * parent of 64 V1_64 vGPUs with mixed weights, all running WORK: every
 * vGPU's share of the GPU time over 1 s windows must be within
 * SCALE_TOLERANCE of its weight's share, under the built-in scheduler and
 * under sched_weighted. A vGPU that becomes busy must take only its share
 * from the first window on, and one whose work ends must give its share
 * back to the others at once. The worst error is noted.
 *
 * Under full emulation on a loaded host, a slice now and then runs tens
 * of milliseconds past its end (the host did not run the VM: the engine's
 * timer fired late) and is charged to whichever vGPU held the engine; a
 * fair scheduler then makes that vGPU pay it back, for seconds if its
 * weight is small. Such a window says nothing about the scheduler: it is
 * noted, not judged, and the scheduler starts afresh (the built-in one
 * after a policy came and went, a policy by loading it again). A window
 * is disturbed when the engine revoked a grant (sched_revocations), a
 * vGPU got STALL_NS more GPU time than its grants account for at the
 * window's mean time per grant, or the policy was ejected. A run needs WINDOWS undisturbed windows out of at
 * most MAX_WINDOWS, and fails with fewer than one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gvt_policy.h"
#include "vm_sched.h"

#define WINDOW_MS		1000
#define WINDOWS			2
#define MAX_WINDOWS		5
#define SETTLE_MS		200
#define SCALE_TOLERANCE		0.01
#define N_FEW			8
#define N_ALL			GVT_MAX_VGPUS
/* the 64: weights 1..8 in turn */
#define WEIGHT_KINDS		8
/* what one V1_64 with its DMA buffer may take, with room to spare */
#define MEM_PER_VGPU_KB		(3 * VM_GPU_MEM_SIZE / 1024)
/*
 * GPU time of a vGPU beyond its grants that means the host stalled; what
 * a vGPU pays back for less than that moves a share by at most 0.006
 */
#define STALL_NS		6000000ull
/* attempts at a start with no stall while the scheduler settles */
#define STARTS			4
/* join and leave: attempts at three undisturbed windows in a row */
#define ATTEMPTS		3

static struct vm_gpu gpu[N_ALL];
static unsigned int weight[N_ALL];
static char out[8192];

#define LOAD(...)	vm_gvt_load(out, sizeof(out), __VA_ARGS__)

/* the scheduler of a run: the built-in one or a policy */
struct sched_case {
	const char *name;
	const char *object;		/* NULL: the built-in scheduler */
};

static const struct sched_case cases[] = {
	{ "built-in", NULL },
	{ "sched_weighted", "sched_weighted" },
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

/* the worst share error seen, and where */
struct scale_err {
	double abs;		/* |share - want| */
	double rel;		/* the same over want */
	unsigned int weight;	/* of the vGPU with the worst abs */
};

/* a window, and whether the host disturbed it */
struct scale_window {
	struct vm_window w;
	unsigned long long grants[N_ALL];
	uint64_t overrun_ns;	/* most GPU time beyond a vGPU's grants */
	long revoked;		/* grants revoked meanwhile */
	bool ejected;
	bool disturbed;
};

static int scale_init(void)
{
	unsigned int i;

	if (!vm_build_dir())
		return -1;
	for (i = 0; i < N_ALL; i++)
		gpu[i].efd = -1;
	vm_unload_all();
	return 0;
}

static void teardown_gpus(void)
{
	unsigned int i;

	for (i = 0; i < N_ALL; i++)
		vm_gpu_teardown(&gpu[i]);
}

static int scale_cleanup(void)
{
	teardown_gpus();
	vm_unload_all();
	return vm_suite_cleanup();
}

/*
 * @n vGPUs of type V1_@div with weights weight[0..@n), each having run
 * one short job: a vGPU's first slice costs more (its executor's first
 * run), which is not what these tests measure.
 */
static bool setup_gpus(unsigned int n, unsigned int div)
{
	unsigned int i;
	uint32_t s;

	for (i = 0; i < n; i++) {
		if (!VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[i], div)) ||
		    !VM_OK_FATAL(NULL, vm_gpu_set_weight(&gpu[i], weight[i])))
			return false;
		s = vm_gpu_submit_work(&gpu[i], 0, 1, 10000);
		CU_ASSERT_FATAL(vm_gpu_wait(&gpu[i], 0, s, NULL) != 0);
	}
	return true;
}

static long revocations(void)
{
	long v = -1;

	gvt_parent_attr_long(0, "sched_revocations", &v);
	return v;
}

/* the policy of @c still decides (neither ejected nor replaced) */
static bool sched_deciding(const struct sched_case *c)
{
	struct gvt_policy_info p;

	if (!c->object)
		return true;
	return !vm_policy_find("sched", c->name, &p) &&
	       !strcmp(p.state, "active");
}

static void read_grants(unsigned int n, unsigned long long *g)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (gvt_vgpu_stat(gpu[i].v.uuid, "sched_grants", &g[i]))
			g[i] = 0;
}

/*
 * A window of @ms of @n vGPUs under @c, and whether it was disturbed: a
 * stall shows as a vGPU whose GPU time exceeds its grants at the
 * window's mean time per grant by more than STALL_NS (the jitter of
 * hundreds of grants stays well under it).
 */
static void measure(const struct sched_case *c, unsigned int n,
		    unsigned int ms, struct scale_window *sw)
{
	unsigned long long g0[N_ALL], grants = 0;
	uint64_t per_grant, expect, over;
	long r0 = revocations();
	unsigned int i;

	memset(sw, 0, sizeof(*sw));
	read_grants(n, g0);
	vm_window_measure(gpu, n, 0, ms, &sw->w);
	read_grants(n, sw->grants);
	sw->revoked = revocations() - r0;
	for (i = 0; i < n; i++) {
		sw->grants[i] -= g0[i];
		grants += sw->grants[i];
	}
	per_grant = grants ? sw->w.total_ns / grants : 0;
	for (i = 0; i < n; i++) {
		expect = sw->grants[i] * per_grant;
		over = sw->w.busy_ns[i] > expect ? sw->w.busy_ns[i] - expect : 0;
		if (over > sw->overrun_ns)
			sw->overrun_ns = over;
	}
	sw->ejected = !sched_deciding(c);
	sw->disturbed = sw->revoked || sw->overrun_ns > STALL_NS || sw->ejected;
}

/*
 * @c decides from now on, with no memory of what came before: a policy
 * is loaded (again); the built-in scheduler starts afresh when a policy
 * leaves (sched_rr comes and goes).
 */
static bool sched_fresh(const struct sched_case *c)
{
	const char *obj = c->object ?: "sched_rr";

	vm_unload_all();
	if (!VM_EQ(LOAD("%s/bpf/%s.bpf.o", vm_build_dir(), obj), 0))
		return false;
	if (!c->object)
		return VM_EQ(LOAD("--unload %s", obj), 0);
	return true;
}

/*
 * sched_fresh(), then SETTLE_MS of the @n vGPUs under @c with no stall
 * (whose debt would still be paid back in the next window), in at most
 * STARTS tries.
 */
static bool sched_start(const struct sched_case *c, unsigned int n)
{
	struct scale_window sw;
	unsigned int i;

	for (i = 0; i < STARTS; i++) {
		if (!sched_fresh(c))
			return false;
		measure(c, n, SETTLE_MS, &sw);
		if (!sw.disturbed)
			return true;
		vm_note("%s: the host stalled the engine while it settled (%.1f ms beyond a vGPU's grants, %ld revoked): again",
			c->name, sw.overrun_ns / 1e6, sw.revoked);
	}
	vm_note("%s: could not start without a stall", c->name);
	return false;
}

/*
 * Checks every vGPU in @sw whose weight in @wt is not 0 (the others must
 * have got nothing) against its weight's share, asserting only when the
 * window was not disturbed; notes the range of shares per weight and
 * keeps the worst error in @worst (of undisturbed windows) and @all.
 */
static void check_window(const char *what, const struct scale_window *sw,
			 const unsigned int *wt, struct scale_err *worst,
			 struct scale_err *all)
{
	double lo[N_FEW], hi[N_FEW], want, got, err;
	unsigned int i, k, sum = 0, nk = 0, kinds[N_FEW];
	const struct vm_window *w = &sw->w;
	char line[1024];
	size_t len = 0;

	for (i = 0; i < w->n; i++)
		sum += wt[i];
	for (i = 0; i < w->n; i++) {
		got = vm_window_share(w, i);
		if (!wt[i]) {
			VM_EQ(w->busy_ns[i], 0);
			continue;
		}
		want = (double)wt[i] / sum;
		err = got > want ? got - want : want - got;
		if (err > all->abs) {
			all->abs = err;
			all->weight = wt[i];
		}
		if (!sw->disturbed) {
			CU_ASSERT(err <= SCALE_TOLERANCE);
			if (err > worst->abs) {
				worst->abs = err;
				worst->weight = wt[i];
			}
			if (err / want > worst->rel)
				worst->rel = err / want;
		}
		for (k = 0; k < nk && kinds[k] != wt[i]; k++)
			;
		if (k == nk) {
			if (nk == N_FEW)
				continue;
			kinds[nk++] = wt[i];
			lo[k] = hi[k] = got;
		}
		lo[k] = got < lo[k] ? got : lo[k];
		hi[k] = got > hi[k] ? got : hi[k];
	}
	for (k = 0; k < nk && len < sizeof(line); k++)
		len += snprintf(line + len, sizeof(line) - len,
				" w%u %.4f-%.4f (%.4f)", kinds[k], lo[k], hi[k],
				(double)kinds[k] / sum);
	if (sw->disturbed)
		vm_note("%s: DISTURBED, not judged: %ld grant(s) revoked, a vGPU ran %.1f ms beyond its grants%s; shares:%s",
			what, sw->revoked, sw->overrun_ns / 1e6,
			sw->ejected ? ", the policy was ejected" : "", line);
	else
		vm_note("%s: engine busy %.2f; share per weight, range (want):%s",
			what, vm_window_total_util(w), line);
}

/* @clean of @tries (windows or attempts, @unit) were undisturbed */
static void note_worst(const char *what, unsigned int clean,
		       unsigned int tries, const char *unit,
		       const struct scale_err *e, const struct scale_err *all)
{
	vm_note("%s: %u of %u %s undisturbed; worst share error %.4f (a weight-%u vGPU), worst relative %.1f%%; in any window %.4f",
		what, clean, tries, unit, e->abs, e->weight, 100 * e->rel,
		all->abs);
	if (!clean)
		vm_note("%s: nothing undisturbed: the host stalled the engine every time",
			what);
	CU_ASSERT(clean >= 1);
}

/* everyone busy: WINDOWS undisturbed windows under each scheduler */
static void shares_all_busy(unsigned int n, unsigned int work_ms)
{
	struct scale_err err, all;
	struct scale_window sw;
	unsigned int c, k, clean;
	char what[64];

	for (c = 0; c < NCASES; c++) {
		memset(&err, 0, sizeof(err));
		memset(&all, 0, sizeof(all));
		for (k = 0; k < n; k++)
			vm_gpu_keep_busy(&gpu[k], 0, work_ms);
		clean = 0;
		if (!sched_start(&cases[c], n)) {
			note_worst(cases[c].name, 0, 0, "windows", &err, &all);
			continue;
		}
		for (k = 0; k < MAX_WINDOWS && clean < WINDOWS; k++) {
			snprintf(what, sizeof(what), "%s, window %u", cases[c].name,
				 k + 1);
			measure(&cases[c], n, WINDOW_MS, &sw);
			check_window(what, &sw, weight, &err, &all);
			if (!sw.disturbed) {
				clean++;
				continue;
			}
			if (!sched_start(&cases[c], n))
				break;
		}
		note_worst(cases[c].name, clean, k, "windows", &err, &all);
	}
	vm_unload_all();
}

/* 8 V1_8 vGPUs with weights 1..8 */
static void test_eight(void)
{
	unsigned int i;

	for (i = 0; i < N_FEW; i++)
		weight[i] = i + 1;
	if (!setup_gpus(N_FEW, N_FEW))
		return;
	/* 8/36 of the engine for up to MAX_WINDOWS windows and restarts */
	shares_all_busy(N_FEW, 2500);
	teardown_gpus();
}

/*
 * 7 of the 8 busy; the weight-8 one becomes busy with a fixed amount of
 * work: from its first window on it has its share, no more and no less;
 * once its work is done the 7 have their shares of the whole engine in
 * the very next window. Three undisturbed windows in a row, or again.
 */
static void test_join_leave(void)
{
	unsigned int wt[N_FEW], i, c, a, last = N_FEW - 1;
	static const char * const phase[3] = {
		"7 busy", "the 8th joins", "the 8th is done",
	};
	struct scale_err err, all;
	struct scale_window sw;
	bool disturbed;
	char what[96];
	uint32_t s;

	for (i = 0; i < N_FEW; i++)
		weight[i] = i + 1;
	if (!setup_gpus(N_FEW, N_FEW))
		return;
	for (c = 0; c < NCASES; c++) {
		memset(&err, 0, sizeof(err));
		memset(&all, 0, sizeof(all));
		disturbed = true;
		for (a = 0; a < ATTEMPTS && disturbed; a++) {
			for (i = 0; i < last; i++)
				vm_gpu_keep_busy(&gpu[i], 0, 1500);
			if (!sched_start(&cases[c], N_FEW))
				break;
			memcpy(wt, weight, sizeof(wt));
			wt[last] = 0;
			snprintf(what, sizeof(what), "%s, attempt %u, %s",
				 cases[c].name, a + 1, phase[0]);
			measure(&cases[c], N_FEW, WINDOW_MS, &sw);
			check_window(what, &sw, wt, &err, &all);
			disturbed = sw.disturbed;

			/* 8/36 of a window, and about half as much again */
			s = vm_gpu_keep_busy(&gpu[last], 0, 350);
			wt[last] = weight[last];
			snprintf(what, sizeof(what), "%s, attempt %u, %s",
				 cases[c].name, a + 1, phase[1]);
			measure(&cases[c], N_FEW, WINDOW_MS, &sw);
			check_window(what, &sw, wt, &err, &all);
			disturbed |= sw.disturbed;

			CU_ASSERT_FATAL(vm_gpu_wait(&gpu[last], 0, s, NULL) != 0);
			wt[last] = 0;
			snprintf(what, sizeof(what), "%s, attempt %u, %s",
				 cases[c].name, a + 1, phase[2]);
			measure(&cases[c], N_FEW, WINDOW_MS, &sw);
			check_window(what, &sw, wt, &err, &all);
			disturbed |= sw.disturbed;
		}
		note_worst(cases[c].name, !disturbed, a, "attempts", &err, &all);
	}
	vm_unload_all();
	teardown_gpus();
}

/* MemAvailable, kB; 0 if unknown */
static unsigned long long mem_available_kb(void)
{
	unsigned long long kb = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* the whole parent: 64 V1_64, each with its 4 MiB DMA buffer */
static void test_sixty_four(void)
{
	unsigned long long before = mem_available_kb(), after;
	uint64_t t0 = vm_now_ms();
	unsigned int i;

	vm_note("memory available: %llu MiB; 64 vGPUs need at most %u MiB",
		before / 1024, N_ALL * MEM_PER_VGPU_KB / 1024);
	CU_ASSERT_FATAL(before >= (unsigned long long)N_ALL * MEM_PER_VGPU_KB);
	for (i = 0; i < N_ALL; i++)
		weight[i] = 1 + i % WEIGHT_KINDS;
	if (!setup_gpus(N_ALL, N_ALL))
		return;
	after = mem_available_kb();
	vm_note("64 vGPUs set up in %llu ms, memory available now %llu MiB (%llu KiB each)",
		(unsigned long long)(vm_now_ms() - t0), after / 1024,
		(before - after) / N_ALL);
	VM_EQ(gvt_mdev_available(N_ALL), 0);
	/* 8/288 of the engine for up to MAX_WINDOWS windows */
	shares_all_busy(N_ALL, 300);
	t0 = vm_now_ms();
	teardown_gpus();
	vm_note("64 vGPUs torn down in %llu ms",
		(unsigned long long)(vm_now_ms() - t0));
}

int vm_register_scale_suites(void)
{
	static const struct vm_test tests[] = {
		{ "8 vGPUs, weights 1..8: shares within 0.01", test_eight },
		{ "8 vGPUs: one joining takes its share, one leaving gives it back", test_join_leave },
		{ "64 V1_64 vGPUs, mixed weights: shares within 0.01", test_sixty_four },
		{ NULL, NULL }
	};

	return vm_add_suite("sched scale", scale_init, scale_cleanup, tests);
}
