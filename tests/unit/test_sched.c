// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the scheduler core and the built-in weighted policy:
 * bookkeeping, weighted shares under contention, no credit banked while
 * idle, no lost doorbells, and the core's checks of a policy's decisions
 * (bad choices eject the policy, the built-in one takes over).
 */
#include <stdio.h>
#include <stdlib.h>
#include <CUnit/CUnit.h>
#include "gvt_sched.h"
#include "gvt_model.h"
#include "unit.h"

static struct gvt_sched s;

/* one engine worker step with a fake clock: pick, run @ns, done */
static u32 step(u32 engine, u64 *now, u64 ns, bool more)
{
	struct gvt_sched_pick pk;
	u32 id = gvt_sched_pick(&s, engine, *now, &pk);

	if (!id)
		return 0;
	CU_ASSERT_TRUE(gvt_sched_is_running(&s, id));
	*now += ns;
	gvt_sched_done(&s, engine, id, ns, more, *now);
	return id;
}

static void test_bookkeeping(void)
{
	struct gvt_sched_pick pk;
	int tag;

	gvt_sched_init(&s);
	CU_ASSERT_EQUAL(gvt_sched_enable(&s, 0, 4, NULL), -EINVAL);
	CU_ASSERT_EQUAL(gvt_sched_enable(&s, GVT_MAX_VGPUS + 1, 4, NULL), -EINVAL);
	CU_ASSERT_EQUAL(gvt_sched_enable(&s, 1, 0, NULL), -EINVAL);
	CU_ASSERT_EQUAL(gvt_sched_enable(&s, 1, GVT_WEIGHT_MAX + 1, NULL), -EINVAL);
	CU_ASSERT_EQUAL(gvt_sched_enable(&s, 1, 4, &tag), 0);
	CU_ASSERT_EQUAL(gvt_sched_enable(&s, 1, 4, &tag), -EEXIST);
	CU_ASSERT_EQUAL(gvt_sched_pick(&s, 0, 0, &pk), 0);
	CU_ASSERT_FALSE(gvt_sched_kick(&s, 2, 0, 0));	/* not enabled */
	CU_ASSERT_FALSE(gvt_sched_kick(&s, 1, GVT_NUM_ENGINES, 0));
	CU_ASSERT_TRUE(gvt_sched_kick(&s, 1, 0, 10));
	CU_ASSERT_FALSE(gvt_sched_kick(&s, 1, 0, 20));	/* queued already */
	CU_ASSERT_TRUE(gvt_sched_engine_has_work(&s, 0));
	CU_ASSERT_FALSE(gvt_sched_engine_has_work(&s, 1));
	CU_ASSERT_EQUAL(gvt_sched_pick(&s, 1, 30, &pk), 0);
	CU_ASSERT_EQUAL(gvt_sched_pick(&s, 0, 30, &pk), 1);
	CU_ASSERT_PTR_EQUAL(pk.priv, &tag);
	CU_ASSERT_EQUAL(pk.waited_ns, 20);
	CU_ASSERT_EQUAL(pk.slice_ns, GVT_SCHED_SLICE_NS);
	CU_ASSERT_TRUE(pk.switched);
	/* running is not waiting: the engine has nothing else */
	CU_ASSERT_FALSE(gvt_sched_engine_has_work(&s, 0));
	/* disabled while running: stays running until the engine lets go */
	gvt_sched_disable(&s, 1);
	CU_ASSERT_TRUE(gvt_sched_is_running(&s, 1));
	gvt_sched_done(&s, 0, 1, 1000, true, 40);
	CU_ASSERT_FALSE(gvt_sched_is_running(&s, 1));
	CU_ASSERT_FALSE(gvt_sched_engine_has_work(&s, 0));
	/* per-vGPU slice override, within limits */
	CU_ASSERT_EQUAL(gvt_sched_enable(&s, 3, 4, NULL), 0);
	gvt_sched_set_slice(&s, 3, 5000000);
	gvt_sched_set_slice(&s, 3, 1);		/* ignored */
	gvt_sched_kick(&s, 3, 1, 0);
	gvt_sched_pick(&s, 1, 0, &pk);
	CU_ASSERT_EQUAL(pk.slice_ns, 5000000);
}

