// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: BPF scheduling policies. The gvt_sched_ops struct_ops type
 * (include/gvt/gvt_bpf.h) plugs a BPF program set into the scheduler core
 * of one or more parents (model/sched.c) in place of the built-in
 * weighted policy, in the spirit of sched_ext: one BPF policy per parent
 * at a time, every decision checked by the core, queues the policy feeds
 * and the core orders, and a watchdog that ejects a policy letting a vGPU
 * wait too long. An ejection on one parent ejects the policy from all of
 * its parents; its exit record (struct gvt_exit_info: kind, reason and a
 * formatted message) goes to its exit() op and to sysfs, where its loader
 * waits for it. After an ejection the link stays attached but inert.
 *
 * Locking: the policy's ops run from the core under the parent's
 * sched_lock (a spinlock); gvt_sched_mutex serializes attach, detach,
 * replace and the handling of an ejection, and is never taken under
 * sched_lock. The per-CPU call context names the core being decided for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "gvt.h"
#include "gvt_bpf.h"

/* one attached gvt_sched_ops, on the parents of its mask */
struct gvt_sched_bpf {
	struct gvt_policy base;		/* sysfs; frees this record */
	struct gvt_sched_ops *ops;	/* the struct_ops map's kernel copy */
	u64 __percpu *decisions;
	struct delayed_work watchdog;
	struct work_struct exit_work;	/* after an ejection */
	bool exited;			/* exit() called; under gvt_sched_mutex */
};

static DEFINE_MUTEX(gvt_sched_mutex);

/* the core whose ops run on this CPU now, for the kfuncs */
struct gvt_sched_call {
	struct gvt_sched *s;
	u32 id_base;			/* its vGPUs' ids: id_base + local id */
	u32 parent;
	/* what the last op said, for the message of an ejection it causes */
	u32 raw_id;
	u64 slice_ns;
	u64 pick_slice;			/* gvt_pick_slice() in this select() */
	char self_msg[GVT_EXIT_MSG_LEN];
};

static DEFINE_PER_CPU(struct gvt_sched_call, gvt_sched_cur);

static struct gvt_sched_bpf *gvt_bpf_of(struct gvt_sched *s)
{
	return s->policy_priv;
}

/* the id a policy sees for local id @vgpu of the core being decided */
static u32 gvt_global(u32 vgpu)
{
	return this_cpu_read(gvt_sched_cur.id_base) + vgpu;
}

/* the core's id for a policy's @id, or 0 when it is not in this core */
static u32 gvt_local(u32 id)
{
	u32 base = this_cpu_read(gvt_sched_cur.id_base);

	return id > base && id <= base + GVT_MAX_VGPUS ? id - base : 0;
}

static void gvt_sched_call_enter(struct gvt_sched_call *c, struct gvt_sched *s)
{
	c->s = s;
	c->id_base = s->id_base;
	c->parent = s->index;
}

/*
 * The adapter: struct gvt_sched_policy ops that call the BPF programs,
 * with the kfuncs pointed at @s for the duration of the call (sched_lock
 * is held: no preemption, so the per-CPU context is ours).
 */
#define gvt_sched_bpf_call(core, call)					\
	do {								\
		struct gvt_sched_call *c_ = this_cpu_ptr(&gvt_sched_cur); \
		struct gvt_sched *saved_ = c_->s;			\
									\
		gvt_sched_call_enter(c_, core);				\
		call;							\
		c_->s = saved_;						\
	} while (0)

static int gvt_bpf_enable(struct gvt_sched *s, u32 vgpu)
{
	struct gvt_sched_ops *ops = gvt_bpf_of(s)->ops;
	u32 weight = gvt_sched_weight(s, vgpu);
	int ret = 0;

	if (ops->enable)
		gvt_sched_bpf_call(s, ret = ops->enable(gvt_global(vgpu), weight));
	return ret;
}

static void gvt_bpf_disable(struct gvt_sched *s, u32 vgpu)
{
	struct gvt_sched_ops *ops = gvt_bpf_of(s)->ops;

	if (ops->disable)
		gvt_sched_bpf_call(s, ops->disable(gvt_global(vgpu)));
}

static void gvt_bpf_runnable(struct gvt_sched *s, u32 vgpu, u32 engine,
			     u32 flags)
{
	struct gvt_sched_ops *ops = gvt_bpf_of(s)->ops;
	const struct gvt_sched_vgpu *v = &s->v[vgpu];

	/* the core calls it for a vGPU of its own, on an engine it has */
	if (ops->runnable)
		gvt_sched_bpf_call(s, ops->runnable(gvt_global(vgpu), engine,
						    flags, v->weight,
						    v->runtime[engine]));
}

