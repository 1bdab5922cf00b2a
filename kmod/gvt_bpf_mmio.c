// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: the programmable MMIO trap path. The module registers the
 * gvt_mmio_ops struct_ops type (include/gvt/gvt_bpf.h); policies attached
 * through it see trapped register accesses before the built-in handler.
 *
 * Attached policies live on an RCU list sorted by priority. The MMIO path
 * walks it with preemption disabled (an RCU read-side section) and the
 * vGPU's lock held; attach, detach and live replacement take
 * gvt_mmio_lock and wait for a grace period before freeing, so a running
 * hook never sees a freed policy. Counters are per CPU: the hot path
 * writes no shared cache line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include "gvt.h"
#include "gvt_bpf.h"

enum { GVT_MMIO_CALLS, GVT_MMIO_HANDLED_N, GVT_MMIO_DENIED_N, GVT_MMIO_NR_CNT };

/* one attached gvt_mmio_ops */
struct gvt_mmio_policy {
	struct gvt_policy base;		/* sysfs; frees this record */
	struct list_head node;
	struct gvt_mmio_ops *ops;	/* the struct_ops map's kernel copy */
	u64 seq;			/* attach order */
	u64 __percpu *cnt;		/* [GVT_MMIO_NR_CNT] */
	struct rcu_head rcu;
};

static DEFINE_MUTEX(gvt_mmio_lock);
static LIST_HEAD(gvt_mmio_policies);
static u64 gvt_mmio_seq;
static DEFINE_STATIC_KEY_FALSE(gvt_mmio_hooked);

/*
 * Which register dwords some attached policy hooks: the union of their
 * ranges, so an access nobody hooks costs one bit test. Rebuilt into the
 * spare of two bitmaps and published with RCU, so a reader never sees a
 * half-built one (which could let an access slip past a guard policy).
 */
#define GVT_MMIO_DWORDS	(GVT_MMIO_SIZE / 4)
static unsigned long gvt_hooked_bits[2][BITS_TO_LONGS(GVT_MMIO_DWORDS)];
static unsigned long __rcu *gvt_hooked_cur;

/* the access record a hook gets, and the vGPU behind it for kfuncs */
struct gvt_mmio_ctx {
	struct gvt_mmio_access a;
	struct gvt_vgpu *vgpu;
};

/*
 * The access being offered on this CPU. The verifier lets a program pass
 * any memory of the right size where a kfunc takes a gvt_mmio_access (a
 * map value, say), so kfuncs only act on the record the hook handed out,
 * which is this one while the hook runs with preemption disabled.
 */
static DEFINE_PER_CPU(struct gvt_mmio_ctx *, gvt_mmio_cur);

static struct gvt_mmio_ctx *gvt_mmio_ctx_of(struct gvt_mmio_access *a)
{
	struct gvt_mmio_ctx *ctx = this_cpu_read(gvt_mmio_cur);

	return ctx && &ctx->a == a ? ctx : NULL;
}

static bool gvt_mmio_in_ranges(const struct gvt_mmio_ops *ops, u32 off)
{
	int i;

	if (!ops->ranges[0].end)
		return true;
	for (i = 0; i < GVT_MMIO_MAX_RANGES && ops->ranges[i].end; i++)
		if (off >= ops->ranges[i].start && off < ops->ranges[i].end)
			return true;
	return false;
}

/**
 * gvt_bpf_mmio_hook() - offer a register access to the attached policies
 * @priv: the vGPU (model env private data); its lock is held
 * @off: BAR0 offset
 * @size: 1, 2 or 4
 * @val: the value written, or where a handled read's value goes
 * @write: direction
 *
 * Return: the verdict of the first policy that handled or denied the
 * access, or GVT_MMIO_PASS. Costs one static branch when nothing is
 * attached, one bit test when nothing hooks this register.
 */
