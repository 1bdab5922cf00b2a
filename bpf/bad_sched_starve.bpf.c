// SPDX-License-Identifier: GPL-2.0
/*
 * bad_sched_starve: a policy that must be ejected. It always runs the
 * lowest-numbered vGPU that has work, so under contention every other
 * vGPU waits forever; the watchdog ejects it once one has waited longer
 * than timeout_ms (here 200 ms) and the built-in scheduler resumes.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/starve_select")
__u32 BPF_PROG(starve_select, __u32 engine)
{
	/* a few vGPUs: unrolled, so the verifier sees no loop state */
	#pragma unroll
	for (__u32 id = GVT_FIRST_VGPU; id <= GVT_LAST_VGPU; id++)
		if (gvt_vgpu_has_work(id, engine))
			return id;
	return GVT_SCHED_NO_VGPU;
}

SEC(".struct_ops.link")
struct gvt_sched_ops bad_sched_starve = {
	.select = (void *)starve_select,
	.timeout_ms = 200,
	.name = "bad_sched_starve",
};
