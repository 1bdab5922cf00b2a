// SPDX-License-Identifier: GPL-2.0
/*
 * sched_reentry: for the tests. A round-robin policy that also checks
 * the contract "ops run with the scheduler's lock held": every op counts
 * itself in and out, and an op that finds another one inside records a
 * violation in the `reentry` map (index 0: violations, 1: ops run).
 *
 * Demonstrates: a policy checking, from the BPF side, that the module
 * calls it only as documented (the engines and the benchmark alike).
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);		/* violations, ops, inside */
	__type(key, __u32);
	__type(value, __u64);
} reentry SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_NUM_ENGINES);
	__type(key, __u32);
	__type(value, __u32);
} re_last SEC(".maps");

static __u64 *re_slot(__u32 k)
{
	return bpf_map_lookup_elem(&reentry, &k);
}

static void re_enter(void)
{
	__u64 *inside = re_slot(2), *bad = re_slot(0), *ops = re_slot(1);

	if (!inside || !bad || !ops)
		return;
	if (__sync_fetch_and_add(inside, 1))
		__sync_fetch_and_add(bad, 1);
	__sync_fetch_and_add(ops, 1);
}

static void re_leave(void)
{
	__u64 *inside = re_slot(2);

	if (inside)
		__sync_fetch_and_add(inside, -1);
}

SEC("struct_ops/re_select")
__u32 BPF_PROG(re_select, __u32 engine)
{
	__u32 *last = bpf_map_lookup_elem(&re_last, &engine);
	__u32 start, i, pick = GVT_SCHED_NO_VGPU;

	re_enter();
	if (!last)
		goto out;
	start = *last;
	#pragma unroll
	for (i = 1; i <= GVT_MAX_VGPUS; i++) {
		__u32 id = (start + i - 1) % GVT_MAX_VGPUS + 1;

		if (pick == GVT_SCHED_NO_VGPU && gvt_vgpu_has_work(id, engine))
			pick = id;
	}
	if (pick != GVT_SCHED_NO_VGPU)
		*last = pick;
out:
	re_leave();
	return pick;
}

SEC("struct_ops/re_charge")
void BPF_PROG(re_charge, __u32 vgpu_id, __u64 ns)
{
	re_enter();
	re_leave();
}

SEC(".struct_ops.link")
struct gvt_sched_ops sched_reentry = {
	.select = (void *)re_select,
	.charge = (void *)re_charge,
	.name = "sched_reentry",
};
