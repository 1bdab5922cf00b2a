/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common head of every gvt-bpf policy: kernel types (vmlinux.h generated
 * from the target kernel), the module's struct_ops contracts and the
 * kfuncs the module offers.
 */
#ifndef GVT_POLICY_H
#define GVT_POLICY_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "gvt/gvt_regs.h"
#include "gvt/gvt_abi.h"
#include "gvt/gvt_bpf.h"

/* kfuncs for gvt_mmio_ops programs; @a is the access the hook was given */
extern __u32 gvt_reg_read(struct gvt_mmio_access *a, __u32 offset) __ksym;
extern int gvt_reg_write(struct gvt_mmio_access *a, __u32 offset,
			 __u32 value) __ksym;
extern int gvt_raise_irq(struct gvt_mmio_access *a, __u32 bits) __ksym;
extern __u32 gvt_vgpu_attr(struct gvt_mmio_access *a, __u32 attr) __ksym;

/* kfuncs for gvt_sched_ops programs */
extern bool gvt_vgpu_has_work(__u32 vgpu_id, __u32 engine) __ksym;
extern __u32 gvt_vgpu_weight(__u32 vgpu_id) __ksym;

/* vGPU ids a scheduling policy iterates over */
#define GVT_FIRST_VGPU	1
#define GVT_LAST_VGPU	GVT_MAX_VGPUS

#endif /* GVT_POLICY_H */
