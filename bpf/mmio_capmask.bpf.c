// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_capmask: register virtualization. Answers the guest's reads of the
 * CAPS register itself, hiding the capability bits in `hide_caps` (the
 * way a hypervisor masks CPUID bits), so a driver sees, for example, a
 * headless vGPU: `gvt-load mmio_capmask.bpf.o --set hide_caps=4`.
 *
 * Demonstrates: GVT_MMIO_HANDLED with a value computed from the built-in
 * register (gvt_reg_read kfunc), a one-register range so no other access
 * pays for the hook, and a per-vGPU counter of answered reads.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

const volatile __u32 hide_caps = GVT_CAP_DISPLAY;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GVT_VGPU_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} capmask_answered SEC(".maps");

int GVT_STRUCT_OPS(capmask_read, struct gvt_mmio_access *a)
{
	__u32 id = a->vgpu_id;
	__u64 *n;

	if (a->offset != GVT_REG_CAPS || a->size != 4)
		return GVT_MMIO_PASS;
	a->value = gvt_reg_read(a, GVT_REG_CAPS) & ~hide_caps;
	n = bpf_map_lookup_elem(&capmask_answered, &id);
	if (n)
		__sync_fetch_and_add(n, 1);
	return GVT_MMIO_HANDLED;
}

GVT_MMIO_OPS_DEFINE(mmio_capmask,
	.read = (void *)capmask_read,
	.ranges = { { GVT_REG_CAPS, GVT_REG_CAPS + 4 } },
);
