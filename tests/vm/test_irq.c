// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: interrupts as VFIO exposes them: GET_IRQ_INFO, SET_IRQS
 * argument checks, eventfd attach/detach, and the loopback triggers a VMM
 * uses to test its wiring (ACTION_TRIGGER with DATA_NONE/DATA_BOOL).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vm_common.h"

#define INTX	VFIO_PCI_INTX_IRQ_INDEX
#define MSI	VFIO_PCI_MSI_IRQ_INDEX

static struct vm_dev dev;
static int efd = -1;

static int irq_init(void)
{
	if (vm_dev_setup(&dev, 2, true))
		return -1;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return efd < 0 ? -1 : 0;
}

static int irq_cleanup(void)
{
	if (efd >= 0)
		close(efd);
	efd = -1;
	vm_dev_teardown(&dev);
	return vm_suite_cleanup();
}

/* drops whatever earlier signals left in the eventfd */
static void drain(void)
{
	uint64_t v;

	while (vm_eventfd_read(efd, &v) == 0)
		;
}

static void test_irq_info(void)
{
	struct vfio_irq_info ii;

	VM_OK(&dev.d, gvt_vfio_irq_info(&dev.d, INTX, &ii));
	VM_EQ(ii.index, INTX);
	VM_EQ(ii.count, 1);
	CU_ASSERT(ii.flags & VFIO_IRQ_INFO_EVENTFD);

	VM_OK(&dev.d, gvt_vfio_irq_info(&dev.d, MSI, &ii));
	VM_EQ(ii.index, MSI);
	VM_EQ(ii.count, 1);
	CU_ASSERT(ii.flags & VFIO_IRQ_INFO_EVENTFD);

	/* no MSI-X capability, so no MSI-X vectors */
	VM_OK(&dev.d, gvt_vfio_irq_info(&dev.d, VFIO_PCI_MSIX_IRQ_INDEX, &ii));
	VM_EQ(ii.count, 0);
}

static void test_irq_info_bad_index(void)
{
	struct vfio_irq_info ii;

	VM_ERR(gvt_vfio_irq_info(&dev.d, dev.d.info.num_irqs, &ii), EINVAL);
	VM_ERR(gvt_vfio_irq_info(&dev.d, 0xffffffffu, &ii), EINVAL);
}

static void test_set_irqs_bad_args(void)
{
	int32_t fds[2] = { efd, efd };
	uint8_t on = 1;

	/* bad index */
	VM_ERR(gvt_vfio_set_irqs(&dev.d, dev.d.info.num_irqs,
				 VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
				 0, 1, NULL, 0), EINVAL);
	VM_ERR(gvt_vfio_set_irqs(&dev.d, 0xffffffffu,
				 VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
				 0, 1, NULL, 0), EINVAL);
	/* start + count beyond the one vector */
	VM_ERR(gvt_vfio_set_irqs(&dev.d, MSI, VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 2, fds,
				 sizeof(fds)), EINVAL);
	VM_ERR(gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER, 1, 1, fds,
				 sizeof(fds[0])), EINVAL);
	VM_ERR(gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_TRIGGER, 0xffffffffu, 2,
				 NULL, 0), EINVAL);
	/* two data types at once, two actions at once, no action */
	VM_ERR(gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
				 0, 1, &on, 1), EINVAL);
	VM_ERR(gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_ACTION_TRIGGER,
				 0, 1, NULL, 0), EINVAL);
	VM_ERR(gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_NONE,
				 0, 1, NULL, 0), EINVAL);
	/* undefined flag bits */
	VM_ERR(gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_TRIGGER | (1u << 20),
				 0, 1, NULL, 0), EINVAL);
	/* an eventfd payload shorter than count says */
	VM_ERR(gvt_vfio_set_irqs(&dev.d, MSI, VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, fds, 2), EINVAL);
	/* a descriptor that is not an eventfd */
	fds[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
	CU_ASSERT_FATAL(fds[0] >= 0);
	CU_ASSERT(gvt_vfio_set_irq_eventfd(&dev.d, MSI, fds[0]) < 0);
	close(fds[0]);
}

static void test_set_irqs_short_argsz(void)
{
	struct vfio_irq_set set = {
		.argsz = 8,
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = INTX, .start = 0, .count = 1,
	};

	int ret = ioctl(dev.d.device, VFIO_DEVICE_SET_IRQS, &set) ? -errno : 0;

	VM_ERR(ret, EINVAL);
}

static void test_msi_eventfd_attach_detach(void)
{
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, MSI, efd));
	/* replacing the trigger with the same fd is allowed */
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, MSI, efd));
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, MSI, -1));
	/* count 0 with DATA_NONE is the other documented way to disable */
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, MSI, efd));
	VM_OK(&dev.d, gvt_vfio_set_irqs(&dev.d, MSI, VFIO_IRQ_SET_DATA_NONE |
					VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0,
					NULL, 0));
}

