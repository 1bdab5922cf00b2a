// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: BPF policies on the MMIO trap path, loaded with the real
 * gvt-load, verified by the running kernel, observed through the device
 * the way a guest sees it, and through their pinned maps.
 */
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
#include "gvt/gvt_bpf.h"

static char bin_dir[PATH_MAX + 8];	/* build/bin */
static char bpf_dir[PATH_MAX + 8];	/* build/bpf */
static char out[16384];		/* output of the last command */

static struct vm_dev dev_a, dev_b;

/* runs a shell command, keeps its output in out[]; its exit status */
#define RUN(...)	vm_run(out, sizeof(out), __VA_ARGS__)

#define LOAD(args, ...) RUN("%s/gvt-load " args, bin_dir, ##__VA_ARGS__)

static int bpf_init(void)
{
	const char *top = vm_build_dir();

	if (!top)
		return -1;
	snprintf(bin_dir, sizeof(bin_dir), "%s/bin", top);
	snprintf(bpf_dir, sizeof(bpf_dir), "%s/bpf", top);
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
	uint32_t v;
	int fd, i;

	VM_EQ_FATAL(LOAD("%s/mmio_trace.bpf.o", bpf_dir), 0);
	for (i = 0; i < 10; i++)
		VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &v));
	for (i = 0; i < 7; i++)
		VM_OK(&dev_a.d, gvt_vfio_mmio_write32(&dev_a.d, GVT_REG_SCRATCH, i));
	/* the observer changed nothing the guest sees */
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &v));
	VM_EQ(v, 6);

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

	VM_EQ(LOAD("--list"), 0);
	/* attached in the kernel, to every vGPU, and pinned */
	VM_EQ(strstr(out, "mmio_trace               mmio   all vGPUs") != NULL, 1);
	VM_EQ(strstr(out, "link_mmio_trace") != NULL, 1);
	VM_EQ(LOAD("--unload mmio_trace"), 0);
	VM_EQ(LOAD("--list"), 0);
	VM_EQ(strstr(out, "mmio_trace") == NULL, 1);
}

static void test_guard_one_vgpu(void)
{
	uint32_t ier_a = 0, ier_b = 0, s = 0;
	char path[128];
	int fd;
	struct reg_key k = { vgpu_id(&dev_a), GVT_REG_IER };
	uint64_t n = 0;
	long long denied0 = vm_stat(dev_a.uuid, "mmio_denied");

	VM_EQ_FATAL(LOAD("%s/mmio_guard.bpf.o --vgpu %s --set 'guard_regs[%u]=1'",
			 bpf_dir, dev_a.uuid, GVT_REG_SCRATCH), 0);
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
	long long h0 = vm_stat(dev_a.uuid, "mmio_bpf_handled");

	VM_EQ_FATAL(LOAD("%s/mmio_capmask.bpf.o", bpf_dir), 0);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_CAPS, &caps));
	VM_EQ(caps, GVT_CAPS_VALUE & ~GVT_CAP_DISPLAY);
	/* outside the policy's range: answered by the built-in handler */
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_ID, &id));
	VM_EQ(id, GVT_ID_MAGIC);
	VM_EQ(vm_stat(dev_a.uuid, "mmio_bpf_handled") - h0, 1);

	/* swap the program on the live link, with another knob value */
	VM_EQ(LOAD("--replace mmio_capmask %s/mmio_capmask.bpf.o --set hide_caps=%u",
		   bpf_dir, GVT_CAP_MSI), 0);
	VM_OK(&dev_b.d, gvt_vfio_mmio_read32(&dev_b.d, GVT_REG_CAPS, &caps));
	VM_EQ(caps, GVT_CAPS_VALUE & ~GVT_CAP_MSI);
	VM_EQ(RUN("grep -c '^mmio mmio_capmask' /sys/class/gvt/gvt0/policies"), 0);
	VM_EQ(atoi(out), 1);

	VM_EQ(LOAD("--unload mmio_capmask"), 0);
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

	VM_EQ_FATAL(LOAD("%s/mmio_capmask.bpf.o", bpf_dir), 0);
	VM_EQ_FATAL(LOAD("%s/mmio_trace.bpf.o", bpf_dir), 0);
	VM_EQ(RUN("head -1 /sys/class/gvt/gvt0/policies"), 0);
	VM_EQ(strncmp(out, "mmio mmio_trace", 15), 0);
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

