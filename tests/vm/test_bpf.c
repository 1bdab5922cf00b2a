// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: BPF policies on the MMIO trap path, loaded in process through
 * the policy library, verified by the running kernel, observed through
 * the device the way a guest sees it, and through their pinned maps.
 * Programs the kernel must refuse carry the verifier's expected message
 * beside their code (gvt_expect_refusal in .rodata), checked word for
 * word against the captured log. gvt-load's own tests are test_gvtload.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <linux/pci_regs.h>
#include <bpf/bpf.h>

#include "vm_common.h"
#include "gvt_policy.h"
#include "gvt/gvt_bpf.h"

static char out[16384];		/* output of the last command */

static struct vm_dev dev_a, dev_b;

/* runs a shell command, keeps its output in out[]; its exit status */
#define RUN(...)	vm_run(out, sizeof(out), __VA_ARGS__)

static int bpf_init(void)
{
	if (!vm_build_dir())
		return -1;
	vm_unload_all();
	if (vm_dev_setup(&dev_a, 4, true) || vm_dev_setup(&dev_b, 4, true))
		return -1;
	return 0;
}

static int bpf_cleanup(void)
{
	vm_unload_all();
	return vm_suite_cleanup();
}

static unsigned int vgpu_id(struct vm_dev *v)
{
	uint32_t id = 0;

	gvt_vfio_mmio_read32(&v->d, GVT_PV_VGPU_ID, &id);
	return id;
}

struct reg_key {
	uint32_t vgpu_id;
	uint32_t offset;
};

static void test_trace_counts(void)
{
	struct reg_key k = { vgpu_id(&dev_a), GVT_REG_SCRATCH };
	struct { uint64_t reads, writes; } c = { 0, 0 };
	struct gvt_policy_info pol;
	uint32_t v;
	int fd, i;

	VM_POL_OK_FATAL(vm_policy_load("mmio_trace", NULL, NULL, NULL));
	for (i = 0; i < 10; i++)
		VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &v));
	for (i = 0; i < 7; i++)
		VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_SCRATCH, i));
	/* the observer changed nothing the guest sees */
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &v));
	VM_EQ(v, 6);
	/* the kernel's record counts the same 18 calls */
	VM_EQ_FATAL(vm_policy_find("mmio", "mmio_trace", &pol), 0);
	VM_EQ(pol.calls, 18);

	fd = bpf_obj_get("/sys/fs/bpf/gvt/mmio_trace/trace_regs");
	VM_EQ_FATAL(fd >= 0, 1);
	VM_EQ(bpf_map_lookup_elem(fd, &k, &c), 0);
	VM_EQ(c.reads, 11);
	VM_EQ(c.writes, 7);
	/* the other vGPU made no access to SCRATCH */
	k.vgpu_id = vgpu_id(&dev_b);
	VM_EQ(bpf_map_lookup_elem(fd, &k, &c) == 0 && (c.reads || c.writes), 0);
	close(fd);

	/* bpftool prints the record with its field names (BTF) */
	VM_EQ(RUN("bpftool map dump pinned /sys/fs/bpf/gvt/mmio_trace/trace_regs"), 0);
	VM_EQ(strstr(out, "\"reads\": 11") != NULL, 1);
	VM_EQ(strstr(out, "\"writes\": 7") != NULL, 1);
	VM_EQ(strstr(out, "\"vgpu_id\"") != NULL, 1);

	/* attached in the kernel, to every vGPU of gvt0 and register, pinned */
	VM_EQ(pol.vgpu_serial, 0);
	VM_EQ(pol.nranges, 0);
	VM_EQ(pol.parents, 1);
	VM_STR(pol.state, "active");
	VM_EQ(access("/sys/fs/bpf/gvt/mmio_trace/link_mmio_trace", F_OK), 0);
	VM_POL_OK(vm_policy_unload("mmio_trace"));
	VM_EQ(vm_policy_find("mmio", "mmio_trace", &pol), -ENOENT);
	VM_EQ(access("/sys/fs/bpf/gvt/mmio_trace", F_OK), -1);
}

