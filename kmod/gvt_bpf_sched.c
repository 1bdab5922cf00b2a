// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: BPF scheduling policies. The gvt_sched_ops struct_ops type
 * (include/gvt/gvt_bpf.h) plugs a BPF program set into the scheduler core
 * (model/sched.c) in place of the built-in weighted policy, in the spirit
 * of sched_ext: one BPF policy at a time, every decision checked by the
 * core, and a watchdog that ejects a policy letting a vGPU wait too long.
 * After an ejection the link stays attached but inert, and the reason is
 * shown in /sys/class/gvt/gvt0/policies until the policy is detached.
 *
 * Locking: the policy's ops run from the core under parent->sched_lock (a
 * spinlock); gvt_sched_lock (a mutex) serializes attach, detach, replace
 * and the watchdog's rearming, and is never taken under sched_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include "gvt.h"
#include "gvt_bpf_ops.h"

/* the attached BPF scheduling policy, if any */
struct gvt_sched_bpf {
	struct gvt_sched_ops *ops;	/* the struct_ops map's kernel copy */
	time64_t attached;
	bool ejected;			/* the core has fallen back */
	enum gvt_sched_error why;
	u32 why_vgpu;
	u64 decisions;
	struct delayed_work watchdog;
};

/* decisions a benchmark makes per hold of the scheduler's lock */
#define GVT_BENCH_SCHED_BATCH	1000u

static DEFINE_MUTEX(gvt_sched_lock);
static struct gvt_sched_bpf *gvt_sched_cur_policy;
/* the core whose ops run on this CPU now, for the kfuncs */
static DEFINE_PER_CPU(struct gvt_sched *, gvt_sched_cur);

static struct gvt_sched_ops *gvt_ops_of(struct gvt_sched *s)
{
	struct gvt_sched_bpf *b = s->policy_priv;

	return b->ops;
}

/*
 * The adapter: struct gvt_sched_policy ops that call the BPF programs, with
 * the kfuncs pointed at @s for the duration of the call (sched_lock is
 * held: no preemption, so the per-CPU pointer is ours).
 */
#define gvt_sched_bpf_call(s, call)			\
	do {						\
		this_cpu_write(gvt_sched_cur, (s));	\
		call;					\
		this_cpu_write(gvt_sched_cur, NULL);	\
	} while (0)

static int gvt_bpf_enable(struct gvt_sched *s, u32 vgpu)
{
	struct gvt_sched_ops *ops = gvt_ops_of(s);
	u32 weight = gvt_sched_weight(s, vgpu);
	int ret = 0;

	if (ops->enable)
		gvt_sched_bpf_call(s, ret = ops->enable(vgpu, weight));
	return ret;
}

static void gvt_bpf_disable(struct gvt_sched *s, u32 vgpu)
{
	struct gvt_sched_ops *ops = gvt_ops_of(s);

	if (ops->disable)
		gvt_sched_bpf_call(s, ops->disable(vgpu));
}

static void gvt_bpf_runnable(struct gvt_sched *s, u32 vgpu)
{
	struct gvt_sched_ops *ops = gvt_ops_of(s);

	if (ops->runnable)
		gvt_sched_bpf_call(s, ops->runnable(vgpu));
}

static u32 gvt_bpf_select(struct gvt_sched *s, u32 engine)
{
	struct gvt_sched_bpf *b = s->policy_priv;
	u32 id;

	gvt_sched_bpf_call(s, id = b->ops->select(engine));
	b->decisions++;
	return id;
}

static u64 gvt_bpf_timeslice(struct gvt_sched *s, u32 vgpu)
{
	struct gvt_sched_ops *ops = gvt_ops_of(s);
	u64 ns = 0;

	if (ops->timeslice)
		gvt_sched_bpf_call(s, ns = ops->timeslice(vgpu));
	return ns ?: s->default_slice_ns;
}

static void gvt_bpf_charge(struct gvt_sched *s, u32 vgpu, u64 ns)
{
	struct gvt_sched_ops *ops = gvt_ops_of(s);

	if (ops->charge)
		gvt_sched_bpf_call(s, ops->charge(vgpu, ns));
}

static const struct gvt_sched_policy gvt_sched_bpf_policy = {
	.name = "bpf",
	.enable = gvt_bpf_enable,
	.disable = gvt_bpf_disable,
	.runnable = gvt_bpf_runnable,
	.select = gvt_bpf_select,
	.timeslice = gvt_bpf_timeslice,
	.charge = gvt_bpf_charge,
};

