// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: the VFIO device as a VMM first sees it: device info, the
 * region table, and the checks on malformed ioctl arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm_common.h"

static struct vm_dev dev;

static int vfio_init(void)
{
	return vm_dev_setup(&dev, 2, true) ? -1 : 0;
}

static int vfio_cleanup(void)
{
	vm_dev_teardown(&dev);
	return vm_suite_cleanup();
}

/* raw ioctl: 0 or -errno, for argument checks the library never makes */
static int raw_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static void check_device_info(const struct vfio_device_info *info)
{
	CU_ASSERT(info->flags & VFIO_DEVICE_FLAGS_PCI);
	CU_ASSERT(info->flags & VFIO_DEVICE_FLAGS_RESET);
	CU_ASSERT(info->num_regions >= VFIO_PCI_NUM_REGIONS);
	CU_ASSERT(info->num_irqs >= VFIO_PCI_NUM_IRQS);
}

static void test_device_info(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	check_device_info(&dev.d.info);
	/* a second query answers the same */
	VM_OK(NULL, raw_ioctl(dev.d.device, VFIO_DEVICE_GET_INFO, &info));
	VM_EQ(info.flags, dev.d.info.flags);
	VM_EQ(info.num_regions, dev.d.info.num_regions);
	VM_EQ(info.num_irqs, dev.d.info.num_irqs);
}

static void region(uint32_t index, struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	VM_OK(&dev.d, gvt_vfio_region_info(&dev.d, index, ri));
	VM_EQ(ri->index, index);
}

static void test_region_config(void)
{
	struct vfio_region_info ri;

	region(VFIO_PCI_CONFIG_REGION_INDEX, &ri);
	VM_EQ(ri.size, GVT_CFG_SIZE);
	VM_EQ(ri.flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE),
	      VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE);
}

static void test_region_bar0(void)
{
	struct vfio_region_info ri;

	region(VFIO_PCI_BAR0_REGION_INDEX, &ri);
	VM_EQ(ri.size, GVT_BAR0_SIZE);
	VM_EQ(ri.flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE),
	      VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE);
	/* every register access is trapped, so BAR0 is not mmap-able */
	CU_ASSERT(!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP));
}

static void test_region_bar2(void)
{
	struct vfio_region_info ri;
	uint32_t ap = 0;

	region(VFIO_PCI_BAR2_REGION_INDEX, &ri);
	VM_OK(&dev.d, gvt_vfio_mmio_read32(&dev.d, GVT_PV_APERTURE_SIZE, &ap));
	VM_EQ(ri.size, ap);
	CU_ASSERT(ri.size > 0);
	VM_EQ(ri.flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			  VFIO_REGION_INFO_FLAG_MMAP),
	      VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
	      VFIO_REGION_INFO_FLAG_MMAP);
}

static void test_region_unused(void)
{
	static const uint32_t unused[] = {
		VFIO_PCI_BAR1_REGION_INDEX, VFIO_PCI_BAR3_REGION_INDEX,
		VFIO_PCI_BAR4_REGION_INDEX, VFIO_PCI_BAR5_REGION_INDEX,
		VFIO_PCI_ROM_REGION_INDEX, VFIO_PCI_VGA_REGION_INDEX,
	};
	struct vfio_region_info ri;
	unsigned int i;

	for (i = 0; i < sizeof(unused) / sizeof(unused[0]); i++) {
		region(unused[i], &ri);
		VM_EQ(ri.size, 0);
	}
}

static void test_region_offsets_distinct(void)
{
	struct vfio_region_info a, b;
	static const uint32_t used[] = {
		VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_BAR0_REGION_INDEX,
		VFIO_PCI_BAR2_REGION_INDEX,
	};
	unsigned int i, j;

	/* the regions a VMM uses must not overlap in the device fd */
	for (i = 0; i < 3; i++) {
		region(used[i], &a);
		for (j = i + 1; j < 3; j++) {
			region(used[j], &b);
			CU_ASSERT(a.offset + a.size <= b.offset ||
				  b.offset + b.size <= a.offset);
		}
	}
}