static u32 gvt_bpf_select(struct gvt_sched *s, u32 engine)
{
	struct gvt_sched_bpf *b = gvt_bpf_of(s);
	u32 id = GVT_SCHED_NONE, local;

	this_cpu_write(gvt_sched_cur.pick_slice, 0);
	if (!b->ops->select) {
		/* no select(): the engine's queue is its dispatch queue */
		local = gvt_sched_queue_pop(s, engine);
		this_cpu_write(gvt_sched_cur.raw_id,
			       local ? s->id_base + local : 0);
		this_cpu_inc(*b->decisions);
		return local;
	}
	gvt_sched_bpf_call(s, {
		id = b->ops->select(engine);
		this_cpu_write(gvt_sched_cur.raw_id, id);
		local = id ? gvt_local(id) : GVT_SCHED_NONE;
	});
	this_cpu_inc(*b->decisions);
	/* another parent's vGPU, or no vGPU at all: unknown to this core */
	return id && !local ? GVT_MAX_VGPUS + 1 : local;
}

static u64 gvt_bpf_timeslice(struct gvt_sched *s, u32 vgpu, u32 engine)
{
	struct gvt_sched_ops *ops = gvt_bpf_of(s)->ops;
	u64 ns = this_cpu_read(gvt_sched_cur.pick_slice);

	if (ops->timeslice)
		gvt_sched_bpf_call(s, ns = ops->timeslice(gvt_global(vgpu),
							  engine));
	this_cpu_write(gvt_sched_cur.slice_ns, ns);
	if (ns)
		return ns;
	return s->v[vgpu].slice_ns ?: s->default_slice_ns;
}

static void gvt_bpf_charge(struct gvt_sched *s, u32 vgpu, u32 engine, u64 ns)
{
	struct gvt_sched_ops *ops = gvt_bpf_of(s)->ops;

	if (ops->charge)
		gvt_sched_bpf_call(s, ops->charge(gvt_global(vgpu), engine, ns));
}

/* two adapters: the second lets the policy leave an engine idle */
static const struct gvt_sched_policy gvt_sched_bpf_policy = {
	.name = "bpf",
	.enable = gvt_bpf_enable,
	.disable = gvt_bpf_disable,
	.runnable = gvt_bpf_runnable,
	.select = gvt_bpf_select,
	.timeslice = gvt_bpf_timeslice,
	.charge = gvt_bpf_charge,
};

static const struct gvt_sched_policy gvt_sched_bpf_idle_policy = {
	.name = "bpf-idle",
	.idle_ok = true,
	.enable = gvt_bpf_enable,
	.disable = gvt_bpf_disable,
	.runnable = gvt_bpf_runnable,
	.select = gvt_bpf_select,
	.timeslice = gvt_bpf_timeslice,
	.charge = gvt_bpf_charge,
};

static const struct gvt_sched_policy *gvt_adapter(const struct gvt_sched_bpf *b)
{
	return b->ops->flags & GVT_SCHED_F_IDLE ? &gvt_sched_bpf_idle_policy :
						   &gvt_sched_bpf_policy;
}

/* @b decides on @s now; caller holds the parent's sched_lock */
static bool gvt_bpf_active(const struct gvt_sched *s,
			   const struct gvt_sched_bpf *b)
{
	return s->policy_priv == b &&
	       (s->policy == &gvt_sched_bpf_policy ||
		s->policy == &gvt_sched_bpf_idle_policy);
}

static const char * const gvt_engine_label[GVT_NUM_ENGINES] = { "rcs", "bcs" };

static u32 gvt_timeout_ms(const struct gvt_sched_ops *ops)
{
	return ops->timeout_ms ?: GVT_SCHED_TIMEOUT_DEFAULT_MS;
}

/*
 * Called by a core under its sched_lock when it dropped a BPF policy: the
 * one it held (@old_priv), whatever has been attached since. Records the
 * exit with what the policy did, and leaves the rest (its other parents,
 * its exit() op) to process context.
 */
static void gvt_bpf_ejected(struct gvt_sched *s,
			    const struct gvt_sched_policy *old, void *old_priv,
			    enum gvt_sched_error why, u32 vgpu)
{
	struct gvt_sched_call *c = this_cpu_ptr(&gvt_sched_cur);
	struct gvt_sched_bpf *b = old_priv;
	u32 e = s->error_engine < GVT_NUM_ENGINES ? s->error_engine : 0;
	u32 id = vgpu && vgpu <= GVT_MAX_VGPUS ? s->id_base + vgpu : 0;
	struct gvt_policy *pol;
	bool first = false;

