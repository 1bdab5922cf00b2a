// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: GPU virtualization by mediated pass-through with programmable
 * hot paths. This file holds the mdev parents - simulated physical GPUs -
 * their vGPU types, the resource split between vGPUs and the sysfs view.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/sysfs.h>
#include <linux/bitmap.h>
#include <linux/log2.h>
#include "gvt.h"
#include "gvt_bpf.h"

static unsigned int parents = 1;
module_param(parents, uint, 0444);
MODULE_PARM_DESC(parents, "simulated physical GPUs, gvt0.. (1 to 8), each with its own engines and scheduler");

static unsigned int aperture_mb = GVT_DEFAULT_APERTURE_MB;
module_param(aperture_mb, uint, 0444);
MODULE_PARM_DESC(aperture_mb, "CPU-visible graphics memory of each parent, MiB (power of two)");

static unsigned int hidden_mb = GVT_DEFAULT_HIDDEN_MB;
module_param(hidden_mb, uint, 0444);
MODULE_PARM_DESC(hidden_mb, "graphics memory behind the aperture, MiB (multiple of 64)");

static unsigned int fences = GVT_DEFAULT_FENCES;
module_param(fences, uint, 0444);
MODULE_PARM_DESC(fences, "fence registers of each parent (multiple of 64)");

static unsigned int contexts = GVT_DEFAULT_CONTEXTS;
module_param(contexts, uint, 0444);
MODULE_PARM_DESC(contexts, "hardware contexts of each parent (multiple of 64)");

static const struct class gvt_class = {
	.name = GVT_CLASS_NAME,
};

static struct mdev_driver gvt_mdev_driver;

struct gvt_parent *gvt_parents[GVT_MAX_PARENTS];
u32 gvt_nr_parents;

/* the type divisors, from the one list */
#define GVT_TYPE_DIV_ENTRY(div) div,
static const u32 gvt_type_divs[GVT_NUM_TYPES] = {
	GVT_TYPE_DIVS(GVT_TYPE_DIV_ENTRY)
};

#undef GVT_TYPE_DIV_ENTRY

static struct gvt_type *to_gvt_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct gvt_type, type);
}

static struct gvt_parent *mtype_to_parent(struct mdev_type *mtype)
{
	return container_of(mtype->parent, struct gvt_parent, mdev_parent);
}

static u32 gvt_type_slots(u32 div)
{
	return GVT_MAX_DIV / div;
}

/*
 * Aligned runs of @n free slots from slot @from on: the first one's slot,
 * or GVT_MAX_DIV when there is none; caller holds parent->lock.
 */
static u32 gvt_free_run(struct gvt_parent *parent, u32 n, u32 from)
{
	u32 s;

	for (s = from; s < GVT_MAX_DIV; s += n)
		if (!(parent->slots & (GENMASK_ULL(n - 1, 0) << s)))
			return s;
	return GVT_MAX_DIV;
}

/* how many vGPUs of @n slots fit now; caller holds parent->lock */
static unsigned int gvt_free_runs(struct gvt_parent *parent, u32 n)
{
	unsigned int runs = 0;
	u32 s;

	for (s = gvt_free_run(parent, n, 0); s < GVT_MAX_DIV;
	     s = gvt_free_run(parent, n, s + n))
		runs++;
	return runs;
}

static atomic64_t gvt_serial;

/**
 * gvt_next_serial() - a vGPU serial number, never given out twice
 *
 * Counting from the module's load time in ns, so a reload does not give
 * out the numbers of the previous load either.
 *
 * Return: the serial.
 */
u64 gvt_next_serial(void)
{
	return atomic64_inc_return(&gvt_serial);
}

/**
 * gvt_parent_claim() - reserve the resources of a new vGPU
 * @parent: the parent GPU
 * @vgpu: the vGPU, whose type is set
 * @p: filled with the vGPU's share and identity
 *
 * A V1_n vGPU takes an aligned run of 8/n slots; its aperture and hidden
 * graphics memory are the matching slices of the parent's, so ranges of
 * different vGPUs never overlap.
 *
 * Return: 0, or -ENOSPC when no run of that size is free.
 */
