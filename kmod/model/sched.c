// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf scheduler core and its built-in policy.
 *
 * The built-in policy is weighted fair sharing in time slices, the spirit
 * of GVT-g's sched_policy.c: every vGPU carries, per engine, a virtual
 * time that grows by the GPU time it used there divided by its weight, and
 * the engine goes to the waiting vGPU with the smallest virtual time for
 * one slice (1 ms unless overridden), taken from a heap: O(log n) a
 * decision. Over any busy period each vGPU so gets GPU time in proportion
 * to its weight. A vGPU that was idle rejoins at the fair clock (the
 * smallest virtual time of the busy ones), so idling does not bank credit
 * that would later starve the others.
 */
#include "gvt_sched.h"

/* ---- the heap ------------------------------------------------------------ */

void gvt_heap_init(struct gvt_heap *h)
{
	memset(h, 0, sizeof(*h));
}

/* @a sorts before @b: smaller key, or equal key and inserted earlier */
static bool gvt_heap_less(const struct gvt_heap *h, u32 a, u32 b)
{
	return h->key[a] != h->key[b] ? h->key[a] < h->key[b] :
	       h->seq[a] < h->seq[b];
}

static void gvt_heap_set(struct gvt_heap *h, u32 i, u32 id)
{
	h->id[i] = (u8)id;
	h->pos[id] = (u8)(i + 1);
}

static void gvt_heap_up(struct gvt_heap *h, u32 i)
{
	u32 id = h->id[i];

	while (i) {
		u32 parent = (i - 1) / 2;

		if (!gvt_heap_less(h, id, h->id[parent]))
			break;
		gvt_heap_set(h, i, h->id[parent]);
		i = parent;
	}
	gvt_heap_set(h, i, id);
}

static void gvt_heap_down(struct gvt_heap *h, u32 i)
{
	u32 id = h->id[i];

	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && gvt_heap_less(h, h->id[c + 1], h->id[c]))
			c++;
		if (!gvt_heap_less(h, h->id[c], id))
			break;
		gvt_heap_set(h, i, h->id[c]);
		i = c;
	}
	gvt_heap_set(h, i, id);
}

/* puts @id in at @key, or moves it there; false for a bad id */
bool gvt_heap_insert(struct gvt_heap *h, u32 id, u64 key, u64 seq)
{
	if (!id || id > GVT_MAX_VGPUS)
		return false;
	if (h->pos[id])
		gvt_heap_remove(h, id);
	h->key[id] = key;
	h->seq[id] = seq;
	gvt_heap_set(h, h->n++, id);
	gvt_heap_up(h, h->n - 1);
	return true;
}

bool gvt_heap_remove(struct gvt_heap *h, u32 id)
{
	u32 i, last;

	if (!gvt_heap_has(h, id))
		return false;
	i = h->pos[id] - 1;
	h->pos[id] = 0;
	last = h->id[--h->n];
	if (i == h->n)
		return true;
	gvt_heap_set(h, i, last);
	gvt_heap_up(h, i);
	gvt_heap_down(h, h->pos[last] - 1);
	return true;
}

u32 gvt_heap_pop(struct gvt_heap *h)
{
	u32 id;

	if (!h->n)
		return GVT_SCHED_NONE;
	id = h->id[0];
	gvt_heap_remove(h, id);
	return id;
}

/* ---- the core's bookkeeping ------------------------------------------- */

static bool gvt_sched_valid(u32 vgpu)
{
	return vgpu > 0 && vgpu <= GVT_MAX_VGPUS;
}

static struct gvt_sched_vgpu *gvt_sched_vgpu_get(struct gvt_sched *s, u32 vgpu)
{
	return gvt_sched_valid(vgpu) && s->v[vgpu].enabled ? &s->v[vgpu] : NULL;
}

static u64 gvt_bit(u32 vgpu)
{
	return 1ull << (vgpu - 1);
}

