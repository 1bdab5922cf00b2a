// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite "work": vGPUs doing real work on guest memory.
 *
 * The test program plays the VMM and the guest driver at once: it maps a
 * buffer of its own for DMA (VFIO_IOMMU_MAP_DMA), points the vGPU's GTT at
 * it, builds rings, batches and surfaces in it, rings the doorbell, waits
 * for the MSI eventfd and checks the results in memory byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "vm_gpu.h"

#define WK_MAX		4

static struct vm_gpu wk[WK_MAX];

static void wk_teardown_all(void)
{
	unsigned int i;

	for (i = 0; i < WK_MAX; i++)
		vm_gpu_teardown(&wk[i]);
}

/* doorbell without a request end (bad streams) */
static void wk_kick(struct vm_gpu *g, uint32_t e)
{
	if (g->tail[e] % 8)
		vm_gpu_emit(g, e, (uint32_t[]){ GVT_CMD_NOOP }, 1);
	vm_gpu_wr(g, GVT_ENGINE_REG(e, GVT_RING_TAIL), g->tail[e]);
}

/* waits for an error interrupt of engine @e; the IIR bits seen or 0 */
static uint32_t wk_wait_error(struct vm_gpu *g, uint32_t e)
{
	uint64_t deadline = vm_now_ms() + VM_WAIT_MS, cnt;
	uint32_t iir;

	while (vm_now_ms() < deadline) {
		if (vm_wait_readable(g->efd, 50) > 0)
			vm_eventfd_read(g->efd, &cnt);
		iir = vm_gpu_rd(g, GVT_REG_IIR);
		if (iir & GVT_IRQ_ERROR(e)) {
			vm_gpu_wr(g, GVT_REG_IIR, iir);
			return iir;
		}
	}
	return 0;
}

static uint64_t wk_stat(struct vm_gpu *g, const char *name)
{
	return (uint64_t)vm_stat(g->v.uuid, name);
}

static uint32_t *u32p(struct vm_gpu *g, uint32_t off)
{
	return (uint32_t *)(g->mem + off);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_store_seqno_msi(void)
{
	struct vm_gpu *g = &wk[0];
	uint64_t msis = 0;
	uint32_t e, s, iir;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)) == false)
		return;
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		uint32_t cmd[] = {
			GVT_CMD_NOOP,
			GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA + 4 * e), 0xc0de0000 + e,
			GVT_CMD_LRI(1), GVT_REG_SCRATCH, 0x5c0000 + e,
		};

		vm_gpu_emit(g, e, cmd, sizeof(cmd) / 4);
		s = vm_gpu_submit(g, e);
		iir = vm_gpu_wait(g, e, s, &msis);
		VM_EQ(iir & GVT_IRQ_USER(e), GVT_IRQ_USER(e));
		VM_EQ(*u32p(g, VM_GPU_DATA + 4 * e), 0xc0de0000 + e);
		VM_EQ(vm_gpu_rd(g, GVT_REG_SCRATCH), 0x5c0000 + e);
		VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_HEAD)), g->tail[e]);
		VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_SEQNO)), s);
		VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(e, GVT_RING_STATUS)),
		      GVT_RING_STATUS_IDLE);
	}
	CU_ASSERT(msis >= 1);
	VM_EQ(wk_stat(g, "workloads_completed"), 2);
	VM_EQ(wk_stat(g, "workloads_rejected"), 0);
	vm_note("MSIs %llu for 2 requests", (unsigned long long)msis);
	wk_teardown_all();
}

static void test_many_requests(void)
{
	struct vm_gpu *g = &wk[0];
	uint64_t msis = 0;
	uint32_t i, s = 0, n = 200;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)) == false)
		return;
	/* more requests than the ring holds at once: it wraps */
	for (i = 0; i < n; i++) {
		uint32_t cmd[] = {
			GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA + 4 * i), i * 7 + 1,
		};

		vm_gpu_emit(g, 0, cmd, 3);
		s = vm_gpu_submit(g, 0);
		if (i % 16 == 15)
			CU_ASSERT(vm_gpu_wait(g, 0, s, &msis) != 0);
	}
	CU_ASSERT(vm_gpu_wait(g, 0, s, &msis) != 0);
	for (i = 0; i < n; i++)
		if (*u32p(g, VM_GPU_DATA + 4 * i) != i * 7 + 1)
			break;
	VM_EQ(i, n);
	VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_SEQNO)), n);
	CU_ASSERT(msis >= n / 16);
	vm_note("%u requests, %llu MSIs, %llu workloads", n,
		(unsigned long long)msis,
		(unsigned long long)wk_stat(g, "workloads_completed"));

	/* one request at a time, IIR acked each time: one MSI each, none lost */
	msis = 0;
	for (i = 0; i < 50; i++) {
		vm_gpu_emit(g, i % 2, (uint32_t[]){ GVT_CMD_STORE_DWORD,
						vm_gpu_ga(g, VM_GPU_DATA), i }, 3);
		CU_ASSERT(vm_gpu_wait(g, i % 2, vm_gpu_submit(g, i % 2), &msis) != 0);
	}
	/* the last MSI may still sit in the eventfd: collect it */
	if (vm_wait_readable(g->efd, 100) > 0) {
		uint64_t c = 0;

		vm_eventfd_read(g->efd, &c);
		msis += c;
	}
	VM_EQ(msis, 50);
	wk_teardown_all();
}

