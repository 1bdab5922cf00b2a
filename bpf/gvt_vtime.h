/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual time with a fair clock, for policies that share an engine in
 * proportion to weights among the vGPUs that wait for it (sched_equal,
 * sched_cap, sched_latency). Include after gvt_policy.h.
 *
 * Each vGPU carries, per engine, a virtual time that grows by the GPU
 * time it used there times GVT_WEIGHT_FULL / weight. The waiting ones sit
 * in one of the parent's queues keyed by it, so the one furthest behind
 * comes out first: O(log n) a decision. The engine's fair clock is the
 * virtual time of the last one taken out; a vGPU that becomes runnable
 * again never starts behind it, so idling banks no credit that would
 * later shut the others out.
 *
 * State is keyed by global vGPU id (vtime) and by parent and engine
 * (fair_clock), so one object serves several parents.
 */
#ifndef GVT_VTIME_H
#define GVT_VTIME_H

struct gvt_vtime {
	__u64 vt[GVT_NUM_ENGINES];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, struct gvt_vtime);
} vtime SEC(".maps");

/* per parent and engine: the virtual time last taken out of a queue */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_ENGINE_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} fair_clock SEC(".maps");

/* a new vGPU (or an id used again) starts at the clock, not at its past */
static __always_inline void gvt_vtime_reset(__u32 id)
{
	struct gvt_vtime *v = bpf_map_lookup_elem(&vtime, &id);

	if (v)
		__builtin_memset(v, 0, sizeof(*v));
}

/* @id waits for @engine: into queue @q at its virtual time, >= the clock */
static __always_inline int gvt_vtime_enqueue(__u32 q, __u32 id, __u32 engine)
{
	__u32 slot = gvt_engine_slot(engine);
	__u64 *clock = bpf_map_lookup_elem(&fair_clock, &slot);
	struct gvt_vtime *v = bpf_map_lookup_elem(&vtime, &id);

	if (!v || !clock || engine >= GVT_NUM_ENGINES)
		return -1;
	if (v->vt[engine] < *clock)
		v->vt[engine] = *clock;
	return gvt_queue_insert(q, id, v->vt[engine]);
}

/* the first of queue @q taken out, the clock of @engine moved up to it */
static __always_inline __u32 gvt_vtime_pop(__u32 q, __u32 engine)
{
	__u32 slot = gvt_engine_slot(engine), id;
	__u64 *clock = bpf_map_lookup_elem(&fair_clock, &slot), key;

	id = gvt_queue_peek(q, &key);
	if (id && clock && key > *clock)
		*clock = key;
	return gvt_queue_pop(q);
}

/* @id used @ns of @engine at weight @weight (>= 1) */
static __always_inline void gvt_vtime_charge(__u32 id, __u32 engine, __u64 ns,
					     __u32 weight)
{
	struct gvt_vtime *v = bpf_map_lookup_elem(&vtime, &id);

	if (v && engine < GVT_NUM_ENGINES)
		v->vt[engine] += ns * GVT_WEIGHT_FULL / (weight ?: 1);
}

#endif /* GVT_VTIME_H */