static void test_guard_one_vgpu(void)
{
	uint32_t ier_a = 0, ier_b = 0, s = 0;
	char path[128];
	int fd;
	struct reg_key k = { vgpu_id(&dev_a), GVT_REG_IER };
	uint64_t n = 0;
	long long denied0 = vm_stat(dev_a.uuid, "mmio_denied");
	unsigned long long serial = 0;
	struct gvt_policy_info pol;

	VM_POL_OK_FATAL(vm_policy_load("mmio_guard", NULL, dev_a.uuid,
				       "guard_regs[%u]=1", GVT_REG_SCRATCH));
	/* bound by the vGPU's serial, which the kernel shows */
	VM_OK(NULL, gvt_vgpu_attr_u64(dev_a.uuid, "serial", &serial));
	VM_EQ_FATAL(vm_policy_find("mmio", "mmio_guard", &pol), 0);
	VM_EQ(pol.vgpu_serial, serial);
	VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_IER, GVT_IRQ_RENDER_USER));
	VM_OK(&dev_b.d, gvt_vfio_mmio_write32(&dev_b.d, GVT_REG_IER, GVT_IRQ_RENDER_USER));
	VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_SCRATCH, 0x1234));
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_IER, &ier_a));
	VM_OK(&dev_b.d, gvt_vfio_mmio_read32(&dev_b.d, GVT_REG_IER, &ier_b));
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &s));
	VM_EQ(ier_a, 0);			/* dropped */
	VM_EQ(ier_b, GVT_IRQ_RENDER_USER);	/* other vGPU untouched */
	VM_EQ(s == 0x1234, 0);
	VM_EQ(vm_stat(dev_a.uuid, "mmio_denied") - denied0, 2);

	snprintf(path, sizeof(path),
		 "/sys/fs/bpf/gvt/mmio_guard-vgpu%u/guard_violations",
		 vgpu_id(&dev_a));
	fd = bpf_obj_get(path);
	VM_EQ_FATAL(fd >= 0, 1);
	VM_EQ(bpf_map_lookup_elem(fd, &k, &n), 0);
	VM_EQ(n, 1);
	close(fd);
	VM_EQ(vm_unload_all(), 0);
	/* detached: the write goes through again */
	VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_IER, GVT_IRQ_RENDER_USER));
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_IER, &ier_a));
	VM_EQ(ier_a, GVT_IRQ_RENDER_USER);
}

static void test_capmask_and_replace(void)
{
	uint32_t caps = 0, id = 0;
	char want[32];
	struct gvt_policy_info pol;
	long long h0 = vm_stat(dev_a.uuid, "mmio_bpf_handled");

	VM_POL_OK_FATAL(vm_policy_load("mmio_capmask", NULL, NULL, NULL));
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_CAPS, &caps));
	VM_EQ(caps, GVT_CAPS_VALUE & ~GVT_CAP_DISPLAY);
	/* outside the policy's range: answered by the built-in handler */
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_ID, &id));
	VM_EQ(id, GVT_ID_MAGIC);
	VM_EQ(vm_stat(dev_a.uuid, "mmio_bpf_handled") - h0, 1);

	/* swap the program on the live link, with another knob value */
	VM_POL_OK(vm_policy_replace("mmio_capmask", "mmio_capmask",
				    "hide_caps=%u", GVT_CAP_MSI));
	VM_OK(&dev_b.d, gvt_vfio_mmio_read32(&dev_b.d, GVT_REG_CAPS, &caps));
	VM_EQ(caps, GVT_CAPS_VALUE & ~GVT_CAP_MSI);
	VM_EQ(vm_policy_count("mmio"), 1);
	VM_EQ(vm_policy_find("mmio", "mmio_capmask", &pol), 0);
	/* the kernel shows the one register it hooks */
	VM_EQ(pol.nranges, 1);
	VM_EQ(pol.ranges[0].start, GVT_REG_CAPS);
	VM_EQ(pol.ranges[0].end, GVT_REG_CAPS + 4);
	snprintf(want, sizeof(want), "%#x+0x4\n", GVT_REG_CAPS);
	VM_EQ(RUN("cat /sys/kernel/gvt/policies/%u/ranges", pol.id), 0);
	VM_STR(out, want);

	VM_POL_OK(vm_policy_unload("mmio_capmask"));
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_CAPS, &caps));
	VM_EQ(caps, GVT_CAPS_VALUE);
}

/* an observer at priority -100 sees accesses a later policy answers */
static void test_stacking_order(void)
{
	struct reg_key k = { vgpu_id(&dev_a), GVT_REG_CAPS };
	struct { uint64_t reads, writes; } c = { 0, 0 };
	uint32_t caps;
	int fd;

	VM_POL_OK_FATAL(vm_policy_load("mmio_capmask", NULL, NULL, NULL));
	VM_POL_OK_FATAL(vm_policy_load("mmio_trace", NULL, NULL, NULL));
	/* both attached; the observer runs first whatever the attach order */
	VM_EQ(vm_policy_count("mmio"), 2);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_CAPS, &caps));
	VM_EQ(caps, GVT_CAPS_VALUE & ~GVT_CAP_DISPLAY);
	fd = bpf_obj_get("/sys/fs/bpf/gvt/mmio_trace/trace_regs");
	VM_EQ_FATAL(fd >= 0, 1);
	VM_EQ(bpf_map_lookup_elem(fd, &k, &c), 0);
	VM_EQ(c.reads, 1);
	close(fd);
	/* a policy holds the module */
	VM_EQ(RUN("rmmod gvt_bpf") != 0, 1);
	VM_EQ(vm_unload_all(), 0);
}