/*
 * Called by the core under sched_lock when it dropped a BPF policy: the
 * one it held (@old_priv), whatever has been published since.
 */
static void gvt_bpf_ejected(struct gvt_sched *s,
			    const struct gvt_sched_policy *old, void *old_priv,
			    enum gvt_sched_error why, u32 vgpu)
{
	struct gvt_sched_bpf *b = old_priv;

	if (old != &gvt_sched_bpf_policy || !b)
		return;
	b->ejected = true;
	b->why = why;
	b->why_vgpu = vgpu;
	pr_warn("sched policy %s ejected: %s (vGPU %u); built-in scheduler resumed\n",
		b->ops->name, gvt_sched_error_name(why), vgpu);
}

static u64 gvt_timeout_ns(const struct gvt_sched_ops *ops)
{
	return (u64)(ops->timeout_ms ?: GVT_SCHED_TIMEOUT_DEFAULT_MS) *
	       NSEC_PER_MSEC;
}

/* ejects a policy under which a vGPU waited longer than its timeout */
static void gvt_sched_watchdog(struct work_struct *work)
{
	struct gvt_sched_bpf *b = container_of(to_delayed_work(work),
					       struct gvt_sched_bpf, watchdog);
	struct gvt_parent *p = gvt_parent;
	u32 starved = GVT_SCHED_NONE;
	bool active;

	if (!p)
		return;
	spin_lock(&p->sched_lock);
	active = p->sched.policy == &gvt_sched_bpf_policy &&
		 p->sched.policy_priv == b;
	if (active)
		starved = gvt_sched_starved(&p->sched, ktime_get_ns(),
					    gvt_timeout_ns(b->ops));
	if (starved != GVT_SCHED_NONE)
		gvt_sched_eject(&p->sched, GVT_SCHED_ERR_STARVED, starved);
	spin_unlock(&p->sched_lock);
	if (active && starved == GVT_SCHED_NONE)
		schedule_delayed_work(&b->watchdog,
				      msecs_to_jiffies(max(10u, (b->ops->timeout_ms ?:
					GVT_SCHED_TIMEOUT_DEFAULT_MS) / 4)));
}

/* caller holds gvt_sched_lock; installs @b as the core's policy */
static void gvt_sched_install(struct gvt_parent *p, struct gvt_sched_bpf *b)
{
	spin_lock(&p->sched_lock);
	p->sched.ejected = gvt_bpf_ejected;
	gvt_sched_set_policy(&p->sched, &gvt_sched_bpf_policy, b);
	spin_unlock(&p->sched_lock);
	if (!b->ejected)
		schedule_delayed_work(&b->watchdog, msecs_to_jiffies(10));
}

/* caller holds gvt_sched_lock; the built-in policy again */
static void gvt_sched_uninstall(struct gvt_parent *p, struct gvt_sched_bpf *b)
{
	spin_lock(&p->sched_lock);
	if (p->sched.policy == &gvt_sched_bpf_policy &&
	    p->sched.policy_priv == b)
		gvt_sched_set_policy(&p->sched, NULL, NULL);
	spin_unlock(&p->sched_lock);
	cancel_delayed_work_sync(&b->watchdog);
}

static struct gvt_sched_bpf *gvt_sched_bpf_new(void *kdata)
{
	struct gvt_sched_bpf *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b)
		return NULL;
	b->ops = kdata;
	b->attached = ktime_get_real_seconds();
	INIT_DELAYED_WORK(&b->watchdog, gvt_sched_watchdog);
	return b;
}

static int gvt_sched_ops_reg(void *kdata, struct bpf_link *link)
{
	struct gvt_parent *p = gvt_parent;
	struct gvt_sched_bpf *b;

	if (!p)
		return -ENODEV;
	b = gvt_sched_bpf_new(kdata);
	if (!b)
		return -ENOMEM;
	mutex_lock(&gvt_sched_lock);
	if (gvt_sched_cur_policy) {
		mutex_unlock(&gvt_sched_lock);
		kfree(b);
		return -EBUSY;
	}
	gvt_sched_install(p, b);
	WRITE_ONCE(gvt_sched_cur_policy, b);
	mutex_unlock(&gvt_sched_lock);
	pr_info("sched policy %s attached (timeout %u ms)\n", b->ops->name,
		b->ops->timeout_ms ?: GVT_SCHED_TIMEOUT_DEFAULT_MS);
	return 0;
}