static void test_batch(void)
{
	struct vm_gpu *g = &wk[0];
	uint32_t *b = u32p(g, 0), s;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)) == false)
		return;
	b = u32p(g, VM_GPU_BATCH);
	/* first level batch calls a second level one, both end properly */
	b[0] = GVT_CMD_STORE_DWORD;
	b[1] = vm_gpu_ga(g, VM_GPU_DATA);
	b[2] = 0xba7c0001;
	b[3] = GVT_CMD_BATCH_START;
	b[4] = vm_gpu_ga(g, VM_GPU_BATCH + 0x100);
	b[5] = GVT_CMD_STORE_DWORD;
	b[6] = vm_gpu_ga(g, VM_GPU_DATA + 8);
	b[7] = 0xba7c0003;
	b[8] = GVT_CMD_BATCH_END;
	b[64] = GVT_CMD_STORE_DWORD;
	b[65] = vm_gpu_ga(g, VM_GPU_DATA + 4);
	b[66] = 0xba7c0002;
	b[67] = GVT_CMD_BATCH_END;
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_BATCH_START, vm_gpu_ga(g, VM_GPU_BATCH) }, 2);
	s = vm_gpu_submit(g, 0);
	CU_ASSERT(vm_gpu_wait(g, 0, s, NULL) != 0);
	VM_EQ(*u32p(g, VM_GPU_DATA), 0xba7c0001);
	VM_EQ(*u32p(g, VM_GPU_DATA + 4), 0xba7c0002);
	VM_EQ(*u32p(g, VM_GPU_DATA + 8), 0xba7c0003);
	wk_teardown_all();
}

/* fill A on render, copy A -> B on render, both checked byte for byte */
static void run_fill_copy(struct vm_gpu *g, uint32_t color, uint32_t e)
{
	uint32_t w = 200, h = 150, stride = 1024, x, y, s, bad = 0;
	uint32_t cmd[] = {
		GVT_CMD_FILL_RECT, vm_gpu_ga(g, VM_GPU_SURF_A), stride,
		GVT_RECT_SIZE(w, h), color,
		GVT_CMD_COPY_RECT, vm_gpu_ga(g, VM_GPU_SURF_A), stride,
		vm_gpu_ga(g, VM_GPU_SURF_B + 64), stride, GVT_RECT_SIZE(w, h),
	};

	memset(g->mem + VM_GPU_SURF_A, 0xee, (size_t)stride * (h + 1));
	memset(g->mem + VM_GPU_SURF_B, 0xee, (size_t)stride * (h + 1));
	vm_gpu_emit(g, e, cmd, sizeof(cmd) / 4);
	s = vm_gpu_submit(g, e);
	CU_ASSERT_FATAL(vm_gpu_wait(g, e, s, NULL) != 0);
	for (y = 0; y <= h; y++) {
		for (x = 0; x < stride / 4; x++) {
			uint32_t a = *u32p(g, VM_GPU_SURF_A + y * stride + 4 * x);
			uint32_t b = *u32p(g, VM_GPU_SURF_B + y * stride + 4 * x);
			bool in = y < h && x < w;
			bool in_b = y < h && x >= 16 && x < w + 16;

			bad += a != (in ? color : 0xeeeeeeee);
			bad += b != (in_b ? color : 0xeeeeeeee);
		}
	}
	VM_EQ(bad, 0);
}

static void test_fill_copy_three(void)
{
	unsigned int i, round;

	for (i = 0; i < 3; i++)
		if (VM_OK_FATAL(NULL, vm_gpu_setup(&wk[i], 8)) == false)
			return;
	/* all three in flight at once, on both engines */
	for (round = 0; round < 2; round++) {
		uint32_t s[3];

		for (i = 0; i < 3; i++) {
			struct vm_gpu *g = &wk[i];
			uint32_t cmd[] = {
				GVT_CMD_FILL_RECT, vm_gpu_ga(g, VM_GPU_SURF_A), 4096,
				GVT_RECT_SIZE(1024, 64), 0x11000000 * (i + 1) + round,
			};

			vm_gpu_emit(g, round, cmd, 5);
			s[i] = vm_gpu_submit(g, round);
		}
		for (i = 0; i < 3; i++) {
			struct vm_gpu *g = &wk[i];
			uint32_t y, x, bad = 0;

			CU_ASSERT(vm_gpu_wait(g, round, s[i], NULL) != 0);
			for (y = 0; y < 64; y++)
				for (x = 0; x < 1024; x++)
					bad += *u32p(g, VM_GPU_SURF_A + y * 4096 + 4 * x) !=
					       0x11000000 * (i + 1) + round;
			VM_EQ(bad, 0);
		}
	}
	for (i = 0; i < 3; i++)
		run_fill_copy(&wk[i], 0xff102030 + i, i % 2);
	wk_teardown_all();
}

