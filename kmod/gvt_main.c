// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: GPU virtualization by mediated pass-through with programmable
 * hot paths. This file holds the mdev parent - a simulated physical GPU -
 * its vGPU types, the resource split between vGPUs and the sysfs view.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/sysfs.h>
#include <linux/bitmap.h>
#include <linux/log2.h>
#include "gvt.h"
#include "gvt_bpf_ops.h"

static unsigned int aperture_mb = GVT_DEFAULT_APERTURE_MB;
module_param(aperture_mb, uint, 0444);
MODULE_PARM_DESC(aperture_mb, "CPU-visible graphics memory of the parent, MiB (power of two)");

static unsigned int hidden_mb = GVT_DEFAULT_HIDDEN_MB;
module_param(hidden_mb, uint, 0444);
MODULE_PARM_DESC(hidden_mb, "graphics memory behind the aperture, MiB (multiple of 8)");

static unsigned int fences = GVT_DEFAULT_FENCES;
module_param(fences, uint, 0444);
MODULE_PARM_DESC(fences, "fence registers of the parent (multiple of 8)");

static unsigned int contexts = GVT_DEFAULT_CONTEXTS;
module_param(contexts, uint, 0444);
MODULE_PARM_DESC(contexts, "hardware contexts of the parent (multiple of 8)");

static const struct class gvt_class = {
	.name = GVT_CLASS_NAME,
};

struct gvt_parent *gvt_parent;	/* the one parent, set while it exists */

static struct gvt_type *to_gvt_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct gvt_type, type);
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
		if (!(parent->slots & (GENMASK(n - 1, 0) << s)))
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
	parent->slots |= GENMASK(n - 1, 0) << s;
	vgpu->slot = s;
	INIT_LIST_HEAD(&vgpu->node);
	mutex_unlock(&parent->lock);

	memset(p, 0, sizeof(*p));
	p->id = s + 1;
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
 * gvt_parent_release() - give a vGPU's resources back to the parent
 * @parent: the parent GPU
 * @vgpu: the vGPU, published or not
 *
 * Takes it off the parent's list first, so no walker sees it go.
 */
void gvt_parent_release(struct gvt_parent *parent, struct gvt_vgpu *vgpu)
{
	u32 n = gvt_type_slots(vgpu->type->div);

	mutex_lock(&parent->lock);
	list_del_init(&vgpu->node);
	parent->slots &= ~(GENMASK(n - 1, 0) << vgpu->slot);
	mutex_unlock(&parent->lock);
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
	dev_info(&mdev->dev, "vGPU %u created, type %s\n",
		 vgpu->model->p.id, vgpu->type->name);
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
	struct gvt_type *t = to_gvt_type(mtype);
	unsigned int n;

	mutex_lock(&gvt_parent->lock);
	n = gvt_free_runs(gvt_parent, gvt_type_slots(t->div));
	mutex_unlock(&gvt_parent->lock);
	return n;
}

static ssize_t gvt_show_description(struct mdev_type *mtype, char *buf)
{
	struct gvt_type *t = to_gvt_type(mtype);
	struct gvt_parent *p = gvt_parent;

	return sysfs_emit(buf,
			  "1/%u of %s: aperture %u MiB, hidden %u MiB, fences %u, contexts %u, weight %u\n",
			  t->div, GVT_PARENT_NAME,
			  p->aperture_size / t->div >> 20,
			  p->hidden_size / t->div >> 20, p->fences / t->div,
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
	return sysfs_emit(buf, "%u\n", dev_to_vgpu(dev)->model->p.id);
}
static DEVICE_ATTR_RO(vgpu_id);

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

/* the counters of struct gvt_vgpu_stats, by name, in record order */
#define GVT_STAT_FIELD(name) { #name, offsetof(struct gvt_vgpu_stats, name) },
static const struct {
	const char *name;
	size_t off;
} gvt_stat_fields[] = {
	GVT_STATS_LIST(GVT_STAT_FIELD)
};

#undef GVT_STAT_FIELD

/*
 * The counters are read without the vGPU's lock, each one whole (aligned
 * 64-bit words): a vGPU stalled on its own guest memory holds its lock,
 * and must not stall its operator too.
 */
static void gvt_stats_snapshot(const struct gvt_vgpu *vgpu,
			       struct gvt_vgpu_stats *s)
{
	const u64 *src = (const u64 *)&vgpu->model->stats;
	u64 *dst = (u64 *)s;
	size_t i;

	for (i = 0; i < sizeof(*s) / sizeof(u64); i++)
		dst[i] = READ_ONCE(src[i]);
}

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct gvt_vgpu *vgpu = dev_to_vgpu(dev);
	struct gvt_vgpu_stats s;
	int i, len = 0;

	gvt_stats_snapshot(vgpu, &s);
	/* kept by the scheduler core, under its own lock */
	spin_lock(&vgpu->parent->sched_lock);
	s.policy_ejections = vgpu->parent->sched.v[vgpu->model->p.id].ejections;
	spin_unlock(&vgpu->parent->sched_lock);
	for (i = 0; i < ARRAY_SIZE(gvt_stat_fields); i++)
		len += sysfs_emit_at(buf, len, "%-20s %llu\n",
				     gvt_stat_fields[i].name,
				     *(u64 *)((u8 *)&s + gvt_stat_fields[i].off));
	return len;
}
static DEVICE_ATTR_RO(stats);

