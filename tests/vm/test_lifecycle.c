// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: device reset (VFIO_DEVICE_RESET and the RESET register) and
 * removal of a vGPU that a user still holds open (the VFIO request path
 * that lets QEMU hot-unplug the device).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "vm_common.h"

static struct vm_dev dev;

static int reset_init(void)
{
	return vm_dev_setup(&dev, 4, true) ? -1 : 0;
}

static int reset_cleanup(void)
{
	vm_dev_teardown(&dev);
	return vm_suite_cleanup();
}

static uint32_t rd(uint32_t off)
{
	return vm_mmio_rd(&dev, off);
}

static void wr(uint32_t off, uint32_t v)
{
	vm_mmio_wr(&dev, off, v);
}

static uint16_t cfg16(uint32_t off)
{
	uint16_t v = 0xdead;

	VM_OK(&dev.d, gvt_vfio_cfg_read16(&dev.d, off, &v));
	return v;
}

static uint32_t cfg32(uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	VM_OK(&dev.d, gvt_vfio_cfg_read32(&dev.d, off, &v));
	return v;
}

#define GTT_PROBE	(GVT_GTT_OFFSET + 8 * 5)
#define RCS_START	GVT_ENGINE_REG(GVT_ENGINE_RENDER, GVT_RING_START)
#define MSI_FLAGS	(GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS)
#define PV_WORDS	(((GVT_PV_WEIGHT - GVT_PVINFO_BASE) / 4) + 1)
#define BAR0_ADDR	0xfe000000u

static void read_pvinfo(uint32_t pv[PV_WORDS])
{
	unsigned int i;

	for (i = 0; i < PV_WORDS; i++)
		pv[i] = rd(GVT_PVINFO_BASE + 4 * i);
}

