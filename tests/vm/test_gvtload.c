// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: gvt-load, run as a program the way an operator runs it: its
 * exit status, what it prints, and what it leaves in the kernel and in
 * bpffs. Exit status 2 (bad command line) must touch nothing; 1 is a
 * refusal; 3 means the kernel ejected a policy held in the foreground.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm_gpu.h"
#include "gvt_policy.h"

static char gvtload[PATH_MAX + 16];	/* build/bin/gvt-load */
static char bpf_dir[PATH_MAX + 16];	/* build/bpf */
static char out[16384];			/* output of the last command */
static struct vm_gpu gpu[2];

#define RUN(...)	vm_run(out, sizeof(out), __VA_ARGS__)
#define LOAD(args, ...)	RUN("%s " args, gvtload, ##__VA_ARGS__)

#define OUT_HAS(s)	vm_assert_out(out, (s), true, __FILE__, __LINE__)
#define OUT_LACKS(s)	vm_assert_out(out, (s), false, __FILE__, __LINE__)

/* the line of out[] that contains @key, at most @size bytes, or "" */
static const char *line_with(const char *key, char *buf, size_t size)
{
	const char *p = strstr(out, key), *start, *end;
	size_t len;

	buf[0] = '\0';
	if (!p)
		return buf;
	for (start = p; start > out && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	len = end ? (size_t)(end - start) : strlen(start);
	if (len >= size)
		len = size - 1;
	memcpy(buf, start, len);
	buf[len] = '\0';
	return buf;
}

static int gvtload_init(void)
{
	const char *top = vm_build_dir();

	if (!top)
		return -1;
	snprintf(gvtload, sizeof(gvtload), "%s/bin/gvt-load", top);
	snprintf(bpf_dir, sizeof(bpf_dir), "%s/bpf", top);
	gpu[0].efd = gpu[1].efd = -1;
	if (access(gvtload, X_OK)) {
		printf("\n  %s missing: make userspace\n", gvtload);
		return -1;
	}
	return vm_unload_all();
}

static int gvtload_cleanup(void)
{
	vm_gpu_teardown(&gpu[0]);
	vm_gpu_teardown(&gpu[1]);
	vm_unload_all();
	return vm_suite_cleanup();
}

/* nothing pinned, no kernel record */
static void check_clean(void)
{
	char names[4][GVT_POLICY_NAME_LEN];

	VM_EQ(gvt_policy_pinned(names, 4), 0);
	VM_EQ(vm_policy_count(NULL), 0);
	VM_EQ(access(GVT_POLICY_PIN_ROOT "/stats", F_OK), -1);
}

static void test_bad_input(void)
{
	VM_EQ(LOAD("%s/no_such.bpf.o", bpf_dir), 1);
	OUT_HAS("cannot open");
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --set novalue", bpf_dir), 2);
	OUT_HAS("expected KNOB=VALUE or MAP[KEY]=VALUE");
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --set only_vgpu=-1", bpf_dir), 2);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --set 'm[x]=1'", bpf_dir), 2);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --set no_such_knob=1", bpf_dir), 1);
	OUT_HAS("no_such_knob: the policy has no such knob");
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --vgpu not-a-uuid", bpf_dir), 1);
	OUT_HAS("'not-a-uuid' is not a UUID");
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --vgpu 00000000-0000-0000-0000-000000000000",
		   bpf_dir), 1);
	OUT_HAS("no gvt vGPU 00000000-0000-0000-0000-000000000000");
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --name ../x", bpf_dir), 1);
	OUT_HAS("not a valid policy name");
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --parents 0x1g", bpf_dir), 2);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --parents -1", bpf_dir), 2);
	VM_EQ(LOAD("--unload no_such_policy"), 1);
	OUT_HAS("no such policy loaded");
	VM_EQ(LOAD("--unload ../x"), 1);
	VM_EQ(LOAD("--replace no_such_policy %s/mmio_trace.bpf.o", bpf_dir), 1);
	OUT_HAS("no policy named no_such_policy is loaded");
	VM_EQ(LOAD("--list --unload x"), 2);
	VM_EQ(LOAD("--list -f"), 2);
	VM_EQ(LOAD("--unload x --set a=1"), 2);
	VM_EQ(LOAD("--replace x %s/mmio_trace.bpf.o -f", bpf_dir), 2);
	VM_EQ(LOAD("--replace x %s/mmio_trace.bpf.o --name y", bpf_dir), 2);
	VM_EQ(LOAD(""), 2);
	VM_EQ(LOAD("--bogus"), 2);
	check_clean();

	VM_EQ(LOAD("%s/mmio_trace.bpf.o", bpf_dir), 0);
	OUT_HAS("loaded mmio_trace from");
	VM_EQ(LOAD("%s/mmio_trace.bpf.o", bpf_dir), 1);	/* loaded already */
	OUT_HAS("loaded already");
	VM_EQ(LOAD("--unload mmio_trace"), 0);
	OUT_HAS("unloaded mmio_trace");
	check_clean();
}

