// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_guard: drops the guest's writes to a chosen set of registers and
 * counts each attempt as a violation, per vGPU and register.
 *
 * Demonstrates: GVT_MMIO_DENY, a policy bound to one vGPU
 * (`gvt-load mmio_guard.bpf.o --vgpu UUID`), and a configuration map the
 * operator fills at load time:
 *   gvt-load mmio_guard.bpf.o --vgpu UUID --set 'guard_regs[0x3000]=1'
 * guards PLANE_CTL as well. IER and IMR are guarded unless
 * `--set guard_irq_regs=0`.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

/* also guard the interrupt enable and mask registers (--set guard_irq_regs=0) */
const volatile __u32 guard_irq_regs = 1;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);		/* register offset */
	__type(value, __u32);		/* non-zero: guarded */
} guard_regs SEC(".maps");

struct violation_key {
	__u32 vgpu_id;
	__u32 offset;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct violation_key);
	__type(value, __u64);
} guard_violations SEC(".maps");

int GVT_STRUCT_OPS(guard_write, struct gvt_mmio_access *a)
{
	__u32 off = a->offset & ~3u;
	struct violation_key vk = { .vgpu_id = a->vgpu_id, .offset = off };
	__u32 *g = bpf_map_lookup_elem(&guard_regs, &off);
	__u64 one = 1, *cnt;

	if (!(g && *g) &&
	    !(guard_irq_regs && (off == GVT_REG_IER || off == GVT_REG_IMR)))
		return GVT_MMIO_PASS;

	cnt = bpf_map_lookup_elem(&guard_violations, &vk);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&guard_violations, &vk, &one, BPF_NOEXIST);
	return GVT_MMIO_DENY;
}

GVT_MMIO_OPS_DEFINE(mmio_guard,
	.write = (void *)guard_write,
);
