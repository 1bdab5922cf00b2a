// SPDX-License-Identifier: GPL-2.0
/*
 * gvt_drm: rings, requests and their fences, interrupts, hang check and
 * reset (include/gvt/PROGRAMMING.md sections 3-7).
 *
 * The driver alone writes the rings. Every request is GVT_RQ_DWORDS long:
 * a BATCH_START of a submission's batch (or, for a page flip, an LRI of
 * PLANE_SURF), a STORE_DWORD of the request's number into its own
 * completion dword, an LRI of the engine's RING_SEQNO with the same
 * number, USER_INTERRUPT, NOOP padding.
 *
 * Completion is read from the completion dwords, not from RING_SEQNO: a
 * workload the device refuses is dropped whole while the engine goes on
 * with the work doorbelled after it, so RING_SEQNO can pass a request
 * that never ran. The interrupt handler signals requests oldest first for
 * as long as their dwords say they ran; a request that never will holds
 * the rest back until the reset that the error interrupt asked for. A
 * reset (error or GTT fault interrupt, or an engine that stops making
 * progress) stops the engines, signals what ran, fails the rest with
 * -EIO, and writes the GTT, rings and interrupt registers again: the
 * device forgets them. RING_SEQNO is still written, as the document
 * describes, and serves the hang check as one sign of progress.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "gvt_drv.h"

#define GVT_IRQ_ANY_ERROR	(GVT_IRQ_RENDER_ERROR | GVT_IRQ_COPY_ERROR | \
				 GVT_IRQ_GTT_FAULT)
#define GVT_HANGCHECK_PERIOD	HZ

static const char *const gvt_engine_names[GVT_NUM_ENGINES] = {
	[GVT_ENGINE_RENDER] = "render",
	[GVT_ENGINE_COPY] = "copy",
};

static const char *gvt_fence_driver_name(struct dma_fence *f)
{
	return GVT_DRV_NAME;
}

static const char *gvt_fence_timeline_name(struct dma_fence *f)
{
	return container_of(f, struct gvt_request, fence)->engine->name;
}

/* the fence is the request's first member: the default release frees both */
static const struct dma_fence_ops gvt_fence_ops = {
	.get_driver_name = gvt_fence_driver_name,
	.get_timeline_name = gvt_fence_timeline_name,
};

static u32 gvt_ering_rd(struct gvt_engine *eng, u32 reg)
{
	return gvt_rd(eng->gdev, GVT_ENGINE_REG(eng->id, reg));
}

/* ---- retiring ----------------------------------------------------------- */

/* hands retired requests to the worker that drops their buffers */
static void gvt_requests_done(struct gvt_device *gdev, struct list_head *done)
{
	struct gvt_request *rq;
	unsigned long flags;

	if (list_empty(done))
		return;
	list_for_each_entry(rq, done, link) {
		if (rq->slot >= 0) {
			clear_bit(rq->slot, &gdev->slot_busy);
			rq->slot = -1;
		}
		if (rq->flip_seq)
			gvt_kms_flip_retired(gdev, rq->flip_seq,
					     rq->fence.error != 0);
	}
	spin_lock_irqsave(&gdev->done_lock, flags);
	list_splice_tail_init(done, &gdev->done);
	spin_unlock_irqrestore(&gdev->done_lock, flags);
	queue_work(system_highpri_wq, &gdev->retire_work);
	wake_up_all(&gdev->space_wq);
}

static bool gvt_request_ran(const struct gvt_request *rq)
{
	return READ_ONCE(rq->engine->gdev->status[rq->status]) == rq->hw_seqno;
}

/*
 * Signals the requests of @eng that ran, oldest first, up to the first
 * one that has not. With @err (the engines stopped by a reset): all of
 * them, those that did not run failed with @err.
 */
static void gvt_engine_retire(struct gvt_engine *eng, int err)
{
	struct gvt_request *rq, *next;
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&eng->lock, flags);
	list_for_each_entry_safe(rq, next, &eng->requests, link) {
		if (!gvt_request_ran(rq)) {
			if (!err)
				break;
			dma_fence_set_error(&rq->fence, err);
		}
		dma_fence_signal_locked(&rq->fence);
		list_move_tail(&rq->link, &done);
		eng->inflight--;
	}
	spin_unlock_irqrestore(&eng->lock, flags);
	gvt_requests_done(eng->gdev, &done);
}

