/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gvt-bpf: the struct_ops contracts between the kernel module and BPF
 * policies. The module registers these types; policies implement them
 * (the programs in bpf/ include this header after vmlinux.h) and gvt-load
 * attaches them. One definition, shared by both sides, kfunc prototypes
 * included (gvt_kfuncs.h): the module's definitions are checked against
 * the same prototypes the policies are compiled with.
 */
#ifndef GVT_BPF_H
#define GVT_BPF_H

/* BPF programs get these types from vmlinux.h */
#if !defined(__bpf__)
#include <linux/types.h>
#endif

#define GVT_POLICY_NAME_LEN	32
#define GVT_MMIO_MAX_RANGES	4

/* what an MMIO hook returns */
enum gvt_mmio_verdict {
	GVT_MMIO_PASS = 0,	/* fall through to the next policy, then built-in */
	GVT_MMIO_HANDLED = 1,	/* done: a read returns a->value, a write is consumed */
	GVT_MMIO_DENY = 2,	/* write dropped / read returns 0; counted as denied */
};

/*
 * One trapped register access, as a policy sees it. Only @value may be
 * written by a policy (the verifier enforces it): on a read it is the
 * value returned when the policy answers HANDLED; on a write it holds the
 * guest's value, and a policy that returns PASS after changing it makes
 * the built-in handler store the changed value.
 */
struct gvt_mmio_access {
	__u32 vgpu_id;		/* unique among all parents (gvt_abi.h) */
	__u32 offset;		/* in BAR0 */
	__u32 size;		/* 1, 2 or 4 */
	__u32 value;
	__u32 type_div;		/* the vGPU's type: 1/n of the parent */
	__u32 is_write;
	__u32 parent;		/* index of the vGPU's parent GPU */
};

/* attributes a policy can ask of a vGPU (gvt_vgpu_attr kfunc) */
enum gvt_vgpu_attr_id {
	GVT_ATTR_ID = 0,
	GVT_ATTR_TYPE_DIV = 1,
	GVT_ATTR_WEIGHT = 2,
	GVT_ATTR_APERTURE_SIZE = 3,
	GVT_ATTR_HIDDEN_SIZE = 4,
	GVT_ATTR_STATUS = 5,
	GVT_ATTR_PARENT = 6,
};

/* an offset range [start, end) of BAR0; end == 0 ends the list */
struct gvt_mmio_range {
	__u32 start;
	__u32 end;
};

/* where a policy attaches: a mask of parent indexes, 0 for all parents */
#define GVT_PARENTS_ALL		0ull

/**
 * struct gvt_mmio_ops - a BPF policy on the MMIO trap path
 * @read: called for a guest read of a hooked register
 * @write: called for a guest write of a hooked register
 * @ranges: the BAR0 offsets this policy hooks; accesses elsewhere never
 *	call it. All zero means the whole register file.
 * @vgpu_serial: 0 to act on every vGPU, or the serial of one vGPU (sysfs
 *	<uuid>/gvt/serial). Serials are never reused, unlike ids: a policy
 *	bound to a vGPU ends with it and never sees the next vGPU that takes
 *	its id. Attaching one whose vGPU is gone fails with -ENODEV.
 * @parents: bit i for parent gvt<i>; GVT_PARENTS_ALL (0) for every parent
 * @priority: policies run from the lowest value up; at equal priority,
 *	vGPU-specific ones before global ones, then in attach order
 * @name: shown by gvt-load --list and in sysfs
 */
struct gvt_mmio_ops {
	int (*read)(struct gvt_mmio_access *a);
	int (*write)(struct gvt_mmio_access *a);
	struct gvt_mmio_range ranges[GVT_MMIO_MAX_RANGES];
	__u64 vgpu_serial;
	__u64 parents;
	__s32 priority;
	char name[GVT_POLICY_NAME_LEN];
};

#define GVT_SCHED_TIMEOUT_DEFAULT_MS	2000
#define GVT_SCHED_TIMEOUT_MAX_MS	30000
#define GVT_SCHED_NO_VGPU		0	/* select(): nobody (to run) */
/* queues a scheduling policy may feed, per parent (gvt_queue_* kfuncs) */
#define GVT_SCHED_NR_QUEUES		4

/* gvt_sched_ops.flags */
/*
 * Not work-conserving: select() may answer GVT_SCHED_NO_VGPU while work
 * waits, leaving the engine idle (for gvt_sched_idle()'s time, or 1 ms);
 * the watchdog still ejects a policy under which a vGPU waits too long.
 */
#define GVT_SCHED_F_IDLE		(1u << 0)
#define GVT_SCHED_F_ALL			GVT_SCHED_F_IDLE

/* why runnable() is called (its @flags), as sched_ext's SCX_ENQ_* */
#define GVT_ENQ_WAKEUP			(1u << 0)	/* new work, it had none */
#define GVT_ENQ_REQUEUE			(1u << 1)	/* more after its slice */
#define GVT_ENQ_ATTACH			(1u << 2)	/* it waited when the policy came */