/* a refused program: exit 1, the verifier's log, then why */
static void test_refused_shows_log(void)
{
	VM_EQ(LOAD("%s/bad_mmio_write_offset.bpf.o", bpf_dir), 1);
	OUT_HAS("-- BEGIN PROG LOAD LOG --");
	OUT_HAS("gvt_mmio_ops: only gvt_mmio_access.value is writable");
	OUT_HAS("the kernel refused the policy");
	/* the log comes first, the conclusion last */
	CU_ASSERT(strstr(out, "BEGIN PROG LOAD LOG") <
		  strstr(out, "the kernel refused the policy"));
	check_clean();
}

/*
 * One table row per policy: id, name, pin, hook, scope, since, activity.
 * The pieces are checked against the kernel's record.
 */
static void test_list_table(void)
{
	char buf[512], id[16], name[64], pin[64], hook[16], sc1[32], sc2[32],
	     date[16], tod[16], want[64];
	struct gvt_policy_info rec;
	unsigned long long vid = 0;
	long long calls = -1;

	VM_EQ(LOAD("--list"), 0);
	OUT_HAS("ID    NAME");
	OUT_HAS("(none: the built-in handlers and scheduler run)");

	VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[0], 8));
	VM_OK(NULL, gvt_vgpu_attr_u64(gpu[0].v.uuid, "vgpu_id", &vid));
	VM_EQ_FATAL(LOAD("%s/mmio_trace.bpf.o --name tr", bpf_dir), 0);
	VM_EQ_FATAL(LOAD("%s/mmio_guard.bpf.o --vgpu %s", bpf_dir,
			 gpu[0].v.uuid), 0);
	VM_EQ_FATAL(LOAD("%s/vgpu_stats.bpf.o", bpf_dir), 0);
	vm_gpu_rd(&gpu[0], GVT_REG_SCRATCH);
	VM_EQ_FATAL(LOAD("--list"), 0);

	/* mmio_trace pinned as tr, on gvt0, with its calls */
	VM_EQ_FATAL(vm_policy_find("mmio", "mmio_trace", &rec), 0);
	line_with(" tr ", buf, sizeof(buf));
	VM_EQ(sscanf(buf, "%15s %63s %63s %15s %31s %15s %15s calls %lld",
		     id, name, pin, hook, sc1, date, tod, &calls), 8);
	VM_EQ(atoi(id), rec.id);
	VM_STR(name, "mmio_trace");
	VM_STR(hook, "mmio");
	VM_STR(sc1, "gvt0");
	VM_EQ(strlen(date), 10);
	VM_EQ(strlen(tod), 8);
	CU_ASSERT(calls >= 1);

	/* mmio_guard bound to the vGPU, named after it */
	snprintf(want, sizeof(want), " mmio_guard-vgpu%llu ", vid);
	line_with(want, buf, sizeof(buf));
	VM_EQ(sscanf(buf, "%15s %63s %63s %15s %31s %31s", id, name, pin, hook,
		     sc1, sc2), 6);
	VM_STR(name, "mmio_guard");
	VM_STR(sc1, "vGPU");
	VM_EQ(atoll(sc2), vid);

	/* the observer: no kernel record, a tracing row */
	line_with(" vgpu_stats ", buf, sizeof(buf));
	VM_EQ(sscanf(buf, "%15s %63s %63s %15s", id, name, pin, hook), 4);
	VM_STR(id, "-");
	VM_STR(pin, "vgpu_stats");
	VM_STR(hook, "tracing");
	VM_EQ(vm_unload_all(), 0);
	vm_gpu_teardown(&gpu[0]);
	check_clean();
}