	if ((old != &gvt_sched_bpf_policy && old != &gvt_sched_bpf_idle_policy) ||
	    !b)
		return;
	pol = &b->base;
	switch (why) {
	case GVT_SCHED_ERR_UNKNOWN_VGPU:
		first = gvt_policy_set_exit(pol, GVT_POLICY_EJECTED,
					    GVT_EXIT_BAD_DECISION, s->index,
					    c->raw_id, e, 0,
					    "select() on gvt%u engine %s chose vGPU %u, which is not a vGPU of that parent",
					    s->index, gvt_engine_label[e],
					    c->raw_id);
		break;
	case GVT_SCHED_ERR_NO_WORK:
		first = gvt_policy_set_exit(pol, GVT_POLICY_EJECTED,
					    GVT_EXIT_BAD_DECISION, s->index,
					    id, e, 0,
					    "select() on gvt%u engine %s chose vGPU %u, which has no work waiting there",
					    s->index, gvt_engine_label[e], id);
		break;
	case GVT_SCHED_ERR_IDLE:
		first = gvt_policy_set_exit(pol, GVT_POLICY_EJECTED,
					    GVT_EXIT_BAD_DECISION, s->index,
					    0, e, 0,
					    "select() on gvt%u engine %s chose nobody while %u vGPU(s) waited",
					    s->index, gvt_engine_label[e],
					    (u32)hweight64(s->waiting[e]));
		break;
	case GVT_SCHED_ERR_BAD_SLICE:
		first = gvt_policy_set_exit(pol, GVT_POLICY_EJECTED,
					    GVT_EXIT_BAD_DECISION, s->index,
					    id, e, 0,
					    "timeslice() gave vGPU %u %llu ns on engine %s (allowed %llu..%llu)",
					    id, c->slice_ns, gvt_engine_label[e],
					    GVT_SCHED_SLICE_MIN_NS,
					    GVT_SCHED_SLICE_MAX_NS);
		break;
	case GVT_SCHED_ERR_STARVED:
		first = gvt_policy_set_exit(pol, GVT_POLICY_EJECTED,
					    GVT_EXIT_STALL, s->index, id, e,
					    s->error_ns,
					    "vGPU %u waited %llu ms for gvt%u engine %s (timeout %u ms)",
					    id, div_u64(s->error_ns, NSEC_PER_MSEC),
					    s->index, gvt_engine_label[e],
					    gvt_timeout_ms(b->ops));
		break;
	case GVT_SCHED_ERR_ENABLE:
		first = gvt_policy_set_exit(pol, GVT_POLICY_EJECTED,
					    GVT_EXIT_REFUSED_VGPU, s->index,
					    id, 0, 0,
					    "enable() refused vGPU %u of gvt%u",
					    id, s->index);
		break;
	case GVT_SCHED_ERR_SELF:
		first = gvt_policy_set_exit(pol, GVT_POLICY_EJECTED,
					    GVT_EXIT_SELF, s->index, 0, 0, 0,
					    "%s", c->self_msg);
		break;
	case GVT_SCHED_OK:
		return;
	}
	if (first)
		pr_warn("sched policy %s ejected: %s; built-in scheduler resumed\n",
			b->ops->name, pol->exit.msg);
	/* its other parents and its exit() op: in process context */
	schedule_work(&b->exit_work);
}

/* caller holds gvt_sched_mutex; @b decides on @p from now on */
static void gvt_sched_install(struct gvt_parent *p, struct gvt_sched_bpf *b)
{
	spin_lock(&p->sched_lock);
	p->sched.ejected = gvt_bpf_ejected;
	p->sched.policy_since = ktime_get_ns();
	gvt_sched_set_policy(&p->sched, gvt_adapter(b), b);
	spin_unlock(&p->sched_lock);
	p->sched_bpf = b;
}

/* caller holds gvt_sched_mutex; the built-in policy on @p again */
static void gvt_sched_uninstall(struct gvt_parent *p, struct gvt_sched_bpf *b)
{
	spin_lock(&p->sched_lock);
	if (gvt_bpf_active(&p->sched, b))
		gvt_sched_set_policy(&p->sched, NULL, NULL);
	spin_unlock(&p->sched_lock);
}

/* ejects a policy under which a vGPU waited longer than its timeout */
static void gvt_sched_watchdog(struct work_struct *work)
{
	struct gvt_sched_bpf *b = container_of(to_delayed_work(work),
					       struct gvt_sched_bpf, watchdog);
	u64 timeout = (u64)gvt_timeout_ms(b->ops) * NSEC_PER_MSEC;
	struct gvt_parent *p;
	bool active = false;
	u32 i, e, starved;
	u64 waited;

	for (i = 0; i < gvt_nr_parents && (p = gvt_parents[i]); i++) {
		if (!(b->base.parents & BIT_ULL(i)))
			continue;
		spin_lock(&p->sched_lock);
		if (gvt_bpf_active(&p->sched, b)) {
			starved = gvt_sched_starved(&p->sched, ktime_get_ns(),
						    timeout, &e, &waited);
			if (starved != GVT_SCHED_NONE) {
				p->sched.error_engine = e;
				p->sched.error_ns = waited;
				gvt_sched_eject(&p->sched, GVT_SCHED_ERR_STARVED,
						starved);
			} else {
				active = true;
			}
		}
		spin_unlock(&p->sched_lock);
	}
	if (active)
		schedule_delayed_work(&b->watchdog,
				      msecs_to_jiffies(max(GVT_SCHED_WATCHDOG_MIN_MS,
							   gvt_timeout_ms(b->ops) / 4)));
}

/* caller holds gvt_sched_mutex: tells the policy it stopped, once */
static void gvt_sched_call_exit(struct gvt_sched_bpf *b)
{
	struct gvt_exit_info ei;

	if (b->exited)
		return;
	b->exited = true;
	if (!b->ops->exit)
		return;
	spin_lock_irq(&b->base.lock);
	ei = b->base.exit;
	spin_unlock_irq(&b->base.lock);
	b->ops->exit(&ei);
}

