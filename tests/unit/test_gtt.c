// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the GTT: which graphics addresses a vGPU owns, when a PTE
 * may be used, translation to IOVAs, page-split accesses and clean faults.
 */
#include <CUnit/CUnit.h>
#include "gvt_model.h"
#include "unit.h"

static void test_owned_ranges(void)
{
	const struct gvt_vgpu_params *p;

	wt_fresh();
	p = &wt_m->p;
	CU_ASSERT_TRUE(gvt_gm_owned(wt_m, p->aperture_base, 1));
	CU_ASSERT_TRUE(gvt_gm_owned(wt_m, p->aperture_base, p->aperture_size));
	CU_ASSERT_FALSE(gvt_gm_owned(wt_m, p->aperture_base, p->aperture_size + 1));
	CU_ASSERT_FALSE(gvt_gm_owned(wt_m, p->aperture_base - 1, 1));
	CU_ASSERT_TRUE(gvt_gm_owned(wt_m, p->hidden_base + p->hidden_size - 1, 1));
	CU_ASSERT_FALSE(gvt_gm_owned(wt_m, p->hidden_base + p->hidden_size, 1));
	CU_ASSERT_FALSE(gvt_gm_owned(wt_m, p->hidden_base, 0));
	/* a range spanning both parts is not inside one of them */
	CU_ASSERT_FALSE(gvt_gm_owned(wt_m, p->aperture_base,
				     (u64)p->hidden_base + 8 - p->aperture_base));
	/* lengths that would wrap */
	CU_ASSERT_FALSE(gvt_gm_owned(wt_m, p->hidden_base, ~0ull));
	CU_ASSERT_FALSE(gvt_gm_owned(wt_m, ~0ull, 2));
}

static void test_translate(void)
{
	u32 ga;
	u64 iova = 0;

	wt_fresh();
	ga = wt_ga(0x3004);
	CU_ASSERT_EQUAL(gvt_gtt_translate(wt_m, ga, &iova), 0);
	CU_ASSERT_EQUAL(iova, WT_IOVA + 0x3004);
	/* invalid PTE */
	wt_m->gtt[ga / GVT_PAGE_SIZE] &= ~GVT_PTE_VALID;
	CU_ASSERT_EQUAL(gvt_gtt_translate(wt_m, ga, &iova), -EFAULT);
	/* a valid PTE outside the vGPU's ranges is never used */
	wt_m->gtt[1] = 0x5000 | GVT_PTE_VALID;
	CU_ASSERT_EQUAL(gvt_gtt_translate(wt_m, 0x1000, &iova), -EFAULT);
	/* GTT disabled: nothing translates */
	wt_mmio_wr(GVT_REG_GTT_CTL, 0);
	CU_ASSERT_EQUAL(gvt_gtt_translate(wt_m, wt_ga(0), &iova), -EFAULT);
}

static void test_window_writes(void)
{
	u64 pte = 0x123456789000ull | GVT_PTE_VALID, back = 0;
	u32 idx;

	wt_fresh();
	idx = wt_ga(0x8000) / GVT_PAGE_SIZE;
	CU_ASSERT_EQUAL(gvt_model_rw(wt_m, GVT_SPACE_BAR0,
				     GVT_GTT_OFFSET + idx * 8ull, &pte, 8, true), 0);
	CU_ASSERT_EQUAL(wt_m->gtt[idx], pte);
	CU_ASSERT_EQUAL(gvt_model_rw(wt_m, GVT_SPACE_BAR0,
				     GVT_GTT_OFFSET + idx * 8ull, &back, 8, false),
			0);
	CU_ASSERT_EQUAL(back, pte);
	/* the last entry is writable, one past it is outside BAR0 */
	CU_ASSERT_EQUAL(gvt_model_rw(wt_m, GVT_SPACE_BAR0, GVT_BAR0_SIZE - 8,
				     &pte, 8, true), 0);
	CU_ASSERT_EQUAL(gvt_model_rw(wt_m, GVT_SPACE_BAR0, GVT_BAR0_SIZE - 4,
				     &pte, 8, true), -EINVAL);
}

