// SPDX-License-Identifier: GPL-2.0
/*
 * gvt_drm: modesetting on the vGPU's display plane (PROGRAMMING.md
 * section 8) - one CRTC, one primary plane (XRGB8888), a virtual encoder
 * and connector, and the fbdev console.
 *
 * Scanout buffers are GEM buffers bound in the GTT. Enabling the plane or
 * changing its size writes the PLANE_* registers by MMIO, which takes
 * effect at once. A page flip between buffers of the same layout goes on
 * the render ring as an LRI of PLANE_SURF: it takes effect in order after
 * the rendering queued before it and raises GVT_IRQ_PLANE_FLIP, and the
 * flip's event is sent from that interrupt. The commit waits for the
 * event before the old buffer is released, so a buffer is never freed
 * while the plane may still show it. There is no vblank; the device has
 * none.
 */
#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_crtc_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_simple_kms_helper.h>
#include <drm/drm_vblank.h>

#include "gvt_drv.h"

static const u32 gvt_formats[] = { DRM_FORMAT_XRGB8888 };
static const u64 gvt_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID
};

/* bytes of a scanout row of @width pixels: PLANE_STRIDE is 64-aligned */
static u64 gvt_plane_pitch(u32 width)
{
	return ALIGN((u64)width * GVT_PIXEL_BYTES, 64);
}

/* writes the plane registers from @gdev->plane_hw; ring_lock held */
static void gvt_plane_write(struct gvt_device *gdev)
{
	const struct gvt_plane_hw *hw = &gdev->plane_hw;

	if (!(hw->ctl & GVT_PLANE_CTL_ENABLE)) {
		gvt_wr(gdev, GVT_REG_PLANE_CTL, 0);
		return;
	}
	gvt_wr(gdev, GVT_REG_PLANE_WIDTH, hw->width);
	gvt_wr(gdev, GVT_REG_PLANE_HEIGHT, hw->height);
	gvt_wr(gdev, GVT_REG_PLANE_STRIDE, hw->stride);
	gvt_wr(gdev, GVT_REG_PLANE_SURF, hw->surf);
	gvt_wr(gdev, GVT_REG_PLANE_CTL, hw->ctl);
}

/* ---- page flips ---------------------------------------------------------- */

/* sends the flip event once every queued flip is done; event_lock held */
static void gvt_flip_complete_locked(struct gvt_device *gdev)
{
	if (gdev->flip.done != gdev->flip.queued || !gdev->flip.event)
		return;
	drm_crtc_send_vblank_event(&gdev->crtc, gdev->flip.event);
	gdev->flip.event = NULL;
}

/* puts a flip to @surf on the render ring; false when it could not */
static bool gvt_flip_queue(struct gvt_device *gdev, u32 surf)
{
	struct gvt_engine *eng = &gdev->engine[GVT_ENGINE_RENDER];
	struct gvt_request *rq;
	u32 seq;

	rq = gvt_request_new(eng);
	if (!rq)
		return false;
	/* a flip is not worth a long wait: MMIO does it when the ring is full */
	if (gvt_ring_begin(eng, rq, false, HZ)) {
		gvt_request_free_unused(rq);
		return false;
	}
	spin_lock_irq(&gdev->drm.event_lock);
	seq = gdev->flip.queued + 1;
	if (!seq)
		seq++;	/* 0 marks requests that are no flip */
	gdev->flip.queued = seq;
	gdev->flip.surf = surf;
	spin_unlock_irq(&gdev->drm.event_lock);
	rq->flip_seq = seq;
	rq->flip_surf = surf;
	gdev->plane_hw.surf = surf;
	gvt_ring_commit(eng, rq);
	gvt_ring_end(eng);
	return true;
}

/**
 * gvt_kms_flip_irq() - GVT_IRQ_PLANE_FLIP: an LRI changed PLANE_SURF
 * @gdev: the device
 *
 * The flip in flight is done when PLANE_SURF holds its surface (a debug
 * submission may flip too; that completes nothing of ours).
 */
