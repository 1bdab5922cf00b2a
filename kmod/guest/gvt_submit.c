// SPDX-License-Identifier: GPL-2.0
/*
 * gvt_drm: command submission, fences and waits (include/gvt/gvt_drm.h
 * states the rules a submission must follow).
 *
 * Nothing of a stream is trusted: it is copied in, every command decoded
 * against the one table of gvt_cmd.h, every address operand taken from a
 * relocation into a buffer the caller named and checked to stay inside
 * it. The checked, patched stream is copied into a batch buffer of the
 * driver; the ring only ever calls such batches.
 */
#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "gvt_drv.h"

struct gvt_cmd_info {
	const char *name;
	bool known;
	u8 min_len;
	u8 max_len;
};

#define GVT_CMD_INFO(cmd, op, minl, maxl) \
	[op] = { .name = #cmd, .known = true, .min_len = (minl),	\
		 .max_len = (maxl) },
static const struct gvt_cmd_info gvt_cmd_info[256] = {
	GVT_CMD_LIST(GVT_CMD_INFO)
};

#undef GVT_CMD_INFO

/* an address operand of the stream: where it is, what it reaches */
struct gvt_operand {
	u32 dword;
	bool taken;	/* a relocation points at it */
	u64 extent;	/* bytes from the address on */
};

struct gvt_parse {
	struct drm_device *drm;
	const u32 *cmds;
	u32 n;
	struct gvt_operand *ops;
	u32 nr_ops;
	u16 *op_of;	/* per dword: operand index + 1, or 0 */
};

static int gvt_add_operand(struct gvt_parse *p, u32 dword, u64 extent)
{
	p->ops[p->nr_ops].dword = dword;
	p->ops[p->nr_ops].taken = false;
	p->ops[p->nr_ops].extent = extent;
	p->nr_ops++;
	return 0;
}

/* a rectangle's extent in bytes, or 0 when its parameters are invalid */
static u64 gvt_rect_extent(u32 stride, u32 size)
{
	u32 w = GVT_RECT_W(size), h = GVT_RECT_H(size);

	if (!w || !h || w > GVT_RECT_MAX_DIM || h > GVT_RECT_MAX_DIM ||
	    stride % 4 || (u64)w * GVT_PIXEL_BYTES > stride ||
	    stride > GVT_RECT_MAX_STRIDE)
		return 0;
	return (u64)(h - 1) * stride + (u64)w * GVT_PIXEL_BYTES;
}

/* one command at @i of length @len: allowed, with its operands noted */
static int gvt_check_cmd(struct gvt_parse *p, u32 i, u32 len)
{
	const u32 *c = &p->cmds[i];
	u64 ext, ext2;
	u32 k;

	switch (GVT_CMD_OP(c[0])) {
	case GVT_OP_NOOP:
		return 0;
	case GVT_OP_STORE_DWORD:
		return gvt_add_operand(p, i + 1, 4);
	case GVT_OP_WORK:
		return c[1] && c[1] <= GVT_WORK_MAX_NS ? 0 : -EINVAL;
	case GVT_OP_LRI:
		if (len % 2 == 0)
			return -EINVAL;
		/* the rest of the allow list belongs to the driver */
		for (k = 1; k < len; k += 2)
			if (c[k] != GVT_REG_SCRATCH)
				return -EINVAL;
		return 0;
	case GVT_OP_FILL_RECT:
		ext = gvt_rect_extent(c[2], c[3]);
		return ext ? gvt_add_operand(p, i + 1, ext) : -EINVAL;
	case GVT_OP_COPY_RECT:
		ext = gvt_rect_extent(c[2], c[5]);
		ext2 = gvt_rect_extent(c[4], c[5]);
		if (!ext || !ext2)
			return -EINVAL;
		gvt_add_operand(p, i + 1, ext);
		return gvt_add_operand(p, i + 3, ext2);
	default:
		/* BATCH_START, BATCH_END, USER_INTERRUPT: the driver's */
		return -EINVAL;
	}
}