/* a doorbell while the vGPU runs is seen through done(more) */
static void test_no_lost_kick(void)
{
	struct gvt_sched_pick pk;
	u64 now = 0;

	gvt_sched_init(&s);
	gvt_sched_enable(&s, 2, 4, NULL);
	gvt_sched_kick(&s, 2, 0, now);
	CU_ASSERT_EQUAL(gvt_sched_pick(&s, 0, now, &pk), 2);
	CU_ASSERT_FALSE(gvt_sched_kick(&s, 2, 0, now));
	gvt_sched_done(&s, 0, 2, 100, true, now);
	CU_ASSERT_TRUE(gvt_sched_engine_has_work(&s, 0));
	CU_ASSERT_EQUAL(step(0, &now, 100, false), 2);
	CU_ASSERT_FALSE(gvt_sched_engine_has_work(&s, 0));
	CU_ASSERT_TRUE(gvt_sched_kick(&s, 2, 0, now));
}

static void test_weighted_shares(void)
{
	static const u32 weights[3] = { 2, 4, 8 };
	u64 busy[4] = { 0 }, now = 0, total = 0;
	u32 i, id;

	gvt_sched_init(&s);
	for (i = 0; i < 3; i++) {
		gvt_sched_enable(&s, i + 1, weights[i], NULL);
		gvt_sched_kick(&s, i + 1, 0, now);
	}
	for (i = 0; i < 7000; i++) {
		/* slices that overrun a little, unevenly, as real ones do */
		u64 ns = GVT_SCHED_SLICE_NS + (i % 5) * 37000;

		id = step(0, &now, ns, true);
		CU_ASSERT_FATAL(id >= 1 && id <= 3);
		busy[id] += ns;
		total += ns;
	}
	for (i = 0; i < 3; i++) {
		double share = (double)busy[i + 1] / total;
		double want = weights[i] / 14.0;

		CU_ASSERT(share > want - 0.01 && share < want + 0.01);
	}
	printf("\n    shares %.3f %.3f %.3f (want 0.143 0.286 0.571) ",
	       (double)busy[1] / total, (double)busy[2] / total,
	       (double)busy[3] / total);
	/* a weight change takes effect */
	gvt_sched_set_weight(&s, 1, 8);
	gvt_sched_set_weight(&s, 3, 2);
	memset(busy, 0, sizeof(busy));
	total = 0;
	for (i = 0; i < 7000; i++) {
		id = step(0, &now, GVT_SCHED_SLICE_NS, true);
		busy[id] += GVT_SCHED_SLICE_NS;
		total += GVT_SCHED_SLICE_NS;
	}
	CU_ASSERT(busy[1] > busy[3] * 3);
}

/* an idle vGPU rejoins at the fair clock: no burst that starves others */
static void test_no_banked_credit(void)
{
	u64 now = 0;
	u32 i, runs_a = 0;

	gvt_sched_init(&s);
	gvt_sched_enable(&s, 1, 8, NULL);
	gvt_sched_enable(&s, 2, 8, NULL);
	gvt_sched_kick(&s, 1, 0, now);
	for (i = 0; i < 1000; i++)
		step(0, &now, GVT_SCHED_SLICE_NS, true);
	gvt_sched_kick(&s, 2, 0, now);
	for (i = 0; i < 20; i++)
		runs_a += step(0, &now, GVT_SCHED_SLICE_NS, true) == 1;
	CU_ASSERT(runs_a >= 9 && runs_a <= 11);
}

/* ---- policies ------------------------------------------------------------ */

static u32 bad_choice;
static u64 bad_slice = GVT_SCHED_SLICE_NS;
static unsigned int ejected_calls;
static enum gvt_sched_error ejected_why;

static u32 fixed_select(struct gvt_sched *sc, u32 engine)
{
	(void)sc;
	(void)engine;
	return bad_choice;
}

