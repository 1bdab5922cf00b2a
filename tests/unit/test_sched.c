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

static u64 fixed_timeslice(struct gvt_sched *sc, u32 vgpu, u32 engine)
{
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
	u64 waited = 0;
	u32 e = 9;

	gvt_sched_init(&s);
	gvt_sched_enable(&s, 1, 4, NULL);
	gvt_sched_enable(&s, 4, 4, NULL);
	gvt_sched_kick(&s, 1, 0, 0);
	gvt_sched_kick(&s, 4, 1, 500);
	UT_EQ(gvt_sched_starved(&s, 1000, 2000, &e, &waited), GVT_SCHED_NONE,
	      "%s", "");
	UT_EQ(gvt_sched_starved(&s, 2200, 2000, &e, &waited), 1, "%s", "");
	UT_EQ(e, 0, "%s", "engine");
	UT_EQ(waited, 2200, "%s", "waited");
	gvt_sched_pick(&s, 0, 2200, &pk);
	UT_EQ(gvt_sched_starved(&s, 2200, 2000, &e, &waited), GVT_SCHED_NONE,
	      "%s", "");
	UT_EQ(gvt_sched_starved(&s, 2600, 2000, &e, &waited), 4, "%s", "");
	UT_EQ(e, 1, "%s", "engine");
	UT_EQ(waited, 2100, "%s", "waited");
}

/* ---- the heap, the waiting sets, the queues ------------------------------ */

/* the heap gives ids back by key, FIFO among equal keys, any mix of ops */
static void test_heap(void)
{
	static struct gvt_heap h;
	u64 key[GVT_MAX_VGPUS + 1], seq = 0, last_key = 0, last_seq = 0;
	u32 i, id, n = 0;

	gvt_heap_init(&h);
	UT_EQ(gvt_heap_pop(&h), GVT_SCHED_NONE, "%s", "empty");
	UT_EQ(gvt_heap_insert(&h, 0, 1, ++seq), 0, "%s", "id 0");
	UT_EQ(gvt_heap_insert(&h, GVT_MAX_VGPUS + 1, 1, ++seq), 0, "%s", "");
	/* keys with many ties, inserted in a scrambled order */
	for (i = 0; i < GVT_MAX_VGPUS; i++) {
		id = (i * 37) % GVT_MAX_VGPUS + 1;
		key[id] = (id * 7919) % 11;
		UT_EQ(gvt_heap_insert(&h, id, key[id], ++seq), 1, "id %u", id);
	}
	UT_EQ(h.n, GVT_MAX_VGPUS, "%s", "");
	/* move some, remove some */
	for (id = 3; id <= GVT_MAX_VGPUS; id += 5) {
		key[id] = 5;
		gvt_heap_insert(&h, id, 5, ++seq);
	}
	for (id = 2; id <= GVT_MAX_VGPUS; id += 9)
		UT_EQ(gvt_heap_remove(&h, id), 1, "remove %u", id);
	UT_EQ(gvt_heap_remove(&h, 2), 0, "%s", "twice");
	while ((id = gvt_heap_pop(&h)) != GVT_SCHED_NONE) {
		/* non-decreasing keys; FIFO (insertion order) among ties */
		CU_ASSERT(key[id] > last_key ||
			  (key[id] == last_key && h.seq[id] > last_seq) || !n);
		last_key = key[id];
		last_seq = h.seq[id];
		UT_EQ(gvt_heap_has(&h, id), 0, "%s", "");
		n++;
	}
	UT_EQ(n, GVT_MAX_VGPUS - (GVT_MAX_VGPUS + 6) / 9, "%s", "count");
}

/* who waits is one word: RR finds the next one in one step, wrapping */
static void test_next_waiting(void)
{
	gvt_sched_init(&s);
	UT_EQ(gvt_sched_next_waiting(&s, 0, 0), GVT_SCHED_NONE, "%s", "");
	gvt_sched_enable(&s, 5, 4, NULL);
	gvt_sched_enable(&s, GVT_MAX_VGPUS, 4, NULL);
	gvt_sched_enable(&s, 40, 4, NULL);
	gvt_sched_kick(&s, 5, 0, 0);
	gvt_sched_kick(&s, GVT_MAX_VGPUS, 0, 0);
	gvt_sched_kick(&s, 40, 1, 0);
	UT_EQ(gvt_sched_next_waiting(&s, 0, 0), 5, "%s", "");
	UT_EQ(gvt_sched_next_waiting(&s, 0, 5), GVT_MAX_VGPUS, "%s", "");
	UT_EQ(gvt_sched_next_waiting(&s, 0, GVT_MAX_VGPUS), 5, "%s", "wrap");
	UT_EQ(gvt_sched_next_waiting(&s, 0, 63), GVT_MAX_VGPUS, "%s", "");
	UT_EQ(gvt_sched_next_waiting(&s, 1, 40), 40, "%s", "only one");
	UT_EQ(gvt_sched_next_waiting(&s, GVT_NUM_ENGINES, 0), GVT_SCHED_NONE,
	      "%s", "");
	UT_EQ(s.waiting[0], (1ull << 4) | (1ull << 63), "%s", "mask");
}

