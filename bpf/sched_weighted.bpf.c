// SPDX-License-Identifier: GPL-2.0
/*
 * sched_weighted: weighted fair sharing with weights an operator changes
 * live. Each vGPU accrues, per engine, virtual time = GPU time *
 * GVT_WEIGHT_FULL / weight; the engine goes to the waiting vGPU with the
 * least virtual time. Weights come from the `weights` map (vGPU id ->
 * weight), or from the vGPU's own weight when it has no entry:
 *   gvt-load sched_weighted.bpf.o --set 'weights[1]=4' --set 'weights[2]=8'
 *   bpftool map update pinned /sys/fs/bpf/gvt/sched_weighted/weights \
 *       key 1 0 0 0 value 16 0 0 0
 *
 * Demonstrates: a policy of one hot op, as sched_ext's vtime schedulers
 * are. runnable() charges the vGPU for the GPU time the kernel counted
 * since it last looked (its runtime_ns argument), and queues it by
 * virtual time on its engine's queue (gvt_vtime.h); with no select(), the
 * kernel takes the first one: one BPF call and one kfunc, an O(log n)
 * insert, per decision.
 * A vGPU rejoins no earlier than the queue's clock (the virtual time of
 * the last one picked), so idling banks no credit.
 */
#include "gvt_policy.h"
#include "gvt_vtime.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} weights SEC(".maps");

/* the map's weight for @id, or @own (the vGPU's) */
static __always_inline __u32 weight_of(__u32 id, __u32 own)
{
	__u32 *w = bpf_map_lookup_elem(&weights, &id);

	return w && *w ? *w : own;
}

int GVT_STRUCT_OPS(wt_enable, __u32 vgpu_id, __u32 weight)
{
	gvt_vtime_reset(vgpu_id);
	return 0;
}

void GVT_STRUCT_OPS(wt_runnable, __u32 vgpu_id, __u32 engine, __u32 flags,
		    __u32 weight, __u64 runtime_ns)
{
	gvt_vtime_enqueue(engine, vgpu_id, engine, weight_of(vgpu_id, weight),
			  runtime_ns);
}

GVT_SCHED_OPS_DEFINE(sched_weighted,
	.enable = (void *)wt_enable,
	.runnable = (void *)wt_runnable,
);