static u64 fixed_timeslice(struct gvt_sched *sc, u32 vgpu)
{
	(void)sc;
	(void)vgpu;
	return bad_slice;
}

static const struct gvt_sched_policy fixed_policy = {
	.name = "fixed",
	.select = fixed_select,
	.timeslice = fixed_timeslice,
};

static void *ejected_priv;

static void on_eject(struct gvt_sched *sc, const struct gvt_sched_policy *old,
		     void *old_priv, enum gvt_sched_error why, u32 vgpu)
{
	(void)sc;
	(void)vgpu;
	CU_ASSERT_PTR_EQUAL(old, &fixed_policy);
	ejected_calls++;
	ejected_why = why;
	ejected_priv = old_priv;
}

static void policy_case(u32 choice, u64 slice, enum gvt_sched_error want)
{
	u64 now = 0;
	u32 id;

	gvt_sched_init(&s);
	s.ejected = on_eject;
	ejected_calls = 0;
	gvt_sched_enable(&s, 1, 4, NULL);
	gvt_sched_enable(&s, 2, 4, NULL);
	gvt_sched_kick(&s, 2, 0, now);
	CU_ASSERT_PTR_EQUAL(gvt_sched_set_policy(&s, &fixed_policy, NULL),
			    &gvt_sched_builtin);
	bad_choice = choice;
	bad_slice = slice;
	id = step(0, &now, 1000, true);
	/* the decision is made anyway, by the built-in policy if need be */
	CU_ASSERT_EQUAL(id, 2);
	if (want == GVT_SCHED_OK) {
		CU_ASSERT_PTR_EQUAL(s.policy, &fixed_policy);
		CU_ASSERT_EQUAL(ejected_calls, 0);
		return;
	}
	CU_ASSERT_PTR_EQUAL(s.policy, &gvt_sched_builtin);
	CU_ASSERT_EQUAL(ejected_calls, 1);
	CU_ASSERT_EQUAL(ejected_why, want);
	CU_ASSERT_EQUAL(s.error, want);
	CU_ASSERT_EQUAL(s.ejections, 1);
	/* nothing queued was lost */
	CU_ASSERT_TRUE(gvt_sched_has_work(&s, 2, 0));
	CU_ASSERT_STRING_NOT_EQUAL(gvt_sched_error_name(want), "?");
}

static void test_policy_checks(void)
{
	policy_case(2, GVT_SCHED_SLICE_NS, GVT_SCHED_OK);
	policy_case(5, GVT_SCHED_SLICE_NS, GVT_SCHED_ERR_UNKNOWN_VGPU);
	policy_case(99, GVT_SCHED_SLICE_NS, GVT_SCHED_ERR_UNKNOWN_VGPU);
	policy_case(1, GVT_SCHED_SLICE_NS, GVT_SCHED_ERR_NO_WORK);
	policy_case(GVT_SCHED_NONE, GVT_SCHED_SLICE_NS, GVT_SCHED_ERR_IDLE);
	policy_case(2, 10, GVT_SCHED_ERR_BAD_SLICE);
	policy_case(2, GVT_SCHED_SLICE_MAX_NS + 1, GVT_SCHED_ERR_BAD_SLICE);
}

/*
 * The ejection is told with the data of the policy that was ejected, so
 * that a client installing another policy meanwhile never marks the new
 * one: the ejected policy is named by what the core held, not by what the
 * client last published.
 */
static void test_eject_names_its_policy(void)
{
	static int first, second;

	gvt_sched_init(&s);
	s.ejected = on_eject;
	ejected_calls = 0;
	ejected_priv = NULL;
	gvt_sched_enable(&s, 1, 4, NULL);
	gvt_sched_kick(&s, 1, 0, 0);
	gvt_sched_set_policy(&s, &fixed_policy, &first);
	gvt_sched_eject(&s, GVT_SCHED_ERR_STARVED, 1);
	UT_EQ(ejected_calls, 1, "%s", "");
	CU_ASSERT_PTR_EQUAL(ejected_priv, &first);
	CU_ASSERT_PTR_NULL(s.policy_priv);
	gvt_sched_set_policy(&s, &fixed_policy, &second);
	bad_choice = 7;
	step(0, &(u64){ 0 }, 1000, true);
	UT_EQ(ejected_calls, 2, "%s", "");
	CU_ASSERT_PTR_EQUAL(ejected_priv, &second);
}

