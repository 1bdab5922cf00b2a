// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A minimal guest driver for the VM suites (see vm_gpu.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "vm_gpu.h"

uint32_t vm_gpu_rd(struct vm_gpu *g, uint32_t off)
{
	return vm_mmio_rd(&g->v, off);
}

void vm_gpu_wr(struct vm_gpu *g, uint32_t off, uint32_t v)
{
	vm_mmio_wr(&g->v, off, v);
}

uint32_t vm_gpu_ga(struct vm_gpu *g, uint32_t off)
{
	return g->hid + off;
}

int vm_gpu_map_pages(struct vm_gpu *g, uint32_t first, uint32_t n)
{
	uint64_t *pte = calloc(n, sizeof(*pte));
	uint32_t i;
	ssize_t r;

	if (!pte)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		pte[i] = (VM_GPU_IOVA + (uint64_t)(first + i) * GVT_PAGE_SIZE) |
			 GVT_PTE_VALID;
	r = gvt_vfio_region_write(&g->v.d, VFIO_PCI_BAR0_REGION_INDEX,
				  GVT_GTT_OFFSET +
				  (uint64_t)(vm_gpu_ga(g, first * GVT_PAGE_SIZE) /
					     GVT_PAGE_SIZE) * 8,
				  pte, n * sizeof(*pte));
	free(pte);
	return r == (ssize_t)(n * sizeof(*pte)) ? 0 : -EIO;
}

int vm_gpu_bringup(struct vm_gpu *g)
{
	uint32_t e;
	int ret;

	ret = vm_gpu_map_pages(g, 0, VM_GPU_MEM_SIZE / GVT_PAGE_SIZE);
	if (ret)
		return ret;
	vm_gpu_wr(g, GVT_REG_GTT_CTL, GVT_GTT_CTL_ENABLE);
	vm_gpu_wr(g, GVT_REG_IER, GVT_IRQ_ALL);
	vm_gpu_wr(g, GVT_REG_IMR, 0);
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		vm_gpu_wr(g, GVT_ENGINE_REG(e, GVT_RING_START),
			  vm_gpu_ga(g, VM_GPU_RING(e)));
		vm_gpu_wr(g, GVT_ENGINE_REG(e, GVT_RING_CTL), GVT_RING_CTL_ENABLE |
			  ((VM_GPU_RING_PAGES - 1) << GVT_RING_CTL_SIZE_SHIFT));
		g->tail[e] = 0;
		g->seqno[e] = 0;
	}
	return 0;
}

int vm_gpu_setup(struct vm_gpu *g, unsigned int div)
{
	uint16_t flags;
	int ret;

	memset(g, 0, sizeof(*g));
	g->efd = -1;
	ret = vm_dev_setup(&g->v, div, false);
	if (ret)
		return ret;
	g->mem = mmap(NULL, VM_GPU_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		return -ENOMEM;
	}
	ret = gvt_vfio_dma_map(&g->v.d, g->mem, VM_GPU_IOVA, VM_GPU_MEM_SIZE);
	if (ret)
		return ret;
	g->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->efd < 0)
		return -errno;
	ret = gvt_vfio_set_irq_eventfd(&g->v.d, VFIO_PCI_MSI_IRQ_INDEX, g->efd);
	ret = ret ?: gvt_vfio_cfg_read16(&g->v.d, GVT_CFG_MSI_OFFSET +
					 PCI_MSI_FLAGS, &flags);
	ret = ret ?: gvt_vfio_cfg_write16(&g->v.d, GVT_CFG_MSI_OFFSET +
					  PCI_MSI_FLAGS,
					  flags | PCI_MSI_FLAGS_ENABLE);
	ret = ret ?: gvt_vfio_cfg_write16(&g->v.d, PCI_COMMAND,
					  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (ret)
		return ret;
	g->hid = vm_gpu_rd(g, GVT_PV_HIDDEN_BASE);
	if (vm_gpu_rd(g, GVT_PV_HIDDEN_SIZE) < VM_GPU_MEM_SIZE)
		return -ENOSPC;
	return vm_gpu_bringup(g);
}

