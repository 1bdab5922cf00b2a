// SPDX-License-Identifier: GPL-2.0
/*
 * gvt_drm: the guest's DRM driver for the gvt-bpf vGPU (PCI 1b36:10f0),
 * written against include/gvt/PROGRAMMING.md.
 *
 * Probe reads the PV-info page (which graphics addresses this vGPU may
 * use), resets the vGPU to a known state, maps the driver's rings and
 * batch buffers in the GTT, takes MSI (INTx when MSI is unavailable or
 * the msi parameter is off), and registers a DRM device with modesetting
 * on the display plane, the fbdev console, GEM buffers and the
 * submission interface of include/gvt/gvt_drm.h.
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fbdev_shmem.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "gvt_drv.h"

static bool gvt_msi = true;
module_param_named(msi, gvt_msi, bool, 0444);
MODULE_PARM_DESC(msi, "use MSI when the device offers it (default true; false: INTx)");

unsigned int gvt_hang_timeout_ms = 10000;
module_param_named(hang_timeout_ms, gvt_hang_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hang_timeout_ms,
		 "reset the vGPU when a busy engine makes no progress for this long (100..600000, default 10000)");

unsigned int gvt_xres = 1024, gvt_yres = 768;
module_param_named(xres, gvt_xres, uint, 0444);
MODULE_PARM_DESC(xres, "preferred display width (64..4096, default 1024)");
module_param_named(yres, gvt_yres, uint, 0444);
MODULE_PARM_DESC(yres, "preferred display height (64..4096, default 768)");

/* ---- PV-info --------------------------------------------------------------- */

static bool gvt_range_ok(u32 base, u32 size)
{
	return size && !(base % GVT_PAGE_SIZE) && !(size % GVT_PAGE_SIZE) &&
	       (u64)base + size <= GVT_GM_SPACE;
}

/* reads what the vGPU says about itself and checks it */
static int gvt_read_pvinfo(struct gvt_device *gdev)
{
	struct pci_dev *pdev = gdev->pdev;
	u32 id, caps, need, cap_id, cap_pv;
	int pos;

	id = gvt_rd(gdev, GVT_REG_ID);
	if (id != GVT_ID_MAGIC) {
		pci_err(pdev, "not a gvt-bpf vGPU: ID reads %#x, want %#x\n",
			id, GVT_ID_MAGIC);
		return -ENODEV;
	}
	gdev->dev_version = gvt_rd(gdev, GVT_REG_VERSION);
	if (gdev->dev_version >> 16 != GVT_VERSION_MAJOR) {
		pci_err(pdev, "device version %u.%u, this driver knows %u.x\n",
			gdev->dev_version >> 16, gdev->dev_version & 0xffff,
			GVT_VERSION_MAJOR);
		return -ENODEV;
	}
	need = GVT_CAP_GTT | GVT_CAP_RINGS | GVT_CAP_DISPLAY;
	caps = gvt_rd(gdev, GVT_REG_CAPS);
	if ((caps & need) != need ||
	    gvt_rd(gdev, GVT_REG_NUM_ENGINES) < GVT_NUM_ENGINES ||
	    gvt_rd(gdev, GVT_REG_GTT_ENTRIES) != GVT_GTT_ENTRIES) {
		pci_err(pdev, "device lacks what the driver needs (CAPS %#x)\n",
			caps);
		return -ENODEV;
	}
	if (gvt_rd(gdev, GVT_PV_MAGIC_LO) != GVT_PV_MAGIC_LO_VALUE ||
	    gvt_rd(gdev, GVT_PV_MAGIC_HI) != GVT_PV_MAGIC_HI_VALUE) {
		pci_err(pdev, "no PV-info page (magic %#x %#x)\n",
			gvt_rd(gdev, GVT_PV_MAGIC_LO),
			gvt_rd(gdev, GVT_PV_MAGIC_HI));
		return -ENODEV;
	}
	gdev->pv_version = gvt_rd(gdev, GVT_PV_VERSION);
	if (gdev->pv_version != GVT_PV_VERSION_VALUE) {
		pci_err(pdev, "PV-info version %u, this driver knows %u\n",
			gdev->pv_version, GVT_PV_VERSION_VALUE);
		return -ENODEV;
	}
	/* the vendor capability points at the PV-info page too */
	pos = pci_find_capability(pdev, PCI_CAP_ID_VNDR);
	if (pos) {
		pci_read_config_dword(pdev, pos + 4, &cap_id);
		pci_read_config_dword(pdev, pos + 8, &cap_pv);
		if (cap_id != GVT_ID_MAGIC || cap_pv != GVT_PVINFO_BASE)
			pci_info(pdev, "vendor capability holds %#x, %#x (want %#x, %#x); using the documented PV-info offset\n",
				 cap_id, cap_pv, GVT_ID_MAGIC, GVT_PVINFO_BASE);
	}

	gdev->vgpu_id = gvt_rd(gdev, GVT_PV_VGPU_ID);
	gdev->type_div = gvt_rd(gdev, GVT_PV_TYPE_DIV);
	gdev->weight = gvt_rd(gdev, GVT_PV_WEIGHT);
	gdev->ap_base = gvt_rd(gdev, GVT_PV_APERTURE_BASE);
	gdev->ap_size = gvt_rd(gdev, GVT_PV_APERTURE_SIZE);
	gdev->hid_base = gvt_rd(gdev, GVT_PV_HIDDEN_BASE);
	gdev->hid_size = gvt_rd(gdev, GVT_PV_HIDDEN_SIZE);
	if (!gvt_range_ok(gdev->ap_base, gdev->ap_size) ||
	    !gvt_range_ok(gdev->hid_base, gdev->hid_size) ||
	    ((u64)gdev->ap_base < (u64)gdev->hid_base + gdev->hid_size &&
	     (u64)gdev->hid_base < (u64)gdev->ap_base + gdev->ap_size)) {
		pci_err(pdev, "bad graphics memory ranges: aperture %#x+%#x, hidden %#x+%#x\n",
			gdev->ap_base, gdev->ap_size, gdev->hid_base,
			gdev->hid_size);
		return -ENODEV;
	}
	return 0;
}

