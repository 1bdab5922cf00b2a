// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf: the VFIO PCI device of a vGPU. A thin glue between the VFIO
 * device file and the device model: it decodes region offsets, copies
 * user data in bounded chunks, and turns model interrupts into eventfd
 * signals. All the device semantics live in model/.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include "gvt.h"
#include "gvt_bpf_ops.h"

#define GVT_OFFSET_SHIFT	40
#define GVT_OFFSET_TO_INDEX(off) ((off) >> GVT_OFFSET_SHIFT)
#define GVT_INDEX_TO_OFFSET(i)	((u64)(i) << GVT_OFFSET_SHIFT)
#define GVT_OFFSET_MASK		(GVT_INDEX_TO_OFFSET(1) - 1)
#define GVT_RW_CHUNK		256u	/* bytes copied per model call */

static u64 gvt_env_now(void *priv)
{
	return ktime_get_ns();
}

/* called with vgpu->lock held, from the model */
static void gvt_env_irq(void *priv)
{
	struct gvt_vgpu *vgpu = priv;

	if (gvt_model_msi_enabled(vgpu->model)) {
		/* an MSI is a memory write: a function not mastering sends none */
		if (!gvt_model_bus_master(vgpu->model))
			return;
		/* a masked vector holds the message: sent at unmask (cfg.c) */
		if (gvt_model_msi_masked(vgpu->model))
			gvt_model_msi_set_pending(vgpu->model, true);
		else if (vgpu->msi_trigger)
			eventfd_signal(vgpu->msi_trigger);
		return;
	}
	if (vgpu->intx_trigger && !vgpu->intx_masked &&
	    !gvt_model_intx_disabled(vgpu->model)) {
		/* level interrupt: masked until the user unmasks it */
		vgpu->intx_masked = true;
		eventfd_signal(vgpu->intx_trigger);
	}
}

