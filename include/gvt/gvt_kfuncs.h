/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gvt-bpf: the kfuncs the module offers its policies, one prototype each.
 * The module compiles its definitions against these prototypes and the
 * policies call them through the same ones (as __ksym externs), so a
 * signature changed on one side breaks the build of the other. Included
 * by gvt_bpf.h.
 */
#ifndef GVT_KFUNCS_H
#define GVT_KFUNCS_H

#ifdef __bpf__
#define GVT_KFUNC(ret, name, ...)	extern ret name(__VA_ARGS__) __ksym
#else
#define GVT_KFUNC(ret, name, ...)	ret name(__VA_ARGS__)
#endif

struct gvt_mmio_access;

/*
 * gvt_mmio_ops: act on the vGPU whose access is being offered (@a is the
 * record the hook was given; any other record is refused at run time).
 */
/* a register's value (0 for an offset that is no register) */
GVT_KFUNC(__u32, gvt_reg_read, struct gvt_mmio_access *a, __u32 offset);
/* writes a GVT_RF_POLICY register; 0, -EINVAL, -EPERM */
GVT_KFUNC(int, gvt_reg_write, struct gvt_mmio_access *a, __u32 offset,
	  __u32 value);
/* latches GVT_IRQ_* bits in IIR (and signals them); 0 or -EINVAL */
GVT_KFUNC(int, gvt_raise_irq, struct gvt_mmio_access *a, __u32 bits);
/* an enum gvt_vgpu_attr_id attribute of the vGPU (0 if unknown) */
GVT_KFUNC(__u32, gvt_vgpu_attr, struct gvt_mmio_access *a, __u32 attr);

/*
 * gvt_sched_ops: act on the parent whose decision is being made; outside
 * a scheduling op they refuse (0, false or -EINVAL).
 */
/* @vgpu_id waits for @engine (it has work there and does not run there) */
GVT_KFUNC(bool, gvt_vgpu_has_work, __u32 vgpu_id, __u32 engine);
/* a vGPU's scheduling weight (type default or sysfs), 0 if unknown */
GVT_KFUNC(__u32, gvt_vgpu_weight, __u32 vgpu_id);
/* GPU time @vgpu_id was charged on @engine since it was created, ns */
GVT_KFUNC(__u64, gvt_vgpu_runtime, __u32 vgpu_id, __u32 engine);
/* the first vGPU after @after (wrapping) waiting for @engine, or 0 */
GVT_KFUNC(__u32, gvt_vgpu_next_waiting, __u32 engine, __u32 after);
/* who waits for @engine: bit i for vGPU gvt_sched_first_vgpu() + i */
GVT_KFUNC(__u64, gvt_waiting_mask, __u32 engine);
/* the id of the deciding parent's first vGPU slot */
GVT_KFUNC(__u32, gvt_sched_first_vgpu, void);
/* the index of the parent whose decision is being made */
GVT_KFUNC(__u32, gvt_sched_parent, void);
/*
 * The parent's queues (GVT_SCHED_NR_QUEUES), ordered by key, FIFO among
 * equal keys: insert (or move to @key), pop the first, peek at it and
 * its key, remove one, count. A vGPU that goes away leaves every queue.
 */
GVT_KFUNC(int, gvt_queue_insert, __u32 q, __u32 vgpu_id, __u64 key);
GVT_KFUNC(__u32, gvt_queue_pop, __u32 q);
GVT_KFUNC(__u32, gvt_queue_peek, __u32 q, __u64 *key);
GVT_KFUNC(int, gvt_queue_remove, __u32 q, __u32 vgpu_id);
GVT_KFUNC(__u32, gvt_queue_len, __u32 q);
/* the key of the last vGPU popped from @q: the queue's virtual clock */
GVT_KFUNC(__u64, gvt_queue_clock, __u32 q);
/*
 * gvt_queue_insert() at *@vtime raised to gvt_queue_clock(@q) first (and
 * *@vtime with it): one call for a policy sharing by virtual time, where
 * a vGPU that idled banks no credit
 */
GVT_KFUNC(int, gvt_queue_insert_vtime, __u32 q, __u32 vgpu_id, __u64 *vtime);
/* the time of the doorbell, decision or end of slice being handled, ns */
GVT_KFUNC(__u64, gvt_sched_now, void);
/* in select(): the slice of the vGPU being picked (saves a timeslice op) */
GVT_KFUNC(void, gvt_pick_slice, __u64 ns);
/* asks the vGPU running on @engine to end its slice at its next step */
GVT_KFUNC(void, gvt_sched_preempt, __u32 engine);
/* GVT_SCHED_F_IDLE policies: leave @engine idle for @ns (<= 100 ms) */
GVT_KFUNC(void, gvt_sched_idle, __u32 engine, __u64 ns);
/*
 * The policy ejects itself, with a message (a NUL-terminated string in
 * @msg, at most @msg__sz bytes); the built-in scheduler takes over.
 */
GVT_KFUNC(void, gvt_policy_eject, char *msg, __u32 msg__sz);

#undef GVT_KFUNC

#endif /* GVT_KFUNCS_H */
