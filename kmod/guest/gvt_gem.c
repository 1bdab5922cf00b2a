// SPDX-License-Identifier: GPL-2.0
/*
 * gvt_drm: buffer objects.
 *
 * Buffers are shmem GEM objects. The first time the GPU needs one (a
 * submission refers to it, or it becomes a scanout surface) its pages are
 * pinned and DMA-mapped and it gets graphics memory; it stays bound until
 * it is freed, when its PTEs are cleared before the pages go back.
 */
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include "gvt_drv.h"

static void gvt_bo_free(struct drm_gem_object *obj)
{
	struct gvt_bo *bo = to_gvt_bo(obj);

	if (gvt_binding_bound(&bo->bind))
		gvt_gtt_unbind(to_gvt(obj->dev), &bo->bind);
	drm_gem_shmem_free(&bo->base);
}

static const struct drm_gem_object_funcs gvt_bo_funcs = {
	.free = gvt_bo_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * gvt_gem_create_object() - &drm_driver.gem_create_object: our BO type
 * @drm: the DRM device
 * @size: bytes (page aligned by the caller)
 *
 * Return: the embedded GEM object or an ERR_PTR.
 */
struct drm_gem_object *gvt_gem_create_object(struct drm_device *drm,
					     size_t size)
{
	struct gvt_bo *bo;

	/* drm_gem_shmem_free() frees the shmem object: it must come first */
	BUILD_BUG_ON(offsetof(struct gvt_bo, base) != 0);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &gvt_bo_funcs;
	return &bo->base.base;
}

/**
 * gvt_bo_bind() - make sure the GPU can reach @bo: pages pinned and mapped,
 * graphics memory allocated and the PTEs written
 * @gdev: the device
 * @bo: the buffer; must not be held under its reservation lock
 *
 * Return: 0, -ENOSPC when the graphics memory is full, or another errno.
 */
int gvt_bo_bind(struct gvt_device *gdev, struct gvt_bo *bo)
{
	struct sg_table *sgt;

	if (bo->base.base.import_attach)
		return -EINVAL;	/* only our own pages are mapped */
	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	bo->bind.sgt = sgt;
	return gvt_gtt_bind(gdev, &bo->bind, bo->base.base.size);
}

/**
 * gvt_gem_dumb_create() - &drm_driver.dumb_create: rows aligned for the
 * display plane (PLANE_STRIDE is a multiple of 64 bytes)
 * @file: the caller
 * @drm: the DRM device
 * @args: width, height, bpp in; pitch, size, handle out
 *
 * Return: 0 or a negative errno.
 */
int gvt_gem_dumb_create(struct drm_file *file, struct drm_device *drm,
			struct drm_mode_create_dumb *args)
{
	u64 pitch, size;

	if (!args->width || !args->height || args->width > GVT_PLANE_MAX_DIM ||
	    args->height > GVT_PLANE_MAX_DIM || !args->bpp || args->bpp > 32 ||
	    args->bpp % 8)
		return -EINVAL;
	pitch = ALIGN((u64)args->width * (args->bpp / 8), 64);
	size = PAGE_ALIGN(pitch * args->height);
	if (size > DRM_GVT_BO_MAX_SIZE)
		return -EINVAL;
	args->pitch = pitch;
	args->size = size;
	return drm_gem_shmem_dumb_create(file, drm, args);
}

/**
 * gvt_ioctl_gem_create() - DRM_IOCTL_GVT_GEM_CREATE
 * @drm: the DRM device
 * @data: struct drm_gvt_gem_create
 * @file: the caller
 *
 * Return: 0 or a negative errno.
 */
int gvt_ioctl_gem_create(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_gvt_gem_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (args->flags || !args->size || args->size > DRM_GVT_BO_MAX_SIZE)
		return -EINVAL;
	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	/* the handle holds the reference now, or the object goes */
	drm_gem_object_put(&shmem->base);
	return ret;
}

/**
 * gvt_ioctl_gem_mmap() - DRM_IOCTL_GVT_GEM_MMAP: the fake offset to mmap a
 * buffer at
 * @drm: the DRM device
 * @data: struct drm_gvt_gem_mmap
 * @file: the caller
 *
 * Return: 0 or a negative errno.
 */
int gvt_ioctl_gem_mmap(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct drm_gvt_gem_mmap *args = data;

	if (args->pad)
		return -EINVAL;
	return drm_gem_dumb_map_offset(file, drm, args->handle, &args->offset);
}