/* why a policy stopped (struct gvt_exit_info.kind) */
enum gvt_exit_kind {
	GVT_EXIT_NONE = 0,
	GVT_EXIT_DETACHED = 1,		/* its link was detached */
	GVT_EXIT_SELF = 2,		/* it called gvt_policy_eject() */
	GVT_EXIT_BAD_DECISION = 3,	/* the kernel refused a decision */
	GVT_EXIT_STALL = 4,		/* a vGPU waited past timeout_ms */
	GVT_EXIT_REFUSED_VGPU = 5,	/* its enable() refused a vGPU */
	GVT_EXIT_VGPU_GONE = 6,		/* the vGPU it is bound to is gone */
};

#define GVT_EXIT_REASON_LEN	64
#define GVT_EXIT_MSG_LEN	256

/*
 * Why and where a policy stopped: given to its exit() op, and shown in
 * sysfs (/sys/kernel/gvt/policies/<id>/exit_*) for its loader.
 */
struct gvt_exit_info {
	__u32 kind;			/* enum gvt_exit_kind */
	__u32 parent;			/* where, for a scheduling policy */
	__u32 vgpu;			/* the vGPU concerned, 0 if none */
	__u32 engine;
	__u64 waited_ns;		/* GVT_EXIT_STALL: how long it waited */
	char reason[GVT_EXIT_REASON_LEN];	/* the kind, in words */
	char msg[GVT_EXIT_MSG_LEN];		/* what happened, formatted */
};

/**
 * struct gvt_sched_ops - a BPF scheduling policy for a parent's engines
 * @enable: vGPU @vgpu_id with scheduling weight @weight appeared, or the
 *	policy was attached while it existed; non-zero refuses it, which
 *	ejects the policy
 * @disable: vGPU @vgpu_id is going away (the core takes it out of every
 *	queue)
 * @runnable: @vgpu_id got new work on @engine, or still has work there
 *	after its slice, or waited there when the policy was attached (one
 *	GVT_ENQ_* in @flags says which): the moment to queue it
 *	(gvt_queue_insert(), gvt_queue_insert_vtime()). @weight is its
 *	scheduling weight and @runtime_ns its GPU time on @engine so far
 *	(gvt_vgpu_weight(), gvt_vgpu_runtime()), handed over as sched_ext
 *	hands over the task: a policy charging by virtual time needs no
 *	kfunc to learn them
 * @select: the vGPU to run next on @engine: one waiting for it
 *	(gvt_vgpu_has_work()), or GVT_SCHED_NO_VGPU when nobody waits.
 *	Without it the core takes the first vGPU of queue @engine itself
 *	(the engine's dispatch queue, fed by @runnable): no BPF call on the
 *	decision. A policy has @select, @runnable or both.
 * @timeslice: how long @vgpu_id may run on @engine once selected, ns
 *	(0: the vGPU's slice, sysfs timeslice_us or the default)
 * @charge: @vgpu_id used @ns of GPU time on @engine
 * @exit: the policy stopped, for the reason in @ei (called once, in
 *	process context, before the policy goes)
 * @timeout_ms: the longest a vGPU with work may wait for an engine before
 *	the policy is ejected (0: GVT_SCHED_TIMEOUT_DEFAULT_MS)
 * @flags: GVT_SCHED_F_*
 * @parents: bit i for parent gvt<i>; GVT_PARENTS_ALL (0) for every parent
 * @name: shown by gvt-load --list and in sysfs
 *
 * vGPU ids are unique among all parents; kfuncs act on the parent whose
 * decision is being made. The module checks every decision: selecting an
 * unknown vGPU, one with no work, nobody while work waits (unless
 * GVT_SCHED_F_IDLE), a time slice out of range, or letting a vGPU wait past
 * @timeout_ms ejects the policy; the built-in weighted scheduler takes over
 * at once and no queued work is lost.
 * Ops run with the parent's scheduler lock held and must not sleep.
 */
struct gvt_sched_ops {
	int (*enable)(__u32 vgpu_id, __u32 weight);
	void (*disable)(__u32 vgpu_id);
	void (*runnable)(__u32 vgpu_id, __u32 engine, __u32 flags,
			 __u32 weight, __u64 runtime_ns);
	__u32 (*select)(__u32 engine);
	__u64 (*timeslice)(__u32 vgpu_id, __u32 engine);
	void (*charge)(__u32 vgpu_id, __u32 engine, __u64 ns);
	void (*exit)(struct gvt_exit_info *ei);
	__u32 timeout_ms;
	__u32 flags;
	__u64 parents;
	char name[GVT_POLICY_NAME_LEN];
};

#include "gvt_kfuncs.h"

#endif /* GVT_BPF_H */
