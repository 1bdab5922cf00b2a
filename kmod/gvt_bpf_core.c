// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: what the two struct_ops types share - the one kfunc set of the
 * module, the verifier's view of the programs' arguments, and the record
 * of every attached policy with its sysfs directory:
 *
 *   /sys/kernel/gvt/policies/<id>/   (<id>: a number never reused)
 *       name hook link_id parents state attached exit_kind exit_reason
 *       exit_msg exit_parent exit_vgpu exit_engine exit_waited_ns, and the
 *       hook's own files (MMIO: vgpu_serial priority ranges calls handled
 *       denied; scheduling: decisions timeout_ms flags)
 *
 * one value per file; `state` is notified (poll() for POLLPRI) when the
 * policy is ejected, so a loader can wait for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/ctype.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include "gvt.h"
#include "gvt_bpf.h"

static struct kobject *gvt_kobj;	/* /sys/kernel/gvt */
struct kobject *gvt_policies_kobj;	/* /sys/kernel/gvt/policies */
static atomic_t gvt_policy_seq = ATOMIC_INIT(0);	/* directory names */

/* ---- kfunc set ------------------------------------------------------------ */

/*
 * Every kfunc of the module, for struct_ops programs: the kernel takes one
 * set per module and program type. The MMIO ones act only on the access
 * being offered, the scheduling ones only inside a scheduling op;
 * elsewhere they refuse at run time. Defined in gvt_bpf_mmio.c and
 * gvt_bpf_sched.c, declared once in include/gvt/gvt_kfuncs.h.
 */
BTF_KFUNCS_START(gvt_kfunc_ids)
BTF_ID_FLAGS(func, gvt_reg_read, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gvt_reg_write, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gvt_raise_irq, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gvt_vgpu_attr, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, gvt_vgpu_has_work)
BTF_ID_FLAGS(func, gvt_vgpu_weight)
BTF_ID_FLAGS(func, gvt_vgpu_runtime)
BTF_ID_FLAGS(func, gvt_vgpu_next_waiting)
BTF_ID_FLAGS(func, gvt_waiting_mask)
BTF_ID_FLAGS(func, gvt_sched_first_vgpu)
BTF_ID_FLAGS(func, gvt_sched_parent)
BTF_ID_FLAGS(func, gvt_queue_insert)
BTF_ID_FLAGS(func, gvt_queue_pop)
BTF_ID_FLAGS(func, gvt_queue_peek)
BTF_ID_FLAGS(func, gvt_queue_remove)
BTF_ID_FLAGS(func, gvt_queue_len)
BTF_ID_FLAGS(func, gvt_queue_clock)
BTF_ID_FLAGS(func, gvt_queue_insert_vtime)
BTF_ID_FLAGS(func, gvt_sched_now)
BTF_ID_FLAGS(func, gvt_pick_slice)
BTF_ID_FLAGS(func, gvt_sched_preempt)
BTF_ID_FLAGS(func, gvt_sched_idle)
BTF_ID_FLAGS(func, gvt_policy_eject)
BTF_KFUNCS_END(gvt_kfunc_ids)

static const struct btf_kfunc_id_set gvt_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &gvt_kfunc_ids,
};

/* the programs' arguments are read-only, for both struct_ops types */
bool gvt_bpf_is_valid_access(int off, int size, enum bpf_access_type type,
			     const struct bpf_prog *prog,
			     struct bpf_insn_access_aux *info)
{
	if (type != BPF_READ)
		return false;
	return btf_ctx_access(off, size, type, prog, info);
}

/**
 * gvt_policy_name_cpy() - copy a policy's name from its struct_ops data
 * @dst: where
 * @src: the name, which must be a non-empty NUL-terminated string of
 *	printable characters without spaces
 * @len: room in both
 *
 * Return: 0, or -EINVAL for a bad name.
 */
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
	return 0;
}

/**
 * gvt_parents_resolve() - the parents a policy's mask names
 * @mask: bit i for parent gvt<i>, GVT_PARENTS_ALL for all of them
 *
 * Return: the mask of existing parents it names, 0 if it names one that
 * does not exist.
 */
u64 gvt_parents_resolve(u64 mask)
{
	u64 all = gvt_nr_parents >= 64 ? ~0ull : (1ull << gvt_nr_parents) - 1;

	if (mask == GVT_PARENTS_ALL)
		return all;
	return mask & ~all ? 0 : mask;
}

/* ---- policy records in sysfs --------------------------------------------- */

static struct gvt_policy *kobj_to_policy(struct kobject *kobj)
{
	return container_of(kobj, struct gvt_policy, kobj);
}

static const char * const gvt_state_names[] = {
	[GVT_POLICY_ACTIVE] = "active",
	[GVT_POLICY_EJECTED] = "ejected",
	[GVT_POLICY_ORPHANED] = "orphaned",
};

