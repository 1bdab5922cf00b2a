// SPDX-License-Identifier: GPL-2.0
/*
 * sched_latency: low latency for short workloads. A vGPU whose slices
 * mostly end early because its work is done - it used fewer than
 * `short_pct` percent (default 50) of its recent slices to their end -
 * is "short"; the others are "long". Short vGPUs run before long ones,
 * first come first served, and one becoming runnable while a long one
 * runs asks for the engine back at once (gvt_sched_preempt(), which cuts
 * even a WORK command short). While a short vGPU has been runnable in the
 * last `window_ms` (default 100), long ones get slices of `long_slice_us`
 * (default: `slice_us`, 1000) - shorter ones bound how long a short job
 * can wait behind a long one where preemption is off the table, at a
 * price in the long ones' throughput. Long ones share by weight among
 * themselves, and one that
 * has waited `long_wait_ms` (default 50) runs next whatever waits, so
 * many short vGPUs cannot starve them.
 *   gvt-load sched_latency.bpf.o --set long_slice_us=200 --set short_pct=25
 *
 * Demonstrates: classifying vGPUs from charge(): a moving average of how
 * many slices a vGPU used to their end (the time from select() to
 * charge() against the slice it was given), which no cost of the
 * engine's own - a late start, a slow step - blurs, and which slices cut
 * short by a preemption do not feed; preemption from runnable(); two
 * queues per engine (FIFO for the short ones, weighted virtual time for
 * the long ones), O(log n) a decision; time slices that depend on who
 * else is around. The per-vGPU record is in sched_latency.h, for readers
 * of the pinned map lat_state.
 */
#include "gvt_policy.h"
#include "gvt_time.h"
#include "gvt_vtime.h"
#include "sched_latency.h"

char _license[] SEC("license") = "GPL";

#define Q_SHORT(e)		(e)
#define Q_LONG(e)		(GVT_NUM_ENGINES + (e))
/* the average moves by 1/8 of the difference per slice */
#define AVG_SHIFT		3
#define PERCENT			100u
/* a slice ended this close to its end was used to its end */
#define END_SHIFT		3

_Static_assert(2 * GVT_NUM_ENGINES <= GVT_SCHED_NR_QUEUES,
	       "two queues per engine");

const volatile __u32 slice_us = GVT_SCHED_DEFAULT_SLICE_US;
const volatile __u32 long_slice_us = GVT_SCHED_DEFAULT_SLICE_US;
const volatile __u32 short_pct = 50;
const volatile __u32 window_ms = 100;
const volatile __u32 long_wait_ms = 50;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, struct lat_vgpu);
} lat_state SEC(".maps");

/* per parent and engine */
struct lat_engine {
	__u32 running;		/* the vGPU it was given to, 0 when none */
	__u32 preempted;	/* whose slice a short vGPU cut */
	__u64 granted;		/* when it was given */
	__u64 short_seen;	/* when a short vGPU last became runnable */
	bool running_long;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_ENGINE_SLOTS);
	__type(key, __u32);
	__type(value, struct lat_engine);
} lat_engines SEC(".maps");

static __always_inline __u64 full_slice(void)
{
	return gvt_slice_clamp((__u64)slice_us * NSEC_PER_USEC);
}

static __always_inline struct lat_engine *engine_state(__u32 engine)
{
	__u32 slot = gvt_engine_slot(engine);

	return bpf_map_lookup_elem(&lat_engines, &slot);
}

static __always_inline bool is_short(const struct lat_vgpu *l, __u32 engine)
{
	return engine < GVT_NUM_ENGINES &&
	       l->used[engine] * PERCENT < short_pct * LAT_ONE;
}

int GVT_STRUCT_OPS(lat_enable, __u32 vgpu_id, __u32 weight)
{
	struct lat_vgpu *l = bpf_map_lookup_elem(&lat_state, &vgpu_id);

	/* a new vGPU starts short: its first slices tell */
	if (l)
		__builtin_memset(l, 0, sizeof(*l));
	gvt_vtime_reset(vgpu_id);
	return 0;
}

