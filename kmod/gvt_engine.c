// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: the simulated physical GPU's engines. One kernel thread per
 * engine asks the scheduler core (model/sched.c) which vGPU runs next,
 * then runs that vGPU's workloads through the device model for one time
 * slice, letting WORK commands occupy the engine by sleeping.
 *
 * Locking, outermost first:
 *   vgpu->lock (mutex)       one vGPU's model, taken by MMIO, ioctls and
 *                            the workers around gvt_engine_run()
 *   parent->sched_lock       the scheduler core; a spinlock, so policies
 *                            (BPF programs too) run in atomic context
 * A doorbell (TAIL write, under vgpu->lock) takes sched_lock to queue the
 * vGPU. Guest memory is reached with vfio_dma_rw() under vgpu->lock only,
 * never under sched_lock.
 *
 * Lifetime: a worker uses a vGPU only between gvt_sched_pick() and
 * gvt_sched_done(), during which the core marks it running; removal
 * disables the vGPU in the core and waits until no engine runs it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include "gvt.h"
#include "gvt_bpf_ops.h"

static int gvt_env_dma_rw(void *priv, u64 iova, void *buf, size_t len,
			  bool write)
{
	struct gvt_vgpu *vgpu = priv;

	/* vfio_dma_rw() wants an open device; the model is reset at close */
	if (!vgpu->opened)
		return -EIO;
	return vfio_dma_rw(&vgpu->vdev, iova, buf, len, write);
}

/* a doorbell; called by the model with vgpu->lock held */
static void gvt_env_kick(void *priv, u32 engine)
{
	struct gvt_vgpu *vgpu = priv;
	struct gvt_parent *p = vgpu->parent;
	bool wake;

	if (engine >= GVT_NUM_ENGINES)
		return;
	spin_lock(&p->sched_lock);
	wake = gvt_sched_kick(&p->sched, vgpu->model->p.id, engine,
			      ktime_get_ns());
	spin_unlock(&p->sched_lock);
	if (wake)
		wake_up(&p->engine_wq[engine]);
}

/**
 * gvt_engine_env_init() - give a vGPU's model its engine services
 * @vgpu: the vGPU being initialized, before gvt_model_init()
 */
void gvt_engine_env_init(struct gvt_vgpu *vgpu)
{
	vgpu->env.dma_rw = gvt_env_dma_rw;
	vgpu->env.kick = gvt_env_kick;
}

/**
 * gvt_engine_vgpu_add() - let the scheduler share the engines with a vGPU
 * @vgpu: an initialized vGPU
 *
 * Return: 0 or a negative errno from the scheduler core.
 */
int gvt_engine_vgpu_add(struct gvt_vgpu *vgpu)
{
	struct gvt_parent *p = vgpu->parent;
	int ret;

	spin_lock(&p->sched_lock);
	ret = gvt_sched_enable(&p->sched, vgpu->model->p.id,
			       vgpu->model->p.weight, vgpu);
	spin_unlock(&p->sched_lock);
	return ret;
}

static bool gvt_engine_vgpu_running(struct gvt_parent *p, u32 id)
{
	bool running;

	spin_lock(&p->sched_lock);
	running = gvt_sched_is_running(&p->sched, id);
	spin_unlock(&p->sched_lock);
	return running;
}

/**
 * gvt_engine_vgpu_remove() - take a vGPU off the engines for good
 * @vgpu: the vGPU being released
 *
 * After this returns no engine worker holds or will pick @vgpu, so its
 * memory may be freed. Sleeps until the slice in progress, if any, ends.
 */
void gvt_engine_vgpu_remove(struct gvt_vgpu *vgpu)
{
	struct gvt_parent *p = vgpu->parent;
	u32 id = vgpu->model->p.id;

	spin_lock(&p->sched_lock);
	gvt_sched_disable(&p->sched, id);
	spin_unlock(&p->sched_lock);
	wait_event(p->sched_idle_wq, !gvt_engine_vgpu_running(p, id));
}

/**
 * gvt_engine_set_weight() - change a vGPU's scheduling weight
 * @vgpu: the vGPU
 * @weight: GVT_WEIGHT_MIN..GVT_WEIGHT_MAX, checked by the caller
 */
void gvt_engine_set_weight(struct gvt_vgpu *vgpu, u32 weight)
{
	struct gvt_parent *p = vgpu->parent;

	spin_lock(&p->sched_lock);
	gvt_sched_set_weight(&p->sched, vgpu->model->p.id, weight);
	spin_unlock(&p->sched_lock);
}

/**
 * gvt_engine_set_slice() - override a vGPU's time slice
 * @vgpu: the vGPU
 * @ns: GVT_SCHED_SLICE_MIN_NS..GVT_SCHED_SLICE_MAX_NS, or 0 for the default
 *
 * Return: 0, or -ERANGE for a slice out of range.
 */
int gvt_engine_set_slice(struct gvt_vgpu *vgpu, u64 ns)
{
	struct gvt_parent *p = vgpu->parent;

	if (ns && (ns < GVT_SCHED_SLICE_MIN_NS || ns > GVT_SCHED_SLICE_MAX_NS))
		return -ERANGE;
	spin_lock(&p->sched_lock);
	gvt_sched_set_slice(&p->sched, vgpu->model->p.id, ns);
	spin_unlock(&p->sched_lock);
	return 0;
}