static const char * const gvt_hook_names[] = {
	[GVT_HOOK_MMIO] = "mmio",
	[GVT_HOOK_SCHED] = "sched",
};

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", kobj_to_policy(kobj)->name);
}

static ssize_t hook_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  gvt_hook_names[kobj_to_policy(kobj)->hook]);
}

/*
 * The id of the policy's BPF link (what a loader's pin names), read when
 * asked: the kernel numbers a link only once it is attached.
 */
static ssize_t link_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct bpf_link *link = kobj_to_policy(kobj)->link;

	return sysfs_emit(buf, "%u\n", link ? READ_ONCE(link->id) : 0);
}

static ssize_t parents_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%#llx\n", kobj_to_policy(kobj)->parents);
}

static ssize_t attached_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (long long)kobj_to_policy(kobj)->attached);
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct gvt_policy *pol = kobj_to_policy(kobj);
	enum gvt_policy_state st;

	spin_lock(&pol->lock);
	st = pol->state;
	spin_unlock(&pol->lock);
	return sysfs_emit(buf, "%s\n", gvt_state_names[st]);
}

/* one field of the exit record, copied under the lock */
#define GVT_EXIT_ATTR(field, fmt)					\
static ssize_t exit_##field##_show(struct kobject *kobj,		\
				   struct kobj_attribute *attr,		\
				   char *buf)				\
{									\
	struct gvt_policy *pol = kobj_to_policy(kobj);			\
	struct gvt_exit_info ei;					\
									\
	spin_lock(&pol->lock);						\
	ei = pol->exit;							\
	spin_unlock(&pol->lock);					\
	return sysfs_emit(buf, fmt "\n", ei.field);			\
}									\
static struct kobj_attribute gvt_exit_##field##_attr =			\
	__ATTR(exit_##field, 0444, exit_##field##_show, NULL)

GVT_EXIT_ATTR(kind, "%u");
GVT_EXIT_ATTR(reason, "%s");
GVT_EXIT_ATTR(msg, "%s");
GVT_EXIT_ATTR(parent, "%u");
GVT_EXIT_ATTR(vgpu, "%u");
GVT_EXIT_ATTR(engine, "%u");
GVT_EXIT_ATTR(waited_ns, "%llu");

static struct kobj_attribute gvt_name_attr = __ATTR_RO(name);
static struct kobj_attribute gvt_hook_attr = __ATTR_RO(hook);
static struct kobj_attribute gvt_link_id_attr = __ATTR_RO(link_id);
static struct kobj_attribute gvt_parents_attr = __ATTR_RO(parents);
static struct kobj_attribute gvt_attached_attr = __ATTR_RO(attached);
static struct kobj_attribute gvt_state_attr = __ATTR_RO(state);

static struct attribute *gvt_policy_attrs[] = {
	&gvt_name_attr.attr,
	&gvt_hook_attr.attr,
	&gvt_link_id_attr.attr,
	&gvt_parents_attr.attr,
	&gvt_attached_attr.attr,
	&gvt_state_attr.attr,
	&gvt_exit_kind_attr.attr,
	&gvt_exit_reason_attr.attr,
	&gvt_exit_msg_attr.attr,
	&gvt_exit_parent_attr.attr,
	&gvt_exit_vgpu_attr.attr,
	&gvt_exit_engine_attr.attr,
	&gvt_exit_waited_ns_attr.attr,
	NULL,
};

/* every policy's files; each hook's kobj_type adds its own */
const struct attribute_group gvt_policy_group = {
	.attrs = gvt_policy_attrs,
};

static const char *gvt_exit_reason(enum gvt_exit_kind kind)
{
	switch (kind) {
	case GVT_EXIT_NONE:
		return "";
	case GVT_EXIT_DETACHED:
		return "detached";
	case GVT_EXIT_SELF:
		return "ejected itself";
	case GVT_EXIT_BAD_DECISION:
		return "the kernel refused a decision";
	case GVT_EXIT_STALL:
		return "a vGPU waited too long";
	case GVT_EXIT_REFUSED_VGPU:
		return "refused a vGPU";
	case GVT_EXIT_VGPU_GONE:
		return "its vGPU is gone";
	}
	return "?";
}

/**
 * gvt_policy_add() - give an attached policy its record and sysfs directory
 * @pol: the record, embedded in the hook's own, zeroed
 * @ktype: the hook's kobj_type: its files (gvt_policy_group and its own)
 *	and the release that frees the hook's record
 * @hook: GVT_HOOK_*
 * @name: the policy's name (from its struct_ops data)
 * @parents: the parents it acts on (a resolved mask)
 * @link: its BPF link (NULL when attached without one)
 * @id: the directory's name: 0 for a new one, or the id of the record this
 *	one replaces on the same link (whose directory is gone already)
 *
 * From here on the record is freed by gvt_policy_del() (kobject_put).
 *
 * Return: 0 or a negative errno; the record is freed on error too.
 */
int gvt_policy_add(struct gvt_policy *pol, const struct kobj_type *ktype,
		   enum gvt_policy_hook hook, const char *name, u64 parents,
		   struct bpf_link *link, u32 id)
{
	int ret;

	pol->id = id ?: atomic_inc_return(&gvt_policy_seq);
	pol->link = link;
	pol->hook = hook;
	strscpy(pol->name, name, sizeof(pol->name));
	pol->parents = parents;
	pol->attached = ktime_get_real_seconds();
	spin_lock_init(&pol->lock);
	pol->state = GVT_POLICY_ACTIVE;
	ret = kobject_init_and_add(&pol->kobj, ktype, gvt_policies_kobj, "%u",
				   pol->id);
	if (ret)
		kobject_put(&pol->kobj);
	return ret;
}

/**
 * gvt_policy_del() - remove a policy's directory and drop its record
 * @pol: the record; freed once no sysfs reader holds it
 */
void gvt_policy_del(struct gvt_policy *pol)
{
	/* a record replaced on its link gave its directory up already */
	if (pol->kobj.state_in_sysfs)
		gvt_policy_unlist(pol);
	kobject_put(&pol->kobj);
}

/**
 * gvt_policy_unlist() - take a policy's directory out of sysfs
 * @pol: the record, in sysfs
 *
 * Whoever polls its state file is woken first, and finds the file gone
 * (detached) or, under the same name, the record that replaced it.
 */
void gvt_policy_unlist(struct gvt_policy *pol)
{
	sysfs_notify(&pol->kobj, NULL, "state");
	kobject_del(&pol->kobj);
}

bool gvt_policy_set_exit(struct gvt_policy *pol, enum gvt_policy_state state,
			 enum gvt_exit_kind kind, u32 parent, u32 vgpu,
			 u32 engine, u64 waited_ns, const char *fmt, ...)
{
	struct gvt_exit_info *ei = &pol->exit;
	unsigned long flags;
	bool first;
	va_list ap;

	spin_lock_irqsave(&pol->lock, flags);
	first = ei->kind == GVT_EXIT_NONE;
	if (first) {
		ei->kind = kind;
		ei->parent = parent;
		ei->vgpu = vgpu;
		ei->engine = engine;
		ei->waited_ns = waited_ns;
		strscpy(ei->reason, gvt_exit_reason(kind), sizeof(ei->reason));
		va_start(ap, fmt);
		vsnprintf(ei->msg, sizeof(ei->msg), fmt, ap);
		va_end(ap);
		pol->state = state;
	}
	spin_unlock_irqrestore(&pol->lock, flags);
	if (first && state != GVT_POLICY_ACTIVE)
		sysfs_notify(&pol->kobj, NULL, "state");
	return first;
}

/* ---- the stats event ---------------------------------------------------- */

/**
 * gvt_stats_event() - the counters of a vGPU changed
 * @vgpu_id: the vGPU
 * @stats: its counters, stable while the caller holds the vGPU's lock
 *
 * An attach point for tracing programs (fentry), such as
 * bpf/vgpu_stats.bpf.c, which mirrors the record into a pinned map. It
 * does nothing itself and must stay a real call for the attach point to
 * exist.
 */
noinline void gvt_stats_event(u32 vgpu_id, const struct gvt_vgpu_stats *stats)
{
	/* keeps the call and the arguments from being optimized away */
	asm volatile("" : : "r"(vgpu_id), "r"(stats) : "memory");
}

/**
 * gvt_bpf_vgpu_gone() - a vGPU is being released
 * @id: its id, which the next vGPU in its slot gets
 * @serial: its serial, which nobody gets again
 */
void gvt_bpf_vgpu_gone(u32 id, u64 serial)
{
	gvt_bpf_mmio_vgpu_gone(id, serial);
}

/**
 * gvt_bpf_parent_gone() - a parent is going away (module unload)
 * @p: the parent, without vGPUs
 */
void gvt_bpf_parent_gone(struct gvt_parent *p)
{
	gvt_bpf_sched_parent_gone(p);
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

	gvt_kobj = kobject_create_and_add("gvt", kernel_kobj);
	if (!gvt_kobj)
		return -ENOMEM;
	gvt_policies_kobj = kobject_create_and_add("policies", gvt_kobj);
	if (!gvt_policies_kobj) {
		kobject_put(gvt_kobj);
		return -ENOMEM;
	}
	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					&gvt_kfunc_set);
	ret = ret ?: gvt_bpf_mmio_init();
	ret = ret ?: gvt_bpf_sched_init();
	if (ret)
		gvt_bpf_exit();
	return ret;
}

/**
 * gvt_bpf_exit() - remove the sysfs directories (no policy is attached)
 */
void gvt_bpf_exit(void)
{
	kobject_put(gvt_policies_kobj);
	kobject_put(gvt_kobj);
}
