// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: the programmable hot paths. The module registers the
 * gvt_mmio_ops struct_ops type (include/gvt/gvt_bpf.h); policies attached
 * through it see trapped register accesses before the built-in handler.
 *
 * Attached policies live on an RCU list sorted by priority. The MMIO path
 * walks it under rcu_read_lock with the vGPU's lock held; attach, detach
 * and live replacement take gvt_policy_lock and wait for a grace period
 * before freeing, so a running hook never sees a freed policy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/jump_label.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "gvt.h"
#include "gvt_bpf_ops.h"

/* one attached gvt_mmio_ops */
struct gvt_mmio_policy {
	struct list_head node;
	struct gvt_mmio_ops *ops;	/* the struct_ops map's kernel copy */
	time64_t attached;		/* wall clock, seconds */
	u64 seq;			/* attach order */
	bool orphaned;			/* its vGPU is gone: it runs no more */
	atomic64_t calls;
	atomic64_t handled;
	atomic64_t denied;
	struct rcu_head rcu;
};

static DEFINE_MUTEX(gvt_policy_lock);
static LIST_HEAD(gvt_mmio_policies);
static u64 gvt_policy_seq;
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
 * attached.
 */
int gvt_bpf_mmio_hook(void *priv, u32 off, u32 size, u32 *val, bool write)
{
	struct gvt_vgpu *vgpu = priv;
	struct gvt_mmio_policy *p;
	struct gvt_mmio_ctx ctx;
	int verdict = GVT_MMIO_PASS;

	if (!static_branch_unlikely(&gvt_mmio_hooked) || off >= GVT_MMIO_SIZE)
		return GVT_MMIO_PASS;
	rcu_read_lock();
	if (!test_bit(off / 4, rcu_dereference(gvt_hooked_cur))) {
		rcu_read_unlock();
		return GVT_MMIO_PASS;
	}

	ctx.vgpu = vgpu;
	ctx.a.vgpu_id = vgpu->model->p.id;
	ctx.a.offset = off;
	ctx.a.size = size;
	ctx.a.value = write ? *val : 0;
	ctx.a.type_div = vgpu->model->p.type_div;
	ctx.a.is_write = write;

	preempt_disable();
	this_cpu_write(gvt_mmio_cur, &ctx);
	list_for_each_entry_rcu(p, &gvt_mmio_policies, node) {
		const struct gvt_mmio_ops *ops = p->ops;
		int (*fn)(struct gvt_mmio_access *a);

		fn = write ? ops->write : ops->read;
		if (!fn || (ops->vgpu_serial && ops->vgpu_serial != vgpu->serial) ||
		    !gvt_mmio_in_ranges(ops, off))
			continue;
		atomic64_inc(&p->calls);
		verdict = fn(&ctx.a);
		if (verdict == GVT_MMIO_HANDLED) {
			atomic64_inc(&p->handled);
			break;
		}
		if (verdict == GVT_MMIO_DENY) {
			atomic64_inc(&p->denied);
			break;
		}
		/* anything else means "not mine" */
		verdict = GVT_MMIO_PASS;
	}
	this_cpu_write(gvt_mmio_cur, NULL);
	preempt_enable();
	rcu_read_unlock();

	if (verdict == GVT_MMIO_HANDLED || (write && verdict == GVT_MMIO_PASS))
		*val = ctx.a.value;
	return verdict;
}

/**
 * gvt_stats_event() - the counters of a vGPU changed
 * @vgpu_id: the vGPU
 * @stats: its counters, stable while the caller holds the vGPU's lock
 *
 * An attach point for tracing programs (fentry), such as bpf/stats.bpf.c,
 * which mirrors the record into a pinned map. It does nothing itself and
 * must stay a real call for the attach point to exist.
 */
noinline void gvt_stats_event(u32 vgpu_id, const struct gvt_vgpu_stats *stats)
{
	/* keeps the call and the arguments from being optimized away */
	asm volatile("" : : "r"(vgpu_id), "r"(stats) : "memory");
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
		return m->p.weight;
	case GVT_ATTR_APERTURE_SIZE:
		return m->p.aperture_size;
	case GVT_ATTR_HIDDEN_SIZE:
		return m->p.hidden_size;
	case GVT_ATTR_STATUS:
		return gvt_reg(m, GVT_REGIDX_STATUS);
	default:
		return 0;
	}
}

__bpf_kfunc_end_defs();

/*
 * Every kfunc of the module, for struct_ops programs: the kernel takes one
 * set per module and program type. The MMIO ones act only on the access
 * being offered, the scheduling ones (gvt_bpf_sched.c) only inside a
 * scheduling op; elsewhere they refuse at run time.
 */
