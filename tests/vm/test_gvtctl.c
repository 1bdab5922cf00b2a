// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: the gvtctl operator tool, run as a program the way an operator
 * runs it, its output and exit status checked against what sysfs and the
 * device itself say. Exit status 2 (bad command line) must leave the
 * system untouched; 1 is a refusal by the system. One test reloads the
 * module with two parents to see every command span them.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm_common.h"
#include "gvt_policy.h"

static char gvtctl[PATH_MAX + 16];	/* build/bin/gvtctl */
static char gvtload[PATH_MAX + 16];	/* build/bin/gvt-load */
static char bpf_dir[PATH_MAX + 16];	/* build/bpf */
static char module[PATH_MAX + 16];	/* kmod/gvt_bpf.ko */
static char out[16384];			/* output of the last command */

/* vGPUs gvtctl created: the library's bookkeeping does not know them */
#define MAX_MADE	16
static char made[MAX_MADE][GVT_UUID_STR_LEN];

static struct vm_dev dev_a, dev_b;

/* runs a shell command, keeps its output (stdout and stderr) in out[] */
#define RUN(...)	vm_run(out, sizeof(out), __VA_ARGS__)

#define CTL(args, ...)	RUN("%s " args, gvtctl, ##__VA_ARGS__)

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

static void remember(const char *uuid)
{
	int i;

	for (i = 0; i < MAX_MADE; i++) {
		if (!made[i][0]) {
			snprintf(made[i], sizeof(made[i]), "%s", uuid);
			return;
		}
	}
	vm_note("more than %d vGPUs made by gvtctl in one test", MAX_MADE);
}

static void forget_made(void)
{
	int i;

	for (i = 0; i < MAX_MADE; i++) {
		if (made[i][0] && gvt_mdev_exists(made[i]))
			gvt_mdev_remove(made[i]);
		made[i][0] = '\0';
	}
}

/* gvtctl create ARGS, which must print a UUID; it is copied to @uuid */
static bool ctl_create(const char *args, char uuid[GVT_UUID_STR_LEN])
{
	int rc = CTL("create %s", args);
	size_t len = strcspn(out, "\n");

	uuid[0] = '\0';
	if (!VM_EQ(rc, 0) || !VM_EQ(len, GVT_UUID_STR_LEN - 1)) {
		vm_note("gvtctl create %s: %s", args, out);
		return false;
	}
	memcpy(uuid, out, len);
	uuid[len] = '\0';
	remember(uuid);
	return true;
}

static long vgpu_attr(const char *uuid, const char *attr)
{
	char path[PATH_MAX];
	long v = -1;

	if (gvt_mdev_path(uuid, attr, path, sizeof(path)) ||
	    gvt_sysfs_read_long(path, &v))
		return -1;
	return v;
}

static int gvtctl_init(void)
{
	const char *top = vm_build_dir();

	if (!top)
		return -1;
	snprintf(gvtctl, sizeof(gvtctl), "%s/bin/gvtctl", top);
	snprintf(gvtload, sizeof(gvtload), "%s/bin/gvt-load", top);
	snprintf(bpf_dir, sizeof(bpf_dir), "%s/bpf", top);
	snprintf(module, sizeof(module), "%s/../kmod/gvt_bpf.ko", top);
	if (access(gvtctl, X_OK)) {
		printf("\n  %s missing: make userspace\n", gvtctl);
		return -1;
	}
	vm_unload_all();
	return 0;
}

static int gvtctl_cleanup(void)
{
	forget_made();
	vm_unload_all();
	return vm_suite_cleanup();
}

static void gvtctl_teardown(void)
{
	forget_made();
	vm_test_teardown();
}

/* ---- tests ---------------------------------------------------------------- */

static void test_usage(void)
{
	VM_EQ(CTL("--help"), 0);
	OUT_HAS("usage: gvtctl COMMAND");
	OUT_HAS("set-weight UUID W");
	VM_EQ(CTL("help"), 0);
	VM_EQ(RUN("%s", gvtctl), 2);
	OUT_HAS("no command given");
	VM_EQ(CTL("frobnicate"), 2);
	OUT_HAS("unknown command 'frobnicate'");
	VM_EQ(CTL("--bogus"), 2);
	VM_EQ(CTL("types extra"), 2);
	OUT_HAS("types takes no arguments");
	VM_EQ(CTL("list --force"), 2);
	OUT_HAS("unknown option '--force'");
	VM_EQ(CTL("list -x"), 2);
	VM_EQ(CTL("status now"), 2);
	VM_EQ(CTL("policies x"), 2);
	VM_EQ(CTL("types -p"), 2);
	OUT_HAS("needs a value");
	VM_EQ(CTL("types -p 8"), 2);
	OUT_HAS("a parent index 0..7");
	VM_EQ(CTL("list --parent x"), 2);
	VM_EQ(CTL("remove -p 0 11111111-2222-3333-4444-555555555555"), 2);
	VM_EQ(CTL("types -p 5"), 1);
	OUT_HAS("no parent gvt5");
	VM_EQ(CTL("create"), 2);
	VM_EQ(CTL("remove"), 2);
	VM_EQ(CTL("set-weight 11111111-2222-3333-4444-555555555555"), 2);
	VM_EQ(CTL("info"), 2);
	VM_EQ(CTL("reg 11111111-2222-3333-4444-555555555555"), 2);
	/* --help of a command is help, not an error */
	VM_EQ(CTL("top --help"), 0);
	OUT_HAS("usage:");
	VM_EQ(vm_count_mdevs(), 0);
}