/*
 * A grant taken back at its deadline: the engine is free for others, but
 * the vGPU that overran is not picked again until it hands back, and its
 * work is not lost.
 */
static void test_revoke(void)
{
	struct gvt_sched_pick pk;

	gvt_sched_init(&s);
	gvt_sched_enable(&s, 1, 4, NULL);
	gvt_sched_enable(&s, 2, 4, NULL);
	gvt_sched_kick(&s, 1, 0, 0);
	gvt_sched_kick(&s, 2, 0, 0);
	UT_EQ(gvt_sched_owner(&s, 0), GVT_SCHED_NONE, "%s", "");
	UT_EQ(gvt_sched_pick(&s, 0, 0, &pk), 1, "%s", "");
	UT_EQ(gvt_sched_owner(&s, 0), 1, "%s", "");
	UT_EQ(gvt_sched_revoke(&s, 0), 1, "%s", "");
	UT_EQ(gvt_sched_revoke(&s, 0), GVT_SCHED_NONE, "%s", "twice");
	UT_EQ(s.revocations, 1, "%s", "");
	UT_EQ(gvt_sched_owner(&s, 0), GVT_SCHED_NONE, "%s", "");
	UT_EQ(gvt_sched_is_running(&s, 1), 1, "%s", "still running");
	/* the other one gets the engine; the overrunner cannot */
	UT_EQ(gvt_sched_pick(&s, 0, 1, &pk), 2, "%s", "");
	UT_EQ(gvt_sched_owner(&s, 0), 2, "%s", "");
	/* the overrunner hands back late: it keeps its work, not the grant */
	gvt_sched_done(&s, 0, 1, 3000000, true, 2);
	UT_EQ(gvt_sched_owner(&s, 0), 2, "%s", "");
	UT_EQ(gvt_sched_is_running(&s, 1), 0, "%s", "");
	UT_EQ(gvt_sched_has_work(&s, 1, 0), 1, "%s", "");
	gvt_sched_done(&s, 0, 2, 1000000, false, 3);
	UT_EQ(gvt_sched_owner(&s, 0), GVT_SCHED_NONE, "%s", "");
	UT_EQ(gvt_sched_pick(&s, 0, 4, &pk), 1, "%s", "");
}

/* a doorbell while a vGPU runs requeues it even if it saw no more work */
static void test_kick_while_running(void)
{
	struct gvt_sched_pick pk;

	gvt_sched_init(&s);
	gvt_sched_enable(&s, 1, 4, NULL);
	gvt_sched_kick(&s, 1, 1, 0);
	UT_EQ(gvt_sched_pick(&s, 1, 0, &pk), 1, "%s", "");
	UT_EQ(gvt_sched_kick(&s, 1, 1, 5), 0, "%s", "no wake: it runs");
	gvt_sched_done(&s, 1, 1, 1000, false, 6);
	UT_EQ(gvt_sched_has_work(&s, 1, 1), 1, "%s", "requeued");
	UT_EQ(gvt_sched_pick(&s, 1, 7, &pk), 1, "%s", "");
	gvt_sched_done(&s, 1, 1, 1000, false, 8);
	UT_EQ(gvt_sched_has_work(&s, 1, 1), 0, "%s", "no stale kick");
}

static int refuse_enable(struct gvt_sched *sc, u32 vgpu)
{
	(void)sc;
	return vgpu == 2 ? -EINVAL : 0;
}

static const struct gvt_sched_policy refusing_policy = {
	.name = "refusing",
	.enable = refuse_enable,
	.select = fixed_select,
};