BTF_KFUNCS_START(gvt_kfunc_ids)
BTF_ID_FLAGS(func, gvt_reg_read, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gvt_reg_write, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gvt_raise_irq, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gvt_vgpu_attr, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gvt_vgpu_has_work)
BTF_ID_FLAGS(func, gvt_vgpu_weight)
BTF_KFUNCS_END(gvt_kfunc_ids)

static const struct btf_kfunc_id_set gvt_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &gvt_kfunc_ids,
};

/* ---- gvt_mmio_ops struct_ops -------------------------------------------- */

BTF_ID_LIST(gvt_bpf_btf_ids)
BTF_ID(struct, gvt_mmio_access)

static const struct btf_type *gvt_mmio_access_type;

static int gvt_mmio_ops_init(struct btf *btf)
{
	gvt_mmio_access_type = btf_type_by_id(btf, gvt_bpf_btf_ids[0]);
	return gvt_mmio_access_type ? 0 : -EINVAL;
}

/* the programs' arguments are read-only, for both struct_ops types */
bool gvt_bpf_is_valid_access(int off, int size, enum bpf_access_type type,
			     const struct bpf_prog *prog,
			     struct bpf_insn_access_aux *info)
{
	if (type != BPF_READ)
		return false;
	return btf_ctx_access(off, size, type, prog, info);
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

/* copies a policy name, which must be a non-empty NUL-terminated string */
int gvt_policy_name_cpy(char *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len);
	size_t i;

	if (!n || n == len)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!isgraph(src[i]))
			return -EINVAL;
	memcpy(dst, src, n + 1);
	return 1;
}

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
	case offsetof(struct gvt_mmio_ops, priority):
		ops->priority = uops->priority;
		return 1;
	case offsetof(struct gvt_mmio_ops, name):
		return gvt_policy_name_cpy(ops->name, uops->name,
					   sizeof(ops->name));
	}
	return 0;
}

static int gvt_mmio_ops_validate(void *kdata)
{
	const struct gvt_mmio_ops *ops = kdata;

	return ops->read || ops->write ? 0 : -EINVAL;
}