int gvt_parent_claim(struct gvt_parent *parent, struct gvt_vgpu *vgpu,
		     struct gvt_vgpu_params *p)
{
	u32 n = gvt_type_slots(vgpu->type->div);
	u32 ap_slot = parent->aperture_size / GVT_MAX_DIV;
	u32 hid_slot = parent->hidden_size / GVT_MAX_DIV;
	u32 s;

	mutex_lock(&parent->lock);
	s = gvt_free_run(parent, n, 0);
	if (s >= GVT_MAX_DIV) {
		mutex_unlock(&parent->lock);
		return -ENOSPC;
	}
	parent->slots |= GENMASK_ULL(n - 1, 0) << s;
	vgpu->slot = s;
	vgpu->sched_id = s + 1;
	INIT_LIST_HEAD(&vgpu->node);
	mutex_unlock(&parent->lock);

	memset(p, 0, sizeof(*p));
	p->id = parent->id_base + s + 1;
	p->type_div = vgpu->type->div;
	p->weight = GVT_WEIGHT_FULL / vgpu->type->div;
	p->aperture_base = s * ap_slot;
	p->aperture_size = n * ap_slot;
	p->hidden_base = parent->aperture_size + s * hid_slot;
	p->hidden_size = n * hid_slot;
	p->fences = n * (parent->fences / GVT_MAX_DIV);
	p->contexts = n * (parent->contexts / GVT_MAX_DIV);
	return 0;
}

/**
 * gvt_parent_publish() - put a fully built vGPU on the parent's list
 * @parent: the parent GPU
 * @vgpu: the vGPU, its model initialized
 */
void gvt_parent_publish(struct gvt_parent *parent, struct gvt_vgpu *vgpu)
{
	mutex_lock(&parent->lock);
	list_add_tail(&vgpu->node, &parent->vgpus);
	mutex_unlock(&parent->lock);
}

/**
 * gvt_parent_unpublish() - take a vGPU off the parent's list
 * @parent: the parent GPU
 * @vgpu: the vGPU, about to go: no walker of the list sees it from now on
 */
void gvt_parent_unpublish(struct gvt_parent *parent, struct gvt_vgpu *vgpu)
{
	mutex_lock(&parent->lock);
	list_del_init(&vgpu->node);
	mutex_unlock(&parent->lock);
}

/**
 * gvt_parent_release() - give a vGPU's slots back to the parent
 * @parent: the parent GPU
 * @vgpu: the vGPU, off the list and off the engines
 */
void gvt_parent_release(struct gvt_parent *parent, struct gvt_vgpu *vgpu)
{
	u32 n = gvt_type_slots(vgpu->type->div);

	mutex_lock(&parent->lock);
	list_del_init(&vgpu->node);
	parent->slots &= ~(GENMASK_ULL(n - 1, 0) << vgpu->slot);
	mutex_unlock(&parent->lock);
}

/**
 * gvt_vgpu_find_locked() - the vGPU of a global id
 * @id: the id (gvt_abi.h)
 * @parent: its parent, whose lock is held on return when a vGPU is found
 *
 * Only whole vGPUs are on the lists, and the lock keeps the vGPU from
 * being released until the caller unlocks.
 *
 * Return: the vGPU, or NULL (no lock held then).
 */
struct gvt_vgpu *gvt_vgpu_find_locked(u32 id, struct gvt_parent **parent)
{
	struct gvt_parent *p;
	struct gvt_vgpu *v;
	u32 i = GVT_VGPU_PARENT(id);

	if (!id || id > GVT_MAX_VGPU_ID || i >= gvt_nr_parents)
		return NULL;
	p = gvt_parents[i];
	mutex_lock(&p->lock);
	list_for_each_entry(v, &p->vgpus, node) {
		if (gvt_vgpu_id(v) == id) {
			*parent = p;
			return v;
		}
	}
	mutex_unlock(&p->lock);
	return NULL;
}