static void test_policy_enable_refused(void)
{
	gvt_sched_init(&s);
	gvt_sched_enable(&s, 1, 4, NULL);
	gvt_sched_enable(&s, 2, 4, NULL);
	gvt_sched_set_policy(&s, &refusing_policy, NULL);
	CU_ASSERT_PTR_EQUAL(s.policy, &gvt_sched_builtin);
	CU_ASSERT_EQUAL(s.error, GVT_SCHED_ERR_ENABLE);
	CU_ASSERT_EQUAL(s.error_vgpu, 2);
}

static void test_starvation(void)
{
	struct gvt_sched_pick pk;

	gvt_sched_init(&s);
	gvt_sched_enable(&s, 1, 4, NULL);
	gvt_sched_enable(&s, 4, 4, NULL);
	gvt_sched_kick(&s, 1, 0, 0);
	gvt_sched_kick(&s, 4, 1, 500);
	CU_ASSERT_EQUAL(gvt_sched_starved(&s, 1000, 2000), GVT_SCHED_NONE);
	CU_ASSERT_EQUAL(gvt_sched_starved(&s, 2200, 2000), 1);
	gvt_sched_pick(&s, 0, 2200, &pk);
	CU_ASSERT_EQUAL(gvt_sched_starved(&s, 2200, 2000), GVT_SCHED_NONE);
	CU_ASSERT_EQUAL(gvt_sched_starved(&s, 2600, 2000), 4);
}

/* ---- the scheduler driving real engines of three models --------------- */

#define SE_VGPUS	3
#define SE_MEM		(64u * 1024)

struct se_vgpu {
	struct gvt_model *m;
	struct gvt_model_env env;
	u8 *mem;
	u8 *aperture;
	u32 id;
};

static struct se_vgpu se[SE_VGPUS];
static u64 se_clock;

static u64 se_now(void *priv)
{
	(void)priv;
	return se_clock;
}

static int se_dma_rw(void *priv, u64 iova, void *buf, size_t len, bool write)
{
	struct se_vgpu *v = priv;

	if (len > SE_MEM || iova > SE_MEM - len)
		return -EFAULT;
	if (write)
		memcpy(v->mem + iova, buf, len);
	else
		memcpy(buf, v->mem + iova, len);
	return 0;
}

static void se_kick(void *priv, u32 engine)
{
	struct se_vgpu *v = priv;

	gvt_sched_kick(&s, v->id, engine, se_clock);
}

/*
 * The module's engine worker, with a fake clock: pick a vGPU, run it for
 * its slice (a WORK command advances the clock), account, hand it back.
 */
static void se_worker_step(u32 engine)
{
	struct gvt_sched_pick pk;
	struct se_vgpu *v;
	u64 start = se_clock, end, occ;

	if (!gvt_sched_pick(&s, engine, se_clock, &pk))
		return;
	v = pk.priv;
	end = start + pk.slice_ns;
	while (se_clock < end &&
	       gvt_engine_run(v->m, engine, end - se_clock, &occ) != GVT_RUN_IDLE)
		se_clock += occ ? occ : 1000;
	gvt_engine_account(v->m, engine, se_clock - start);
	gvt_sched_done(&s, engine, pk.vgpu, se_clock - start,
		       gvt_engine_has_work(v->m, engine), se_clock);
}