/* ---- ioctls ---------------------------------------------------------------- */

/* an engine's RING_BUSY_NS as one consistent 64-bit value */
static int gvt_busy_ns(struct gvt_device *gdev, u32 e, u64 *ns)
{
	u32 hi, lo, hi2, tries = 0;
	int idx;

	if (!drm_dev_enter(&gdev->drm, &idx))
		return -ENODEV;
	do {
		hi = gvt_rd(gdev, GVT_ENGINE_REG(e, GVT_RING_BUSY_NS_HI));
		lo = gvt_rd(gdev, GVT_ENGINE_REG(e, GVT_RING_BUSY_NS_LO));
		hi2 = gvt_rd(gdev, GVT_ENGINE_REG(e, GVT_RING_BUSY_NS_HI));
	} while (hi != hi2 && ++tries < 4);
	drm_dev_exit(idx);
	*ns = (u64)hi2 << 32 | (hi == hi2 ? lo : 0);
	return 0;
}

static int gvt_ioctl_getparam(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct drm_gvt_getparam *args = data;
	struct gvt_device *gdev = to_gvt(drm);

	if (args->pad)
		return -EINVAL;
	switch (args->param) {
	case DRM_GVT_PARAM_VGPU_ID:
		args->value = gdev->vgpu_id;
		break;
	case DRM_GVT_PARAM_TYPE_DIV:
		args->value = gdev->type_div;
		break;
	case DRM_GVT_PARAM_WEIGHT:
		args->value = gdev->weight;
		break;
	case DRM_GVT_PARAM_APERTURE_BASE:
		args->value = gdev->ap_base;
		break;
	case DRM_GVT_PARAM_APERTURE_SIZE:
		args->value = gdev->ap_size;
		break;
	case DRM_GVT_PARAM_HIDDEN_BASE:
		args->value = gdev->hid_base;
		break;
	case DRM_GVT_PARAM_HIDDEN_SIZE:
		args->value = gdev->hid_size;
		break;
	case DRM_GVT_PARAM_NUM_ENGINES:
		args->value = GVT_NUM_ENGINES;
		break;
	case DRM_GVT_PARAM_IRQ_MODE:
		args->value = gdev->msi ? DRM_GVT_IRQ_MODE_MSI :
			      DRM_GVT_IRQ_MODE_INTX;
		break;
	case DRM_GVT_PARAM_RESETS:
		args->value = atomic_read(&gdev->resets);
		break;
	case DRM_GVT_PARAM_FLIPS:
		args->value = atomic_read(&gdev->flips);
		break;
	case DRM_GVT_PARAM_FLIPS_LATE:
		args->value = atomic_read(&gdev->flips_late);
		break;
	case DRM_GVT_PARAM_INTERRUPTS:
		args->value = atomic_read(&gdev->irqs);
		break;
	case DRM_GVT_PARAM_GTT_USED:
		mutex_lock(&gdev->gtt_lock);
		args->value = gdev->gtt_used;
		mutex_unlock(&gdev->gtt_lock);
		break;
	case DRM_GVT_PARAM_PV_VERSION:
		args->value = gdev->pv_version;
		break;
	case DRM_GVT_PARAM_DEV_VERSION:
		args->value = gdev->dev_version;
		break;
	case DRM_GVT_PARAM_BUSY_NS_RENDER:
		return gvt_busy_ns(gdev, GVT_ENGINE_RENDER, &args->value);
	case DRM_GVT_PARAM_BUSY_NS_COPY:
		return gvt_busy_ns(gdev, GVT_ENGINE_COPY, &args->value);
	default:
		return -EINVAL;
	}
	return 0;
}