static int gvt_vfio_init(struct vfio_device *vdev)
{
	struct gvt_vgpu *vgpu = vdev_to_vgpu(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct gvt_parent *parent = container_of(mdev->type->parent,
						 struct gvt_parent,
						 mdev_parent);
	struct gvt_vgpu_params p;
	int ret;

	vgpu->parent = parent;
	vgpu->type = container_of(mdev->type, struct gvt_type, type);
	vgpu->serial = gvt_next_serial();
	mutex_init(&vgpu->lock);

	ret = gvt_parent_claim(parent, vgpu, &p);
	if (ret)
		return ret;

	ret = -ENOMEM;
	vgpu->model = vzalloc(sizeof(*vgpu->model));
	if (!vgpu->model)
		goto err_release;
	vgpu->aperture = vmalloc_user(p.aperture_size);
	if (!vgpu->aperture)
		goto err_model;

	vgpu->env.priv = vgpu;
	vgpu->env.now_ns = gvt_env_now;
	vgpu->env.irq = gvt_env_irq;
	vgpu->env.mmio_hook = gvt_bpf_mmio_hook;
	gvt_engine_env_init(vgpu);
	gvt_engine_exec_init(vgpu);
	ret = gvt_model_init(vgpu->model, &p, &vgpu->env, vgpu->aperture);
	if (ret)
		goto err_aperture;
	ret = gvt_engine_vgpu_add(vgpu);
	if (ret)
		goto err_aperture;
	/* only a whole vGPU is seen by walkers of the parent's list */
	gvt_parent_publish(parent, vgpu);
	return 0;

err_aperture:
	vfree(vgpu->aperture);
err_model:
	vfree(vgpu->model);
err_release:
	gvt_parent_release(parent, vgpu);
	return ret;
}

static void gvt_vfio_release(struct vfio_device *vdev)
{
	struct gvt_vgpu *vgpu = vdev_to_vgpu(vdev);

	/* off the parent's list first, then off the engines */
	gvt_parent_release(vgpu->parent, vgpu);
	gvt_bpf_vgpu_gone(vgpu->model->p.id, vgpu->serial);
	/* no engine may hold the vGPU once its memory goes */
	gvt_engine_vgpu_remove(vgpu);
	vfree(vgpu->aperture);
	vfree(vgpu->model);
	mutex_destroy(&vgpu->lock);
}

static void gvt_irqs_free(struct gvt_vgpu *vgpu)
{
	struct eventfd_ctx **ctxs[] = {
		&vgpu->intx_trigger, &vgpu->msi_trigger, &vgpu->req_trigger
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(ctxs); i++) {
		if (*ctxs[i])
			eventfd_ctx_put(*ctxs[i]);
		*ctxs[i] = NULL;
	}
	vgpu->intx_masked = false;
}

static int gvt_vfio_open(struct vfio_device *vdev)
{
	struct gvt_vgpu *vgpu = vdev_to_vgpu(vdev);
	int ret;

	ret = gvt_display_open(vgpu);
	if (ret)
		return ret;
	mutex_lock(&vgpu->lock);
	vgpu->opened = true;
	mutex_unlock(&vgpu->lock);
	return 0;
}

/*
 * What a user leaves in the vGPU's memory goes with a reset and a close:
 * the next user, maybe another tenant, starts from zeros. The registers,
 * GTT and engines (shadows included) are the model reset's part.
 */
static void gvt_vgpu_scrub(struct gvt_vgpu *vgpu)
{
	memset(vgpu->aperture, 0, vgpu->model->p.aperture_size);
}

static void gvt_vfio_close(struct vfio_device *vdev)
{
	struct gvt_vgpu *vgpu = vdev_to_vgpu(vdev);

	/*
	 * The reset stops the engines of this vGPU (its executor finds no
	 * work at its next step), and guest memory becomes unreachable
	 * before VFIO drops the container.
	 */
	mutex_lock(&vgpu->lock);
	gvt_irqs_free(vgpu);
	gvt_model_reset(vgpu->model);
	gvt_vgpu_scrub(vgpu);
	vgpu->opened = false;
	mutex_unlock(&vgpu->lock);
	gvt_display_close(vgpu);
}

static int gvt_index_to_space(u32 index, enum gvt_space *sp)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		*sp = GVT_SPACE_CFG;
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX:
		*sp = GVT_SPACE_BAR0;
		return 0;
	case VFIO_PCI_BAR2_REGION_INDEX:
		*sp = GVT_SPACE_BAR2;
		return 0;
	default:
		return -EINVAL;
	}
}

static ssize_t gvt_vfio_rw(struct gvt_vgpu *vgpu, char __user *ubuf,
			   size_t count, loff_t *ppos, bool write)
{
	u64 pos = *ppos;
	u64 off = pos & GVT_OFFSET_MASK;
	u8 kbuf[GVT_RW_CHUNK];
	enum gvt_space sp;
	size_t done = 0;
	int ret;

	if (GVT_OFFSET_TO_INDEX(pos) == GVT_PLANE_REGION_INDEX) {
		ssize_t n = write ? -EINVAL :
			    gvt_display_read(vgpu, ubuf, count, off);

		if (n > 0)
			*ppos += n;
		return n;
	}
	ret = gvt_index_to_space(GVT_OFFSET_TO_INDEX(pos), &sp);
	if (ret)
		return ret;
	/* the whole range is checked before anything is accessed */
	if (!count || off >= gvt_model_space_size(vgpu->model, sp) ||
	    count > gvt_model_space_size(vgpu->model, sp) - off)
		return -EINVAL;

	while (done < count) {
		size_t n = min_t(size_t, count - done, GVT_RW_CHUNK);

		if (write && copy_from_user(kbuf, ubuf + done, n))
			return done ? done : -EFAULT;
		mutex_lock(&vgpu->lock);
		ret = gvt_model_rw(vgpu->model, sp, off + done, kbuf, n, write);
		gvt_stats_event(vgpu->model->p.id, &vgpu->model->stats);
		mutex_unlock(&vgpu->lock);
		if (ret)
			return done ? done : ret;
		if (!write && copy_to_user(ubuf + done, kbuf, n))
			return done ? done : -EFAULT;
		done += n;
	}
	*ppos += done;
	return done;
}