static struct attribute *gvt_vgpu_attrs[] = {
	&dev_attr_vgpu_id.attr,
	&dev_attr_serial.attr,
	&dev_attr_type.attr,
	&dev_attr_weight.attr,
	&dev_attr_timeslice_us.attr,
	&dev_attr_status.attr,
	&dev_attr_stats.attr,
	NULL,
};

static const struct attribute_group gvt_vgpu_group = {
	.name = GVT_SYSFS_GROUP,
	.attrs = gvt_vgpu_attrs,
};

static const struct attribute_group *gvt_vgpu_groups[] = {
	&gvt_vgpu_group,
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

/* ---- module ------------------------------------------------------------ */

static int gvt_check_params(void)
{
	u64 gm = ((u64)aperture_mb + hidden_mb) << 20;

	if (!is_power_of_2(aperture_mb) || hidden_mb % GVT_MAX_DIV ||
	    gm > GVT_GM_SPACE || !fences || fences % GVT_MAX_DIV ||
	    !contexts || contexts % GVT_MAX_DIV) {
		pr_err("bad parameters: aperture_mb=%u (power of two) hidden_mb=%u (multiple of %u) fences=%u contexts=%u (multiples of %u), aperture+hidden <= %llu MiB\n",
		       aperture_mb, hidden_mb, GVT_MAX_DIV, fences, contexts,
		       GVT_MAX_DIV, GVT_GM_SPACE >> 20);
		return -EINVAL;
	}
	return 0;
}

/* /sys/class/gvt/gvt0/policies: the BPF policies attached now */
static ssize_t policies_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return gvt_bpf_policies_show(buf);
}
static DEVICE_ATTR_RO(policies);

static struct attribute *gvt_parent_attrs[] = {
	&dev_attr_policies.attr,
	NULL,
};
ATTRIBUTE_GROUPS(gvt_parent);

static void gvt_parent_dev_release(struct device *dev)
{
	kfree(container_of(dev, struct gvt_parent, dev));
}

static int __init gvt_init(void)
{
	struct gvt_parent *p;
	int i, ret;

	ret = gvt_check_params();
	ret = ret ?: gvt_model_global_init();
	ret = ret ?: gvt_bpf_init();
	if (ret) {
		pr_err("init failed: %d\n", ret);
		return ret;
	}
	atomic64_set(&gvt_serial, ktime_get_real_ns());

	ret = gvt_engines_init();
	if (ret)
		return ret;
	ret = mdev_register_driver(&gvt_mdev_driver);
	if (ret)
		goto err_wq;
	ret = class_register(&gvt_class);
	if (ret)
		goto err_driver;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		ret = -ENOMEM;
		goto err_class;
	}
	/* from here on the device owns p: put_device() frees it */
	device_initialize(&p->dev);
	p->dev.class = &gvt_class;
	p->dev.release = gvt_parent_dev_release;
	p->dev.groups = gvt_parent_groups;
	mutex_init(&p->lock);
	INIT_LIST_HEAD(&p->vgpus);
	p->aperture_size = aperture_mb << 20;
	p->hidden_size = hidden_mb << 20;
	p->fences = fences;
	p->contexts = contexts;
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		struct gvt_type *t = &p->types[i];

		t->div = 1u << i;
		snprintf(t->name, sizeof(t->name), GVT_TYPE_PREFIX "%u", t->div);
		t->type.sysfs_name = t->name;
		t->type.pretty_name = t->name;
		p->type_ptrs[i] = &t->type;
	}
	ret = dev_set_name(&p->dev, GVT_PARENT_NAME);
	if (ret)
		goto err_put;
	ret = gvt_engines_start(p);
	if (ret)
		goto err_put;
	ret = device_add(&p->dev);
	if (ret)
		goto err_engines;

	gvt_parent = p;
	ret = mdev_register_parent(&p->mdev_parent, &p->dev, &gvt_mdev_driver,
				   p->type_ptrs, GVT_NUM_TYPES);
	if (ret)
		goto err_del;

	pr_info("parent %s: aperture %u MiB, hidden %u MiB, %u fences, %u contexts\n",
		GVT_PARENT_NAME, aperture_mb, hidden_mb, fences, contexts);
	gvt_bench_init();
	return 0;

err_del:
	gvt_parent = NULL;
	device_del(&p->dev);
err_engines:
	gvt_engines_stop(p);
err_put:
	put_device(&p->dev);
err_class:
	class_unregister(&gvt_class);
err_driver:
	mdev_unregister_driver(&gvt_mdev_driver);
err_wq:
	gvt_engines_exit();
	return ret;
}

static void __exit gvt_exit(void)
{
	struct gvt_parent *p = gvt_parent;

	gvt_bench_exit();
	/* removes every remaining vGPU; open ones hold a module reference */
	mdev_unregister_parent(&p->mdev_parent);
	gvt_parent = NULL;
	gvt_engines_stop(p);
	device_unregister(&p->dev);
	class_unregister(&gvt_class);
	mdev_unregister_driver(&gvt_mdev_driver);
	gvt_engines_exit();
}

module_init(gvt_init);
module_exit(gvt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gvt-bpf: mediated GPU virtualization with BPF hot paths");
