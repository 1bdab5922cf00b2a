// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: PCI configuration space through the VFIO config region, as
 * QEMU and a guest's PCI core use it: identity, capability list, BAR
 * sizing, write masks and the bounds of the region.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "vm_common.h"

#define CFG	VFIO_PCI_CONFIG_REGION_INDEX

static struct vm_dev dev;

static int cfg_init(void)
{
	return vm_dev_setup(&dev, 2, true) ? -1 : 0;
}

static int cfg_cleanup(void)
{
	vm_dev_teardown(&dev);
	return vm_suite_cleanup();
}

static uint8_t rd8(uint32_t off)
{
	uint8_t v = 0;

	VM_OK(&dev.d, gvt_vfio_cfg_read8(&dev.d, off, &v));
	return v;
}

static uint16_t rd16(uint32_t off)
{
	uint16_t v = 0;

	VM_OK(&dev.d, gvt_vfio_cfg_read16(&dev.d, off, &v));
	return v;
}

static uint32_t rd32(uint32_t off)
{
	uint32_t v = 0;

	VM_OK(&dev.d, gvt_vfio_cfg_read32(&dev.d, off, &v));
	return v;
}

static void wr16(uint32_t off, uint16_t v)
{
	VM_OK(&dev.d, gvt_vfio_cfg_write16(&dev.d, off, v));
}

static void wr32(uint32_t off, uint32_t v)
{
	VM_OK(&dev.d, gvt_vfio_cfg_write32(&dev.d, off, v));
}

static void test_whole_space_one_read(void)
{
	uint8_t buf[GVT_CFG_SIZE];
	uint32_t v;

	memset(buf, 0xa5, sizeof(buf));
	/* QEMU reads all 256 bytes in one pread when it opens the device */
	VM_EQ(gvt_vfio_region_read(&dev.d, CFG, 0, buf, sizeof(buf)),
	      GVT_CFG_SIZE);
	memcpy(&v, buf, 4);
	VM_EQ(v, GVT_PCI_VENDOR_ID | (GVT_PCI_DEVICE_ID << 16));
	/* the big read agrees with small ones */
	VM_EQ(buf[PCI_CAPABILITY_LIST], rd8(PCI_CAPABILITY_LIST));
	memcpy(&v, buf + GVT_CFG_VNDR_OFFSET + 4, 4);
	VM_EQ(v, GVT_ID_MAGIC);
	/* and an unaligned odd-length read in the middle works too */
	VM_EQ(gvt_vfio_region_read(&dev.d, CFG, 1, buf, 7), 7);
	VM_EQ(buf[0], GVT_PCI_VENDOR_ID >> 8);
}

static void test_identity(void)
{
	VM_EQ(rd16(PCI_VENDOR_ID), GVT_PCI_VENDOR_ID);
	VM_EQ(rd16(PCI_DEVICE_ID), GVT_PCI_DEVICE_ID);
	VM_EQ(rd16(PCI_SUBSYSTEM_VENDOR_ID), GVT_PCI_SUBVENDOR_ID);
	VM_EQ(rd16(PCI_SUBSYSTEM_ID), GVT_PCI_SUBDEVICE_ID);
	VM_EQ(rd32(PCI_CLASS_REVISION), (GVT_PCI_CLASS << 8) | GVT_PCI_REVISION);
	VM_EQ(rd8(PCI_HEADER_TYPE) & 0x7f, PCI_HEADER_TYPE_NORMAL);
	VM_EQ(rd8(PCI_INTERRUPT_PIN), 1);
}

static void test_capability_list(void)
{
	uint8_t pos, id, seen = 0;
	uint16_t flags;
	int guard = 0;

	CU_ASSERT(rd16(PCI_STATUS) & PCI_STATUS_CAP_LIST);
	pos = rd8(PCI_CAPABILITY_LIST);
	VM_EQ(pos, GVT_CFG_MSI_OFFSET);

	/* MSI: one vector, 64-bit address, per-vector masking */
	VM_EQ(rd8(pos + PCI_CAP_LIST_ID), PCI_CAP_ID_MSI);
	flags = rd16(pos + PCI_MSI_FLAGS);
	CU_ASSERT(flags & PCI_MSI_FLAGS_64BIT);
	CU_ASSERT(flags & PCI_MSI_FLAGS_MASKBIT);
	VM_EQ(flags & PCI_MSI_FLAGS_QMASK, 0);
	pos = rd8(pos + PCI_CAP_LIST_NEXT);
	VM_EQ(pos, GVT_CFG_VNDR_OFFSET);

	/* vendor capability: how a driver finds the PV-info page */
	VM_EQ(rd8(pos + PCI_CAP_LIST_ID), PCI_CAP_ID_VNDR);
	VM_EQ(rd8(pos + 2), GVT_CFG_VNDR_SIZE);
	VM_EQ(rd32(pos + 4), GVT_ID_MAGIC);
	VM_EQ(rd32(pos + 8), GVT_PVINFO_BASE);
	VM_EQ(rd8(pos + PCI_CAP_LIST_NEXT), 0);

	/* a generic walk ends, with every pointer inside the space */
	for (pos = rd8(PCI_CAPABILITY_LIST); pos && guard < 48; guard++) {
		CU_ASSERT(pos >= 0x40 && pos <= GVT_CFG_SIZE - 4);
		CU_ASSERT(!(pos & 3));
		id = rd8(pos + PCI_CAP_LIST_ID);
		if (id == PCI_CAP_ID_MSI)
			seen |= 1;
		else if (id == PCI_CAP_ID_VNDR)
			seen |= 2;
		pos = rd8(pos + PCI_CAP_LIST_NEXT);
	}
	CU_ASSERT(guard < 48);
	VM_EQ(seen, 3);
}