void GVT_STRUCT_OPS(lat_disable, __u32 vgpu_id)
{
	struct lat_engine *st;
	__u32 e;

	bpf_for(e, 0, GVT_NUM_ENGINES) {
		st = engine_state(e);
		if (!st)
			continue;
		if (st->running == vgpu_id)
			st->running = 0;
		if (st->preempted == vgpu_id)
			st->preempted = 0;
	}
}

void GVT_STRUCT_OPS(lat_runnable, __u32 vgpu_id, __u32 engine, __u32 flags,
		    __u32 weight, __u64 runtime_ns)
{
	struct lat_vgpu *l = bpf_map_lookup_elem(&lat_state, &vgpu_id);
	struct lat_engine *st = engine_state(engine);
	__u64 now = gvt_sched_now();

	if (!l || !st || engine >= GVT_NUM_ENGINES)
		return;
	l->since[engine] = now;
	if (!is_short(l, engine)) {
		gvt_vtime_enqueue(Q_LONG(engine), vgpu_id, engine, weight,
				  runtime_ns);
		return;
	}
	gvt_queue_insert(Q_SHORT(engine), vgpu_id, now);
	st->short_seen = now;
	if (st->running && st->running_long && !st->preempted) {
		gvt_sched_preempt(engine);
		st->preempted = st->running;
	}
}

/* the slice of @id, picked now; what it was given, for charge() */
static __always_inline __u64 slice_of(__u32 id, __u32 engine,
				      struct lat_engine *st, __u64 now)
{
	struct lat_vgpu *l = bpf_map_lookup_elem(&lat_state, &id);
	__u64 slice = full_slice();

	if (!l || engine >= GVT_NUM_ENGINES)
		return slice;
	if (st->running_long &&
	    now - st->short_seen < (__u64)window_ms * NSEC_PER_MSEC)
		slice = gvt_slice_clamp((__u64)long_slice_us * NSEC_PER_USEC);
	l->given[engine] = slice;
	return slice;
}

__u32 GVT_STRUCT_OPS(lat_select, __u32 engine)
{
	struct lat_engine *st = engine_state(engine);
	__u64 now = gvt_sched_now(), key;
	__u32 id = gvt_queue_peek(Q_LONG(engine), &key);
	struct lat_vgpu *l = bpf_map_lookup_elem(&lat_state, &id);
	bool run_long;

	if (!st || engine >= GVT_NUM_ENGINES)
		return GVT_SCHED_NO_VGPU;
	/* a long one first if no short one waits, or it has waited too long */
	run_long = id && (!gvt_queue_len(Q_SHORT(engine)) ||
			  (l && now - l->since[engine] >=
				(__u64)long_wait_ms * NSEC_PER_MSEC));
	if (run_long)
		id = gvt_queue_pop(Q_LONG(engine));
	else
		id = gvt_queue_pop(Q_SHORT(engine));
	st->running = id;
	st->running_long = run_long;
	st->granted = now;
	gvt_pick_slice(slice_of(id, engine, st, now));
	return id;
}

void GVT_STRUCT_OPS(lat_charge, __u32 vgpu_id, __u32 engine, __u64 ns)
{
	struct lat_vgpu *l = bpf_map_lookup_elem(&lat_state, &vgpu_id);
	struct lat_engine *st = engine_state(engine);
	__u64 held, given;
	bool to_end;

	if (!l || !st || engine >= GVT_NUM_ENGINES)
		return;
	if (st->running != vgpu_id)
		return;
	st->running = 0;
	/* a slice cut short for a short vGPU says nothing about this one */
	if (st->preempted == vgpu_id) {
		st->preempted = 0;
		return;
	}
	held = gvt_sched_now() - st->granted;
	given = l->given[engine];
	to_end = held + (given >> END_SHIFT) >= given;
	l->used[engine] += ((to_end ? LAT_ONE : 0) >> AVG_SHIFT) -
			   (l->used[engine] >> AVG_SHIFT);
}

GVT_SCHED_OPS_DEFINE(sched_latency,
	.enable = (void *)lat_enable,
	.disable = (void *)lat_disable,
	.runnable = (void *)lat_runnable,
	.select = (void *)lat_select,
	.charge = (void *)lat_charge,
);
