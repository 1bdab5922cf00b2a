// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgvtvfio: VFIO group/container client for mediated devices.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gvt_vfio.h"

#define MDEV_DEVICES_DIR	"/sys/bus/mdev/devices"

/*
 * Records "<what>: <strerror(err)>" in @d and returns -err, so that every
 * error path is one line and the message names the step that failed.
 */
static int __attribute__((format(printf, 3, 4)))
vfio_fail(struct gvt_vfio *d, int err, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (err <= 0)
		err = EIO;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	n = strlen(d->err);
	if (n < sizeof(d->err))
		snprintf(d->err + n, sizeof(d->err) - n, ": %s", strerror(err));
	return -err;
}

const char *gvt_vfio_error(const struct gvt_vfio *d)
{
	return d->err;
}

static void vfio_reset_state(struct gvt_vfio *d)
{
	memset(d, 0, sizeof(*d));
	d->container = -1;
	d->group = -1;
	d->device = -1;
	d->group_id = -1;
}

/* /sys/bus/mdev/devices/<uuid>/iommu_group -> .../iommu_groups/<N> */
static int vfio_group_id(struct gvt_vfio *d, const char *uuid)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	char *end;
	ssize_t n;
	long id;

	snprintf(path, sizeof(path), MDEV_DEVICES_DIR "/%s/iommu_group", uuid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return vfio_fail(d, errno, "readlink %s", path);
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	errno = 0;
	id = strtol(base, &end, 10);
	if (errno || end == base || *end || id < 0 || id > INT_MAX)
		return vfio_fail(d, EINVAL, "%s: bad iommu group link '%s'",
				 path, target);
	d->group_id = (int)id;
	return 0;
}

int gvt_vfio_open(struct gvt_vfio *d, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int ret;

	vfio_reset_state(d);
	if (!uuid || strlen(uuid) >= sizeof(d->uuid))
		return vfio_fail(d, EINVAL, "bad uuid");
	strcpy(d->uuid, uuid);

	ret = vfio_group_id(d, uuid);
	if (ret)
		goto err;

	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0) {
		ret = vfio_fail(d, errno, "open /dev/vfio/vfio");
		goto err;
	}
	ret = ioctl(d->container, VFIO_GET_API_VERSION);
	if (ret != VFIO_API_VERSION) {
		ret = vfio_fail(d, ret < 0 ? errno : EPROTO,
				"VFIO_GET_API_VERSION returned %d", ret);
		goto err;
	}
	/* before a group is attached this asks every loaded IOMMU backend */
	ret = ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	if (ret <= 0) {
		ret = vfio_fail(d, ret < 0 ? errno : ENODEV,
				"VFIO_CHECK_EXTENSION(TYPE1v2): not supported (vfio_iommu_type1 loaded?)");
		goto err;
	}

	snprintf(path, sizeof(path), "/dev/vfio/%d", d->group_id);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0) {
		ret = vfio_fail(d, errno, "open %s", path);
		goto err;
	}
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status)) {
		ret = vfio_fail(d, errno, "VFIO_GROUP_GET_STATUS");
		goto err;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		ret = vfio_fail(d, EBUSY, "group %d not viable", d->group_id);
		goto err;
	}
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container)) {
		ret = vfio_fail(d, errno, "VFIO_GROUP_SET_CONTAINER");
		goto err;
	}
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		ret = vfio_fail(d, errno, "VFIO_SET_IOMMU(TYPE1v2)");
		goto err;
	}
	d->device = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (d->device < 0) {
		d->device = -1;
		ret = vfio_fail(d, errno, "VFIO_GROUP_GET_DEVICE_FD(%s)", uuid);
		goto err;
	}
	d->info.argsz = sizeof(d->info);
	if (ioctl(d->device, VFIO_DEVICE_GET_INFO, &d->info)) {
		ret = vfio_fail(d, errno, "VFIO_DEVICE_GET_INFO");
		goto err;
	}
	d->err[0] = '\0';
	return 0;

err:
	/* keep the message: gvt_vfio_close() does not touch d->err */
	gvt_vfio_close(d);
	return ret;
}

void gvt_vfio_close(struct gvt_vfio *d)
{
	/* the device first: it holds the group, which holds the container */
	if (d->device >= 0)
		close(d->device);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->device = -1;
	d->group = -1;
	d->container = -1;
	d->regions_cached = 0;
}

static int vfio_need_device(struct gvt_vfio *d)
{
	if (d->device < 0)
		return vfio_fail(d, EBADF, "device not open");
	return 0;
}