/* after an ejection: the built-in policy on every parent, then exit() */
static void gvt_sched_exit_work(struct work_struct *work)
{
	struct gvt_sched_bpf *b = container_of(work, struct gvt_sched_bpf,
					       exit_work);
	struct gvt_parent *p;
	u32 i;

	mutex_lock(&gvt_sched_mutex);
	for (i = 0; i < gvt_nr_parents && (p = gvt_parents[i]); i++)
		if (p->sched_bpf == b)
			gvt_sched_uninstall(p, b);
	gvt_sched_call_exit(b);
	mutex_unlock(&gvt_sched_mutex);
}

/* ---- sysfs: /sys/kernel/gvt/policies/<id>/ of a scheduling policy -------- */

static struct gvt_sched_bpf *kobj_to_sched(struct kobject *kobj)
{
	return container_of(kobj, struct gvt_sched_bpf, base.kobj);
}

static ssize_t decisions_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct gvt_sched_bpf *b = kobj_to_sched(kobj);
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(b->decisions, cpu);
	return sysfs_emit(buf, "%llu\n", sum);
}

static struct kobj_attribute gvt_sched_decisions_attr = __ATTR_RO(decisions);

static ssize_t timeout_ms_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", gvt_timeout_ms(kobj_to_sched(kobj)->ops));
}

static struct kobj_attribute gvt_sched_timeout_attr = __ATTR_RO(timeout_ms);

static ssize_t flags_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%#x\n", kobj_to_sched(kobj)->ops->flags);
}

static struct kobj_attribute gvt_sched_flags_attr = __ATTR_RO(flags);

static struct attribute *gvt_sched_policy_attrs[] = {
	&gvt_sched_decisions_attr.attr,
	&gvt_sched_timeout_attr.attr,
	&gvt_sched_flags_attr.attr,
	NULL,
};

static const struct attribute_group gvt_sched_policy_group = {
	.attrs = gvt_sched_policy_attrs,
};

static const struct attribute_group *gvt_sched_policy_groups[] = {
	&gvt_policy_group,
	&gvt_sched_policy_group,
	NULL,
};

static void gvt_sched_policy_release(struct kobject *kobj)
{
	struct gvt_sched_bpf *b = kobj_to_sched(kobj);

	free_percpu(b->decisions);
	kfree(b);
}

static const struct kobj_type gvt_sched_policy_ktype = {
	.release = gvt_sched_policy_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = gvt_sched_policy_groups,
};

/* ---- attach, detach, replace ------------------------------------------- */

static struct gvt_sched_bpf *gvt_sched_bpf_new(void *kdata, u64 parents,
					       struct bpf_link *link, u32 id,
					       int *err)
{
	struct gvt_sched_ops *ops = kdata;
	struct gvt_sched_bpf *b;

	*err = -ENOMEM;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return NULL;
	b->ops = ops;
	b->decisions = alloc_percpu(u64);
	if (!b->decisions) {
		kfree(b);
		return NULL;
	}
	INIT_DELAYED_WORK(&b->watchdog, gvt_sched_watchdog);
	INIT_WORK(&b->exit_work, gvt_sched_exit_work);
	*err = gvt_policy_add(&b->base, &gvt_sched_policy_ktype,
			      GVT_HOOK_SCHED, ops->name, parents, link, id);
	return *err ? NULL : b;
}

/* caller holds gvt_sched_mutex: another policy decides on one of @mask */
static bool gvt_sched_busy(u64 mask, const struct gvt_sched_bpf *except)
{
	struct gvt_parent *p;
	u32 i;

	for (i = 0; i < gvt_nr_parents && (p = gvt_parents[i]); i++)
		if ((mask & BIT_ULL(i)) && p->sched_bpf && p->sched_bpf != except)
			return true;
	return false;
}

static void gvt_sched_arm(struct gvt_sched_bpf *b)
{
	schedule_delayed_work(&b->watchdog,
			      msecs_to_jiffies(GVT_SCHED_WATCHDOG_MIN_MS));
}

static int gvt_sched_ops_reg(void *kdata, struct bpf_link *link)
{
	struct gvt_sched_ops *ops = kdata;
	u64 parents = gvt_parents_resolve(ops->parents);
	struct gvt_sched_bpf *b;
	struct gvt_parent *p;
	int ret;
	u32 i;

	if (!parents)
		return -ENODEV;
	mutex_lock(&gvt_sched_mutex);
	if (gvt_sched_busy(parents, NULL)) {
		mutex_unlock(&gvt_sched_mutex);
		return -EBUSY;
	}
	b = gvt_sched_bpf_new(kdata, parents, link, 0, &ret);
	if (!b) {
		mutex_unlock(&gvt_sched_mutex);
		return ret;
	}
	for (i = 0; i < gvt_nr_parents && (p = gvt_parents[i]); i++)
		if (parents & BIT_ULL(i))
			gvt_sched_install(p, b);
	gvt_sched_arm(b);
	mutex_unlock(&gvt_sched_mutex);
	pr_info("sched policy %s attached (parents %#llx, timeout %u ms)\n",
		ops->name, parents, gvt_timeout_ms(ops));
	return 0;
}