static void gvt_retire_work(struct work_struct *work)
{
	struct gvt_device *gdev = container_of(work, struct gvt_device,
					       retire_work);
	struct gvt_request *rq, *next;
	LIST_HEAD(done);
	u32 i;

	spin_lock_irq(&gdev->done_lock);
	list_splice_init(&gdev->done, &done);
	spin_unlock_irq(&gdev->done_lock);
	list_for_each_entry_safe(rq, next, &done, link) {
		list_del(&rq->link);
		for (i = 0; i < rq->nr_bos; i++)
			drm_gem_object_put(rq->bos[i]);
		kvfree(rq->bos);
		rq->bos = NULL;
		dma_fence_put(&rq->fence);
	}
}

/* ---- bring-up and reset --------------------------------------------- */

/**
 * gvt_hw_init() - program the vGPU from the driver's state: GTT, rings,
 * interrupts (at probe and after every reset)
 * @gdev: the device; the caller holds ring_lock or is the probe
 */
void gvt_hw_init(struct gvt_device *gdev)
{
	u32 e;

	gvt_wr(gdev, GVT_REG_IMR, GVT_IRQ_ALL);
	gvt_wr(gdev, GVT_REG_IER, 0);
	gvt_gtt_restore(gdev);
	gvt_wr(gdev, GVT_REG_GTT_CTL, GVT_GTT_CTL_ENABLE);
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		struct gvt_engine *eng = &gdev->engine[e];

		gvt_wr(gdev, GVT_ENGINE_REG(e, GVT_RING_START),
		       gvt_binding_ga(&eng->ring_bind));
		/* restarts the ring empty at offset 0 */
		gvt_wr(gdev, GVT_ENGINE_REG(e, GVT_RING_CTL),
		       GVT_RING_CTL_ENABLE |
		       (GVT_RING_PAGES - 1) << GVT_RING_CTL_SIZE_SHIFT);
		eng->tail = 0;
		eng->hc_stamp = jiffies;
	}
	gvt_wr(gdev, GVT_REG_IIR, GVT_IRQ_ALL);
	gvt_wr(gdev, GVT_REG_IER, GVT_IRQ_ALL);
	gvt_wr(gdev, GVT_REG_IMR, 0);
}

/* resets the vGPU and brings it back; ring_lock held */
static void gvt_reset_locked(struct gvt_device *gdev, const char *reason)
{
	u32 e, id, status;

	gvt_wr(gdev, GVT_REG_IMR, GVT_IRQ_ALL);
	gvt_wr(gdev, GVT_REG_RESET, GVT_RESET_KEY);
	/* the engines stopped: what ran counts, the rest failed */
	for (e = 0; e < GVT_NUM_ENGINES; e++)
		gvt_engine_retire(&gdev->engine[e], -EIO);
	id = gvt_rd(gdev, GVT_REG_ID);
	status = gvt_rd(gdev, GVT_REG_STATUS);
	if (id != GVT_ID_MAGIC || (status & GVT_STATUS_FAILED)) {
		drm_err(&gdev->drm, "vGPU did not come back from reset (ID %#x, STATUS %#x)\n",
			id, status);
		gdev->wedged = true;
	} else {
		gvt_hw_init(gdev);
	}
	if (!gdev->wedged)
		gvt_kms_restore(gdev);
	atomic_inc(&gdev->resets);
	drm_info(&gdev->drm, "vGPU reset done (%s), %s\n", reason,
		 gdev->wedged ? "device lost" : "running again");
}

static void gvt_reset_work(struct work_struct *work)
{
	struct gvt_device *gdev = container_of(work, struct gvt_device,
					       reset_work);

	mutex_lock(&gdev->ring_lock);
	if (atomic_xchg(&gdev->reset_pending, 0) && !gdev->dead &&
	    !gdev->wedged)
		gvt_reset_locked(gdev, gdev->reset_reason);
	mutex_unlock(&gdev->ring_lock);
}