static void test_replace_cli(void)
{
	unsigned long long serial = 0, vid = 0;
	struct gvt_policy_info rec;

	VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[0], 8));
	VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[1], 8));
	VM_OK(NULL, gvt_vgpu_attr_u64(gpu[0].v.uuid, "serial", &serial));
	VM_OK(NULL, gvt_vgpu_attr_u64(gpu[0].v.uuid, "vgpu_id", &vid));
	VM_EQ_FATAL(LOAD("%s/mmio_guard.bpf.o --vgpu %s", bpf_dir,
			 gpu[0].v.uuid), 0);
	OUT_HAS("attached to one vGPU");
	VM_EQ_FATAL(LOAD("--replace mmio_guard-vgpu%llu %s/mmio_capmask.bpf.o --set hide_caps=%u",
			 vid, bpf_dir, GVT_CAP_MSI), 0);
	OUT_HAS("1 hook set(s) swapped live");
	VM_EQ_FATAL(vm_policy_find("mmio", "mmio_capmask", &rec), 0);
	VM_EQ(rec.vgpu_serial, serial);
	VM_EQ(vm_gpu_rd(&gpu[0], GVT_REG_CAPS), GVT_CAPS_VALUE & ~GVT_CAP_MSI);
	VM_EQ(vm_gpu_rd(&gpu[1], GVT_REG_CAPS), GVT_CAPS_VALUE);
	/* a replacement that does not fit: refused, the live one stays */
	VM_EQ(LOAD("--replace mmio_guard-vgpu%llu %s/sched_rr.bpf.o", vid,
		   bpf_dir), 1);
	VM_EQ(vm_gpu_rd(&gpu[0], GVT_REG_CAPS), GVT_CAPS_VALUE & ~GVT_CAP_MSI);
	VM_EQ(vm_unload_all(), 0);
	vm_gpu_teardown(&gpu[0]);
	vm_gpu_teardown(&gpu[1]);
	check_clean();
}

/* waits up to 5 s for pin @path to appear (a loader in the background) */
#define WAIT_PIN	"for i in $(seq 100); do [ -e %s ] && break; sleep 0.05; done; "

/* the kernel ejects the policy held in the foreground: exit 3, the record */
static void test_foreground_ejected(void)
{
	char cmd[PATH_MAX * 3];
	uint32_t s;
	FILE *p;
	int st, i;

	VM_OK_FATAL(NULL, vm_gpu_setup(&gpu[0], 8));
	snprintf(cmd, sizeof(cmd), "timeout 30 %s -f %s/bad_sched_invalid.bpf.o 2>&1",
		 gvtload, bpf_dir);
	p = popen(cmd, "r");
	CU_ASSERT_FATAL(p != NULL);
	/* attached: then work makes it decide, and fail */
	for (i = 0; i < 100 && vm_policy_count("sched") < 1; i++)
		usleep(50 * 1000);
	VM_EQ(vm_policy_count("sched"), 1);
	s = vm_gpu_submit_work(&gpu[0], 0, 3, 1000000);
	st = vm_collect(p, out, sizeof(out));
	VM_EQ(st, 3);
	OUT_HAS("bad_sched_invalid: in the foreground");
	OUT_HAS("the kernel stopped policy");
	OUT_HAS("kind     3 (bad-decision)");
	OUT_HAS("reason   the kernel refused a decision");
	OUT_HAS("message  select() on gvt0 engine rcs chose vGPU 554");
	OUT_HAS("vGPU     554");
	OUT_HAS("engine   0");
	OUT_HAS("unloaded bad_sched_invalid");
	/* the work completed under the built-in scheduler */
	CU_ASSERT(vm_gpu_wait(&gpu[0], 0, s, NULL) != 0);
	vm_gpu_teardown(&gpu[0]);
	check_clean();
}

