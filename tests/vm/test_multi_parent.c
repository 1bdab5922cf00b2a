// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: two parents. The suite reloads the module with parents=2 (no
 * vGPU may be open and no policy attached then; it fails otherwise) and
 * loads it back with its defaults at the end. Checked: each parent's
 * vGPU ids and accounting; a scheduling policy attached to one parent
 * (struct_ops field `parents`, set in the object before it is loaded)
 * decides there while the other keeps the built-in scheduler, beside a
 * second policy on the other parent; one attached to every parent
 * decides on both, a non-work-conserving one included, with state per
 * parent. Each scheduler is judged by the shares it gives a V1_2 and a
 * V1_8 (weights 32 and 8) running WORK on each parent at once.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gvt_policy.h"
#include "vm_sched.h"

#define NPARENTS	2
#define PER_PARENT	2
#define NGPU		(NPARENTS * PER_PARENT)
#define WINDOW_MS	1000
#define SETTLE_MS	200
#define TOLERANCE	0.03
#define PARENT_BIT(p)	(1ull << (p))
#define RELOAD_TRIES	50

/* gpu[p * PER_PARENT + k]: the V1_2 (k = 0) and the V1_8 (k = 1) of parent p */
static struct vm_gpu gpu[NGPU];
static const unsigned int divs[PER_PARENT] = { 2, 8 };
static char out[8192];
static char ko[PATH_MAX];

/* a policy attached from this process, to the parents of a mask */
struct mp_policy {
	struct bpf_object *obj;
	struct bpf_link *link;
};

static struct mp_policy pol[2];

/*
 * Reloads the module with @params; 0 or the failing command's status.
 * A policy's struct_ops map lets go of the module some time after its
 * last user closed it (the map is freed after an RCU grace period):
 * rmmod is tried again meanwhile, for up to RELOAD_TRIES tenths of a
 * second.
 */
static int module_reload(const char *params)
{
	unsigned int i;
	int ret;

	for (i = 0; i < RELOAD_TRIES; i++) {
		ret = vm_run(out, sizeof(out), "rmmod gvt_bpf");
		if (!ret || !strstr(out, "in use"))
			break;
		vm_sleep_ms(100);
	}
	if (!ret)
		ret = vm_run(out, sizeof(out), "insmod %s %s", ko, params);
	if (ret)
		printf("\n  reloading gvt_bpf (%s): %s\n", params, out);
	return ret;
}

static int mp_init(void)
{
	const char *b = vm_build_dir();

	if (!b)
		return -1;
	/* the module sits beside build/: <top>/kmod/gvt_bpf.ko */
	snprintf(ko, sizeof(ko), "%s/../kmod/gvt_bpf.ko", b);
	vm_gpus_clear(gpu, NGPU);
	vm_remove_leftovers();
	if (vm_count_mdevs()) {
		printf("\n  vGPUs are left: the module cannot be reloaded\n");
		return -1;
	}
	if (module_reload("parents=2"))
		return -1;
	if (gvt_parent_count() != NPARENTS)
		return -1;
	return vm_stalls_start();
}

static void mp_detach(struct mp_policy *p)
{
	bpf_link__destroy(p->link);
	bpf_object__close(p->obj);
	memset(p, 0, sizeof(*p));
}

static int mp_cleanup(void)
{
	int ret;

	vm_gpus_teardown(gpu, NGPU);
	mp_detach(&pol[0]);
	mp_detach(&pol[1]);
	vm_stalls_stop();
	vm_unload_all();
	ret = vm_suite_cleanup();
	/* the module as the rest of the run knows it: one parent */
	if (module_reload(""))
		return -1;
	return ret ?: (gvt_parent_count() == 1 ? 0 : -1);
}

/*
 * Loads build/bpf/@name.bpf.o with its struct_ops field `parents` set to
 * @parents, and attaches it; 0 or -errno (the attach's: -EBUSY when a
 * parent of the mask has a policy already).
 */
static int mp_attach(struct mp_policy *p, const char *name, uint64_t parents)
{
	char path[PATH_MAX];
	struct gvt_sched_ops *ops;
	struct bpf_map *map;
	size_t size;
	int ret;

	snprintf(path, sizeof(path), "%s/bpf/%s.bpf.o", vm_build_dir(), name);
	p->obj = bpf_object__open_file(path, NULL);
	if (!p->obj) {
		ret = -errno;
		p->obj = NULL;
		return ret;
	}
	/* the ops table is named as the policy (GVT_SCHED_OPS_DEFINE) */
	map = bpf_object__find_map_by_name(p->obj, name);
	ops = map ? bpf_map__initial_value(map, &size) : NULL;
	if (!ops || size < sizeof(*ops))
		return -EINVAL;
	ops->parents = parents;
	if (bpf_object__load(p->obj))
		return -errno;
	p->link = bpf_map__attach_struct_ops(map);
	if (!p->link) {
		ret = -errno;
		p->link = NULL;
		return ret;
	}
	return 0;
}

