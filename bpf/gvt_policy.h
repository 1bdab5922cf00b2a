/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common head of every gvt-bpf policy: kernel types (vmlinux.h generated
 * from the target kernel), the module's struct_ops contracts and kfunc
 * prototypes (include/gvt/gvt_bpf.h, gvt_kfuncs.h), and the boilerplate
 * every policy would otherwise repeat:
 *
 *   __u32 GVT_STRUCT_OPS(rr_select, __u32 engine) { ... }
 *   GVT_SCHED_OPS_DEFINE(sched_rr, .select = (void *)rr_select);
 *   gvt_for_each_vgpu(id) { ... }       every vGPU id of the deciding parent
 *   gvt_eject("vGPU %u misbehaved", id) the policy ejects itself, a message
 */
#ifndef GVT_POLICY_H
#define GVT_POLICY_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "gvt/gvt_regs.h"
#include "gvt/gvt_abi.h"
#include "gvt/gvt_bpf.h"

/* one op of a struct_ops: its section and its BPF_PROG, one name */
#define GVT_STRUCT_OPS(name, args...) \
	SEC("struct_ops/" #name) BPF_PROG(name, ##args)

/* an ops table, named as the policy: gvt-load pins it under that name */
#define GVT_SCHED_OPS_DEFINE(__name, ...)				\
	SEC(".struct_ops.link") struct gvt_sched_ops __name = {	\
		.name = #__name, __VA_ARGS__ }

#define GVT_MMIO_OPS_DEFINE(__name, ...)				\
	SEC(".struct_ops.link") struct gvt_mmio_ops __name = {		\
		.name = #__name, __VA_ARGS__ }

/* every vGPU id slot of the parent whose decision is being made */
#define gvt_for_each_vgpu(id)						\
	bpf_for(id, gvt_sched_first_vgpu(),				\
		gvt_sched_first_vgpu() + GVT_MAX_VGPUS)

/* the policy ejects itself with a formatted message (scheduling ops) */
#define gvt_eject(fmt, args...)						\
	({								\
		char ___msg[GVT_EXIT_MSG_LEN];				\
									\
		BPF_SNPRINTF(___msg, sizeof(___msg), fmt, ##args);	\
		gvt_policy_eject(___msg, sizeof(___msg));		\
	})

/* per-vGPU maps: one entry per possible vGPU id (ids start at 1) */
#define GVT_VGPU_SLOTS		(GVT_MAX_VGPU_ID + 1)
/* per-parent, per-engine state: index gvt_sched_parent() * engines + e */
#define GVT_ENGINE_SLOTS	(GVT_MAX_PARENTS * GVT_NUM_ENGINES)

static __always_inline __u32 gvt_engine_slot(__u32 engine)
{
	return gvt_sched_parent() * GVT_NUM_ENGINES + engine;
}

/* floor(log2(v)) for v > 0, log2(0) = 0: five shifts, no loop */
static __always_inline __u32 gvt_log2_u64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	return r + (v >> 1);
}

#endif /* GVT_POLICY_H */