int gvt_bpf_mmio_hook(void *priv, u32 off, u32 size, u32 *val, bool write)
{
	struct gvt_vgpu *vgpu = priv;
	struct gvt_mmio_policy *pol;
	struct gvt_mmio_ctx ctx;
	int verdict = GVT_MMIO_PASS;
	u64 pbit;

	if (!static_branch_unlikely(&gvt_mmio_hooked) || off >= GVT_MMIO_SIZE)
		return GVT_MMIO_PASS;
	/* preemption off: an RCU read-side section, and the per-CPU record */
	preempt_disable();
	if (!test_bit(off / 4, rcu_dereference_sched(gvt_hooked_cur))) {
		preempt_enable();
		return GVT_MMIO_PASS;
	}

	ctx.vgpu = vgpu;
	ctx.a.vgpu_id = gvt_vgpu_id(vgpu);
	ctx.a.offset = off;
	ctx.a.size = size;
	ctx.a.value = write ? *val : 0;
	ctx.a.type_div = vgpu->model->p.type_div;
	ctx.a.is_write = write;
	ctx.a.parent = vgpu->parent->index;
	pbit = BIT_ULL(vgpu->parent->index);

	this_cpu_write(gvt_mmio_cur, &ctx);
	list_for_each_entry_rcu(pol, &gvt_mmio_policies, node) {
		const struct gvt_mmio_ops *ops = pol->ops;
		int (*fn)(struct gvt_mmio_access *a);

		fn = write ? ops->write : ops->read;
		if (!fn || !(pol->base.parents & pbit) ||
		    (ops->vgpu_serial && ops->vgpu_serial != vgpu->serial) ||
		    !gvt_mmio_in_ranges(ops, off))
			continue;
		this_cpu_inc(pol->cnt[GVT_MMIO_CALLS]);
		verdict = fn(&ctx.a);
		if (verdict == GVT_MMIO_HANDLED) {
			this_cpu_inc(pol->cnt[GVT_MMIO_HANDLED_N]);
			break;
		}
		if (verdict == GVT_MMIO_DENY) {
			this_cpu_inc(pol->cnt[GVT_MMIO_DENIED_N]);
			break;
		}
		/* anything else means "not mine" */
		verdict = GVT_MMIO_PASS;
	}
	this_cpu_write(gvt_mmio_cur, NULL);
	preempt_enable();

	if (verdict == GVT_MMIO_HANDLED || (write && verdict == GVT_MMIO_PASS))
		*val = ctx.a.value;
	return verdict;
}

/* ---- kfuncs ------------------------------------------------------------- */

__bpf_kfunc_start_defs();

/**
 * gvt_reg_read() - read a virtual register of the vGPU being accessed
 * @a: the access the hook was given
 * @offset: dword-aligned register offset in BAR0
 *
 * Return: the register's value, 0 for an offset that is not a register
 * or a record that is not the one the hook was given.
 */
__bpf_kfunc u32 gvt_reg_read(struct gvt_mmio_access *a, u32 offset)
{
	struct gvt_mmio_ctx *ctx = gvt_mmio_ctx_of(a);

	if (!ctx || gvt_reg_lookup(offset) < 0)
		return 0;
	return gvt_mmio_get(ctx->vgpu->model, offset, 4);
}

/**
 * gvt_reg_write() - write a virtual register with the built-in semantics
 * @a: the access the hook was given
 * @offset: dword-aligned register offset in BAR0
 * @value: the value; read-only bits keep theirs
 *
 * A policy may write the registers the register table marks
 * GVT_RF_POLICY: their side effects only signal an interrupt, safe with
 * preemption disabled as a hook runs. Starting work (doorbells, ring
 * control, reset) is the guest's alone.
 *
 * Return: 0, -EINVAL for an offset that is no register or a record that
 * is not the one the hook was given, -EPERM for a register policies may
 * not write.
 */
__bpf_kfunc int gvt_reg_write(struct gvt_mmio_access *a, u32 offset, u32 value)
{
	struct gvt_mmio_ctx *ctx = gvt_mmio_ctx_of(a);

	if (!ctx || offset % 4)
		return -EINVAL;
	return gvt_mmio_put(ctx->vgpu->model, offset, 4, value,
			    GVT_WRITER_POLICY);
}

/**
 * gvt_raise_irq() - latch interrupt bits in the vGPU's IIR
 * @a: the access the hook was given
 * @bits: GVT_IRQ_* bits; others are refused
 *
 * Return: 0, or -EINVAL for bits outside GVT_IRQ_ALL.
 */
__bpf_kfunc int gvt_raise_irq(struct gvt_mmio_access *a, u32 bits)
{
	struct gvt_mmio_ctx *ctx = gvt_mmio_ctx_of(a);

	if (!ctx || !bits || (bits & ~GVT_IRQ_ALL))
		return -EINVAL;
	gvt_model_raise_irq(ctx->vgpu->model, bits);
	return 0;
}

/**
 * gvt_vgpu_attr() - an attribute of the vGPU being accessed
 * @a: the access the hook was given
 * @attr: enum gvt_vgpu_attr_id
 *
 * Return: the attribute, 0 for an unknown one.
 */