int gvt_vfio_region_info(struct gvt_vfio *d, uint32_t index,
			 struct vfio_region_info *info)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };
	int ret = vfio_need_device(d);

	if (ret)
		return ret;
	if (index < GVT_VFIO_CACHED_REGIONS &&
	    (d->regions_cached & (1u << index))) {
		*info = d->regions[index];
		return 0;
	}
	/*
	 * Capabilities (sparse mmap and the like) may make the kernel ask for
	 * a larger argsz; the fixed part is all this library uses.
	 */
	if (ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return vfio_fail(d, errno, "VFIO_DEVICE_GET_REGION_INFO(%u)",
				 index);
	if (index < GVT_VFIO_CACHED_REGIONS) {
		d->regions[index] = ri;
		d->regions_cached |= 1u << index;
	}
	*info = ri;
	return 0;
}

uint64_t gvt_vfio_region_size(struct gvt_vfio *d, uint32_t index)
{
	struct vfio_region_info ri;

	if (gvt_vfio_region_info(d, index, &ri))
		return 0;
	return ri.size;
}

/*
 * The file offset of @off in region @index. The range is not checked
 * against the region size on purpose: tests probe how the kernel handles
 * accesses outside a region.
 */
static int vfio_region_pos(struct gvt_vfio *d, uint32_t index, uint64_t off,
			   off_t *pos)
{
	struct vfio_region_info ri;
	int ret = gvt_vfio_region_info(d, index, &ri);

	if (ret)
		return ret;
	if (off > (uint64_t)INT64_MAX - ri.offset)
		return vfio_fail(d, EOVERFLOW, "region %u offset 0x%llx",
				 index, (unsigned long long)off);
	*pos = (off_t)(ri.offset + off);
	return 0;
}

/* one pread or pwrite, retried only when a signal interrupted it */
static ssize_t vfio_region_rw(struct gvt_vfio *d, uint32_t index,
			      uint64_t off, void *buf, size_t len, bool write)
{
	ssize_t n;
	off_t pos = 0;
	int ret = vfio_region_pos(d, index, off, &pos);

	if (ret)
		return ret;
	do {
		n = write ? pwrite(d->device, buf, len, pos) :
			    pread(d->device, buf, len, pos);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return vfio_fail(d, errno, "%s region %u at 0x%llx len %zu",
				 write ? "write" : "read", index,
				 (unsigned long long)off, len);
	return n;
}

ssize_t gvt_vfio_region_read(struct gvt_vfio *d, uint32_t index,
			     uint64_t off, void *buf, size_t len)
{
	return vfio_region_rw(d, index, off, buf, len, false);
}

ssize_t gvt_vfio_region_write(struct gvt_vfio *d, uint32_t index,
			      uint64_t off, const void *buf, size_t len)
{
	/* a write only reads @buf: the cast keeps one path for both */
	return vfio_region_rw(d, index, off, (void *)buf, len, true);
}

/* one complete access of @len bytes, a short one counts as EIO */
static int vfio_rw_exact(struct gvt_vfio *d, uint32_t index, uint64_t off,
			 void *buf, size_t len, bool write)
{
	ssize_t n = vfio_region_rw(d, index, off, buf, len, write);

	if (n < 0)
		return (int)n;
	if ((size_t)n != len)
		return vfio_fail(d, EIO, "short %s of region %u at 0x%llx: %zd of %zu",
				 write ? "write" : "read", index,
				 (unsigned long long)off, n, len);
	return 0;
}

/*
 * The fixed-size accessors differ only in region, direction and type:
 * generated, so that they cannot drift apart.
 */
#define VFIO_READ(name, index, type)					\
int name(struct gvt_vfio *d, uint32_t off, type *val)			\
{									\
	return vfio_rw_exact(d, index, off, val, sizeof(*val), false);	\
}

#define VFIO_WRITE(name, index, type)					\
int name(struct gvt_vfio *d, uint32_t off, type val)			\
{									\
	return vfio_rw_exact(d, index, off, &val, sizeof(val), true);	\
}

VFIO_READ(gvt_vfio_cfg_read8, VFIO_PCI_CONFIG_REGION_INDEX, uint8_t)
VFIO_READ(gvt_vfio_cfg_read16, VFIO_PCI_CONFIG_REGION_INDEX, uint16_t)
VFIO_READ(gvt_vfio_cfg_read32, VFIO_PCI_CONFIG_REGION_INDEX, uint32_t)
VFIO_WRITE(gvt_vfio_cfg_write16, VFIO_PCI_CONFIG_REGION_INDEX, uint16_t)
VFIO_WRITE(gvt_vfio_cfg_write32, VFIO_PCI_CONFIG_REGION_INDEX, uint32_t)

VFIO_READ(gvt_vfio_mmio_read32, VFIO_PCI_BAR0_REGION_INDEX, uint32_t)
VFIO_WRITE(gvt_vfio_mmio_write32, VFIO_PCI_BAR0_REGION_INDEX, uint32_t)
VFIO_READ(gvt_vfio_mmio_read64, VFIO_PCI_BAR0_REGION_INDEX, uint64_t)
VFIO_WRITE(gvt_vfio_mmio_write64, VFIO_PCI_BAR0_REGION_INDEX, uint64_t)

#undef VFIO_READ
#undef VFIO_WRITE

int gvt_vfio_mmap_region(struct gvt_vfio *d, uint32_t index, uint64_t off,
			 size_t len, int prot, void **addr)
{
	void *p;
	off_t pos = 0;
	int ret = vfio_region_pos(d, index, off, &pos);

	if (ret)
		return ret;
	p = mmap(NULL, len, prot, MAP_SHARED, d->device, pos);
	if (p == MAP_FAILED)
		return vfio_fail(d, errno, "mmap region %u at 0x%llx len %zu",
				 index, (unsigned long long)off, len);
	*addr = p;
	return 0;
}

int gvt_vfio_reset(struct gvt_vfio *d)
{
	int ret = vfio_need_device(d);

	if (ret)
		return ret;
	if (ioctl(d->device, VFIO_DEVICE_RESET))
		return vfio_fail(d, errno, "VFIO_DEVICE_RESET");
	return 0;
}

int gvt_vfio_irq_info(struct gvt_vfio *d, uint32_t index,
		      struct vfio_irq_info *info)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = index };
	int ret = vfio_need_device(d);

	if (ret)
		return ret;
	if (ioctl(d->device, VFIO_DEVICE_GET_IRQ_INFO, &ii))
		return vfio_fail(d, errno, "VFIO_DEVICE_GET_IRQ_INFO(%u)", index);
	*info = ii;
	return 0;
}