static ssize_t gvt_vfio_read(struct vfio_device *vdev, char __user *buf,
			     size_t count, loff_t *ppos)
{
	return gvt_vfio_rw(vdev_to_vgpu(vdev), buf, count, ppos, false);
}

static ssize_t gvt_vfio_write(struct vfio_device *vdev, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	return gvt_vfio_rw(vdev_to_vgpu(vdev), (char __user *)buf, count, ppos,
			   true);
}

static int gvt_vfio_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct gvt_vgpu *vgpu = vdev_to_vgpu(vdev);
	u64 req_off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 size = vma->vm_end - vma->vm_start;
	u64 ap = vgpu->model->p.aperture_size;
	u64 off;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	off = req_off & GVT_OFFSET_MASK;
	if (GVT_OFFSET_TO_INDEX(req_off) == GVT_PLANE_REGION_INDEX)
		return gvt_display_mmap(vgpu, vma, off);
	if (GVT_OFFSET_TO_INDEX(req_off) != VFIO_PCI_BAR2_REGION_INDEX)
		return -EINVAL;
	if (off >= ap || size > ap - off)
		return -EINVAL;
	return remap_vmalloc_range(vma, vgpu->aperture, off >> PAGE_SHIFT);
}

static int gvt_get_region_info(struct gvt_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || (info.index >= VFIO_PCI_NUM_REGIONS &&
				   info.index != GVT_PLANE_REGION_INDEX))
		return -EINVAL;

	info.offset = GVT_INDEX_TO_OFFSET(info.index);
	info.flags = 0;
	info.size = 0;
	info.cap_offset = 0;
	switch (info.index) {
	case GVT_PLANE_REGION_INDEX:
		gvt_display_region_info(&info);
		break;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.size = GVT_CFG_SIZE;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX:
		info.size = GVT_BAR0_SIZE;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR2_REGION_INDEX:
		info.size = vgpu->model->p.aperture_size;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE |
			     VFIO_REGION_INFO_FLAG_MMAP;
		break;
	default:
		break;
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static u32 gvt_irq_count(u32 index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		return 0;
	}
}

static int gvt_get_irq_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;

	info.count = gvt_irq_count(info.index);
	info.flags = info.count ? VFIO_IRQ_INFO_EVENTFD : 0;
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.count)
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* replace *slot by the eventfd @fd (-1 clears); caller holds vgpu->lock */
static int gvt_set_trigger(struct eventfd_ctx **slot, s32 fd)
{
	struct eventfd_ctx *ctx = NULL;

	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	} else if (fd != -1) {
		return -EINVAL;
	}
	if (*slot)
		eventfd_ctx_put(*slot);
	*slot = ctx;
	return 0;
}

static struct eventfd_ctx **gvt_irq_slot(struct gvt_vgpu *vgpu, u32 index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		return &vgpu->intx_trigger;
	case VFIO_PCI_MSI_IRQ_INDEX:
		return &vgpu->msi_trigger;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return &vgpu->req_trigger;
	default:
		return NULL;
	}
}