/* one bad stream: the error code, an error interrupt, nothing executed */
static void bad_stream(struct vm_gpu *g, const uint32_t *cmd, uint32_t n,
		       uint32_t want_err)
{
	uint32_t before = vm_gpu_rd(g, GVT_REG_ERROR_COUNT), iir;

	*u32p(g, VM_GPU_DATA) = 0;
	vm_gpu_emit(g, 0, cmd, n);
	/* a store that must not run: the whole stream is refused */
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA), 1 }, 3);
	wk_kick(g, 0);
	iir = wk_wait_error(g, 0);
	VM_EQ(iir & GVT_IRQ_ERROR(0), GVT_IRQ_ERROR(0));
	VM_EQ(vm_gpu_rd(g, GVT_REG_ERROR), want_err);
	VM_EQ(vm_gpu_rd(g, GVT_REG_ERROR_COUNT), before + 1);
	VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_HEAD)), g->tail[0]);
	VM_EQ(*u32p(g, VM_GPU_DATA), 0);
}

static void test_bad_streams(void)
{
	struct vm_gpu *g = &wk[0];
	uint32_t *b, i;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)) == false)
		return;
	bad_stream(g, (uint32_t[]){ 0x7f000001, 0 }, 2, GVT_ERR_BAD_OPCODE);
	bad_stream(g, (uint32_t[]){ GVT_CMD_LRI(1), GVT_REG_IER, 0 }, 3,
		   GVT_ERR_BAD_REGISTER);
	/* a store into graphics memory of another vGPU */
	bad_stream(g, (uint32_t[]){ GVT_CMD_STORE_DWORD, g->hid - 4096, 0 }, 3,
		   GVT_ERR_BAD_ADDRESS);
	VM_EQ(vm_gpu_rd(g, GVT_REG_STATUS) & GVT_STATUS_FAILED, 0);
	VM_EQ(wk_stat(g, "workloads_rejected"), 3);

	/* reset, then the runaway batches */
	VM_OK(&g->v.d, gvt_vfio_reset(&g->v.d));
	VM_OK(&g->v.d, vm_gpu_bringup(g));
	b = u32p(g, VM_GPU_BATCH);
	b[0] = GVT_CMD_BATCH_START;		/* calls itself forever */
	b[1] = vm_gpu_ga(g, VM_GPU_BATCH);
	bad_stream(g, (uint32_t[]){ GVT_CMD_BATCH_START, vm_gpu_ga(g, VM_GPU_BATCH) }, 2,
		   GVT_ERR_BATCH_DEPTH);
	for (i = 0; i < 0x4000; i++)	/* never ends */
		b[0x400 + i] = GVT_CMD_NOOP;
	bad_stream(g, (uint32_t[]){ GVT_CMD_BATCH_START,
				    vm_gpu_ga(g, VM_GPU_BATCH + 0x1000) }, 2,
		   GVT_ERR_BATCH_SIZE);
	bad_stream(g, (uint32_t[]){ GVT_CMD_WORK, 0 }, 2, GVT_ERR_BAD_PARAM);
	VM_EQ(vm_gpu_rd(g, GVT_REG_STATUS) & GVT_STATUS_FAILED, 0);
	/* the fourth error since reset fails the vGPU */
	bad_stream(g, (uint32_t[]){ GVT_CMD_HDR(GVT_OP_STORE_DWORD, 4), 0, 0, 0 },
		   4, GVT_ERR_BAD_LENGTH);
	VM_EQ(vm_gpu_rd(g, GVT_REG_STATUS) & GVT_STATUS_FAILED, GVT_STATUS_FAILED);

	/* failed: nothing runs until reset; after it, work runs again */
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA), 9 }, 3);
	wk_kick(g, 0);
	usleep(100 * 1000);
	VM_EQ(*u32p(g, VM_GPU_DATA), 0);
	VM_OK(&g->v.d, gvt_vfio_reset(&g->v.d));
	VM_EQ(vm_gpu_rd(g, GVT_REG_STATUS), 0);
	VM_OK(&g->v.d, vm_gpu_bringup(g));
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA), 9 }, 3);
	CU_ASSERT(vm_gpu_wait(g, 0, vm_gpu_submit(g, 0), NULL) != 0);
	VM_EQ(*u32p(g, VM_GPU_DATA), 9);
	wk_teardown_all();
}