/* caller holds gvt_sched_mutex: the parent of @b no longer has it */
static void gvt_sched_detach_all(struct gvt_sched_bpf *b)
{
	struct gvt_parent *p;
	u32 i;

	for (i = 0; i < gvt_nr_parents && (p = gvt_parents[i]); i++) {
		if (p->sched_bpf != b)
			continue;
		gvt_sched_uninstall(p, b);
		p->sched_bpf = NULL;
	}
}

/* @b is off every parent: stop its works, tell it, drop it */
static void gvt_sched_finish(struct gvt_sched_bpf *b, const char *why)
{
	cancel_delayed_work_sync(&b->watchdog);
	cancel_work_sync(&b->exit_work);
	gvt_policy_set_exit(&b->base, b->base.state, GVT_EXIT_DETACHED,
			    0, 0, 0, 0, "%s", why);
	mutex_lock(&gvt_sched_mutex);
	gvt_sched_call_exit(b);
	mutex_unlock(&gvt_sched_mutex);
	gvt_policy_del(&b->base);
}

static struct gvt_sched_bpf *gvt_sched_find(const void *kdata)
{
	struct gvt_parent *p;
	u32 i;

	for (i = 0; i < gvt_nr_parents && (p = gvt_parents[i]); i++)
		if (p->sched_bpf && p->sched_bpf->ops == kdata)
			return p->sched_bpf;
	return NULL;
}

static void gvt_sched_ops_unreg(void *kdata, struct bpf_link *link)
{
	struct gvt_sched_bpf *b;

	mutex_lock(&gvt_sched_mutex);
	b = gvt_sched_find(kdata);
	if (b)
		gvt_sched_detach_all(b);
	mutex_unlock(&gvt_sched_mutex);
	if (!b)
		return;
	pr_info("sched policy %s detached\n", b->ops->name);
	gvt_sched_finish(b, "detached");
}

/* a new program set on the live link: installed in one step per parent */
static int gvt_sched_ops_update(void *kdata, void *old_kdata,
				struct bpf_link *link)
{
	struct gvt_sched_ops *ops = kdata;
	u64 parents = gvt_parents_resolve(ops->parents);
	struct gvt_sched_bpf *old, *b;
	struct gvt_parent *p;
	int ret;
	u32 i;

	if (!parents)
		return -ENODEV;
	mutex_lock(&gvt_sched_mutex);
	old = gvt_sched_find(old_kdata);
	if (!old) {
		ret = -ENOENT;
		goto out;
	}
	if (gvt_sched_busy(parents, old)) {
		ret = -EBUSY;
		goto out;
	}
	/* the directory is the link's: the new record takes it over */
	gvt_policy_unlist(&old->base);
	b = gvt_sched_bpf_new(kdata, parents, link, old->base.id, &ret);
	if (!b) {
		if (kobject_add(&old->base.kobj, gvt_policies_kobj, "%u",
				old->base.id))
			pr_warn("sched policy %s lost its sysfs directory\n",
				old->ops->name);
		goto out;
	}
	/*
	 * set_policy swaps under sched_lock: no decision sees neither, and
	 * an ejection of the old one meanwhile is recorded against the old
	 * one (the core names it).
	 */
	for (i = 0; i < gvt_nr_parents && (p = gvt_parents[i]); i++) {
		if (parents & BIT_ULL(i)) {
			gvt_sched_install(p, b);
		} else if (p->sched_bpf == old) {
			gvt_sched_uninstall(p, old);
			p->sched_bpf = NULL;
		}
	}
	gvt_sched_arm(b);
	mutex_unlock(&gvt_sched_mutex);
	pr_info("sched policy %s replaced by %s\n", old->ops->name,
		ops->name);
	gvt_sched_finish(old, "replaced");
	return 0;
out:
	mutex_unlock(&gvt_sched_mutex);
	return ret;
}

/* ---- kfuncs for scheduling policies -------------------------------------- */

/* the core being decided for on this CPU, NULL outside a scheduling op */
static struct gvt_sched *gvt_kf_sched(void)
{
	return this_cpu_read(gvt_sched_cur.s);
}

__bpf_kfunc_start_defs();

/**
 * gvt_vgpu_has_work() - does a vGPU wait for an engine?
 * @vgpu_id: the vGPU
 * @engine: the engine
 *
 * Return: true when @vgpu_id has work queued on @engine and is not
 * running there.
 */
__bpf_kfunc bool gvt_vgpu_has_work(u32 vgpu_id, u32 engine)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s && gvt_sched_has_work(s, gvt_local(vgpu_id), engine);
}

/**
 * gvt_vgpu_weight() - a vGPU's scheduling weight (type default or sysfs)
 * @vgpu_id: the vGPU
 *
 * Return: the weight, 0 for an unknown vGPU or outside a scheduling op.
 */
__bpf_kfunc u32 gvt_vgpu_weight(u32 vgpu_id)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s ? gvt_sched_weight(s, gvt_local(vgpu_id)) : 0;
}

