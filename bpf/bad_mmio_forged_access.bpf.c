// SPDX-License-Identifier: GPL-2.0
/*
 * bad_mmio_forged_access: a policy that hands a kfunc a gvt_mmio_access
 * it made up in a map value instead of the record it was given. The
 * verifier accepts map memory of the right size as that argument, so the
 * kfuncs check at run time that the record is the one being offered, and
 * refuse this one: the guest reads 0 from ID, nothing else happens. The
 * test suite loads it to show that.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gvt_mmio_access);
} fake SEC(".maps");

int GVT_STRUCT_OPS(bad_read, struct gvt_mmio_access *a)
{
	__u32 k = 0;
	struct gvt_mmio_access *f = bpf_map_lookup_elem(&fake, &k);

	if (!f)
		return GVT_MMIO_PASS;
	a->value = gvt_reg_read(f, GVT_REG_ID);
	return GVT_MMIO_HANDLED;
}

GVT_MMIO_OPS_DEFINE(bad_mmio_forged_access,
	.read = (void *)bad_read,
);