static void test_gtt_faults(void)
{
	struct vm_gpu *g = &wk[0];
	uint64_t zero = 0;
	uint32_t iir, i;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)) == false)
		return;
	/* an owned graphics address whose PTE is invalid */
	VM_EQ(gvt_vfio_region_write(&g->v.d, VFIO_PCI_BAR0_REGION_INDEX,
				    GVT_GTT_OFFSET +
				    (uint64_t)vm_gpu_ga(g, VM_GPU_SURF_B) / GVT_PAGE_SIZE * 8,
				    &zero, 8), 8);
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_SURF_B), 1 }, 3);
	wk_kick(g, 0);
	iir = wk_wait_error(g, 0);
	VM_EQ(iir & GVT_IRQ_GTT_FAULT, GVT_IRQ_GTT_FAULT);
	VM_EQ(vm_gpu_rd(g, GVT_REG_ERROR), GVT_ERR_GTT_FAULT);
	VM_EQ(vm_gpu_rd(g, GVT_REG_ERROR_ADDR), vm_gpu_ga(g, VM_GPU_SURF_B));

	/* a valid PTE to an IOVA the VMM never mapped */
	VM_OK(NULL, vm_gpu_map_pages(g, 0, 1));
	{
		uint64_t pte = (VM_GPU_IOVA + 64ull * VM_GPU_MEM_SIZE) | GVT_PTE_VALID;

		VM_EQ(gvt_vfio_region_write(&g->v.d, VFIO_PCI_BAR0_REGION_INDEX,
					    GVT_GTT_OFFSET +
					    (uint64_t)vm_gpu_ga(g, VM_GPU_SURF_B) /
					    GVT_PAGE_SIZE * 8, &pte, 8), 8);
	}
	/* a fill that faults halfway: the rows before it were written */
	for (i = 0; i < 2; i++)
		*u32p(g, VM_GPU_SURF_B - 4096 + 4 * i) = 0;
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_FILL_RECT, vm_gpu_ga(g, VM_GPU_SURF_B - 4096),
				    4096, GVT_RECT_SIZE(2, 2), 0xabcd }, 5);
	wk_kick(g, 0);
	iir = wk_wait_error(g, 0);
	VM_EQ(iir & GVT_IRQ_GTT_FAULT, GVT_IRQ_GTT_FAULT);
	VM_EQ(vm_gpu_rd(g, GVT_REG_ERROR_ADDR), vm_gpu_ga(g, VM_GPU_SURF_B));
	VM_EQ(*u32p(g, VM_GPU_SURF_B - 4096), 0xabcd);
	VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_HEAD)), g->tail[0]);
	wk_teardown_all();
}

static void test_failure_isolation(void)
{
	struct vm_gpu *bad = &wk[0];
	unsigned int i, k;

	for (i = 0; i < 3; i++)
		if (VM_OK_FATAL(NULL, vm_gpu_setup(&wk[i], 8)) == false)
			return;
	/* two good vGPUs with real work queued, one spraying bad streams */
	for (i = 1; i < 3; i++) {
		struct vm_gpu *g = &wk[i];
		uint32_t cmd[] = {
			GVT_CMD_WORK, 20000000,
			GVT_CMD_FILL_RECT, vm_gpu_ga(g, VM_GPU_SURF_A), 4096,
			GVT_RECT_SIZE(512, 32), 0x600d0000 + i,
		};

		vm_gpu_emit(g, 0, cmd, sizeof(cmd) / 4);
		vm_gpu_submit(g, 0);
	}
	for (k = 0; k < GVT_ERROR_FAIL_LIMIT; k++) {
		vm_gpu_emit(bad, 0, (uint32_t[]){ 0x7e000001, 0 }, 2);
		wk_kick(bad, 0);
		CU_ASSERT(wk_wait_error(bad, 0) != 0);
	}
	VM_EQ(vm_gpu_rd(bad, GVT_REG_STATUS), GVT_STATUS_FAILED);
	for (i = 1; i < 3; i++) {
		struct vm_gpu *g = &wk[i];
		uint32_t y, x, errs = 0;

		CU_ASSERT(vm_gpu_wait(g, 0, g->seqno[0], NULL) != 0);
		for (y = 0; y < 32; y++)
			for (x = 0; x < 512; x++)
				errs += *u32p(g, VM_GPU_SURF_A + y * 4096 + 4 * x) !=
					0x600d0000 + i;
		VM_EQ(errs, 0);
		VM_EQ(vm_gpu_rd(g, GVT_REG_STATUS), 0);
		VM_EQ(vm_gpu_rd(g, GVT_REG_ERROR_COUNT), 0);
	}
	wk_teardown_all();
}