/* ---- mdev driver ------------------------------------------------------- */

static int gvt_probe(struct mdev_device *mdev)
{
	struct gvt_vgpu *vgpu;
	int ret;

	vgpu = vfio_alloc_device(gvt_vgpu, vdev, &mdev->dev, &gvt_vfio_ops);
	if (IS_ERR(vgpu))
		return PTR_ERR(vgpu);

	ret = vfio_register_emulated_iommu_dev(&vgpu->vdev);
	if (ret) {
		vfio_put_device(&vgpu->vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, vgpu);
	dev_info(&mdev->dev, "vGPU %u created on %s, type %s\n",
		 gvt_vgpu_id(vgpu), dev_name(&vgpu->parent->dev),
		 vgpu->type->name);
	return 0;
}

static void gvt_remove(struct mdev_device *mdev)
{
	struct gvt_vgpu *vgpu = dev_get_drvdata(&mdev->dev);

	/* waits for open fds to close; the request op asks their owner */
	vfio_unregister_group_dev(&vgpu->vdev);
	vfio_put_device(&vgpu->vdev);
}

static unsigned int gvt_get_available(struct mdev_type *mtype)
{
	struct gvt_parent *p = mtype_to_parent(mtype);
	unsigned int n;

	mutex_lock(&p->lock);
	n = gvt_free_runs(p, gvt_type_slots(to_gvt_type(mtype)->div));
	mutex_unlock(&p->lock);
	return n;
}

static ssize_t gvt_show_description(struct mdev_type *mtype, char *buf)
{
	struct gvt_type *t = to_gvt_type(mtype);
	struct gvt_parent *p = mtype_to_parent(mtype);

	/* KiB: a small share of the aperture is less than a MiB */
	return sysfs_emit(buf,
			  "1/%u of %s: aperture %u KiB, hidden %u KiB, fences %u, contexts %u, weight %u\n",
			  t->div, dev_name(&p->dev),
			  p->aperture_size / t->div >> 10,
			  p->hidden_size / t->div >> 10, p->fences / t->div,
			  p->contexts / t->div, GVT_WEIGHT_FULL / t->div);
}

/* ---- per-vGPU sysfs: /sys/bus/mdev/devices/<uuid>/gvt/ ---------------- */

static struct gvt_vgpu *dev_to_vgpu(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t vgpu_id_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", gvt_vgpu_id(dev_to_vgpu(dev)));
}
static DEVICE_ATTR_RO(vgpu_id);

/* the index of the parent GPU the vGPU lives on */
static ssize_t parent_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_vgpu(dev)->parent->index);
}
static DEVICE_ATTR_RO(parent);

/* what a policy bound to this vGPU names: unlike the id, never reused */
static ssize_t serial_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n", dev_to_vgpu(dev)->serial);
}
static DEVICE_ATTR_RO(serial);

static ssize_t type_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", dev_to_vgpu(dev)->type->name);
}
static DEVICE_ATTR_RO(type);

static ssize_t weight_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct gvt_vgpu *vgpu = dev_to_vgpu(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(vgpu->model->p.weight));
}

static ssize_t weight_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct gvt_vgpu *vgpu = dev_to_vgpu(dev);
	u32 w;
	int ret;

	ret = kstrtou32(buf, 0, &w);
	if (ret)
		return ret;
	if (w < GVT_WEIGHT_MIN || w > GVT_WEIGHT_MAX)
		return -ERANGE;
	mutex_lock(&vgpu->lock);
	vgpu->model->p.weight = w;
	vgpu->model->regs[GVT_REGIDX_PV_WEIGHT] = w;
	gvt_engine_set_weight(vgpu, w);
	mutex_unlock(&vgpu->lock);
	return count;
}
static DEVICE_ATTR_RW(weight);

/* the vGPU's scheduling time slice, us; 0 = the default (1 ms) */
static ssize_t timeslice_us_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  div_u64(gvt_engine_slice(dev_to_vgpu(dev)),
				  NSEC_PER_USEC));
}

