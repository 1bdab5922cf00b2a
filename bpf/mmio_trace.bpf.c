// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_trace: counts every trapped register access per vGPU and register,
 * and keeps a per-vGPU histogram of the time between a vGPU's consecutive
 * accesses (log2 buckets of ns), without changing what the guest sees.
 *
 * Demonstrates: a pure observer on the MMIO path (always GVT_MMIO_PASS),
 * hash and array maps that `bpftool map dump` prints with named fields.
 * Knob: `--set only_vgpu=N` counts one vGPU only (0: all).
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 only_vgpu;

struct reg_key {
	__u32 vgpu_id;
	__u32 offset;
};

struct reg_count {
	__u64 reads;
	__u64 writes;
};

#define TRACE_BUCKETS 32

struct vgpu_hist {
	__u64 last_ns;
	__u64 bucket[TRACE_BUCKETS];	/* bucket[i]: gap in [2^i, 2^(i+1)) ns */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct reg_key);
	__type(value, struct reg_count);
} trace_regs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, struct vgpu_hist);
} trace_gaps SEC(".maps");

static __always_inline int trace_access(struct gvt_mmio_access *a, bool write)
{
	struct reg_key key = { .vgpu_id = a->vgpu_id, .offset = a->offset & ~3u };
	struct reg_count *c, zero = {};
	struct vgpu_hist *h;
	__u32 idx = a->vgpu_id;
	__u64 now;

	if (only_vgpu && a->vgpu_id != only_vgpu)
		return GVT_MMIO_PASS;

	c = bpf_map_lookup_elem(&trace_regs, &key);
	if (!c) {
		bpf_map_update_elem(&trace_regs, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&trace_regs, &key);
		if (!c)
			return GVT_MMIO_PASS;
	}
	if (write)
		__sync_fetch_and_add(&c->writes, 1);
	else
		__sync_fetch_and_add(&c->reads, 1);

	h = bpf_map_lookup_elem(&trace_gaps, &idx);
	if (!h)
		return GVT_MMIO_PASS;
	now = bpf_ktime_get_ns();
	if (h->last_ns && now > h->last_ns) {
		__u32 b = gvt_log2_u64(now - h->last_ns);

		if (b < TRACE_BUCKETS)
			__sync_fetch_and_add(&h->bucket[b], 1);
	}
	h->last_ns = now;
	return GVT_MMIO_PASS;
}

int GVT_STRUCT_OPS(trace_read, struct gvt_mmio_access *a)
{
	return trace_access(a, false);
}

int GVT_STRUCT_OPS(trace_write, struct gvt_mmio_access *a)
{
	return trace_access(a, true);
}

GVT_MMIO_OPS_DEFINE(mmio_trace,
	.read = (void *)trace_read,
	.write = (void *)trace_write,
	.priority = -100,	/* observe before anyone answers */
);
