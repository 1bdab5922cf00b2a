// SPDX-License-Identifier: GPL-2.0
/*
 * sched_equal: equal shares. The vGPUs that have work on an engine get
 * equal GPU time there, whatever their types and weights; a vGPU with
 * less work than its share takes what it needs and the others split the
 * rest (work-conserving). Slices are `slice_us` long (default 1000).
 *   gvt-load sched_equal.bpf.o --set slice_us=500
 *
 * Demonstrates: the virtual time of gvt_vtime.h at its simplest - every
 * vGPU at the same weight, so virtual time is plain GPU time and the
 * engine goes to the waiting vGPU that has had least of it, O(log n) a
 * decision - and the difference from sched_rr, which gives equal turns:
 * turns that come out unequal (a late start, a step past the slice's end)
 * are evened out in GPU time. A vGPU that was idle rejoins at the fair
 * clock: it is not owed what it did not ask for.
 */
#include "gvt_policy.h"
#include "gvt_time.h"
#include "gvt_vtime.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 slice_us = GVT_SCHED_DEFAULT_SLICE_US;

int GVT_STRUCT_OPS(equal_enable, __u32 vgpu_id, __u32 weight)
{
	gvt_vtime_reset(vgpu_id);
	return 0;
}

void GVT_STRUCT_OPS(equal_runnable, __u32 vgpu_id, __u32 engine)
{
	gvt_vtime_enqueue(engine, vgpu_id, engine);
}

__u32 GVT_STRUCT_OPS(equal_select, __u32 engine)
{
	return gvt_vtime_pop(engine, engine);
}

__u64 GVT_STRUCT_OPS(equal_timeslice, __u32 vgpu_id, __u32 engine)
{
	return gvt_slice_clamp((__u64)slice_us * NSEC_PER_USEC);
}

void GVT_STRUCT_OPS(equal_charge, __u32 vgpu_id, __u32 engine, __u64 ns)
{
	/* one weight for all: virtual time is GPU time */
	gvt_vtime_charge(vgpu_id, engine, ns, GVT_WEIGHT_FULL);
}

GVT_SCHED_OPS_DEFINE(sched_equal,
	.enable = (void *)equal_enable,
	.runnable = (void *)equal_runnable,
	.select = (void *)equal_select,
	.timeslice = (void *)equal_timeslice,
	.charge = (void *)equal_charge,
);
