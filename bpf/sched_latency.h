/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_latency's per-vGPU record (map lat_state, pinned by gvt-load
 * under /sys/fs/bpf/gvt/sched_latency/), shared with the programs that
 * read it: the policy includes it after vmlinux.h, userspace after
 * <linux/types.h> and gvt/gvt_regs.h.
 */
#ifndef SCHED_LATENCY_H
#define SCHED_LATENCY_H

/* lat_vgpu.used: a fraction in these units */
#define LAT_ONE		1024u

struct lat_vgpu {
	/*
	 * How many of its recent slices it used to their end (moving
	 * average, LAT_ONE: all of them); the rest ended early, its work
	 * done.
	 */
	__u32 used[GVT_NUM_ENGINES];
	__u64 given[GVT_NUM_ENGINES];	/* the slice it was last given, ns */
	__u64 since[GVT_NUM_ENGINES];	/* when it last became runnable */
};

#endif /* SCHED_LATENCY_H */