/* the AVAILABLE column of type V1_@div of gvt@parent in out[], or -1 */
static long types_avail(unsigned int parent, unsigned int div)
{
	char key[32], buf[512], par[16], type[16];
	long avail = -1;

	snprintf(key, sizeof(key), "gvt%-3u V1_%-5u", parent, div);
	line_with(key, buf, sizeof(buf));
	if (sscanf(buf, "%15s %15s %ld", par, type, &avail) != 3)
		return -1;
	return avail;
}

static void test_types(void)
{
	char uuid[GVT_UUID_STR_LEN], buf[512], key[32];
	unsigned int i;

	VM_EQ_FATAL(CTL("types"), 0);
	OUT_HAS("PARENT TYPE     AVAILABLE DESCRIPTION");
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		VM_EQ(types_avail(0, vm_divs[i]), gvt_mdev_available(vm_divs[i]));
		VM_EQ(types_avail(0, vm_divs[i]), vm_divs[i]);
		snprintf(key, sizeof(key), "gvt0   V1_%-5u", vm_divs[i]);
		line_with(key, buf, sizeof(buf));
		snprintf(key, sizeof(key), "1/%u of gvt0", vm_divs[i]);
		VM_EQ(strstr(buf, key) != NULL, 1);
	}
	/* a vGPU made through plain sysfs changes what types shows */
	VM_OK_FATAL(NULL, vm_create(2, uuid));
	VM_EQ(CTL("types"), 0);
	VM_EQ(types_avail(0, 1), 0);
	VM_EQ(types_avail(0, 2), 1);
	VM_EQ(types_avail(0, 64), 32);
	VM_EQ(CTL("types -p 0"), 0);
	VM_EQ(types_avail(0, 64), 32);
}

static void test_create(void)
{
	char a[GVT_UUID_STR_LEN], b[GVT_UUID_STR_LEN], c[GVT_UUID_STR_LEN];
	char type[16], path[PATH_MAX];
	const char *upper = "ABCDEF01-2345-6789-ABCD-EF0123456789";

	CU_ASSERT_FATAL(ctl_create("V1_4", a));
	CU_ASSERT(gvt_mdev_exists(a));
	gvt_mdev_path(a, GVT_SYSFS_GROUP "/type", path, sizeof(path));
	VM_EQ(gvt_sysfs_read(path, type, sizeof(type)) > 0, 1);
	VM_STR(type, "V1_4");

	/* every spelling of a type; an upper-case UUID names a lower-case mdev */
	CU_ASSERT_FATAL(ctl_create("gvt-V1_8", b));
	VM_EQ(vgpu_attr(b, GVT_SYSFS_GROUP "/parent"), 0);
	CU_ASSERT_FATAL(ctl_create("2 ABCDEF01-2345-6789-ABCD-EF0123456789", c));
	VM_STR(c, "abcdef01-2345-6789-abcd-ef0123456789");
	CU_ASSERT(gvt_mdev_exists(c));
	gvt_mdev_path(c, GVT_SYSFS_GROUP "/type", path, sizeof(path));
	VM_EQ(gvt_sysfs_read(path, type, sizeof(type)) > 0, 1);
	VM_STR(type, "V1_2");
	VM_EQ(vm_count_mdevs(), 3);

	/* bad input is refused before anything is created */
	VM_EQ(CTL("create V1_3"), 2);
	OUT_HAS("no such type 'V1_3'");
	OUT_HAS("V1_1, V1_2, V1_4, V1_8, V1_16, V1_32, V1_64");
	VM_EQ(CTL("create 128"), 2);
	VM_EQ(CTL("create V1_0"), 2);
	VM_EQ(CTL("create gvt-4"), 2);
	VM_EQ(CTL("create V1_04"), 2);
	VM_EQ(CTL("create ''"), 2);
	VM_EQ(CTL("create 4 not-a-uuid"), 2);
	OUT_HAS("'not-a-uuid' is not a UUID");
	VM_EQ(CTL("create 4 abcdef01-2345-6789-abcd-ef012345678g"), 2);
	VM_EQ(CTL("create 4 abcdef0112345-6789-abcd-ef0123456789"), 2);
	VM_EQ(CTL("create 4 %s extra", upper), 2);
	VM_EQ(vm_count_mdevs(), 3);

	/* a UUID in use, in either spelling */
	VM_EQ(CTL("create 8 %s", upper), 1);
	OUT_HAS("exists already");
	VM_EQ(CTL("create 8 %s", b), 1);
	VM_EQ(vm_count_mdevs(), 3);

	/* 56 of 64 slots are taken: only 8 slots, then nothing */
	VM_EQ(CTL("create V1_2"), 1);
	OUT_HAS("no room for a V1_2 vGPU on gvt0: 0 available");
	VM_EQ(CTL("create V1_1"), 1);
	OUT_HAS("no room for a V1_1 vGPU on gvt0: 0 available");
	VM_EQ(CTL("create -p 0 V1_4"), 1);
	OUT_HAS("no room for a V1_4 vGPU on gvt0: 0 available");
	CU_ASSERT_FATAL(ctl_create("v1_8", a));
	VM_EQ(CTL("create 64"), 1);
	OUT_HAS("no room for a V1_64 vGPU on gvt0: 0 available");
	VM_EQ(vm_count_mdevs(), 4);
}