/* decodes the whole stream: whole, known, allowed commands */
static int gvt_parse_stream(struct gvt_parse *p)
{
	u32 i = 0, len;
	int ret;

	while (i < p->n) {
		u32 hdr = p->cmds[i];
		const struct gvt_cmd_info *ci = &gvt_cmd_info[GVT_CMD_OP(hdr)];

		if (!ci->known || (hdr & GVT_CMD_RSVD_MASK)) {
			drm_dbg_driver(p->drm, "refused: header %#x at dword %u\n",
				       hdr, i);
			return -EINVAL;
		}
		len = GVT_CMD_LEN(hdr);
		if (GVT_CMD_OP(hdr) == GVT_OP_NOOP && !len)
			len = 1;
		ret = len < ci->min_len || len > ci->max_len ||
		      len > p->n - i ? -EINVAL : gvt_check_cmd(p, i, len);
		if (ret) {
			drm_dbg_driver(p->drm, "refused: %s (%u dwords) at dword %u\n",
				       ci->name, len, i);
			return ret;
		}
		i += len;
	}
	return 0;
}

/*
 * Matches relocations to operands: each operand exactly one, each
 * relocation an operand, what it reaches inside its buffer. Operands
 * are noted in @p->op_of (dword -> operand + 1).
 */
static int gvt_check_relocs(struct gvt_parse *p,
			    const struct drm_gvt_reloc *relocs, u32 nr_relocs,
			    struct drm_gem_object **objs, u32 nr_objs)
{
	struct gvt_operand *op;
	u32 r, o;

	if (nr_relocs != p->nr_ops)
		return -EINVAL;
	for (o = 0; o < p->nr_ops; o++)
		p->op_of[p->ops[o].dword] = o + 1;
	for (r = 0; r < nr_relocs; r++) {
		const struct drm_gvt_reloc *rl = &relocs[r];

		if (rl->pad || rl->bo >= nr_objs || rl->offset % 4 ||
		    rl->dword >= p->n || !p->op_of[rl->dword])
			return -EINVAL;
		op = &p->ops[p->op_of[rl->dword] - 1];
		if (op->taken)
			return -EINVAL;
		op->taken = true;
		if ((u64)rl->offset + op->extent > objs[rl->bo]->size)
			return -EINVAL;
	}
	return 0;
}

/* writes each operand's graphics address; the buffers are bound */
static void gvt_patch_relocs(u32 *cmds, const struct drm_gvt_reloc *relocs,
			     u32 nr_relocs, struct drm_gem_object **objs)
{
	u32 r;

	for (r = 0; r < nr_relocs; r++)
		cmds[relocs[r].dword] =
			gvt_binding_ga(&to_gvt_bo(objs[relocs[r].bo])->bind) +
			relocs[r].offset;
}

/* waits for the fences other timelines hold on @objs (resv unlocked) */
static int gvt_await_foreign(struct gvt_engine *eng,
			     struct drm_gem_object **objs, u32 n,
			     struct ww_acquire_ctx *ctx, bool *locked)
{
	struct dma_resv_iter cursor;
	struct dma_fence *f, *wait;
	long ret;
	u32 i;

	for (;;) {
		wait = NULL;
		for (i = 0; i < n && !wait; i++) {
			dma_resv_for_each_fence(&cursor, objs[i]->resv,
						DMA_RESV_USAGE_BOOKKEEP, f) {
				/* one engine runs its requests in order */
				if (f->context == eng->context ||
				    dma_fence_is_signaled(f))
					continue;
				wait = dma_fence_get(f);
				break;
			}
		}
		if (!wait)
			return 0;
		drm_gem_unlock_reservations(objs, n, ctx);
		*locked = false;
		ret = dma_fence_wait(wait, true);
		dma_fence_put(wait);
		if (ret)
			return ret;
		ret = drm_gem_lock_reservations(objs, n, ctx);
		if (ret)
			return ret;
		*locked = true;
	}
}