int gvt_vfio_set_irqs(struct gvt_vfio *d, uint32_t index, uint32_t flags,
		      uint32_t start, uint32_t count, const void *data,
		      size_t data_len)
{
	struct vfio_irq_set *set;
	size_t sz = sizeof(*set) + data_len;
	int ret = vfio_need_device(d);

	if (ret)
		return ret;
	if (sz > UINT32_MAX)
		return vfio_fail(d, EINVAL, "SET_IRQS payload too large");
	set = calloc(1, sz);
	if (!set)
		return vfio_fail(d, ENOMEM, "SET_IRQS");
	set->argsz = (uint32_t)sz;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if (data_len)
		memcpy(set->data, data, data_len);
	ret = 0;
	if (ioctl(d->device, VFIO_DEVICE_SET_IRQS, set))
		ret = vfio_fail(d, errno,
				"VFIO_DEVICE_SET_IRQS(index %u flags 0x%x start %u count %u)",
				index, flags, start, count);
	free(set);
	return ret;
}

int gvt_vfio_set_irq_eventfd(struct gvt_vfio *d, uint32_t index, int fd)
{
	int32_t efd = fd;

	/* an eventfd of -1 is the documented way to de-assign a trigger */
	return gvt_vfio_set_irqs(d, index, VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1,
				 &efd, sizeof(efd));
}

int gvt_vfio_irq_mask(struct gvt_vfio *d, uint32_t index)
{
	return gvt_vfio_set_irqs(d, index, VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_MASK, 0, 1, NULL, 0);
}

int gvt_vfio_irq_unmask(struct gvt_vfio *d, uint32_t index)
{
	return gvt_vfio_set_irqs(d, index, VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL, 0);
}

int gvt_vfio_irq_trigger(struct gvt_vfio *d, uint32_t index)
{
	return gvt_vfio_set_irqs(d, index, VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, NULL, 0);
}

int gvt_vfio_dma_map(struct gvt_vfio *d, void *vaddr, uint64_t iova,
		     uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	if (d->container < 0)
		return vfio_fail(d, EBADF, "container not open");
	if (ioctl(d->container, VFIO_IOMMU_MAP_DMA, &map))
		return vfio_fail(d, errno, "VFIO_IOMMU_MAP_DMA iova 0x%llx size 0x%llx",
				 (unsigned long long)iova,
				 (unsigned long long)size);
	return 0;
}

int gvt_vfio_dma_unmap(struct gvt_vfio *d, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (d->container < 0)
		return vfio_fail(d, EBADF, "container not open");
	if (ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return vfio_fail(d, errno, "VFIO_IOMMU_UNMAP_DMA iova 0x%llx size 0x%llx",
				 (unsigned long long)iova,
				 (unsigned long long)size);
	/* the kernel reports how much it unmapped; less means a hole */
	if (unmap.size != size)
		return vfio_fail(d, EFAULT, "VFIO_IOMMU_UNMAP_DMA unmapped 0x%llx of 0x%llx",
				 (unsigned long long)unmap.size,
				 (unsigned long long)size);
	return 0;
}