static void test_list(void)
{
	char buf[512], uuid[40], type[16], status[16], par[16];
	unsigned long long mmio, irqs, done, rej;
	unsigned int id, weight, i;
	uint32_t v;

	/* nothing yet: the header alone */
	VM_EQ(CTL("list"), 0);
	OUT_HAS("UUID");
	OUT_HAS("WORK DONE");
	VM_EQ(strchr(out, '\n') == out + strlen(out) - 1, 1);
	VM_EQ(CTL("list -p 0"), 0);
	VM_EQ(strchr(out, '\n') == out + strlen(out) - 1, 1);

	VM_OK_FATAL(NULL, vm_dev_setup(&dev_a, 4, false));
	VM_OK_FATAL(NULL, vm_dev_setup(&dev_b, 8, false));
	for (i = 0; i < 5; i++)
		VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &v));
	for (i = 0; i < 3; i++)
		VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_SCRATCH, i));

	VM_EQ_FATAL(CTL("list"), 0);
	OUT_HAS("UUID                                 PARENT  ID TYPE");
	line_with(dev_a.uuid, buf, sizeof(buf));
	VM_EQ_FATAL(sscanf(buf, "%39s %15s %u %15s %u %15s %llu %llu %llu %llu",
			   uuid, par, &id, type, &weight, status, &mmio, &irqs,
			   &done, &rej), 10);
	VM_STR(uuid, dev_a.uuid);
	VM_STR(par, "gvt0");
	VM_EQ(id, vgpu_attr(dev_a.uuid, GVT_SYSFS_GROUP "/vgpu_id"));
	VM_STR(type, "V1_4");
	VM_EQ(weight, GVT_WEIGHT_FULL / 4);
	VM_STR(status, "ok");
	VM_EQ(mmio, vm_stat(dev_a.uuid, "mmio_reads") +
		    vm_stat(dev_a.uuid, "mmio_writes"));
	CU_ASSERT(mmio >= 8);
	VM_EQ(irqs, vm_stat(dev_a.uuid, "interrupts"));
	VM_EQ(done, vm_stat(dev_a.uuid, "workloads_completed"));
	VM_EQ(rej, vm_stat(dev_a.uuid, "workloads_rejected"));

	line_with(dev_b.uuid, buf, sizeof(buf));
	VM_EQ(sscanf(buf, "%39s %15s %u %15s %u", uuid, par, &id, type, &weight), 5);
	VM_STR(type, "V1_8");
	VM_EQ(weight, GVT_WEIGHT_FULL / 8);
	/* sorted by vGPU id */
	VM_EQ(strstr(out, dev_a.uuid) < strstr(out, dev_b.uuid),
	      vgpu_attr(dev_a.uuid, GVT_SYSFS_GROUP "/vgpu_id") <
	      vgpu_attr(dev_b.uuid, GVT_SYSFS_GROUP "/vgpu_id"));
}

static void test_set_weight(void)
{
	static const char *const bad[] = {
		"0", "129", "-1", "abc", "12x", "''", "0x10", "+5", " 5",
		"99999999999999999999999",
	};
	char up[GVT_UUID_STR_LEN];
	uint32_t pv = 0;
	unsigned int i;

	VM_OK_FATAL(NULL, vm_dev_setup(&dev_a, 4, false));
	VM_EQ(CTL("set-weight %s 100", dev_a.uuid), 0);
	OUT_HAS("weight 16 -> 100");
	VM_EQ(vgpu_attr(dev_a.uuid, GVT_SYSFS_GROUP "/weight"), 100);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_PV_WEIGHT, &pv));
	VM_EQ(pv, 100);
	VM_EQ(CTL("set-weight %s %d", dev_a.uuid, GVT_WEIGHT_MIN), 0);
	VM_EQ(vgpu_attr(dev_a.uuid, GVT_SYSFS_GROUP "/weight"), GVT_WEIGHT_MIN);
	VM_EQ(CTL("set-weight %s %d", dev_a.uuid, GVT_WEIGHT_MAX), 0);
	VM_EQ(vgpu_attr(dev_a.uuid, GVT_SYSFS_GROUP "/weight"), GVT_WEIGHT_MAX);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		VM_EQ(CTL("set-weight %s \"%s\"", dev_a.uuid, bad[i]), 2);
		if (!strstr(out, "weight must be an integer in 1..128"))
			vm_note("weight '%s': %s", bad[i], out);
	}
	VM_EQ(vgpu_attr(dev_a.uuid, GVT_SYSFS_GROUP "/weight"), GVT_WEIGHT_MAX);

	/* upper case names the same vGPU */
	for (i = 0; i < GVT_UUID_STR_LEN; i++)
		up[i] = (char)toupper((unsigned char)dev_a.uuid[i]);
	VM_EQ(CTL("set-weight %s 7", up), 0);
	VM_EQ(vgpu_attr(dev_a.uuid, GVT_SYSFS_GROUP "/weight"), 7);
	VM_EQ(CTL("set-weight 11111111-2222-3333-4444-555555555555 5"), 1);
	OUT_HAS("no mdev 11111111-2222-3333-4444-555555555555");
	VM_EQ(CTL("set-weight not-a-uuid 5"), 2);
	VM_EQ(CTL("set-weight %s 5 6", dev_a.uuid), 2);
}