static void test_reset_mid_workload(void)
{
	struct vm_gpu *g = &wk[0];
	uint64_t msis = 0;
	uint32_t i, s;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)) == false)
		return;
	for (i = 0; i < 20; i++)
		vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_WORK, 50000000 }, 2);
	vm_gpu_submit(g, 0);
	usleep(100 * 1000);
	CU_ASSERT(!(vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_STATUS)) &
		    GVT_RING_STATUS_IDLE));
	VM_OK(&g->v.d, gvt_vfio_reset(&g->v.d));
	VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_HEAD)), 0);
	VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_SEQNO)), 0);
	VM_EQ(vm_gpu_rd(g, GVT_REG_IIR), 0);
	/* the slice that was running is not charged after the reset */
	usleep(300 * 1000);
	VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_BUSY_NS_LO)), 0);
	VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_BUSY_NS_HI)), 0);
	/* the eventfd survives the reset and the next request completes */
	VM_OK(&g->v.d, vm_gpu_bringup(g));
	{
		uint16_t flags = 0;

		/* a function reset: the driver enables MSI and mastering again */
		gvt_vfio_cfg_read16(&g->v.d, GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS,
				    &flags);
		gvt_vfio_cfg_write16(&g->v.d, GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS,
				     flags | PCI_MSI_FLAGS_ENABLE);
		gvt_vfio_cfg_write16(&g->v.d, PCI_COMMAND,
				     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	}
	vm_eventfd_read(g->efd, &msis);
	msis = 0;
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA), 77 }, 3);
	s = vm_gpu_submit(g, 0);
	CU_ASSERT(vm_gpu_wait(g, 0, s, &msis) != 0);
	VM_EQ(*u32p(g, VM_GPU_DATA), 77);
	CU_ASSERT(msis >= 1);
	wk_teardown_all();
}

static void test_weighted_shares(void)
{
	static const unsigned int divs[3] = { 8, 4, 2 };	/* weights 2, 4, 8 */
	uint64_t b0[3], b1[3], total = 0;
	double share[3], want[3];
	unsigned int i, k, wsum = 0;

	for (i = 0; i < 3; i++) {
		if (VM_OK_FATAL(NULL, vm_gpu_setup(&wk[i], divs[i])) == false)
			return;
		wsum += vm_gpu_rd(&wk[i], GVT_PV_WEIGHT);
	}
	/* 3 s of work each: all three contend for the whole measurement */
	for (i = 0; i < 3; i++) {
		for (k = 0; k < 30; k++)
			vm_gpu_emit(&wk[i], 0, (uint32_t[]){ GVT_CMD_WORK,
							 GVT_WORK_MAX_NS }, 2);
		vm_gpu_submit(&wk[i], 0);
	}
	usleep(200 * 1000);
	for (i = 0; i < 3; i++)
		b0[i] = vm_gpu_busy(&wk[i], 0);
	usleep(1500 * 1000);
	for (i = 0; i < 3; i++) {
		b1[i] = vm_gpu_busy(&wk[i], 0);
		total += b1[i] - b0[i];
	}
	for (i = 0; i < 3; i++) {
		share[i] = total ? (double)(b1[i] - b0[i]) / total : 0;
		want[i] = (double)vm_gpu_rd(&wk[i], GVT_PV_WEIGHT) / wsum;
		vm_note("V1_%u weight %u: GPU time %.1f ms, share %.3f (want %.3f)",
			divs[i], vm_gpu_rd(&wk[i], GVT_PV_WEIGHT),
			(b1[i] - b0[i]) / 1e6, share[i], want[i]);
		CU_ASSERT(share[i] > want[i] - 0.06 && share[i] < want[i] + 0.06);
		/* still busy: the window was all contention */
		CU_ASSERT(!(vm_gpu_rd(&wk[i], GVT_ENGINE_REG(0, GVT_RING_STATUS)) &
			    GVT_RING_STATUS_IDLE));
	}
	CU_ASSERT(total > 1000000000ull);
	for (i = 0; i < 3; i++) {
		CU_ASSERT(wk_stat(&wk[i], "sched_switches") > 10);
		CU_ASSERT(wk_stat(&wk[i], "wait_ns") > 0);
	}
	/* reset mid-workload on all three, then the engines are free again */
	for (i = 0; i < 3; i++)
		VM_OK(&wk[i].v.d, gvt_vfio_reset(&wk[i].v.d));
	wk_teardown_all();
}