static void test_engines_by_weight(void)
{
	static const u32 weights[SE_VGPUS] = { 2, 4, 8 };
	struct gvt_vgpu_params p;
	u64 busy0[SE_VGPUS], total = 0;
	u32 i, k, steps;

	gvt_sched_init(&s);
	se_clock = 0;
	for (i = 0; i < SE_VGPUS; i++) {
		struct se_vgpu *v = &se[i];
		u32 *ring, t = 0;

		ut_default_params(&p);
		v->m = calloc(1, sizeof(*v->m));
		v->mem = calloc(1, SE_MEM);
		v->aperture = calloc(1, p.aperture_size);
		CU_ASSERT_FATAL(v->m && v->mem && v->aperture);
		p.id = i + 1;
		p.weight = weights[i];
		v->id = p.id;
		v->env = (struct gvt_model_env){ .priv = v, .now_ns = se_now,
						 .dma_rw = se_dma_rw,
						 .kick = se_kick };
		CU_ASSERT_FATAL(gvt_model_init(v->m, &p, &v->env,
					       v->aperture) == 0);
		CU_ASSERT_FATAL(gvt_sched_enable(&s, v->id, weights[i], v) == 0);
		/* graphics page n of the hidden range = guest page n */
		for (k = 0; k < SE_MEM / GVT_PAGE_SIZE; k++)
			v->m->gtt[p.hidden_base / GVT_PAGE_SIZE + k] =
				((u64)k * GVT_PAGE_SIZE) | GVT_PTE_VALID;
		gvt_mmio_write(v->m, GVT_REG_GTT_CTL, 4, GVT_GTT_CTL_ENABLE);
		gvt_mmio_write(v->m, GVT_ENGINE_REG(0, GVT_RING_START), 4,
			       p.hidden_base);
		gvt_mmio_write(v->m, GVT_ENGINE_REG(0, GVT_RING_CTL), 4,
			       GVT_RING_CTL_ENABLE);
		/* 40 x 25 ms of work, then a seqno */
		ring = (u32 *)v->mem;
		for (k = 0; k < 40; k++) {
			ring[t++] = GVT_CMD_WORK;
			ring[t++] = 25000000;
		}
		ring[t++] = GVT_CMD_LRI(1);
		ring[t++] = GVT_ENGINE_REG(0, GVT_RING_SEQNO);
		ring[t++] = 7;
		ring[t++] = GVT_CMD_NOOP;
		gvt_mmio_write(v->m, GVT_ENGINE_REG(0, GVT_RING_TAIL), 4, t * 4);
	}
	/* 1 s of contention, measured from 100 ms on */
	while (se_clock < 100000000)
		se_worker_step(0);
	for (i = 0; i < SE_VGPUS; i++)
		busy0[i] = se[i].m->eng[0].busy_ns;
	while (se_clock < 1100000000)
		se_worker_step(0);
	for (i = 0; i < SE_VGPUS; i++)
		total += se[i].m->eng[0].busy_ns - busy0[i];
	for (i = 0; i < SE_VGPUS; i++) {
		double share = (double)(se[i].m->eng[0].busy_ns - busy0[i]) / total;
		double want = weights[i] / 14.0;

		CU_ASSERT(share > want - 0.01 && share < want + 0.01);
	}
	/* everything completes, nothing is lost by preemption mid-WORK */
	for (steps = 0; gvt_sched_engine_has_work(&s, 0) && steps < 100000; steps++)
		se_worker_step(0);
	for (i = 0; i < SE_VGPUS; i++) {
		CU_ASSERT_EQUAL(se[i].m->regs[gvt_reg_lookup(
				GVT_ENGINE_REG(0, GVT_RING_SEQNO))], 7);
		/* 40 x 25 ms of GPU time each, give or take the last slice */
		CU_ASSERT(se[i].m->eng[0].busy_ns >= 1000000000ull);
		CU_ASSERT(se[i].m->eng[0].busy_ns < 1000000000ull + 2000000);
		free(se[i].m);
		free(se[i].mem);
		free(se[i].aperture);
	}
}

CU_TestInfo ut_sched_tests[] = {
	{ "bookkeeping and bounds", test_bookkeeping },
	{ "a doorbell while running is kept", test_no_lost_kick },
	{ "weighted shares 1:2:4", test_weighted_shares },
	{ "no credit banked while idle", test_no_banked_credit },
	{ "bad decisions eject the policy", test_policy_checks },
	{ "a policy refusing a vGPU is ejected", test_policy_enable_refused },
	{ "starvation watchdog", test_starvation },
	{ "an ejection names the ejected policy", test_eject_names_its_policy },
	{ "a revoked grant", test_revoke },
	{ "a doorbell while running requeues", test_kick_while_running },
	{ "engines of three models shared by weight", test_engines_by_weight },
	CU_TEST_INFO_NULL,
};
