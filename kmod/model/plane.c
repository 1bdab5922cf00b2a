// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf device model: the display plane.
 *
 * The guest points the plane at a surface in its graphics memory (PLANE_SURF,
 * by MMIO or by an LRI flip from a ring). Nothing is scanned out
 * continuously: when the VMM asks what to show (VFIO_DEVICE_QUERY_GFX_PLANE),
 * the client checks the plane registers with gvt_plane_get() and copies the
 * surface out through the GTT with gvt_plane_copy().
 */
#include "gvt_model.h"

int gvt_plane_get(const struct gvt_model *m, struct gvt_plane_info *pi,
		  u64 max_size)
{
	u32 ctl = m->regs[GVT_REGIDX_PLANE_CTL];
	u64 extent;

	memset(pi, 0, sizeof(*pi));
	if (!(ctl & GVT_PLANE_CTL_ENABLE))
		return -ENOENT;
	pi->format = (ctl & GVT_PLANE_CTL_FORMAT_MASK) >>
		     GVT_PLANE_CTL_FORMAT_SHIFT;
	pi->surf = m->regs[GVT_REGIDX_PLANE_SURF];
	pi->width = m->regs[GVT_REGIDX_PLANE_WIDTH];
	pi->height = m->regs[GVT_REGIDX_PLANE_HEIGHT];
	pi->stride = m->regs[GVT_REGIDX_PLANE_STRIDE];
	pi->size = (u64)pi->stride * pi->height;
	extent = pi->size ? pi->size - pi->stride + (u64)pi->width * 4 : 0;
	/* registers hold whatever the guest wrote: a bad plane shows nothing */
	if (pi->format != GVT_PLANE_FORMAT_XRGB8888 || !pi->width ||
	    !pi->height || pi->width > GVT_PLANE_MAX_DIM ||
	    pi->height > GVT_PLANE_MAX_DIM || pi->stride < pi->width * 4 ||
	    pi->size > max_size || !gvt_gm_owned(m, pi->surf, extent)) {
		memset(pi, 0, sizeof(*pi));
		return -EINVAL;
	}
	return 0;
}

int gvt_plane_copy(struct gvt_model *m, const struct gvt_plane_info *pi,
		   u8 *dst, u64 dst_size, u32 *fault)
{
	u32 y;

	if (pi->size > dst_size)
		return -EINVAL;
	for (y = 0; y < pi->height; y++) {
		u64 off = (u64)y * pi->stride;

		if (gvt_gm_rw(m, pi->surf + (u32)off, dst + off, pi->width * 4,
			      false, fault))
			return -EFAULT;
	}
	return 0;
}
