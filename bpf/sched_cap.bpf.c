// SPDX-License-Identifier: GPL-2.0
/*
 * sched_cap: caps on GPU time. A vGPU with an entry in the `cap` map (vGPU
 * id -> permille) gets at most that share of each engine's time per
 * period (`period_ms`, default 100, 10..1000): once it has used cap *
 * period in a period it waits for the next one, even if the engine would
 * be idle. Within their budgets, and for vGPUs without a cap, the engine
 * is shared by weight (the vGPU's own, type default or sysfs `weight`).
 * Caps change live; a lower cap holds from the next decision, a higher
 * one for a waiting vGPU from the next period.
 *   gvt-load sched_cap.bpf.o --set period_ms=100 --set 'cap[1]=200'
 *   bpftool map update pinned /sys/fs/bpf/gvt/sched_cap/cap \
 *       key 1 0 0 0 value 144 1 0 0                    # 400 permille
 *
 * Demonstrates: a policy that is non-work-conserving only for some vGPUs
 * (GVT_SCHED_F_IDLE, used only when everything waiting is capped), two
 * queues per engine - one by weighted virtual time for the vGPUs with
 * budget left, one for the throttled ones - and periods without a timer:
 * the period is now / period, each vGPU's usage is reset lazily when it
 * is next seen in a new period, and the throttled queue is emptied into
 * the other by the first decision of a period (each vGPU moves once per
 * period: O(log n) a decision, amortized). A vGPU that ran past its
 * budget carries the excess into the next period, so the cap holds over
 * time, not just per period.
 */
#include "gvt_policy.h"
#include "gvt_time.h"
#include "gvt_vtime.h"

char _license[] SEC("license") = "GPL";

#define PERMILLE		1000u
#define PERIOD_MIN_MS		10u
#define PERIOD_MAX_MS		1000u
/* the parent's queues: per engine, with budget and throttled */
#define Q_READY(e)		(e)
#define Q_THROTTLED(e)		(GVT_NUM_ENGINES + (e))

_Static_assert(2 * GVT_NUM_ENGINES <= GVT_SCHED_NR_QUEUES,
	       "two queues per engine");

const volatile __u32 period_ms = 100;
const volatile __u32 slice_us = GVT_SCHED_DEFAULT_SLICE_US;

/* vGPU id -> cap in permille of each engine per period (0: none) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} cap SEC(".maps");

struct cap_vgpu {
	__u64 used[GVT_NUM_ENGINES];	/* GPU time in period[] */
	__u64 period[GVT_NUM_ENGINES];	/* the period used[] counts for */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, struct cap_vgpu);
} cap_state SEC(".maps");

/* per parent and engine: the period of its last decision */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_ENGINE_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} cap_period SEC(".maps");

static __always_inline __u64 period_ns(void)
{
	__u32 ms = period_ms;

	if (ms < PERIOD_MIN_MS)
		ms = PERIOD_MIN_MS;
	if (ms > PERIOD_MAX_MS)
		ms = PERIOD_MAX_MS;
	return ms * NSEC_PER_MSEC;
}

/* @id's GPU time per period, or ~0 when it has no cap */
static __always_inline __u64 budget_of(__u32 id)
{
	__u32 *c = bpf_map_lookup_elem(&cap, &id);

	if (!c || !*c || *c >= PERMILLE)
		return ~0ull;
	return period_ns() * *c / PERMILLE;
}

/*
 * @id's state with its usage brought into period @pn: what it ran past
 * its budget in the period before is carried over, anything older is
 * forgotten.
 */
static __always_inline struct cap_vgpu *state_in(__u32 id, __u32 engine,
						 __u64 pn, __u64 budget)
{
	struct cap_vgpu *c = bpf_map_lookup_elem(&cap_state, &id);

	if (!c || engine >= GVT_NUM_ENGINES)
		return NULL;
	if (c->period[engine] != pn) {
		if (c->period[engine] + 1 == pn && c->used[engine] > budget)
			c->used[engine] -= budget;
		else
			c->used[engine] = 0;
		c->period[engine] = pn;
	}
	return c;
}

/* has @id used its budget for the period @pn? */
static __always_inline bool throttled(__u32 id, __u32 engine, __u64 pn)
{
	__u64 budget = budget_of(id);
	struct cap_vgpu *c = state_in(id, engine, pn, budget);

	return c && c->used[engine] >= budget;
}

