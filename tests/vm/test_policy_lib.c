// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: the policy library (userspace/lib/gvt_policy.h) against the
 * running kernel - knob and binding errors before anything reaches the
 * kernel, attaches that fail leaving nothing behind, replacement keeping
 * the binding the kernel holds, listings mapping pins to the kernel's
 * records, and waits that end when the kernel stops a policy.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vm_common.h"
#include "gvt_policy.h"

static struct vm_dev dev_a, dev_b;

static int lib_init(void)
{
	if (!vm_build_dir())
		return -1;
	return vm_unload_all();
}

static int lib_cleanup(void)
{
	vm_unload_all();
	return vm_suite_cleanup();
}

/* opens build/bpf/@obj.bpf.o as @name (NULL: the default) */
static int open_obj(struct gvt_policy *pol, const char *obj, const char *name)
{
	struct gvt_policy_opts opts = { .name = name };
	char path[PATH_MAX];
	int ret = gvt_policy_open(pol, vm_bpf_obj(obj, path, sizeof(path)),
				  &opts);

	if (ret)
		vm_note("open %s: %s", obj, gvt_policy_error(pol));
	return ret;
}

/* asserts @ret is -@err and the library's sentence contains @text */
#define POL_ERR(pol, ret, err, text)					\
	do {								\
		VM_EQ((ret), -(err));					\
		if (!strstr(gvt_policy_error(pol), (text)))		\
			vm_note("error \"%s\" lacks \"%s\"",		\
				gvt_policy_error(pol), (text));		\
		VM_EQ(strstr(gvt_policy_error(pol), (text)) != NULL, 1); \
	} while (0)

static void test_knobs(void)
{
	struct gvt_policy pol;
	uint32_t key = 7, val = 0;
	char s[64];
	int fd;

	VM_OK_FATAL(NULL, open_obj(&pol, "mmio_trace", NULL));
	POL_ERR(&pol, gvt_policy_set_knob(&pol, "only_vgpu", 1ull << 33),
		ERANGE, "does not fit in 4 bytes");
	POL_ERR(&pol, gvt_policy_set(&pol, "no_such_knob=1"), ENOENT,
		"no such knob");
	POL_ERR(&pol, gvt_policy_set(&pol, "no_map[1]=1"), ENOENT,
		"no map 'no_map'");
	/* trace_regs has a struct key: no integer entry fits it */
	POL_ERR(&pol, gvt_policy_set(&pol, "trace_regs[1]=1"), EINVAL,
		"integer keys and values");
	POL_ERR(&pol, gvt_policy_set(&pol, "only_vgpu=-1"), EINVAL,
		"not a non-negative integer");
	POL_ERR(&pol, gvt_policy_set(&pol, "only_vgpu=010x"), EINVAL,
		"not a non-negative integer");
	VM_EQ(gvt_policy_knob_str(&pol, "gvt_expect_refusal", s, sizeof(s)),
	      -ENOENT);
	VM_OK(NULL, gvt_policy_set(&pol, "only_vgpu=0x3"));
	VM_OK(NULL, gvt_policy_load(&pol));
	/* read-only data is frozen once loaded */
	POL_ERR(&pol, gvt_policy_set(&pol, "only_vgpu=1"), EBUSY,
		"loaded already");
	POL_ERR(&pol, gvt_policy_set_parents(&pol, 1), EBUSY, "loaded already");
	gvt_policy_close(&pol);
	/* loaded and closed without an attach: nothing stays */
	VM_EQ(vm_policy_count(NULL), 0);
	VM_EQ(access(GVT_POLICY_PIN_ROOT "/mmio_trace", F_OK), -1);

	/* an entry given before the load is in the map after it */
	VM_OK_FATAL(NULL, open_obj(&pol, "sched_weighted", NULL));
	VM_OK(NULL, gvt_policy_set_entry(&pol, "weights", key, 5));
	VM_OK(NULL, gvt_policy_load(&pol));
	fd = bpf_object__find_map_fd_by_name(pol.obj, "weights");
	VM_EQ_FATAL(fd >= 0, 1);
	VM_EQ(bpf_map_lookup_elem(fd, &key, &val), 0);
	VM_EQ(val, 5);
	/* and one given after the load goes there at once */
	VM_OK(NULL, gvt_policy_set(&pol, "weights[7]=9"));
	VM_EQ(bpf_map_lookup_elem(fd, &key, &val), 0);
	VM_EQ(val, 9);
	gvt_policy_close(&pol);
}