static void test_region_bad_index(void)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };

	ri.index = dev.d.info.num_regions;
	VM_ERR(raw_ioctl(dev.d.device, VFIO_DEVICE_GET_REGION_INFO, &ri),
	       EINVAL);
	ri.index = 0xffffffffu;
	VM_ERR(raw_ioctl(dev.d.device, VFIO_DEVICE_GET_REGION_INFO, &ri),
	       EINVAL);
	ri.index = 0x80000000u;
	VM_ERR(raw_ioctl(dev.d.device, VFIO_DEVICE_GET_REGION_INFO, &ri),
	       EINVAL);
}

static void test_argsz_too_small(void)
{
	struct vfio_region_info ri = { .argsz = 4,
				       .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_device_info di = { .argsz = 4 };
	struct vfio_irq_info ii = { .argsz = 4, .index = VFIO_PCI_MSI_IRQ_INDEX };

	VM_ERR(raw_ioctl(dev.d.device, VFIO_DEVICE_GET_REGION_INFO, &ri),
	       EINVAL);
	ri.argsz = 0;
	VM_ERR(raw_ioctl(dev.d.device, VFIO_DEVICE_GET_REGION_INFO, &ri),
	       EINVAL);
	VM_ERR(raw_ioctl(dev.d.device, VFIO_DEVICE_GET_INFO, &di), EINVAL);
	VM_ERR(raw_ioctl(dev.d.device, VFIO_DEVICE_GET_IRQ_INFO, &ii), EINVAL);
}

static void test_unknown_ioctl(void)
{
	/* an ioctl number in VFIO's range that no device implements */
	VM_EQ(ioctl(dev.d.device, _IO(VFIO_TYPE, VFIO_BASE + 60)) < 0, 1);
}

static void test_every_type_opens(void)
{
	static struct vm_dev v;
	int i;

	/* the fixture holds 4 slots; every type but V1_1 fits beside it */
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		unsigned int div = vm_divs[i];

		if (div == 1)
			continue;
		if (vm_dev_setup(&v, div, false)) {
			CU_FAIL("cannot create and open a vGPU");
			continue;
		}
		check_device_info(&v.d.info);
		VM_EQ(gvt_vfio_region_size(&v.d, VFIO_PCI_CONFIG_REGION_INDEX),
		      GVT_CFG_SIZE);
		VM_EQ(gvt_vfio_region_size(&v.d, VFIO_PCI_BAR0_REGION_INDEX),
		      GVT_BAR0_SIZE);
		vm_check_pvinfo(&v.d, div);
		VM_OK(NULL, vm_dev_teardown(&v));
	}
}

static void test_v1_1_opens(void)
{
	static struct vm_dev v;

	/* V1_1 needs the whole parent: drop the fixture for this test */
	vm_dev_teardown(&dev);
	if (vm_dev_setup(&v, 1, false)) {
		CU_FAIL("cannot create and open a V1_1 vGPU");
	} else {
		check_device_info(&v.d.info);
		vm_check_pvinfo(&v.d, 1);
		VM_OK(NULL, vm_dev_teardown(&v));
	}
	VM_OK_FATAL(NULL, vm_dev_setup(&dev, 2, true));
}