/* INTx: level-triggered, masked on delivery, re-fired on unmask while asserted */
static void test_intx_level(void)
{
	struct vm_gpu *g = &wk[0];
	uint16_t flags = 0;
	uint64_t c = 0;
	uint32_t s;
	int ifd;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)) == false)
		return;
	ifd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CU_ASSERT_FATAL(ifd >= 0);
	gvt_vfio_cfg_read16(&g->v.d, GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS, &flags);
	VM_OK(&g->v.d, gvt_vfio_cfg_write16(&g->v.d, GVT_CFG_MSI_OFFSET +
					    PCI_MSI_FLAGS,
					    flags & ~PCI_MSI_FLAGS_ENABLE));
	VM_OK(&g->v.d, gvt_vfio_set_irq_eventfd(&g->v.d, VFIO_PCI_INTX_IRQ_INDEX,
						ifd));
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA), 1 }, 3);
	s = vm_gpu_submit(g, 0);
	VM_EQ(vm_wait_readable(ifd, VM_WAIT_MS), 1);
	vm_eventfd_read(ifd, &c);
	VM_EQ(vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_SEQNO)), s);
	/* automasked: a second request does not signal */
	vm_gpu_emit(g, 1, (uint32_t[]){ GVT_CMD_NOOP, GVT_CMD_NOOP }, 2);
	s = vm_gpu_submit(g, 1);
	usleep(50 * 1000);
	VM_EQ(vm_wait_readable(ifd, 0), 0);
	/* unmasked while IIR still holds the events: signals again */
	VM_OK(&g->v.d, gvt_vfio_irq_unmask(&g->v.d, VFIO_PCI_INTX_IRQ_INDEX));
	VM_EQ(vm_wait_readable(ifd, 1000), 1);
	vm_eventfd_read(ifd, &c);
	/* handled: IIR cleared, then unmask: silent */
	vm_gpu_wr(g, GVT_REG_IIR, vm_gpu_rd(g, GVT_REG_IIR));
	VM_OK(&g->v.d, gvt_vfio_irq_unmask(&g->v.d, VFIO_PCI_INTX_IRQ_INDEX));
	VM_EQ(vm_wait_readable(ifd, 50), 0);
	/* and the next request signals */
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA), 2 }, 3);
	vm_gpu_submit(g, 0);
	VM_EQ(vm_wait_readable(ifd, VM_WAIT_MS), 1);
	VM_EQ(*u32p(g, VM_GPU_DATA), 2);
	gvt_vfio_set_irq_eventfd(&g->v.d, VFIO_PCI_INTX_IRQ_INDEX, -1);
	close(ifd);
	wk_teardown_all();
}

/* MSI per-vector mask: the message is held (Pending) and sent at unmask */
static void test_msi_mask_pending(void)
{
	struct vm_gpu *g = &wk[0];
	uint32_t mask_off = GVT_CFG_MSI_OFFSET + PCI_MSI_MASK_64;
	uint32_t pend_off = GVT_CFG_MSI_OFFSET + PCI_MSI_PENDING_64, v = 0;
	uint64_t c = 0;
	uint32_t s;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)) == false)
		return;
	VM_OK(&g->v.d, gvt_vfio_cfg_write32(&g->v.d, mask_off, 1));
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA), 1 }, 3);
	s = vm_gpu_submit(g, 0);
	while (vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_SEQNO)) != s &&
	       vm_wait_readable(g->efd, 10) == 0)
		;
	usleep(20 * 1000);
	VM_EQ(vm_wait_readable(g->efd, 0), 0);
	VM_OK(&g->v.d, gvt_vfio_cfg_read32(&g->v.d, pend_off, &v));
	VM_EQ(v, 1);
	VM_OK(&g->v.d, gvt_vfio_cfg_write32(&g->v.d, mask_off, 0));
	VM_EQ(vm_wait_readable(g->efd, 1000), 1);
	vm_eventfd_read(g->efd, &c);
	VM_EQ(c, 1);
	VM_OK(&g->v.d, gvt_vfio_cfg_read32(&g->v.d, pend_off, &v));
	VM_EQ(v, 0);
	wk_teardown_all();
}

/* per-vGPU time slice override: a longer slice, same shares */
static void test_timeslice_override(void)
{
	struct vm_gpu *g = &wk[0];
	char path[256];
	long v = -1;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)) == false)
		return;
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/%s/timeslice_us",
		 g->v.uuid, GVT_SYSFS_GROUP);
	VM_OK(NULL, gvt_sysfs_read_long(path, &v));
	VM_EQ(v, 0);
	VM_OK(NULL, gvt_sysfs_write(path, "2500"));
	VM_OK(NULL, gvt_sysfs_read_long(path, &v));
	VM_EQ(v, 2500);
	CU_ASSERT(gvt_sysfs_write(path, "10") < 0);
	CU_ASSERT(gvt_sysfs_write(path, "1000000") < 0);
	VM_OK(NULL, gvt_sysfs_read_long(path, &v));
	VM_EQ(v, 2500);
	/* work still runs with it */
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_WORK, 5000000,
				    GVT_CMD_STORE_DWORD, vm_gpu_ga(g, VM_GPU_DATA), 3 }, 5);
	CU_ASSERT(vm_gpu_wait(g, 0, vm_gpu_submit(g, 0), NULL) != 0);
	VM_EQ(*u32p(g, VM_GPU_DATA), 3);
	VM_OK(NULL, gvt_sysfs_write(path, "0"));
	wk_teardown_all();
}