static void test_verifier_refusals(void)
{
	VM_EQ(LOAD("%s/bad_mmio_write_offset.bpf.o", bpf_dir), 1);
	VM_EQ(strstr(out, "only gvt_mmio_access.value is writable") != NULL, 1);
	VM_EQ(strstr(out, "refused") != NULL, 1);
	VM_EQ(LOAD("%s/bad_mmio_kfunc_null.bpf.o", bpf_dir), 1);
	VM_EQ(strstr(out, "refused") != NULL, 1);
	VM_EQ(RUN("ls /sys/fs/bpf/gvt | wc -l"), 0);
	VM_EQ(atoi(out), 0);
	VM_EQ(RUN("cat /sys/class/gvt/gvt0/policies | wc -l"), 0);
	VM_EQ(atoi(out), 0);
}

/* a record forged in map memory gets nothing out of the kfuncs */
static void test_forged_access_contained(void)
{
	uint32_t id = ~0u, scratch = 0;

	VM_EQ_FATAL(LOAD("%s/bad_mmio_forged_access.bpf.o", bpf_dir), 0);
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

	VM_EQ_FATAL(LOAD("%s/vgpu_stats.bpf.o", bpf_dir), 0);
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

	VM_EQ(RUN("bpftool map dump pinned /sys/fs/bpf/gvt/stats"), 0);
	VM_EQ(strstr(out, "\"mmio_reads\"") != NULL, 1);
	VM_EQ(strstr(out, "\"gpu_busy_ns\"") != NULL, 1);
	VM_EQ(LOAD("--unload vgpu_stats"), 0);
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

	VM_EQ_FATAL(LOAD("%s/kfunc_probe.bpf.o", bpf_dir), 0);
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
	VM_EQ(LOAD("--unload kfunc_probe"), 0);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_SCRATCH, &v));
	VM_EQ(v, (uint32_t)-EPERM);
	VM_OK(&dev_a.d, gvt_vfio_mmio_read32(&dev_a.d, GVT_REG_IER, &ier));
	VM_EQ(ier, 0xffff & GVT_IRQ_ALL);	/* no reset happened */

	VM_OK(&dev_a.d, gvt_vfio_set_irq_eventfd(&dev_a.d, VFIO_PCI_MSI_IRQ_INDEX, -1));
	close(efd);
	VM_OK(&dev_a.d, gvt_vfio_reset(&dev_a.d));
}

static void test_loader_bad_input(void)
{
	VM_EQ(LOAD("%s/no_such.bpf.o", bpf_dir), 1);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --set novalue", bpf_dir), 2);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --set only_vgpu=-1", bpf_dir), 2);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --set no_such_knob=1", bpf_dir), 1);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --vgpu not-a-uuid", bpf_dir), 1);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --vgpu 00000000-0000-0000-0000-000000000000",
		   bpf_dir), 1);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o --name ../x", bpf_dir), 1);
	VM_EQ(LOAD("--unload no_such_policy"), 1);
	VM_EQ(LOAD("--replace no_such_policy %s/mmio_trace.bpf.o", bpf_dir), 1);
	VM_EQ(LOAD("--list --unload x"), 2);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o", bpf_dir), 0);
	VM_EQ(LOAD("%s/mmio_trace.bpf.o", bpf_dir), 1);	/* loaded already */
	VM_EQ(strstr(out, "loaded already") != NULL, 1);
	VM_EQ(vm_unload_all(), 0);
}

int vm_register_bpf_suites(void)
{
	static const struct vm_test tests[] = {
		{ "mmio_trace counts every access, bpftool shows named fields", test_trace_counts },
		{ "mmio_guard bound to one vGPU drops its writes only", test_guard_one_vgpu },
		{ "mmio_capmask answers reads; replaced live; unloaded", test_capmask_and_replace },
		{ "policies run in priority order; a policy pins the module", test_stacking_order },
		{ "verifier refuses forbidden writes and bad kfunc args", test_verifier_refusals },
		{ "a forged access record gets nothing from the kfuncs", test_forged_access_contained },
		{ "vgpu_stats mirrors the counters into /sys/fs/bpf/gvt/stats", test_stats_map },
		{ "kfuncs: register read/write, interrupts, attributes", test_kfuncs },
		{ "gvt-load rejects bad input with clear errors", test_loader_bad_input },
		{ NULL, NULL }
	};

	return vm_add_suite("bpf mmio", bpf_init, bpf_cleanup, tests);
}
