// SPDX-License-Identifier: GPL-2.0
/*
 * stall_stats: for the tests. Holds the engine side of one vGPU inside
 * the module's stats event, where its executor still holds the vGPU, for
 * `--set stall_ms=N` (default 1500) each time, when the event comes from
 * a kernel thread (the engine side, not a VMM's access) for the vGPU
 * `--set stall_vgpu=ID`.
 *
 * Demonstrates: an fentry program widening a race window on purpose, so
 * that the VM suite can check that removing a vGPU waits for its
 * executor (a use-after-free shows under slub_debug=FZP otherwise).
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

#define PF_KTHREAD	0x00200000	/* include/linux/sched.h */

const volatile __u32 stall_vgpu;
const volatile __u32 stall_ms = 1500;

/* how many events were held, for the test to see the stall happened */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} stalls SEC(".maps");

struct stall_ctx {
	__u64 until;
};

static long stall_step(__u64 i, struct stall_ctx *c)
{
	return bpf_ktime_get_ns() >= c->until;
}

SEC("fentry/gvt_stats_event")
int BPF_PROG(stall_event, __u32 vgpu_id, const struct gvt_vgpu_stats *s)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct stall_ctx c;
	__u32 key = 0;
	__u64 *n;

	if (!stall_vgpu || vgpu_id != stall_vgpu || !(t->flags & PF_KTHREAD))
		return 0;
	n = bpf_map_lookup_elem(&stalls, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	c.until = bpf_ktime_get_ns() + (__u64)stall_ms * 1000000;
	bpf_loop(1 << 23, stall_step, &c, 0);
	return 0;
}