/* the queues a policy feeds: order by key, membership, cleanup */
static void test_queues(void)
{
	u64 key = 0;
	u32 id;

	gvt_sched_init(&s);
	for (id = 1; id <= 6; id++)
		gvt_sched_enable(&s, id, 4, NULL);
	UT_EQ(gvt_sched_queue_insert(&s, GVT_SCHED_NR_QUEUES, 1, 0), -EINVAL,
	      "%s", "bad queue");
	UT_EQ(gvt_sched_queue_insert(&s, 0, 7, 0), -EINVAL, "%s", "disabled");
	UT_EQ(gvt_sched_queue_insert(&s, 0, 3, 30), 0, "%s", "");
	UT_EQ(gvt_sched_queue_insert(&s, 0, 1, 10), 0, "%s", "");
	UT_EQ(gvt_sched_queue_insert(&s, 0, 2, 10), 0, "%s", "");
	UT_EQ(gvt_sched_queue_insert(&s, 1, 2, 99), 0, "%s", "other queue");
	UT_EQ(gvt_sched_queue_len(&s, 0), 3, "%s", "");
	UT_EQ(gvt_sched_queue_peek(&s, 0, &key), 1, "%s", "");
	UT_EQ(key, 10, "%s", "");
	/* moved by a new key */
	UT_EQ(gvt_sched_queue_insert(&s, 0, 1, 40), 0, "%s", "");
	UT_EQ(gvt_sched_queue_pop(&s, 0), 2, "%s", "");
	UT_EQ(gvt_sched_queue_pop(&s, 0), 3, "%s", "");
	UT_EQ(gvt_sched_queue_remove(&s, 0, 1), 0, "%s", "");
	UT_EQ(gvt_sched_queue_remove(&s, 0, 1), -ENOENT, "%s", "");
	UT_EQ(gvt_sched_queue_pop(&s, 0), GVT_SCHED_NONE, "%s", "empty");
	UT_EQ(gvt_sched_queue_peek(&s, 0, &key), GVT_SCHED_NONE, "%s", "");
	UT_EQ(key, ~0ull, "%s", "");
	/* a vGPU that goes leaves every queue */
	gvt_sched_disable(&s, 2);
	UT_EQ(gvt_sched_queue_len(&s, 1), 0, "%s", "");
}

/* ---- a policy fed through the queues, as BPF ones are ------------------ */

/* FIFO by arrival: runnable queues, select pops, per engine */
static u32 fifo_flags[GVT_MAX_VGPUS + 1];

static void fifo_runnable(struct gvt_sched *sc, u32 vgpu, u32 engine,
			  u32 flags)
{
	fifo_flags[vgpu] = flags;
	gvt_sched_queue_insert(sc, engine, vgpu, sc->seq);
}

static u32 fifo_select(struct gvt_sched *sc, u32 engine)
{
	return gvt_sched_queue_pop(sc, engine);
}

static const struct gvt_sched_policy fifo_policy = {
	.name = "fifo",
	.runnable = fifo_runnable,
	.select = fifo_select,
};

static void test_queue_policy(void)
{
	u64 now = 0;
	u32 i, order[6];

	gvt_sched_init(&s);
	for (i = 1; i <= 3; i++)
		gvt_sched_enable(&s, i, 4, NULL);
	gvt_sched_kick(&s, 2, 0, now);
	gvt_sched_set_policy(&s, &fifo_policy, NULL);
	UT_EQ(fifo_flags[2], GVT_ENQ_ATTACH, "%s", "waited at install");
	gvt_sched_kick(&s, 3, 0, now);
	gvt_sched_kick(&s, 1, 0, now);
	UT_EQ(fifo_flags[3], GVT_ENQ_WAKEUP, "%s", "a doorbell");
	/* those waiting at install come first, then in arrival order */
	for (i = 0; i < 6; i++)
		order[i] = step(0, &now, 1000, true);
	UT_EQ(order[0], 2, "%s", "");
	UT_EQ(order[1], 3, "%s", "");
	UT_EQ(order[2], 1, "%s", "");
	UT_EQ(order[3], 2, "%s", "again, requeued by done()");
	UT_EQ(fifo_flags[2], GVT_ENQ_REQUEUE, "%s", "after its slice");
	UT_EQ(s.policy == &fifo_policy, 1, "%s", "never ejected");
}