void gvt_kms_flip_irq(struct gvt_device *gdev)
{
	unsigned long flags;

	spin_lock_irqsave(&gdev->drm.event_lock, flags);
	if (gdev->flip.done != gdev->flip.queued &&
	    gvt_rd(gdev, GVT_REG_PLANE_SURF) == gdev->flip.surf) {
		gdev->flip.done = gdev->flip.queued;
		atomic_inc(&gdev->flips);
		gvt_flip_complete_locked(gdev);
	}
	spin_unlock_irqrestore(&gdev->drm.event_lock, flags);
}

/**
 * gvt_kms_flip_retired() - a flip request left the ring
 * @gdev: the device
 * @flip_seq: its number
 * @failed: it was failed by a reset rather than completed
 *
 * Normally the flip interrupt came first. Should it not have, the flip is
 * completed here all the same and counted in DRM_GVT_PARAM_FLIPS_LATE.
 */
void gvt_kms_flip_retired(struct gvt_device *gdev, u32 flip_seq, bool failed)
{
	unsigned long flags;

	spin_lock_irqsave(&gdev->drm.event_lock, flags);
	if ((s32)(gdev->flip.done - flip_seq) < 0) {
		gdev->flip.done = flip_seq;
		if (!failed)
			atomic_inc(&gdev->flips_late);
		gvt_flip_complete_locked(gdev);
	}
	spin_unlock_irqrestore(&gdev->drm.event_lock, flags);
}

/**
 * gvt_kms_restore() - after a reset: the plane registers again, and any
 * flip that was in flight counts as done (the registers say where it went)
 * @gdev: the device; ring_lock held
 */
void gvt_kms_restore(struct gvt_device *gdev)
{
	unsigned long flags;

	gvt_plane_write(gdev);
	spin_lock_irqsave(&gdev->drm.event_lock, flags);
	gdev->flip.done = gdev->flip.queued;
	gvt_flip_complete_locked(gdev);
	spin_unlock_irqrestore(&gdev->drm.event_lock, flags);
}

/* ---- plane ----------------------------------------------------------------- */

/* byte offset of the plane state's first shown pixel in its buffer */
static u64 gvt_plane_offset(const struct drm_plane_state *st)
{
	const struct drm_framebuffer *fb = st->fb;

	return fb->offsets[0] + (u64)(st->src.y1 >> 16) * fb->pitches[0] +
	       (u64)(st->src.x1 >> 16) * GVT_PIXEL_BYTES;
}

static int gvt_plane_atomic_check(struct drm_plane *plane,
				  struct drm_atomic_state *state)
{
	struct drm_plane_state *st = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;
	struct drm_framebuffer *fb = st->fb;
	u32 w, h;
	int ret;

	if (st->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, st->crtc);
	ret = drm_atomic_helper_check_plane_state(st, crtc_state,
						  DRM_PLANE_NO_SCALING,
						  DRM_PLANE_NO_SCALING,
						  false, false);
	if (ret || !st->visible)
		return ret;
	w = drm_rect_width(&st->src) >> 16;
	h = drm_rect_height(&st->src) >> 16;
	/* the registers take a page-aligned surface, a 64-byte aligned stride */
	if (fb->format->format != DRM_FORMAT_XRGB8888 ||
	    fb->pitches[0] % 64 || fb->pitches[0] < w * GVT_PIXEL_BYTES ||
	    gvt_plane_offset(st) % GVT_PAGE_SIZE ||
	    w > GVT_PLANE_MAX_DIM || h > GVT_PLANE_MAX_DIM ||
	    (u64)fb->pitches[0] * h > GVT_PLANE_REGION_SIZE)
		return -EINVAL;
	return 0;
}

static int gvt_plane_prepare_fb(struct drm_plane *plane,
				struct drm_plane_state *st)
{
	struct gvt_device *gdev = to_gvt(plane->dev);
	int ret;