/**
 * gvt_schedule_reset() - have the vGPU reset by the reset worker
 * @gdev: the device
 * @reason: a static string for the log
 */
void gvt_schedule_reset(struct gvt_device *gdev, const char *reason)
{
	if (atomic_xchg(&gdev->reset_pending, 1))
		return;
	gdev->reset_reason = reason;
	queue_work(system_highpri_wq, &gdev->reset_work);
}

/* ---- interrupts and hang check ---------------------------------------- */

static const char *gvt_err_name(u32 code)
{
	static const char *const names[] = {
		[GVT_ERR_NONE] = "none",
		[GVT_ERR_BAD_OPCODE] = "bad opcode",
		[GVT_ERR_BAD_REGISTER] = "bad register",
		[GVT_ERR_BAD_ADDRESS] = "bad address",
		[GVT_ERR_BATCH_DEPTH] = "batch depth",
		[GVT_ERR_GTT_FAULT] = "GTT fault",
		[GVT_ERR_RING_CTL] = "ring control",
		[GVT_ERR_BAD_LENGTH] = "bad length",
		[GVT_ERR_BATCH_SIZE] = "batch size",
		[GVT_ERR_BAD_PARAM] = "bad parameter",
	};

	return code < ARRAY_SIZE(names) && names[code] ? names[code] : "unknown";
}

/**
 * gvt_irq_handler() - the vGPU's interrupt (MSI, or shared INTx)
 * @irq: the Linux irq number
 * @arg: the device
 *
 * Reads and clears what IIR latched in one access (IIR_ACK) before
 * handling it, so that an event that comes meanwhile raises a new
 * interrupt; then retires what ran.
 *
 * Return: IRQ_HANDLED, or IRQ_NONE when the vGPU had nothing pending.
 */
irqreturn_t gvt_irq_handler(int irq, void *arg)
{
	struct gvt_device *gdev = arg;
	u32 iir, e;

	iir = gvt_rd(gdev, GVT_REG_IIR_ACK);
	if (!iir || iir == ~0u)
		return IRQ_NONE;
	atomic_inc(&gdev->irqs);
	if (iir & GVT_IRQ_PLANE_FLIP)
		gvt_kms_flip_irq(gdev);
	for (e = 0; e < GVT_NUM_ENGINES; e++)
		if (iir & (GVT_IRQ_USER(e) | GVT_IRQ_ERROR(e)))
			gvt_engine_retire(&gdev->engine[e], 0);
	if (iir & GVT_IRQ_ANY_ERROR) {
		gdev->err_code = gvt_rd(gdev, GVT_REG_ERROR);
		gdev->err_addr = gvt_rd(gdev, GVT_REG_ERROR_ADDR);
		dev_warn_ratelimited(gdev->drm.dev,
				     "vGPU error: %s (%u) at %#x, IIR %#x; resetting\n",
				     gvt_err_name(gdev->err_code),
				     gdev->err_code, gdev->err_addr, iir);
		gvt_schedule_reset(gdev, "device error");
	}
	return IRQ_HANDLED;
}

static bool gvt_engine_busy(struct gvt_engine *eng)
{
	return READ_ONCE(eng->inflight) != 0;
}

static void gvt_hangcheck_work(struct work_struct *work)
{
	struct gvt_device *gdev = container_of(to_delayed_work(work),
					       struct gvt_device, hangcheck);
	unsigned int ms = clamp(READ_ONCE(gvt_hang_timeout_ms), 100u, 600000u);
	unsigned long limit = msecs_to_jiffies(ms);
	bool busy = false, hung = false;
	u32 e, seq, head, ns;
	int idx;

	if (!drm_dev_enter(&gdev->drm, &idx))
		return;
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		struct gvt_engine *eng = &gdev->engine[e];

		if (!gvt_engine_busy(eng))
			continue;
		seq = gvt_ering_rd(eng, GVT_RING_SEQNO);
		head = gvt_ering_rd(eng, GVT_RING_HEAD);
		ns = gvt_ering_rd(eng, GVT_RING_BUSY_NS_LO);
		/* an interrupt that never came must not look like a hang */
		gvt_engine_retire(eng, 0);
		if (seq != eng->hc_seqno || head != eng->hc_head ||
		    ns != eng->hc_busy) {
			eng->hc_seqno = seq;
			eng->hc_head = head;
			eng->hc_busy = ns;
			eng->hc_stamp = jiffies;
		} else if (gvt_engine_busy(eng) &&
			   time_after(jiffies, eng->hc_stamp + limit)) {
			drm_warn(&gdev->drm,
				 "%s engine made no progress for %u ms (seqno %u, head %#x, STATUS %#x); resetting\n",
				 eng->name, ms, seq, head,
				 gvt_rd(gdev, GVT_REG_STATUS));
			hung = true;
		}
		busy |= gvt_engine_busy(eng);
	}
	if (hung)
		gvt_schedule_reset(gdev, "engine hung");
	else if (busy)
		queue_delayed_work(system_wq, &gdev->hangcheck,
				   GVT_HANGCHECK_PERIOD);
	drm_dev_exit(idx);
}