/* a non-work-conserving policy may leave the engine idle; others may not */
static u32 none_select(struct gvt_sched *sc, u32 engine)
{
	return GVT_SCHED_NONE;
}

static const struct gvt_sched_policy idle_policy = {
	.name = "idle",
	.idle_ok = true,
	.select = none_select,
};

static const struct gvt_sched_policy lazy_policy = {
	.name = "lazy",
	.select = none_select,
};

static void test_idle_policy(void)
{
	struct gvt_sched_pick pk;

	gvt_sched_init(&s);
	gvt_sched_enable(&s, 1, 4, NULL);
	gvt_sched_kick(&s, 1, 0, 0);
	gvt_sched_set_policy(&s, &idle_policy, NULL);
	UT_EQ(gvt_sched_pick(&s, 0, 0, &pk), GVT_SCHED_NONE, "%s", "");
	UT_EQ(s.idle_ns[0], GVT_SCHED_IDLE_NS, "%s", "idle by default 1 ms");
	UT_EQ(s.policy == &idle_policy, 1, "%s", "allowed");
	gvt_sched_set_policy(&s, &lazy_policy, NULL);
	UT_EQ(gvt_sched_pick(&s, 0, 0, &pk), 1, "%s", "built-in decides");
	UT_EQ(s.error, GVT_SCHED_ERR_IDLE, "%s", "");
	UT_EQ(s.policy == &gvt_sched_builtin, 1, "%s", "ejected");
}

/* fairness at scale: 64 vGPUs with mixed weights, all busy */
static void test_shares_at_64(void)
{
	static u64 busy[GVT_MAX_VGPUS + 1];
	u64 now = 0, total = 0, wsum = 0;
	double worst = 0;
	u32 i, id;

	gvt_sched_init(&s);
	memset(busy, 0, sizeof(busy));
	for (id = 1; id <= GVT_MAX_VGPUS; id++) {
		gvt_sched_enable(&s, id, 1 + id % 8, NULL);
		wsum += 1 + id % 8;
		gvt_sched_kick(&s, id, 0, now);
	}
	for (i = 0; i < 200000; i++) {
		u64 ns = GVT_SCHED_SLICE_NS + (i % 7) * 13000;

		id = step(0, &now, ns, true);
		CU_ASSERT_FATAL(id >= 1 && id <= GVT_MAX_VGPUS);
		busy[id] += ns;
		total += ns;
	}
	for (id = 1; id <= GVT_MAX_VGPUS; id++) {
		double err = (double)busy[id] / total -
			     (double)(1 + id % 8) / wsum;

		if (err < 0)
			err = -err;
		if (err > worst)
			worst = err;
	}
	printf("\n    64 vGPUs, weights 1..8: worst share error %.4f ", worst);
	CU_ASSERT(worst < 0.002);
}

/*
 * sched_weighted's shape: runnable() charges from the core's runtime
 * count and queues by virtual time on the engine's queue, no charge(),
 * select() only pops (what the module does for a policy without one).
 */
static u64 rt_vt[GVT_MAX_VGPUS + 1], rt_seen[GVT_MAX_VGPUS + 1];

static int rt_enable(struct gvt_sched *sc, u32 vgpu)
{
	rt_vt[vgpu] = 0;
	rt_seen[vgpu] = gvt_sched_runtime(sc, vgpu, 0);
	return 0;
}

static void rt_runnable(struct gvt_sched *sc, u32 vgpu, u32 engine,
			u32 flags)
{
	u64 rt = gvt_sched_runtime(sc, vgpu, engine);

	rt_vt[vgpu] += (rt - rt_seen[vgpu]) * GVT_WEIGHT_FULL /
		       gvt_sched_weight(sc, vgpu);
	rt_seen[vgpu] = rt;
	gvt_sched_queue_insert_vtime(sc, engine, vgpu, &rt_vt[vgpu]);
}

static u32 rt_select(struct gvt_sched *sc, u32 engine)
{
	return gvt_sched_queue_pop(sc, engine);
}