__bpf_kfunc u32 gvt_vgpu_attr(struct gvt_mmio_access *a, u32 attr)
{
	struct gvt_mmio_ctx *ctx = gvt_mmio_ctx_of(a);
	const struct gvt_model *m;

	if (!ctx)
		return 0;
	m = ctx->vgpu->model;
	switch (attr) {
	case GVT_ATTR_ID:
		return m->p.id;
	case GVT_ATTR_TYPE_DIV:
		return m->p.type_div;
	case GVT_ATTR_WEIGHT:
		return READ_ONCE(m->p.weight);
	case GVT_ATTR_APERTURE_SIZE:
		return m->p.aperture_size;
	case GVT_ATTR_HIDDEN_SIZE:
		return m->p.hidden_size;
	case GVT_ATTR_STATUS:
		return gvt_reg(m, GVT_REGIDX_STATUS);
	case GVT_ATTR_PARENT:
		return ctx->vgpu->parent->index;
	default:
		return 0;
	}
}

__bpf_kfunc_end_defs();

/* ---- sysfs: /sys/kernel/gvt/policies/<id>/ of an MMIO policy ------------ */

static struct gvt_mmio_policy *kobj_to_mmio(struct kobject *kobj)
{
	return container_of(kobj, struct gvt_mmio_policy, base.kobj);
}

static u64 gvt_mmio_count(const struct gvt_mmio_policy *pol, int which)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(pol->cnt, cpu)[which];
	return sum;
}

#define GVT_MMIO_COUNT_ATTR(name, which)				\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n",				\
			  gvt_mmio_count(kobj_to_mmio(kobj), which));	\
}									\
static struct kobj_attribute gvt_mmio_##name##_attr = __ATTR_RO(name)

GVT_MMIO_COUNT_ATTR(calls, GVT_MMIO_CALLS);
GVT_MMIO_COUNT_ATTR(handled, GVT_MMIO_HANDLED_N);
GVT_MMIO_COUNT_ATTR(denied, GVT_MMIO_DENIED_N);

static ssize_t vgpu_serial_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", kobj_to_mmio(kobj)->ops->vgpu_serial);
}

static struct kobj_attribute gvt_mmio_vgpu_serial_attr = __ATTR_RO(vgpu_serial);

static ssize_t priority_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", kobj_to_mmio(kobj)->ops->priority);
}

static struct kobj_attribute gvt_mmio_priority_attr = __ATTR_RO(priority);

/*
 * The BAR0 offsets it hooks, on one line: START+SIZE in hex for each
 * range, or "all" for a policy that gave none
 */
static ssize_t ranges_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	const struct gvt_mmio_range *r = kobj_to_mmio(kobj)->ops->ranges;
	int i, len = 0;

	if (!r[0].end)
		return sysfs_emit(buf, "all\n");
	for (i = 0; i < GVT_MMIO_MAX_RANGES && r[i].end; i++)
		len += sysfs_emit_at(buf, len, "%s%#x+%#x", i ? " " : "",
				     r[i].start, r[i].end - r[i].start);
	return len + sysfs_emit_at(buf, len, "\n");
}

static struct kobj_attribute gvt_mmio_ranges_attr = __ATTR_RO(ranges);

static struct attribute *gvt_mmio_policy_attrs[] = {
	&gvt_mmio_vgpu_serial_attr.attr,
	&gvt_mmio_priority_attr.attr,
	&gvt_mmio_ranges_attr.attr,
	&gvt_mmio_calls_attr.attr,
	&gvt_mmio_handled_attr.attr,
	&gvt_mmio_denied_attr.attr,
	NULL,
};

static const struct attribute_group gvt_mmio_policy_group = {
	.attrs = gvt_mmio_policy_attrs,
};

static const struct attribute_group *gvt_mmio_policy_groups[] = {
	&gvt_policy_group,
	&gvt_mmio_policy_group,
	NULL,
};

static void gvt_mmio_policy_release(struct kobject *kobj)
{
	struct gvt_mmio_policy *pol = kobj_to_mmio(kobj);

	free_percpu(pol->cnt);
	kfree(pol);
}

static const struct kobj_type gvt_mmio_policy_ktype = {
	.release = gvt_mmio_policy_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = gvt_mmio_policy_groups,
};

/* ---- gvt_mmio_ops struct_ops -------------------------------------------- */

BTF_ID_LIST(gvt_mmio_btf_ids)
BTF_ID(struct, gvt_mmio_access)