	if (!st->fb)
		return 0;
	ret = gvt_bo_bind(gdev, to_gvt_bo(st->fb->obj[0]));
	if (ret)
		return ret;
	/* the commit waits for the rendering the buffer still has queued */
	return drm_gem_plane_helper_prepare_fb(plane, st);
}

static void gvt_plane_atomic_update(struct drm_plane *plane,
				    struct drm_atomic_state *state)
{
	struct drm_plane_state *st = drm_atomic_get_new_plane_state(state, plane);
	struct gvt_device *gdev = to_gvt(plane->dev);
	struct gvt_plane_hw hw = { 0 };
	struct gvt_bo *bo;
	bool same_layout;
	int idx;

	if (!drm_dev_enter(&gdev->drm, &idx))
		return;
	if (st->visible && st->fb) {
		bo = to_gvt_bo(st->fb->obj[0]);
		hw.ctl = GVT_PLANE_CTL_ENABLE |
			 GVT_PLANE_FORMAT_XRGB8888 << GVT_PLANE_CTL_FORMAT_SHIFT;
		hw.surf = gvt_binding_ga(&bo->bind) + (u32)gvt_plane_offset(st);
		hw.width = drm_rect_width(&st->src) >> 16;
		hw.height = drm_rect_height(&st->src) >> 16;
		hw.stride = st->fb->pitches[0];
	}

	mutex_lock(&gdev->ring_lock);
	same_layout = hw.ctl && gdev->plane_hw.ctl == hw.ctl &&
		      gdev->plane_hw.width == hw.width &&
		      gdev->plane_hw.height == hw.height &&
		      gdev->plane_hw.stride == hw.stride;
	if (same_layout && gdev->plane_hw.surf == hw.surf) {
		mutex_unlock(&gdev->ring_lock);
		goto out;
	}
	mutex_unlock(&gdev->ring_lock);

	if (same_layout && gvt_flip_queue(gdev, hw.surf)) {
		gdev->flip_in_commit = true;
		goto out;
	}
	mutex_lock(&gdev->ring_lock);
	gdev->plane_hw = hw;
	if (!gdev->dead && !gdev->wedged)
		gvt_plane_write(gdev);
	mutex_unlock(&gdev->ring_lock);
out:
	drm_dev_exit(idx);
}

static const struct drm_plane_helper_funcs gvt_plane_helper_funcs = {
	.prepare_fb = gvt_plane_prepare_fb,
	.atomic_check = gvt_plane_atomic_check,
	.atomic_update = gvt_plane_atomic_update,
	.atomic_disable = gvt_plane_atomic_update,
};

static const struct drm_plane_funcs gvt_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
};

/* ---- CRTC ------------------------------------------------------------------ */

/*
 * A flip queued on the ring by this commit keeps the commit's event until
 * the flip interrupt; any other event is sent by gvt_commit_tail().
 */
static void gvt_crtc_atomic_flush(struct drm_crtc *crtc,
				  struct drm_atomic_state *state)
{
	struct drm_crtc_state *cs = drm_atomic_get_new_crtc_state(state, crtc);
	struct gvt_device *gdev = to_gvt(crtc->dev);

	spin_lock_irq(&crtc->dev->event_lock);
	if (gdev->flip_in_commit && cs->event) {
		/* commits are serialized: an older event cannot be pending */
		if (gdev->flip.event)
			drm_crtc_send_vblank_event(crtc, gdev->flip.event);
		gdev->flip.event = cs->event;
		cs->event = NULL;
		gvt_flip_complete_locked(gdev);
	}
	gdev->flip_in_commit = false;
	spin_unlock_irq(&crtc->dev->event_lock);
}

static const struct drm_crtc_helper_funcs gvt_crtc_helper_funcs = {
	.atomic_check = drm_crtc_helper_atomic_check,
	.atomic_flush = gvt_crtc_atomic_flush,
};

static const struct drm_crtc_funcs gvt_crtc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.destroy = drm_crtc_cleanup,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
};

