// SPDX-License-Identifier: GPL-2.0
/*
 * sched_rr: round robin. Each engine goes to the next vGPU with work
 * after the one that ran there last, for one time slice (`--set
 * slice_us=N`, default 1000), whatever the vGPUs' weights.
 *
 * Demonstrates: the smallest complete gvt_sched_ops policy - select() and
 * a knob - and per-engine state in an array map.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 slice_us = 1000;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_NUM_ENGINES);
	__type(key, __u32);
	__type(value, __u32);		/* last vGPU picked */
} rr_last SEC(".maps");

SEC("struct_ops/rr_select")
__u32 BPF_PROG(rr_select, __u32 engine)
{
	__u32 *last = bpf_map_lookup_elem(&rr_last, &engine);
	__u32 start, i;

	if (!last)
		return GVT_SCHED_NO_VGPU;
	start = *last;
	/* a few vGPUs: unrolled, so the verifier sees no loop state */
	#pragma unroll
	for (i = 1; i <= GVT_MAX_VGPUS; i++) {
		__u32 id = (start + i - 1) % GVT_MAX_VGPUS + 1;

		if (gvt_vgpu_has_work(id, engine)) {
			*last = id;
			return id;
		}
	}
	return GVT_SCHED_NO_VGPU;
}

SEC("struct_ops/rr_timeslice")
__u64 BPF_PROG(rr_timeslice, __u32 vgpu_id)
{
	return (__u64)slice_us * 1000;
}

SEC(".struct_ops.link")
struct gvt_sched_ops sched_rr = {
	.select = (void *)rr_select,
	.timeslice = (void *)rr_timeslice,
	.name = "sched_rr",
};