/*
 * @id waits for @engine: with the others, or for the next period
 * (@weight and @runtime as runnable() has them)
 */
static __always_inline void enqueue(__u32 id, __u32 engine, __u64 pn,
				    __u32 weight, __u64 runtime)
{
	if (throttled(id, engine, pn))
		gvt_queue_insert(Q_THROTTLED(engine), id, 0);
	else
		gvt_vtime_enqueue(Q_READY(engine), id, engine, weight, runtime);
}

int GVT_STRUCT_OPS(cap_enable, __u32 vgpu_id, __u32 weight)
{
	struct cap_vgpu *c = bpf_map_lookup_elem(&cap_state, &vgpu_id);

	if (c)
		__builtin_memset(c, 0, sizeof(*c));
	gvt_vtime_reset(vgpu_id);
	return 0;
}

void GVT_STRUCT_OPS(cap_runnable, __u32 vgpu_id, __u32 engine, __u32 flags,
		    __u32 weight, __u64 runtime_ns)
{
	enqueue(vgpu_id, engine, gvt_sched_now() / period_ns(), weight,
		runtime_ns);
}

/* a new period: every throttled vGPU of @engine gets its budget again */
static __always_inline void new_period(__u32 engine, __u64 pn)
{
	__u32 n = gvt_queue_len(Q_THROTTLED(engine)), i, id;

	/* each one once: one still over budget goes to the back again */
	bpf_for(i, 0, GVT_MAX_VGPUS) {
		if (i >= n)
			break;
		id = gvt_queue_pop(Q_THROTTLED(engine));
		if (!id)
			break;
		enqueue(id, engine, pn, gvt_vgpu_weight(id),
			gvt_vgpu_runtime(id, engine));
	}
}

/* the slice of @id: slice_us, no further than what is left of its budget */
static __always_inline __u64 slice_of(__u32 id, __u32 engine, __u64 pn)
{
	__u64 slice = (__u64)slice_us * NSEC_PER_USEC, budget;
	struct cap_vgpu *c;

	budget = budget_of(id);
	c = state_in(id, engine, pn, budget);
	/* no further than the budget: the cap is not overrun by a slice */
	if (c && budget != ~0ull) {
		if (c->used[engine] >= budget)
			slice = 0;
		else if (budget - c->used[engine] < slice)
			slice = budget - c->used[engine];
	}
	return gvt_slice_clamp(slice);
}

__u32 GVT_STRUCT_OPS(cap_select, __u32 engine)
{
	__u64 now = gvt_sched_now(), pn = now / period_ns();
	__u32 slot = gvt_engine_slot(engine), id = GVT_SCHED_NO_VGPU, i;
	__u64 *last = bpf_map_lookup_elem(&cap_period, &slot);

	if (!last || engine >= GVT_NUM_ENGINES)
		return GVT_SCHED_NO_VGPU;
	if (*last != pn) {
		*last = pn;
		new_period(engine, pn);
	}
	/* a cap lowered live: whoever is over it now waits too */
	bpf_for(i, 0, GVT_MAX_VGPUS) {
		id = gvt_queue_pop(Q_READY(engine));
		if (!id || !throttled(id, engine, pn))
			break;
		gvt_queue_insert(Q_THROTTLED(engine), id, 0);
		id = GVT_SCHED_NO_VGPU;
	}
	if (id) {
		gvt_pick_slice(slice_of(id, engine, pn));
		return id;
	}
	/* everyone waiting is capped: the engine idles until the next period */
	gvt_sched_idle(engine, (pn + 1) * period_ns() - now);
	return GVT_SCHED_NO_VGPU;
}

void GVT_STRUCT_OPS(cap_charge, __u32 vgpu_id, __u32 engine, __u64 ns)
{
	__u64 pn = gvt_sched_now() / period_ns();
	struct cap_vgpu *c = state_in(vgpu_id, engine, pn, budget_of(vgpu_id));

	if (c)
		c->used[engine] += ns;
}

GVT_SCHED_OPS_DEFINE(sched_cap,
	.enable = (void *)cap_enable,
	.runnable = (void *)cap_runnable,
	.select = (void *)cap_select,
	.charge = (void *)cap_charge,
	.flags = GVT_SCHED_F_IDLE,
);
