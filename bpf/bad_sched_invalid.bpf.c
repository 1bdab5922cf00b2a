// SPDX-License-Identifier: GPL-2.0
/*
 * bad_sched_invalid: a policy that must be ejected at its first decision:
 * it selects a vGPU id that no parent has.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

/* past every parent's ids */
#define INVALID_VGPU	(GVT_MAX_VGPU_ID + 42)

__u32 GVT_STRUCT_OPS(invalid_select, __u32 engine)
{
	return INVALID_VGPU;
}

GVT_SCHED_OPS_DEFINE(bad_sched_invalid,
	.select = (void *)invalid_select,
);