static void test_bar0_sizing(void)
{
	uint32_t old = rd32(PCI_BASE_ADDRESS_0);

	wr32(PCI_BASE_ADDRESS_0, 0xffffffff);
	VM_EQ(rd32(PCI_BASE_ADDRESS_0), ~(GVT_BAR0_SIZE - 1) |
	      PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_32);
	/* an address the VMM assigns sticks, the flag bits stay */
	wr32(PCI_BASE_ADDRESS_0, 0xfe000000);
	VM_EQ(rd32(PCI_BASE_ADDRESS_0), 0xfe000000);
	wr32(PCI_BASE_ADDRESS_0, old);
	VM_EQ(rd32(PCI_BASE_ADDRESS_0), old);
}

static void test_bar2_sizing(void)
{
	uint64_t ap = gvt_vfio_region_size(&dev.d, VFIO_PCI_BAR2_REGION_INDEX);
	uint32_t lo = rd32(PCI_BASE_ADDRESS_2), hi = rd32(PCI_BASE_ADDRESS_3);
	uint32_t flags = PCI_BASE_ADDRESS_MEM_TYPE_64 |
			 PCI_BASE_ADDRESS_MEM_PREFETCH;

	CU_ASSERT_FATAL(ap >= GVT_PAGE_SIZE && ap <= 0x80000000u);
	VM_EQ(lo & 0xf, flags);
	wr32(PCI_BASE_ADDRESS_2, 0xffffffff);
	wr32(PCI_BASE_ADDRESS_3, 0xffffffff);
	VM_EQ(rd32(PCI_BASE_ADDRESS_2), (uint32_t)~(ap - 1) | flags);
	/* the upper half of a 64-bit BAR is all address */
	VM_EQ(rd32(PCI_BASE_ADDRESS_3), 0xffffffff);
	wr32(PCI_BASE_ADDRESS_2, lo);
	wr32(PCI_BASE_ADDRESS_3, hi);
	VM_EQ(rd32(PCI_BASE_ADDRESS_2), lo);
	VM_EQ(rd32(PCI_BASE_ADDRESS_3), hi);
}

static void test_unused_bars(void)
{
	static const uint32_t bars[] = {
		PCI_BASE_ADDRESS_1, PCI_BASE_ADDRESS_4, PCI_BASE_ADDRESS_5,
		PCI_ROM_ADDRESS,
	};
	unsigned int i;

	/* an unimplemented BAR sizes to 0: the VMM must skip it */
	for (i = 0; i < sizeof(bars) / sizeof(bars[0]); i++) {
		wr32(bars[i], 0xffffffff);
		VM_EQ(rd32(bars[i]), 0);
	}
}

static void test_read_only_fields(void)
{
	wr16(PCI_VENDOR_ID, 0x1234);
	VM_EQ(rd16(PCI_VENDOR_ID), GVT_PCI_VENDOR_ID);
	wr16(PCI_DEVICE_ID, 0x5678);
	VM_EQ(rd16(PCI_DEVICE_ID), GVT_PCI_DEVICE_ID);
	wr32(PCI_CLASS_REVISION, 0);
	VM_EQ(rd32(PCI_CLASS_REVISION), (GVT_PCI_CLASS << 8) | GVT_PCI_REVISION);
	/* the capability pointer and the caps themselves are fixed */
	wr32(PCI_CAPABILITY_LIST, 0);
	VM_EQ(rd8(PCI_CAPABILITY_LIST), GVT_CFG_MSI_OFFSET);
	wr32(GVT_CFG_VNDR_OFFSET + 4, 0);
	VM_EQ(rd32(GVT_CFG_VNDR_OFFSET + 4), GVT_ID_MAGIC);
	/* status: CAP_LIST cannot be cleared by writing it */
	wr16(PCI_STATUS, 0xffff);
	CU_ASSERT(rd16(PCI_STATUS) & PCI_STATUS_CAP_LIST);
}