static const struct btf_type *gvt_mmio_access_type;

static int gvt_mmio_ops_init(struct btf *btf)
{
	gvt_mmio_access_type = btf_type_by_id(btf, gvt_mmio_btf_ids[0]);
	return gvt_mmio_access_type ? 0 : -EINVAL;
}

/* a policy may write gvt_mmio_access.value and nothing else */
static int gvt_mmio_btf_struct_access(struct bpf_verifier_log *log,
				      const struct bpf_reg_state *reg,
				      int off, int size)
{
	const struct btf_type *t = btf_type_by_id(reg->btf, reg->btf_id);

	if (t == gvt_mmio_access_type &&
	    off >= offsetof(struct gvt_mmio_access, value) &&
	    off + size <= offsetofend(struct gvt_mmio_access, value))
		return SCALAR_VALUE;
	bpf_log(log, "gvt_mmio_ops: only gvt_mmio_access.value is writable\n");
	return -EACCES;
}

static const struct bpf_verifier_ops gvt_mmio_verifier_ops = {
	.get_func_proto = bpf_base_func_proto,
	.is_valid_access = gvt_bpf_is_valid_access,
	.btf_struct_access = gvt_mmio_btf_struct_access,
};

static int gvt_mmio_ops_init_member(const struct btf_type *t,
				    const struct btf_member *member,
				    void *kdata, const void *udata)
{
	const struct gvt_mmio_ops *uops = udata;
	struct gvt_mmio_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;
	int i;

	switch (moff) {
	case offsetof(struct gvt_mmio_ops, ranges):
		for (i = 0; i < GVT_MMIO_MAX_RANGES; i++) {
			const struct gvt_mmio_range *r = &uops->ranges[i];

			if (!r->end && !r->start)
				continue;
			if (r->start >= r->end || r->end > GVT_MMIO_SIZE)
				return -EINVAL;
			/* a hole before a used range would end the list */
			if (i && !uops->ranges[i - 1].end)
				return -EINVAL;
		}
		memcpy(ops->ranges, uops->ranges, sizeof(ops->ranges));
		return 1;
	case offsetof(struct gvt_mmio_ops, vgpu_serial):
		/* whether it names a live vGPU is checked at attach */
		ops->vgpu_serial = uops->vgpu_serial;
		return 1;
	case offsetof(struct gvt_mmio_ops, parents):
		/* whether they exist is checked at attach */
		ops->parents = uops->parents;
		return 1;
	case offsetof(struct gvt_mmio_ops, priority):
		ops->priority = uops->priority;
		return 1;
	case offsetof(struct gvt_mmio_ops, name):
		return gvt_policy_name_cpy(ops->name, uops->name,
					   sizeof(ops->name)) ?: 1;
	}
	return 0;
}

static int gvt_mmio_ops_validate(void *kdata)
{
	const struct gvt_mmio_ops *ops = kdata;

	return ops->read || ops->write ? 0 : -EINVAL;
}

/* caller holds gvt_mmio_lock; publishes the union of hooked ranges */
static void gvt_hooked_rebuild(void)
{
	unsigned long *cur = rcu_dereference_protected(gvt_hooked_cur,
					lockdep_is_held(&gvt_mmio_lock));
	unsigned long *next = cur == gvt_hooked_bits[0] ?
			      gvt_hooked_bits[1] : gvt_hooked_bits[0];
	struct gvt_mmio_policy *pol;
	int i;

	/* readers of the spare one, from before the last swap, are gone */
	synchronize_rcu();
	bitmap_zero(next, GVT_MMIO_DWORDS);
	list_for_each_entry(pol, &gvt_mmio_policies, node) {
		const struct gvt_mmio_range *r = pol->ops->ranges;

		if (!r[0].end) {
			bitmap_fill(next, GVT_MMIO_DWORDS);
			break;
		}
		for (i = 0; i < GVT_MMIO_MAX_RANGES && r[i].end; i++)
			bitmap_set(next, r[i].start / 4,
				   DIV_ROUND_UP(r[i].end, 4) - r[i].start / 4);
	}
	rcu_assign_pointer(gvt_hooked_cur, next);
}

/* does policy @a run before @b? */
static bool gvt_mmio_before(const struct gvt_mmio_policy *a,
			    const struct gvt_mmio_policy *b)
{
	if (a->ops->priority != b->ops->priority)
		return a->ops->priority < b->ops->priority;
	if (!!a->ops->vgpu_serial != !!b->ops->vgpu_serial)
		return a->ops->vgpu_serial;
	return a->seq < b->seq;
}