static void test_vgpus_side_by_side(void)
{
	static struct vm_dev v[3];
	static const unsigned int divs[3] = { 4, 8, 8 };
	struct gvt_vfio *all[4] = { &dev.d, &v[0].d, &v[1].d, &v[2].d };
	uint32_t id[4], ap[4], aps[4], hid[4], hids[4];
	int i, j;

	for (i = 0; i < 3; i++)
		VM_OK_FATAL(NULL, vm_dev_setup(&v[i], divs[i], false));
	for (i = 0; i < 4; i++) {
		VM_OK(all[i], gvt_vfio_mmio_read32(all[i], GVT_PV_VGPU_ID, &id[i]));
		VM_OK(all[i], gvt_vfio_mmio_read32(all[i], GVT_PV_APERTURE_BASE, &ap[i]));
		VM_OK(all[i], gvt_vfio_mmio_read32(all[i], GVT_PV_APERTURE_SIZE, &aps[i]));
		VM_OK(all[i], gvt_vfio_mmio_read32(all[i], GVT_PV_HIDDEN_BASE, &hid[i]));
		VM_OK(all[i], gvt_vfio_mmio_read32(all[i], GVT_PV_HIDDEN_SIZE, &hids[i]));
	}
	/* distinct ids, and nobody's graphics memory overlaps anybody's */
	for (i = 0; i < 4; i++) {
		for (j = i + 1; j < 4; j++) {
			CU_ASSERT(id[i] != id[j]);
			CU_ASSERT((uint64_t)ap[i] + aps[i] <= ap[j] ||
				  (uint64_t)ap[j] + aps[j] <= ap[i]);
			CU_ASSERT((uint64_t)hid[i] + hids[i] <= hid[j] ||
				  (uint64_t)hid[j] + hids[j] <= hid[i]);
		}
	}
	/* one vGPU's SCRATCH is not another's */
	VM_OK(&dev.d, gvt_vfio_mmio_write32(&dev.d, GVT_REG_SCRATCH, 0x11111111));
	VM_OK(&v[0].d, gvt_vfio_mmio_write32(&v[0].d, GVT_REG_SCRATCH, 0x22222222));
	VM_OK(&dev.d, gvt_vfio_mmio_read32(&dev.d, GVT_REG_SCRATCH, &id[0]));
	VM_OK(&v[0].d, gvt_vfio_mmio_read32(&v[0].d, GVT_REG_SCRATCH, &id[1]));
	VM_EQ(id[0], 0x11111111);
	VM_EQ(id[1], 0x22222222);
	for (i = 0; i < 3; i++)
		VM_OK(NULL, vm_dev_teardown(&v[i]));
}

static void test_group_is_exclusive(void)
{
	char path[64];
	int fd;

	/* a second user of the group must not get in while we hold it */
	snprintf(path, sizeof(path), "/dev/vfio/%d", dev.d.group_id);
	fd = open(path, O_RDWR | O_CLOEXEC);
	CU_ASSERT(fd < 0);
	if (fd >= 0)
		close(fd);
}

static void test_dma_map_unmap(void)
{
	const uint64_t iova = 1ull << 20, size = 2 * GVT_PAGE_SIZE;
	void *buf;

	/* the guest-memory path: a VMM maps its buffers into the container */
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(buf != MAP_FAILED);
	memset(buf, 0x5a, size);
	VM_OK(&dev.d, gvt_vfio_dma_map(&dev.d, buf, iova, size));
	/* an overlapping mapping is refused */
	VM_ERR(gvt_vfio_dma_map(&dev.d, buf, iova + GVT_PAGE_SIZE, GVT_PAGE_SIZE),
	       EEXIST);
	VM_OK(&dev.d, gvt_vfio_dma_unmap(&dev.d, iova, size));
	/* and the range is free again */
	VM_OK(&dev.d, gvt_vfio_dma_map(&dev.d, buf, iova, GVT_PAGE_SIZE));
	VM_OK(&dev.d, gvt_vfio_dma_unmap(&dev.d, iova, GVT_PAGE_SIZE));
	munmap(buf, size);
}

int vm_register_vfio_suites(void)
{
	static const struct vm_test tests[] = {
		{ "GET_INFO: PCI and RESET flags, region and irq counts", test_device_info },
		{ "region info: config space is 256 bytes, read/write", test_region_config },
		{ "region info: BAR0 is 2 MiB, read/write, not mmap", test_region_bar0 },
		{ "region info: BAR2 is the aperture, mmap-able", test_region_bar2 },
		{ "region info: BAR1, BAR3-5, ROM, VGA are empty", test_region_unused },
		{ "region info: used regions do not overlap", test_region_offsets_distinct },
		{ "region info: out-of-range index fails with EINVAL", test_region_bad_index },
		{ "info ioctls with argsz too small fail with EINVAL", test_argsz_too_small },
		{ "an unknown VFIO ioctl fails", test_unknown_ioctl },
		{ "V1_2, V1_4, V1_8 open; sizes and PV-info match the type", test_every_type_opens },
		{ "V1_1 opens; PV-info matches the whole parent", test_v1_1_opens },
		{ "four open vGPUs: distinct ids, disjoint memory, own registers", test_vgpus_side_by_side },
		{ "the IOMMU group cannot be opened twice", test_group_is_exclusive },
		{ "DMA map and unmap of a buffer on the container", test_dma_map_unmap },
		{ NULL, NULL }
	};

	return vm_add_suite("vfio", vfio_init, vfio_cleanup, tests);
}
