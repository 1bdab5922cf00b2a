// SPDX-License-Identifier: GPL-2.0
/*
 * sched_priority: strict priority with aging. The engine goes to the
 * waiting vGPU with the highest effective priority: its base priority
 * from the `prio` map (vGPU id -> 0..100, default `prio_default`, 50)
 * plus one point for every `aging_ms` (default 20) it has waited, so a
 * low-priority vGPU still runs before the watchdog would call it starved.
 *   gvt-load sched_priority.bpf.o --set 'prio[1]=90' --set aging_ms=10
 *
 * Demonstrates: aging as a queue key - the vGPU with the highest
 * priority + waited / aging is the one with the smallest
 * enqueue time + (100 - priority) * aging, a key fixed when it is
 * queued - and a policy of one op: runnable() queues each vGPU on its
 * engine's queue and, with no select(), the kernel takes the first one
 * itself. One BPF call and one O(log n) queue insert per decision.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

#define PRIO_MAX	100

const volatile __u32 aging_ms = 20;
const volatile __u32 prio_default = 50;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} prio SEC(".maps");

void GVT_STRUCT_OPS(prio_runnable, __u32 vgpu_id, __u32 engine)
{
	__u32 *p = bpf_map_lookup_elem(&prio, &vgpu_id);
	__u32 pr = p && *p ? *p : prio_default;

	if (pr > PRIO_MAX)
		pr = PRIO_MAX;
	gvt_queue_insert(engine, vgpu_id, gvt_sched_now() +
			 (__u64)(PRIO_MAX - pr) * aging_ms * 1000000ull);
}

GVT_SCHED_OPS_DEFINE(sched_priority,
	.runnable = (void *)prio_runnable,
);