static int gvt_set_irqs_locked(struct gvt_vgpu *vgpu, struct vfio_irq_set *hdr,
			       const u8 *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	u32 dtype = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	struct eventfd_ctx **slot = gvt_irq_slot(vgpu, hdr->index);
	bool fire;

	if (!slot)
		return -EINVAL;

	/*
	 * count 0 with DATA_NONE: disable the index; anything else with
	 * count 0 carries no data to act on.
	 */
	if (!hdr->count) {
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER ||
		    dtype != VFIO_IRQ_SET_DATA_NONE)
			return -EINVAL;
		gvt_set_trigger(slot, -1);
		return 0;
	}
	/* count is 1 here (one vector per index), so BOOL and EVENTFD have data */
	if (dtype != VFIO_IRQ_SET_DATA_NONE && !data)
		return -EINVAL;
	fire = dtype == VFIO_IRQ_SET_DATA_NONE ||
	       (dtype == VFIO_IRQ_SET_DATA_BOOL && data[0]);

	switch (action) {
	case VFIO_IRQ_SET_ACTION_MASK:
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (hdr->index != VFIO_PCI_INTX_IRQ_INDEX ||
		    dtype == VFIO_IRQ_SET_DATA_EVENTFD)
			return -EINVAL;
		if (fire)
			vgpu->intx_masked = action == VFIO_IRQ_SET_ACTION_MASK;
		/* level-triggered: still asserted after unmask, fire again */
		if (fire && action == VFIO_IRQ_SET_ACTION_UNMASK &&
		    gvt_model_irq_live(vgpu->model))
			gvt_env_irq(vgpu);
		return 0;
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		if (dtype == VFIO_IRQ_SET_DATA_EVENTFD) {
			s32 fd;

			memcpy(&fd, data, sizeof(fd));
			return gvt_set_trigger(slot, fd);
		}
		/* loopback trigger, as vfio-pci does */
		if (fire && *slot)
			eventfd_signal(*slot);
		return 0;
	default:
		return -EINVAL;
	}
}

static int gvt_set_irqs(struct gvt_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	u8 *data = NULL;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, gvt_irq_count(hdr.index),
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	mutex_lock(&vgpu->lock);
	ret = gvt_set_irqs_locked(vgpu, &hdr, data);
	mutex_unlock(&vgpu->lock);
	kfree(data);
	return ret;
}

static long gvt_vfio_ioctl(struct vfio_device *vdev, unsigned int cmd,
			   unsigned long arg)
{
	struct gvt_vgpu *vgpu = vdev_to_vgpu(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO: {
		unsigned long minsz = offsetofend(struct vfio_device_info,
						  num_irqs);
		struct vfio_device_info info;

		if (copy_from_user(&info, uarg, minsz))
			return -EFAULT;
		if (info.argsz < minsz)
			return -EINVAL;
		info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		/* the PCI regions, then the display plane's */
		info.num_regions = GVT_PLANE_REGION_INDEX + 1;
		info.num_irqs = VFIO_PCI_NUM_IRQS;
		return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO:
		return gvt_get_region_info(vgpu, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return gvt_get_irq_info(uarg);
	case VFIO_DEVICE_SET_IRQS:
		return gvt_set_irqs(vgpu, uarg);
	case VFIO_DEVICE_QUERY_GFX_PLANE:
		return gvt_display_query(vgpu, uarg);
	case VFIO_DEVICE_RESET:
		mutex_lock(&vgpu->lock);
		gvt_model_reset(vgpu->model);
		gvt_vgpu_scrub(vgpu);
		vgpu->intx_masked = false;
		mutex_unlock(&vgpu->lock);
		return 0;
	}
	return -ENOTTY;
}

/* the vGPU is being removed while open: ask its user to let go */
static void gvt_vfio_request(struct vfio_device *vdev, unsigned int count)
{
	struct gvt_vgpu *vgpu = vdev_to_vgpu(vdev);

	mutex_lock(&vgpu->lock);
	if (vgpu->req_trigger) {
		if (!count)
			dev_notice(vdev->dev, "asking the user to release the vGPU\n");
		eventfd_signal(vgpu->req_trigger);
	} else if (!count) {
		dev_notice(vdev->dev, "vGPU in use, removal waits for it to be closed\n");
	}
	mutex_unlock(&vgpu->lock);
}

const struct vfio_device_ops gvt_vfio_ops = {
	.name = "gvt-bpf-vgpu",
	.init = gvt_vfio_init,
	.release = gvt_vfio_release,
	.open_device = gvt_vfio_open,
	.close_device = gvt_vfio_close,
	.read = gvt_vfio_read,
	.write = gvt_vfio_write,
	.mmap = gvt_vfio_mmap,
	.ioctl = gvt_vfio_ioctl,
	.request = gvt_vfio_request,
	.bind_iommufd = vfio_iommufd_emulated_bind,
	.unbind_iommufd = vfio_iommufd_emulated_unbind,
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
};