/* the V1_2 and V1_8 of each parent, busy */
static bool setup_gpus(void)
{
	unsigned int p, k;

	for (p = 0; p < NPARENTS; p++)
		for (k = 0; k < PER_PARENT; k++)
			if (!VM_OK_FATAL(NULL, vm_gpu_setup_on(&gpu[p * PER_PARENT + k],
							       p, divs[k])))
				return false;
	for (k = 0; k < NGPU; k++)
		vm_gpu_keep_busy(&gpu[k], 0, 8000);
	return true;
}

/*
 * A window of all four after SETTLE_MS, with the stalls since the
 * scheduler of the window began (vm_stalls_clear() before it)
 */
static void window(struct vm_window *w)
{
	vm_sleep_ms(SETTLE_MS);
	vm_window_measure(gpu, NGPU, 0, WINDOW_MS, w);
}

/*
 * How far stalls on parent @p's engine may have moved its vGPU @k's part
 * of @t ns from @want (vm_window_slack(), for one parent's two)
 */
static double parent_slack(const struct vm_window *w, unsigned int p,
			   unsigned int k, double want, uint64_t t)
{
	uint64_t own = w->stalled_ns[p * PER_PARENT + k];
	uint64_t a = w->stalled_ns[p * PER_PARENT];
	uint64_t b = w->stalled_ns[p * PER_PARENT + 1];

	return t ? 2 * (own + want * (a > b ? a : b)) / t : 0;
}

/* parent @p's vGPU @k gets @want of the wall time, give or take */
static void check_util(const struct vm_window *w, unsigned int p,
		       unsigned int k, const char *sched, double want)
{
	double got = vm_window_util(w, p * PER_PARENT + k);
	double slack = parent_slack(w, p, k, want, w->wall_ns);

	vm_note("gvt%u under %s: the V1_%u's part of the time %.3f (want %.3f +- %.3f, and %.3f for stalls)",
		p, sched, divs[k], got, want, TOLERANCE, slack);
	CU_ASSERT(got > want - TOLERANCE - slack &&
		  got < want + TOLERANCE + slack);
}

/* parent @p's V1_2 gets @want of the GPU time its two vGPUs get */
static void check_parent(const struct vm_window *w, unsigned int p,
			 const char *sched, double want)
{
	uint64_t a = w->busy_ns[p * PER_PARENT], b = w->busy_ns[p * PER_PARENT + 1];
	double got = a + b ? (double)a / (a + b) : 0;
	double slack = parent_slack(w, p, 0, want, a + b);

	vm_note("gvt%u under %s: the V1_2's share %.3f (want %.3f +- %.3f, and %.3f for stalls), engine busy %.2f",
		p, sched, got, want, TOLERANCE, slack,
		(double)(a + b) / w->wall_ns);
	CU_ASSERT(got > want - TOLERANCE - slack &&
		  got < want + TOLERANCE + slack);
}

/* gvt<@p> is decided by @name ("" for the built-in scheduler) */
static void check_sched_of(unsigned int p, const char *name)
{
	char got[GVT_POLICY_NAME_LEN + 32];

	if (VM_OK(NULL, gvt_policy_sched_of(p, got, sizeof(got))))
		VM_STR(got, name);
}

/* each parent's ids, types and accounting are its own */
static void test_ids(void)
{
	long first = 0, avail0, avail1, v;
	char path[PATH_MAX], buf[32];
	unsigned int p, k;
	uint32_t id;

	VM_EQ(gvt_parent_count(), NPARENTS);
	avail0 = gvt_mdev_available_on(0, 8);
	avail1 = gvt_mdev_available_on(1, 8);
	VM_EQ(avail0, 8);
	VM_EQ(avail1, 8);
	for (p = 0; p < NPARENTS; p++)
		for (k = 0; k < PER_PARENT; k++)
			if (!VM_OK_FATAL(NULL, vm_gpu_setup_on(&gpu[p * PER_PARENT + k],
							       p, divs[k])))
				return;
	for (p = 0; p < NPARENTS; p++) {
		VM_OK(NULL, gvt_parent_attr_long(p, "first_vgpu_id", &first));
		VM_EQ(first, p * GVT_MAX_VGPUS + 1);
		for (k = 0; k < PER_PARENT; k++) {
			struct vm_gpu *g = &gpu[p * PER_PARENT + k];

			id = vm_gpu_id(g);
			vm_note("gvt%u: V1_%u has id %u", p, divs[k], id);
			CU_ASSERT(id > p * GVT_MAX_VGPUS &&
				  id <= (p + 1) * GVT_MAX_VGPUS);
			VM_EQ(GVT_VGPU_PARENT(id), p);
			VM_OK(NULL, gvt_mdev_path(g->v.uuid, GVT_SYSFS_GROUP "/parent",
						  path, sizeof(path)));
			VM_OK(NULL, gvt_sysfs_read_long(path, &v));
			VM_EQ(v, p);
			VM_OK(NULL, gvt_mdev_path(g->v.uuid, GVT_SYSFS_GROUP "/vgpu_id",
						  path, sizeof(path)));
			if (VM_EQ(gvt_sysfs_read(path, buf, sizeof(buf)) > 0, 1))
				VM_EQ(strtoul(buf, NULL, 10), id);
		}
	}
	/* a V1_2 and a V1_8 take 5/8 of each parent, of that parent only */
	VM_EQ(gvt_mdev_available_on(0, 8), 3);
	VM_EQ(gvt_mdev_available_on(1, 8), 3);
	vm_gpus_teardown(gpu, NGPU);
	VM_EQ(gvt_mdev_available_on(1, 8), 8);
}

