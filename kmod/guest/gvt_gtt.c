// SPDX-License-Identifier: GPL-2.0
/*
 * gvt_drm: graphics memory and the GTT.
 *
 * The vGPU owns two ranges of graphics addresses (PV-info: aperture and
 * hidden). One drm_mm covers both, with the space between them reserved,
 * so that every binding lies inside one range. A binding maps its pages
 * by writing one PTE per 4 KiB page: the page's DMA address with the valid
 * bit. The device keeps no PTE over a reset, so every binding is on a list
 * and gvt_gtt_restore() writes them all again. Unbinding clears the PTEs:
 * a stale entry must never reach a page the guest has freed. Once the
 * PCI function is going (gtt_off, after a last reset that cleared the
 * whole GTT) no PTE is written any more: BAR0 goes away with it.
 */
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/scatterlist.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "gvt_drv.h"

static void __iomem *gvt_pte_addr(struct gvt_device *gdev, u32 ga)
{
	return gdev->mmio + GVT_GTT_OFFSET + 8 * (ga / GVT_PAGE_SIZE);
}

static void gvt_pte_write(struct gvt_device *gdev, u32 ga, u64 pte)
{
	/* one 8-byte write; the device takes it whole */
	writeq(pte, gvt_pte_addr(gdev, ga));
}

/* writes @b's PTEs, or clears them when @clear */
static void gvt_binding_write(struct gvt_device *gdev, struct gvt_binding *b,
			      bool clear)
{
	u32 ga = gvt_binding_ga(b), pages = b->node.size / GVT_PAGE_SIZE, i = 0;
	struct sg_dma_page_iter it;

	if (clear || !b->sgt) {
		for (i = 0; i < pages; i++)
			gvt_pte_write(gdev, ga + i * GVT_PAGE_SIZE, clear ? 0 :
				      ((u64)b->dma + (u64)i * GVT_PAGE_SIZE) |
				      GVT_PTE_VALID);
		return;
	}
	for_each_sgtable_dma_page(b->sgt, &it, 0) {
		if (i == pages)
			break;
		gvt_pte_write(gdev, ga + i * GVT_PAGE_SIZE,
			      ((u64)sg_page_iter_dma_address(&it) &
			       GVT_PTE_ADDR_MASK) | GVT_PTE_VALID);
		i++;
	}
	/* a short table leaves the rest invalid: the device faults there */
	for (; i < pages; i++)
		gvt_pte_write(gdev, ga + i * GVT_PAGE_SIZE, 0);
}

/* drm release action: every binding is gone but the reserved gap */
static void gvt_gtt_release(struct drm_device *drm, void *arg)
{
	struct gvt_device *gdev = arg;
	struct drm_mm_node *n, *next;

	drm_mm_for_each_node_safe(n, next, &gdev->mm) {
		if (n != &gdev->gtt_gap)
			drm_err(drm, "graphics memory %#llx+%#llx still bound at release\n",
				n->start, n->size);
		drm_mm_remove_node(n);
	}
	drm_mm_takedown(&gdev->mm);
}

/**
 * gvt_gtt_init() - set up the graphics memory allocator
 * @gdev: the device, with its PV-info ranges read and checked
 *
 * The allocator lives as long as the DRM device: buffer objects can
 * outlive the PCI function's removal.
 *
 * Return: 0 or a negative errno.
 */
int gvt_gtt_init(struct gvt_device *gdev)
{
	u64 lo_base, lo_end, hi_base, hi_end;
	int ret;

	BUILD_BUG_ON(PAGE_SIZE != GVT_PAGE_SIZE);
	ret = drmm_mutex_init(&gdev->drm, &gdev->gtt_lock);
	if (ret)
		return ret;
	INIT_LIST_HEAD(&gdev->bindings);
	if (gdev->ap_base < gdev->hid_base) {
		lo_base = gdev->ap_base;
		lo_end = lo_base + gdev->ap_size;
		hi_base = gdev->hid_base;
		hi_end = hi_base + gdev->hid_size;
	} else {
		lo_base = gdev->hid_base;
		lo_end = lo_base + gdev->hid_size;
		hi_base = gdev->ap_base;
		hi_end = hi_base + gdev->ap_size;
	}
	drm_mm_init(&gdev->mm, lo_base, hi_end - lo_base);
	ret = drmm_add_action_or_reset(&gdev->drm, gvt_gtt_release, gdev);
	if (ret || hi_base == lo_end)
		return ret;
	/* the space between the two ranges is no one's to use */
	gdev->gtt_gap.start = lo_end;
	gdev->gtt_gap.size = hi_base - lo_end;
	return drm_mm_reserve_node(&gdev->mm, &gdev->gtt_gap);
}

/**
 * gvt_gtt_bind() - give @b graphics memory and map it
 * @gdev: the device
 * @b: a binding with its pages set (@b->sgt, or @b->dma for contiguous
 *     memory); nothing happens when it is bound already
 * @size: bytes, a multiple of the page size
 *
 * Return: 0, -ENOSPC when the vGPU's graphics memory is full, or another
 * negative errno.
 */
int gvt_gtt_bind(struct gvt_device *gdev, struct gvt_binding *b, u64 size)
{
	int ret;

	if (!size || size % GVT_PAGE_SIZE)
		return -EINVAL;
	mutex_lock(&gdev->gtt_lock);
	if (gvt_binding_bound(b)) {
		mutex_unlock(&gdev->gtt_lock);
		return 0;
	}
	ret = drm_mm_insert_node_generic(&gdev->mm, &b->node, size,
					 GVT_PAGE_SIZE, 0, DRM_MM_INSERT_BEST);
	if (ret) {
		mutex_unlock(&gdev->gtt_lock);
		return ret;
	}
	list_add_tail(&b->link, &gdev->bindings);
	gdev->gtt_used += size;
	if (!gdev->gtt_off)
		gvt_binding_write(gdev, b, false);
	mutex_unlock(&gdev->gtt_lock);
	return 0;
}

/**
 * gvt_gtt_unbind() - clear @b's PTEs and give its graphics memory back
 * @gdev: the device
 * @b: a bound binding; the GPU must be done with it
 */
void gvt_gtt_unbind(struct gvt_device *gdev, struct gvt_binding *b)
{
	mutex_lock(&gdev->gtt_lock);
	if (!gdev->gtt_off)
		gvt_binding_write(gdev, b, true);
	gdev->gtt_used -= b->node.size;
	list_del(&b->link);
	drm_mm_remove_node(&b->node);
	mutex_unlock(&gdev->gtt_lock);
}

/**
 * gvt_gtt_restore() - write every binding's PTEs again (after a reset)
 * @gdev: the device
 */
void gvt_gtt_restore(struct gvt_device *gdev)
{
	struct gvt_binding *b;

	mutex_lock(&gdev->gtt_lock);
	list_for_each_entry(b, &gdev->bindings, link)
		gvt_binding_write(gdev, b, false);
	mutex_unlock(&gdev->gtt_lock);
}
