/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Measuring how the engines are shared, for the scheduling suites: GPU
 * time per vGPU (RING_BUSY_NS, what the vGPU's guest would see) over a
 * window of wall time, shares of it, and loading policies the way an
 * operator does (gvt-load).
 */
#ifndef VM_SCHED_H
#define VM_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "vm_gpu.h"

/*
 * GPU time of @n vGPUs on one engine over a window of wall time, and the
 * most one slice of each ran past its end because the host stalled
 * (see vm_stalls_start()) since vm_stalls_clear().
 */
struct vm_window {
	unsigned int n;
	uint64_t wall_ns;
	uint64_t total_ns;		/* of the @n vGPUs together */
	uint64_t busy_ns[GVT_MAX_VGPUS];
	uint64_t stalled_ns[GVT_MAX_VGPUS];
	uint64_t stalled_max_ns;	/* the most of all */
};

/* CLOCK_MONOTONIC in ns */
uint64_t vm_now_ns(void);
/* sleeps @ms milliseconds */
void vm_sleep_ms(unsigned int ms);

/*
 * The stall watch (bpf/slice_stalls.bpf.o, loaded with gvt-load as
 * "slice_stalls"): start and stop it; how many slices stalled so far
 * (-1 when the watch is not there), the longest in *@max_ns if not NULL;
 * forget the stalls of @g[0..@n) so far (windows count from here).
 */
int vm_stalls_start(void);
void vm_stalls_stop(void);
long long vm_stalls(uint64_t *max_ns);
void vm_stalls_clear(struct vm_gpu *g, unsigned int n);

/* the GPU time vGPUs @g[0..@n) get on engine @e over the next @ms */
void vm_window_measure(struct vm_gpu *g, unsigned int n, unsigned int e,
		       unsigned int ms, struct vm_window *w);

/*
 * How far stalls may have moved vGPU @i's part of @w (of the GPU time the
 * @n got, or of the wall time with @of_wall) from @want. A fair scheduler
 * keeps a vGPU within a slice of its share (at the window's start and at
 * its end: twice); a stalled slice is that much longer, charged to the
 * vGPU that held the engine and paid back later: twice its own longest
 * stall, and @want of the longest of all. A judgement of shares allows
 * this beyond its tolerance; 0 when nothing stalled.
 */
double vm_window_slack(const struct vm_window *w, unsigned int i, double want,
		       bool of_wall);

/* vGPU @i's part of the GPU time the @n got, and of the wall time */
double vm_window_share(const struct vm_window *w, unsigned int i);
double vm_window_util(const struct vm_window *w, unsigned int i);
/* all @n together, of the wall time */
double vm_window_total_util(const struct vm_window *w);

/*
 * vm_gpu_setup() on parent @parent: a V1_@div vGPU there, its DMA
 * buffer, MSI and rings up. Not recorded for the suite's cleanup: tear
 * it down with vm_gpu_teardown() (removing the module removes it too).
 */
int vm_gpu_setup_on(struct vm_gpu *g, unsigned int parent, unsigned int div);

/*
 * Removes the vGPUs an earlier suite left on the mdev bus (its cleanup
 * failed for them already) that no process holds open, so that a suite
 * needing a whole parent starts from one; how many, or -errno.
 */
int vm_remove_leftovers(void);

/*
 * A suite of @n vGPUs in @g that measures scheduling: init is
 * vm_gpus_clear() with the build tree found, the vGPUs an earlier suite
 * left removed and the stall watch started (0 or -1); cleanup is
 * vm_gpus_teardown() with the watch stopped and the policies unloaded
 * (vm_suite_cleanup()'s value).
 */
int vm_gpus_init(struct vm_gpu *g, unsigned int n);
int vm_gpus_cleanup(struct vm_gpu *g, unsigned int n);

/* the vGPU's id (PV-info) */
uint32_t vm_gpu_id(struct vm_gpu *g);
/* sysfs weight of the vGPU; 0 or -errno */
int vm_gpu_set_weight(struct vm_gpu *g, unsigned int weight);
/* keeps engine @e of @g busy for @ms of GPU time (WORK); the seqno */
uint32_t vm_gpu_keep_busy(struct vm_gpu *g, uint32_t e, unsigned int ms);

/*
 * Runs build/bin/gvt-load with the arguments @fmt gives (objects named
 * by their path: vm_build_dir()/bpf/NAME.bpf.o), its output in @out
 * (@len bytes); its exit status, -1 if it could not run.
 */
int vm_gvt_load(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* the @pct-th percentile of @v[0..@n) (sorts @v) */
uint64_t vm_percentile(uint64_t *v, unsigned int n, unsigned int pct);

#endif /* VM_SCHED_H */