static void test_remove(void)
{
	char a[GVT_UUID_STR_LEN], up[GVT_UUID_STR_LEN];
	unsigned int i;

	CU_ASSERT_FATAL(ctl_create("8", a));
	VM_EQ(CTL("remove %s", a), 0);
	OUT_HAS("removed");
	CU_ASSERT(!gvt_mdev_exists(a));
	VM_EQ(CTL("remove %s", a), 1);
	OUT_HAS("no mdev");
	VM_EQ(CTL("remove not-a-uuid"), 2);
	VM_EQ(CTL("remove %s extra", a), 2);

	/* a vGPU made through plain sysfs, named in upper case */
	VM_OK_FATAL(NULL, vm_create(8, a));
	for (i = 0; i < GVT_UUID_STR_LEN; i++)
		up[i] = (char)toupper((unsigned char)a[i]);
	VM_EQ(CTL("remove %s", up), 0);
	CU_ASSERT(!gvt_mdev_exists(a));

	/* in use: refused at once instead of waiting for the user */
	VM_OK_FATAL(NULL, vm_dev_setup(&dev_a, 4, false));
	VM_EQ(CTL("remove %s", dev_a.uuid), 1);
	OUT_HAS("is in use");
	CU_ASSERT(gvt_mdev_exists(dev_a.uuid));
	gvt_vfio_close(&dev_a.d);
	VM_EQ(CTL("remove %s", dev_a.uuid), 0);
	CU_ASSERT(!gvt_mdev_exists(dev_a.uuid));
	VM_EQ(vm_count_mdevs(), 0);
}

static void test_info(void)
{
	struct vm_parent_totals t;
	char a[GVT_UUID_STR_LEN], want[160], buf[256], name[32], hex[16];
	long long reads0;
	struct gvt_vfio d;
	unsigned int i, rows = 0, dec;
	long id;

	VM_OK_FATAL(NULL, vm_create(4, a));
	id = vgpu_attr(a, GVT_SYSFS_GROUP "/vgpu_id");
	reads0 = vm_stat(a, "mmio_reads");
	VM_EQ_FATAL(CTL("info %s", a), 0);
	snprintf(want, sizeof(want), "vGPU %s on gvt0: VFIO group", a);
	OUT_HAS(want);
	OUT_HAS("1b36:10f0");
	OUT_HAS("0x42545647 \"GVTB\"");
	OUT_HAS("CAPS         0x0000000f gtt rings display msi");
	/* every PV-info row of the register table, none flagged */
	OUT_HAS("PV-info (BAR0 + 0x1000)");
	OUT_LACKS("(want 0x");
	for (i = 0; i < GVT_NUM_REGS; i++) {
		static const struct {
			const char *name;
			uint32_t flags;
		} regs[] = {
#define ROW(n, off, reset, ro, flags) { #n, (flags) },
			GVT_REG_LIST(ROW)
#undef ROW
		};

		if (!(regs[i].flags & GVT_RF_PVINFO))
			continue;
		rows++;
		snprintf(want, sizeof(want), "  %s ", regs[i].name);
		VM_EQ(line_with(want, buf, sizeof(buf))[0] != '\0', 1);
	}
	VM_EQ(rows, 13);
	/* values as the device has them */
	line_with("  PV_VGPU_ID ", buf, sizeof(buf));
	VM_EQ(sscanf(buf, "%31s %15s %u", name, hex, &dec), 3);
	VM_EQ(dec, id);
	line_with("  PV_WEIGHT ", buf, sizeof(buf));
	VM_EQ(sscanf(buf, "%31s %15s %u", name, hex, &dec), 3);
	VM_EQ(dec, GVT_WEIGHT_FULL / 4);
	line_with("  PV_MAGIC_HI ", buf, sizeof(buf));
	VM_EQ(strstr(buf, "\"PFPV\"") != NULL, 1);
	vm_parent_totals(&t);
	snprintf(want, sizeof(want), "= vGPU %ld, type 1/4 (V1_4): aperture %llu MiB",
		 id, (unsigned long long)(t.aperture / 4) >> 20);
	OUT_HAS(want);
	/* the size column as info prints it: "%-7s %10s" */
	snprintf(want, sizeof(want), "BAR2    %6llu MiB",
		 (unsigned long long)(t.aperture / 4) >> 20);
	OUT_HAS(want);
	snprintf(want, sizeof(want), "BAR0    %6u MiB", GVT_BAR0_SIZE >> 20);
	OUT_HAS(want);
	/* it read the device through the trap path */
	CU_ASSERT(vm_stat(a, "mmio_reads") >= reads0 + 15);

	/* a vGPU someone holds open cannot be opened a second time */
	VM_OK_FATAL(&d, gvt_vfio_open(&d, a));
	VM_EQ(CTL("info %s", a), 1);
	OUT_HAS("cannot open");
	gvt_vfio_close(&d);

	VM_EQ(CTL("info 11111111-2222-3333-4444-555555555555"), 1);
	VM_EQ(CTL("info nope"), 2);
}

