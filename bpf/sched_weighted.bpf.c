// SPDX-License-Identifier: GPL-2.0
/*
 * sched_weighted: weighted fair sharing with weights an operator changes
 * live. Each vGPU accrues virtual time = GPU time * 16 / weight; the
 * engine goes to the vGPU with work and the least virtual time. Weights
 * come from the `weights` map (vGPU id -> weight), or from the vGPU's own
 * weight when it has no entry:
 *   gvt-load sched_weighted.bpf.o --set 'weights[1]=4' --set 'weights[2]=8'
 *   bpftool map update pinned /sys/fs/bpf/gvt/sched_weighted/weights \
 *       key 1 0 0 0 value 16 0 0 0
 *
 * Demonstrates: charge() feeding the decision, operator-writable maps,
 * a vGPU rejoining at the fair clock so idling banks no credit.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

#define WEIGHT_UNIT 16

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_MAX_VGPUS + 1);
	__type(key, __u32);
	__type(value, __u32);
} weights SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_MAX_VGPUS + 1);
	__type(key, __u32);
	__type(value, __u64);
} vtime SEC(".maps");

static __always_inline __u32 weight_of(__u32 id)
{
	__u32 *w = bpf_map_lookup_elem(&weights, &id);

	if (w && *w)
		return *w;
	return gvt_vgpu_weight(id) ?: 1;
}

/* the fair clock: virtual time of the last vGPU selected (like CFS's
 * min_vruntime); a vGPU that was idle rejoins no earlier than it */
__u64 fair_clock;

SEC("struct_ops/wt_runnable")
void BPF_PROG(wt_runnable, __u32 vgpu_id)
{
	__u64 *vt = bpf_map_lookup_elem(&vtime, &vgpu_id);

	if (vt && *vt < fair_clock)
		*vt = fair_clock;
}

SEC("struct_ops/wt_select")
__u32 BPF_PROG(wt_select, __u32 engine)
{
	__u64 best = ~0ull;
	__u32 pick = GVT_SCHED_NO_VGPU;

	/* a few vGPUs: unrolled, so the verifier sees no loop state */
	#pragma unroll
	for (__u32 id = GVT_FIRST_VGPU; id <= GVT_LAST_VGPU; id++) {
		__u32 key;
		__u64 *vt;

		if (!gvt_vgpu_has_work(id, engine))
			continue;
		key = id;
		vt = bpf_map_lookup_elem(&vtime, &key);
		if (vt && *vt < best) {
			best = *vt;
			pick = id;
		}
	}
	if (pick != GVT_SCHED_NO_VGPU && best > fair_clock)
		fair_clock = best;
	return pick;
}

SEC("struct_ops/wt_charge")
void BPF_PROG(wt_charge, __u32 vgpu_id, __u64 ns)
{
	__u64 *vt = bpf_map_lookup_elem(&vtime, &vgpu_id);

	if (vt)
		*vt += ns * WEIGHT_UNIT / weight_of(vgpu_id);
}

SEC(".struct_ops.link")
struct gvt_sched_ops sched_weighted = {
	.runnable = (void *)wt_runnable,
	.select = (void *)wt_select,
	.charge = (void *)wt_charge,
	.name = "sched_weighted",
};
