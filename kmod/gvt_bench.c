// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: debugfs - in-kernel microbenchmarks of the hot paths, and
 * dumps for people (tools read sysfs, one value per file).
 *
 *   /sys/kernel/debug/gvt_bpf/bench_mmio   write "VGPU_ID OFFSET ITERS r|w",
 *                                          read "ns_total iters"
 *   /sys/kernel/debug/gvt_bpf/bench_sched  write "ITERS NR_VGPUS [PARENT]",
 *                                          read "builtin_ns bpf_ns iters"
 *   /sys/kernel/debug/gvt_bpf/gvtN         a table of the parent's vGPUs
 *                                          and its scheduler
 *
 * bench_mmio runs the trapped-access path of the VFIO glue (lock, BAR0
 * dispatch with the policy hook, built-in handler) ITERS times on one
 * vGPU; tools/bench compares it with and without policies attached, and
 * with the same accesses made through the VFIO file descriptor. It writes
 * 0 for a 'w' run: a benchmark of a guest-owned register changes the
 * guest's state, root's choice.
 *
 * bench_sched times decisions of the built-in policy and of the BPF
 * policy attached to the parent, on a private scheduler core holding
 * NR_VGPUS vGPUs that all wait for engine 0 (the live scheduler is not
 * touched; the BPF policy's maps are shared with its live instance). The
 * core's clock moves one slice per decision, as if each vGPU picked used
 * its slice; a policy that idles the engine (sched_fixed, when nobody is
 * due) makes decisions that pick nobody.
 * The BPF policy is called under the parent's scheduler lock, as the
 * engines call it, in short batches.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "gvt.h"
#include "gvt_bpf.h"

#define GVT_BENCH_MAX_ITERS	10000000u
/* accesses between cond_resched() calls */
#define GVT_BENCH_MMIO_BATCH	1024u
/* decisions per hold of the scheduler's lock */
#define GVT_BENCH_SCHED_BATCH	1000u

static struct dentry *gvt_debugfs;
static DEFINE_MUTEX(gvt_bench_lock);
static char gvt_bench_result[64];

static int gvt_bench_mmio(u32 id, u32 off, u32 iters, bool write, u64 *ns)
{
	struct gvt_parent *p;
	struct gvt_vgpu *vgpu;
	u32 i, val = 0;
	int ret = 0;
	u64 t0;

	if (off >= GVT_MMIO_SIZE || off % 4)
		return -EINVAL;
	/* the parent's lock keeps the vGPU from going away meanwhile */
	vgpu = gvt_vgpu_find_locked(id, &p);
	if (!vgpu)
		return -ENOENT;
	t0 = ktime_get_ns();
	for (i = 0; i < iters && !ret; i++) {
		mutex_lock(&vgpu->lock);
		ret = gvt_model_rw(vgpu->model, GVT_SPACE_BAR0, off, &val, 4,
				   write);
		gvt_stats_event(id, &vgpu->model->stats);
		mutex_unlock(&vgpu->lock);
		if (!(i % GVT_BENCH_MMIO_BATCH))
			cond_resched();
	}
	*ns = ktime_get_ns() - t0;
	mutex_unlock(&p->lock);
	return ret;
}

/* a weight for private vGPU @id: a mix of the types' weights */
static u32 gvt_bench_weight(u32 id)
{
	return GVT_WEIGHT_FULL >> (id % 4 + 3);
}

static int gvt_bench_sched(u32 iters, u32 nr, u32 index, u64 *builtin_ns,
			   u64 *bpf_ns)
{
	struct gvt_parent *p;
	struct gvt_sched *s;
	u32 i, n, done, id, sink = 0;
	/* the core's clock: each decision is one slice of GPU time later */
	u64 t0, now = 0;

	if (!iters || !nr || nr > GVT_MAX_VGPUS || index >= gvt_nr_parents)
		return -EINVAL;
	p = gvt_parents[index];
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	gvt_sched_init(s);
	for (id = 1; id <= nr; id++) {
		gvt_sched_enable(s, id, gvt_bench_weight(id), NULL);
		gvt_sched_kick(s, id, 0, 0);
	}

	/*
	 * A decision, as the engines make it: pick (select, slice, mark
	 * running) then done (charge, requeue) - so the built-in heap and a
	 * BPF policy's queues see every vGPU again, and the cost is per
	 * decision with its bookkeeping.
	 */
	*builtin_ns = 0;
	for (done = 0; done < iters; done += n) {
		struct gvt_sched_pick pick;

		n = min(iters - done, GVT_BENCH_SCHED_BATCH);
		preempt_disable();
		t0 = ktime_get_ns();
		for (i = 0; i < n; i++, now += GVT_SCHED_SLICE_NS) {
			sink += gvt_sched_pick(s, 0, now, &pick);
			gvt_sched_done(s, 0, pick.vgpu, GVT_SCHED_SLICE_NS,
				       true, now + GVT_SCHED_SLICE_NS);
		}
		*builtin_ns += ktime_get_ns() - t0;
		preempt_enable();
		cond_resched();
	}

	*bpf_ns = 0;
	if (gvt_bpf_sched_bench_get(p, s)) {
		/* the policy's own queues start from who waits */
		gvt_sched_set_policy(s, s->policy, s->policy_priv);
		for (done = 0; done < iters && s->policy != &gvt_sched_builtin;
		     done += n) {
			struct gvt_sched_pick pick;

			n = min(iters - done, GVT_BENCH_SCHED_BATCH);
			spin_lock(&p->sched_lock);
			t0 = ktime_get_ns();
			for (i = 0; i < n; i++, now += GVT_SCHED_SLICE_NS) {
				sink += gvt_sched_pick(s, 0, now, &pick);
				gvt_sched_done(s, 0, pick.vgpu,
					       GVT_SCHED_SLICE_NS, true,
					       now + GVT_SCHED_SLICE_NS);
			}
			*bpf_ns += ktime_get_ns() - t0;
			spin_unlock(&p->sched_lock);
			cond_resched();
		}
		/* a policy that got ejected on the private core: no figure */
		if (s->policy == &gvt_sched_builtin)
			*bpf_ns = 0;
		gvt_bpf_sched_bench_put(s);
	}
	kfree(s);
	/* keeps the loops from being optimized away */
	OPTIMIZER_HIDE_VAR(sink);
	return 0;
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
	u32 iters, nr, index = 0;
	u64 bns = 0, pns = 0;
	char buf[GVT_BENCH_ARGS];
	int ret, n;

	ret = gvt_bench_args(buf, ubuf, len);
	if (ret)
		return ret;
	n = sscanf(buf, "%u %u %u", &iters, &nr, &index);
	if (n < 2 || !iters || iters > GVT_BENCH_MAX_ITERS)
		return -EINVAL;
	mutex_lock(&gvt_bench_lock);
	ret = gvt_bench_sched(iters, nr, index, &bns, &pns);
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

/* /sys/kernel/debug/gvt_bpf/gvtN: the parent's vGPUs, for people */
static int gvt_parent_dump_show(struct seq_file *sf, void *unused)
{
	struct gvt_parent *p = sf->private;
	struct gvt_vgpu *v;
	char policy[GVT_POLICY_NAME_LEN];
	u32 e;

	gvt_bpf_sched_policy_name(p, policy, sizeof(policy));
	seq_printf(sf, "%s: vGPU ids %u..%u, scheduler %s\n", dev_name(&p->dev),
		   p->id_base + 1, p->id_base + GVT_MAX_VGPUS, policy);
	seq_printf(sf, "%4s %-36s %-6s %4s %6s %8s %14s %10s %10s\n", "ID",
		   "UUID", "TYPE", "SLOT", "WEIGHT", "STATUS", "GPU BUSY (us)",
		   "WORKLOADS", "GRANTS");
	mutex_lock(&p->lock);
	list_for_each_entry(v, &p->vgpus, node) {
		const struct gvt_vgpu_stats *st = &v->model->stats;

		seq_printf(sf, "%4u %-36s %-6s %4u %6u %8s %14llu %10llu %10llu\n",
			   gvt_vgpu_id(v), dev_name(v->vdev.dev), v->type->name,
			   v->slot, READ_ONCE(v->model->p.weight),
			   READ_ONCE(v->model->regs[GVT_REGIDX_STATUS]) &
			   GVT_STATUS_FAILED ? "failed" : "ok",
			   div_u64(READ_ONCE(st->gpu_busy_ns), NSEC_PER_USEC),
			   READ_ONCE(st->workloads_completed),
			   READ_ONCE(st->sched_grants));
	}
	mutex_unlock(&p->lock);
	spin_lock(&p->sched_lock);
	for (e = 0; e < GVT_NUM_ENGINES; e++)
		seq_printf(sf, "engine %u: waiting %#018llx, holder %u\n", e,
			   p->sched.waiting[e], p->sched.owner[e]);
	seq_printf(sf, "ejections %llu, revocations %llu\n",
		   p->sched.ejections, p->sched.revocations);
	spin_unlock(&p->sched_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gvt_parent_dump);

/**
 * gvt_bench_init() - create the debugfs files (optional: failures only
 * lose them)
 */
void gvt_bench_init(void)
{
	struct gvt_parent *p;
	u32 i;

	gvt_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("bench_mmio", 0600, gvt_debugfs, NULL,
			    &gvt_bench_mmio_fops);
	debugfs_create_file("bench_sched", 0600, gvt_debugfs, NULL,
			    &gvt_bench_sched_fops);
	for (i = 0; i < gvt_nr_parents && (p = gvt_parents[i]); i++)
		debugfs_create_file(dev_name(&p->dev), 0400, gvt_debugfs, p,
				    &gvt_parent_dump_fops);
}

/**
 * gvt_bench_exit() - remove the debugfs files
 */
void gvt_bench_exit(void)
{
	debugfs_remove_recursive(gvt_debugfs);
}