static int gvt_fence_handle_reserve(struct drm_file *file, u32 *handle)
{
	struct gvt_file *gf = file->driver_priv;

	/* a NULL entry reserves the handle; -EBUSY when none is left */
	return xa_alloc(&gf->fences, handle, NULL,
			XA_LIMIT(1, DRM_GVT_MAX_FENCES), GFP_KERNEL);
}

/*
 * Puts @cmds (@n dwords) in a batch on @eng with the buffers of @rq; the
 * fence goes into the buffers' reservations and under handle @handle.
 */
static int gvt_run_batch(struct gvt_engine *eng, struct gvt_request *rq,
			 const u32 *cmds, u32 n, struct drm_file *file,
			 u32 handle)
{
	struct gvt_file *gf = file->driver_priv;
	struct gvt_device *gdev = eng->gdev;
	struct drm_gem_object **objs = rq->bos;
	u32 nr = rq->nr_bos, i;
	struct ww_acquire_ctx ctx;
	struct dma_fence *fence;
	bool locked = false;
	u32 *batch;
	int ret;

	if (nr) {
		ret = drm_gem_lock_reservations(objs, nr, &ctx);
		if (ret)
			goto err_free;
		locked = true;
		for (i = 0; i < nr; i++) {
			ret = dma_resv_reserve_fences(objs[i]->resv, 1);
			if (ret)
				goto err_unlock;
		}
		ret = gvt_await_foreign(eng, objs, nr, &ctx, &locked);
		if (ret)
			goto err_unlock;
		/* a relock may have dropped the reserved slots */
		for (i = 0; i < nr; i++) {
			ret = dma_resv_reserve_fences(objs[i]->resv, 1);
			if (ret)
				goto err_unlock;
		}
	}
	ret = gvt_ring_begin(eng, rq, true, MAX_SCHEDULE_TIMEOUT);
	if (ret)
		goto err_unlock;
	batch = gdev->slot_cpu[rq->slot];
	memcpy(batch, cmds, n * sizeof(u32));
	batch[n] = GVT_CMD_BATCH_END;
	gvt_ring_commit(eng, rq);
	/* ours until the end: the request may retire any moment now */
	fence = dma_fence_get(&rq->fence);
	gvt_ring_end(eng);
	for (i = 0; i < nr; i++)
		dma_resv_add_fence(objs[i]->resv, fence, DMA_RESV_USAGE_WRITE);
	if (nr)
		drm_gem_unlock_reservations(objs, nr, &ctx);
	/* the handle was reserved: storing into it allocates nothing */
	if (xa_is_err(xa_store(&gf->fences, handle, fence, GFP_KERNEL)))
		dma_fence_put(fence);
	return 0;

err_unlock:
	if (locked)
		drm_gem_unlock_reservations(objs, nr, &ctx);
err_free:
	gvt_request_free_unused(rq);
	return ret;
}

static int gvt_copy_cmds(u64 uptr, u32 n, u32 **out)
{
	u32 *cmds;

	/* room for the BATCH_END the driver adds */
	if (!n || n > DRM_GVT_SUBMIT_MAX_DWORDS)
		return -EINVAL;
	cmds = kvmalloc_array(n + 1, sizeof(u32), GFP_KERNEL);
	if (!cmds)
		return -ENOMEM;
	if (copy_from_user(cmds, u64_to_user_ptr(uptr), n * sizeof(u32))) {
		kvfree(cmds);
		return -EFAULT;
	}
	*out = cmds;
	return 0;
}

