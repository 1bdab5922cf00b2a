// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf scheduler core and its built-in policy.
 *
 * The built-in policy is weighted fair sharing in time slices, the spirit
 * of GVT-g's sched_policy.c: every vGPU carries a virtual time that grows
 * by the GPU time it used divided by its weight, and the engine goes to the
 * vGPU with work and the smallest virtual time for one slice (1 ms unless
 * overridden). Over any busy period each vGPU so gets GPU time in
 * proportion to its weight. A vGPU that was idle rejoins at the fair clock
 * (the smallest virtual time of the busy ones), so idling does not bank
 * credit that would later starve the others.
 */
#include "gvt_sched.h"

static bool gvt_sched_valid(u32 vgpu)
{
	return vgpu > 0 && vgpu <= GVT_MAX_VGPUS;
}

static struct gvt_sched_vgpu *gvt_sv(struct gvt_sched *s, u32 vgpu)
{
	return gvt_sched_valid(vgpu) && s->v[vgpu].enabled ? &s->v[vgpu] : NULL;
}

bool gvt_sched_has_work(const struct gvt_sched *s, u32 vgpu, u32 engine)
{
	const struct gvt_sched_vgpu *v;

	if (!gvt_sched_valid(vgpu) || engine >= GVT_NUM_ENGINES)
		return false;
	v = &s->v[vgpu];
	/* work that runs now is not waiting for the engine */
	return v->enabled && (v->work & ~v->running & (1u << engine));
}

bool gvt_sched_engine_has_work(const struct gvt_sched *s, u32 engine)
{
	u32 id;

	for (id = 1; id <= GVT_MAX_VGPUS; id++)
		if (gvt_sched_has_work(s, id, engine))
			return true;
	return false;
}

bool gvt_sched_is_running(const struct gvt_sched *s, u32 vgpu)
{
	return gvt_sched_valid(vgpu) && s->v[vgpu].running;
}

u32 gvt_sched_weight(const struct gvt_sched *s, u32 vgpu)
{
	return gvt_sched_valid(vgpu) ? s->v[vgpu].weight : 0;
}

/* ---- the built-in policy ------------------------------------------------ */

static int gvt_builtin_enable(struct gvt_sched *s, u32 vgpu)
{
	s->v[vgpu].vtime = s->vclock;
	return 0;
}

static void gvt_builtin_runnable(struct gvt_sched *s, u32 vgpu)
{
	struct gvt_sched_vgpu *v = &s->v[vgpu];

	if (v->vtime < s->vclock)
		v->vtime = s->vclock;
}

static u32 gvt_builtin_select(struct gvt_sched *s, u32 engine)
{
	u32 i, best = GVT_SCHED_NONE;

	/* start after the last one so that equal vtimes take turns */
	for (i = 1; i <= GVT_MAX_VGPUS; i++) {
		u32 id = (s->last[engine] + i - 1) % GVT_MAX_VGPUS + 1;

		if (!gvt_sched_has_work(s, id, engine))
			continue;
		if (best == GVT_SCHED_NONE || s->v[id].vtime < s->v[best].vtime)
			best = id;
	}
	return best;
}

static u64 gvt_builtin_timeslice(struct gvt_sched *s, u32 vgpu)
{
	return s->v[vgpu].slice_ns ? s->v[vgpu].slice_ns : s->default_slice_ns;
}

static void gvt_builtin_charge(struct gvt_sched *s, u32 vgpu, u64 ns)
{
	struct gvt_sched_vgpu *v = &s->v[vgpu];
	u64 min = ~0ull;
	u32 id;

	v->vtime += ns * GVT_WEIGHT_FULL / (v->weight ? v->weight : 1);
	for (id = 1; id <= GVT_MAX_VGPUS; id++)
		if (s->v[id].enabled && s->v[id].work && s->v[id].vtime < min)
			min = s->v[id].vtime;
	if (min != ~0ull && min > s->vclock)
		s->vclock = min;
}

const struct gvt_sched_policy gvt_sched_builtin = {
	.name = "builtin-weighted",
	.enable = gvt_builtin_enable,
	.disable = NULL,	/* nothing to forget */
	.runnable = gvt_builtin_runnable,
	.select = gvt_builtin_select,
	.timeslice = gvt_builtin_timeslice,
	.charge = gvt_builtin_charge,
};

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
	}
	return "?";
}

/* the built-in policy starts afresh: its clocks did not run meanwhile */
static void gvt_builtin_resync(struct gvt_sched *s)
{
	u32 id;

	s->vclock = 0;
	for (id = 1; id <= GVT_MAX_VGPUS; id++)
		s->v[id].vtime = 0;
}

void gvt_sched_eject(struct gvt_sched *s, enum gvt_sched_error why, u32 vgpu)
{
	const struct gvt_sched_policy *old = s->policy;
	void *old_priv = s->policy_priv;

	if (old == &gvt_sched_builtin)
		return;
	s->error = why;
	s->error_vgpu = vgpu;
	s->ejections++;
	if (gvt_sched_valid(vgpu))
		s->v[vgpu].ejections++;
	s->policy = &gvt_sched_builtin;
	s->policy_priv = NULL;
	gvt_builtin_resync(s);
	if (s->ejected)
		s->ejected(s, old, old_priv, why, vgpu);
}