static void test_attach_leaves_nothing(void)
{
	struct gvt_policy pol;

	VM_POL_OK_FATAL(vm_policy_load("mmio_trace", NULL, NULL, NULL));
	/* the same name again: refused before anything loads */
	VM_OK_FATAL(NULL, open_obj(&pol, "mmio_trace", NULL));
	POL_ERR(&pol, gvt_policy_attach(&pol), EEXIST, "loaded already");
	gvt_policy_close(&pol);
	VM_EQ(vm_policy_count(NULL), 1);

	/* a parent that does not exist: the kernel says no, nothing stays */
	VM_OK_FATAL(NULL, open_obj(&pol, "mmio_trace", "trace_p7"));
	VM_OK(NULL, gvt_policy_set_parents(&pol, 1ull << 7));
	POL_ERR(&pol, gvt_policy_attach(&pol), ENODEV, "does not exist");
	gvt_policy_close(&pol);
	VM_EQ(access(GVT_POLICY_PIN_ROOT "/trace_p7", F_OK), -1);
	VM_EQ(vm_policy_count(NULL), 1);

	/* a map pinned by name at the root goes when the attach fails */
	VM_OK_FATAL(NULL, open_obj(&pol, "vgpu_stats", "mmio_trace"));
	POL_ERR(&pol, gvt_policy_attach(&pol), EEXIST, "loaded already");
	gvt_policy_close(&pol);
	VM_EQ(access(GVT_POLICY_PIN_ROOT "/stats", F_OK), -1);
	/* and when the object is loaded and closed unattached */
	VM_OK_FATAL(NULL, open_obj(&pol, "vgpu_stats", NULL));
	VM_OK(NULL, gvt_policy_load(&pol));
	VM_EQ(access(GVT_POLICY_PIN_ROOT "/stats", F_OK), 0);
	gvt_policy_close(&pol);
	VM_EQ(access(GVT_POLICY_PIN_ROOT "/stats", F_OK), -1);

	VM_EQ(gvt_policy_unload("../x"), -EINVAL);
	VM_EQ(gvt_policy_unload("no_such_policy"), -ENOENT);
	VM_POL_OK(vm_policy_unload("mmio_trace"));
	VM_EQ(vm_policy_count(NULL), 0);
}

static uint32_t caps_of(struct vm_dev *v)
{
	return vm_mmio_rd(v, GVT_REG_CAPS);
}

/*
 * The binding a replacement keeps is the one the kernel holds: a policy
 * pinned under a name that says nothing about its vGPU stays on it.
 */