/**
 * gvt_ioctl_submit() - DRM_IOCTL_GVT_SUBMIT: check, relocate and run a
 * command stream
 * @drm: the DRM device
 * @data: struct drm_gvt_submit
 * @file: the caller
 *
 * Return: 0 with a fence handle in @data, -EINVAL for a stream or
 * arguments that break the rules of gvt_drm.h, -ENOENT for an unknown
 * buffer handle, -EBUSY with too many fence handles outstanding, -ENOSPC
 * when the buffers do not fit in graphics memory, -EIO when the vGPU is
 * lost, or another negative errno.
 */
int gvt_ioctl_submit(struct drm_device *drm, void *data,
		     struct drm_file *file)
{
	struct drm_gvt_submit *args = data;
	struct gvt_device *gdev = to_gvt(drm);
	struct gvt_file *gf = file->driver_priv;
	struct drm_gvt_reloc *relocs = NULL;
	struct drm_gem_object **objs = NULL;
	struct gvt_parse p = { 0 };
	struct gvt_request *rq;
	u32 *cmds = NULL, i, j, handle;
	int ret;

	if (args->flags || args->engine >= GVT_NUM_ENGINES ||
	    args->bo_count > DRM_GVT_SUBMIT_MAX_BOS ||
	    args->reloc_count > args->cmd_dwords)
		return -EINVAL;
	ret = gvt_copy_cmds(args->cmds, args->cmd_dwords, &cmds);
	if (ret)
		return ret;
	p.drm = drm;
	p.cmds = cmds;
	p.n = args->cmd_dwords;
	/* at most one operand per two dwords */
	p.ops = kvmalloc_array(p.n / 2 + 1, sizeof(*p.ops), GFP_KERNEL);
	p.op_of = kvcalloc(p.n, sizeof(*p.op_of), GFP_KERNEL);
	if (!p.ops || !p.op_of) {
		ret = -ENOMEM;
		goto out;
	}
	if (args->reloc_count) {
		relocs = vmemdup_array_user(u64_to_user_ptr(args->relocs),
					    args->reloc_count, sizeof(*relocs));
		if (IS_ERR(relocs)) {
			ret = PTR_ERR(relocs);
			relocs = NULL;
			goto out;
		}
	}
	if (args->bo_count) {
		ret = drm_gem_objects_lookup(file,
					     u64_to_user_ptr(args->handles),
					     args->bo_count, &objs);
		if (ret)
			goto out_objs;
		for (i = 0; i < args->bo_count; i++)
			for (j = 0; j < i; j++)
				if (objs[i] == objs[j]) {
					ret = -EINVAL;
					goto out_objs;
				}
	}

	ret = gvt_parse_stream(&p);
	ret = ret ?: gvt_check_relocs(&p, relocs, args->reloc_count, objs,
				      args->bo_count);
	if (ret)
		goto out_objs;
	for (i = 0; i < args->bo_count; i++) {
		ret = gvt_bo_bind(gdev, to_gvt_bo(objs[i]));
		if (ret)
			goto out_objs;
	}
	gvt_patch_relocs(cmds, relocs, args->reloc_count, objs);

	ret = gvt_fence_handle_reserve(file, &handle);
	if (ret)
		goto out_objs;
	rq = gvt_request_new(&gdev->engine[args->engine]);
	if (!rq) {
		xa_erase(&gf->fences, handle);
		ret = -ENOMEM;
		goto out_objs;
	}
	rq->bos = objs;
	rq->nr_bos = args->bo_count;
	objs = NULL;	/* the request owns them now */
	ret = gvt_run_batch(&gdev->engine[args->engine], rq, cmds, p.n, file,
			    handle);
	if (ret)
		xa_erase(&gf->fences, handle);
	else
		args->fence = handle;
	goto out;

out_objs:
	if (objs) {
		for (i = 0; i < args->bo_count; i++)
			if (objs[i])
				drm_gem_object_put(objs[i]);
		kvfree(objs);
	}
out:
	kvfree(relocs);
	kvfree(p.op_of);
	kvfree(p.ops);
	kvfree(cmds);
	return ret;
}