/**
 * gvt_vgpu_runtime() - GPU time a vGPU was charged on an engine
 * @vgpu_id: the vGPU
 * @engine: the engine
 *
 * The scheduler core's own count, kept whatever the policy: a policy can
 * charge a vGPU when it queues it again (the difference since it last
 * looked) instead of in a charge() op of its own.
 *
 * Return: ns since the vGPU was created, 0 for an unknown vGPU.
 */
__bpf_kfunc u64 gvt_vgpu_runtime(u32 vgpu_id, u32 engine)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s ? gvt_sched_runtime(s, gvt_local(vgpu_id), engine) : 0;
}

/**
 * gvt_vgpu_next_waiting() - the next vGPU waiting for an engine
 * @engine: the engine
 * @after: a vGPU id, or 0 to start from the first
 *
 * One word scan, whatever the number of vGPUs: round robin in one call.
 *
 * Return: the first vGPU after @after (wrapping around) with work waiting
 * on @engine, 0 if none.
 */
__bpf_kfunc u32 gvt_vgpu_next_waiting(u32 engine, u32 after)
{
	struct gvt_sched *s = gvt_kf_sched();
	u32 id;

	if (!s)
		return 0;
	id = gvt_sched_next_waiting(s, engine, gvt_local(after));
	return id ? gvt_global(id) : 0;
}

/**
 * gvt_waiting_mask() - who waits for an engine
 * @engine: the engine
 *
 * Return: bit i set when vGPU gvt_sched_first_vgpu() + i waits for
 * @engine.
 */
__bpf_kfunc u64 gvt_waiting_mask(u32 engine)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s && engine < GVT_NUM_ENGINES ? s->waiting[engine] : 0;
}

/**
 * gvt_sched_first_vgpu() - the id of the deciding parent's first vGPU slot
 *
 * Return: the id, 0 outside a scheduling op.
 */
__bpf_kfunc u32 gvt_sched_first_vgpu(void)
{
	return gvt_kf_sched() ? gvt_global(1) : 0;
}

/**
 * gvt_sched_parent() - the parent whose decision is being made
 *
 * Return: its index, 0 outside a scheduling op.
 */
__bpf_kfunc u32 gvt_sched_parent(void)
{
	return gvt_kf_sched() ? this_cpu_read(gvt_sched_cur.parent) : 0;
}

/**
 * gvt_queue_insert() - queue a vGPU by a key
 * @q: the queue, < GVT_SCHED_NR_QUEUES
 * @vgpu_id: a vGPU of the deciding parent
 * @key: smaller keys come out first, equal keys in insertion order
 *
 * A vGPU already in @q moves to @key.
 *
 * Return: 0, or -EINVAL for a bad queue or vGPU.
 */
__bpf_kfunc int gvt_queue_insert(u32 q, u32 vgpu_id, u64 key)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s ? gvt_sched_queue_insert(s, q, gvt_local(vgpu_id), key) :
		   -EINVAL;
}

/**
 * gvt_queue_pop() - take the first vGPU out of a queue
 * @q: the queue
 *
 * Return: its id, 0 if the queue is empty.
 */
__bpf_kfunc u32 gvt_queue_pop(u32 q)
{
	struct gvt_sched *s = gvt_kf_sched();
	u32 id;

	if (!s)
		return 0;
	id = gvt_sched_queue_pop(s, q);
	return id ? gvt_global(id) : 0;
}

/**
 * gvt_queue_peek() - the first vGPU of a queue, left in
 * @q: the queue
 * @key: where its key goes (U64_MAX for an empty queue)
 *
 * Return: its id, 0 if the queue is empty.
 */
__bpf_kfunc u32 gvt_queue_peek(u32 q, u64 *key)
{
	struct gvt_sched *s = gvt_kf_sched();
	u32 id;

	*key = U64_MAX;
	if (!s)
		return 0;
	id = gvt_sched_queue_peek(s, q, key);
	return id ? gvt_global(id) : 0;
}

/**
 * gvt_queue_remove() - take a vGPU out of a queue
 * @q: the queue
 * @vgpu_id: the vGPU
 *
 * Return: 0, -ENOENT when it was not in @q, -EINVAL for a bad queue.
 */
__bpf_kfunc int gvt_queue_remove(u32 q, u32 vgpu_id)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s ? gvt_sched_queue_remove(s, q, gvt_local(vgpu_id)) : -EINVAL;
}

/**
 * gvt_queue_len() - how many vGPUs a queue holds
 * @q: the queue
 *
 * Return: the count.
 */
__bpf_kfunc u32 gvt_queue_len(u32 q)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s ? gvt_sched_queue_len(s, q) : 0;
}

/**
 * gvt_queue_clock() - a queue's clock
 * @q: the queue
 *
 * Return: the key of the last vGPU popped from @q (by gvt_queue_pop() or
 * by the core for a policy without select()), 0 until one was.
 */
__bpf_kfunc u64 gvt_queue_clock(u32 q)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s ? gvt_sched_queue_clock(s, q) : 0;
}