static ssize_t timeslice_us_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	u32 us;
	int ret;

	ret = kstrtou32(buf, 0, &us);
	if (ret)
		return ret;
	ret = gvt_engine_set_slice(dev_to_vgpu(dev), (u64)us * NSEC_PER_USEC);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(timeslice_us);

static ssize_t status_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct gvt_vgpu *vgpu = dev_to_vgpu(dev);
	u32 st = READ_ONCE(vgpu->model->regs[GVT_REGIDX_STATUS]);

	return sysfs_emit(buf, "%s\n", st & GVT_STATUS_FAILED ? "failed" : "ok");
}
static DEVICE_ATTR_RO(status);

/*
 * The counters are read without the vGPU's lock, each one whole (aligned
 * 64-bit words): a vGPU stalled on its own guest memory holds its lock,
 * and must not stall its operator too.
 */
static u64 gvt_stat_read(struct gvt_vgpu *vgpu, size_t off)
{
	u64 v;

	/* kept by the scheduler core, under its own lock */
	if (off == offsetof(struct gvt_vgpu_stats, policy_ejections)) {
		spin_lock(&vgpu->parent->sched_lock);
		v = vgpu->parent->sched.v[vgpu->sched_id].ejections;
		spin_unlock(&vgpu->parent->sched_lock);
		return v;
	}
	return READ_ONCE(*(u64 *)((u8 *)&vgpu->model->stats + off));
}

/* <uuid>/gvt_stats/<counter>: one file per counter of gvt_vgpu_stats */
struct gvt_stat_attr {
	struct device_attribute attr;
	size_t off;
};

static ssize_t gvt_stat_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	const struct gvt_stat_attr *sa =
		container_of(attr, struct gvt_stat_attr, attr);

	return sysfs_emit(buf, "%llu\n", gvt_stat_read(dev_to_vgpu(dev), sa->off));
}

#define GVT_STAT_ATTR(counter) \
	{ .attr = { .attr = { .name = #counter, .mode = 0444 }, \
		    .show = gvt_stat_show }, \
	  .off = offsetof(struct gvt_vgpu_stats, counter) },
static struct gvt_stat_attr gvt_stat_attrs[] = {
	GVT_STATS_LIST(GVT_STAT_ATTR)
};

#undef GVT_STAT_ATTR

/* filled from gvt_stat_attrs at load; NULL-terminated */
static struct attribute *gvt_stats_attrs[ARRAY_SIZE(gvt_stat_attrs) + 1];

static const struct attribute_group gvt_stats_group = {
	.name = GVT_SYSFS_STATS_GROUP,
	.attrs = gvt_stats_attrs,
};

static struct attribute *gvt_vgpu_attrs[] = {
	&dev_attr_vgpu_id.attr,
	&dev_attr_serial.attr,
	&dev_attr_parent.attr,
	&dev_attr_type.attr,
	&dev_attr_weight.attr,
	&dev_attr_timeslice_us.attr,
	&dev_attr_status.attr,
	NULL,
};

static const struct attribute_group gvt_vgpu_group = {
	.name = GVT_SYSFS_GROUP,
	.attrs = gvt_vgpu_attrs,
};

static const struct attribute_group *gvt_vgpu_groups[] = {
	&gvt_vgpu_group,
	&gvt_stats_group,
	NULL,
};

static struct mdev_driver gvt_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = "gvt_bpf",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = gvt_vgpu_groups,
	},
	.probe = gvt_probe,
	.remove = gvt_remove,
	.get_available = gvt_get_available,
	.show_description = gvt_show_description,
};

/* ---- parents: /sys/class/gvt/gvtN/ ------------------------------------- */

static struct gvt_parent *dev_to_parent(struct device *dev)
{
	return container_of(dev, struct gvt_parent, dev);
}

static ssize_t index_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_parent(dev)->index);
}
static DEVICE_ATTR_RO(index);

static ssize_t aperture_mb_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_parent(dev)->aperture_size >> 20);
}
static DEVICE_ATTR_RO(aperture_mb);

