/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvt-bpf scheduler core: shares the simulated GPU's engines among vGPUs.
 *
 * The core keeps, per vGPU id, which engines it has work on and whether it
 * runs; a policy (struct gvt_sched_policy) decides who runs next and for
 * how long. The built-in policy is weighted time slices; a BPF struct_ops
 * policy (gvt_sched_ops) may replace it through gvt_sched_set_policy().
 * The core checks every decision of a policy: a vGPU id that is not
 * enabled, a vGPU with no work on the engine, "nobody" while someone has
 * work, or a time slice out of range ejects the policy on the spot - the
 * built-in one takes over for that very decision, nothing queued is lost,
 * and the reason is kept in the gvt_sched (and told to ->ejected).
 *
 * Plain C, no locking of its own: the client serializes every call on one
 * struct gvt_sched (the module: gvt_parent.sched_lock, a spinlock taken
 * inside a vGPU's lock, never the other way round). Policy ops are called
 * under that lock and must not sleep.
 *
 * vGPUs are named by their id, 1..GVT_MAX_VGPUS (the PV-info VGPU_ID).
 */
#ifndef GVT_SCHED_H
#define GVT_SCHED_H

#include "gvt_compat.h"
#include "gvt/gvt_bpf.h"

#define GVT_SCHED_SLICE_NS		(GVT_SCHED_DEFAULT_SLICE_US * 1000ull)
#define GVT_SCHED_SLICE_MIN_NS		50000ull
#define GVT_SCHED_SLICE_MAX_NS		100000000ull
#define GVT_SCHED_NONE			GVT_SCHED_NO_VGPU	/* the ABI's "no vGPU" */

/* why the core refused a policy's decision (and ejected the policy) */
enum gvt_sched_error {
	GVT_SCHED_OK,
	GVT_SCHED_ERR_UNKNOWN_VGPU,	/* select(): id not enabled */
	GVT_SCHED_ERR_NO_WORK,		/* select(): vGPU has no work there */
	GVT_SCHED_ERR_IDLE,		/* select(): none, but work waits */
	GVT_SCHED_ERR_BAD_SLICE,	/* timeslice(): out of range */
	GVT_SCHED_ERR_STARVED,		/* a vGPU waited past the timeout */
	GVT_SCHED_ERR_ENABLE,		/* enable() failed */
};

struct gvt_sched;

/**
 * struct gvt_sched_policy - the decisions a scheduling policy makes
 * @name: shown to the user
 * @enable: vGPU @vgpu appeared (or the policy was attached while it
 *	existed); nonzero refuses it and ejects the policy
 * @disable: vGPU @vgpu goes away; forget it
 * @runnable: @vgpu got new work, or still has work after its slice
 * @select: which vGPU runs next on @engine: an id with work on @engine
 *	(gvt_sched_has_work()), or GVT_SCHED_NONE when no vGPU has any
 * @timeslice: how long @vgpu may run once picked, ns, within
 *	[GVT_SCHED_SLICE_MIN_NS, GVT_SCHED_SLICE_MAX_NS]
 * @charge: @vgpu used @ns of GPU time on some engine
 */
struct gvt_sched_policy {
	const char *name;
	int (*enable)(struct gvt_sched *s, u32 vgpu);
	void (*disable)(struct gvt_sched *s, u32 vgpu);
	void (*runnable)(struct gvt_sched *s, u32 vgpu);
	u32 (*select)(struct gvt_sched *s, u32 engine);
	u64 (*timeslice)(struct gvt_sched *s, u32 vgpu);
	void (*charge)(struct gvt_sched *s, u32 vgpu, u64 ns);
};

/* the core's view of one vGPU */
struct gvt_sched_vgpu {
	bool enabled;
	u32 weight;			/* GVT_WEIGHT_MIN..GVT_WEIGHT_MAX */
	u64 slice_ns;			/* override; 0: the default slice */
	u32 work;			/* bit e: work queued on engine e */
	u32 running;			/* bit e: running on engine e now */
	u32 kicked;			/* bit e: a doorbell while running there */
	u64 runnable_since[GVT_NUM_ENGINES];
	void *priv;			/* the client's vGPU */
	u64 vtime;			/* built-in policy: weighted GPU time */
	u64 ejections;			/* policies ejected over this vGPU */
};

struct gvt_sched {
	const struct gvt_sched_policy *policy;
	void *policy_priv;		/* for the policy's own use */
	struct gvt_sched_vgpu v[GVT_MAX_VGPUS + 1];	/* by id, [0] unused */
	u32 last[GVT_NUM_ENGINES];	/* who ran last on each engine */
	/*
	 * Who holds each engine's grant now (GVT_SCHED_NONE: free). A vGPU
	 * whose grant was revoked stays running until it hands back (done)
	 * but no longer holds the engine.
	 */
	u32 owner[GVT_NUM_ENGINES];
	u64 revocations;		/* grants taken back at their deadline */
	u64 default_slice_ns;
	u64 vclock;			/* built-in policy: the fair clock */
	/* the last refused decision */
	enum gvt_sched_error error;
	u32 error_vgpu;
	u64 ejections;
	/*
	 * Told after an ejection (under the client's lock: must not sleep),
	 * with the ejected policy and its private data, so that the client
	 * records the ejection against that policy and no other.
	 */
	void (*ejected)(struct gvt_sched *s, const struct gvt_sched_policy *old,
			void *old_priv, enum gvt_sched_error why, u32 vgpu);
};

/* what gvt_sched_pick() decided */
struct gvt_sched_pick {
	u32 vgpu;			/* GVT_SCHED_NONE: nothing to run */
	void *priv;
	u64 slice_ns;
	u64 waited_ns;			/* how long it waited for this engine */
	bool switched;			/* another vGPU ran here before */
};

extern const struct gvt_sched_policy gvt_sched_builtin;

void gvt_sched_init(struct gvt_sched *s);
/* a vGPU appears / leaves; enable returns -EINVAL/-EEXIST on a bad id */
int gvt_sched_enable(struct gvt_sched *s, u32 vgpu, u32 weight, void *priv);
void gvt_sched_disable(struct gvt_sched *s, u32 vgpu);
void gvt_sched_set_weight(struct gvt_sched *s, u32 vgpu, u32 weight);
/* per-vGPU slice override, 0 to use the default */
void gvt_sched_set_slice(struct gvt_sched *s, u32 vgpu, u64 ns);

/*
 * @vgpu has work on @engine; true if that engine's worker must wake. A
 * doorbell while @vgpu runs there is remembered and makes done() requeue.
 */
bool gvt_sched_kick(struct gvt_sched *s, u32 vgpu, u32 engine, u64 now);
/*
 * Chooses who runs next on @engine, marks it running and gives it the
 * engine's grant; GVT_SCHED_NONE if nobody.
 */
u32 gvt_sched_pick(struct gvt_sched *s, u32 engine, u64 now,
		   struct gvt_sched_pick *pick);
/*
 * @vgpu stopped running on @engine after @used_ns; @more: work is left.
 * Hands back the engine's grant if it still held it.
 */
void gvt_sched_done(struct gvt_sched *s, u32 engine, u32 vgpu, u64 used_ns,
		    bool more, u64 now);
/*
 * Takes @engine's grant back from a vGPU that overran it (it stays
 * running, so it is not picked again, until its done()); the id or
 * GVT_SCHED_NONE when the grant was handed back already.
 */
u32 gvt_sched_revoke(struct gvt_sched *s, u32 engine);
/* the vGPU holding @engine's grant, or GVT_SCHED_NONE */
u32 gvt_sched_owner(const struct gvt_sched *s, u32 engine);

/* queries, also meant for policies */
bool gvt_sched_has_work(const struct gvt_sched *s, u32 vgpu, u32 engine);
bool gvt_sched_engine_has_work(const struct gvt_sched *s, u32 engine);
bool gvt_sched_is_running(const struct gvt_sched *s, u32 vgpu);
u32 gvt_sched_weight(const struct gvt_sched *s, u32 vgpu);

/*
 * Installs @policy (NULL: the built-in one), calling its enable() for every
 * enabled vGPU and runnable() for those with work; returns the previous
 * policy. If @policy refuses a vGPU, it is ejected at once.
 */
const struct gvt_sched_policy *
gvt_sched_set_policy(struct gvt_sched *s, const struct gvt_sched_policy *policy,
		     void *policy_priv);
/* ejects the current policy (if not the built-in one) for @why */
void gvt_sched_eject(struct gvt_sched *s, enum gvt_sched_error why, u32 vgpu);
/*
 * Watchdog: the id of a vGPU that has waited more than @timeout_ns for an
 * engine, or GVT_SCHED_NONE. The caller decides whether to eject.
 */
u32 gvt_sched_starved(const struct gvt_sched *s, u64 now, u64 timeout_ns);
const char *gvt_sched_error_name(enum gvt_sched_error e);

#endif /* GVT_SCHED_H */
