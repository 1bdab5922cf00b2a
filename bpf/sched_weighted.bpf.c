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
 * Demonstrates: the kernel's queues ordered by a key (the virtual time):
 * runnable() inserts, select() pops, O(log n) a decision; charge()
 * feeding the key, operator-writable maps, and a vGPU rejoining at the
 * fair clock so idling banks no credit.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} weights SEC(".maps");

struct vtimes {
	__u64 vt[GVT_NUM_ENGINES];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, struct vtimes);
} vtime SEC(".maps");

/* the fair clock of each parent's engine: the last virtual time selected */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_ENGINE_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} fair_clock SEC(".maps");

static __always_inline __u32 weight_of(__u32 id)
{
	__u32 *w = bpf_map_lookup_elem(&weights, &id);

	if (w && *w)
		return *w;
	return gvt_vgpu_weight(id) ?: 1;
}

void GVT_STRUCT_OPS(wt_runnable, __u32 vgpu_id, __u32 engine)
{
	__u32 slot = gvt_engine_slot(engine);
	__u64 *clock = bpf_map_lookup_elem(&fair_clock, &slot);
	struct vtimes *v = bpf_map_lookup_elem(&vtime, &vgpu_id);

	if (!v || !clock || engine >= GVT_NUM_ENGINES)
		return;
	if (v->vt[engine] < *clock)
		v->vt[engine] = *clock;
	gvt_queue_insert(engine, vgpu_id, v->vt[engine]);
}

__u32 GVT_STRUCT_OPS(wt_select, __u32 engine)
{
	__u32 slot = gvt_engine_slot(engine);
	__u64 *clock = bpf_map_lookup_elem(&fair_clock, &slot), key;
	__u32 id = gvt_queue_peek(engine, &key);

	if (id && clock && key > *clock)
		*clock = key;
	return gvt_queue_pop(engine);
}

void GVT_STRUCT_OPS(wt_charge, __u32 vgpu_id, __u32 engine, __u64 ns)
{
	struct vtimes *v = bpf_map_lookup_elem(&vtime, &vgpu_id);

	if (v && engine < GVT_NUM_ENGINES)
		v->vt[engine] += ns * GVT_WEIGHT_FULL / weight_of(vgpu_id);
}

GVT_SCHED_OPS_DEFINE(sched_weighted,
	.runnable = (void *)wt_runnable,
	.select = (void *)wt_select,
	.charge = (void *)wt_charge,
);
