/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time units for scheduling policies, and a slice clamped to the bounds
 * the core puts on it (GVT_SCHED_SLICE_MIN_NS / _MAX_NS, gvt_abi.h: a
 * slice outside them ejects the policy). Include after gvt_policy.h.
 */
#ifndef GVT_TIME_H
#define GVT_TIME_H

#define NSEC_PER_USEC		1000ull
#define NSEC_PER_MSEC		1000000ull

/* @ns within the core's bounds for a time slice */
static __always_inline __u64 gvt_slice_clamp(__u64 ns)
{
	if (ns < GVT_SCHED_SLICE_MIN_NS)
		return GVT_SCHED_SLICE_MIN_NS;
	return ns > GVT_SCHED_SLICE_MAX_NS ? GVT_SCHED_SLICE_MAX_NS : ns;
}

#endif /* GVT_TIME_H */