static void test_reg(void)
{
	char a[GVT_UUID_STR_LEN];

	VM_OK_FATAL(NULL, vm_create(8, a));
	VM_EQ(CTL("reg %s ID", a), 0);
	OUT_HAS("ID (0x0000) = 0x42545647");
	VM_EQ(CTL("reg %s scratch 0x1234", a), 0);
	OUT_HAS("SCRATCH (0x0018) <- 0x00001234, reads back 0x00001234");
	VM_EQ(CTL("reg %s 0x1030", a), 0);
	OUT_HAS("PV_WEIGHT (0x1030) = 0x00000008 (8)");
	VM_EQ(CTL("reg %s ID 5", a), 0);
	OUT_HAS("reads back 0x42545647 (read-only)");
	VM_EQ(CTL("reg %s RCS_RING_HEAD", a), 0);
	OUT_HAS("RCS_RING_HEAD (0x2004)");

	VM_EQ(CTL("reg %s NO_SUCH_REG", a), 2);
	VM_EQ(CTL("reg %s 0x2", a), 2);
	VM_EQ(CTL("reg %s 0x200000", a), 2);
	VM_EQ(CTL("reg %s SCRATCH 0x100000000", a), 2);
	VM_EQ(CTL("reg %s SCRATCH -1", a), 2);
	VM_EQ(CTL("reg %s SCRATCH 1 2", a), 2);
	VM_EQ(CTL("reg 11111111-2222-3333-4444-555555555555 ID"), 1);
}

/*
 * The row of mmio policy @name (or pin) in a policy table in out[]: its
 * scope and calls, its date and time checked; its id, or -1.
 */
static int policy_row(const char *name, char *scope, size_t size,
		      long long *calls)
{
	char buf[512], key[64], id[16], nm[64], pin[64], hook[16], tod[16];
	int y = 0, mo = 0, dd = 0, n = 0;
	const char *since;
	size_t len;

	snprintf(key, sizeof(key), " %s ", name);
	line_with(key, buf, sizeof(buf));
	*calls = -1;
	if (sscanf(buf, "%15s %63s %63s %15s %n", id, nm, pin, hook, &n) != 4)
		return -1;
	/* the scope (one or two words) runs up to the date */
	since = strstr(buf + n, " 20");
	if (!since)
		return -1;
	len = (size_t)(since - (buf + n));
	while (len && buf[n + len - 1] == ' ')
		len--;
	snprintf(scope, size, "%.*s", (int)len, buf + n);
	if (sscanf(since, " %4d-%2d-%2d %15s calls %lld", &y, &mo, &dd, tod,
		   calls) != 5 || strlen(tod) != 8 || y < 2024 || mo < 1 ||
	    mo > 12 || dd < 1 || dd > 31)
		return -1;
	return atoi(id);
}