static void gvt_sched_ops_unreg(void *kdata, struct bpf_link *link)
{
	struct gvt_parent *p = gvt_parent;
	struct gvt_sched_bpf *b;

	mutex_lock(&gvt_sched_lock);
	b = gvt_sched_cur_policy;
	if (!b || b->ops != kdata) {
		mutex_unlock(&gvt_sched_lock);
		return;
	}
	if (p)
		gvt_sched_uninstall(p, b);
	else
		cancel_delayed_work_sync(&b->watchdog);
	WRITE_ONCE(gvt_sched_cur_policy, NULL);
	mutex_unlock(&gvt_sched_lock);
	pr_info("sched policy %s detached\n", b->ops->name);
	kfree(b);
}

/* a new program set on the live link: installed in one step */
static int gvt_sched_ops_update(void *kdata, void *old_kdata,
				struct bpf_link *link)
{
	struct gvt_parent *p = gvt_parent;
	struct gvt_sched_bpf *old, *b;

	if (!p)
		return -ENODEV;
	b = gvt_sched_bpf_new(kdata);
	if (!b)
		return -ENOMEM;
	mutex_lock(&gvt_sched_lock);
	old = gvt_sched_cur_policy;
	if (!old || old->ops != old_kdata) {
		mutex_unlock(&gvt_sched_lock);
		kfree(b);
		return -ENOENT;
	}
	/*
	 * set_policy swaps under sched_lock: no decision sees neither, and
	 * an ejection of the old one meanwhile is recorded against the old
	 * one (the core names it). Published once installed, watchdog armed.
	 */
	gvt_sched_install(p, b);
	WRITE_ONCE(gvt_sched_cur_policy, b);
	cancel_delayed_work_sync(&old->watchdog);
	mutex_unlock(&gvt_sched_lock);
	pr_info("sched policy %s replaced by %s\n", old->ops->name,
		b->ops->name);
	kfree(old);
	return 0;
}

/* ---- kfuncs for scheduling policies -------------------------------------- */

__bpf_kfunc_start_defs();

/**
 * gvt_vgpu_has_work() - does a vGPU wait for an engine?
 * @vgpu_id: the vGPU
 * @engine: the engine
 *
 * Only meaningful inside a gvt_sched_ops op.
 *
 * Return: true when @vgpu_id has work queued on @engine and is not
 * running there.
 */
__bpf_kfunc bool gvt_vgpu_has_work(u32 vgpu_id, u32 engine)
{
	struct gvt_sched *s = this_cpu_read(gvt_sched_cur);

	return s && gvt_sched_has_work(s, vgpu_id, engine);
}

/**
 * gvt_vgpu_weight() - a vGPU's scheduling weight (type default or sysfs)
 * @vgpu_id: the vGPU
 *
 * Return: the weight, 0 for an unknown vGPU or outside a gvt_sched_ops op.
 */
__bpf_kfunc u32 gvt_vgpu_weight(u32 vgpu_id)
{
	struct gvt_sched *s = this_cpu_read(gvt_sched_cur);

	return s ? gvt_sched_weight(s, vgpu_id) : 0;
}

__bpf_kfunc_end_defs();

/* registered with the MMIO kfuncs in gvt_bpf_ops.c: one set per module */

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
		if (uops->flags)
			return -EINVAL;
		ops->flags = 0;
		return 1;
	case offsetof(struct gvt_sched_ops, name):
		return gvt_policy_name_cpy(ops->name, uops->name,
					   sizeof(ops->name));
	}
	return 0;
}

static int gvt_sched_ops_validate(void *kdata)
{
	const struct gvt_sched_ops *ops = kdata;

	return ops->select ? 0 : -EINVAL;
}

static int gvt_sched_enable_stub(u32 vgpu_id, u32 weight)
{
	return 0;
}

static void gvt_sched_disable_stub(u32 vgpu_id)
{
}

static void gvt_sched_runnable_stub(u32 vgpu_id)
{
}

static u32 gvt_sched_select_stub(u32 engine)
{
	return GVT_SCHED_NO_VGPU;
}

static u64 gvt_sched_timeslice_stub(u32 vgpu_id)
{
	return 0;
}

static void gvt_sched_charge_stub(u32 vgpu_id, u64 ns)
{
}

