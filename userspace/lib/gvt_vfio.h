/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgvtvfio: a small VFIO client for gvt-bpf vGPUs (or any VFIO PCI mdev).
 *
 * It opens a mediated device by UUID through the group/container interface
 * (the target kernel has no iommufd), and wraps the region, interrupt,
 * reset and DMA ioctls so that a test or a tool can play the VMM's part
 * without QEMU.
 *
 * Every function returning int returns 0 (or a byte count) on success and
 * a negative errno on failure; the failing step is then described in
 * gvt_vfio_error(d).
 */
#ifndef GVT_VFIO_H
#define GVT_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>

/* regions whose info is cached; higher indexes are queried every time */
#define GVT_VFIO_CACHED_REGIONS		VFIO_PCI_NUM_REGIONS

struct gvt_vfio {
	int container;			/* /dev/vfio/vfio */
	int group;			/* /dev/vfio/<group_id> */
	int device;			/* VFIO_GROUP_GET_DEVICE_FD */
	int group_id;
	char uuid[40];
	struct vfio_device_info info;	/* VFIO_DEVICE_GET_INFO at open */
	struct vfio_region_info regions[GVT_VFIO_CACHED_REGIONS];
	uint32_t regions_cached;	/* bit i: regions[i] is valid */
	char err[256];
};

/*
 * Opens the mdev @uuid: container, group, IOMMU type1v2, device fd and
 * device info. On failure everything opened so far is closed again, the
 * descriptors in @d are -1 and gvt_vfio_error(d) says what failed.
 */
int gvt_vfio_open(struct gvt_vfio *d, const char *uuid);
/* closes device, group and container; safe on a failed or closed @d */
void gvt_vfio_close(struct gvt_vfio *d);
/* the last error of @d, "" if none */
const char *gvt_vfio_error(const struct gvt_vfio *d);

/* VFIO_DEVICE_GET_REGION_INFO, cached for the standard PCI indexes */
int gvt_vfio_region_info(struct gvt_vfio *d, uint32_t index,
			 struct vfio_region_info *info);
/* size of a region, 0 when it does not exist or the query fails */
uint64_t gvt_vfio_region_size(struct gvt_vfio *d, uint32_t index);

/*
 * pread/pwrite of @len bytes at @off inside region @index, in one system
 * call (so the device sees the access as the caller shaped it). Returns
 * the byte count the kernel returned, or -errno.
 */
ssize_t gvt_vfio_region_read(struct gvt_vfio *d, uint32_t index,
			     uint64_t off, void *buf, size_t len);
ssize_t gvt_vfio_region_write(struct gvt_vfio *d, uint32_t index,
			      uint64_t off, const void *buf, size_t len);

/* fixed-size conveniences: 0 on a complete access, -errno otherwise */
int gvt_vfio_cfg_read8(struct gvt_vfio *d, uint32_t off, uint8_t *val);
int gvt_vfio_cfg_read16(struct gvt_vfio *d, uint32_t off, uint16_t *val);
int gvt_vfio_cfg_read32(struct gvt_vfio *d, uint32_t off, uint32_t *val);
int gvt_vfio_cfg_write16(struct gvt_vfio *d, uint32_t off, uint16_t val);
int gvt_vfio_cfg_write32(struct gvt_vfio *d, uint32_t off, uint32_t val);
int gvt_vfio_mmio_read32(struct gvt_vfio *d, uint32_t off, uint32_t *val);
int gvt_vfio_mmio_write32(struct gvt_vfio *d, uint32_t off, uint32_t val);
int gvt_vfio_mmio_read64(struct gvt_vfio *d, uint32_t off, uint64_t *val);
int gvt_vfio_mmio_write64(struct gvt_vfio *d, uint32_t off, uint64_t val);

/*
 * mmap(@len bytes at @off of region @index, @prot, MAP_SHARED). On
 * success *@addr is the mapping (munmap it with @len). The region must
 * advertise VFIO_REGION_INFO_FLAG_MMAP; the kernel decides the rest.
 */
int gvt_vfio_mmap_region(struct gvt_vfio *d, uint32_t index, uint64_t off,
			 size_t len, int prot, void **addr);

/* VFIO_DEVICE_RESET */
int gvt_vfio_reset(struct gvt_vfio *d);

/* VFIO_DEVICE_GET_IRQ_INFO */
int gvt_vfio_irq_info(struct gvt_vfio *d, uint32_t index,
		      struct vfio_irq_info *info);
/*
 * VFIO_DEVICE_SET_IRQS as the ioctl takes it: @flags are the DATA_ and
 * ACTION_ bits, @data (@data_len bytes) follows the header.
 */
int gvt_vfio_set_irqs(struct gvt_vfio *d, uint32_t index, uint32_t flags,
		      uint32_t start, uint32_t count, const void *data,
		      size_t data_len);
/* attaches eventfd @fd as the trigger of vector 0 of @index; -1 detaches */
int gvt_vfio_set_irq_eventfd(struct gvt_vfio *d, uint32_t index, int fd);
/* ACTION_MASK / ACTION_UNMASK / ACTION_TRIGGER of vector 0, DATA_NONE */
int gvt_vfio_irq_mask(struct gvt_vfio *d, uint32_t index);
int gvt_vfio_irq_unmask(struct gvt_vfio *d, uint32_t index);
int gvt_vfio_irq_trigger(struct gvt_vfio *d, uint32_t index);

/* VFIO_IOMMU_MAP_DMA (read/write) / VFIO_IOMMU_UNMAP_DMA on the container */
int gvt_vfio_dma_map(struct gvt_vfio *d, void *vaddr, uint64_t iova,
		     uint64_t size);
int gvt_vfio_dma_unmap(struct gvt_vfio *d, uint64_t iova, uint64_t size);

#endif /* GVT_VFIO_H */