/*
 * Loads @path, which carries gvt_expect_refusal: the kernel must refuse
 * it, and the verifier's log must hold that message word for word.
 * Returns false when the object has no expected message.
 */
static bool check_refusal(const char *path)
{
	char want[GVT_EXIT_MSG_LEN];
	struct gvt_policy pol;
	int ret;

	ret = gvt_policy_open(&pol, path, NULL);
	VM_EQ(ret, 0);
	if (ret || gvt_policy_knob_str(&pol, "gvt_expect_refusal", want,
				       sizeof(want))) {
		gvt_policy_close(&pol);
		return false;
	}
	VM_EQ_FATAL(strlen(want) > 8, 1);
	ret = gvt_policy_load(&pol);
	VM_EQ(ret, -EACCES);
	if (strstr(gvt_policy_log(&pol), want))
		vm_note("%s refused: %s", strrchr(path, '/') + 1, want);
	else
		vm_note("%s: want \"%s\" in the verifier's log:\n%s", path, want,
			gvt_policy_log(&pol));
	VM_EQ(strstr(gvt_policy_log(&pol), want) != NULL, 1);
	gvt_policy_close(&pol);
	return true;
}

/* every object of build/bpf/ that says it must be refused, is */
static void test_verifier_refusals(void)
{
	static const char *const known[] = {
		"bad_mmio_write_offset", "bad_mmio_kfunc_null",
	};
	char dir[PATH_MAX], path[PATH_MAX + 256];
	unsigned int i, found = 0, checked = 0;
	struct dirent *de;
	DIR *d;

	/* the ones known to be refused must say so */
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		found += check_refusal(vm_bpf_obj(known[i], path, sizeof(path)));
	VM_EQ(found, sizeof(known) / sizeof(known[0]));
	/* and any other object with an expected refusal is held to it */
	snprintf(dir, sizeof(dir), "%s/bpf", vm_build_dir());
	d = opendir(dir);
	VM_EQ_FATAL(d != NULL, 1);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 6, ".bpf.o"))
			continue;
		/* the known ones were checked above */
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strncmp(de->d_name, known[i], len - 6) &&
			    strlen(known[i]) == len - 6)
				break;
		if (i < sizeof(known) / sizeof(known[0])) {
			checked++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		checked += check_refusal(path);
	}
	closedir(d);
	VM_EQ(checked >= found, 1);
	/* nothing of them stays: no pin, no kernel record */
	VM_EQ(RUN("ls /sys/fs/bpf/gvt 2>/dev/null | wc -l"), 0);
	VM_EQ(atoi(out), 0);
	VM_EQ(vm_policy_count(NULL), 0);
}

/* a record forged in map memory gets nothing out of the kfuncs */
static void test_forged_access_contained(void)
{
	uint32_t id = ~0u, scratch = 0;

	VM_POL_OK_FATAL(vm_policy_load("bad_mmio_forged_access", NULL, NULL, NULL));
	VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_SCRATCH, 77));
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_ID, &id));
	VM_EQ(id, 0);
	VM_EQ(vm_unload_all(), 0);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_ID, &id));
	VM_EQ(id, GVT_ID_MAGIC);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &scratch));
	VM_EQ(scratch, 77);
}

/* the module's counters, mirrored into a pinned map by a tracing program */
static void test_stats_map(void)
{
	struct gvt_vgpu_stats rec;
	uint32_t key = vgpu_id(&dev_b), v;
	int fd, i;

	VM_POL_OK_FATAL(vm_policy_load("vgpu_stats", NULL, NULL, NULL));
	for (i = 0; i < 5; i++)
		VM_OK(&dev_b.d, gvt_vfio_mmio_read32(&dev_b.d, GVT_REG_SCRATCH, &v));
	VM_OK(&dev_b.d, gvt_vfio_mmio_write32(&dev_b.d, GVT_REG_SCRATCH, 1));
	fd = bpf_obj_get("/sys/fs/bpf/gvt/stats");
	VM_EQ_FATAL(fd >= 0, 1);
	memset(&rec, 0xff, sizeof(rec));
	VM_EQ(bpf_map_lookup_elem(fd, &key, &rec), 0);
	close(fd);
	/* the map holds exactly what sysfs shows after the last access */
	VM_EQ(rec.mmio_reads, vm_stat(dev_b.uuid, "mmio_reads"));
	VM_EQ(rec.mmio_writes, vm_stat(dev_b.uuid, "mmio_writes"));
	VM_EQ(rec.mmio_reads >= 5, 1);

	/* one record of the map, printed with its field names */
	VM_EQ(RUN("bpftool map lookup pinned /sys/fs/bpf/gvt/stats key %u %u %u %u",
		  key & 0xff, (key >> 8) & 0xff, (key >> 16) & 0xff, key >> 24), 0);
	VM_EQ(strstr(out, "\"mmio_reads\"") != NULL, 1);
	VM_EQ(strstr(out, "\"gpu_busy_ns\"") != NULL, 1);
	VM_POL_OK(vm_policy_unload("vgpu_stats"));
	/* the map it pinned by name went with it */
	VM_EQ(access("/sys/fs/bpf/gvt/stats", F_OK), -1);
}

