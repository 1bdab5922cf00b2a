// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A thread-safe guest driver for the VM stress programs (see fz_gpu.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "fz_gpu.h"

/* records the failure in g->err and returns @ret */
static int __attribute__((format(printf, 3, 4)))
gpu_fail(struct fz_gpu *g, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->err, sizeof(g->err), fmt, ap);
	va_end(ap);
	return ret;
}

void fz_gpu_init(struct fz_gpu *g)
{
	memset(g, 0, sizeof(*g));
	g->d.container = g->d.group = g->d.device = -1;
	g->efd = -1;
}

int fz_gpu_rd(struct fz_gpu *g, uint32_t off, uint32_t *val)
{
	int ret = gvt_vfio_mmio_read32(&g->d, off, val);

	if (ret)
		return gpu_fail(g, ret, "%s", gvt_vfio_error(&g->d));
	return 0;
}

int fz_gpu_wr(struct fz_gpu *g, uint32_t off, uint32_t val)
{
	int ret = gvt_vfio_mmio_write32(&g->d, off, val);

	if (ret)
		return gpu_fail(g, ret, "%s", gvt_vfio_error(&g->d));
	return 0;
}

uint32_t fz_gpu_ga(const struct fz_gpu *g, uint32_t off)
{
	return g->hid + off;
}

/* the PTEs of the whole buffer, in one write of the GTT window */
static int gpu_map_gtt(struct fz_gpu *g)
{
	uint32_t n = FZ_GPU_MEM_SIZE / GVT_PAGE_SIZE, i;
	uint64_t *pte = calloc(n, sizeof(*pte));
	ssize_t w;

	if (!pte)
		return gpu_fail(g, -ENOMEM, "GTT: out of memory");
	for (i = 0; i < n; i++)
		pte[i] = (FZ_GPU_IOVA + (uint64_t)i * GVT_PAGE_SIZE) |
			 GVT_PTE_VALID;
	w = gvt_vfio_region_write(&g->d, VFIO_PCI_BAR0_REGION_INDEX,
				  GVT_GTT_OFFSET + (uint64_t)(g->hid / GVT_PAGE_SIZE) * 8,
				  pte, n * sizeof(*pte));
	free(pte);
	if (w != (ssize_t)(n * sizeof(*pte)))
		return gpu_fail(g, w < 0 ? (int)w : -EIO, "GTT write: %zd",
				w);
	return 0;
}

int fz_gpu_bringup(struct fz_gpu *g)
{
	uint32_t e;
	int ret;

	ret = gpu_map_gtt(g);
	ret = ret ?: fz_gpu_wr(g, GVT_REG_GTT_CTL, GVT_GTT_CTL_ENABLE);
	ret = ret ?: fz_gpu_wr(g, GVT_REG_IER, GVT_IRQ_ALL);
	ret = ret ?: fz_gpu_wr(g, GVT_REG_IMR, 0);
	for (e = 0; !ret && e < GVT_NUM_ENGINES; e++) {
		ret = fz_gpu_wr(g, GVT_ENGINE_REG(e, GVT_RING_START),
				fz_gpu_ga(g, FZ_GPU_RING(e)));
		ret = ret ?: fz_gpu_wr(g, GVT_ENGINE_REG(e, GVT_RING_CTL),
				       GVT_RING_CTL_ENABLE |
				       ((FZ_GPU_RING_PAGES - 1) <<
					GVT_RING_CTL_SIZE_SHIFT));
		g->tail[e] = 0;
		g->seqno[e] = 0;
	}
	return ret;
}

int fz_gpu_enable(struct fz_gpu *g)
{
	uint16_t flags = 0;
	int ret;

	ret = gvt_vfio_cfg_read16(&g->d, GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS,
				  &flags);
	ret = ret ?: gvt_vfio_cfg_write16(&g->d, GVT_CFG_MSI_OFFSET +
					  PCI_MSI_FLAGS,
					  flags | PCI_MSI_FLAGS_ENABLE);
	ret = ret ?: gvt_vfio_cfg_write16(&g->d, PCI_COMMAND,
					  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (ret)
		return gpu_fail(g, ret, "MSI set-up: %s", gvt_vfio_error(&g->d));
	return fz_gpu_bringup(g);
}

int fz_gpu_open(struct fz_gpu *g, const char *uuid)
{
	uint32_t hid_size = 0;
	int ret;

	fz_gpu_init(g);
	snprintf(g->uuid, sizeof(g->uuid), "%s", uuid);
	ret = gvt_vfio_open(&g->d, uuid);
	if (ret)
		return gpu_fail(g, ret, "open: %s", gvt_vfio_error(&g->d));
	g->mem = mmap(NULL, FZ_GPU_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		ret = gpu_fail(g, -ENOMEM, "DMA buffer: %s", strerror(errno));
		goto err;
	}
	ret = gvt_vfio_dma_map(&g->d, g->mem, FZ_GPU_IOVA, FZ_GPU_MEM_SIZE);
	if (ret) {
		gpu_fail(g, ret, "%s", gvt_vfio_error(&g->d));
		goto err;
	}
	g->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->efd < 0) {
		ret = gpu_fail(g, -errno, "eventfd: %s", strerror(errno));
		goto err;
	}
	ret = gvt_vfio_set_irq_eventfd(&g->d, VFIO_PCI_MSI_IRQ_INDEX, g->efd);
	if (ret) {
		gpu_fail(g, ret, "MSI eventfd: %s", gvt_vfio_error(&g->d));
		goto err;
	}
	ret = fz_gpu_rd(g, GVT_PV_HIDDEN_BASE, &g->hid);
	ret = ret ?: fz_gpu_rd(g, GVT_PV_HIDDEN_SIZE, &hid_size);
	if (ret)
		goto err;
	if (hid_size < FZ_GPU_MEM_SIZE) {
		ret = gpu_fail(g, -ENOSPC, "hidden range of %u bytes, need %u",
			       hid_size, FZ_GPU_MEM_SIZE);
		goto err;
	}
	ret = fz_gpu_enable(g);
	if (ret)
		goto err;
	return 0;
err:
	fz_gpu_close(g);
	return ret;
}