/* caller holds gvt_mmio_lock */
static void gvt_mmio_insert(struct gvt_mmio_policy *np)
{
	struct gvt_mmio_policy *pol;

	list_for_each_entry(pol, &gvt_mmio_policies, node) {
		if (gvt_mmio_before(np, pol)) {
			list_add_tail_rcu(&np->node, &pol->node);
			return;
		}
	}
	list_add_tail_rcu(&np->node, &gvt_mmio_policies);
}

/* caller holds gvt_mmio_lock */
static struct gvt_mmio_policy *gvt_mmio_find(const void *kdata)
{
	struct gvt_mmio_policy *pol;

	list_for_each_entry(pol, &gvt_mmio_policies, node)
		if (pol->ops == kdata)
			return pol;
	return NULL;
}

/* a live vGPU has this serial (0: no binding, always fine) */
static bool gvt_serial_live(u64 serial)
{
	struct gvt_parent *p;
	struct gvt_vgpu *v;
	bool live = false;
	u32 i;

	if (!serial)
		return true;
	for (i = 0; i < gvt_nr_parents && (p = gvt_parents[i]); i++) {
		mutex_lock(&p->lock);
		list_for_each_entry(v, &p->vgpus, node)
			if (v->serial == serial)
				live = true;
		mutex_unlock(&p->lock);
	}
	return live;
}

/* the parents it names exist and the vGPU it is bound to lives */
static int gvt_mmio_check(const struct gvt_mmio_ops *ops)
{
	if (!gvt_parents_resolve(ops->parents) ||
	    !gvt_serial_live(ops->vgpu_serial))
		return -ENODEV;
	return 0;
}

/*
 * A record for the (checked) ops at @kdata, with its sysfs directory.
 * NULL with *@err set on failure.
 */
static struct gvt_mmio_policy *gvt_mmio_policy_new(void *kdata,
						   struct bpf_link *link,
						   u32 id, int *err)
{
	struct gvt_mmio_ops *ops = kdata;
	struct gvt_mmio_policy *pol;
	u64 parents = gvt_parents_resolve(ops->parents);

	*err = -ENOMEM;
	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol)
		return NULL;
	pol->ops = ops;
	pol->cnt = __alloc_percpu(GVT_MMIO_NR_CNT * sizeof(u64), sizeof(u64));
	if (!pol->cnt) {
		kfree(pol);
		return NULL;
	}
	*err = gvt_policy_add(&pol->base, &gvt_mmio_policy_ktype,
			      GVT_HOOK_MMIO, ops->name, parents, link, id);
	return *err ? NULL : pol;
}

static void gvt_mmio_policy_free_rcu(struct rcu_head *rcu)
{
	struct gvt_mmio_policy *pol = container_of(rcu, struct gvt_mmio_policy,
						   rcu);

	kobject_put(&pol->base.kobj);
}

static int gvt_mmio_ops_reg(void *kdata, struct bpf_link *link)
{
	struct gvt_mmio_policy *pol;
	int ret;

	ret = gvt_mmio_check(kdata);
	if (ret)
		return ret;
	pol = gvt_mmio_policy_new(kdata, link, 0, &ret);
	if (!pol)
		return ret;
	mutex_lock(&gvt_mmio_lock);
	pol->seq = ++gvt_mmio_seq;
	gvt_mmio_insert(pol);
	gvt_hooked_rebuild();
	static_branch_inc(&gvt_mmio_hooked);
	mutex_unlock(&gvt_mmio_lock);
	pr_info("mmio policy %s attached (parents %#llx, vGPU serial %llu, priority %d)\n",
		pol->ops->name, pol->base.parents, pol->ops->vgpu_serial,
		pol->ops->priority);
	return 0;
}

static void gvt_mmio_ops_unreg(void *kdata, struct bpf_link *link)
{
	struct gvt_mmio_policy *pol;

	mutex_lock(&gvt_mmio_lock);
	pol = gvt_mmio_find(kdata);
	if (pol) {
		list_del_rcu(&pol->node);
		gvt_hooked_rebuild();
		static_branch_dec(&gvt_mmio_hooked);
	}
	mutex_unlock(&gvt_mmio_lock);
	if (!pol)
		return;
	pr_info("mmio policy %s detached\n", pol->ops->name);
	gvt_policy_set_exit(&pol->base, pol->base.state, GVT_EXIT_DETACHED,
			    0, 0, 0, 0, "detached");
	/* the map's copy of the ops may go once no hook can see it: sync */
	synchronize_rcu();
	gvt_policy_del(&pol->base);
}