static void test_status(void)
{
	char a[GVT_UUID_STR_LEN], scope[48], want[64];
	struct gvt_policy_info rec;
	long long calls = -1;
	char sched[96];
	uint32_t v;
	long id, ej = -1;

	/* earlier suites may have had policies ejected: the count is sysfs' */
	VM_OK(NULL, gvt_parent_attr_long(0, "sched_ejections", &ej));
	VM_EQ_FATAL(CTL("status"), 0);
	OUT_HAS("gvt0 (/sys/class/gvt/gvt0)");
	OUT_HAS("  totals      aperture 128 MiB, hidden 256 MiB, 64 fences, 128 contexts");
	OUT_HAS("  vGPU ids    1..64");
	OUT_HAS("vGPUs       0 of at most 64");
	OUT_HAS("free share  64/64");
	snprintf(sched, sizeof(sched), "scheduler   built-in weighted, %ld ejection%s so far",
		 ej, ej == 1 ? "" : "s");
	OUT_HAS(sched);
	OUT_HAS("BPF policies");
	OUT_HAS("(none: the built-in handlers and scheduler run)");

	VM_OK_FATAL(NULL, vm_create(2, a));
	VM_OK_FATAL(NULL, vm_dev_setup(&dev_a, 8, false));
	VM_EQ(CTL("set-weight %s 20", a), 0);
	VM_EQ_FATAL(CTL("status"), 0);
	OUT_HAS("vGPUs       2 of at most 64 (1 x V1_2, 1 x V1_8)");
	OUT_HAS("free share  24/64");
	OUT_HAS("0 x V1_1, 0 x V1_2, 1 x V1_4, 3 x V1_8, 6 x V1_16, 12 x V1_32, 24 x V1_64");
	OUT_HAS("weights     28 in total");

	/* an attached policy, shown as a table row with a readable time */
	VM_EQ_FATAL(RUN("%s %s/mmio_trace.bpf.o", gvtload, bpf_dir), 0);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_ID, &v));
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_ID, &v));
	VM_EQ_FATAL(CTL("status"), 0);
	OUT_HAS("ID    NAME");
	VM_EQ_FATAL(vm_policy_find("mmio", "mmio_trace", &rec), 0);
	VM_EQ(policy_row("mmio_trace", scope, sizeof(scope), &calls), rec.id);
	VM_STR(scope, "gvt0");
	CU_ASSERT(calls >= 2);

	/* a policy bound to one vGPU shows that vGPU */
	VM_EQ_FATAL(RUN("%s %s/mmio_guard.bpf.o --vgpu %s --name bound", gvtload,
			bpf_dir, dev_a.uuid), 0);
	id = vgpu_attr(dev_a.uuid, GVT_SYSFS_GROUP "/vgpu_id");
	VM_EQ_FATAL(CTL("policies"), 0);
	/* the kernel names it after its struct_ops, the pin after --name */
	VM_EQ_FATAL(vm_policy_find("mmio", "mmio_guard", &rec), 0);
	VM_EQ(policy_row("bound", scope, sizeof(scope), &calls), rec.id);
	snprintf(want, sizeof(want), "vGPU %ld", id);
	VM_STR(scope, want);
	/* a scheduling policy decides for gvt0 */
	VM_EQ_FATAL(RUN("%s %s/sched_rr.bpf.o", gvtload, bpf_dir), 0);
	VM_EQ_FATAL(CTL("status"), 0);
	snprintf(sched, sizeof(sched), "scheduler   BPF policy sched_rr, %ld ejection%s so far",
		 ej, ej == 1 ? "" : "s");
	OUT_HAS(sched);
	OUT_HAS("decisions ");
	VM_EQ(vm_unload_all(), 0);
	VM_EQ(CTL("status"), 0);
	OUT_HAS("(none: the built-in handlers and scheduler run)");
	OUT_HAS("scheduler   built-in weighted");
}

/* one row of a top table for @uuid: MMIO/s and BUSY% */
static bool top_row(const char *line, double *mmio, double *busy)
{
	char id[16], par[16], type[16], weight[16], status[16];
	double irq, work;

	return sscanf(line, "%15s %15s %15s %15s %15s %lf %lf %lf %lf", id, par,
		      type, weight, status, mmio, &irq, &work, busy) == 9;
}

static atomic_bool busy_stop;

/* reads a register of the vGPU in a loop until busy_stop */
static void *mmio_busy(void *arg)
{
	struct vm_dev *v = arg;
	uint32_t val;

	while (!atomic_load(&busy_stop))
		gvt_vfio_mmio_read32(&v->d, GVT_REG_SCRATCH, &val);
	return NULL;
}