/**
 * gvt_ioctl_raw_submit() - DRM_IOCTL_GVT_DEBUG_RAW_SUBMIT: the debug path,
 * dwords to the device unchecked (for isolation tests)
 * @drm: the DRM device
 * @data: struct drm_gvt_raw_submit
 * @file: the caller (CAP_SYS_ADMIN, primary node: the ioctl table says so)
 *
 * Return: 0 with a fence handle in @data, or a negative errno.
 */
int gvt_ioctl_raw_submit(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_gvt_raw_submit *args = data;
	struct gvt_device *gdev = to_gvt(drm);
	struct gvt_file *gf = file->driver_priv;
	struct gvt_request *rq;
	u32 *cmds, handle;
	int ret;

	if (args->flags || args->engine >= GVT_NUM_ENGINES)
		return -EINVAL;
	ret = gvt_copy_cmds(args->cmds, args->cmd_dwords, &cmds);
	if (ret)
		return ret;
	ret = gvt_fence_handle_reserve(file, &handle);
	if (ret)
		goto out;
	rq = gvt_request_new(&gdev->engine[args->engine]);
	if (!rq) {
		xa_erase(&gf->fences, handle);
		ret = -ENOMEM;
		goto out;
	}
	drm_dbg_driver(drm, "raw submission of %u dwords on engine %u\n",
		       args->cmd_dwords, args->engine);
	ret = gvt_run_batch(&gdev->engine[args->engine], rq, cmds,
			    args->cmd_dwords, file, handle);
	if (ret)
		xa_erase(&gf->fences, handle);
	else
		args->fence = handle;
out:
	kvfree(cmds);
	return ret;
}

/**
 * gvt_ioctl_wait() - DRM_IOCTL_GVT_WAIT: wait for a submission's fence
 * @drm: the DRM device
 * @data: struct drm_gvt_wait
 * @file: the caller
 *
 * Return: 0 once the fence signalled (outcome in @data, handle released),
 * -ETIME when the time ran out, -ENOENT for an unknown handle, -EINVAL
 * for bad arguments, or -ERESTARTSYS.
 */
int gvt_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_gvt_wait *args = data;
	struct gvt_file *gf = file->driver_priv;
	struct dma_fence *fence;
	long timeout, ret;
	int status;

	if (args->flags || args->pad)
		return -EINVAL;
	xa_lock(&gf->fences);
	fence = xa_load(&gf->fences, args->fence);
	if (fence)
		dma_fence_get(fence);
	xa_unlock(&gf->fences);
	if (!fence)
		return -ENOENT;

	if (!args->timeout_ns) {
		ret = dma_fence_is_signaled(fence) ? 1 : 0;
	} else {
		/* a week or more: no limit */
		if (args->timeout_ns >= 7ull * 24 * 3600 * NSEC_PER_SEC)
			timeout = MAX_SCHEDULE_TIMEOUT;
		else
			timeout = max_t(long, 1,
					nsecs_to_jiffies(args->timeout_ns));
		ret = dma_fence_wait_timeout(fence, true, timeout);
	}
	if (ret <= 0) {
		dma_fence_put(fence);
		return ret ? ret : -ETIME;
	}
	status = dma_fence_get_status(fence);
	args->error = status < 0 ? status : 0;
	/* release the handle; a concurrent waiter may have done it already */
	if (xa_cmpxchg(&gf->fences, args->fence, fence, NULL, GFP_KERNEL) ==
	    fence) {
		xa_erase(&gf->fences, args->fence);
		dma_fence_put(fence);
	}
	dma_fence_put(fence);
	return 0;
}

/**
 * gvt_file_fences_fini() - drop every fence handle of a closing file
 * @gf: the file's state
 */
void gvt_file_fences_fini(struct gvt_file *gf)
{
	struct dma_fence *fence;
	unsigned long id;

	xa_for_each(&gf->fences, id, fence)
		dma_fence_put(fence);
	xa_destroy(&gf->fences);
}