/* close and remove vGPUs while their engines are busy: nothing leaks or hangs */
static void test_close_busy(void)
{
	uint64_t t0;
	unsigned int i, k;

	for (i = 0; i < 3; i++) {
		if (VM_OK_FATAL(NULL, vm_gpu_setup(&wk[i], 8)) == false)
			return;
		for (k = 0; k < 20; k++) {
			vm_gpu_emit(&wk[i], k % 2, (uint32_t[]){ GVT_CMD_WORK,
							     GVT_WORK_MAX_NS }, 2);
			vm_gpu_emit(&wk[i], k % 2, (uint32_t[]){
				GVT_CMD_FILL_RECT, vm_gpu_ga(&wk[i], VM_GPU_SURF_A), 4096,
				GVT_RECT_SIZE(1024, 256), k }, 5);
		}
		vm_gpu_submit(&wk[i], 0);
		vm_gpu_submit(&wk[i], 1);
	}
	usleep(50 * 1000);
	t0 = vm_now_ms();
	/*
	 * One vGPU loses its memory under the engine first (the VMM unmaps
	 * it): its work faults instead of touching anything else.
	 */
	munmap(wk[0].mem, VM_GPU_MEM_SIZE);
	wk[0].mem = NULL;
	usleep(20 * 1000);
	for (i = 0; i < 3; i++)
		vm_gpu_teardown(&wk[i]);
	vm_note("closed and removed 3 busy vGPUs in %llu ms",
		(unsigned long long)(vm_now_ms() - t0));
	CU_ASSERT(vm_now_ms() - t0 < 2000);
	/* the engines serve a new vGPU at once */
	if (VM_OK_FATAL(NULL, vm_gpu_setup(&wk[0], 8)) == false)
		return;
	vm_gpu_emit(&wk[0], 0, (uint32_t[]){ GVT_CMD_STORE_DWORD,
					 vm_gpu_ga(&wk[0], VM_GPU_DATA), 5 }, 3);
	CU_ASSERT(vm_gpu_wait(&wk[0], 0, vm_gpu_submit(&wk[0], 0), NULL) != 0);
	VM_EQ(*u32p(&wk[0], VM_GPU_DATA), 5);
	wk_teardown_all();
}

static int query_plane(struct vm_gpu *g, struct vfio_device_gfx_plane_info *pl,
		       uint32_t flags, uint32_t type)
{
	memset(pl, 0, sizeof(*pl));
	pl->argsz = sizeof(*pl);
	pl->flags = flags;
	pl->drm_plane_type = type;
	return ioctl(g->v.d.device, VFIO_DEVICE_QUERY_GFX_PLANE, pl) ? -errno : 0;
}

