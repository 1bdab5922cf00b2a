// SPDX-License-Identifier: GPL-2.0
/*
 * bad_sched_starve: a policy that must be ejected. It always runs the
 * lowest-numbered vGPU that has work, so under contention every other
 * vGPU waits forever; the watchdog ejects it once one has waited longer
 * than timeout_ms (here 200 ms) and the built-in scheduler resumes.
 */
#include "gvt_policy.h"

char _license[] SEC("license") = "GPL";

__u32 GVT_STRUCT_OPS(starve_select, __u32 engine)
{
	return gvt_vgpu_next_waiting(engine, 0);
}

GVT_SCHED_OPS_DEFINE(bad_sched_starve,
	.select = (void *)starve_select,
	.timeout_ms = 200,
);