/* ---- connector ------------------------------------------------------------- */

static int gvt_connector_get_modes(struct drm_connector *conn)
{
	struct drm_display_mode *mode;
	int n;

	n = drm_add_modes_noedid(conn, GVT_PLANE_MAX_DIM, GVT_PLANE_MAX_DIM);
	mode = drm_cvt_mode(conn->dev, gvt_xres, gvt_yres, 60, false, false,
			    false);
	if (mode) {
		mode->type |= DRM_MODE_TYPE_PREFERRED | DRM_MODE_TYPE_DRIVER;
		drm_mode_probed_add(conn, mode);
		n++;
	}
	return n;
}

static enum drm_mode_status
gvt_connector_mode_valid(struct drm_connector *conn,
			 struct drm_display_mode *mode)
{
	if (mode->hdisplay > GVT_PLANE_MAX_DIM ||
	    mode->vdisplay > GVT_PLANE_MAX_DIM)
		return MODE_BAD;
	if (gvt_plane_pitch(mode->hdisplay) * mode->vdisplay >
	    GVT_PLANE_REGION_SIZE)
		return MODE_MEM;
	return MODE_OK;
}

static const struct drm_connector_helper_funcs gvt_connector_helper_funcs = {
	.get_modes = gvt_connector_get_modes,
	.mode_valid = gvt_connector_mode_valid,
};

static const struct drm_connector_funcs gvt_connector_funcs = {
	.reset = drm_atomic_helper_connector_reset,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/* ---- mode config ----------------------------------------------------------- */

/*
 * The helpers' tail, except that it waits for the flip (the ring flip's
 * interrupt) rather than for a vblank before the old buffers go. Events
 * no ring flip took are sent at once: the device has no vblank.
 */
static void gvt_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;

	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_planes(drm, state, 0);
	drm_atomic_helper_commit_modeset_enables(drm, state);
	drm_atomic_helper_fake_vblank(state);
	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_flip_done(drm, state);
	drm_atomic_helper_cleanup_planes(drm, state);
}

static const struct drm_mode_config_helper_funcs gvt_mode_config_helpers = {
	.atomic_commit_tail = gvt_commit_tail,
};

static const struct drm_mode_config_funcs gvt_mode_config_funcs = {
	.fb_create = drm_gem_fb_create,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

/**
 * gvt_kms_init() - the display pipeline: plane, CRTC, encoder, connector
 * @gdev: the device
 *
 * Return: 0 or a negative errno.
 */
int gvt_kms_init(struct gvt_device *gdev)
{
	struct drm_device *drm = &gdev->drm;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = GVT_PLANE_MAX_DIM;
	drm->mode_config.max_height = GVT_PLANE_MAX_DIM;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.funcs = &gvt_mode_config_funcs;
	drm->mode_config.helper_private = &gvt_mode_config_helpers;

	ret = drm_universal_plane_init(drm, &gdev->plane, 0, &gvt_plane_funcs,
				       gvt_formats, ARRAY_SIZE(gvt_formats),
				       gvt_modifiers, DRM_PLANE_TYPE_PRIMARY,
				       NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&gdev->plane, &gvt_plane_helper_funcs);

	ret = drm_crtc_init_with_planes(drm, &gdev->crtc, &gdev->plane, NULL,
					&gvt_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&gdev->crtc, &gvt_crtc_helper_funcs);

	ret = drm_simple_encoder_init(drm, &gdev->encoder,
				      DRM_MODE_ENCODER_VIRTUAL);
	if (ret)
		return ret;
	gdev->encoder.possible_crtcs = drm_crtc_mask(&gdev->crtc);

	ret = drm_connector_init(drm, &gdev->connector, &gvt_connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&gdev->connector, &gvt_connector_helper_funcs);
	ret = drm_connector_attach_encoder(&gdev->connector, &gdev->encoder);
	if (ret)
		return ret;

	drm_mode_config_reset(drm);
	return 0;
}
