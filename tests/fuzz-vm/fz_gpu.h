/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A guest driver for the VM stress programs, the same steps as
 * tests/vm/vm_gpu.c (include/gvt/PROGRAMMING.md) but safe to run in many
 * threads at once: nothing asserts, every step returns 0 or -errno and
 * says in g->err what went wrong.
 *
 * The program maps a buffer of its own for DMA, points the vGPU's GTT at
 * it, builds rings in it, rings doorbells and takes MSIs on an eventfd.
 * fz_gpu_exact_round() runs one workload whose every result is known in
 * advance and checks it byte for byte: the work of a vGPU that must not
 * be disturbed by what happens to the others.
 */
#ifndef FZ_GPU_H
#define FZ_GPU_H

#include <stdint.h>

#include "gvt/gvt_cmd.h"
#include "gvt/gvt_regs.h"
#include "gvt_sysfs.h"
#include "gvt_vfio.h"
#include "fz_common.h"

#define FZ_GPU_IOVA		0x100000000ull	/* where the buffer is DMA-mapped */
#define FZ_GPU_MEM_SIZE		(4u << 20)
#define FZ_GPU_RING_PAGES	4
#define FZ_GPU_RING_SIZE	(FZ_GPU_RING_PAGES * GVT_PAGE_SIZE)
/* buffer layout: offsets from the start of the vGPU's hidden range */
#define FZ_GPU_RING(e)		((e) * FZ_GPU_RING_SIZE)
#define FZ_GPU_BATCH		0x10000u
#define FZ_GPU_DATA		0x20000u
#define FZ_GPU_SURF_A		0x100000u
#define FZ_GPU_SURF_B		0x200000u
/* the surfaces of the exact rounds: rows of this many bytes */
#define FZ_GPU_STRIDE		1024u

struct fz_gpu {
	struct gvt_vfio d;
	char uuid[GVT_UUID_STR_LEN];
	uint8_t *mem;			/* FZ_GPU_MEM_SIZE, DMA-mapped */
	int efd;			/* MSI */
	uint32_t hid;			/* graphics address of mem[0] */
	uint32_t tail[GVT_NUM_ENGINES];
	uint32_t seqno[GVT_NUM_ENGINES];
	uint64_t msis;			/* MSI signals counted by the waits */
	char err[320];			/* what the last failure was */
};

/* a closed fz_gpu: no descriptors, no memory */
void fz_gpu_init(struct fz_gpu *g);
/*
 * Opens the vGPU @uuid, maps a DMA buffer, attaches an MSI eventfd,
 * enables MSI and bus mastering and brings GTT, interrupts and rings up.
 * On failure everything is closed again.
 */
int fz_gpu_open(struct fz_gpu *g, const char *uuid);
/* closes the vGPU, frees the buffer; safe on a closed @g */
void fz_gpu_close(struct fz_gpu *g);
/* the driver's bring-up (after a reset too): GTT, interrupts, both rings */
int fz_gpu_bringup(struct fz_gpu *g);
/* MSI enable and bus mastering in config space, then the bring-up */
int fz_gpu_enable(struct fz_gpu *g);
/* VFIO_DEVICE_RESET (config space too), then fz_gpu_enable() */
int fz_gpu_reset(struct fz_gpu *g);

int fz_gpu_rd(struct fz_gpu *g, uint32_t off, uint32_t *val);
int fz_gpu_wr(struct fz_gpu *g, uint32_t off, uint32_t val);
/* graphics address of buffer offset @off */
uint32_t fz_gpu_ga(const struct fz_gpu *g, uint32_t off);
/* appends @n dwords to ring @e (NOOP-padding over the wrap) */
void fz_gpu_emit(struct fz_gpu *g, uint32_t e, const uint32_t *cmd,
		 uint32_t n);
/* ends a request (seqno, user interrupt) and rings the doorbell */
int fz_gpu_submit(struct fz_gpu *g, uint32_t e, uint32_t *seqno);
/*
 * Waits up to @ms for @seqno on engine @e and its user interrupt.
 * 0, -ETIMEDOUT, or the -errno of a failed register access.
 */
int fz_gpu_wait(struct fz_gpu *g, uint32_t e, uint32_t seqno, uint32_t ms);

/*
 * One exact workload on a random engine: a fill of random size and
 * colour, a copy of it to a random offset, a few stores and the request's
 * seqno, submitted and waited for (@ms at most). Then every byte of both
 * surfaces (inside and around the rectangles), the stores, SEQNO, HEAD,
 * the error state and the MSI are checked.
 * Returns 0; -ETIMEDOUT when the work did not complete; -EILSEQ when a
 * result is wrong; another -errno when an access failed. g->err says it.
 */
int fz_gpu_exact_round(struct fz_gpu *g, struct fz_rng *r, uint32_t ms);

#endif /* FZ_GPU_H */