/* caller holds gvt_policy_lock; publishes the union of hooked ranges */
static void gvt_hooked_rebuild(void)
{
	unsigned long *cur = rcu_dereference_protected(gvt_hooked_cur,
					lockdep_is_held(&gvt_policy_lock));
	unsigned long *next = cur == gvt_hooked_bits[0] ?
			      gvt_hooked_bits[1] : gvt_hooked_bits[0];
	struct gvt_mmio_policy *p;
	int i;

	/* readers of the spare one, from before the last swap, are gone */
	synchronize_rcu();
	bitmap_zero(next, GVT_MMIO_DWORDS);
	list_for_each_entry(p, &gvt_mmio_policies, node) {
		const struct gvt_mmio_range *r = p->ops->ranges;

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

/* caller holds gvt_policy_lock */
static void gvt_mmio_insert(struct gvt_mmio_policy *np)
{
	struct gvt_mmio_policy *p;

	list_for_each_entry(p, &gvt_mmio_policies, node) {
		if (gvt_mmio_before(np, p)) {
			list_add_tail_rcu(&np->node, &p->node);
			return;
		}
	}
	list_add_tail_rcu(&np->node, &gvt_mmio_policies);
}

/* caller holds gvt_policy_lock */
static struct gvt_mmio_policy *gvt_mmio_find(const void *kdata)
{
	struct gvt_mmio_policy *p;

	list_for_each_entry(p, &gvt_mmio_policies, node)
		if (p->ops == kdata)
			return p;
	return NULL;
}

static struct gvt_mmio_policy *gvt_mmio_policy_new(void *kdata)
{
	struct gvt_mmio_policy *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->ops = kdata;
	p->attached = ktime_get_real_seconds();
	return p;
}

/* a live vGPU has this serial (0: no binding, always fine) */
static bool gvt_serial_live(u64 serial)
{
	struct gvt_parent *parent = gvt_parent;
	struct gvt_vgpu *v;
	bool live = false;

	if (!serial)
		return true;
	if (!parent)
		return false;
	mutex_lock(&parent->lock);
	list_for_each_entry(v, &parent->vgpus, node)
		if (v->serial == serial)
			live = true;
	mutex_unlock(&parent->lock);
	return live;
}

static int gvt_mmio_ops_reg(void *kdata, struct bpf_link *link)
{
	struct gvt_mmio_policy *p;

	if (!gvt_serial_live(((struct gvt_mmio_ops *)kdata)->vgpu_serial))
		return -ENODEV;
	p = gvt_mmio_policy_new(kdata);
	if (!p)
		return -ENOMEM;
	mutex_lock(&gvt_policy_lock);
	p->seq = ++gvt_policy_seq;
	gvt_mmio_insert(p);
	gvt_hooked_rebuild();
	static_branch_inc(&gvt_mmio_hooked);
	mutex_unlock(&gvt_policy_lock);
	pr_info("mmio policy %s attached (vGPU serial %llu, priority %d)\n",
		p->ops->name, p->ops->vgpu_serial, p->ops->priority);
	return 0;
}

static void gvt_mmio_ops_unreg(void *kdata, struct bpf_link *link)
{
	struct gvt_mmio_policy *p;

	mutex_lock(&gvt_policy_lock);
	p = gvt_mmio_find(kdata);
	if (p) {
		list_del_rcu(&p->node);
		gvt_hooked_rebuild();
		static_branch_dec(&gvt_mmio_hooked);
	}
	mutex_unlock(&gvt_policy_lock);
	if (!p)
		return;
	pr_info("mmio policy %s detached\n", p->ops->name);
	/* the map's copy of the ops may go once no hook can still see it */
	synchronize_rcu();
	kfree(p);
}

/* live replacement on the same link: one list swap, no gap */
static int gvt_mmio_ops_update(void *kdata, void *old_kdata,
			       struct bpf_link *link)
{
	struct gvt_mmio_policy *old, *np;

	if (!gvt_serial_live(((struct gvt_mmio_ops *)kdata)->vgpu_serial))
		return -ENODEV;
	np = gvt_mmio_policy_new(kdata);
	if (!np)
		return -ENOMEM;
	mutex_lock(&gvt_policy_lock);
	old = gvt_mmio_find(old_kdata);
	if (!old) {
		mutex_unlock(&gvt_policy_lock);
		kfree(np);
		return -ENOENT;
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
	mutex_unlock(&gvt_policy_lock);
	pr_info("mmio policy %s replaced by %s\n", old->ops->name,
		np->ops->name);
	synchronize_rcu();
	kfree(old);
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
 * gvt_bpf_vgpu_gone() - a vGPU is being released
 * @id: its id, which the next vGPU in its slot gets
 * @serial: its serial, which nobody gets again
 *
 * MMIO policies bound to it can never run again (their serial matches no
 * vGPU); they are marked orphaned, so that the operator sees them as such
 * until they are detached.
 */
void gvt_bpf_vgpu_gone(u32 id, u64 serial)
{
	struct gvt_mmio_policy *p;

	mutex_lock(&gvt_policy_lock);
	list_for_each_entry(p, &gvt_mmio_policies, node) {
		if (p->ops->vgpu_serial != serial || p->orphaned)
			continue;
		p->orphaned = true;
		pr_info("mmio policy %s: its vGPU %u (serial %llu) is gone\n",
			p->ops->name, id, serial);
	}
	mutex_unlock(&gvt_policy_lock);
}

/**
 * gvt_bpf_policies_show() - describe the attached policies, one a line
 * @buf: a sysfs page
 *
 * Return: bytes written.
 */
ssize_t gvt_bpf_policies_show(char *buf)
{
	struct gvt_mmio_policy *p;
	int len = 0;

	mutex_lock(&gvt_policy_lock);
	list_for_each_entry(p, &gvt_mmio_policies, node)
		len += sysfs_emit_at(buf, len,
				     "mmio %s serial=%llu state=%s priority=%d attached=%lld calls=%lld handled=%lld denied=%lld\n",
				     p->ops->name, p->ops->vgpu_serial,
				     p->orphaned ? "orphaned" : "active",
				     p->ops->priority, (long long)p->attached,
				     (long long)atomic64_read(&p->calls),
				     (long long)atomic64_read(&p->handled),
				     (long long)atomic64_read(&p->denied));
	mutex_unlock(&gvt_policy_lock);
	return gvt_bpf_sched_show(buf, len);
}

/**
 * gvt_bpf_init() - register the struct_ops types and kfuncs
 *
 * The types stay registered until the module goes; attached policies hold
 * a module reference, so the module cannot go under them.
 *
 * Return: 0 or a negative errno.
 */
int gvt_bpf_init(void)
{
	int ret;

	RCU_INIT_POINTER(gvt_hooked_cur, gvt_hooked_bits[0]);
	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					&gvt_kfunc_set);
	ret = ret ?: register_bpf_struct_ops(&gvt_mmio_struct_ops,
					     gvt_mmio_ops);
	ret = ret ?: gvt_bpf_sched_init();
	return ret;
}
