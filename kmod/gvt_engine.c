// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: the simulated physical GPU's engines.
 *
 * Each engine of the parent has a dispatcher thread (gvt-rcs, gvt-bcs)
 * that only hands out engine time: it asks the scheduler core
 * (model/sched.c) which vGPU runs next, grants it a time slice, and waits
 * for the grant to come back. What a vGPU does with its slice - scanning
 * its stream, executing commands on guest memory, letting WORK commands
 * occupy the engine - runs in that vGPU's own context, a work item of the
 * vGPU on an unbound workqueue. So guest memory is never touched by the
 * thread all vGPUs share: a vGPU whose guest memory faults slowly (a VMM
 * serving faults through userfaultfd, or never) stalls only itself. A
 * grant not handed back by its deadline plus GVT_EXEC_GRACE_NS is revoked:
 * the engine goes to the next vGPU, and the late one is not picked again
 * until it hands back.
 *
 * Locking, outermost first:
 *   vgpu->lock (mutex)       one vGPU's model, taken by MMIO, ioctls and
 *                            the vGPU's own executor around each step
 *   parent->sched_lock       the scheduler core; a spinlock, so policies
 *                            (BPF programs too) run in atomic context
 * A doorbell (TAIL write, under vgpu->lock) takes sched_lock to queue the
 * vGPU. Guest memory is reached with vfio_dma_rw() under vgpu->lock only,
 * never under sched_lock, and only from the vGPU's executor.
 *
 * Lifetime: a vGPU is marked running in the core from gvt_sched_pick()
 * until its executor's gvt_sched_done(), which is the executor's last
 * access to the vGPU (it then only wakes the parent's queues). Removal
 * disables the vGPU in the core and waits until it is not running.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "gvt.h"
#include "gvt_bpf.h"

/*
 * How long past its slice a vGPU may keep the engine before the grant is
 * revoked: room for the one bounded step (GVT_SCAN_STEP_DWORDS,
 * GVT_RUN_STEP_*, GVT_WORK_SLACK_NS) that may straddle the deadline, with
 * a wide margin for a host that is busy itself (a late timer must not let
 * the next vGPU in beside it). Only an executor that is stuck (on its
 * guest memory) outlasts it.
 */
#define GVT_EXEC_GRACE_NS	(20 * NSEC_PER_MSEC)
/* WORK shorter than this is spun, longer slept (hrtimer, no slack) */
#define GVT_OCCUPY_SPIN_NS	(10 * NSEC_PER_USEC)
/*
 * How far an engine's clock may run behind the host's. The engine's time
 * is that of the work it does: WORK occupies it for the time asked for,
 * other steps for what they took, and one grant's slice starts on the
 * engine's clock where the previous one ended. What the host loses
 * between - a timer that fires late, the hand-over to the next vGPU's
 * executor - is made up by the work that follows, up to this much. A
 * grant never starts before its vGPU's work arrived, and an engine that
 * went idle starts again on the host's clock: nothing runs faster than
 * the time it asks for, seen from its submission.
 */
#define GVT_ENGINE_LAG_NS	(2 * NSEC_PER_MSEC)

static struct workqueue_struct *gvt_exec_wq;

static const char * const gvt_engine_names[GVT_NUM_ENGINES] = { "rcs", "bcs" };

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
	wake = gvt_sched_kick(&p->sched, vgpu->sched_id, engine,
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
	ret = gvt_sched_enable(&p->sched, vgpu->sched_id,
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
	u32 id = vgpu->sched_id;

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
	gvt_sched_set_weight(&p->sched, vgpu->sched_id, weight);
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
	gvt_sched_set_slice(&p->sched, vgpu->sched_id, ns);
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
	u32 id = vgpu->sched_id;
	u64 ns;

	spin_lock(&p->sched_lock);
	ns = p->sched.v[id].slice_ns;
	spin_unlock(&p->sched_lock);
	return ns;
}

/*
 * The engine is busy with WORK until @until: sleep to it on a timer with
 * no slack, spin only what is too short to sleep. A wake-up that comes
 * late is not added to the work: the caller's engine clock runs from
 * @until, so the next command makes it up. A policy preempting the engine
 * ends the sleep early. Return: the ns of the WORK not done (preempted).
 */
static u64 gvt_engine_occupy_until(struct gvt_parent *p, u32 engine,
				   u64 until)
{
	u64 now = ktime_get_ns();
	ktime_t t = ns_to_ktime(until);
	DEFINE_WAIT(wait);

	if (until <= now)
		return 0;
	if (until - now < GVT_OCCUPY_SPIN_NS) {
		ndelay(until - now);
		return 0;
	}
	for (;;) {
		prepare_to_wait(&p->engine_wq[engine], &wait,
				TASK_UNINTERRUPTIBLE);
		if (READ_ONCE(p->sched.preempt[engine]))
			break;
		/* 0: the timer expired; woken otherwise: look again */
		if (!schedule_hrtimeout_range(&t, 0, HRTIMER_MODE_ABS))
			break;
	}
	finish_wait(&p->engine_wq[engine], &wait);
	now = ktime_get_ns();
	return now < until ? until - now : 0;
}

/* a policy asked @engine's holder to stop: wake it from its WORK */
static void gvt_engine_preempted(struct gvt_sched *s, u32 engine)
{
	struct gvt_parent *p = container_of(s, struct gvt_parent, sched);

	wake_up(&p->engine_wq[engine]);
}

/*
 * The executor: runs one granted slice of a vGPU on one engine, in the
 * vGPU's own context, on the engine's clock (GVT_ENGINE_LAG_NS). The time
 * charged to the scheduler is the engine time the slice took, scanning
 * included; the engine's busy counter gets only what passed since the
 * last reset of the vGPU, so a reset during the slice leaves it at what
 * the reset set.
 */
static void gvt_exec_work(struct work_struct *work)
{
	struct gvt_exec *x = container_of(work, struct gvt_exec, work);
	struct gvt_vgpu *vgpu = x->vgpu;
	struct gvt_parent *p = vgpu->parent;
	struct gvt_model *m = vgpu->model;
	const struct gvt_sched_pick pick = x->pick;
	u32 engine = x->engine;
	/* the slice runs from the grant: a late start does not extend it */
	u64 start = ktime_get_ns(), end = x->clock_ns + pick.slice_ns;
	u64 wall_end = x->granted_ns + pick.slice_ns + GVT_WORK_SLACK_NS;
	u64 now, clock = x->clock_ns, step, occupy, left, from = clock, resets;
	enum gvt_run_result r;
	bool more, preempted = false;

	mutex_lock(&vgpu->lock);
	m->stats.wait_ns += pick.waited_ns;
	m->stats.sched_grants++;
	if (pick.switched)
		m->stats.sched_switches++;
	resets = m->stats.resets;
	mutex_unlock(&vgpu->lock);

	/*
	 * At least one step, however late the executor started. @clock is
	 * the engine's: WORK moves it by the time asked for, other steps by
	 * what they took, and a WORK sleeps until the host's clock reaches
	 * it. The slice ends when @clock reaches its end, or the host's clock
	 * passes it by more than a step's slack (a host too slow to keep up
	 * does not hold the engine for it).
	 */
	for (now = start; now == start || (clock < end && now < wall_end);
	     now = ktime_get_ns()) {
		/* a policy asked for the engine back for someone waiting */
		if (READ_ONCE(p->sched.preempt[engine]) && now != start) {
			preempted = true;
			break;
		}
		mutex_lock(&vgpu->lock);
		/* a wait for the lock (MMIO, a reset) is not the engine's */
		step = ktime_get_ns();
		if (m->stats.resets != resets) {
			/* the busy counter starts again from the reset */
			resets = m->stats.resets;
			from = clock;
		}
		r = gvt_engine_run(m, engine, end > clock ? end - clock : 1,
				   &occupy);
		mutex_unlock(&vgpu->lock);
		if (r == GVT_RUN_IDLE)
			break;
		clock += ktime_get_ns() - step;
		if (r == GVT_RUN_OCCUPY) {
			clock += occupy;
			left = gvt_engine_occupy_until(p, engine, clock);
			if (left) {
				mutex_lock(&vgpu->lock);
				if (m->stats.resets == resets)
					gvt_engine_unoccupy(m, engine, left);
				mutex_unlock(&vgpu->lock);
				clock -= left;
			}
		}
		cond_resched();
	}

	/*
	 * Past its grace the grant was taken back and the engine went on
	 * without it: a vGPU stalled by the host (or by its own memory) is
	 * charged no more than it could have held the engine.
	 */
	clock = min(clock, x->clock_ns + pick.slice_ns + GVT_EXEC_GRACE_NS);
	mutex_lock(&vgpu->lock);
	if (m->stats.resets == resets && clock > from)
		gvt_engine_account(m, engine, clock - from);
	more = gvt_engine_has_work(m, engine);
	if (preempted)
		m->stats.sched_preempted++;
	/* GPU time, workloads and switches changed: tell the stats program */
	gvt_stats_event(gvt_vgpu_id(vgpu), &m->stats);
	mutex_unlock(&vgpu->lock);

	/* a doorbell from here on is kept by the core (kicked) */
	now = ktime_get_ns();
	spin_lock(&p->sched_lock);
	/* the next grant starts where this one's work ended, unless revoked */
	if (p->sched.owner[engine] == pick.vgpu)
		p->engine_clock[engine] = clock;
	gvt_sched_done(&p->sched, engine, pick.vgpu, clock - x->clock_ns,
		       more, now);
	spin_unlock(&p->sched_lock);
	/* the vGPU may be freed from here on: only the parent is used */
	wake_up(&p->engine_wq[engine]);
	wake_up(&p->sched_idle_wq);
}

/**
 * gvt_engine_exec_init() - set up a vGPU's executors, one per engine
 * @vgpu: the vGPU being initialized
 */
void gvt_engine_exec_init(struct gvt_vgpu *vgpu)
{
	u32 e;

	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		vgpu->exec[e].vgpu = vgpu;
		vgpu->exec[e].engine = e;
		INIT_WORK(&vgpu->exec[e].work, gvt_exec_work);
	}
}

static bool gvt_engine_pending(struct gvt_parent *p, u32 engine)
{
	bool pending;

	spin_lock(&p->sched_lock);
	pending = gvt_sched_engine_has_work(&p->sched, engine);
	spin_unlock(&p->sched_lock);
	return pending;
}

static bool gvt_engine_free(struct gvt_parent *p, u32 engine)
{
	return READ_ONCE(p->sched.owner[engine]) == GVT_SCHED_NONE;
}

/* held idle by the policy: until @ns pass, or a doorbell brings work */
static void gvt_engine_idle(struct gvt_parent *p, u32 engine, u64 kicks, u64 ns)
{
	wait_event_interruptible_hrtimeout(p->engine_wq[engine],
					   kthread_should_stop() ||
					   READ_ONCE(p->sched.kicks[engine]) != kicks,
					   ns_to_ktime(ns));
}

/*
 * The dispatcher of one engine: hands the engine to one vGPU at a time
 * and takes it back at the end of the slice, whether or not the vGPU's
 * executor came back. It never touches guest memory, and touches a vGPU
 * only while the core marks it running.
 */
static int gvt_engine_thread(void *data)
{
	struct gvt_engine_ctl *ec = data;
	struct gvt_parent *p = ec->parent;
	u32 engine = ec->engine, late;
	struct gvt_sched_pick pick;
	struct gvt_exec *x;
	u64 now, idle, kicks, clock;

	while (!kthread_should_stop()) {
		now = ktime_get_ns();
		spin_lock(&p->sched_lock);
		gvt_sched_pick(&p->sched, engine, now, &pick);
		idle = p->sched.idle_ns[engine];
		kicks = p->sched.kicks[engine];
		/*
		 * The grant starts on the engine's clock, but never before
		 * the work it runs was there, nor after an idle engine: an
		 * idle engine has nothing to make up.
		 */
		if (pick.vgpu == GVT_SCHED_NONE)
			p->engine_clock[engine] = 0;
		clock = max3(p->engine_clock[engine], now - GVT_ENGINE_LAG_NS,
			     now - pick.waited_ns);
		spin_unlock(&p->sched_lock);
		if (pick.vgpu == GVT_SCHED_NONE && idle) {
			gvt_engine_idle(p, engine, kicks, idle);
			continue;
		}
		if (pick.vgpu == GVT_SCHED_NONE) {
			wait_event_interruptible(p->engine_wq[engine],
						 kthread_should_stop() ||
						 gvt_engine_pending(p, engine));
			continue;
		}
		x = &((struct gvt_vgpu *)pick.priv)->exec[engine];
		x->pick = pick;
		x->granted_ns = now;
		x->clock_ns = clock;
		queue_work(gvt_exec_wq, &x->work);
		if (!wait_event_hrtimeout(p->engine_wq[engine],
					  gvt_engine_free(p, engine),
					  ns_to_ktime(pick.slice_ns +
						      GVT_EXEC_GRACE_NS)))
			continue;
		spin_lock(&p->sched_lock);
		late = gvt_sched_revoke(&p->sched, engine);
		spin_unlock(&p->sched_lock);
		if (late != GVT_SCHED_NONE)
			pr_debug("engine %u: vGPU %u overran its slice, grant revoked\n",
				 engine, late);
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
	u32 e;

	spin_lock_init(&parent->sched_lock);
	gvt_sched_init(&parent->sched);
	parent->sched.preempted = gvt_engine_preempted;
	parent->sched.id_base = parent->id_base;
	parent->sched.index = parent->index;
	init_waitqueue_head(&parent->sched_idle_wq);
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		struct task_struct *t;

		init_waitqueue_head(&parent->engine_wq[e]);
		parent->engine_ctl[e].parent = parent;
		parent->engine_ctl[e].engine = e;
		t = kthread_run(gvt_engine_thread, &parent->engine_ctl[e],
				"gvt%u-%s", parent->index, gvt_engine_names[e]);
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

/**
 * gvt_engines_init() - the executors' workqueue, once per module
 *
 * Unbound, so that a vGPU stalled on its guest memory holds one worker and
 * the others get workers of their own.
 *
 * Return: 0 or -ENOMEM.
 */
int gvt_engines_init(void)
{
	gvt_exec_wq = alloc_workqueue("gvt_exec", WQ_UNBOUND | WQ_HIGHPRI, 0);
	return gvt_exec_wq ? 0 : -ENOMEM;
}

/**
 * gvt_engines_exit() - free the executors' workqueue, once no vGPU is left
 */
void gvt_engines_exit(void)
{
	destroy_workqueue(gvt_exec_wq);
}
