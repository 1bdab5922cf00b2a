// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: the display of a vGPU for the VMM. VFIO_DEVICE_QUERY_GFX_PLANE
 * (region type, as QEMU's display=on uses it) answers with the plane the
 * guest programmed, after copying its surface out of guest memory through
 * the GTT into the plane region (GVT_PLANE_REGION_INDEX), which the VMM
 * mmaps or reads. A copy rather than a mapping of guest pages: the surface
 * may be scattered over any pages the GTT names, and a snapshot taken at
 * query time is what a display refresh needs.
 */
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/mm.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_plane.h>
#include "gvt.h"

/* the plane region comes right after the standard PCI regions */
static_assert(GVT_PLANE_REGION_INDEX == VFIO_PCI_NUM_REGIONS);

/**
 * gvt_display_open() - give an opened vGPU its plane region
 * @vgpu: the vGPU, being opened
 *
 * A fresh, zeroed buffer per open: nothing of a previous user's frames
 * reaches the next one, and read and mmap never allocate (so they never
 * need the vGPU's lock, which guest memory faults are taken under).
 *
 * Return: 0 or -ENOMEM.
 */
int gvt_display_open(struct gvt_vgpu *vgpu)
{
	vgpu->plane_buf = vmalloc_user(GVT_PLANE_REGION_SIZE);
	return vgpu->plane_buf ? 0 : -ENOMEM;
}

/**
 * gvt_display_close() - free the plane region
 * @vgpu: the vGPU, being closed: no file, hence no mapping, is left
 */
void gvt_display_close(struct gvt_vgpu *vgpu)
{
	vfree(vgpu->plane_buf);
	vgpu->plane_buf = NULL;
}

/**
 * gvt_display_query() - VFIO_DEVICE_QUERY_GFX_PLANE
 * @vgpu: the vGPU
 * @arg: user's struct vfio_device_gfx_plane_info
 *
 * Probing accepts the region type only. A query of the primary plane
 * refreshes the plane region and describes the surface; a disabled or
 * invalid plane, and the cursor plane (there is none), are described with
 * size 0, which a VMM takes as "nothing to show".
 *
 * Return: 0 or a negative errno.
 */
int gvt_display_query(struct gvt_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_gfx_plane_info,
					  region_index);
	struct vfio_device_gfx_plane_info plane;
	struct gvt_plane_info pi;
	u32 fault;

	if (copy_from_user(&plane, arg, minsz))
		return -EFAULT;
	if (plane.argsz < minsz)
		return -EINVAL;
	if (plane.flags & VFIO_GFX_PLANE_TYPE_PROBE)
		return plane.flags == (VFIO_GFX_PLANE_TYPE_PROBE |
				       VFIO_GFX_PLANE_TYPE_REGION) ? 0 : -EINVAL;
	if (plane.flags != VFIO_GFX_PLANE_TYPE_REGION)
		return -EINVAL;

	plane.drm_format = 0;
	plane.drm_format_mod = 0;
	plane.width = 0;
	plane.height = 0;
	plane.stride = 0;
	plane.size = 0;
	plane.x_pos = 0;
	plane.y_pos = 0;
	plane.x_hot = 0;
	plane.y_hot = 0;
	plane.region_index = GVT_PLANE_REGION_INDEX;
	/*
	 * The vGPU has one plane, the primary. QEMU's region path asks with
	 * drm_plane_type left 0, so only an explicit cursor query is "none".
	 */
	if (plane.drm_plane_type == DRM_PLANE_TYPE_CURSOR)
		goto out;

	mutex_lock(&vgpu->lock);
	if (!gvt_plane_get(vgpu->model, &pi, GVT_PLANE_REGION_SIZE) &&
	    !gvt_plane_copy(vgpu->model, &pi, vgpu->plane_buf,
			    GVT_PLANE_REGION_SIZE, &fault)) {
		plane.drm_format = DRM_FORMAT_XRGB8888;
		plane.width = pi.width;
		plane.height = pi.height;
		plane.stride = pi.stride;
		plane.size = pi.size;
	}
	mutex_unlock(&vgpu->lock);
out:
	return copy_to_user(arg, &plane, minsz) ? -EFAULT : 0;
}

/**
 * gvt_display_region_info() - describe the plane region
 * @info: filled except offset, which the caller sets
 */
void gvt_display_region_info(struct vfio_region_info *info)
{
	info->size = GVT_PLANE_REGION_SIZE;
	info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP;
}

/**
 * gvt_display_read() - read the plane region
 * @vgpu: the vGPU
 * @ubuf: user buffer
 * @count: bytes
 * @off: offset in the region
 *
 * Without the vGPU's lock: the copy may fault on user memory, and the
 * buffer lives as long as the file. A read racing a query sees the old
 * frame, the new one or a mix, as a mapping of the region would.
 *
 * Return: bytes read or a negative errno.
 */
ssize_t gvt_display_read(struct gvt_vgpu *vgpu, char __user *ubuf,
			 size_t count, u64 off)
{
	if (!count || off >= GVT_PLANE_REGION_SIZE ||
	    count > GVT_PLANE_REGION_SIZE - off)
		return -EINVAL;
	if (copy_to_user(ubuf, vgpu->plane_buf + off, count))
		return -EFAULT;
	return count;
}

/**
 * gvt_display_mmap() - map the plane region
 * @vgpu: the vGPU
 * @vma: the user mapping, read-only (and it stays so: no mprotect to
 *	writable later)
 * @off: offset in the region
 *
 * Called with mmap_lock held: it takes no lock of the vGPU, so it cannot
 * wait on one held across a fault on this process's memory.
 *
 * Return: 0 or a negative errno.
 */
int gvt_display_mmap(struct gvt_vgpu *vgpu, struct vm_area_struct *vma,
		     u64 off)
{
	u64 size = vma->vm_end - vma->vm_start;

	if (vma->vm_flags & VM_WRITE)
		return -EINVAL;
	if (off >= GVT_PLANE_REGION_SIZE || size > GVT_PLANE_REGION_SIZE - off)
		return -EINVAL;
	vm_flags_clear(vma, VM_MAYWRITE);
	return remap_vmalloc_range(vma, vgpu->plane_buf, off >> PAGE_SHIFT);
}