static void test_page_split(void)
{
	u8 buf[64];
	u32 i, fault = 0, ga, first;

	wt_fresh();
	/* two graphics pages mapped to two distant guest pages */
	ga = wt_ga(0x40000);
	first = ga / GVT_PAGE_SIZE;
	wt_m->gtt[first] = (WT_IOVA + 0x300000) | GVT_PTE_VALID;
	wt_m->gtt[first + 1] = (WT_IOVA + 0x100000) | GVT_PTE_VALID;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)i;
	wt_dma_calls = 0;
	CU_ASSERT_EQUAL(gvt_gm_rw(wt_m, ga + GVT_PAGE_SIZE - 32, buf, 64, true,
				  &fault), 0);
	CU_ASSERT_EQUAL(wt_dma_calls, 2);
	CU_ASSERT_EQUAL(wt_mem[0x300000 + GVT_PAGE_SIZE - 32], 0);
	CU_ASSERT_EQUAL(wt_mem[0x300000 + GVT_PAGE_SIZE - 1], 31);
	CU_ASSERT_EQUAL(wt_mem[0x100000], 32);
	CU_ASSERT_EQUAL(wt_mem[0x100000 + 31], 63);

	/* the second page's IOVA is not mapped: fault at its first byte */
	wt_m->gtt[first + 1] = (WT_IOVA + 0x40000000ull) | GVT_PTE_VALID;
	CU_ASSERT_EQUAL(gvt_gm_rw(wt_m, ga + GVT_PAGE_SIZE - 32, buf, 64, false,
				  &fault), -EFAULT);
	CU_ASSERT_EQUAL(fault, ga + GVT_PAGE_SIZE);
	/* the end of the hidden range */
	ga = wt_m->p.hidden_base + wt_m->p.hidden_size - 4;
	wt_m->gtt[ga / GVT_PAGE_SIZE] = WT_IOVA | GVT_PTE_VALID;
	CU_ASSERT_EQUAL(gvt_gm_rw(wt_m, ga, buf, 8, false, &fault), -EFAULT);
	CU_ASSERT_EQUAL(fault, ga + 4);
}

/* an execution fault: clean error record, GTT fault interrupt */
static void test_exec_fault(void)
{
	u32 ga;

	wt_fresh();
	ga = wt_ga(0x30000);
	wt_m->gtt[ga / GVT_PAGE_SIZE] = 0;
	*wt_u32(0) = GVT_CMD_STORE_DWORD;
	*wt_u32(4) = ga + 8;
	*wt_u32(8) = 1;
	*wt_u32(12) = GVT_CMD_NOOP;
	wt_mmio_wr(GVT_ENGINE_REG(0, GVT_RING_TAIL), 16);
	{
		u64 occ;
		unsigned int n = 0;

		while (gvt_engine_run(wt_m, 0, 1000000, &occ) != GVT_RUN_IDLE &&
		       n < 10)
			n++;
	}
	CU_ASSERT_EQUAL(wt_m->regs[GVT_REGIDX_ERROR], GVT_ERR_GTT_FAULT);
	CU_ASSERT_EQUAL(wt_m->regs[GVT_REGIDX_ERROR_ADDR], ga + 8);
	CU_ASSERT(wt_m->regs[GVT_REGIDX_IIR] & GVT_IRQ_GTT_FAULT);
	CU_ASSERT(wt_m->regs[GVT_REGIDX_IIR] & GVT_IRQ_ERROR(0));
	CU_ASSERT_EQUAL(wt_m->stats.workloads_rejected, 1);
}

CU_TestInfo ut_gtt_exec_tests[] = {
	{ "owned graphics memory", test_owned_ranges },
	{ "PTE use and translation", test_translate },
	{ "GTT window writes", test_window_writes },
	{ "accesses split at pages, faults", test_page_split },
	{ "fault during execution", test_exec_fault },
	CU_TEST_INFO_NULL,
};