int fz_gpu_reset(struct fz_gpu *g)
{
	int ret = gvt_vfio_reset(&g->d);

	if (ret)
		return gpu_fail(g, ret, "%s", gvt_vfio_error(&g->d));
	return fz_gpu_enable(g);
}

void fz_gpu_close(struct fz_gpu *g)
{
	/* the device goes before the memory its engines may still read */
	gvt_vfio_close(&g->d);
	if (g->efd >= 0)
		close(g->efd);
	g->efd = -1;
	if (g->mem)
		munmap(g->mem, FZ_GPU_MEM_SIZE);
	g->mem = NULL;
}

void fz_gpu_emit(struct fz_gpu *g, uint32_t e, const uint32_t *cmd,
		 uint32_t n)
{
	uint32_t *ring = (uint32_t *)(g->mem + FZ_GPU_RING(e));
	uint32_t i;

	/* NOOP-pad to the end rather than split a command over the wrap */
	if (g->tail[e] + n * 4 > FZ_GPU_RING_SIZE) {
		while (g->tail[e] < FZ_GPU_RING_SIZE) {
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
	if (g->tail[e] == FZ_GPU_RING_SIZE)
		g->tail[e] = 0;
}

int fz_gpu_submit(struct fz_gpu *g, uint32_t e, uint32_t *seqno)
{
	uint32_t end[] = {
		GVT_CMD_LRI(1), GVT_ENGINE_REG(e, GVT_RING_SEQNO), ++g->seqno[e],
		GVT_CMD_USER_INTERRUPT,
	};

	fz_gpu_emit(g, e, end, 4);
	if (g->tail[e] % 8)
		fz_gpu_emit(g, e, (uint32_t[]){ GVT_CMD_NOOP }, 1);
	*seqno = g->seqno[e];
	return fz_gpu_wr(g, GVT_ENGINE_REG(e, GVT_RING_TAIL), g->tail[e]);
}

/* adds what the MSI eventfd counted to g->msis */
static void gpu_take_msis(struct fz_gpu *g, int ms)
{
	struct pollfd p = { .fd = g->efd, .events = POLLIN };
	uint64_t cnt;

	if (poll(&p, 1, ms) > 0 && (p.revents & POLLIN) &&
	    read(g->efd, &cnt, sizeof(cnt)) == sizeof(cnt))
		g->msis += cnt;
}

int fz_gpu_wait(struct fz_gpu *g, uint32_t e, uint32_t seqno, uint32_t ms)
{
	uint64_t deadline = fz_now_ms() + ms;
	uint32_t seen = 0, iir = 0, cur = 0;
	int ret;

	for (;;) {
		gpu_take_msis(g, 20);
		ret = fz_gpu_rd(g, GVT_REG_IIR, &iir);
		if (!ret && iir) {
			seen |= iir;
			ret = fz_gpu_wr(g, GVT_REG_IIR, iir);
		}
		ret = ret ?: fz_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_SEQNO), &cur);
		if (ret)
			return ret;
		if ((int32_t)(cur - seqno) >= 0 && (seen & GVT_IRQ_USER(e)))
			return 0;
		if (fz_now_ms() > deadline) {
			uint32_t err = 0, addr = 0, st = 0, head = 0;

			fz_gpu_rd(g, GVT_REG_ERROR, &err);
			fz_gpu_rd(g, GVT_REG_ERROR_ADDR, &addr);
			fz_gpu_rd(g, GVT_REG_STATUS, &st);
			fz_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_HEAD), &head);
			return gpu_fail(g, -ETIMEDOUT,
					"engine %u: seqno %u after %u ms, want %u; IIR seen 0x%x, ERROR %u at 0x%x, STATUS 0x%x, HEAD 0x%x TAIL 0x%x",
					e, cur, ms, seqno, seen, err, addr, st,
					head, g->tail[e]);
		}
	}
}

/* pixel (x, y) of the surface at buffer offset @surf */
static uint32_t gpu_px(const struct fz_gpu *g, uint32_t surf, uint32_t x,
		       uint32_t y)
{
	uint32_t v;

	memcpy(&v, g->mem + surf + y * FZ_GPU_STRIDE + 4 * x, sizeof(v));
	return v;
}

