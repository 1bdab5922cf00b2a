// SPDX-License-Identifier: GPL-2.0
/*
 * sched_fixed: fixed share, in the manner of NVIDIA's fixed-share
 * scheduler. Each vGPU gets its reserved share of each engine's time and
 * no more, whether the others are busy or idle: a vGPU alone on the parent
 * still runs only its share, and the engine idles the rest. The share is
 * the `share` map's entry (vGPU id -> permille of the engine), or, with no
 * entry, the vGPU's weight's share of a whole parent (weight /
 * GVT_WEIGHT_FULL: a V1_n vGPU's default weight reserves 1/n). Slices are
 * `slice_us` long (default 1000), or 1 ms per permille of share if that
 * is shorter, so that no vGPU waits more than a second for its next one.
 *   gvt-load sched_fixed.bpf.o --set 'share[1]=250' --set 'share[2]=500'
 * Shares that add up to more than the whole engine are scaled down
 * together: then the vGPUs share in proportion to their shares.
 *
 * Demonstrates: a non-work-conserving policy (GVT_SCHED_F_IDLE). Every
 * vGPU has, per engine, an eligible time - when it has earned its next
 * slice: each slice used pushes it on by used / share - and waits in a
 * queue keyed by it. select() looks at the first: if its time has come it
 * runs, otherwise the engine idles until then (gvt_sched_idle()). One
 * peek and one pop a decision, O(log n). A vGPU that stays busy is owed
 * the time it waited for others; one that was idle banks at most one
 * slice of it, so it gets no burst beyond its share.
 */
#include "gvt_policy.h"
#include "gvt_time.h"

char _license[] SEC("license") = "GPL";

#define PERMILLE	1000u
/* how far a busy vGPU may fall behind its shares (when they overcommit) */
#define FIXED_LAG_MAX_NS	(100 * NSEC_PER_MSEC)

const volatile __u32 slice_us = GVT_SCHED_DEFAULT_SLICE_US;

/* vGPU id -> its share in permille of each engine (0: its weight's) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} share SEC(".maps");

struct fixed_vgpu {
	__u64 eligible[GVT_NUM_ENGINES];	/* ktime ns */
	__u64 charged[GVT_NUM_ENGINES];		/* when its last slice ended */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, struct fixed_vgpu);
} fixed_state SEC(".maps");

/* @id's share, 1..PERMILLE */
static __always_inline __u32 share_of(__u32 id)
{
	__u32 *s = bpf_map_lookup_elem(&share, &id), pm;

	pm = s && *s ? *s : gvt_vgpu_weight(id) * PERMILLE / GVT_WEIGHT_FULL;
	if (pm > PERMILLE)
		return PERMILLE;
	return pm ?: 1;
}

/*
 * The slice of a vGPU of share @pm: slice_us, or 1 ms per permille if that
 * is shorter, so that the wait for the next slice, slice * (1000 / pm - 1),
 * stays under a second (the watchdog's default timeout is two).
 */
static __always_inline __u64 slice_of(__u32 pm)
{
	__u64 ns = (__u64)slice_us * NSEC_PER_USEC, cap = pm * NSEC_PER_MSEC;

	return gvt_slice_clamp(ns < cap ? ns : cap);
}

int GVT_STRUCT_OPS(fixed_enable, __u32 vgpu_id, __u32 weight)
{
	struct fixed_vgpu *f = bpf_map_lookup_elem(&fixed_state, &vgpu_id);

	if (f)
		__builtin_memset(f, 0, sizeof(*f));
	return 0;
}

void GVT_STRUCT_OPS(fixed_runnable, __u32 vgpu_id, __u32 engine,
		    __u32 flags)
{
	struct fixed_vgpu *f = bpf_map_lookup_elem(&fixed_state, &vgpu_id);
	__u64 now = gvt_sched_now(), slice, floor, first;

	if (!f || engine >= GVT_NUM_ENGINES)
		return;
	slice = slice_of(share_of(vgpu_id));
	if ((flags & GVT_ENQ_REQUEUE) || now - f->charged[engine] <= slice) {
		/*
		 * Still busy after its slice (or back within one, as a driver
		 * sending request after request is): it keeps
		 * what it is owed, up to FIXED_LAG_MAX_NS when the shares
		 * promise more than the engine has.
		 */
		floor = now - FIXED_LAG_MAX_NS;
	} else {
		/*
		 * Busy again after idling: from now on, or from where the
		 * busy ones are if they are behind, with one slice of credit;
		 * the time it did not use is gone.
		 */
		floor = now;
		if (gvt_queue_peek(engine, &first) && first < floor)
			floor = first;
		floor -= slice;
	}
	if (f->eligible[engine] < floor)
		f->eligible[engine] = floor;
	gvt_queue_insert(engine, vgpu_id, f->eligible[engine]);
}

__u32 GVT_STRUCT_OPS(fixed_select, __u32 engine)
{
	__u64 now = gvt_sched_now(), when;
	__u32 id = gvt_queue_peek(engine, &when);

	if (!id)
		return GVT_SCHED_NO_VGPU;
	if (when > now) {
		/* nobody has earned the engine yet: it idles until then */
		gvt_sched_idle(engine, when - now);
		return GVT_SCHED_NO_VGPU;
	}
	id = gvt_queue_pop(engine);
	/* its slice with the pick: no timeslice() call */
	gvt_pick_slice(slice_of(share_of(id)));
	return id;
}

void GVT_STRUCT_OPS(fixed_charge, __u32 vgpu_id, __u32 engine, __u64 ns)
{
	struct fixed_vgpu *f = bpf_map_lookup_elem(&fixed_state, &vgpu_id);

	if (!f || engine >= GVT_NUM_ENGINES)
		return;
	f->eligible[engine] += ns * PERMILLE / share_of(vgpu_id);
	f->charged[engine] = gvt_sched_now();
}

GVT_SCHED_OPS_DEFINE(sched_fixed,
	.enable = (void *)fixed_enable,
	.runnable = (void *)fixed_runnable,
	.select = (void *)fixed_select,
	.charge = (void *)fixed_charge,
	.flags = GVT_SCHED_F_IDLE,
);