/**
 * gvt_queue_insert_vtime() - queue a vGPU by its virtual time
 * @q: the queue, < GVT_SCHED_NR_QUEUES
 * @vgpu_id: a vGPU of the deciding parent
 * @vtime: its virtual time, raised to the queue's clock when behind it
 *
 * gvt_queue_clock() and gvt_queue_insert() in one call: a vGPU that comes
 * back after idling starts no earlier than the last one taken out, so it
 * banks no credit that would shut the others out.
 *
 * Return: 0, or -EINVAL for a bad queue or vGPU (*@vtime left as it was).
 */
__bpf_kfunc int gvt_queue_insert_vtime(u32 q, u32 vgpu_id, u64 *vtime)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s ? gvt_sched_queue_insert_vtime(s, q, gvt_local(vgpu_id),
						vtime) : -EINVAL;
}

/**
 * gvt_sched_now() - the time of the event the core is handling
 *
 * The doorbell, end of slice or decision that called the op, on the
 * kernel's monotonic clock; cheaper than reading the clock again.
 *
 * Return: ns, 0 outside a scheduling op.
 */
__bpf_kfunc u64 gvt_sched_now(void)
{
	struct gvt_sched *s = gvt_kf_sched();

	return s ? s->now : 0;
}

/**
 * gvt_pick_slice() - the time slice of the vGPU select() is picking
 * @ns: GVT_SCHED_SLICE_MIN_NS..GVT_SCHED_SLICE_MAX_NS (out of range ejects
 *	the policy); 0 for the vGPU's own slice
 *
 * Saves a timeslice() op: only in select(), and only when the policy has
 * no timeslice() (which would decide instead).
 */
__bpf_kfunc void gvt_pick_slice(u64 ns)
{
	if (gvt_kf_sched())
		this_cpu_write(gvt_sched_cur.pick_slice, ns);
}

/**
 * gvt_sched_preempt() - ask the vGPU running on an engine to stop early
 * @engine: the engine
 *
 * It ends its slice at once, a WORK command included (what it had left is
 * owed to it in its next slice), and is charged for what it used; for a
 * policy giving someone who just became runnable the engine sooner than a
 * whole slice.
 */
__bpf_kfunc void gvt_sched_preempt(u32 engine)
{
	struct gvt_sched *s = gvt_kf_sched();

	if (s && engine < GVT_NUM_ENGINES && s->owner[engine] &&
	    !s->preempt[engine]) {
		WRITE_ONCE(s->preempt[engine], true);
		if (s->preempted)
			s->preempted(s, engine);
	}
}

/**
 * gvt_sched_idle() - leave an engine idle although work waits
 * @engine: the engine select() was called for
 * @ns: for how long at most, 1 ns to 100 ms (a new doorbell ends it)
 *
 * Only for policies with GVT_SCHED_F_IDLE, before select() answers
 * GVT_SCHED_NO_VGPU; ignored otherwise.
 */
__bpf_kfunc void gvt_sched_idle(u32 engine, u64 ns)
{
	struct gvt_sched *s = gvt_kf_sched();

	if (!s || engine >= GVT_NUM_ENGINES || !s->policy->idle_ok)
		return;
	s->idle_ns[engine] = clamp_t(u64, ns, 1, GVT_SCHED_IDLE_MAX_NS);
}

/**
 * gvt_policy_eject() - the policy ejects itself
 * @msg: why, a NUL-terminated string (bpf_snprintf() formats one)
 * @msg__sz: the size of @msg's buffer
 *
 * The built-in scheduler takes over at once on this parent, and the
 * policy is taken off its other parents; its exit() op and its loader
 * get GVT_EXIT_SELF with @msg.
 */
__bpf_kfunc void gvt_policy_eject(char *msg, u32 msg__sz)
{
	struct gvt_sched_call *c = this_cpu_ptr(&gvt_sched_cur);

	if (!c->s)
		return;
	strscpy(c->self_msg, msg, min_t(size_t, msg__sz, sizeof(c->self_msg)));
	gvt_sched_eject(c->s, GVT_SCHED_ERR_SELF, 0);
}

__bpf_kfunc_end_defs();

/* registered with the MMIO kfuncs in gvt_bpf_core.c: one set per module */

/* ---- gvt_sched_ops struct_ops -------------------------------------------- */

static int gvt_sched_ops_init(struct btf *btf)
{
	return 0;
}

static int gvt_sched_btf_struct_access(struct bpf_verifier_log *log,
				       const struct bpf_reg_state *reg,
				       int off, int size)
{
	bpf_log(log, "gvt_sched_ops: no kernel memory is writable\n");
	return -EACCES;
}

static const struct bpf_verifier_ops gvt_sched_verifier_ops = {
	.get_func_proto = bpf_base_func_proto,
	.is_valid_access = gvt_bpf_is_valid_access,
	.btf_struct_access = gvt_sched_btf_struct_access,
};