/**
 * gvt_engine_slice() - a vGPU's time slice override
 * @vgpu: the vGPU
 *
 * Return: the override in ns, 0 when the default applies.
 */
u64 gvt_engine_slice(struct gvt_vgpu *vgpu)
{
	struct gvt_parent *p = vgpu->parent;
	u32 id = vgpu->model->p.id;
	u64 ns;

	spin_lock(&p->sched_lock);
	ns = p->sched.v[id].slice_ns;
	spin_unlock(&p->sched_lock);
	return ns;
}

/* the engine is busy with a WORK command: GPU time passes */
static void gvt_engine_occupy(u64 ns)
{
	unsigned long us = div_u64(ns, NSEC_PER_USEC);

	if (us < 10)
		ndelay(ns);
	else
		usleep_range(us, us + 20);
}

/* runs one slice of the vGPU the scheduler picked on @engine */
static void gvt_engine_run_slice(struct gvt_parent *p, u32 engine,
				 const struct gvt_sched_pick *pick)
{
	struct gvt_vgpu *vgpu = pick->priv;
	struct gvt_model *m = vgpu->model;
	u64 start = ktime_get_ns(), end = start + pick->slice_ns, now, occupy;
	enum gvt_run_result r;
	bool more;

	mutex_lock(&vgpu->lock);
	m->stats.wait_ns += pick->waited_ns;
	if (pick->switched)
		m->stats.sched_switches++;
	mutex_unlock(&vgpu->lock);

	for (now = start; now < end; now = ktime_get_ns()) {
		mutex_lock(&vgpu->lock);
		r = gvt_engine_run(m, engine, end - now, &occupy);
		mutex_unlock(&vgpu->lock);
		if (r == GVT_RUN_IDLE)
			break;
		if (r == GVT_RUN_OCCUPY)
			gvt_engine_occupy(occupy);
		cond_resched();
	}

	now = ktime_get_ns();
	/* sched_lock inside vgpu->lock: a doorbell now is not lost */
	mutex_lock(&vgpu->lock);
	gvt_engine_account(m, engine, now - start);
	more = gvt_engine_has_work(m, engine);
	spin_lock(&p->sched_lock);
	gvt_sched_done(&p->sched, engine, pick->vgpu, now - start, more, now);
	spin_unlock(&p->sched_lock);
	/* GPU time, workloads and switches changed: tell the stats program */
	gvt_stats_event(m->p.id, &m->stats);
	mutex_unlock(&vgpu->lock);
	wake_up(&p->sched_idle_wq);
}

static bool gvt_engine_pending(struct gvt_parent *p, u32 engine)
{
	bool pending;

	spin_lock(&p->sched_lock);
	pending = gvt_sched_engine_has_work(&p->sched, engine);
	spin_unlock(&p->sched_lock);
	return pending;
}

struct gvt_engine_arg {
	struct gvt_parent *parent;
	u32 engine;
};

static struct gvt_engine_arg gvt_engine_args[GVT_NUM_ENGINES];

static int gvt_engine_thread(void *data)
{
	struct gvt_engine_arg *arg = data;
	struct gvt_parent *p = arg->parent;
	u32 engine = arg->engine;
	struct gvt_sched_pick pick;

	while (!kthread_should_stop()) {
		spin_lock(&p->sched_lock);
		gvt_sched_pick(&p->sched, engine, ktime_get_ns(), &pick);
		spin_unlock(&p->sched_lock);
		if (pick.vgpu == GVT_SCHED_NONE) {
			wait_event_interruptible(p->engine_wq[engine],
						 kthread_should_stop() ||
						 gvt_engine_pending(p, engine));
			continue;
		}
		gvt_engine_run_slice(p, engine, &pick);
	}
	return 0;
}

/**
 * gvt_engines_start() - set up the scheduler and start the engine workers
 * @parent: the parent GPU, before any vGPU exists
 *
 * Return: 0 or a negative errno (nothing is left running then).
 */
int gvt_engines_start(struct gvt_parent *parent)
{
	static const char * const names[GVT_NUM_ENGINES] = { "rcs", "bcs" };
	u32 e;

	spin_lock_init(&parent->sched_lock);
	gvt_sched_init(&parent->sched);
	init_waitqueue_head(&parent->sched_idle_wq);
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		struct task_struct *t;

		init_waitqueue_head(&parent->engine_wq[e]);
		gvt_engine_args[e].parent = parent;
		gvt_engine_args[e].engine = e;
		t = kthread_run(gvt_engine_thread, &gvt_engine_args[e],
				"gvt-%s", names[e]);
		if (IS_ERR(t)) {
			parent->engine_task[e] = NULL;
			gvt_engines_stop(parent);
			return PTR_ERR(t);
		}
		parent->engine_task[e] = t;
	}
	return 0;
}

/**
 * gvt_engines_stop() - stop the engine workers
 * @parent: the parent GPU, once every vGPU is gone
 */
void gvt_engines_stop(struct gvt_parent *parent)
{
	u32 e;

	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		if (!parent->engine_task[e])
			continue;
		kthread_stop(parent->engine_task[e]);
		parent->engine_task[e] = NULL;
	}
}
