// SPDX-License-Identifier: GPL-2.0
/*
 * sched_equal: equal shares. The vGPUs that have work on an engine get
 * equal GPU time there, whatever their types and weights; a vGPU with
 * less work than its share takes what it needs and the others split the
 * rest (work-conserving). Slices are each vGPU's own (sysfs
 * `timeslice_us`, default 1 ms).
 *   gvt-load sched_equal.bpf.o
 *
 * Demonstrates: the virtual time of gvt_vtime.h at its simplest - every
 * vGPU at the same weight, so virtual time is plain GPU time and the
 * engine goes to the waiting vGPU that has had least of it - in one op:
 * runnable() charges and queues on the engine's queue and the kernel
 * takes the first (no select()), O(log n) a decision. The difference from
 * sched_rr, which gives equal turns: turns that come out unequal (a late
 * start, a step past the slice's end) are evened out in GPU time. A vGPU
 * that was idle rejoins at the queue's clock: it is not owed what it did
 * not ask for.
 */
#include "gvt_policy.h"
#include "gvt_vtime.h"

char _license[] SEC("license") = "GPL";

int GVT_STRUCT_OPS(equal_enable, __u32 vgpu_id, __u32 weight)
{
	gvt_vtime_reset(vgpu_id);
	return 0;
}

void GVT_STRUCT_OPS(equal_runnable, __u32 vgpu_id, __u32 engine,
		    __u32 flags, __u32 weight, __u64 runtime_ns)
{
	/* one weight for all: virtual time is GPU time */
	gvt_vtime_enqueue(engine, vgpu_id, engine, GVT_WEIGHT_FULL, runtime_ns);
}

GVT_SCHED_OPS_DEFINE(sched_equal,
	.enable = (void *)equal_enable,
	.runnable = (void *)equal_runnable,
);