/* puts state everywhere a reset must clear it */
static void dirty(void)
{
	uint64_t q = 0;

	wr(GVT_REG_SCRATCH, 0xdeadbeef);
	wr(GVT_REG_IER, GVT_IRQ_ALL);
	wr(GVT_REG_IMR, 0);
	wr(RCS_START, 0x10000);
	wr(GVT_REG_PLANE_WIDTH, 640);
	VM_OK(&dev.d, gvt_vfio_mmio_write64(&dev.d, GTT_PROBE,
					    0x0000001234567001ull));
	VM_OK(&dev.d, gvt_vfio_cfg_write16(&dev.d, PCI_COMMAND,
					   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	VM_OK(&dev.d, gvt_vfio_cfg_write16(&dev.d, MSI_FLAGS,
					   cfg16(MSI_FLAGS) | PCI_MSI_FLAGS_ENABLE));
	VM_OK(&dev.d, gvt_vfio_cfg_write32(&dev.d, PCI_BASE_ADDRESS_0, BAR0_ADDR));

	/* make sure the dirt is there, or the reset checks prove nothing */
	VM_EQ_FATAL(rd(GVT_REG_SCRATCH), 0xdeadbeef);
	VM_EQ(rd(GVT_REG_IER), GVT_IRQ_ALL);
	VM_EQ(rd(GVT_REG_IMR), 0);
	VM_EQ(rd(RCS_START), 0x10000);
	VM_OK(&dev.d, gvt_vfio_mmio_read64(&dev.d, GTT_PROBE, &q));
	VM_EQ(q, 0x0000001234567001ull);
	VM_EQ(cfg16(PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CU_ASSERT(cfg16(MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE);
}

/*
 * every register and the GTT back to the documented reset values; @pci:
 * a function-level reset, which also stops the PCI function (a GPU reset
 * through the RESET register keeps it, MSI setup included)
 */
static void check_clean(const uint32_t pv_before[PV_WORDS], bool pci)
{
	uint32_t pv[PV_WORDS];
	uint64_t q = 1;
	unsigned int i;

	VM_EQ(rd(GVT_REG_SCRATCH), 0);
	VM_EQ(rd(GVT_REG_IER), 0);
	VM_EQ(rd(GVT_REG_IMR), GVT_IRQ_ALL);
	VM_EQ(rd(GVT_REG_IIR), 0);
	VM_EQ(rd(RCS_START), 0);
	VM_EQ(rd(GVT_REG_PLANE_WIDTH), 0);
	VM_EQ(rd(GVT_REG_ID), GVT_ID_MAGIC);
	VM_OK(&dev.d, gvt_vfio_mmio_read64(&dev.d, GTT_PROBE, &q));
	VM_EQ(q, 0);
	if (pci) {
		VM_EQ(cfg16(PCI_COMMAND), 0);
		VM_EQ(cfg16(MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE, 0);
	} else {
		VM_EQ(cfg16(PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
		VM_EQ(cfg16(MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE, PCI_MSI_FLAGS_ENABLE);
	}
	/* BAR addresses survive, so a VMM need not reprogram them */
	VM_EQ(cfg32(PCI_BASE_ADDRESS_0), BAR0_ADDR);
	/* PV-info describes the vGPU, not its state: it survives */
	read_pvinfo(pv);
	for (i = 0; i < PV_WORDS; i++)
		VM_EQ(pv[i], pv_before[i]);
}

static void test_vfio_reset(void)
{
	uint32_t pv[PV_WORDS];

	read_pvinfo(pv);
	dirty();
	VM_OK(&dev.d, gvt_vfio_reset(&dev.d));
	check_clean(pv, true);
}

static void test_register_reset(void)
{
	uint32_t pv[PV_WORDS];

	read_pvinfo(pv);
	dirty();
	wr(GVT_REG_RESET, GVT_RESET_KEY);
	check_clean(pv, false);
	/* RESET is write-only: it reads 0 */
	VM_EQ(rd(GVT_REG_RESET), 0);
}

static void test_register_reset_wrong_key(void)
{
	uint64_t q = 0;

	dirty();
	wr(GVT_REG_RESET, GVT_RESET_KEY ^ 1);
	wr(GVT_REG_RESET, 1);
	/* a stray byte write of part of the key does not reset either */
	{
		uint8_t b = GVT_RESET_KEY & 0xff;

		VM_EQ(gvt_vfio_region_write(&dev.d, VFIO_PCI_BAR0_REGION_INDEX,
					    GVT_REG_RESET, &b, 1), 1);
	}
	VM_EQ(rd(GVT_REG_SCRATCH), 0xdeadbeef);
	VM_EQ(rd(GVT_REG_IMR), 0);
	VM_OK(&dev.d, gvt_vfio_mmio_read64(&dev.d, GTT_PROBE, &q));
	VM_EQ(q, 0x0000001234567001ull);
	VM_EQ(rd(GVT_REG_RESET), 0);
	VM_OK(&dev.d, gvt_vfio_reset(&dev.d));
}

static void test_reset_keeps_aperture_mapping(void)
{
	uint32_t v = 0x600dcafe, r = 0;

	/* the aperture is memory the VMM may have mapped: reset keeps it usable */
	VM_EQ(gvt_vfio_region_write(&dev.d, VFIO_PCI_BAR2_REGION_INDEX, 0, &v, 4), 4);
	VM_OK(&dev.d, gvt_vfio_reset(&dev.d));
	VM_EQ(gvt_vfio_region_read(&dev.d, VFIO_PCI_BAR2_REGION_INDEX, 0, &r, 4), 4);
	v = 0x12345678;
	VM_EQ(gvt_vfio_region_write(&dev.d, VFIO_PCI_BAR2_REGION_INDEX, 0, &v, 4), 4);
	VM_EQ(gvt_vfio_region_read(&dev.d, VFIO_PCI_BAR2_REGION_INDEX, 0, &r, 4), 4);
	VM_EQ(r, 0x12345678);
}

static void test_reset_counted(void)
{
	long long before = vm_stat(dev.uuid, "resets");

	VM_OK(&dev.d, gvt_vfio_reset(&dev.d));
	CU_ASSERT(before >= 0);
	VM_EQ(vm_stat(dev.uuid, "resets"), before + 1);
}

/* ---- remove while open ---------------------------------------------- */

static int removal_init(void)
{
	/* the tests count slots: start from an empty parent */
	return vm_count_mdevs() == 0 ? 0 : -1;
}

struct remover {
	char uuid[GVT_UUID_STR_LEN];
	int ret;
	uint64_t ms;		/* how long the remove blocked */
};

static void *remove_thread(void *arg)
{
	struct remover *r = arg;
	uint64_t t0 = vm_now_ms();

	r->ret = gvt_mdev_remove(r->uuid);
	r->ms = vm_now_ms() - t0;
	return NULL;
}

/* joins @t within @ms; 0 if it ended, -ETIMEDOUT if it is still stuck */
static int join_within(pthread_t t, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return -pthread_timedjoin_np(t, NULL, &ts);
}

static void test_req_irq_info(void)
{
	static struct vm_dev v;
	struct vfio_irq_info ii;

	VM_OK_FATAL(NULL, vm_dev_setup(&v, 8, false));
	VM_OK(&v.d, gvt_vfio_irq_info(&v.d, VFIO_PCI_REQ_IRQ_INDEX, &ii));
	VM_EQ(ii.count, 1);
	CU_ASSERT(ii.flags & VFIO_IRQ_INFO_EVENTFD);
	VM_OK(NULL, vm_dev_teardown(&v));
}

static void test_remove_while_open(void)
{
	static struct vm_dev v;
	static struct remover r;
	pthread_t t;
	uint64_t n = 0;
	int efd, ret, signalled;

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	CU_ASSERT_FATAL(efd >= 0);
	if (vm_dev_setup(&v, 8, false)) {
		close(efd);
		CU_FAIL_FATAL("cannot create and open a V1_8 vGPU");
	}
	ret = gvt_vfio_set_irq_eventfd(&v.d, VFIO_PCI_REQ_IRQ_INDEX, efd);
	VM_OK(&v.d, ret);
	if (ret) {
		close(efd);
		vm_dev_teardown(&v);
		return;
	}

	memcpy(r.uuid, v.uuid, sizeof(r.uuid));
	r.ret = 1;
	ret = pthread_create(&t, NULL, remove_thread, &r);
	if (ret) {
		close(efd);
		CU_FAIL_FATAL("pthread_create");
	}

	/* the remove blocks on our open fd and asks us, through REQ, to let go */
	signalled = vm_wait_readable(efd, VM_WAIT_MS);
	VM_EQ(signalled, 1);
	if (signalled == 1) {
		VM_OK(NULL, vm_eventfd_read(efd, &n));
		CU_ASSERT(n >= 1);
	}
	/* the device is still there while we hold it */
	VM_EQ(r.ret, 1);

	/*
	 * Let go of the device only, as QEMU does on an unplug request; the
	 * group and container may stay open.
	 */
	close(v.d.device);
	v.d.device = -1;
	ret = join_within(t, VM_WAIT_MS);
	VM_OK(NULL, ret);
	if (ret) {
		/* still stuck: close everything, give it one more chance */
		gvt_vfio_close(&v.d);
		ret = join_within(t, VM_WAIT_MS);
		if (ret) {
			vm_note("remove of %s still blocked; detaching the thread",
				r.uuid);
			pthread_detach(t);
		}
	}
	if (!ret) {
		VM_OK(NULL, r.ret);
		vm_note("remove returned after %llu ms", (unsigned long long)r.ms);
	}
	CU_ASSERT(!gvt_mdev_exists(v.uuid));
	gvt_vfio_close(&v.d);
	close(efd);
	if (!gvt_mdev_exists(v.uuid))
		v.created = false;
	vm_remove_all(false);
	/* the slot came back */
	VM_EQ(gvt_mdev_available(GVT_MAX_DIV), GVT_MAX_DIV);
}

static void test_remove_closed_after_use(void)
{
	static struct vm_dev v;

	/* a vGPU that was opened, used and closed removes at once */
	VM_OK_FATAL(NULL, vm_dev_setup(&v, 8, false));
	VM_OK(&v.d, gvt_vfio_mmio_write32(&v.d, GVT_REG_SCRATCH, 1));
	gvt_vfio_close(&v.d);
	VM_OK(NULL, vm_dev_teardown(&v));
	CU_ASSERT(!gvt_mdev_exists(v.uuid));
}

static void test_reopen(void)
{
	static struct vm_dev v;
	uint32_t s = 0;

	/* a VMM restarting: the same vGPU opens again after a close */
	VM_OK_FATAL(NULL, vm_dev_setup(&v, 8, false));
	VM_OK(&v.d, gvt_vfio_mmio_write32(&v.d, GVT_REG_SCRATCH, 0x5a5a));
	gvt_vfio_close(&v.d);
	VM_OK(&v.d, gvt_vfio_open(&v.d, v.uuid));
	VM_OK(&v.d, gvt_vfio_mmio_read32(&v.d, GVT_REG_ID, &s));
	VM_EQ(s, GVT_ID_MAGIC);
	VM_OK(NULL, vm_dev_teardown(&v));
}

int vm_register_lifecycle_suites(void)
{
	static const struct vm_test reset[] = {
		{ "VFIO_DEVICE_RESET restores reset values, keeps PV-info", test_vfio_reset },
		{ "RESET register with GVT_RESET_KEY resets", test_register_reset },
		{ "RESET register with a wrong key does nothing", test_register_reset_wrong_key },
		{ "aperture stays usable across reset", test_reset_keeps_aperture_mapping },
		{ "resets are counted in sysfs stats", test_reset_counted },
		{ NULL, NULL }
	};
	static const struct vm_test removal[] = {
		{ "REQ irq: one eventfd vector", test_req_irq_info },
		{ "remove while open: REQ signalled, remove completes on close", test_remove_while_open },
		{ "remove after open, use and close", test_remove_closed_after_use },
		{ "close and reopen", test_reopen },
		{ NULL, NULL }
	};
	int ret;

	ret = vm_add_suite("reset", reset_init, reset_cleanup, reset);
	if (!ret)
		ret = vm_add_suite("remove while open", removal_init,
				   vm_suite_cleanup, removal);
	return ret;
}