/* keeps waiting[] in step with work, running and enabled of @vgpu on @e */
static void gvt_sched_update(struct gvt_sched *s, u32 vgpu, u32 e)
{
	const struct gvt_sched_vgpu *v = &s->v[vgpu];

	if (v->enabled && (v->work & ~v->running & (1u << e)))
		s->waiting[e] |= gvt_bit(vgpu);
	else
		s->waiting[e] &= ~gvt_bit(vgpu);
}

bool gvt_sched_has_work(const struct gvt_sched *s, u32 vgpu, u32 engine)
{
	/* work that runs now is not waiting for the engine */
	return gvt_sched_valid(vgpu) && engine < GVT_NUM_ENGINES &&
	       (s->waiting[engine] & gvt_bit(vgpu));
}

bool gvt_sched_engine_has_work(const struct gvt_sched *s, u32 engine)
{
	return engine < GVT_NUM_ENGINES && s->waiting[engine];
}

bool gvt_sched_is_running(const struct gvt_sched *s, u32 vgpu)
{
	return gvt_sched_valid(vgpu) && s->v[vgpu].running;
}

u32 gvt_sched_weight(const struct gvt_sched *s, u32 vgpu)
{
	return gvt_sched_valid(vgpu) ? s->v[vgpu].weight : 0;
}

u64 gvt_sched_runtime(const struct gvt_sched *s, u32 vgpu, u32 engine)
{
	return gvt_sched_valid(vgpu) && engine < GVT_NUM_ENGINES ?
	       s->v[vgpu].runtime[engine] : 0;
}

/* index of the lowest set bit of a non-zero @m */
static u32 gvt_ffs64(u64 m)
{
	u32 i = 0;

	if (!(m & 0xffffffffull)) {
		m >>= 32;
		i += 32;
	}
	if (!(m & 0xffff)) {
		m >>= 16;
		i += 16;
	}
	if (!(m & 0xff)) {
		m >>= 8;
		i += 8;
	}
	if (!(m & 0xf)) {
		m >>= 4;
		i += 4;
	}
	if (!(m & 0x3)) {
		m >>= 2;
		i += 2;
	}
	return i + !(m & 1);
}

u32 gvt_sched_next_waiting(const struct gvt_sched *s, u32 engine, u32 after)
{
	u64 w, later;

	if (engine >= GVT_NUM_ENGINES || !s->waiting[engine])
		return GVT_SCHED_NONE;
	w = s->waiting[engine];
	/* ids after @after first, then wrap around */
	later = after >= GVT_MAX_VGPUS ? 0 : w & ~(gvt_bit(after + 1) - 1);
	return gvt_ffs64(later ? later : w) + 1;
}

/* ---- the built-in policy ------------------------------------------------ */

static int gvt_builtin_enable(struct gvt_sched *s, u32 vgpu)
{
	u32 e;

	for (e = 0; e < GVT_NUM_ENGINES; e++)
		s->v[vgpu].vtime[e] = s->vclock[e];
	return 0;
}

static void gvt_builtin_disable(struct gvt_sched *s, u32 vgpu)
{
	u32 e;

	for (e = 0; e < GVT_NUM_ENGINES; e++)
		gvt_heap_remove(&s->ready[e], vgpu);
}

static void gvt_builtin_runnable(struct gvt_sched *s, u32 vgpu, u32 engine,
				 u32 flags)
{
	struct gvt_sched_vgpu *v = &s->v[vgpu];

	if (v->vtime[engine] < s->vclock[engine])
		v->vtime[engine] = s->vclock[engine];
	gvt_heap_insert(&s->ready[engine], vgpu, v->vtime[engine], ++s->seq);
}

static u32 gvt_builtin_select(struct gvt_sched *s, u32 engine)
{
	/* the heap holds exactly who waits: the first one runs */
	return gvt_heap_pop(&s->ready[engine]);
}

static u64 gvt_builtin_timeslice(struct gvt_sched *s, u32 vgpu, u32 engine)
{
	return s->v[vgpu].slice_ns ? s->v[vgpu].slice_ns : s->default_slice_ns;
}