#define FZ_GUARD	0xeeeeeeeeu
#define FZ_STORES_MAX	8

int fz_gpu_exact_round(struct fz_gpu *g, struct fz_rng *r, uint32_t ms)
{
	uint32_t e = (uint32_t)fz_below(r, GVT_NUM_ENGINES);
	uint32_t w = (uint32_t)fz_range(r, 1, 200);
	uint32_t h = (uint32_t)fz_range(r, 1, 96);
	uint32_t dx = (uint32_t)fz_below(r, 32);	/* copy shifted right */
	uint32_t color = (uint32_t)fz_next(r);
	uint32_t nstore = (uint32_t)fz_range(r, 1, FZ_STORES_MAX);
	uint32_t val[FZ_STORES_MAX], x, y, i, seqno = 0, v = 0;
	uint64_t msis0 = g->msis;
	int ret;

	if (color == FZ_GUARD)
		color ^= 1;
	memset(g->mem + FZ_GPU_SURF_A, 0xee, (size_t)FZ_GPU_STRIDE * (h + 1));
	memset(g->mem + FZ_GPU_SURF_B, 0xee, (size_t)FZ_GPU_STRIDE * (h + 1));
	memset(g->mem + FZ_GPU_DATA, 0, 4 * (FZ_STORES_MAX + 1));
	{
		uint32_t cmd[] = {
			GVT_CMD_FILL_RECT, fz_gpu_ga(g, FZ_GPU_SURF_A), FZ_GPU_STRIDE,
			GVT_RECT_SIZE(w, h), color,
			GVT_CMD_COPY_RECT, fz_gpu_ga(g, FZ_GPU_SURF_A), FZ_GPU_STRIDE,
			fz_gpu_ga(g, FZ_GPU_SURF_B + 4 * dx), FZ_GPU_STRIDE,
			GVT_RECT_SIZE(w, h),
		};

		fz_gpu_emit(g, e, cmd, sizeof(cmd) / 4);
	}
	for (i = 0; i < nstore; i++) {
		val[i] = (uint32_t)fz_next(r);
		fz_gpu_emit(g, e, (uint32_t[]){ GVT_CMD_STORE_DWORD,
				fz_gpu_ga(g, FZ_GPU_DATA + 4 * i), val[i] }, 3);
	}
	ret = fz_gpu_submit(g, e, &seqno);
	ret = ret ?: fz_gpu_wait(g, e, seqno, ms);
	if (ret)
		return ret;

	for (y = 0; y <= h; y++) {
		for (x = 0; x < FZ_GPU_STRIDE / 4; x++) {
			bool in_a = y < h && x < w;
			bool in_b = y < h && x >= dx && x < dx + w;
			uint32_t a = gpu_px(g, FZ_GPU_SURF_A, x, y);
			uint32_t b = gpu_px(g, FZ_GPU_SURF_B, x, y);

			if (a != (in_a ? color : FZ_GUARD) ||
			    b != (in_b ? color : FZ_GUARD))
				return gpu_fail(g, -EILSEQ,
						"engine %u, fill %ux%u colour 0x%08x copied +%u: pixel (%u,%u) is 0x%08x/0x%08x (fill/copy), want 0x%08x/0x%08x",
						e, w, h, color, dx, x, y, a, b,
						in_a ? color : FZ_GUARD,
						in_b ? color : FZ_GUARD);
		}
	}
	for (i = 0; i <= nstore; i++) {
		memcpy(&v, g->mem + FZ_GPU_DATA + 4 * i, sizeof(v));
		if (v != (i < nstore ? val[i] : 0))
			return gpu_fail(g, -EILSEQ,
					"engine %u: store %u of %u reads 0x%08x, want 0x%08x",
					e, i, nstore, v, i < nstore ? val[i] : 0);
	}
	ret = fz_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_SEQNO), &v);
	if (!ret && v != seqno)
		return gpu_fail(g, -EILSEQ, "engine %u: SEQNO %u, want %u", e,
				v, seqno);
	ret = ret ?: fz_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_HEAD), &v);
	if (!ret && v != g->tail[e])
		return gpu_fail(g, -EILSEQ, "engine %u: HEAD 0x%x, want 0x%x",
				e, v, g->tail[e]);
	ret = ret ?: fz_gpu_rd(g, GVT_REG_ERROR_COUNT, &v);
	if (!ret && v)
		return gpu_fail(g, -EILSEQ, "ERROR_COUNT %u after valid work", v);
	ret = ret ?: fz_gpu_rd(g, GVT_REG_STATUS, &v);
	if (!ret && v)
		return gpu_fail(g, -EILSEQ, "STATUS 0x%x after valid work", v);
	if (ret)
		return ret;
	/* the MSI of this request: counted by the wait or still pending */
	if (g->msis == msis0)
		gpu_take_msis(g, 200);
	if (g->msis == msis0)
		return gpu_fail(g, -EILSEQ,
				"engine %u: request %u completed without an MSI",
				e, seqno);
	return 0;
}