const struct gvt_sched_policy *
gvt_sched_set_policy(struct gvt_sched *s, const struct gvt_sched_policy *policy,
		     void *policy_priv)
{
	const struct gvt_sched_policy *old = s->policy;
	u32 id;

	if (!policy)
		policy = &gvt_sched_builtin;
	s->policy = policy;
	s->policy_priv = policy_priv;
	if (policy == &gvt_sched_builtin)
		gvt_builtin_resync(s);
	for (id = 1; id <= GVT_MAX_VGPUS; id++) {
		if (!s->v[id].enabled)
			continue;
		if (s->policy->enable && s->policy->enable(s, id)) {
			gvt_sched_eject(s, GVT_SCHED_ERR_ENABLE, id);
			return old;
		}
		if (s->v[id].work && s->policy->runnable)
			s->policy->runnable(s, id);
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
	struct gvt_sched_vgpu *v = gvt_sv(s, vgpu);

	if (!v)
		return;
	if (s->policy->disable)
		s->policy->disable(s, vgpu);
	/* running stays set until the engine hands it back (done) */
	v->enabled = false;
	v->work = 0;
	v->priv = NULL;
}

void gvt_sched_set_weight(struct gvt_sched *s, u32 vgpu, u32 weight)
{
	struct gvt_sched_vgpu *v = gvt_sv(s, vgpu);

	if (v && weight >= GVT_WEIGHT_MIN && weight <= GVT_WEIGHT_MAX)
		v->weight = weight;
}

void gvt_sched_set_slice(struct gvt_sched *s, u32 vgpu, u64 ns)
{
	struct gvt_sched_vgpu *v = gvt_sv(s, vgpu);

	if (v && (!ns || (ns >= GVT_SCHED_SLICE_MIN_NS &&
			  ns <= GVT_SCHED_SLICE_MAX_NS)))
		v->slice_ns = ns;
}

bool gvt_sched_kick(struct gvt_sched *s, u32 vgpu, u32 engine, u64 now)
{
	struct gvt_sched_vgpu *v = gvt_sv(s, vgpu);
	u32 bit = 1u << engine;

	if (!v || engine >= GVT_NUM_ENGINES)
		return false;
	/* running there: its done() requeues it, whatever it saw */
	if (v->running & bit) {
		v->kicked |= bit;
		return false;
	}
	/* queued already */
	if (v->work & bit)
		return false;
	v->work |= bit;
	v->runnable_since[engine] = now;
	if (s->policy->runnable)
		s->policy->runnable(s, vgpu);
	return true;
}

/* the policy's choice, checked; the built-in one decides if it is bad */
static u32 gvt_sched_select(struct gvt_sched *s, u32 engine)
{
	u32 id = s->policy->select(s, engine);
	enum gvt_sched_error why = GVT_SCHED_OK;

	if (id == GVT_SCHED_NONE)
		why = GVT_SCHED_ERR_IDLE;
	else if (!gvt_sv(s, id))
		why = GVT_SCHED_ERR_UNKNOWN_VGPU;
	else if (!gvt_sched_has_work(s, id, engine))
		why = GVT_SCHED_ERR_NO_WORK;
	if (why == GVT_SCHED_OK)
		return id;
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
	if (engine >= GVT_NUM_ENGINES || !gvt_sched_engine_has_work(s, engine))
		return GVT_SCHED_NONE;
	id = gvt_sched_select(s, engine);
	if (id == GVT_SCHED_NONE)
		return GVT_SCHED_NONE;	/* only if the built-in one has a bug */
	v = &s->v[id];
	slice = s->policy->timeslice ? s->policy->timeslice(s, id) :
		s->default_slice_ns;
	if (slice < GVT_SCHED_SLICE_MIN_NS || slice > GVT_SCHED_SLICE_MAX_NS) {
		gvt_sched_eject(s, GVT_SCHED_ERR_BAD_SLICE, id);
		slice = gvt_builtin_timeslice(s, id);
	}
	v->running |= 1u << engine;
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
	if (s->owner[engine] == vgpu)
		s->owner[engine] = GVT_SCHED_NONE;
	if (v->kicked & bit)
		more = true;
	v->kicked &= ~bit;
	v->running &= ~bit;
	if (!v->enabled)
		return;
	if (s->policy->charge)
		s->policy->charge(s, vgpu, used_ns);
	if (!more) {
		v->work &= ~bit;
		return;
	}
	v->runnable_since[engine] = now;
	if (s->policy->runnable)
		s->policy->runnable(s, vgpu);
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

u32 gvt_sched_starved(const struct gvt_sched *s, u64 now, u64 timeout_ns)
{
	u32 id, e;

	for (id = 1; id <= GVT_MAX_VGPUS; id++)
		for (e = 0; e < GVT_NUM_ENGINES; e++)
			if (gvt_sched_has_work(s, id, e) &&
			    now > s->v[id].runnable_since[e] &&
			    now - s->v[id].runnable_since[e] > timeout_ns)
				return id;
	return GVT_SCHED_NONE;
}
