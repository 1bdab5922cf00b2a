// SPDX-License-Identifier: GPL-2.0
/*
 * bad_sched_invalid: a policy that must be ejected at its first decision:
 * it selects a vGPU id that does not exist.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/invalid_select")
__u32 BPF_PROG(invalid_select, __u32 engine)
{
	return GVT_MAX_VGPUS + 42;
}

SEC(".struct_ops.link")
struct gvt_sched_ops bad_sched_invalid = {
	.select = (void *)invalid_select,
	.name = "bad_sched_invalid",
};