static struct gvt_sched_ops gvt_sched_cfi_stubs = {
	.enable = gvt_sched_enable_stub,
	.disable = gvt_sched_disable_stub,
	.runnable = gvt_sched_runnable_stub,
	.select = gvt_sched_select_stub,
	.timeslice = gvt_sched_timeslice_stub,
	.charge = gvt_sched_charge_stub,
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
 * gvt_bpf_sched_show() - describe the scheduling policy, if one is attached
 * @buf: a sysfs page
 * @len: bytes already in @buf
 *
 * Return: the new length.
 */
int gvt_bpf_sched_show(char *buf, int len)
{
	struct gvt_sched_bpf *b;

	mutex_lock(&gvt_sched_lock);
	b = gvt_sched_cur_policy;
	if (b) {
		len += sysfs_emit_at(buf, len,
				     "sched %s state=%s attached=%lld timeout_ms=%u decisions=%llu",
				     b->ops->name,
				     b->ejected ? "ejected" : "active",
				     (long long)b->attached,
				     b->ops->timeout_ms ?: GVT_SCHED_TIMEOUT_DEFAULT_MS,
				     b->decisions);
		/* the reason is free text: last on the line */
		if (b->ejected)
			len += sysfs_emit_at(buf, len, " vgpu=%u reason=%s",
					     b->why_vgpu,
					     gvt_sched_error_name(b->why));
		len += sysfs_emit_at(buf, len, "\n");
	}
	mutex_unlock(&gvt_sched_lock);
	return len;
}

/**
 * gvt_sched_bench() - time scheduling decisions of the built-in policy and
 * of the attached BPF policy, on a private scheduler with @nr_vgpus vGPUs
 * that all have work on engine 0
 * @iters: decisions per policy
 * @nr_vgpus: 1..GVT_MAX_VGPUS
 * @builtin_ns: total time of @iters built-in decisions
 * @bpf_ns: the same for the BPF policy; 0 when none is attached
 *
 * The live scheduler is not touched, but the BPF policy's maps are shared
 * with its live instance: a benchmark run perturbs its state a little.
 *
 * Return: 0 or a negative errno.
 */
int gvt_sched_bench(u32 iters, u32 nr_vgpus, u64 *builtin_ns, u64 *bpf_ns)
{
	struct gvt_parent *p = gvt_parent;
	struct gvt_sched *s;
	struct gvt_sched_bpf *b;
	u32 i, n, done, id, sink = 0;
	u64 t0;

	if (!iters || !nr_vgpus || nr_vgpus > GVT_MAX_VGPUS)
		return -EINVAL;
	if (!p)
		return -ENODEV;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	gvt_sched_init(s);
	for (id = 1; id <= nr_vgpus; id++) {
		gvt_sched_enable(s, id, GVT_WEIGHT_FULL / (1 + id % 4), NULL);
		gvt_sched_kick(s, id, 0, ktime_get_ns());
	}

	*builtin_ns = 0;
	for (done = 0; done < iters; done += n) {
		n = min(iters - done, GVT_BENCH_SCHED_BATCH);
		preempt_disable();
		t0 = ktime_get_ns();
		for (i = 0; i < n; i++)
			sink += s->policy->select(s, 0);
		*builtin_ns += ktime_get_ns() - t0;
		preempt_enable();
		cond_resched();
	}

	/*
	 * The attached policy is called as the engines call it: under the
	 * scheduler's lock, which its ops may rely on, in short batches so
	 * that the engines never wait long for the lock.
	 */
	*bpf_ns = 0;
	mutex_lock(&gvt_sched_lock);
	b = gvt_sched_cur_policy;
	if (b) {
		s->policy = &gvt_sched_bpf_policy;
		s->policy_priv = b;
		for (done = 0; done < iters; done += n) {
			n = min(iters - done, GVT_BENCH_SCHED_BATCH);
			spin_lock(&p->sched_lock);
			t0 = ktime_get_ns();
			for (i = 0; i < n; i++)
				sink += gvt_bpf_select(s, 0);
			*bpf_ns += ktime_get_ns() - t0;
			spin_unlock(&p->sched_lock);
			cond_resched();
		}
	}
	mutex_unlock(&gvt_sched_lock);
	kfree(s);
	/* keeps the loops from being optimized away */
	OPTIMIZER_HIDE_VAR(sink);
	return 0;
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