/* a surface drawn by the GPU, shown through QUERY_GFX_PLANE, then a flip */
static void test_display_plane(void)
{
	struct vfio_device_gfx_plane_info pl;
	struct vfio_region_info ri;
	uint32_t w = 320, h = 200, stride = 1280, x, y, bad = 0, s;
	uint8_t *map;

	if (VM_OK_FATAL(NULL, vm_gpu_setup(&wk[0], 8)) == false)
		return;
	struct vm_gpu *g = &wk[0];

	VM_OK(NULL, query_plane(g, &pl, VFIO_GFX_PLANE_TYPE_PROBE |
				VFIO_GFX_PLANE_TYPE_REGION, 0));
	VM_ERR(query_plane(g, &pl, VFIO_GFX_PLANE_TYPE_PROBE |
			   VFIO_GFX_PLANE_TYPE_DMABUF, 0), EINVAL);
	/* disabled: nothing to show */
	VM_OK(NULL, query_plane(g, &pl, VFIO_GFX_PLANE_TYPE_REGION, 1));
	VM_EQ(pl.size, 0);

	/* the GPU draws two frames: a gradient of fills and a copy */
	for (y = 0; y < 4; y++) {
		uint32_t cmd[] = {
			GVT_CMD_FILL_RECT, vm_gpu_ga(g, VM_GPU_SURF_A + y * 50 * stride), stride,
			GVT_RECT_SIZE(w, 50), 0x00102030 * (y + 1),
		};

		vm_gpu_emit(g, 0, cmd, 5);
	}
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_FILL_RECT, vm_gpu_ga(g, VM_GPU_SURF_B), stride,
				    GVT_RECT_SIZE(w, h), 0x00ff00ff }, 5);
	s = vm_gpu_submit(g, 0);
	CU_ASSERT_FATAL(vm_gpu_wait(g, 0, s, NULL) != 0);
	vm_gpu_wr(g, GVT_REG_PLANE_SURF, vm_gpu_ga(g, VM_GPU_SURF_A));
	vm_gpu_wr(g, GVT_REG_PLANE_WIDTH, w);
	vm_gpu_wr(g, GVT_REG_PLANE_HEIGHT, h);
	vm_gpu_wr(g, GVT_REG_PLANE_STRIDE, stride);
	vm_gpu_wr(g, GVT_REG_PLANE_CTL, GVT_PLANE_CTL_ENABLE |
		(GVT_PLANE_FORMAT_XRGB8888 << GVT_PLANE_CTL_FORMAT_SHIFT));

	VM_OK(NULL, query_plane(g, &pl, VFIO_GFX_PLANE_TYPE_REGION, 1));
	VM_EQ(pl.drm_format, 0x34325258);	/* DRM_FORMAT_XRGB8888 "XR24" */
	VM_EQ(pl.width, w);
	VM_EQ(pl.height, h);
	VM_EQ(pl.stride, stride);
	VM_EQ(pl.size, (uint64_t)stride * h);
	VM_EQ(pl.region_index, GVT_PLANE_REGION_INDEX);
	/* the cursor plane: none */
	{
		struct vfio_device_gfx_plane_info cur;

		VM_OK(NULL, query_plane(g, &cur, VFIO_GFX_PLANE_TYPE_REGION, 2));
		VM_EQ(cur.size, 0);
	}
	VM_OK_FATAL(&g->v.d, gvt_vfio_region_info(&g->v.d, pl.region_index, &ri));
	CU_ASSERT(ri.flags & VFIO_REGION_INFO_FLAG_MMAP);
	CU_ASSERT(ri.size >= pl.size);
	VM_OK_FATAL(&g->v.d, gvt_vfio_mmap_region(&g->v.d, pl.region_index, 0,
						  ri.size, PROT_READ,
						  (void **)&map));
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			bad += *(uint32_t *)(map + y * stride + 4 * x) !=
			       0x00102030 * (y / 50 + 1);
	VM_EQ(bad, 0);

	/* a flip from the ring: the next query shows the other surface */
	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_LRI(1), GVT_REG_PLANE_SURF,
				    vm_gpu_ga(g, VM_GPU_SURF_B) }, 3);
	s = vm_gpu_submit(g, 0);
	CU_ASSERT(vm_gpu_wait(g, 0, s, NULL) & GVT_IRQ_PLANE_FLIP);
	VM_OK(NULL, query_plane(g, &pl, VFIO_GFX_PLANE_TYPE_REGION, 1));
	bad = 0;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			bad += *(uint32_t *)(map + y * stride + 4 * x) != 0x00ff00ff;
	VM_EQ(bad, 0);
	/* pread sees the same */
	VM_EQ(gvt_vfio_region_read(&g->v.d, pl.region_index, 4 * 5, &x, 4), 4);
	VM_EQ(x, 0x00ff00ff);
	/* a plane pointing outside the vGPU's memory shows nothing */
	vm_gpu_wr(g, GVT_REG_PLANE_SURF, g->hid - 0x100000);
	VM_OK(NULL, query_plane(g, &pl, VFIO_GFX_PLANE_TYPE_REGION, 1));
	VM_EQ(pl.size, 0);
	munmap(map, ri.size);
	wk_teardown_all();
}

static int work_init(void)
{
	unsigned int i;

	for (i = 0; i < WK_MAX; i++)
		wk[i].efd = -1;
	return 0;
}

static int work_cleanup(void)
{
	wk_teardown_all();
	return vm_suite_cleanup();
}

int vm_register_work_suites(void)
{
	static const struct vm_test tests[] = {
		{ "store-dword, LRI, seqno, MSI on both engines", test_store_seqno_msi },
		{ "200 requests through a wrapping ring", test_many_requests },
		{ "nested batch buffers", test_batch },
		{ "fill and copy on three vGPUs at once", test_fill_copy_three },
		{ "bad command streams, failed state, reset", test_bad_streams },
		{ "GTT faults", test_gtt_faults },
		{ "one vGPU fails, two complete", test_failure_isolation },
		{ "reset mid-workload", test_reset_mid_workload },
		{ "weighted sharing 1:2:4", test_weighted_shares },
		{ "display plane: QUERY_GFX_PLANE, region, flip", test_display_plane },
		{ "close and remove with work in flight", test_close_busy },
		{ "time slice override in sysfs", test_timeslice_override },
		{ "INTx: level, automask, unmask", test_intx_level },
		{ "MSI mask holds the message until unmask", test_msi_mask_pending },
		{ NULL, NULL }
	};

	return vm_add_suite("work", work_init, work_cleanup, tests);
}
