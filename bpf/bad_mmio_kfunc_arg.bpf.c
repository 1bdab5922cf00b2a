// SPDX-License-Identifier: GPL-2.0
/*
 * bad_mmio_kfunc_arg: a policy the kernel must refuse. It calls a kfunc
 * with a pointer it made up instead of the access record it was given,
 * which would let it reach memory that is not a vGPU's.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gvt_mmio_access);
} fake SEC(".maps");

SEC("struct_ops/bad_read")
int BPF_PROG(bad_read, struct gvt_mmio_access *a)
{
	__u32 k = 0;
	struct gvt_mmio_access *f = bpf_map_lookup_elem(&fake, &k);

	if (!f)
		return GVT_MMIO_PASS;
	a->value = gvt_reg_read(f, GVT_REG_ID);
	return GVT_MMIO_HANDLED;
}

SEC(".struct_ops.link")
struct gvt_mmio_ops bad_mmio_kfunc_arg = {
	.read = (void *)bad_read,
	.name = "bad_mmio_kfunc_arg",
};
