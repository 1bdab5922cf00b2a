// SPDX-License-Identifier: GPL-2.0
/*
 * slice_stalls: for the tests. Watches the GPU time of every slice as the
 * module accounts it (its stats event at the end of each slice) and
 * records the slices of `stall_us` (default 2000) or more. With slices of
 * `slice_us` (default 1000) and WORK cut at a slice's end, no vGPU makes
 * one: a host that did not run the VM for that long (full emulation on a
 * busy machine) does, and a fair scheduler charges the stall to the vGPU
 * that held the engine and later makes it pay it back. Map `excess`
 * (vGPU id -> ns): the most one of its slices ran past `slice_us` since
 * the entry was last cleared (userspace writes 0); a test judging shares
 * over a window knows from it how far a stall may have moved them. Map
 * `stalls`: [0] how many, [1] when the last one ended (CLOCK_MONOTONIC
 * ns), [2] the longest, ns.
 *   gvt-load slice_stalls.bpf.o --set stall_us=5000
 *
 * Demonstrates: a tracing program (fentry) deriving per-slice times from
 * the module's cumulative counters, one previous value per vGPU.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

enum { STALLS_COUNT, STALLS_LAST, STALLS_MAX, STALLS_NR };

const volatile __u64 stall_us = 2000;
const volatile __u64 slice_us = GVT_SCHED_DEFAULT_SLICE_US;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STALLS_NR);
	__type(key, __u32);
	__type(value, __u64);
} stalls SEC(".maps");

/* per vGPU: the most a stalled slice ran past slice_us, ns */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} excess SEC(".maps");

/* per vGPU: its GPU time at its last event, plus one (0: not seen yet) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} last_busy SEC(".maps");

static __always_inline __u64 *stalls_slot(__u32 k)
{
	return bpf_map_lookup_elem(&stalls, &k);
}

SEC("fentry/gvt_stats_event")
int BPF_PROG(stalls_event, __u32 vgpu_id, const struct gvt_vgpu_stats *s)
{
	__u64 *last = bpf_map_lookup_elem(&last_busy, &vgpu_id), busy, ns;
	__u64 *over = bpf_map_lookup_elem(&excess, &vgpu_id);
	__u64 *count = stalls_slot(STALLS_COUNT), *when = stalls_slot(STALLS_LAST);
	__u64 *max = stalls_slot(STALLS_MAX);
	__u32 id = vgpu_id;

	if (!last || !over || !count || !when || !max || !id)
		return 0;
	if (bpf_probe_read_kernel(&busy, sizeof(busy), &s->gpu_busy_ns))
		return 0;
	/* not seen yet, or an id used again: from here on */
	ns = *last && busy + 1 >= *last ? busy + 1 - *last : 0;
	*last = busy + 1;
	if (ns < stall_us * 1000)
		return 0;
	__sync_fetch_and_add(count, 1);
	if (ns - slice_us * 1000 > *over)
		*over = ns - slice_us * 1000;
	*when = bpf_ktime_get_ns();
	if (ns > *max)
		*max = ns;
	return 0;
}