static const struct drm_ioctl_desc gvt_ioctls[] = {
	DRM_IOCTL_DEF_DRV(GVT_GETPARAM, gvt_ioctl_getparam, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(GVT_GEM_CREATE, gvt_ioctl_gem_create,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(GVT_GEM_MMAP, gvt_ioctl_gem_mmap, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(GVT_SUBMIT, gvt_ioctl_submit, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(GVT_WAIT, gvt_ioctl_wait, DRM_RENDER_ALLOW),
	/* the debug path: root, primary node only */
	DRM_IOCTL_DEF_DRV(GVT_DEBUG_RAW_SUBMIT, gvt_ioctl_raw_submit,
			  DRM_ROOT_ONLY),
};

static int gvt_drm_open(struct drm_device *drm, struct drm_file *file)
{
	struct gvt_file *gf;

	gf = kzalloc(sizeof(*gf), GFP_KERNEL);
	if (!gf)
		return -ENOMEM;
	xa_init_flags(&gf->fences, XA_FLAGS_ALLOC1);
	file->driver_priv = gf;
	return 0;
}

static void gvt_drm_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct gvt_file *gf = file->driver_priv;

	gvt_file_fences_fini(gf);
	kfree(gf);
}

DEFINE_DRM_GEM_FOPS(gvt_fops);

static const struct drm_driver gvt_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC |
			   DRIVER_RENDER,
	.open = gvt_drm_open,
	.postclose = gvt_drm_postclose,
	.ioctls = gvt_ioctls,
	.num_ioctls = ARRAY_SIZE(gvt_ioctls),
	.fops = &gvt_fops,
	.gem_create_object = gvt_gem_create_object,
	.dumb_create = gvt_gem_dumb_create,
	.name = DRM_GVT_DRIVER_NAME,
	.desc = "gvt-bpf virtual GPU",
	.major = 1,
	.minor = 0,
};

/* ---- PCI ------------------------------------------------------------------- */

static int gvt_irq_init(struct gvt_device *gdev)
{
	struct pci_dev *pdev = gdev->pdev;
	unsigned int types = PCI_IRQ_INTX;
	int ret;

	if (gvt_msi)
		types |= PCI_IRQ_MSI;
	ret = pci_alloc_irq_vectors(pdev, 1, 1, types);
	if (ret < 0) {
		pci_err(pdev, "no interrupt (MSI or INTx): %d\n", ret);
		return ret;
	}
	gdev->msi = pdev->msi_enabled;
	gdev->irq = pci_irq_vector(pdev, 0);
	/* INTx may be shared: the handler checks IIR first */
	return devm_request_irq(&pdev->dev, gdev->irq, gvt_irq_handler,
				gdev->msi ? 0 : IRQF_SHARED, GVT_DRV_NAME,
				gdev);
}

static int gvt_pci_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct gvt_device *gdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (pci_resource_len(pdev, 0) < GVT_BAR0_SIZE) {
		pci_err(pdev, "BAR0 is %llu bytes, want %u\n",
			(unsigned long long)pci_resource_len(pdev, 0),
			GVT_BAR0_SIZE);
		return -ENODEV;
	}
	gdev = devm_drm_dev_alloc(&pdev->dev, &gvt_drm_driver,
				  struct gvt_device, drm);
	if (IS_ERR(gdev))
		return PTR_ERR(gdev);
	gdev->pdev = pdev;
	pci_set_drvdata(pdev, gdev);
	gdev->mmio = pcim_iomap_region(pdev, 0, GVT_DRV_NAME);
	if (IS_ERR(gdev->mmio))
		return PTR_ERR(gdev->mmio);
	pci_set_master(pdev);
	/* PTEs carry 52 bits of page address */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;

	ret = gvt_read_pvinfo(gdev);
	if (ret)
		return ret;
	/* whatever a previous driver or boot left: start from reset values */
	gvt_wr(gdev, GVT_REG_RESET, GVT_RESET_KEY);

	ret = gvt_gtt_init(gdev);
	if (ret)
		return ret;
	ret = gvt_engines_init(gdev);
	if (ret)
		return ret;
	ret = gvt_irq_init(gdev);
	if (ret)
		goto err_stop;
	gvt_hw_init(gdev);
	ret = gvt_kms_init(gdev);
	if (ret)
		goto err_stop;
	ret = drm_dev_register(&gdev->drm, 0);
	if (ret)
		goto err_stop;

	drm_info(&gdev->drm, "vGPU %u, type V1_%u, weight %u: aperture %#x+%#x, hidden %#x+%#x, %s\n",
		 gdev->vgpu_id, gdev->type_div, gdev->weight, gdev->ap_base,
		 gdev->ap_size, gdev->hid_base, gdev->hid_size,
		 gdev->msi ? "MSI" : "INTx");
	drm_fbdev_shmem_setup(&gdev->drm, 32);
	return 0;

err_stop:
	gvt_engines_fini(gdev);
	return ret;
}

static void gvt_pci_remove(struct pci_dev *pdev)
{
	struct gvt_device *gdev = pci_get_drvdata(pdev);

	drm_dev_unplug(&gdev->drm);
	drm_atomic_helper_shutdown(&gdev->drm);
	gvt_engines_fini(gdev);
}

static void gvt_pci_shutdown(struct pci_dev *pdev)
{
	struct gvt_device *gdev = pci_get_drvdata(pdev);

	/* reboot: the display off and the engines stopped */
	drm_atomic_helper_shutdown(&gdev->drm);
	gvt_wr(gdev, GVT_REG_IMR, GVT_IRQ_ALL);
	gvt_wr(gdev, GVT_REG_IER, 0);
	gvt_wr(gdev, GVT_REG_RESET, GVT_RESET_KEY);
}

static const struct pci_device_id gvt_pci_ids[] = {
	{ PCI_DEVICE_SUB(GVT_PCI_VENDOR_ID, GVT_PCI_DEVICE_ID,
			 PCI_ANY_ID, PCI_ANY_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, gvt_pci_ids);

static struct pci_driver gvt_pci_driver = {
	.name = GVT_DRV_NAME,
	.id_table = gvt_pci_ids,
	.probe = gvt_pci_probe,
	.remove = gvt_pci_remove,
	.shutdown = gvt_pci_shutdown,
};

static int __init gvt_drm_init(void)
{
	if (gvt_hang_timeout_ms < 100 || gvt_hang_timeout_ms > 600000 ||
	    gvt_xres < 64 || gvt_xres > GVT_PLANE_MAX_DIM ||
	    gvt_yres < 64 || gvt_yres > GVT_PLANE_MAX_DIM ||
	    (u64)ALIGN(gvt_xres * GVT_PIXEL_BYTES, 64) * gvt_yres >
	    GVT_PLANE_REGION_SIZE) {
		pr_err(GVT_DRV_NAME ": bad parameters: hang_timeout_ms %u (100..600000), mode %ux%u (64..4096 each, at most %u bytes)\n",
		       gvt_hang_timeout_ms, gvt_xres, gvt_yres,
		       GVT_PLANE_REGION_SIZE);
		return -EINVAL;
	}
	return pci_register_driver(&gvt_pci_driver);
}

static void __exit gvt_drm_exit(void)
{
	pci_unregister_driver(&gvt_pci_driver);
}

module_init(gvt_drm_init);
module_exit(gvt_drm_exit);

MODULE_DESCRIPTION("DRM driver for the gvt-bpf virtual GPU (guest side)");
MODULE_LICENSE("GPL");