static void test_top(void)
{
	char cmd[PATH_MAX + 64], buf[512], *second;
	uint64_t t0, t1, elapsed;
	double mmio = -1, busy = -1;
	pthread_t th;
	FILE *p;
	int st, tables = 0;
	const char *s;

	VM_OK_FATAL(NULL, vm_dev_setup(&dev_a, 8, false));
	VM_OK_FATAL(NULL, vm_dev_setup(&dev_b, 8, false));

	/*
	 * Two tables 300 ms apart while a thread keeps dev_a busy for as
	 * long as top runs, however long a loaded machine makes that.
	 */
	snprintf(cmd, sizeof(cmd), "%s top -n 2 -i 300 2>&1", gvtctl);
	t0 = vm_now_ms();
	p = popen(cmd, "r");
	CU_ASSERT_FATAL(p != NULL);
	atomic_store(&busy_stop, false);
	VM_EQ_FATAL(pthread_create(&th, NULL, mmio_busy, &dev_a), 0);
	st = vm_collect(p, out, sizeof(out));
	t1 = vm_now_ms();
	atomic_store(&busy_stop, true);
	pthread_join(th, NULL);
	elapsed = t1 - t0;
	VM_EQ(st, 0);
	CU_ASSERT(elapsed >= 600);
	vm_note("top -n 2 -i 300 took %llu ms", (unsigned long long)elapsed);

	for (s = out; (s = strstr(s, "gvtctl top - ")); s++)
		tables++;
	VM_EQ(tables, 2);
	OUT_HAS("every parent: 2 vGPUs, every 300 ms");
	OUT_HAS("MMIO/s");
	OUT_HAS("BUSY%");
	/* no terminal: plain successive tables, no escape sequences */
	OUT_LACKS("\033[");

	/* both tables: dev_a busy on MMIO, dev_b idle */
	second = strstr(strstr(out, "gvtctl top - ") + 1, "gvtctl top - ");
	CU_ASSERT_FATAL(second != NULL);
	line_with(dev_a.uuid, buf, sizeof(buf));
	CU_ASSERT(top_row(buf, &mmio, &busy));
	CU_ASSERT(mmio > 10);
	{
		const char *row = strstr(second, dev_a.uuid);

		CU_ASSERT_FATAL(row != NULL);
		while (row > second && row[-1] != '\n')
			row--;
		CU_ASSERT(top_row(row, &mmio, &busy));
		CU_ASSERT(mmio > 10);
		vm_note("dev_a in the second table: %.1f MMIO/s", mmio);
	}
	line_with(dev_b.uuid, buf, sizeof(buf));
	CU_ASSERT(top_row(buf, &mmio, &busy));
	VM_EQ(mmio == 0.0, 1);
	VM_EQ(busy == 0.0, 1);

	/* bad intervals and counts are refused at once */
	VM_EQ(CTL("top -i 5"), 2);
	OUT_HAS("interval must be");
	VM_EQ(CTL("top -i abc"), 2);
	VM_EQ(CTL("top -n 0"), 2);
	OUT_HAS("count must be");
	VM_EQ(CTL("top -n -1"), 2);
	VM_EQ(CTL("top -n"), 2);
	VM_EQ(CTL("top -n 1 extra"), 2);
	/* one table, the shortest interval */
	VM_EQ(CTL("top -n 1 -i 10"), 0);
	OUT_HAS("every 10 ms");
	VM_EQ(CTL("top -p 0 -n 1 -i 10"), 0);
	OUT_HAS("gvt0: 2 vGPUs, every 10 ms");
}

/*
 * Replaces the module by one loaded with @params (vGPUs and policies must
 * be gone); the shell's status, 0 when the module is back. rmmod is
 * retried for a while: a detached policy's struct_ops map, which holds
 * the module, is freed by the kernel a moment after its link.
 */
static int reload_module(const char *params)
{
	return RUN("(for i in $(seq 50); do grep -q '^gvt_bpf ' /proc/modules || break; "
		   "rmmod gvt_bpf 2>/dev/null && break; sleep 0.1; done; "
		   "grep -q '^gvt_bpf ' /proc/modules && { echo 'gvt_bpf stays in use'; exit 1; }; "
		   "insmod %s %s)", module, params);
}

/* the block of out[] that status printed for gvt@p, into @buf */
static void status_block(unsigned int p, char *buf, size_t size)
{
	char key[32];
	const char *s, *e;

	snprintf(key, sizeof(key), "gvt%u (", p);
	s = strstr(out, key);
	e = s ? strstr(s, "\n\n") : NULL;
	snprintf(buf, size, "%.*s", s ? (int)(e ? e - s : (long)strlen(s)) : 0,
		 s ? s : "");
}

/* two parents: every command spans them, -p picks one, --parents too */
static void two_parents(void)
{
	char a[GVT_UUID_STR_LEN], b[GVT_UUID_STR_LEN], blk[1024];
	struct gvt_policy_info rec;

	VM_EQ_FATAL(gvt_parent_count(), 2);
	VM_EQ(CTL("types"), 0);
	VM_EQ(types_avail(0, 1), 1);
	VM_EQ(types_avail(1, 64), 64);
	VM_EQ(CTL("types -p 1"), 0);
	VM_EQ(types_avail(0, 1), -1);
	VM_EQ(types_avail(1, 1), 1);
	VM_EQ(CTL("types -p 2"), 1);
	OUT_HAS("no parent gvt2 (the module has 2: gvt0..gvt1)");

	/* -p picks the parent; without it, the first with room */
	CU_ASSERT_FATAL(ctl_create("-p 1 V1_1", a));
	VM_EQ(vgpu_attr(a, GVT_SYSFS_GROUP "/parent"), 1);
	VM_EQ(vgpu_attr(a, GVT_SYSFS_GROUP "/vgpu_id"), GVT_MAX_VGPUS + 1);
	CU_ASSERT_FATAL(ctl_create("V1_1", b));
	VM_EQ(vgpu_attr(b, GVT_SYSFS_GROUP "/parent"), 0);
	VM_EQ(vgpu_attr(b, GVT_SYSFS_GROUP "/vgpu_id"), 1);
	VM_EQ(CTL("create V1_64"), 1);
	OUT_HAS("no room for a V1_64 vGPU on any parent (gvt0..gvt1)");
	VM_EQ(CTL("create -p 1 8"), 1);
	OUT_HAS("no room for a V1_8 vGPU on gvt1: 0 available");

	/* list: both, by id; -p 1: its own */
	VM_EQ(CTL("list"), 0);
	CU_ASSERT(strstr(out, b) && strstr(out, a) && strstr(out, b) < strstr(out, a));
	VM_EQ(CTL("list -p 1"), 0);
	OUT_HAS(a);
	OUT_LACKS(b);

	/* scheduling policies per parent, through --parents */
	VM_EQ_FATAL(RUN("%s %s/sched_rr.bpf.o --parents 2", gvtload, bpf_dir), 0);
	VM_EQ_FATAL(vm_policy_find("sched", "sched_rr", &rec), 0);
	VM_EQ(rec.parents, 2);
	VM_EQ(RUN("%s %s/sched_weighted.bpf.o --parents 0x1", gvtload, bpf_dir), 0);
	VM_EQ(RUN("%s %s/sched_priority.bpf.o", gvtload, bpf_dir), 1);
	OUT_HAS("a parent of its mask has a scheduling policy already");
	VM_EQ(RUN("%s %s/mmio_trace.bpf.o", gvtload, bpf_dir), 0);
	VM_EQ(CTL("status"), 0);
	status_block(0, blk, sizeof(blk));
	VM_EQ(strstr(blk, "vGPUs       1 of at most 64 (1 x V1_1)") != NULL, 1);
	VM_EQ(strstr(blk, "scheduler   BPF policy sched_weighted") != NULL, 1);
	status_block(1, blk, sizeof(blk));
	VM_EQ(strstr(blk, "vGPU ids    65..128") != NULL, 1);
	VM_EQ(strstr(blk, "free share  0/64") != NULL, 1);
	VM_EQ(strstr(blk, "scheduler   BPF policy sched_rr") != NULL, 1);
	VM_EQ(CTL("policies"), 0);
	OUT_HAS(" gvt0,gvt1 ");
	VM_EQ(CTL("status -p 1"), 0);
	OUT_LACKS("gvt0 (");
	VM_EQ(CTL("top -n 1 -i 10"), 0);
	OUT_HAS("every parent: 2 vGPUs");
}