static void test_replace_keeps_binding(void)
{
	unsigned long long serial = 0;
	struct gvt_policy_info rec;
	struct gvt_policy pol;

	VM_OK_FATAL(NULL, vm_dev_setup(&dev_a, 8, false));
	VM_OK_FATAL(NULL, vm_dev_setup(&dev_b, 8, false));
	VM_OK(NULL, gvt_vgpu_attr_u64(dev_a.uuid, "serial", &serial));
	VM_POL_OK_FATAL(vm_policy_load("mmio_guard", "plain", dev_a.uuid, NULL));
	VM_POL_OK_FATAL(vm_policy_replace("plain", "mmio_capmask", NULL));
	VM_EQ_FATAL(vm_policy_find("mmio", "mmio_capmask", &rec), 0);
	VM_EQ(rec.vgpu_serial, serial);
	VM_EQ(rec.parents, 1);
	/* it hides the display capability of dev_a only */
	VM_EQ(caps_of(&dev_a), GVT_CAPS_VALUE & ~GVT_CAP_DISPLAY);
	VM_EQ(caps_of(&dev_b), GVT_CAPS_VALUE);

	/* a replacement may not pick a binding of its own */
	VM_OK_FATAL(NULL, open_obj(&pol, "mmio_capmask", NULL));
	VM_OK(NULL, gvt_policy_bind_vgpu(&pol, dev_b.uuid));
	POL_ERR(&pol, gvt_policy_replace(&pol, "plain"), EINVAL,
		"keeps the live policy's vGPU");
	gvt_policy_close(&pol);
	/* an observer has no struct_ops to swap */
	VM_OK_FATAL(NULL, open_obj(&pol, "vgpu_stats", NULL));
	POL_ERR(&pol, gvt_policy_replace(&pol, "plain"), EINVAL,
		"only struct_ops policies");
	gvt_policy_close(&pol);
	VM_OK_FATAL(NULL, open_obj(&pol, "mmio_capmask", NULL));
	POL_ERR(&pol, gvt_policy_replace(&pol, "nobody"), ENOENT,
		"no policy named nobody");
	gvt_policy_close(&pol);
	VM_EQ(caps_of(&dev_a), GVT_CAPS_VALUE & ~GVT_CAP_DISPLAY);
	VM_POL_OK(vm_policy_unload("plain"));
	VM_EQ(caps_of(&dev_a), GVT_CAPS_VALUE);
}

/* the BPF id of the link pinned at @path, 0 if none */
static uint32_t link_id_of(const char *path)
{
	struct bpf_link_info li = {};
	uint32_t len = sizeof(li);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	if (bpf_link_get_info_by_fd(fd, &li, &len))
		li.id = 0;
	close(fd);
	return li.id;
}

static void test_list_all(void)
{
	struct gvt_policy_info p[8];
	int n, i, records = 0, tracing = 0;
	time_t now = time(NULL);

	VM_POL_OK_FATAL(vm_policy_load("mmio_trace", "trace_a", NULL, NULL));
	VM_POL_OK_FATAL(vm_policy_load("vgpu_stats", NULL, NULL, NULL));
	n = gvt_policy_list_all(p, 8);
	VM_EQ_FATAL(n, 2);
	for (i = 0; i < n; i++) {
		if (!strcmp(p[i].hook, "mmio")) {
			records++;
			VM_STR(p[i].name, "mmio_trace");
			VM_STR(p[i].pin, "trace_a");
			VM_EQ(p[i].link_id, link_id_of(GVT_POLICY_PIN_ROOT
					"/trace_a/link_mmio_trace"));
			CU_ASSERT(p[i].id > 0);
		} else {
			tracing++;
			VM_STR(p[i].hook, GVT_POLICY_HOOK_TRACING);
			VM_STR(p[i].pin, "vgpu_stats");
			VM_STR(p[i].state, "active");
			VM_EQ(p[i].id, 0);
			CU_ASSERT(p[i].link_id > 0);
			/* since when: the program's load, on the wall clock */
			CU_ASSERT(p[i].attached > now - 120 &&
				  p[i].attached <= now + 2);
		}
	}
	VM_EQ(records, 1);
	VM_EQ(tracing, 1);
	/* too small an array: the count, and as many as fit */
	VM_EQ(gvt_policy_list_all(p, 1), 2);
	VM_EQ(vm_unload_all(), 0);
	VM_EQ(gvt_policy_list_all(p, 8), 0);
}

struct remover {
	struct vm_dev *dev;
	int ret;
};

/* removes the vGPU a moment after the wait began */
static void *remove_later(void *arg)
{
	struct remover *r = arg;

	usleep(300 * 1000);
	r->ret = vm_dev_teardown(r->dev);
	return NULL;
}