/* live replacement on the same link: one list swap, no gap */
static int gvt_mmio_ops_update(void *kdata, void *old_kdata,
			       struct bpf_link *link)
{
	struct gvt_mmio_policy *old, *np;
	int ret;

	ret = gvt_mmio_check(kdata);
	if (ret)
		return ret;
	mutex_lock(&gvt_mmio_lock);
	old = gvt_mmio_find(old_kdata);
	if (!old) {
		mutex_unlock(&gvt_mmio_lock);
		return -ENOENT;
	}
	/* the directory is the link's: the new record takes it over */
	gvt_policy_unlist(&old->base);
	np = gvt_mmio_policy_new(kdata, link, old->base.id, &ret);
	if (!np) {
		/* keep the old one in place, directory and all */
		if (kobject_add(&old->base.kobj, gvt_policies_kobj, "%u",
				old->base.id))
			pr_warn("mmio policy %s lost its sysfs directory\n",
				old->ops->name);
		mutex_unlock(&gvt_mmio_lock);
		return ret;
	}
	np->seq = old->seq;
	if (np->ops->priority == old->ops->priority &&
	    !!np->ops->vgpu_serial == !!old->ops->vgpu_serial) {
		list_replace_rcu(&old->node, &np->node);
	} else {
		list_del_rcu(&old->node);
		gvt_mmio_insert(np);
	}
	gvt_hooked_rebuild();
	mutex_unlock(&gvt_mmio_lock);
	pr_info("mmio policy %s replaced by %s\n", old->ops->name,
		np->ops->name);
	call_rcu(&old->rcu, gvt_mmio_policy_free_rcu);
	return 0;
}

static int gvt_mmio_read_stub(struct gvt_mmio_access *a)
{
	return GVT_MMIO_PASS;
}

static int gvt_mmio_write_stub(struct gvt_mmio_access *a)
{
	return GVT_MMIO_PASS;
}

static struct gvt_mmio_ops gvt_mmio_cfi_stubs = {
	.read = gvt_mmio_read_stub,
	.write = gvt_mmio_write_stub,
};

static struct bpf_struct_ops gvt_mmio_struct_ops = {
	.verifier_ops = &gvt_mmio_verifier_ops,
	.init = gvt_mmio_ops_init,
	.init_member = gvt_mmio_ops_init_member,
	.validate = gvt_mmio_ops_validate,
	.reg = gvt_mmio_ops_reg,
	.unreg = gvt_mmio_ops_unreg,
	.update = gvt_mmio_ops_update,
	.cfi_stubs = &gvt_mmio_cfi_stubs,
	.name = "gvt_mmio_ops",
	.owner = THIS_MODULE,
};

/**
 * gvt_bpf_mmio_vgpu_gone() - a vGPU is being released
 * @id: its id, which the next vGPU in its slot gets
 * @serial: its serial, which nobody gets again
 *
 * MMIO policies bound to it can never run again (their serial matches no
 * vGPU); they are marked orphaned, so that the operator sees them as such
 * until they are detached.
 */
void gvt_bpf_mmio_vgpu_gone(u32 id, u64 serial)
{
	struct gvt_mmio_policy *pol;

	mutex_lock(&gvt_mmio_lock);
	list_for_each_entry(pol, &gvt_mmio_policies, node) {
		if (pol->ops->vgpu_serial != serial)
			continue;
		if (gvt_policy_set_exit(&pol->base, GVT_POLICY_ORPHANED,
					GVT_EXIT_VGPU_GONE,
					GVT_VGPU_PARENT(id), id, 0, 0,
					"vGPU %u (serial %llu) was removed",
					id, serial))
			pr_info("mmio policy %s: its vGPU %u (serial %llu) is gone\n",
				pol->ops->name, id, serial);
	}
	mutex_unlock(&gvt_mmio_lock);
}

/**
 * gvt_bpf_mmio_init() - register gvt_mmio_ops
 *
 * Return: 0 or a negative errno.
 */
int gvt_bpf_mmio_init(void)
{
	RCU_INIT_POINTER(gvt_hooked_cur, gvt_hooked_bits[0]);
	return register_bpf_struct_ops(&gvt_mmio_struct_ops, gvt_mmio_ops);
}