static void gvt_builtin_charge(struct gvt_sched *s, u32 vgpu, u32 engine,
			       u64 ns)
{
	struct gvt_sched_vgpu *v = &s->v[vgpu];
	const struct gvt_heap *h = &s->ready[engine];
	u64 min = v->vtime[engine] += ns * GVT_WEIGHT_FULL /
				      (v->weight ? v->weight : 1);

	/* the fair clock: the smallest virtual time among the busy ones */
	if (h->n && h->key[h->id[0]] < min)
		min = h->key[h->id[0]];
	if (min > s->vclock[engine])
		s->vclock[engine] = min;
}

const struct gvt_sched_policy gvt_sched_builtin = {
	.name = "builtin-weighted",
	.enable = gvt_builtin_enable,
	.disable = gvt_builtin_disable,
	.runnable = gvt_builtin_runnable,
	.select = gvt_builtin_select,
	.timeslice = gvt_builtin_timeslice,
	.charge = gvt_builtin_charge,
};

/*
 * The built-in policy starts afresh: its clocks did not run meanwhile,
 * and whoever waits now is its ready set, in id order.
 */
static void gvt_builtin_resync(struct gvt_sched *s)
{
	u32 id, e;

	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		s->vclock[e] = 0;
		gvt_heap_init(&s->ready[e]);
	}
	for (id = 1; id <= GVT_MAX_VGPUS; id++) {
		for (e = 0; e < GVT_NUM_ENGINES; e++) {
			s->v[id].vtime[e] = 0;
			if (s->waiting[e] & gvt_bit(id))
				gvt_heap_insert(&s->ready[e], id, 0, ++s->seq);
		}
	}
}

/* ---- the core ------------------------------------------------------------ */

void gvt_sched_init(struct gvt_sched *s)
{
	memset(s, 0, sizeof(*s));
	s->policy = &gvt_sched_builtin;
	s->default_slice_ns = GVT_SCHED_SLICE_NS;
}

const char *gvt_sched_error_name(enum gvt_sched_error e)
{
	switch (e) {
	case GVT_SCHED_OK:
		return "ok";
	case GVT_SCHED_ERR_UNKNOWN_VGPU:
		return "selected an unknown vGPU";
	case GVT_SCHED_ERR_NO_WORK:
		return "selected a vGPU without work";
	case GVT_SCHED_ERR_IDLE:
		return "selected nobody while work waited";
	case GVT_SCHED_ERR_BAD_SLICE:
		return "time slice out of range";
	case GVT_SCHED_ERR_STARVED:
		return "a runnable vGPU waited too long";
	case GVT_SCHED_ERR_ENABLE:
		return "refused a vGPU";
	case GVT_SCHED_ERR_SELF:
		return "ejected itself";
	}
	return "?";
}

void gvt_sched_eject(struct gvt_sched *s, enum gvt_sched_error why, u32 vgpu)
{
	const struct gvt_sched_policy *old = s->policy;
	void *old_priv = s->policy_priv;
	u32 q;

	if (old == &gvt_sched_builtin)
		return;
	s->error = why;
	s->error_vgpu = vgpu;
	s->ejections++;
	if (gvt_sched_valid(vgpu))
		s->v[vgpu].ejections++;
	s->policy = &gvt_sched_builtin;
	s->policy_priv = NULL;
	for (q = 0; q < GVT_SCHED_NR_QUEUES; q++) {
		gvt_heap_init(&s->queue[q]);
		s->queue_clock[q] = 0;
	}
	gvt_builtin_resync(s);
	if (s->ejected)
		s->ejected(s, old, old_priv, why, vgpu);
}