static ssize_t hidden_mb_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_parent(dev)->hidden_size >> 20);
}
static DEVICE_ATTR_RO(hidden_mb);

static ssize_t fences_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_parent(dev)->fences);
}
static DEVICE_ATTR_RO(fences);

static ssize_t contexts_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_parent(dev)->contexts);
}
static DEVICE_ATTR_RO(contexts);

static ssize_t first_vgpu_id_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_parent(dev)->id_base + 1);
}
static DEVICE_ATTR_RO(first_vgpu_id);

/* how many vGPUs the parent holds now */
static ssize_t vgpus_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct gvt_parent *p = dev_to_parent(dev);
	struct gvt_vgpu *v;
	u32 n = 0;

	mutex_lock(&p->lock);
	list_for_each_entry(v, &p->vgpus, node)
		n++;
	mutex_unlock(&p->lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(vgpus);

/* the scheduling policy deciding now: a BPF policy's name or the built-in */
static ssize_t sched_policy_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	char name[GVT_POLICY_NAME_LEN];

	gvt_bpf_sched_policy_name(dev_to_parent(dev), name, sizeof(name));
	return sysfs_emit(buf, "%s\n", name);
}
static DEVICE_ATTR_RO(sched_policy);

static ssize_t sched_ejections_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct gvt_parent *p = dev_to_parent(dev);
	u64 v;

	spin_lock(&p->sched_lock);
	v = p->sched.ejections;
	spin_unlock(&p->sched_lock);
	return sysfs_emit(buf, "%llu\n", v);
}
static DEVICE_ATTR_RO(sched_ejections);

static ssize_t sched_revocations_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct gvt_parent *p = dev_to_parent(dev);
	u64 v;

	spin_lock(&p->sched_lock);
	v = p->sched.revocations;
	spin_unlock(&p->sched_lock);
	return sysfs_emit(buf, "%llu\n", v);
}
static DEVICE_ATTR_RO(sched_revocations);

static struct attribute *gvt_parent_attrs[] = {
	&dev_attr_index.attr,
	&dev_attr_aperture_mb.attr,
	&dev_attr_hidden_mb.attr,
	&dev_attr_fences.attr,
	&dev_attr_contexts.attr,
	&dev_attr_first_vgpu_id.attr,
	&dev_attr_vgpus.attr,
	&dev_attr_sched_policy.attr,
	&dev_attr_sched_ejections.attr,
	&dev_attr_sched_revocations.attr,
	NULL,
};
ATTRIBUTE_GROUPS(gvt_parent);

/* ---- module ------------------------------------------------------------ */

static int gvt_check_params(void)
{
	u64 gm = ((u64)aperture_mb + hidden_mb) << 20;

	if (!parents || parents > GVT_MAX_PARENTS ||
	    !is_power_of_2(aperture_mb) || hidden_mb % GVT_MAX_DIV ||
	    gm > GVT_GM_SPACE || !fences || fences % GVT_MAX_DIV ||
	    !contexts || contexts % GVT_MAX_DIV) {
		pr_err("bad parameters: parents=%u (1..%u) aperture_mb=%u (power of two) hidden_mb=%u (multiple of %u) fences=%u contexts=%u (multiples of %u), aperture+hidden <= %llu MiB\n",
		       parents, GVT_MAX_PARENTS, aperture_mb, hidden_mb,
		       GVT_MAX_DIV, fences, contexts, GVT_MAX_DIV,
		       GVT_GM_SPACE >> 20);
		return -EINVAL;
	}
	return 0;
}

static void gvt_parent_dev_release(struct device *dev)
{
	kfree(dev_to_parent(dev));
}