/* SIGINT and SIGTERM detach a foreground policy: exit 0, nothing left */
static void test_foreground_signals(void)
{
	static const char *const sigs[] = { "INT", "TERM" };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		VM_EQ(RUN("timeout 30 %s -f %s/sched_rr.bpf.o & p=$!; "
			  WAIT_PIN "kill -%s $p; wait $p; echo \"exit=$?\"",
			  gvtload, bpf_dir,
			  GVT_POLICY_PIN_ROOT "/sched_rr/link_sched_rr",
			  sigs[i]), 0);
		OUT_HAS("sched_rr: in the foreground");
		OUT_HAS("unloaded sched_rr");
		OUT_HAS("exit=0");
		check_clean();
	}
	/* unloaded by someone else: it says so and ends */
	VM_EQ(RUN("timeout 30 %s -f %s/mmio_trace.bpf.o & p=$!; " WAIT_PIN
		  "%s --unload mmio_trace; wait $p; echo \"exit=$?\"", gvtload,
		  bpf_dir, GVT_POLICY_PIN_ROOT "/mmio_trace/link_mmio_trace",
		  gvtload), 0);
	OUT_HAS("mmio_trace was unloaded by someone else");
	OUT_HAS("exit=0");
	check_clean();
}

static void test_parents(void)
{
	struct gvt_policy_info rec;

	VM_EQ_FATAL(LOAD("%s/sched_rr.bpf.o --parents 1", bpf_dir), 0);
	VM_EQ_FATAL(vm_policy_find("sched", "sched_rr", &rec), 0);
	VM_EQ(rec.parents, 1);
	VM_EQ(LOAD("--unload sched_rr"), 0);
	/* all parents: 0 */
	VM_EQ_FATAL(LOAD("%s/mmio_trace.bpf.o --parents 0", bpf_dir), 0);
	VM_EQ_FATAL(vm_policy_find("mmio", "mmio_trace", &rec), 0);
	VM_EQ(rec.parents, (1ull << gvt_parent_count()) - 1);
	VM_EQ(LOAD("--unload mmio_trace"), 0);
	/* a parent the module does not have: refused, nothing stays */
	VM_EQ(LOAD("%s/sched_rr.bpf.o --parents 0x80", bpf_dir), 1);
	OUT_HAS("No such device");
	OUT_HAS("a parent of its mask does not exist");
	check_clean();
}

int vm_register_gvtload_suites(void)
{
	static const struct vm_test tests[] = {
		{ "bad input: exit 2 touches nothing, refusals exit 1", test_bad_input },
		{ "a refused program: the verifier's log, then why", test_refused_shows_log },
		{ "--list: one row per policy, checked against the records", test_list_table },
		{ "--replace keeps the vGPU the kernel holds", test_replace_cli },
		{ "--foreground: an ejection prints the exit record, exit 3", test_foreground_ejected },
		{ "--foreground: SIGINT/SIGTERM detach, exit 0", test_foreground_signals },
		{ "--parents sets the struct_ops parents mask", test_parents },
		{ NULL, NULL }
	};

	return vm_add_suite("gvt-load", gvtload_init, gvtload_cleanup, tests);
}