const struct gvt_sched_policy *
gvt_sched_set_policy(struct gvt_sched *s, const struct gvt_sched_policy *policy,
		     void *policy_priv)
{
	const struct gvt_sched_policy *old = s->policy;
	u32 id, e, q;

	if (!policy)
		policy = &gvt_sched_builtin;
	s->policy = policy;
	s->policy_priv = policy_priv;
	for (q = 0; q < GVT_SCHED_NR_QUEUES; q++) {
		gvt_heap_init(&s->queue[q]);
		s->queue_clock[q] = 0;
	}
	if (policy == &gvt_sched_builtin) {
		gvt_builtin_resync(s);
		return old;
	}
	for (id = 1; id <= GVT_MAX_VGPUS; id++) {
		if (!s->v[id].enabled)
			continue;
		if (s->policy->enable && s->policy->enable(s, id)) {
			gvt_sched_eject(s, GVT_SCHED_ERR_ENABLE, id);
			return old;
		}
		for (e = 0; e < GVT_NUM_ENGINES; e++)
			if (s->policy->runnable && (s->waiting[e] & gvt_bit(id)))
				s->policy->runnable(s, id, e, GVT_ENQ_ATTACH);
		if (s->policy != policy)
			return old;	/* ejected meanwhile */
	}
	return old;
}

int gvt_sched_enable(struct gvt_sched *s, u32 vgpu, u32 weight, void *priv)
{
	struct gvt_sched_vgpu *v;

	if (!gvt_sched_valid(vgpu) || weight < GVT_WEIGHT_MIN ||
	    weight > GVT_WEIGHT_MAX)
		return -EINVAL;
	v = &s->v[vgpu];
	if (v->enabled)
		return -EEXIST;
	/* a vGPU still running in this id (being released) keeps its bits */
	if (v->running)
		return -EBUSY;
	memset(v, 0, sizeof(*v));
	v->enabled = true;
	v->weight = weight;
	v->priv = priv;
	if (s->policy->enable && s->policy->enable(s, vgpu)) {
		gvt_sched_eject(s, GVT_SCHED_ERR_ENABLE, vgpu);
		gvt_sched_builtin.enable(s, vgpu);
	}
	return 0;
}

void gvt_sched_disable(struct gvt_sched *s, u32 vgpu)
{
	struct gvt_sched_vgpu *v = gvt_sched_vgpu_get(s, vgpu);
	u32 e, q;

	if (!v)
		return;
	if (s->policy->disable)
		s->policy->disable(s, vgpu);
	/* running stays set until the engine hands it back (done) */
	v->enabled = false;
	v->work = 0;
	v->kicked = 0;
	v->priv = NULL;
	for (e = 0; e < GVT_NUM_ENGINES; e++)
		gvt_sched_update(s, vgpu, e);
	for (q = 0; q < GVT_SCHED_NR_QUEUES; q++)
		gvt_heap_remove(&s->queue[q], vgpu);
}

void gvt_sched_set_weight(struct gvt_sched *s, u32 vgpu, u32 weight)
{
	struct gvt_sched_vgpu *v = gvt_sched_vgpu_get(s, vgpu);

	if (v && weight >= GVT_WEIGHT_MIN && weight <= GVT_WEIGHT_MAX)
		v->weight = weight;
}

void gvt_sched_set_slice(struct gvt_sched *s, u32 vgpu, u64 ns)
{
	struct gvt_sched_vgpu *v = gvt_sched_vgpu_get(s, vgpu);

	if (v && (!ns || (ns >= GVT_SCHED_SLICE_MIN_NS &&
			  ns <= GVT_SCHED_SLICE_MAX_NS)))
		v->slice_ns = ns;
}

/* @vgpu waits for @engine from @now on: the policy queues it */
static void gvt_sched_runnable(struct gvt_sched *s, u32 vgpu, u32 engine,
			       u64 now, u32 flags)
{
	s->v[vgpu].runnable_since[engine] = now;
	gvt_sched_update(s, vgpu, engine);
	if (s->policy->runnable)
		s->policy->runnable(s, vgpu, engine, flags);
}