/* ---- submission --------------------------------------------------------- */

/**
 * gvt_request_new() - a request for @eng, not yet on the ring
 * @eng: the engine
 *
 * Return: the request or NULL.
 */
struct gvt_request *gvt_request_new(struct gvt_engine *eng)
{
	struct gvt_request *rq;

	BUILD_BUG_ON(offsetof(struct gvt_request, fence) != 0);
	rq = kzalloc(sizeof(*rq), GFP_KERNEL);
	if (!rq)
		return NULL;
	rq->engine = eng;
	rq->slot = -1;
	INIT_LIST_HEAD(&rq->link);
	return rq;
}

/**
 * gvt_request_free_unused() - drop a request that never reached the ring
 * @rq: the request; its buffers are put, its batch slot freed
 */
void gvt_request_free_unused(struct gvt_request *rq)
{
	u32 i;

	if (rq->slot >= 0) {
		clear_bit(rq->slot, &rq->engine->gdev->slot_busy);
		wake_up_all(&rq->engine->gdev->space_wq);
	}
	for (i = 0; i < rq->nr_bos; i++)
		drm_gem_object_put(rq->bos[i]);
	kvfree(rq->bos);
	kfree(rq);
}

/* room on @eng for one more request (and a batch slot in *@slot) */
static bool gvt_ring_room(struct gvt_device *gdev, struct gvt_engine *eng,
			  bool need_slot, int *slot)
{
	int s;

	if (READ_ONCE(eng->inflight) >= GVT_MAX_INFLIGHT)
		return false;
	if (!need_slot)
		return true;
	for (s = 0; s < GVT_BATCH_SLOTS; s++)
		if (!test_and_set_bit(s, &gdev->slot_busy)) {
			*slot = s;
			return true;
		}
	return false;
}

static bool gvt_ring_could_go(struct gvt_device *gdev, struct gvt_engine *eng,
			      bool need_slot)
{
	if (READ_ONCE(gdev->dead) || READ_ONCE(gdev->wedged))
		return true;
	return READ_ONCE(eng->inflight) < GVT_MAX_INFLIGHT &&
	       (!need_slot || ~READ_ONCE(gdev->slot_busy) &
		GENMASK(GVT_BATCH_SLOTS - 1, 0));
}

/**
 * gvt_ring_begin() - wait for room for @rq on @eng and take the ring lock
 * @eng: the engine
 * @rq: a new request; gets a batch slot in @rq->slot when @need_slot
 * @need_slot: the request runs a batch buffer
 * @timeout: MAX_SCHEDULE_TIMEOUT to wait interruptibly for as long as it
 *           takes, else jiffies to wait uninterruptibly
 *
 * Return: 0 with gdev->ring_lock held, -ENODEV when the device is going,
 * -EIO when it is lost, -EBUSY on timeout, or -ERESTARTSYS.
 */
