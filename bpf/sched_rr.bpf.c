// SPDX-License-Identifier: GPL-2.0
/*
 * sched_rr: round robin. Each engine goes to the next vGPU with work
 * after the one that ran there last, for one time slice (`--set
 * slice_us=N`, default 1000), whatever the vGPUs' weights.
 *
 * Demonstrates: the smallest complete gvt_sched_ops policy - one op,
 * select(), and a knob - with an O(1) decision however many vGPUs there
 * are: the kernel keeps who waits as a bit mask and
 * gvt_vgpu_next_waiting() scans it in one step; the slice given with the
 * pick (gvt_pick_slice()) rather than by a second op; per-engine state in
 * an array map, per parent.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 slice_us = GVT_SCHED_DEFAULT_SLICE_US;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_ENGINE_SLOTS);
	__type(key, __u32);
	__type(value, __u32);		/* last vGPU picked */
} rr_last SEC(".maps");

__u32 GVT_STRUCT_OPS(rr_select, __u32 engine)
{
	__u32 slot = gvt_engine_slot(engine), id;
	__u32 *last = bpf_map_lookup_elem(&rr_last, &slot);

	if (!last)
		return GVT_SCHED_NO_VGPU;
	id = gvt_vgpu_next_waiting(engine, *last);
	if (id)
		*last = id;
	gvt_pick_slice((__u64)slice_us * 1000);
	return id;
}

GVT_SCHED_OPS_DEFINE(sched_rr,
	.select = (void *)rr_select,
);
