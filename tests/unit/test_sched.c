// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the scheduler core and the built-in weighted policy:
 * bookkeeping, weighted shares under contention, no credit banked while
 * idle, no lost doorbells, and the core's checks of a policy's decisions
 * (bad choices eject the policy, the built-in one takes over).
 */
#include <stdio.h>
#include <CUnit/CUnit.h>
#include "gvt_sched.h"

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

static void on_eject(struct gvt_sched *sc, const struct gvt_sched_policy *old,
		     enum gvt_sched_error why, u32 vgpu)
{
	(void)sc;
	(void)vgpu;
	CU_ASSERT_PTR_EQUAL(old, &fixed_policy);
	ejected_calls++;
	ejected_why = why;
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

CU_TestInfo ut_sched_tests[] = {
	{ "bookkeeping and bounds", test_bookkeeping },
	{ "a doorbell while running is kept", test_no_lost_kick },
	{ "weighted shares 1:2:4", test_weighted_shares },
	{ "no credit banked while idle", test_no_banked_credit },
	{ "bad decisions eject the policy", test_policy_checks },
	{ "a policy refusing a vGPU is ejected", test_policy_enable_refused },
	{ "starvation watchdog", test_starvation },
	CU_TEST_INFO_NULL,
};