void vm_gpu_teardown(struct vm_gpu *g)
{
	if (g->v.created)
		vm_dev_teardown(&g->v);
	if (g->efd >= 0)
		close(g->efd);
	if (g->mem)
		munmap(g->mem, VM_GPU_MEM_SIZE);
	memset(g, 0, sizeof(*g));
	g->efd = -1;
}

void vm_gpus_clear(struct vm_gpu *g, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		g[i].efd = -1;
	vm_unload_all();
}

void vm_gpus_teardown(struct vm_gpu *g, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vm_gpu_teardown(&g[i]);
}

void vm_gpu_emit(struct vm_gpu *g, uint32_t e, const uint32_t *cmd, uint32_t n)
{
	uint32_t *ring = (uint32_t *)(g->mem + VM_GPU_RING(e));
	uint32_t i;

	/* NOOP-pad to the end rather than split a command over the wrap */
	if (g->tail[e] + n * 4 > VM_GPU_RING_SIZE) {
		while (g->tail[e] < VM_GPU_RING_SIZE) {
			ring[g->tail[e] / 4] = GVT_CMD_NOOP;
			g->tail[e] += 4;
		}
		g->tail[e] = 0;
	}
	for (i = 0; i < n; i++) {
		ring[g->tail[e] / 4] = cmd[i];
		g->tail[e] += 4;
	}
	/* TAIL is an offset inside the ring: its size is offset 0 */
	if (g->tail[e] == VM_GPU_RING_SIZE)
		g->tail[e] = 0;
}

uint32_t vm_gpu_submit(struct vm_gpu *g, uint32_t e)
{
	uint32_t end[] = {
		GVT_CMD_LRI(1), GVT_ENGINE_REG(e, GVT_RING_SEQNO), ++g->seqno[e],
		GVT_CMD_USER_INTERRUPT,
	};

	vm_gpu_emit(g, e, end, 4);
	if (g->tail[e] % 8)
		vm_gpu_emit(g, e, (uint32_t[]){ GVT_CMD_NOOP }, 1);
	vm_gpu_wr(g, GVT_ENGINE_REG(e, GVT_RING_TAIL), g->tail[e]);
	return g->seqno[e];
}

uint32_t vm_gpu_submit_work(struct vm_gpu *g, uint32_t e, uint32_t n,
			    uint32_t ns)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		vm_gpu_emit(g, e, (uint32_t[]){ GVT_CMD_WORK, ns }, 2);
	return vm_gpu_submit(g, e);
}

uint32_t vm_gpu_wait(struct vm_gpu *g, uint32_t e, uint32_t seqno,
		     uint64_t *msis)
{
	uint64_t deadline = vm_now_ms() + VM_WAIT_MS, cnt;
	uint32_t seen = 0, iir;

	for (;;) {
		int r = vm_wait_readable(g->efd, 50);

		if (r > 0 && !vm_eventfd_read(g->efd, &cnt) && msis)
			*msis += cnt;
		/* read and cleared in one access, as the guest driver does */
		iir = vm_gpu_rd(g, GVT_REG_IIR_ACK);
		seen |= iir;
		if ((int32_t)(vm_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_SEQNO)) -
			      seqno) >= 0 && (seen & GVT_IRQ_USER(e)))
			return seen;
		if (vm_now_ms() > deadline) {
			vm_note("timeout: seqno %u, want %u, IIR seen 0x%x",
				vm_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_SEQNO)),
				seqno, seen);
			return 0;
		}
	}
}

uint64_t vm_gpu_busy(struct vm_gpu *g, uint32_t e)
{
	uint32_t hi, lo, hi2;

	do {
		hi = vm_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_BUSY_NS_HI));
		lo = vm_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_BUSY_NS_LO));
		hi2 = vm_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_BUSY_NS_HI));
	} while (hi != hi2);
	return (uint64_t)hi << 32 | lo;
}