int gvt_ring_begin(struct gvt_engine *eng, struct gvt_request *rq,
		   bool need_slot, long timeout)
{
	struct gvt_device *gdev = eng->gdev;
	long left;

	for (;;) {
		mutex_lock(&gdev->ring_lock);
		if (gdev->dead || gdev->wedged) {
			mutex_unlock(&gdev->ring_lock);
			return gdev->dead ? -ENODEV : -EIO;
		}
		if (gvt_ring_room(gdev, eng, need_slot, &rq->slot))
			return 0;
		mutex_unlock(&gdev->ring_lock);
		if (timeout == MAX_SCHEDULE_TIMEOUT) {
			left = wait_event_interruptible(gdev->space_wq,
							gvt_ring_could_go(gdev, eng, need_slot));
			if (left)
				return left;
		} else {
			left = wait_event_timeout(gdev->space_wq,
						  gvt_ring_could_go(gdev, eng, need_slot),
						  timeout);
			if (!left)
				return -EBUSY;
			timeout = left;
		}
	}
}

/**
 * gvt_ring_commit() - put @rq on the ring and ring the doorbell
 * @eng: the engine; gdev->ring_lock held (gvt_ring_begin())
 * @rq: the request: a batch slot filled with the batch (ending in
 *      BATCH_END), or a flip (@rq->flip_seq, @rq->flip_surf)
 *
 * The engine's list holds the fence's first reference from here on.
 */
void gvt_ring_commit(struct gvt_engine *eng, struct gvt_request *rq)
{
	struct gvt_device *gdev = eng->gdev;
	u32 seqno_reg = GVT_ENGINE_REG(eng->id, GVT_RING_SEQNO);
	u32 dw[GVT_RQ_DWORDS] = { 0 }, n = 0;

	BUILD_BUG_ON(GVT_NUM_ENGINES * GVT_RING_RQS * 4 > GVT_PAGE_SIZE);
	BUILD_BUG_ON(GVT_MAX_INFLIGHT >= GVT_RING_RQS);
	unsigned long flags;
	u64 seqno;

	lockdep_assert_held(&gdev->ring_lock);
	/* hardware seqno 0 is what the device holds after reset: skip it */
	do {
		seqno = ++eng->next_seqno;
	} while (!(u32)seqno);
	rq->hw_seqno = (u32)seqno;
	dma_fence_init(&rq->fence, &gvt_fence_ops, &eng->lock, eng->context,
		       seqno);

	rq->status = eng->id * GVT_RING_RQS + eng->tail / sizeof(dw);
	gdev->status[rq->status] = 0;
	if (rq->flip_seq) {
		dw[n++] = GVT_CMD_LRI(2);
		dw[n++] = GVT_REG_PLANE_SURF;
		dw[n++] = rq->flip_surf;
	} else {
		dw[n++] = GVT_CMD_BATCH_START;
		dw[n++] = gvt_binding_ga(&gdev->slot_bind[rq->slot]);
		dw[n++] = GVT_CMD_LRI(1);
	}
	dw[n++] = seqno_reg;
	dw[n++] = rq->hw_seqno;
	dw[n++] = GVT_CMD_STORE_DWORD;
	dw[n++] = gvt_binding_ga(&gdev->status_bind) + rq->status * 4;
	dw[n++] = rq->hw_seqno;
	dw[n++] = GVT_CMD_USER_INTERRUPT;
	/* NOOPs (0) up to GVT_RQ_DWORDS: a qword-aligned tail */
	memcpy(eng->ring + eng->tail / 4, dw, sizeof(dw));
	eng->tail = (eng->tail + sizeof(dw)) % GVT_RING_BYTES;

	spin_lock_irqsave(&eng->lock, flags);
	if (!eng->inflight)
		eng->hc_stamp = jiffies;
	list_add_tail(&rq->link, &eng->requests);
	eng->inflight++;
	spin_unlock_irqrestore(&eng->lock, flags);

	/* the ring and batch are coherent memory; writel orders after them */
	gvt_wr(gdev, GVT_ENGINE_REG(eng->id, GVT_RING_TAIL), eng->tail);
	queue_delayed_work(system_wq, &gdev->hangcheck, GVT_HANGCHECK_PERIOD);
}

/**
 * gvt_ring_end() - release the ring lock taken by gvt_ring_begin()
 * @eng: the engine
 */
void gvt_ring_end(struct gvt_engine *eng)
{
	mutex_unlock(&eng->gdev->ring_lock);
}

/* ---- set-up and teardown ------------------------------------------------ */