static void test_two_parents(void)
{
	VM_EQ_FATAL(vm_unload_all(), 0);
	VM_EQ_FATAL(vm_count_mdevs(), 0);
	if (!VM_EQ(reload_module("parents=2"), 0))
		vm_note("%s", out);
	else
		two_parents();
	/* whatever happened: one parent again, as the other suites expect */
	vm_unload_all();
	forget_made();
	if (!VM_EQ(reload_module(""), 0))
		vm_note("%s", out);
	VM_EQ(gvt_parent_count(), 1);
}

/* mdevctl and gvtctl see each other's vGPUs: the same sysfs, no state */
static void test_beside_mdevctl(void)
{
	char a[GVT_UUID_STR_LEN];
	const char *b = "11111111-2222-3333-4444-555555555555";

	/* tools/setup installs it: its absence is a failure, not a skip */
	VM_EQ_FATAL(RUN("command -v mdevctl"), 0);
	CU_ASSERT_FATAL(ctl_create("V1_4", a));
	VM_EQ(RUN("mdevctl list"), 0);
	OUT_HAS(a);
	OUT_HAS("gvt-V1_4");
	VM_EQ(RUN("mdevctl start -u %s -p gvt0 -t gvt-V1_8", b), 0);
	remember(b);
	VM_EQ(CTL("list"), 0);
	OUT_HAS(b);
	OUT_HAS(a);
	VM_EQ(CTL("remove %s", b), 0);
	VM_EQ(RUN("mdevctl stop -u %s", a), 0);
	CU_ASSERT(!gvt_mdev_exists(a));
	VM_EQ(CTL("list"), 0);
	OUT_LACKS(a);
	VM_EQ(vm_count_mdevs(), 0);
}

int vm_register_gvtctl_suites(void)
{
	static const struct vm_test tests[] = {
		{ "usage errors exit 2 and touch nothing; --help exits 0", test_usage },
		{ "types shows every type with sysfs' available count", test_types },
		{ "create: type spellings, UUIDs, bad input, duplicates, no room", test_create },
		{ "list shows id, type, weight, status and sysfs counters", test_list },
		{ "set-weight validates 1..128 and reaches PV-info", test_set_weight },
		{ "remove: by UUID, any case; refuses an open vGPU", test_remove },
		{ "info opens the vGPU through VFIO: regions, identity, PV-info", test_info },
		{ "reg reads and writes one register by name or offset", test_reg },
		{ "status and policies: totals, free share, scheduler, policy rows", test_status },
		{ "top -n prints per-interval tables with live rates", test_top },
		{ "works beside mdevctl", test_beside_mdevctl },
		{ "two parents: types, create, list, status, policies per parent", test_two_parents },
		{ NULL, NULL }
	};
	const struct vm_test *t;
	CU_pSuite s;

	/* own teardown: vGPUs gvtctl made are not in the shared bookkeeping */
	s = CU_add_suite_with_setup_and_teardown("gvtctl", gvtctl_init,
						 gvtctl_cleanup, NULL,
						 gvtctl_teardown);
	if (!s)
		return CU_get_error();
	for (t = tests; t->name; t++)
		if (!CU_add_test(s, t->name, t->fn))
			return CU_get_error();
	return CUE_SUCCESS;
}