static void test_intx_eventfd_attach_detach(void)
{
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, INTX, efd));
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, INTX, -1));
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, INTX, efd));
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, INTX, -1));
}

static void test_intx_loopback(void)
{
	uint64_t v = 0;
	uint8_t b;

	drain();
	VM_OK_FATAL(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, INTX, efd));
	VM_EQ(vm_wait_readable(efd, 0), 0);

	VM_OK(&dev.d, gvt_vfio_irq_trigger(&dev.d, INTX));
	VM_EQ(vm_wait_readable(efd, VM_WAIT_MS), 1);
	VM_OK(NULL, vm_eventfd_read(efd, &v));
	CU_ASSERT(v >= 1);

	/* DATA_BOOL: true fires, false does not */
	b = 1;
	VM_OK(&dev.d, gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_BOOL |
					VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &b, 1));
	VM_EQ(vm_wait_readable(efd, VM_WAIT_MS), 1);
	drain();
	b = 0;
	VM_OK(&dev.d, gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_BOOL |
					VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &b, 1));
	VM_EQ(vm_wait_readable(efd, 200), 0);

	/* detached: a trigger has nowhere to go and must not crash */
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, INTX, -1));
	gvt_vfio_irq_trigger(&dev.d, INTX);
	VM_EQ(vm_wait_readable(efd, 200), 0);
}

static void test_intx_mask_unmask(void)
{
	VM_OK_FATAL(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, INTX, efd));
	VM_OK(&dev.d, gvt_vfio_irq_mask(&dev.d, INTX));
	VM_OK(&dev.d, gvt_vfio_irq_unmask(&dev.d, INTX));
	/* DATA_BOOL flavours of the same */
	{
		uint8_t b = 1;

		VM_OK(&dev.d, gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_BOOL |
						VFIO_IRQ_SET_ACTION_MASK, 0, 1, &b, 1));
		VM_OK(&dev.d, gvt_vfio_set_irqs(&dev.d, INTX, VFIO_IRQ_SET_DATA_BOOL |
						VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, &b, 1));
	}
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, INTX, -1));
	drain();
}

static void test_msi_loopback(void)
{
	uint64_t v = 0;

	drain();
	VM_OK_FATAL(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, MSI, efd));
	VM_OK(&dev.d, gvt_vfio_irq_trigger(&dev.d, MSI));
	VM_EQ(vm_wait_readable(efd, VM_WAIT_MS), 1);
	VM_OK(NULL, vm_eventfd_read(efd, &v));
	CU_ASSERT(v >= 1);
	VM_OK(&dev.d, gvt_vfio_set_irq_eventfd(&dev.d, MSI, -1));
}

static void test_closing_with_triggers_attached(void)
{
	static struct vm_dev v;
	int fd = eventfd(0, EFD_CLOEXEC);

	/* a VMM that dies without detaching must not leave anything behind */
	CU_ASSERT_FATAL(fd >= 0);
	if (vm_dev_setup(&v, 8, false)) {
		close(fd);
		CU_FAIL_FATAL("cannot create and open a V1_8 vGPU");
	}
	VM_OK(&v.d, gvt_vfio_set_irq_eventfd(&v.d, INTX, fd));
	VM_OK(&v.d, gvt_vfio_set_irq_eventfd(&v.d, VFIO_PCI_REQ_IRQ_INDEX, fd));
	close(fd);
	VM_OK(NULL, vm_dev_teardown(&v));
	CU_ASSERT(!gvt_mdev_exists(v.uuid));
}

int vm_register_irq_suites(void)
{
	static const struct vm_test tests[] = {
		{ "IRQ info: INTx and MSI have one eventfd vector, no MSI-X", test_irq_info },
		{ "IRQ info: out-of-range index fails with EINVAL", test_irq_info_bad_index },
		{ "SET_IRQS: bad index, range, flags, payload fail with EINVAL", test_set_irqs_bad_args },
		{ "SET_IRQS: argsz below the header fails with EINVAL", test_set_irqs_short_argsz },
		{ "MSI eventfd attach, replace, detach", test_msi_eventfd_attach_detach },
		{ "INTx eventfd attach and detach", test_intx_eventfd_attach_detach },
		{ "INTx loopback: DATA_NONE/BOOL trigger signals the eventfd", test_intx_loopback },
		{ "INTx mask and unmask", test_intx_mask_unmask },
		{ "MSI loopback: DATA_NONE trigger signals the eventfd", test_msi_loopback },
		{ "close with triggers attached, then remove", test_closing_with_triggers_attached },
		{ NULL, NULL }
	};

	return vm_add_suite("interrupts", irq_init, irq_cleanup, tests);
}