/* every MMIO kfunc acting on a live vGPU (bpf/kfunc_probe.bpf.c) */
static void test_kfuncs(void)
{
	uint32_t id = vgpu_id(&dev_a), pv = 0, v = 0, ier = 0;
	uint16_t flags = 0;
	uint64_t cnt = 0;
	int efd, fd;

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	VM_EQ_FATAL(efd >= 0, 1);
	VM_OK(&dev_a.d, gvt_vfio_set_irq_eventfd(&dev_a.d, VFIO_PCI_MSI_IRQ_INDEX, efd));
	VM_OK(&dev_a.d, gvt_vfio_cfg_read16(&dev_a.d, GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS,
					    &flags));
	VM_OK(&dev_a.d, gvt_vfio_cfg_write16(&dev_a.d, GVT_CFG_MSI_OFFSET + PCI_MSI_FLAGS,
					     flags | PCI_MSI_FLAGS_ENABLE));
	VM_OK(&dev_a.d, gvt_vfio_cfg_write16(&dev_a.d, PCI_COMMAND,
					     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_IMR, 0));

	VM_POL_OK_FATAL(vm_policy_load("kfunc_probe", NULL, NULL, NULL));
	/* gvt_reg_write: IER through the built-in semantics (ro mask kept) */
	VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_SCRATCH,
					      (1u << 30) | 0xffff));
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_IER, &ier));
	VM_EQ(ier, 0xffff & GVT_IRQ_ALL);
	/* gvt_raise_irq: latched in IIR and delivered as an MSI */
	VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_SCRATCH,
					      (1u << 31) | GVT_IRQ_COPY_USER));
	VM_EQ(vm_wait_readable(efd, VM_WAIT_MS), 1);
	VM_OK(NULL, vm_eventfd_read(efd, &cnt));
	VM_EQ(cnt, 1);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_IIR, &v));
	VM_EQ(v & GVT_IRQ_COPY_USER, GVT_IRQ_COPY_USER);
	/* gvt_vgpu_attr and gvt_reg_read answer a read */
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &v));
	VM_EQ(v, 4u << 16 | (GVT_WEIGHT_FULL / 4));
	fd = bpf_obj_get("/sys/fs/bpf/gvt/kfunc_probe/probe_ids");
	VM_EQ_FATAL(fd >= 0, 1);
	VM_EQ(bpf_map_lookup_elem(fd, &id, &pv), 0);
	VM_EQ(pv, id);
	close(fd);
	/* a hook may not reset the vGPU: gvt_reg_write says -EPERM */
	VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_SCRATCH, 1u << 29));
	VM_POL_OK(vm_policy_unload("kfunc_probe"));
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &v));
	VM_EQ(v, (uint32_t)-EPERM);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_IER, &ier));
	VM_EQ(ier, 0xffff & GVT_IRQ_ALL);	/* no reset happened */

	VM_OK(&dev_a.d, gvt_vfio_set_irq_eventfd(&dev_a.d, VFIO_PCI_MSI_IRQ_INDEX, -1));
	close(efd);
	VM_OK(&dev_a.d, gvt_vfio_reset(&dev_a.d));
}

int vm_register_bpf_suites(void)
{
	static const struct vm_test tests[] = {
		{ "mmio_trace counts every access, bpftool shows named fields", test_trace_counts },
		{ "mmio_guard bound to one vGPU drops its writes only", test_guard_one_vgpu },
		{ "mmio_capmask answers reads; replaced live; unloaded", test_capmask_and_replace },
		{ "policies run in priority order; a policy pins the module", test_stacking_order },
		{ "verifier refusals: the log holds each program's expected message", test_verifier_refusals },
		{ "a forged access record gets nothing from the kfuncs", test_forged_access_contained },
		{ "vgpu_stats mirrors the counters into /sys/fs/bpf/gvt/stats", test_stats_map },
		{ "kfuncs: register read/write, interrupts, attributes", test_kfuncs },
		{ NULL, NULL }
	};

	return vm_add_suite("bpf mmio", bpf_init, bpf_cleanup, tests);
}