static const struct gvt_sched_policy runtime_policy = {
	.name = "runtime-weighted",
	.enable = rt_enable,
	.runnable = rt_runnable,
	.select = rt_select,
};

static void test_runtime_and_queue_clock(void)
{
	static u64 busy[GVT_MAX_VGPUS + 1];
	u64 now = 0, total = 0, wsum = 0, key;
	double worst = 0;
	u32 i, id;

	gvt_sched_init(&s);
	memset(busy, 0, sizeof(busy));
	UT_EQ(gvt_sched_runtime(&s, 0, 0), 0, "%s", "bad id");
	UT_EQ(gvt_sched_queue_clock(&s, GVT_SCHED_NR_QUEUES), 0, "%s", "bad q");
	/* a bad queue or vGPU: refused, the virtual time left as it was */
	key = 77;
	UT_EQ(gvt_sched_queue_insert_vtime(&s, GVT_SCHED_NR_QUEUES, 1, &key),
	      -EINVAL, "%s", "bad q");
	UT_EQ(gvt_sched_queue_insert_vtime(&s, 0, 1, &key), -EINVAL, "%s",
	      "vGPU not enabled");
	UT_EQ(key, 77, "%s", "untouched");
	for (id = 1; id <= GVT_MAX_VGPUS; id++) {
		gvt_sched_enable(&s, id, 1 + id % 8, NULL);
		wsum += 1 + id % 8;
		gvt_sched_kick(&s, id, 0, now);
	}
	/* runtime counted before the policy came is not charged by it */
	step(0, &now, 5 * GVT_SCHED_SLICE_NS, true);
	UT_EQ(gvt_sched_runtime(&s, 1, 0), 5 * GVT_SCHED_SLICE_NS, "%s", "");
	gvt_sched_set_policy(&s, &runtime_policy, NULL);
	UT_EQ(rt_seen[1], 5 * GVT_SCHED_SLICE_NS, "%s", "enable saw it");
	UT_EQ(gvt_sched_queue_clock(&s, 0), 0, "%s", "fresh queues");
	for (i = 0; i < 200000; i++) {
		u64 ns = GVT_SCHED_SLICE_NS + (i % 7) * 13000;

		CU_ASSERT_FATAL(gvt_sched_queue_peek(&s, 0, &key) != 0);
		id = step(0, &now, ns, true);
		CU_ASSERT_FATAL(id >= 1 && id <= GVT_MAX_VGPUS);
		/* the clock is the key of the one just picked */
		if (i < 64)
			UT_EQ(gvt_sched_queue_clock(&s, 0), key, "%s", "");
		busy[id] += ns;
		total += ns;
	}
	CU_ASSERT(s.policy == &runtime_policy);
	/* behind the clock: raised to it; ahead of it: kept */
	key = 0;
	UT_EQ(gvt_sched_queue_insert_vtime(&s, 0, 1, &key), 0, "%s", "");
	UT_EQ(key, gvt_sched_queue_clock(&s, 0), "%s", "raised to the clock");
	CU_ASSERT(key > 0);
	key = gvt_sched_queue_clock(&s, 0) + 12345;
	UT_EQ(gvt_sched_queue_insert_vtime(&s, 0, 1, &key), 0, "%s", "");
	UT_EQ(key, gvt_sched_queue_clock(&s, 0) + 12345, "%s", "kept");
	for (id = 1; id <= GVT_MAX_VGPUS; id++) {
		double err = (double)busy[id] / total -
			     (double)(1 + id % 8) / wsum;

		if (err < 0)
			err = -err;
		if (err > worst)
			worst = err;
	}
	printf("\n    runtime-charged queue policy, 64 vGPUs: worst share error %.4f ",
	       worst);
	CU_ASSERT(worst < 0.002);
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
	{ "heap order and updates", test_heap },
	{ "next waiting vGPU, one word", test_next_waiting },
	{ "queues a policy feeds", test_queues },
	{ "a queue-fed policy", test_queue_policy },
	{ "idle only for non-work-conserving policies", test_idle_policy },
	{ "64 vGPUs share by weight", test_shares_at_64 },
	{ "charged from runtime, queued by clock", test_runtime_and_queue_clock },
	{ "an ejection names the ejected policy", test_eject_names_its_policy },
	{ "a revoked grant", test_revoke },
	{ "a doorbell while running requeues", test_kick_while_running },
	{ "engines of three models shared by weight", test_engines_by_weight },
	CU_TEST_INFO_NULL,
};
