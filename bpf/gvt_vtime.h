/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual time, for policies that share an engine in proportion to
 * weights among the vGPUs that wait for it (sched_equal, sched_cap,
 * sched_latency). Include after gvt_policy.h.
 *
 * Each vGPU carries, per engine, a virtual time that grows by the GPU
 * time it used there times GVT_WEIGHT_FULL / weight. It is charged when
 * the vGPU is queued again, from the kernel's count of its GPU time
 * (runnable()'s runtime_ns), so no charge() op is needed for it. The waiting
 * ones sit in one of the parent's queues keyed by it, so the one furthest
 * behind comes out first: O(log n) a decision. A vGPU that becomes
 * runnable again never starts behind the queue's clock (the virtual time
 * of the last one taken out, kept by the kernel), so idling banks no
 * credit that would later shut the others out.
 *
 * State is keyed by global vGPU id, so one object serves several parents.
 */
#ifndef GVT_VTIME_H
#define GVT_VTIME_H

struct gvt_vtime {
	__u64 vt[GVT_NUM_ENGINES];	/* virtual time */
	__u64 seen[GVT_NUM_ENGINES];	/* GPU time charged into it so far */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, struct gvt_vtime);
} vtime SEC(".maps");

/*
 * From enable(): a new vGPU (or an id used again, or one there when the
 * policy came) starts at the clock, with nothing of its past charged.
 */
static __always_inline void gvt_vtime_reset(__u32 id)
{
	struct gvt_vtime *v = bpf_map_lookup_elem(&vtime, &id);
	__u32 e;

	if (!v)
		return;
	bpf_for(e, 0, GVT_NUM_ENGINES) {
		v->vt[e] = 0;
		v->seen[e] = gvt_vgpu_runtime(id, e);
	}
}

/*
 * @id waits for @engine: charged for the GPU time it used since it was
 * last queued (@runtime, its GPU time there so far: runnable()'s
 * runtime_ns, or gvt_vgpu_runtime()) at @weight (>= 1), then into queue
 * @q at its virtual time, no earlier than the queue's clock: two map
 * lookups the verifier inlines and one kfunc.
 */
static __always_inline int gvt_vtime_enqueue(__u32 q, __u32 id, __u32 engine,
					     __u32 weight, __u64 runtime)
{
	struct gvt_vtime *v = bpf_map_lookup_elem(&vtime, &id);

	if (!v || engine >= GVT_NUM_ENGINES)
		return -1;
	v->vt[engine] += (runtime - v->seen[engine]) * GVT_WEIGHT_FULL /
			 (weight ?: 1);
	v->seen[engine] = runtime;
	return gvt_queue_insert_vtime(q, id, &v->vt[engine]);
}

#endif /* GVT_VTIME_H */