static int gvt_sched_ops_init_member(const struct btf_type *t,
				     const struct btf_member *member,
				     void *kdata, const void *udata)
{
	const struct gvt_sched_ops *uops = udata;
	struct gvt_sched_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	switch (moff) {
	case offsetof(struct gvt_sched_ops, timeout_ms):
		if (uops->timeout_ms > GVT_SCHED_TIMEOUT_MAX_MS)
			return -E2BIG;
		ops->timeout_ms = uops->timeout_ms;
		return 1;
	case offsetof(struct gvt_sched_ops, flags):
		if (uops->flags & ~GVT_SCHED_F_ALL)
			return -EINVAL;
		ops->flags = uops->flags;
		return 1;
	case offsetof(struct gvt_sched_ops, parents):
		/* whether they exist is checked at attach */
		ops->parents = uops->parents;
		return 1;
	case offsetof(struct gvt_sched_ops, name):
		return gvt_policy_name_cpy(ops->name, uops->name,
					   sizeof(ops->name)) ?: 1;
	}
	return 0;
}

static int gvt_sched_ops_validate(void *kdata)
{
	const struct gvt_sched_ops *ops = kdata;

	/* something must queue or choose; holding engines idle needs select */
	if (!ops->select && !ops->runnable)
		return -EINVAL;
	if ((ops->flags & GVT_SCHED_F_IDLE) && !ops->select)
		return -EINVAL;
	return 0;
}

static int gvt_sched_enable_stub(u32 vgpu_id, u32 weight)
{
	return 0;
}

static void gvt_sched_disable_stub(u32 vgpu_id)
{
}

static void gvt_sched_runnable_stub(u32 vgpu_id, u32 engine, u32 flags,
				    u32 weight, u64 runtime_ns)
{
}

static u32 gvt_sched_select_stub(u32 engine)
{
	return GVT_SCHED_NO_VGPU;
}

static u64 gvt_sched_timeslice_stub(u32 vgpu_id, u32 engine)
{
	return 0;
}

static void gvt_sched_charge_stub(u32 vgpu_id, u32 engine, u64 ns)
{
}

static void gvt_sched_exit_stub(struct gvt_exit_info *ei)
{
}

static struct gvt_sched_ops gvt_sched_cfi_stubs = {
	.enable = gvt_sched_enable_stub,
	.disable = gvt_sched_disable_stub,
	.runnable = gvt_sched_runnable_stub,
	.select = gvt_sched_select_stub,
	.timeslice = gvt_sched_timeslice_stub,
	.charge = gvt_sched_charge_stub,
	.exit = gvt_sched_exit_stub,
};

static struct bpf_struct_ops gvt_sched_struct_ops = {
	.verifier_ops = &gvt_sched_verifier_ops,
	.init = gvt_sched_ops_init,
	.init_member = gvt_sched_ops_init_member,
	.validate = gvt_sched_ops_validate,
	.reg = gvt_sched_ops_reg,
	.unreg = gvt_sched_ops_unreg,
	.update = gvt_sched_ops_update,
	.cfi_stubs = &gvt_sched_cfi_stubs,
	.name = "gvt_sched_ops",
	.owner = THIS_MODULE,
};

/**
 * gvt_bpf_sched_policy_name() - the name of the policy deciding on a parent
 * @p: the parent
 * @buf: where it goes
 * @len: @buf's size
 *
 * The built-in one's while an attached policy is ejected (its record says
 * so).
 */
void gvt_bpf_sched_policy_name(struct gvt_parent *p, char *buf, size_t len)
{
	struct gvt_sched_bpf *b;
	bool active;

	mutex_lock(&gvt_sched_mutex);
	b = p->sched_bpf;
	spin_lock(&p->sched_lock);
	active = b && gvt_bpf_active(&p->sched, b);
	spin_unlock(&p->sched_lock);
	strscpy(buf, active ? b->ops->name : gvt_sched_builtin.name, len);
	mutex_unlock(&gvt_sched_mutex);
}

/**
 * gvt_bpf_sched_parent_gone() - a parent goes (module unload, failed load)
 * @p: the parent; no policy can be attached (each holds the module)
 */
void gvt_bpf_sched_parent_gone(struct gvt_parent *p)
{
	WARN_ON_ONCE(p->sched_bpf);
}

bool gvt_bpf_sched_bench_get(struct gvt_parent *p, struct gvt_sched *s)
{
	mutex_lock(&gvt_sched_mutex);
	if (!p->sched_bpf) {
		mutex_unlock(&gvt_sched_mutex);
		return false;
	}
	s->policy = gvt_adapter(p->sched_bpf);
	s->policy_priv = p->sched_bpf;
	s->id_base = p->id_base;
	s->index = p->index;
	/* a bad decision on the private core is no concern of the policy's */
	s->ejected = NULL;
	return true;
}

void gvt_bpf_sched_bench_put(struct gvt_sched *s)
{
	s->policy = &gvt_sched_builtin;
	s->policy_priv = NULL;
	mutex_unlock(&gvt_sched_mutex);
}

u32 gvt_bpf_sched_bench_select(struct gvt_parent *p, struct gvt_sched *s,
			       u32 engine)
{
	lockdep_assert_held(&p->sched_lock);
	return s->policy->select(s, engine);
}

/**
 * gvt_bpf_sched_init() - register gvt_sched_ops
 *
 * Return: 0 or a negative errno.
 */
int gvt_bpf_sched_init(void)
{
	return register_bpf_struct_ops(&gvt_sched_struct_ops, gvt_sched_ops);
}