static void test_command_writable(void)
{
	uint16_t old = rd16(PCI_COMMAND);

	wr16(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	VM_EQ(rd16(PCI_COMMAND) & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
	      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* no I/O BAR, so I/O decode cannot be turned on */
	wr16(PCI_COMMAND, PCI_COMMAND_IO);
	VM_EQ(rd16(PCI_COMMAND) & PCI_COMMAND_IO, 0);
	wr16(PCI_COMMAND, old);
	VM_EQ(rd16(PCI_COMMAND), old);
}

static void test_msi_enable_writable(void)
{
	uint32_t msi = GVT_CFG_MSI_OFFSET;
	uint16_t flags = rd16(msi + PCI_MSI_FLAGS);

	wr16(msi + PCI_MSI_FLAGS, flags | PCI_MSI_FLAGS_ENABLE);
	CU_ASSERT(rd16(msi + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE);
	/* the capability bits beside it stay what they were */
	wr16(msi + PCI_MSI_FLAGS, 0xffff);
	VM_EQ(rd16(msi + PCI_MSI_FLAGS) & ~PCI_MSI_FLAGS_QSIZE,
	      (flags | PCI_MSI_FLAGS_ENABLE) & ~PCI_MSI_FLAGS_QSIZE);
	wr16(msi + PCI_MSI_FLAGS, flags & ~PCI_MSI_FLAGS_ENABLE);
	VM_EQ(rd16(msi + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE, 0);

	/* address and data are programmable; the address is dword aligned */
	wr32(msi + PCI_MSI_ADDRESS_LO, 0xfee00003);
	VM_EQ(rd32(msi + PCI_MSI_ADDRESS_LO), 0xfee00000);
	wr32(msi + PCI_MSI_ADDRESS_HI, 0x12345678);
	VM_EQ(rd32(msi + PCI_MSI_ADDRESS_HI), 0x12345678);
	wr16(msi + PCI_MSI_DATA_64, 0x4041);
	VM_EQ(rd16(msi + PCI_MSI_DATA_64), 0x4041);
	/* one vector: only mask bit 0 exists */
	wr32(msi + PCI_MSI_MASK_64, 0xffffffff);
	VM_EQ(rd32(msi + PCI_MSI_MASK_64), 1);
	wr32(msi + PCI_MSI_MASK_64, 0);
	wr32(msi + PCI_MSI_ADDRESS_HI, 0);
}

static void test_bounds(void)
{
	uint8_t buf[8] = { 0 };

	/* the last byte is reachable */
	VM_EQ(gvt_vfio_region_read(&dev.d, CFG, GVT_CFG_SIZE - 1, buf, 1), 1);
	VM_EQ(gvt_vfio_region_write(&dev.d, CFG, GVT_CFG_SIZE - 1, buf, 1), 1);
	/* ranges that cross the end, or start past it, are refused whole */
	VM_ERR(gvt_vfio_region_read(&dev.d, CFG, GVT_CFG_SIZE - 2, buf, 4),
	       EINVAL);
	VM_ERR(gvt_vfio_region_write(&dev.d, CFG, GVT_CFG_SIZE - 2, buf, 4),
	       EINVAL);
	VM_ERR(gvt_vfio_region_read(&dev.d, CFG, GVT_CFG_SIZE, buf, 1),
	       EINVAL);
	VM_ERR(gvt_vfio_region_write(&dev.d, CFG, GVT_CFG_SIZE, buf, 1),
	       EINVAL);
	VM_ERR(gvt_vfio_region_read(&dev.d, CFG, 0x10000, buf, 4), EINVAL);
	/* one byte too many for the whole space */
	{
		uint8_t big[GVT_CFG_SIZE + 1];

		VM_ERR(gvt_vfio_region_read(&dev.d, CFG, 0, big, sizeof(big)),
		       EINVAL);
	}
}

static void test_region_beyond_table(void)
{
	struct vfio_region_info ri;
	uint8_t b = 0;
	off_t pos;

	/*
	 * An offset in the device fd that no region index maps to: VFIO PCI
	 * drivers encode the index in the high bits of the file offset.
	 */
	VM_OK_FATAL(&dev.d, gvt_vfio_region_info(&dev.d, CFG, &ri));
	pos = (off_t)((uint64_t)(dev.d.info.num_regions + 5) << 40);
	CU_ASSERT(pread(dev.d.device, &b, 1, pos) < 0);
	CU_ASSERT(pwrite(dev.d.device, &b, 1, pos) < 0);
}

int vm_register_cfg_suites(void)
{
	static const struct vm_test tests[] = {
		{ "whole 256-byte space in one pread", test_whole_space_one_read },
		{ "identity: vendor, device, subsystem, class, pin", test_identity },
		{ "capability list: MSI, then vendor cap with PV-info, then end", test_capability_list },
		{ "BAR0 sizing: 2 MiB, 32-bit memory", test_bar0_sizing },
		{ "BAR2 sizing: aperture size, 64-bit prefetchable", test_bar2_sizing },
		{ "unused BARs and ROM size to 0", test_unused_bars },
		{ "read-only fields ignore writes", test_read_only_fields },
		{ "COMMAND: memory and master writable, no I/O", test_command_writable },
		{ "MSI: enable, address, data, mask writable as masked", test_msi_enable_writable },
		{ "bounds: 255/1 ok; 254/4, 256/1, 257 bytes EINVAL", test_bounds },
		{ "file offsets beyond the region table fail", test_region_beyond_table },
		{ NULL, NULL }
	};

	return vm_add_suite("config space", cfg_init, cfg_cleanup, tests);
}