static void test_wait(void)
{
	struct remover r = { .dev = &dev_a };
	struct gvt_policy_info ex;
	struct gvt_policy pol;
	unsigned long long id = 0;
	uint64_t t0, took;
	pthread_t th;

	VM_OK_FATAL(NULL, vm_dev_setup(&dev_a, 8, false));
	VM_OK(NULL, gvt_vgpu_attr_u64(dev_a.uuid, "vgpu_id", &id));
	VM_OK_FATAL(NULL, open_obj(&pol, "mmio_guard", "waited"));
	VM_OK(NULL, gvt_policy_bind_vgpu(&pol, dev_a.uuid));
	VM_OK_FATAL(NULL, gvt_policy_attach(&pol));
	/* active: a short wait times out */
	VM_EQ(gvt_policy_wait(&pol, 50, &ex), 0);
	/* the vGPU goes: the kernel orphans the policy and the wait ends */
	VM_EQ_FATAL(pthread_create(&th, NULL, remove_later, &r), 0);
	t0 = vm_now_ms();
	VM_EQ(gvt_policy_wait(&pol, VM_WAIT_MS, &ex), 1);
	took = vm_now_ms() - t0;
	pthread_join(th, NULL);
	VM_EQ(r.ret, 0);
	vm_note("the wait ended %llu ms after it began",
		(unsigned long long)took);
	CU_ASSERT(took >= 250 && took < VM_WAIT_MS);
	VM_STR(ex.state, "orphaned");
	VM_EQ(ex.exit_kind, GVT_EXIT_VGPU_GONE);
	VM_EQ(ex.exit_vgpu, id);
	VM_STR(ex.pin, "waited");
	/* unloaded: the wait says so */
	VM_POL_OK(vm_policy_unload("waited"));
	VM_EQ(gvt_policy_wait(&pol, 50, &ex), -ENOENT);
	gvt_policy_close(&pol);

	/* an observer has no record to wait on */
	VM_OK_FATAL(NULL, open_obj(&pol, "vgpu_stats", NULL));
	VM_OK_FATAL(NULL, gvt_policy_attach(&pol));
	VM_EQ(gvt_policy_wait(&pol, 50, &ex), -ENODATA);
	gvt_policy_close(&pol);
	VM_POL_OK(vm_policy_unload("vgpu_stats"));
}

static void test_sched_of(void)
{
	char name[GVT_POLICY_NAME_LEN] = "x";

	VM_EQ(gvt_policy_sched_of(0, name, sizeof(name)), 0);
	VM_STR(name, "");
	VM_POL_OK_FATAL(vm_policy_load("sched_rr", "rr", NULL, NULL));
	VM_EQ(gvt_policy_sched_of(0, name, sizeof(name)), 0);
	VM_STR(name, "sched_rr");
	VM_EQ(gvt_policy_sched_of(GVT_MAX_PARENTS, name, sizeof(name)), -EINVAL);
	VM_POL_OK(vm_policy_unload("rr"));
	VM_EQ(gvt_policy_sched_of(0, name, sizeof(name)), 0);
	VM_STR(name, "");
}

int vm_register_policy_lib_suites(void)
{
	static const struct vm_test tests[] = {
		{ "knobs: typed errors before the load, map entries after it", test_knobs },
		{ "a refused attach leaves no pin and no record", test_attach_leaves_nothing },
		{ "replace keeps the binding the kernel holds, not a name", test_replace_keeps_binding },
		{ "list_all maps pins to records by link id, observers too", test_list_all },
		{ "wait ends when the kernel stops the policy, or it is unloaded", test_wait },
		{ "sched_of names the deciding policy of a parent", test_sched_of },
		{ NULL, NULL }
	};

	return vm_add_suite("policy library", lib_init, lib_cleanup, tests);
}
