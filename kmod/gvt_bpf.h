/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvt-bpf: the BPF layer inside the module.
 *
 *   gvt_bpf_core.c   what both struct_ops share: the kfunc set, verifier
 *                    helpers, the attached-policy records and their sysfs
 *                    directories (/sys/kernel/gvt/policies/<id>/), init
 *   gvt_bpf_mmio.c   gvt_mmio_ops: the MMIO trap hook and its kfuncs
 *   gvt_bpf_sched.c  gvt_sched_ops: scheduling policies, their kfuncs and
 *                    watchdog
 *
 * The two struct_ops files include only this header and gvt.h; nothing
 * includes them back.
 */
#ifndef GVT_BPF_INTERNAL_H
#define GVT_BPF_INTERNAL_H

#include <linux/bpf.h>
#include <linux/kobject.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include "gvt/gvt_bpf.h"

struct gvt_parent;
struct gvt_vgpu_stats;
struct gvt_sched;

enum gvt_policy_hook {
	GVT_HOOK_MMIO,
	GVT_HOOK_SCHED,
};

enum gvt_policy_state {
	GVT_POLICY_ACTIVE,
	GVT_POLICY_EJECTED,	/* attached, inert: the built-in one decides */
	GVT_POLICY_ORPHANED,	/* attached, but its vGPU is gone */
};

/*
 * What every attached policy has: its sysfs directory (named by its BPF
 * link's id), its identity, and how it ended. Embedded in the hook's own
 * record, which frees itself through @kobj's release.
 */
struct gvt_policy {
	struct kobject kobj;
	u32 id;				/* its directory's name, never reused */
	struct bpf_link *link;		/* lives at least as long as the policy */
	enum gvt_policy_hook hook;
	char name[GVT_POLICY_NAME_LEN];
	u64 parents;			/* mask of parent indexes */
	time64_t attached;		/* wall clock, seconds */
	/* state and exit, written under lock from any context */
	spinlock_t lock;
	enum gvt_policy_state state;
	struct gvt_exit_info exit;
};

/* gvt_bpf_core.c */
int gvt_bpf_init(void);
void gvt_bpf_exit(void);
int gvt_policy_add(struct gvt_policy *pol, const struct kobj_type *ktype,
		   enum gvt_policy_hook hook, const char *name, u64 parents,
		   struct bpf_link *link, u32 id);
extern const struct attribute_group gvt_policy_group;
void gvt_policy_del(struct gvt_policy *pol);
void gvt_policy_unlist(struct gvt_policy *pol);
/*
 * Records why @pol stopped (the first reason wins) and tells whoever
 * watches its state file; any context. Returns true if this was the
 * first exit recorded.
 */
bool gvt_policy_set_exit(struct gvt_policy *pol, enum gvt_policy_state state,
			 enum gvt_exit_kind kind, u32 parent, u32 vgpu,
			 u32 engine, u64 waited_ns, const char *fmt, ...)
	__printf(8, 9);
u64 gvt_parents_resolve(u64 mask);
int gvt_policy_name_cpy(char *dst, const char *src, size_t len);
bool gvt_bpf_is_valid_access(int off, int size, enum bpf_access_type type,
			     const struct bpf_prog *prog,
			     struct bpf_insn_access_aux *info);
extern struct kobject *gvt_policies_kobj;

/* gvt_bpf_mmio.c */
int gvt_bpf_mmio_init(void);
int gvt_bpf_mmio_hook(void *priv, u32 off, u32 size, u32 *val, bool write);
void gvt_bpf_mmio_vgpu_gone(u32 id, u64 serial);

/* gvt_bpf_sched.c */
int gvt_bpf_sched_init(void);
void gvt_bpf_sched_policy_name(struct gvt_parent *p, char *buf, size_t len);
void gvt_bpf_sched_parent_gone(struct gvt_parent *p);
/*
 * For the benchmark: puts the BPF policy attached to @p, if any, on the
 * private core @s (whose vGPUs stand for @p's ids); false if none. Call
 * gvt_bpf_sched_bench_put() after, under no lock.
 */
bool gvt_bpf_sched_bench_get(struct gvt_parent *p, struct gvt_sched *s);
void gvt_bpf_sched_bench_put(struct gvt_sched *s);
/* runs one decision of @s's policy on @engine as the engines do */
u32 gvt_bpf_sched_bench_select(struct gvt_parent *p, struct gvt_sched *s,
			       u32 engine);

/* what the rest of the module calls */
void gvt_bpf_vgpu_gone(u32 id, u64 serial);
void gvt_bpf_parent_gone(struct gvt_parent *p);
void gvt_stats_event(u32 vgpu_id, const struct gvt_vgpu_stats *stats);

/* gvt_bench.c */
void gvt_bench_init(void);
void gvt_bench_exit(void);

#endif /* GVT_BPF_INTERNAL_H */