bool gvt_sched_kick(struct gvt_sched *s, u32 vgpu, u32 engine, u64 now)
{
	struct gvt_sched_vgpu *v = gvt_sched_vgpu_get(s, vgpu);
	u32 bit = 1u << engine;

	if (!v || engine >= GVT_NUM_ENGINES)
		return false;
	s->now = now;
	/* running there: its done() requeues it, whatever it saw */
	if (v->running & bit) {
		v->kicked |= bit;
		return false;
	}
	/* queued already */
	if (v->work & bit)
		return false;
	v->work |= bit;
	s->kicks[engine]++;
	gvt_sched_runnable(s, vgpu, engine, now, GVT_ENQ_WAKEUP);
	return true;
}

/* the policy's choice, checked; the built-in one decides if it is bad */
static u32 gvt_sched_select(struct gvt_sched *s, u32 engine)
{
	const struct gvt_sched_policy *policy = s->policy;
	u32 id = policy->select(s, engine);
	enum gvt_sched_error why = GVT_SCHED_OK;

	if (s->policy != policy)
		return gvt_builtin_select(s, engine);	/* it ejected itself */
	if (id == GVT_SCHED_NONE)
		why = policy->idle_ok ? GVT_SCHED_OK : GVT_SCHED_ERR_IDLE;
	else if (!gvt_sched_vgpu_get(s, id))
		why = GVT_SCHED_ERR_UNKNOWN_VGPU;
	else if (!gvt_sched_has_work(s, id, engine))
		why = GVT_SCHED_ERR_NO_WORK;
	if (why == GVT_SCHED_OK)
		return id;
	s->error_engine = engine;
	gvt_sched_eject(s, why, id);
	return gvt_builtin_select(s, engine);
}

u32 gvt_sched_pick(struct gvt_sched *s, u32 engine, u64 now,
		   struct gvt_sched_pick *pick)
{
	struct gvt_sched_vgpu *v;
	u64 slice;
	u32 id;

	memset(pick, 0, sizeof(*pick));
	if (engine >= GVT_NUM_ENGINES)
		return GVT_SCHED_NONE;
	s->now = now;
	s->idle_ns[engine] = 0;
	s->preempt[engine] = false;
	if (!s->waiting[engine])
		return GVT_SCHED_NONE;
	id = gvt_sched_select(s, engine);
	if (id == GVT_SCHED_NONE) {
		/* a policy holding the engine idle on purpose */
		if (!s->idle_ns[engine])
			s->idle_ns[engine] = GVT_SCHED_IDLE_NS;
		return GVT_SCHED_NONE;
	}
	v = &s->v[id];
	slice = s->policy->timeslice ? s->policy->timeslice(s, id, engine) :
		s->default_slice_ns;
	if (slice < GVT_SCHED_SLICE_MIN_NS || slice > GVT_SCHED_SLICE_MAX_NS) {
		s->error_engine = engine;
		gvt_sched_eject(s, GVT_SCHED_ERR_BAD_SLICE, id);
		/* the built-in one starts from who waits: not yet picked */
		gvt_heap_remove(&s->ready[engine], id);
		slice = gvt_builtin_timeslice(s, id, engine);
	}
	v->running |= 1u << engine;
	gvt_sched_update(s, id, engine);
	s->owner[engine] = id;
	pick->vgpu = id;
	pick->priv = v->priv;
	pick->slice_ns = slice;
	pick->waited_ns = now > v->runnable_since[engine] ?
			  now - v->runnable_since[engine] : 0;
	pick->switched = s->last[engine] != id;
	s->last[engine] = id;
	return id;
}

void gvt_sched_done(struct gvt_sched *s, u32 engine, u32 vgpu, u64 used_ns,
		    bool more, u64 now)
{
	struct gvt_sched_vgpu *v;
	u32 bit = 1u << engine;

	if (!gvt_sched_valid(vgpu) || engine >= GVT_NUM_ENGINES)
		return;
	v = &s->v[vgpu];
	s->now = now;
	if (s->owner[engine] == vgpu)
		s->owner[engine] = GVT_SCHED_NONE;
	if (v->kicked & bit)
		more = true;
	v->kicked &= ~bit;
	v->running &= ~bit;
	if (!v->enabled)
		return;
	v->runtime[engine] += used_ns;
	if (s->policy->charge)
		s->policy->charge(s, vgpu, engine, used_ns);
	if (!more) {
		v->work &= ~bit;
		gvt_sched_update(s, vgpu, engine);
		return;
	}
	gvt_sched_runnable(s, vgpu, engine, now, GVT_ENQ_REQUEUE);
}