static void *gvt_alloc_bound(struct gvt_device *gdev, struct gvt_binding *b,
			     size_t size, int *ret)
{
	void *cpu;

	cpu = dmam_alloc_coherent(&gdev->pdev->dev, size, &b->dma, GFP_KERNEL);
	if (!cpu) {
		*ret = -ENOMEM;
		return NULL;
	}
	b->sgt = NULL;
	*ret = gvt_gtt_bind(gdev, b, size);
	return *ret ? NULL : cpu;
}

/**
 * gvt_engines_init() - rings, batch slots and the workers
 * @gdev: the device, graphics memory allocator ready
 *
 * Return: 0 or a negative errno.
 */
int gvt_engines_init(struct gvt_device *gdev)
{
	u32 e, s;
	int ret;

	ret = drmm_mutex_init(&gdev->drm, &gdev->ring_lock);
	if (ret)
		return ret;
	init_waitqueue_head(&gdev->space_wq);
	spin_lock_init(&gdev->done_lock);
	INIT_LIST_HEAD(&gdev->done);
	INIT_WORK(&gdev->retire_work, gvt_retire_work);
	INIT_WORK(&gdev->reset_work, gvt_reset_work);
	INIT_DELAYED_WORK(&gdev->hangcheck, gvt_hangcheck_work);

	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		struct gvt_engine *eng = &gdev->engine[e];

		eng->gdev = gdev;
		eng->id = e;
		eng->name = gvt_engine_names[e];
		spin_lock_init(&eng->lock);
		INIT_LIST_HEAD(&eng->requests);
		eng->context = dma_fence_context_alloc(1);
		eng->ring = gvt_alloc_bound(gdev, &eng->ring_bind,
					    GVT_RING_BYTES, &ret);
		if (!eng->ring)
			return ret;
	}
	for (s = 0; s < GVT_BATCH_SLOTS; s++) {
		gdev->slot_cpu[s] = gvt_alloc_bound(gdev, &gdev->slot_bind[s],
						    GVT_BATCH_BYTES, &ret);
		if (!gdev->slot_cpu[s])
			return ret;
	}
	gdev->status = gvt_alloc_bound(gdev, &gdev->status_bind,
				       GVT_PAGE_SIZE, &ret);
	return gdev->status ? 0 : ret;
}

/**
 * gvt_engines_fini() - stop the vGPU and fail what is in flight; the PCI
 * function is going away
 * @gdev: the device; its DRM device is unplugged already
 */
void gvt_engines_fini(struct gvt_device *gdev)
{
	u32 e, s;

	mutex_lock(&gdev->ring_lock);
	WRITE_ONCE(gdev->dead, true);
	mutex_unlock(&gdev->ring_lock);
	wake_up_all(&gdev->space_wq);
	cancel_delayed_work_sync(&gdev->hangcheck);
	cancel_work_sync(&gdev->reset_work);

	/*
	 * quiet: no interrupts, engines stopped, GTT and rings forgotten;
	 * buffers freed from now on leave no PTE behind to clear
	 */
	mutex_lock(&gdev->gtt_lock);
	gvt_wr(gdev, GVT_REG_IMR, GVT_IRQ_ALL);
	gvt_wr(gdev, GVT_REG_IER, 0);
	gvt_wr(gdev, GVT_REG_RESET, GVT_RESET_KEY);
	gdev->gtt_off = true;
	mutex_unlock(&gdev->gtt_lock);
	for (e = 0; e < GVT_NUM_ENGINES; e++)
		gvt_engine_retire(&gdev->engine[e], -ENODEV);
	flush_work(&gdev->retire_work);

	for (e = 0; e < GVT_NUM_ENGINES; e++)
		if (gvt_binding_bound(&gdev->engine[e].ring_bind))
			gvt_gtt_unbind(gdev, &gdev->engine[e].ring_bind);
	for (s = 0; s < GVT_BATCH_SLOTS; s++)
		if (gvt_binding_bound(&gdev->slot_bind[s]))
			gvt_gtt_unbind(gdev, &gdev->slot_bind[s]);
	if (gvt_binding_bound(&gdev->status_bind))
		gvt_gtt_unbind(gdev, &gdev->status_bind);
}
