// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the command scanner and the engines on arbitrary
 * command streams.
 *
 * The input becomes guest memory: its first part the render ring, the rest
 * a batch area that ring commands may point into (addresses in the input
 * are taken modulo the vGPU's graphics memory now and then, so that the
 * fuzzer reaches valid addresses often). The engine then runs until idle.
 * Whatever the input, the model must not crash, read or write outside the
 * fake guest memory (ASan), loop forever (bounded steps), or leave its
 * ring state inconsistent.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -Iinclude -Ikmod/model
 *        tests/fuzz/fuzz_cmd.c plus every kmod/model C file
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gvt_model.h"

#define FZ_IOVA		0x100000000ull
#define FZ_MEM_SIZE	(256u * 1024)
#define FZ_RING_PAGES	4
#define FZ_RING_SIZE	(FZ_RING_PAGES * GVT_PAGE_SIZE)
#define FZ_MAX_STEPS	(1u << 24)

static struct gvt_model *fz_m;
static u8 *fz_mem;
static u8 fz_aperture[GVT_PAGE_SIZE * 4];
static u64 fz_clock;

static u64 fz_now(void *priv)
{
	(void)priv;
	return fz_clock;
}

static void fz_irq(void *priv)
{
	(void)priv;
}

static int fz_dma_rw(void *priv, u64 iova, void *buf, size_t len, bool write)
{
	(void)priv;
	if (iova < FZ_IOVA || len > FZ_MEM_SIZE ||
	    iova - FZ_IOVA > FZ_MEM_SIZE - len)
		return -EFAULT;
	if (write)
		memcpy(fz_mem + (iova - FZ_IOVA), buf, len);
	else
		memcpy(buf, fz_mem + (iova - FZ_IOVA), len);
	return 0;
}

static void fz_kick(void *priv, u32 engine)
{
	(void)priv;
	(void)engine;
}

static struct gvt_model_env fz_env = {
	.now_ns = fz_now,
	.irq = fz_irq,
	.dma_rw = fz_dma_rw,
	.kick = fz_kick,
};

static const struct gvt_vgpu_params fz_params = {
	.id = 1, .type_div = 8, .weight = 2,
	.aperture_base = 0, .aperture_size = sizeof(fz_aperture),
	.hidden_base = 0x100000, .hidden_size = 0x100000,
	.fences = 4, .contexts = 8,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u32 i, e, tail, steps = 0;
	u64 occ;

	if (!fz_m) {
		fz_m = calloc(1, sizeof(*fz_m));
		fz_mem = calloc(1, FZ_MEM_SIZE);
		if (!fz_m || !fz_mem || gvt_model_global_init())
			abort();
	}
	if (size < 8)
		return 0;
	/* byte 0: engine and mapping holes; the rest: guest memory */
	e = data[0] % GVT_NUM_ENGINES;
	memset(fz_mem, 0, FZ_MEM_SIZE);
	memcpy(fz_mem, data + 1, size - 1 < FZ_MEM_SIZE ? size - 1 : FZ_MEM_SIZE);
	fz_env.priv = fz_m;
	if (gvt_model_init(fz_m, &fz_params, &fz_env, fz_aperture))
		abort();
	/* hidden range pages -> guest memory, one hole, one unmapped IOVA */
	for (i = 0; i < fz_params.hidden_size / GVT_PAGE_SIZE; i++)
		fz_m->gtt[(fz_params.hidden_base / GVT_PAGE_SIZE) + i] =
			(FZ_IOVA + (u64)(i % (FZ_MEM_SIZE / GVT_PAGE_SIZE)) *
			 GVT_PAGE_SIZE) | GVT_PTE_VALID;
	fz_m->gtt[fz_params.hidden_base / GVT_PAGE_SIZE + 8 + (data[0] >> 4)] = 0;
	fz_m->gtt[fz_params.hidden_base / GVT_PAGE_SIZE + 40] =
		(FZ_IOVA + 0x40000000ull) | GVT_PTE_VALID;
	gvt_mmio_write(fz_m, GVT_REG_GTT_CTL, 4, GVT_GTT_CTL_ENABLE);
	gvt_mmio_write(fz_m, GVT_REG_IER, 4, GVT_IRQ_ALL);
	gvt_mmio_write(fz_m, GVT_ENGINE_REG(e, GVT_RING_START), 4,
		       fz_params.hidden_base);
	gvt_mmio_write(fz_m, GVT_ENGINE_REG(e, GVT_RING_CTL), 4,
		       GVT_RING_CTL_ENABLE |
		       ((FZ_RING_PAGES - 1) << GVT_RING_CTL_SIZE_SHIFT));
	tail = (u32)((size - 1) & ~7ull);
	if (tail >= FZ_RING_SIZE)
		tail = FZ_RING_SIZE - 8;
	gvt_mmio_write(fz_m, GVT_ENGINE_REG(e, GVT_RING_TAIL), 4, tail);

	while (gvt_engine_run(fz_m, e, 0, &occ) != GVT_RUN_IDLE) {
		fz_clock += occ;
		/* WORK is bounded by the scanner; steps bound the rest */
		if (++steps > FZ_MAX_STEPS)
			abort();
	}
	/* idle means: the engine consumed all that was published, or failed */
	assert(fz_m->regs[gvt_reg_lookup(GVT_ENGINE_REG(e, GVT_RING_HEAD))] ==
	       tail || (fz_m->regs[GVT_REGIDX_STATUS] & GVT_STATUS_FAILED));
	assert(fz_m->regs[gvt_reg_lookup(GVT_ENGINE_REG(e, GVT_RING_HEAD))] <
	       FZ_RING_SIZE);
	/* every single command check is total on arbitrary dwords */
	for (i = 0; i + 4 <= size && i < 256; i += 4) {
		u32 cmd[1 + 2 * GVT_LRI_MAX_PAIRS] = { 0 };
		u32 n = (u32)((size - i) / 4);

		if (n > ARRAY_SIZE(cmd))
			n = ARRAY_SIZE(cmd);
		memcpy(cmd, data + i, n * 4);
		(void)gvt_cmd_check(fz_m, e, cmd, n);
	}
	return 0;
}