u32 gvt_sched_revoke(struct gvt_sched *s, u32 engine)
{
	u32 id;

	if (engine >= GVT_NUM_ENGINES)
		return GVT_SCHED_NONE;
	id = s->owner[engine];
	if (id != GVT_SCHED_NONE) {
		s->owner[engine] = GVT_SCHED_NONE;
		s->revocations++;
	}
	return id;
}

u32 gvt_sched_owner(const struct gvt_sched *s, u32 engine)
{
	return engine < GVT_NUM_ENGINES ? s->owner[engine] : GVT_SCHED_NONE;
}

u32 gvt_sched_starved(const struct gvt_sched *s, u64 now, u64 timeout_ns,
		      u32 *engine, u64 *waited_ns)
{
	u32 e;

	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		u64 w = s->waiting[e];

		while (w) {
			u32 id = gvt_ffs64(w) + 1;
			u64 since = s->v[id].runnable_since[e];

			/* a wait the policy did not cause is not its fault */
			if (since < s->policy_since)
				since = s->policy_since;

			w &= w - 1;
			if (now > since && now - since > timeout_ns) {
				*engine = e;
				*waited_ns = now - since;
				return id;
			}
		}
	}
	return GVT_SCHED_NONE;
}

/* ---- the queues a policy feeds ----------------------------------------- */

int gvt_sched_queue_insert(struct gvt_sched *s, u32 q, u32 vgpu, u64 key)
{
	if (q >= GVT_SCHED_NR_QUEUES || !gvt_sched_vgpu_get(s, vgpu))
		return -EINVAL;
	gvt_heap_insert(&s->queue[q], vgpu, key, ++s->seq);
	return 0;
}

int gvt_sched_queue_insert_vtime(struct gvt_sched *s, u32 q, u32 vgpu,
				 u64 *vtime)
{
	u64 key = *vtime;
	int ret;

	if (q < GVT_SCHED_NR_QUEUES && key < s->queue_clock[q])
		key = s->queue_clock[q];
	ret = gvt_sched_queue_insert(s, q, vgpu, key);
	if (!ret)
		*vtime = key;
	return ret;
}

u32 gvt_sched_queue_pop(struct gvt_sched *s, u32 q)
{
	struct gvt_heap *h;

	if (q >= GVT_SCHED_NR_QUEUES || !s->queue[q].n)
		return GVT_SCHED_NONE;
	h = &s->queue[q];
	s->queue_clock[q] = h->key[h->id[0]];
	return gvt_heap_pop(h);
}

u32 gvt_sched_queue_peek(const struct gvt_sched *s, u32 q, u64 *key)
{
	const struct gvt_heap *h;

	if (q >= GVT_SCHED_NR_QUEUES || !s->queue[q].n) {
		*key = ~0ull;
		return GVT_SCHED_NONE;
	}
	h = &s->queue[q];
	*key = h->key[h->id[0]];
	return h->id[0];
}

int gvt_sched_queue_remove(struct gvt_sched *s, u32 q, u32 vgpu)
{
	if (q >= GVT_SCHED_NR_QUEUES)
		return -EINVAL;
	return gvt_heap_remove(&s->queue[q], vgpu) ? 0 : -ENOENT;
}

u32 gvt_sched_queue_len(const struct gvt_sched *s, u32 q)
{
	return q < GVT_SCHED_NR_QUEUES ? s->queue[q].n : 0;
}

u64 gvt_sched_queue_clock(const struct gvt_sched *s, u32 q)
{
	return q < GVT_SCHED_NR_QUEUES ? s->queue_clock[q] : 0;
}
