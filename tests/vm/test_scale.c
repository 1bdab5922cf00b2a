// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: fairness at scale. 8 vGPUs with weights 1..8, and a whole
 * parent of 64 V1_64 vGPUs with mixed weights, all running WORK: every
 * vGPU's share of the GPU time over 1 s windows must be within
 * SCALE_TOLERANCE of its weight's share, under the built-in scheduler and
 * under sched_weighted. A vGPU that becomes busy must take only its share
 * from the first window on, and one that goes idle must give its share
 * back to the others at once. The worst error is noted.
 *
 * Under full emulation on a loaded host, a slice now and then runs
 * milliseconds, or hundreds of them, past its end (the host did not run
 * the VM: the engine's timer fired late), and is charged to the vGPU that
 * held the engine; a fair scheduler then makes that vGPU pay it back, for
 * seconds if its weight is small. The stall watch (slice_stalls) records
 * the longest stall of each vGPU's slices since the scheduler started,
 * and each share is allowed what that may have moved it beyond the
 * tolerance (vm_window_slack()): nothing when the host ran the VM as it
 * should. The largest such allowance is noted with the worst error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gvt_policy.h"
#include "vm_sched.h"

#define WINDOW_MS		1000
#define WINDOWS			2
#define SETTLE_MS		200
#define SCALE_TOLERANCE		0.01
#define N_FEW			8
#define N_ALL			GVT_MAX_VGPUS
/* the 64: weights 1..8 in turn */
#define WEIGHT_KINDS		8
/* what one V1_64 with its DMA buffer may take, with room to spare */
#define MEM_PER_VGPU_KB		(3 * VM_GPU_MEM_SIZE / 1024)
/* starts of a policy that the watchdog ejected (see sched_start()) */
#define STARTS			3
/* a slice in progress when a ring stops ends within this */
#define STOP_MS			20

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

/* the worst share error of a run, and what stalls allowed */
struct scale_err {
	double abs;		/* |share - want| */
	double rel;		/* the same over want */
	unsigned int weight;	/* of the vGPU with the worst abs */
	double slack;		/* the largest allowance for stalls */
	unsigned int windows;
};

static int scale_init(void)
{
	return vm_gpus_init(gpu, N_ALL);
}

static int scale_cleanup(void)
{
	return vm_gpus_cleanup(gpu, N_ALL);
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

/* the policy of @c still decides (neither ejected nor replaced) */
static bool sched_deciding(const struct sched_case *c)
{
	struct gvt_policy_info p;

	if (!c->object)
		return true;
	return !vm_policy_find("sched", c->name, &p) &&
	       !strcmp(p.state, "active");
}

/* the scheduling policy deciding now, if any, is unloaded */
static void sched_stop(void)
{
	struct gvt_policy_info p;

	if (!vm_policy_find("sched", NULL, &p))
		VM_EQ(LOAD("--unload %s", p.name), 0);
}

/*
 * @c decides over @n vGPUs from now on, with no memory of what came
 * before: a policy is loaded (again); the built-in scheduler starts
 * afresh when a policy leaves (sched_rr comes and goes). The windows
 * count stalls from just before; SETTLE_MS first.
 */
static bool sched_start(const struct sched_case *c, unsigned int n)
{
	const char *obj = c->object ?: "sched_rr";

	sched_stop();
	vm_stalls_clear(gpu, n);
	if (!VM_EQ(LOAD("%s/bpf/%s.bpf.o", vm_build_dir(), obj), 0))
		return false;
	if (!c->object && !VM_EQ(LOAD("--unload %s", obj), 0))
		return false;
	vm_sleep_ms(SETTLE_MS);
	return true;
}

/*
 * A window of @n under @c; false when the policy was ejected meanwhile
 * (the watchdog: a vGPU of small weight paying back a long stall waited
 * past its timeout), the window then not being @c's.
 */
static bool measure(const struct sched_case *c, unsigned int n,
		    struct vm_window *w)
{
	uint64_t longest = 0;

	vm_window_measure(gpu, n, 0, WINDOW_MS, w);
	if (sched_deciding(c))
		return true;
	vm_stalls(&longest);
	vm_note("%s was ejected (the longest stalled slice so far: %.1f ms): it starts again",
		c->name, longest / 1e6);
	return false;
}

/*
 * Checks every vGPU in @w whose weight in @wt is not 0 (the others must
 * have got nothing) against its weight's share, allowing what stalls
 * may have moved it; notes the range of shares per weight and keeps the
 * worst error in @worst.
 */
static void check_window(const char *what, const struct vm_window *w,
			 const unsigned int *wt, struct scale_err *worst)
{
	double lo[N_FEW], hi[N_FEW], want, got, err, slack, most = 0;
	unsigned int i, k, sum = 0, nk = 0, kinds[N_FEW];
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
		slack = vm_window_slack(w, i, want, false);
		CU_ASSERT(err <= SCALE_TOLERANCE + slack);
		if (err > SCALE_TOLERANCE + slack)
			vm_note("%s: a weight-%u vGPU got %.4f, want %.4f +- %.4f (%.4f of it for stalls)",
				what, wt[i], got, want, SCALE_TOLERANCE + slack,
				slack);
		if (err > worst->abs) {
			worst->abs = err;
			worst->weight = wt[i];
		}
		if (err / want > worst->rel)
			worst->rel = err / want;
		if (slack > most)
			most = slack;
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
	if (most > worst->slack)
		worst->slack = most;
	worst->windows++;
	for (k = 0; k < nk && len < sizeof(line); k++)
		len += snprintf(line + len, sizeof(line) - len,
				" w%u %.4f-%.4f (%.4f)", kinds[k], lo[k], hi[k],
				(double)kinds[k] / sum);
	vm_note("%s: engine busy %.2f, the longest stall %.1f ms (at most %.4f more for a share); share per weight, range (want):%s",
		what, vm_window_total_util(w), w->stalled_max_ns / 1e6, most,
		line);
}

static void note_worst(const char *what, const struct scale_err *e)
{
	vm_note("%s: %u window(s); worst share error %.4f (a weight-%u vGPU), worst relative %.1f%%; stalls allowed up to %.4f more",
		what, e->windows, e->abs, e->weight, 100 * e->rel, e->slack);
	CU_ASSERT(e->windows > 0);
}

/* everyone busy: WINDOWS windows under each scheduler */
static void shares_all_busy(unsigned int n, unsigned int work_ms)
{
	struct scale_err err;
	unsigned int c, k, starts;
	struct vm_window w;
	char what[64];

	for (c = 0; c < NCASES; c++) {
		memset(&err, 0, sizeof(err));
		for (k = 0; k < n; k++)
			vm_gpu_keep_busy(&gpu[k], 0, work_ms);
		for (starts = 0; starts < STARTS; starts++) {
			if (!sched_start(&cases[c], n))
				break;
			for (k = 0; k < WINDOWS; k++) {
				if (!measure(&cases[c], n, &w))
					break;
				snprintf(what, sizeof(what), "%s, window %u",
					 cases[c].name, k + 1);
				check_window(what, &w, weight, &err);
			}
			if (k == WINDOWS)
				break;
		}
		note_worst(cases[c].name, &err);
	}
	sched_stop();
}

/* 8 V1_8 vGPUs with weights 1..8 */
static void test_eight(void)
{
	unsigned int i;

	for (i = 0; i < N_FEW; i++)
		weight[i] = i + 1;
	if (!setup_gpus(N_FEW, N_FEW))
		return;
	/* 8/36 of the engine, for the windows and a start or two */
	shares_all_busy(N_FEW, 1500);
	vm_gpus_teardown(gpu, N_ALL);
}

/*
 * 7 of the 8 busy; the weight-8 one becomes busy: from its first window
 * on it has its share, no more and no less; its ring stopped (any
 * RING_CTL write drops its work), the 7 have their shares of the whole
 * engine in the very next window.
 */
static void test_join_leave(void)
{
	unsigned int wt[N_FEW], i, c, last = N_FEW - 1;
	struct scale_err err;
	struct vm_window w;
	char what[96];

	for (i = 0; i < N_FEW; i++)
		weight[i] = i + 1;
	if (!setup_gpus(N_FEW, N_FEW))
		return;
	for (c = 0; c < NCASES; c++) {
		memset(&err, 0, sizeof(err));
		for (i = 0; i < last; i++)
			vm_gpu_keep_busy(&gpu[i], 0, 1500);
		if (!sched_start(&cases[c], N_FEW))
			continue;
		memcpy(wt, weight, sizeof(wt));
		wt[last] = 0;
		snprintf(what, sizeof(what), "%s, 7 busy", cases[c].name);
		if (measure(&cases[c], N_FEW, &w))
			check_window(what, &w, wt, &err);

		vm_gpu_keep_busy(&gpu[last], 0, 1500);
		wt[last] = weight[last];
		snprintf(what, sizeof(what), "%s, the 8th joins", cases[c].name);
		if (measure(&cases[c], N_FEW, &w))
			check_window(what, &w, wt, &err);

		vm_gpu_wr(&gpu[last], GVT_ENGINE_REG(0, GVT_RING_CTL), 0);
		vm_sleep_ms(STOP_MS);
		wt[last] = 0;
		snprintf(what, sizeof(what), "%s, the 8th stopped",
			 cases[c].name);
		if (measure(&cases[c], N_FEW, &w))
			check_window(what, &w, wt, &err);
		note_worst(cases[c].name, &err);
		/* the 8th as new (GPU reset, rings up), for the next scheduler */
		vm_gpu_wr(&gpu[last], GVT_REG_RESET, GVT_RESET_KEY);
		VM_OK(&gpu[last].v.d, vm_gpu_bringup(&gpu[last]));
	}
	sched_stop();
	vm_gpus_teardown(gpu, N_ALL);
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
	/* 8/288 of the engine, for the windows and a start or two */
	shares_all_busy(N_ALL, 300);
	t0 = vm_now_ms();
	vm_gpus_teardown(gpu, N_ALL);
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
