// SPDX-License-Identifier: GPL-2.0
/*
 * sched_priority: strict priority with aging. The engine goes to the vGPU
 * with work and the highest effective priority: its base priority from
 * the `prio` map (vGPU id -> 0..100, default 50) plus one point for every
 * `aging_ms` (default 20) it has waited, so a low-priority vGPU still
 * runs before the watchdog would call it starved.
 *   gvt-load sched_priority.bpf.o --set 'prio[1]=90' --set aging_ms=10
 *
 * Demonstrates: runnable() to note when waiting began, bpf_ktime_get_ns()
 * in a decision, and a policy that is unfair on purpose yet safe.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 aging_ms = 20;

#define PRIO_DEFAULT 50

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_MAX_VGPUS + 1);
	__type(key, __u32);
	__type(value, __u32);
} prio SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_MAX_VGPUS + 1);
	__type(key, __u32);
	__type(value, __u64);		/* when it last started waiting, ns */
} waiting_since SEC(".maps");

SEC("struct_ops/prio_runnable")
void BPF_PROG(prio_runnable, __u32 vgpu_id)
{
	__u64 *t = bpf_map_lookup_elem(&waiting_since, &vgpu_id);

	if (t && !*t)
		*t = bpf_ktime_get_ns();
}

SEC("struct_ops/prio_select")
__u32 BPF_PROG(prio_select, __u32 engine)
{
	__u64 now = bpf_ktime_get_ns(), best = 0;
	__u32 pick = GVT_SCHED_NO_VGPU;

	/* a few vGPUs: unrolled, so the verifier sees no loop state */
	#pragma unroll
	for (__u32 id = GVT_FIRST_VGPU; id <= GVT_LAST_VGPU; id++) {
		__u32 key = id, *p;
		__u64 eff, *t;

		if (!gvt_vgpu_has_work(id, engine))
			continue;
		p = bpf_map_lookup_elem(&prio, &key);
		t = bpf_map_lookup_elem(&waiting_since, &key);
		eff = (p && *p ? *p : PRIO_DEFAULT) + 1;
		if (t && *t && now > *t && aging_ms)
			eff += (now - *t) / (aging_ms * 1000000ull);
		if (eff > best) {
			best = eff;
			pick = id;
		}
	}
	return pick;
}

SEC("struct_ops/prio_charge")
void BPF_PROG(prio_charge, __u32 vgpu_id, __u64 ns)
{
	__u64 *t = bpf_map_lookup_elem(&waiting_since, &vgpu_id);

	/* it ran: its wait starts over when it is runnable again */
	if (t)
		*t = 0;
}

SEC(".struct_ops.link")
struct gvt_sched_ops sched_priority = {
	.runnable = (void *)prio_runnable,
	.select = (void *)prio_select,
	.charge = (void *)prio_charge,
	.name = "sched_priority",
};
