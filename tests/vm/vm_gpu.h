/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A minimal guest driver for the VM suites: the test program plays the VMM
 * and the driver at once. It maps a buffer of its own for DMA, points the
 * vGPU's GTT at it, builds rings in it, rings doorbells and takes MSIs on
 * an eventfd (include/gvt/PROGRAMMING.md describes the steps).
 */
#ifndef VM_GPU_H
#define VM_GPU_H

#include <stdint.h>

#include "vm_common.h"
#include "gvt/gvt_cmd.h"

#define VM_GPU_IOVA		0x100000000ull	/* where the buffer is DMA-mapped */
#define VM_GPU_MEM_SIZE		(4u << 20)
#define VM_GPU_RING_PAGES	4
#define VM_GPU_RING_SIZE	(VM_GPU_RING_PAGES * GVT_PAGE_SIZE)
/* buffer layout: offsets from the start of the vGPU's hidden range */
#define VM_GPU_RING(e)		((e) * VM_GPU_RING_SIZE)
#define VM_GPU_BATCH		0x10000u
#define VM_GPU_DATA		0x20000u
#define VM_GPU_SURF_A		0x100000u
#define VM_GPU_SURF_B		0x200000u

struct vm_gpu {
	struct vm_dev v;
	uint8_t *mem;
	int efd;			/* MSI */
	uint32_t hid;			/* graphics address of mem[0] */
	uint32_t tail[GVT_NUM_ENGINES];
	uint32_t seqno[GVT_NUM_ENGINES];
};

/* a V1_@div vGPU, its DMA buffer, MSI on an eventfd, GTT and rings up */
int vm_gpu_setup(struct vm_gpu *g, unsigned int div);
void vm_gpu_teardown(struct vm_gpu *g);
/*
 * A suite's @n vGPUs in @g: clear marks every slot closed and unloads
 * every policy (its start); teardown closes and removes every set-up one
 */
void vm_gpus_clear(struct vm_gpu *g, unsigned int n);
void vm_gpus_teardown(struct vm_gpu *g, unsigned int n);
/* the driver's bring-up (after a reset too): GTT, interrupts, both rings */
int vm_gpu_bringup(struct vm_gpu *g);
/* writes the PTEs of buffer pages [first, first + n) */
int vm_gpu_map_pages(struct vm_gpu *g, uint32_t first, uint32_t n);
uint32_t vm_gpu_rd(struct vm_gpu *g, uint32_t off);
void vm_gpu_wr(struct vm_gpu *g, uint32_t off, uint32_t v);
/* graphics address of buffer offset @off */
uint32_t vm_gpu_ga(struct vm_gpu *g, uint32_t off);
/* appends @n dwords to ring @e */
void vm_gpu_emit(struct vm_gpu *g, uint32_t e, const uint32_t *cmd, uint32_t n);
/* ends a request (seqno, user interrupt), rings the doorbell; the seqno */
uint32_t vm_gpu_submit(struct vm_gpu *g, uint32_t e);
/* queues @n WORK commands of @ns each on ring @e and submits; the seqno */
uint32_t vm_gpu_submit_work(struct vm_gpu *g, uint32_t e, uint32_t n,
			    uint32_t ns);
/* waits for @seqno on engine @e (bounded); IIR bits seen, 0 on timeout */
uint32_t vm_gpu_wait(struct vm_gpu *g, uint32_t e, uint32_t seqno,
		     uint64_t *msis);
/* GPU time engine @e spent on this vGPU, ns */
uint64_t vm_gpu_busy(struct vm_gpu *g, uint32_t e);

#endif /* VM_GPU_H */
