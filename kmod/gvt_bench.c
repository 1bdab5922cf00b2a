// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: in-kernel microbenchmarks of the hot paths, under debugfs:
 *
 *   /sys/kernel/debug/gvt_bpf/bench_mmio   write "VGPU_ID OFFSET ITERS r|w",
 *                                          read "ns_total iters"
 *   /sys/kernel/debug/gvt_bpf/bench_sched  write "ITERS NR_VGPUS",
 *                                          read "builtin_ns bpf_ns iters"
 *
 * bench_mmio runs the trapped-access path of the VFIO glue (lock, BAR0
 * dispatch with the policy hook, built-in handler) ITERS times on one
 * vGPU; tools/bench compares it with and without policies attached, and
 * with the same accesses made through the VFIO file descriptor.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include "gvt.h"
#include "gvt_bpf_ops.h"

#define GVT_BENCH_MAX_ITERS	10000000u

static struct dentry *gvt_debugfs;
static DEFINE_MUTEX(gvt_bench_lock);
static char gvt_bench_result[64];

static struct gvt_vgpu *gvt_vgpu_by_id(struct gvt_parent *p, u32 id)
{
	struct gvt_vgpu *v;

	list_for_each_entry(v, &p->vgpus, node)
		if (v->model && v->model->p.id == id)
			return v;
	return NULL;
}

static int gvt_bench_mmio(u32 id, u32 off, u32 iters, bool write, u64 *ns)
{
	struct gvt_parent *p = gvt_parent;
	struct gvt_vgpu *vgpu;
	u32 i, val = 0;
	int ret = 0;
	u64 t0;

	if (!p)
		return -ENODEV;
	if (off >= GVT_MMIO_SIZE || off % 4)
		return -EINVAL;
	/* parent->lock keeps the vGPU from going away meanwhile */
	mutex_lock(&p->lock);
	vgpu = gvt_vgpu_by_id(p, id);
	if (!vgpu) {
		mutex_unlock(&p->lock);
		return -ENOENT;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < iters && !ret; i++) {
		mutex_lock(&vgpu->lock);
		ret = gvt_model_rw(vgpu->model, GVT_SPACE_BAR0, off, &val, 4,
				   write);
		gvt_stats_event(vgpu->model->p.id, &vgpu->model->stats);
		mutex_unlock(&vgpu->lock);
		if (!(i & 1023))
			cond_resched();
	}
	*ns = ktime_get_ns() - t0;
	mutex_unlock(&p->lock);
	return ret;
}

static ssize_t gvt_bench_read(struct file *f, char __user *buf, size_t len,
			      loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&gvt_bench_lock);
	ret = simple_read_from_buffer(buf, len, ppos, gvt_bench_result,
				      strlen(gvt_bench_result));
	mutex_unlock(&gvt_bench_lock);
	return ret;
}

#define GVT_BENCH_ARGS	64

/* a command written to a bench file, as a string in @buf */
static int gvt_bench_args(char *buf, const char __user *ubuf, size_t len)
{
	if (len >= GVT_BENCH_ARGS)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	return 0;
}

static ssize_t gvt_bench_mmio_write(struct file *f, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	char buf[GVT_BENCH_ARGS], dir;
	u32 id, off, iters;
	u64 ns = 0;
	int ret;

	ret = gvt_bench_args(buf, ubuf, len);
	if (ret)
		return ret;
	if (sscanf(buf, "%u %i %u %c", &id, &off, &iters, &dir) != 4 ||
	    !iters || iters > GVT_BENCH_MAX_ITERS || (dir != 'r' && dir != 'w'))
		return -EINVAL;
	mutex_lock(&gvt_bench_lock);
	ret = gvt_bench_mmio(id, off, iters, dir == 'w', &ns);
	if (!ret)
		snprintf(gvt_bench_result, sizeof(gvt_bench_result),
			 "%llu %u\n", ns, iters);
	mutex_unlock(&gvt_bench_lock);
	return ret ?: len;
}

static ssize_t gvt_bench_sched_write(struct file *f, const char __user *ubuf,
				     size_t len, loff_t *ppos)
{
	u32 iters, nr;
	u64 bns = 0, pns = 0;
	char buf[GVT_BENCH_ARGS];
	int ret;

	ret = gvt_bench_args(buf, ubuf, len);
	if (ret)
		return ret;
	if (sscanf(buf, "%u %u", &iters, &nr) != 2 || !iters ||
	    iters > GVT_BENCH_MAX_ITERS)
		return -EINVAL;
	mutex_lock(&gvt_bench_lock);
	ret = gvt_sched_bench(iters, nr, &bns, &pns);
	if (!ret)
		snprintf(gvt_bench_result, sizeof(gvt_bench_result),
			 "%llu %llu %u\n", bns, pns, iters);
	mutex_unlock(&gvt_bench_lock);
	return ret ?: len;
}

static const struct file_operations gvt_bench_mmio_fops = {
	.owner = THIS_MODULE,
	.read = gvt_bench_read,
	.write = gvt_bench_mmio_write,
	.llseek = default_llseek,
};

static const struct file_operations gvt_bench_sched_fops = {
	.owner = THIS_MODULE,
	.read = gvt_bench_read,
	.write = gvt_bench_sched_write,
	.llseek = default_llseek,
};

void gvt_bench_init(void)
{
	/* debugfs is optional: failures only lose the benchmarks */
	gvt_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("bench_mmio", 0600, gvt_debugfs, NULL,
			    &gvt_bench_mmio_fops);
	debugfs_create_file("bench_sched", 0600, gvt_debugfs, NULL,
			    &gvt_bench_sched_fops);
}

void gvt_bench_exit(void)
{
	debugfs_remove_recursive(gvt_debugfs);
}