/* builds parent gvt<@index> and registers it with mdev; 0 or -errno */
static int gvt_parent_create(u32 index)
{
	struct gvt_parent *p;
	int i, ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	/* from here on the device owns p: put_device() frees it */
	device_initialize(&p->dev);
	p->dev.class = &gvt_class;
	p->dev.release = gvt_parent_dev_release;
	p->dev.groups = gvt_parent_groups;
	p->index = index;
	p->id_base = index * GVT_MAX_VGPUS;
	mutex_init(&p->lock);
	INIT_LIST_HEAD(&p->vgpus);
	p->aperture_size = aperture_mb << 20;
	p->hidden_size = hidden_mb << 20;
	p->fences = fences;
	p->contexts = contexts;
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		struct gvt_type *t = &p->types[i];

		t->div = gvt_type_divs[i];
		snprintf(t->name, sizeof(t->name), GVT_TYPE_PREFIX "%u", t->div);
		t->type.sysfs_name = t->name;
		t->type.pretty_name = t->name;
		p->type_ptrs[i] = &t->type;
	}
	ret = dev_set_name(&p->dev, GVT_PARENT_PREFIX "%u", index);
	if (ret)
		goto err_put;
	ret = gvt_engines_start(p);
	if (ret)
		goto err_put;
	ret = device_add(&p->dev);
	if (ret)
		goto err_engines;
	/* visible to the BPF side before vGPUs can appear on it */
	gvt_parents[index] = p;
	gvt_nr_parents = index + 1;
	ret = mdev_register_parent(&p->mdev_parent, &p->dev, &gvt_mdev_driver,
				   p->type_ptrs, GVT_NUM_TYPES);
	if (ret)
		goto err_del;
	pr_info("parent %s: aperture %u MiB, hidden %u MiB, %u fences, %u contexts, vGPU ids %u..%u\n",
		dev_name(&p->dev), aperture_mb, hidden_mb, fences, contexts,
		p->id_base + 1, p->id_base + GVT_MAX_VGPUS);
	return 0;

err_del:
	gvt_nr_parents = index;
	gvt_parents[index] = NULL;
	device_del(&p->dev);
err_engines:
	gvt_engines_stop(p);
err_put:
	put_device(&p->dev);
	return ret;
}

/* the last parent goes: its vGPUs first (open ones hold the module) */
static void gvt_parent_destroy_last(void)
{
	struct gvt_parent *p = gvt_parents[gvt_nr_parents - 1];

	mdev_unregister_parent(&p->mdev_parent);
	gvt_bpf_parent_gone(p);
	gvt_nr_parents--;
	gvt_parents[gvt_nr_parents] = NULL;
	gvt_engines_stop(p);
	device_unregister(&p->dev);
}

static int __init gvt_init(void)
{
	u32 i;
	int ret;

	ret = gvt_check_params();
	ret = ret ?: gvt_model_global_init();
	ret = ret ?: gvt_bpf_init();
	if (ret) {
		pr_err("init failed: %d\n", ret);
		return ret;
	}
	atomic64_set(&gvt_serial, ktime_get_real_ns());
	for (i = 0; i < ARRAY_SIZE(gvt_stat_attrs); i++)
		gvt_stats_attrs[i] = &gvt_stat_attrs[i].attr.attr;

	ret = gvt_engines_init();
	if (ret)
		goto err_bpf;
	ret = mdev_register_driver(&gvt_mdev_driver);
	if (ret)
		goto err_wq;
	ret = class_register(&gvt_class);
	if (ret)
		goto err_driver;
	for (i = 0; i < parents; i++) {
		ret = gvt_parent_create(i);
		if (ret)
			goto err_parents;
	}
	gvt_bench_init();
	return 0;

err_parents:
	while (gvt_nr_parents)
		gvt_parent_destroy_last();
	class_unregister(&gvt_class);
err_driver:
	mdev_unregister_driver(&gvt_mdev_driver);
err_wq:
	gvt_engines_exit();
err_bpf:
	gvt_bpf_exit();
	return ret;
}

static void __exit gvt_exit(void)
{
	gvt_bench_exit();
	while (gvt_nr_parents)
		gvt_parent_destroy_last();
	class_unregister(&gvt_class);
	mdev_unregister_driver(&gvt_mdev_driver);
	gvt_engines_exit();
	gvt_bpf_exit();
}

module_init(gvt_init);
module_exit(gvt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gvt-bpf: mediated GPU virtualization with BPF hot paths");
