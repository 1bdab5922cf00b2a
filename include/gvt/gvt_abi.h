/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gvt-bpf: vGPU types, sysfs names and the per-vGPU statistics record,
 * shared by the kernel module, BPF programs and userspace.
 */
#ifndef GVT_ABI_H
#define GVT_ABI_H

/* BPF programs get these types from vmlinux.h */
#if !defined(__bpf__)
#include <linux/types.h>
#endif

/*
 * The mdev parents: class "gvt", devices "gvt0", "gvt1", ... (module
 * parameter `parents`), each a simulated physical GPU with engines,
 * scheduler and policies of its own. Their types appear as
 * /sys/class/mdev_bus/gvtN/mdev_supported_types/gvt-V1_<n>: a vGPU of type
 * V1_<n> owns 1/n of its parent's aperture, hidden graphics memory, fences
 * and contexts, and its default scheduling weight is GVT_WEIGHT_FULL / n.
 */
#define GVT_CLASS_NAME			"gvt"
#define GVT_PARENT_PREFIX		"gvt"
#define GVT_PARENT_NAME			"gvt0"	/* the first parent */
#define GVT_MAX_PARENTS			8
#define GVT_TYPE_PREFIX			"V1_"
#define GVT_TYPE_DIVS(X)		X(1) X(2) X(4) X(8) X(16) X(32) X(64)
#define GVT_TYPE_ONE_(div)		+ 1
#define GVT_NUM_TYPES			(0 GVT_TYPE_DIVS(GVT_TYPE_ONE_))
#define GVT_MAX_DIV			64	/* resources are split in this many slots */
#define GVT_WEIGHT_FULL			64	/* a whole parent's weight */
#define GVT_WEIGHT_MIN			1
#define GVT_WEIGHT_MAX			128
/* the scheduling time slice unless a policy or sysfs timeslice_us says */
#define GVT_SCHED_DEFAULT_SLICE_US	1000
/* a time slice a policy gives is within these, or the policy is ejected */
#define GVT_SCHED_SLICE_MIN_NS		50000ull		/* 50 us */
#define GVT_SCHED_SLICE_MAX_NS		100000000ull		/* 100 ms */

/* module parameter defaults: each simulated physical GPU */
#define GVT_DEFAULT_APERTURE_MB		128	/* CPU-visible graphics memory */
#define GVT_DEFAULT_HIDDEN_MB		256	/* graphics memory behind it */
#define GVT_DEFAULT_FENCES		64
#define GVT_DEFAULT_CONTEXTS		128

/*
 * vGPUs per parent, and vGPU ids: unique among all parents at a time
 * (reused after a vGPU is removed; its serial never is). The vGPUs of
 * parent p have ids p * GVT_MAX_VGPUS + 1 .. (p + 1) * GVT_MAX_VGPUS.
 */
#define GVT_MAX_VGPUS			GVT_MAX_DIV
#define GVT_MAX_VGPU_ID			(GVT_MAX_PARENTS * GVT_MAX_VGPUS)
#define GVT_VGPU_PARENT(id)		(((id) - 1) / GVT_MAX_VGPUS)

/*
 * VFIO region of the display plane, after the standard PCI ones: what
 * VFIO_DEVICE_QUERY_GFX_PLANE (region type) names. Each query copies the
 * surface the plane points at into it (surface layout, offset 0); read
 * it or mmap it. A plane larger than the region shows nothing.
 */
#define GVT_PLANE_REGION_INDEX		9	/* VFIO_PCI_NUM_REGIONS */
#define GVT_PLANE_REGION_SIZE		(16u << 20)

/*
 * sysfs under each mdev, one value per file:
 *   /sys/bus/mdev/devices/<uuid>/gvt/        vgpu_id serial parent type
 *                                             weight timeslice_us status
 *   /sys/bus/mdev/devices/<uuid>/gvt_stats/  one file per counter below
 * under each parent (/sys/class/gvt/gvtN/): index aperture_mb hidden_mb
 * fences contexts vgpus sched_policy sched_ejections sched_revocations;
 * the attached BPF policies: /sys/kernel/gvt/policies/<id>/ (gvt_bpf.h).
 */
#define GVT_SYSFS_GROUP			"gvt"
#define GVT_SYSFS_STATS_GROUP		"gvt_stats"
#define GVT_SYSFS_POLICIES		"/sys/kernel/gvt/policies"

/*
 * Per-vGPU counters. GVT_STATS_LIST(X) expands X(name) once per field,
 * in record order; each is a file of <uuid>/gvt_stats/.
 */
#define GVT_STATS_LIST(X)			\
	X(cfg_reads)				\
	X(cfg_writes)				\
	X(mmio_reads)				\
	X(mmio_writes)				\
	X(mmio_unknown)				\
	X(mmio_ro_writes)			\
	X(mmio_bpf_handled)			\
	X(mmio_denied)				\
	X(gtt_writes)				\
	X(aperture_accesses)			\
	X(resets)				\
	X(workloads_submitted)			\
	X(workloads_completed)			\
	X(workloads_rejected)			\
	X(gpu_busy_ns)				\
	X(wait_ns)				\
	X(interrupts)				\
	X(sched_switches)			\
	X(sched_grants)				\
	X(sched_preempted)			\
	X(policy_ejections)

#define GVT_STATS_FIELD(name) __u64 name;
struct gvt_vgpu_stats {
	GVT_STATS_LIST(GVT_STATS_FIELD)
};
#undef GVT_STATS_FIELD

#endif /* GVT_ABI_H */