/*
 * sched_equal on gvt1 only: halves there, while gvt0's built-in
 * scheduler keeps 32:8; sched_rr can then take gvt0, but no policy can
 * take both; both detached, the built-in scheduler is back on both.
 */
static void test_one_parent(void)
{
	struct gvt_policy_info info;
	struct mp_policy all = { 0 };
	struct vm_window w;

	if (!setup_gpus())
		return;
	vm_stalls_clear(gpu, NGPU);
	VM_EQ_FATAL(mp_attach(&pol[0], "sched_equal", PARENT_BIT(1)), 0);
	check_sched_of(0, "");
	check_sched_of(1, "sched_equal");
	if (VM_OK(NULL, vm_policy_find("sched", "sched_equal", &info)))
		VM_EQ(info.parents, PARENT_BIT(1));
	window(&w);
	check_parent(&w, 0, "the built-in scheduler", 0.8);
	check_parent(&w, 1, "sched_equal", 0.5);

	/* gvt0 is free for another policy; none can have both */
	VM_EQ(mp_attach(&all, "sched_rr", GVT_PARENTS_ALL), -EBUSY);
	mp_detach(&all);
	vm_stalls_clear(gpu, NGPU);
	VM_EQ_FATAL(mp_attach(&pol[1], "sched_rr", PARENT_BIT(0)), 0);
	check_sched_of(0, "sched_rr");
	check_sched_of(1, "sched_equal");
	window(&w);
	check_parent(&w, 0, "sched_rr", 0.5);
	check_parent(&w, 1, "sched_equal", 0.5);
	if (VM_OK(NULL, vm_policy_find("sched", "sched_equal", &info)))
		VM_STR(info.state, "active");
	if (VM_OK(NULL, vm_policy_find("sched", "sched_rr", &info)))
		VM_STR(info.state, "active");

	vm_stalls_clear(gpu, NGPU);
	mp_detach(&pol[0]);
	mp_detach(&pol[1]);
	check_sched_of(0, "");
	check_sched_of(1, "");
	window(&w);
	check_parent(&w, 0, "the built-in scheduler", 0.8);
	check_parent(&w, 1, "the built-in scheduler", 0.8);
	vm_gpus_teardown(gpu, NGPU);
}

/*
 * Policies on every parent: sched_equal gives halves on both; sched_fixed
 * (idling, per-parent queues and idle times) gives each V1_2 its 1/2 and
 * each V1_8 its 1/8 of its own parent's engine.
 */
static void test_all_parents(void)
{
	struct gvt_policy_info info;
	struct vm_window w;
	unsigned int p;

	if (!setup_gpus())
		return;
	vm_stalls_clear(gpu, NGPU);
	VM_EQ_FATAL(mp_attach(&pol[0], "sched_equal", GVT_PARENTS_ALL), 0);
	check_sched_of(0, "sched_equal");
	check_sched_of(1, "sched_equal");
	if (VM_OK(NULL, vm_policy_find("sched", "sched_equal", &info)))
		VM_EQ(info.parents, PARENT_BIT(0) | PARENT_BIT(1));
	window(&w);
	check_parent(&w, 0, "sched_equal", 0.5);
	check_parent(&w, 1, "sched_equal", 0.5);
	if (VM_OK(NULL, vm_policy_find("sched", "sched_equal", &info)))
		VM_STR(info.state, "active");
	mp_detach(&pol[0]);

	vm_stalls_clear(gpu, NGPU);
	VM_EQ_FATAL(mp_attach(&pol[0], "sched_fixed", GVT_PARENTS_ALL), 0);
	window(&w);
	for (p = 0; p < NPARENTS; p++) {
		check_util(&w, p, 0, "sched_fixed", 0.5);
		check_util(&w, p, 1, "sched_fixed", 0.125);
	}
	if (VM_OK(NULL, vm_policy_find("sched", "sched_fixed", &info)))
		VM_STR(info.state, "active");
	mp_detach(&pol[0]);
	vm_gpus_teardown(gpu, NGPU);
}

int vm_register_multi_parent_suites(void)
{
	static const struct vm_test tests[] = {
		{ "two parents: ids and accounting per parent", test_ids },
		{ "a policy on one parent; the other keeps its scheduler", test_one_parent },
		{ "a policy on every parent decides on each", test_all_parents },
		{ NULL, NULL }
	};

	return vm_add_suite("multi parent", mp_init, mp_cleanup, tests);
}
