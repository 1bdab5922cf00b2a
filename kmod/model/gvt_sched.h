/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvt-bpf scheduler core: shares one parent GPU's engines among its vGPUs.
 *
 * The core keeps, per vGPU id, which engines it has work on and whether it
 * runs, and per engine the set of vGPUs waiting for it (a bit mask, so
 * "who waits" is one word); a policy (struct gvt_sched_policy) decides who
 * runs next and for how long. The built-in policy is weighted fair sharing
 * with a virtual-time heap per engine (O(log n) a decision); a BPF
 * struct_ops policy (gvt_sched_ops) may replace it through
 * gvt_sched_set_policy() and feed the core's queues (heaps ordered by a key
 * the policy gives, FIFO among equal keys) in the manner of sched_ext's
 * dispatch queues.
 *
 * The core checks every decision of a policy: a vGPU id that is not
 * enabled, a vGPU with no work on the engine, "nobody" while someone has
 * work (unless the policy declared itself non-work-conserving), or a time
 * slice out of range ejects the policy on the spot - the built-in one
 * takes over for that very decision, nothing queued is lost, and the
 * reason is kept in the gvt_sched (and told to ->ejected).
 *
 * Plain C, no locking of its own: the client serializes every call on one
 * struct gvt_sched (the module: gvt_parent.sched_lock, a spinlock taken
 * inside a vGPU's lock, never the other way round). Policy ops are called
 * under that lock and must not sleep.
 *
 * vGPUs are named by their id in the parent, 1..GVT_MAX_VGPUS.
 */
#ifndef GVT_SCHED_H
#define GVT_SCHED_H

#include "gvt_compat.h"
#include "gvt/gvt_bpf.h"

#define GVT_SCHED_SLICE_NS		(GVT_SCHED_DEFAULT_SLICE_US * 1000ull)
#define GVT_SCHED_NONE			GVT_SCHED_NO_VGPU	/* the ABI's "no vGPU" */
/* how long a non-work-conserving policy leaves an engine idle by default */
#define GVT_SCHED_IDLE_NS		1000000ull
#define GVT_SCHED_IDLE_MAX_NS		GVT_SCHED_SLICE_MAX_NS
/* the watchdog looks every timeout / 4, at most this often */
#define GVT_SCHED_WATCHDOG_MIN_MS	10u

/* why the core refused a policy's decision (and ejected the policy) */
enum gvt_sched_error {
	GVT_SCHED_OK,
	GVT_SCHED_ERR_UNKNOWN_VGPU,	/* select(): id not enabled */
	GVT_SCHED_ERR_NO_WORK,		/* select(): vGPU has no work there */
	GVT_SCHED_ERR_IDLE,		/* select(): none, but work waits */
	GVT_SCHED_ERR_BAD_SLICE,	/* timeslice(): out of range */
	GVT_SCHED_ERR_STARVED,		/* a vGPU waited past the timeout */
	GVT_SCHED_ERR_ENABLE,		/* enable() failed */
	GVT_SCHED_ERR_SELF,		/* the policy ejected itself */
};

/*
 * A min-heap of vGPU ids by a 64-bit key, FIFO among equal keys; each id
 * at most once. 64 entries: a decision walks six levels at most.
 */
struct gvt_heap {
	u32 n;
	u8 id[GVT_MAX_VGPUS];			/* heap order */
	u8 pos[GVT_MAX_VGPUS + 1];		/* by id: index + 1, 0 absent */
	u64 key[GVT_MAX_VGPUS + 1];		/* by id */
	u64 seq[GVT_MAX_VGPUS + 1];		/* by id: insertion order */
};

struct gvt_sched;

/**
 * struct gvt_sched_policy - the decisions a scheduling policy makes
 * @name: shown to the user
 * @idle_ok: may leave an engine idle while work waits (not work-conserving)
 * @enable: vGPU @vgpu appeared (or the policy was attached while it
 *	existed); nonzero refuses it and ejects the policy
 * @disable: vGPU @vgpu goes away; forget it
 * @runnable: @vgpu got new work on @engine, or still has work there after
 *	its slice, or waited there when the policy came (GVT_ENQ_* @flags)
 * @select: which vGPU runs next on @engine: an id with work on @engine
 *	(gvt_sched_has_work()), or GVT_SCHED_NONE when no vGPU has any
 * @timeslice: how long @vgpu may run on @engine once picked, ns, within
 *	[GVT_SCHED_SLICE_MIN_NS, GVT_SCHED_SLICE_MAX_NS]
 * @charge: @vgpu used @ns of GPU time on @engine
 */
struct gvt_sched_policy {
	const char *name;
	bool idle_ok;
	int (*enable)(struct gvt_sched *s, u32 vgpu);
	void (*disable)(struct gvt_sched *s, u32 vgpu);
	void (*runnable)(struct gvt_sched *s, u32 vgpu, u32 engine,
			 u32 flags);
	u32 (*select)(struct gvt_sched *s, u32 engine);
	u64 (*timeslice)(struct gvt_sched *s, u32 vgpu, u32 engine);
	void (*charge)(struct gvt_sched *s, u32 vgpu, u32 engine, u64 ns);
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
	u64 runtime[GVT_NUM_ENGINES];	/* GPU time charged there, ns */
	void *priv;			/* the client's vGPU */
	u64 vtime[GVT_NUM_ENGINES];	/* built-in policy: weighted GPU time */
	u64 ejections;			/* policies ejected over this vGPU */
};

struct gvt_sched {
	/* the client's names for this core: vGPU ids id_base + id, parent */
	u32 id_base;
	u32 index;
	const struct gvt_sched_policy *policy;
	void *policy_priv;		/* for the policy's own use */
	struct gvt_sched_vgpu v[GVT_MAX_VGPUS + 1];	/* by id, [0] unused */
	/* bit id - 1: id has work on the engine and does not run there */
	u64 waiting[GVT_NUM_ENGINES];
	u32 last[GVT_NUM_ENGINES];	/* who ran last on each engine */
	/*
	 * Who holds each engine's grant now (GVT_SCHED_NONE: free). A vGPU
	 * whose grant was revoked stays running until it hands back (done)
	 * but no longer holds the engine.
	 */
	u32 owner[GVT_NUM_ENGINES];
	bool preempt[GVT_NUM_ENGINES];	/* the holder should end its slice */
	u64 idle_ns[GVT_NUM_ENGINES];	/* idle asked by a select(), ns */
	u64 kicks[GVT_NUM_ENGINES];	/* doorbells that queued new work */
	u64 revocations;		/* grants taken back at their deadline */
	u64 default_slice_ns;
	/* the built-in policy: who waits, by virtual time, per engine */
	struct gvt_heap ready[GVT_NUM_ENGINES];
	u64 vclock[GVT_NUM_ENGINES];
	/* the queues a BPF policy feeds (gvt_queue_* kfuncs) */
	struct gvt_heap queue[GVT_SCHED_NR_QUEUES];
	u64 queue_clock[GVT_SCHED_NR_QUEUES];	/* key of the last one popped */
	u64 now;			/* time of the event being handled */
	u64 policy_since;		/* the policy decides from then on */
	u64 seq;			/* FIFO order within equal keys */
	/* the last refused decision */
	enum gvt_sched_error error;
	u32 error_vgpu;
	u32 error_engine;
	u64 error_ns;			/* how long it had waited (STARVED) */
	u64 ejections;
	/*
	 * Told after an ejection (under the client's lock: must not sleep),
	 * with the ejected policy and its private data, so that the client
	 * records the ejection against that policy and no other.
	 */
	void (*ejected)(struct gvt_sched *s, const struct gvt_sched_policy *old,
			void *old_priv, enum gvt_sched_error why, u32 vgpu);
	/* told when the holder of @engine is asked to stop (under the lock) */
	void (*preempted)(struct gvt_sched *s, u32 engine);
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
 * engine's grant; GVT_SCHED_NONE if nobody (then s->idle_ns[@engine] is
 * how long a non-work-conserving policy wants the engine left idle, 0
 * when nobody waits).
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
/* GPU time @vgpu was charged on @engine since it was enabled, ns */
u64 gvt_sched_runtime(const struct gvt_sched *s, u32 vgpu, u32 engine);
/* the first vGPU after @after (wrapping) waiting for @engine, or NONE */
u32 gvt_sched_next_waiting(const struct gvt_sched *s, u32 engine, u32 after);

/*
 * The queues a policy feeds: @q < GVT_SCHED_NR_QUEUES, ordered by @key
 * (smallest first, FIFO among equal keys). insert puts @vgpu in, or moves
 * it to @key if it is in already (0, -EINVAL for a bad queue or a vGPU
 * that is not enabled); pop takes the first out (GVT_SCHED_NONE if
 * empty); remove takes @vgpu out wherever it is in @q. A queue's clock
 * is the key of the last vGPU popped from it (0 until one is).
 */
int gvt_sched_queue_insert(struct gvt_sched *s, u32 q, u32 vgpu, u64 key);
u32 gvt_sched_queue_pop(struct gvt_sched *s, u32 q);
u32 gvt_sched_queue_peek(const struct gvt_sched *s, u32 q, u64 *key);
int gvt_sched_queue_remove(struct gvt_sched *s, u32 q, u32 vgpu);
u32 gvt_sched_queue_len(const struct gvt_sched *s, u32 q);
u64 gvt_sched_queue_clock(const struct gvt_sched *s, u32 q);
/*
 * insert at *@vtime raised to @q's clock first (*@vtime with it, on
 * success): a vGPU back from idling starts no earlier than the last one
 * popped, so it banks no credit
 */
int gvt_sched_queue_insert_vtime(struct gvt_sched *s, u32 q, u32 vgpu,
				 u64 *vtime);

/*
 * Installs @policy (NULL: the built-in one), calling its enable() for every
 * enabled vGPU and runnable() for its waiting work; returns the previous
 * policy. If @policy refuses a vGPU, it is ejected at once.
 */
const struct gvt_sched_policy *
gvt_sched_set_policy(struct gvt_sched *s, const struct gvt_sched_policy *policy,
		     void *policy_priv);
/* ejects the current policy (if not the built-in one) for @why */
void gvt_sched_eject(struct gvt_sched *s, enum gvt_sched_error why, u32 vgpu);
/*
 * Watchdog: the id of a vGPU that has waited more than @timeout_ns for an
 * engine (*@engine, *@waited_ns tell where and how long), or
 * GVT_SCHED_NONE. The caller decides whether to eject.
 */
u32 gvt_sched_starved(const struct gvt_sched *s, u64 now, u64 timeout_ns,
		      u32 *engine, u64 *waited_ns);
const char *gvt_sched_error_name(enum gvt_sched_error e);

/* min-heap of ids (sched.c), for the core and its tests */
void gvt_heap_init(struct gvt_heap *h);
bool gvt_heap_insert(struct gvt_heap *h, u32 id, u64 key, u64 seq);
bool gvt_heap_remove(struct gvt_heap *h, u32 id);
u32 gvt_heap_pop(struct gvt_heap *h);
static inline bool gvt_heap_has(const struct gvt_heap *h, u32 id)
{
	return id && id <= GVT_MAX_VGPUS && h->pos[id];
}

#endif /* GVT_SCHED_H */
