// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: the vGPU boundary against a hostile VMM, guest and policy.
 * One test per way the boundary was once found broken: a vGPU freed under
 * its engine, SET_IRQS without data, a stream holding the shared engine,
 * a tenant's data left for the next one, guest memory that never faults
 * in, a policy inherited by the next vGPU of a slot, mmap_lock against the
 * vGPU lock, a read-only mapping made writable, and the scheduling
 * benchmark calling a live policy outside its lock. The run boots with
 * slub_debug=FZP, so that a use-after-free shows as a kernel problem.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/userfaultfd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>

#include "vm_gpu.h"
#include "gvt_policy.h"

static char out[8192];
static struct vm_gpu hg[2];

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define RUN(...)	vm_run(out, sizeof(out), __VA_ARGS__)

static int harden_init(void)
{
	if (!vm_build_dir())
		return -1;
	vm_gpus_clear(hg, ARRAY_SIZE(hg));
	return 0;
}

static int harden_cleanup(void)
{
	vm_gpus_teardown(hg, ARRAY_SIZE(hg));
	vm_unload_all();
	return vm_suite_cleanup();
}

static uint32_t *u32p(struct vm_gpu *g, uint32_t off)
{
	return (uint32_t *)(g->mem + off);
}

static long long stat_of(struct vm_gpu *g, const char *name)
{
	return vm_stat(g->v.uuid, name);
}

/* a number from the vGPU's sysfs group */
static long long vgpu_attr(const char *uuid, const char *attr)
{
	char path[512];
	long v = -1;

	if (gvt_mdev_path(uuid, attr, path, sizeof(path)) ||
	    gvt_sysfs_read_long(path, &v))
		return -1;
	return v;
}

/* ---- #1: removal waits for the engine side to let go ------------------- */

/*
 * The executor of a vGPU is held inside the stats event, where it still
 * holds the vGPU, while the vGPU is closed and removed: the removal must
 * wait, and nothing may touch the vGPU after it is freed (slub_debug=FZP
 * poisons freed memory, so a late access shows in the kernel log). A
 * bystander keeps the other engine busy meanwhile and loses nothing.
 */
static void test_remove_waits_for_engine(void)
{
	struct vm_gpu *a = &hg[0], *c = &hg[1];
	uint64_t t0, closed, removed;
	uint32_t id, sc;
	long long stalls = -1;
	int fd;

	if (!VM_OK_FATAL(NULL, vm_gpu_setup(a, 8)) ||
	    !VM_OK_FATAL(NULL, vm_gpu_setup(c, 8)))
		return;
	id = vm_gpu_rd(a, GVT_PV_VGPU_ID);
	VM_POL_OK_FATAL(vm_policy_load("stall_stats", NULL, NULL,
				       "stall_vgpu=%u stall_ms=1500", id));
	sc = vm_gpu_submit_work(c, 1, 30, 100000000);
	vm_gpu_submit_work(a, 0, 30, 100000000);
	usleep(300 * 1000);

	t0 = vm_now_ms();
	gvt_vfio_close(&a->v.d);
	closed = vm_now_ms() - t0;
	VM_OK(NULL, vm_remove(a->v.uuid));
	removed = vm_now_ms() - t0;
	a->v.created = false;
	vm_note("close took %llu ms, close + remove %llu ms",
		(unsigned long long)closed, (unsigned long long)removed);
	fd = bpf_obj_get("/sys/fs/bpf/gvt/stall_stats/stalls");
	if (fd >= 0) {
		uint32_t k = 0;
		uint64_t v = 0;

		if (!bpf_map_lookup_elem(fd, &k, &v))
			stalls = (long long)v;
		close(fd);
	}
	/* the executor was held at least once: the window was open */
	CU_ASSERT(stalls >= 1);
	VM_POL_OK(vm_policy_unload("stall_stats"));
	/* the bystander's work went on and completes */
	VM_EQ(vm_gpu_wait(c, 1, sc, NULL) != 0 || vm_gpu_rd(c,
	      GVT_ENGINE_REG(1, GVT_RING_SEQNO)) == sc, 1);
	vm_gpu_teardown(a);
	vm_gpu_teardown(c);
}

/* ---- #2: SET_IRQS, every index, action, data type and count ----------- */

static const char *irq_action_name(uint32_t a)
{
	switch (a) {
	case VFIO_IRQ_SET_ACTION_MASK: return "MASK";
	case VFIO_IRQ_SET_ACTION_UNMASK: return "UNMASK";
	case VFIO_IRQ_SET_ACTION_TRIGGER: return "TRIGGER";
	default: return "bad";
	}
}

/*
 * Every combination gets an answer: success or a clear error, never a
 * fault (count 0 with DATA_BOOL once dereferenced a NULL pointer with the
 * vGPU's lock held, wedging it). The device works afterwards.
 */
static void test_set_irqs_matrix(void)
{
	static const uint32_t indexes[] = {
		VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX,
		VFIO_PCI_MSIX_IRQ_INDEX, VFIO_PCI_ERR_IRQ_INDEX,
		VFIO_PCI_REQ_IRQ_INDEX, VFIO_PCI_NUM_IRQS, 99,
	};
	static const uint32_t actions[] = {
		VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK,
		VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_ACTION_TRIGGER,
	};
	static const uint32_t dtypes[] = {
		VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL,
		VFIO_IRQ_SET_DATA_EVENTFD,
	};
	struct vm_dev *v = &hg[0].v;
	unsigned int i, a, t, count, start, calls = 0, ok = 0;
	uint32_t id = 0;
	int efd;

	if (!VM_OK_FATAL(NULL, vm_dev_setup(v, 8, false)))
		return;
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	VM_EQ_FATAL(efd >= 0, 1);
	for (i = 0; i < ARRAY_SIZE(indexes); i++)
	for (a = 0; a < ARRAY_SIZE(actions); a++)
	for (t = 0; t < ARRAY_SIZE(dtypes); t++)
	for (count = 0; count <= 2; count++)
	for (start = 0; start <= 1; start++) {
		int32_t fds[2] = { efd, -1 };
		uint8_t bools[2] = { 1, 1 };
		const void *data = dtypes[t] == VFIO_IRQ_SET_DATA_BOOL ?
				   (const void *)bools : (const void *)fds;
		size_t len = dtypes[t] == VFIO_IRQ_SET_DATA_NONE ? 0 :
			     dtypes[t] == VFIO_IRQ_SET_DATA_BOOL ? count :
			     count * sizeof(int32_t);
		int ret = gvt_vfio_set_irqs(&v->d, indexes[i],
					    dtypes[t] | actions[a], start,
					    count, data, len);

		calls++;
		ok += !ret;
		/* count 0 only disables, with DATA_NONE and TRIGGER */
		if (!count && dtypes[t] != VFIO_IRQ_SET_DATA_NONE &&
		    ret != -EINVAL) {
			vm_note("index %u %s data %#x count 0: %d, want -EINVAL",
				indexes[i], irq_action_name(actions[a]),
				dtypes[t], ret);
			CU_FAIL("count 0 with data accepted");
		}
		/* one vector per index: start 1 or count 2 is out of range */
		if ((start || count > 1) && ret != -EINVAL) {
			vm_note("index %u %s start %u count %u: %d, want -EINVAL",
				indexes[i], irq_action_name(actions[a]), start,
				count, ret);
			CU_FAIL("out-of-range vector accepted");
		}
		if (ret && ret != -EINVAL && ret != -EBADF) {
			vm_note("index %u %s data %#x count %u start %u: %d",
				indexes[i], irq_action_name(actions[a]),
				dtypes[t], count, start, ret);
			CU_FAIL("unexpected error");
		}
	}
	vm_note("%u SET_IRQS calls, %u accepted", calls, ok);
	/* the vGPU is not wedged: registers, reset and teardown work */
	VM_OK(&v->d, gvt_vfio_mmio_read32(&v->d, GVT_PV_VGPU_ID, &id));
	CU_ASSERT(id >= 1 && id <= GVT_MAX_VGPUS);
	VM_OK(&v->d, gvt_vfio_reset(&v->d));
	VM_OK(&v->d, gvt_vfio_set_irq_eventfd(&v->d, VFIO_PCI_MSI_IRQ_INDEX, -1));
	close(efd);
	VM_OK(NULL, vm_dev_teardown(v));
}

/* ---- #3: no stream holds the engine past a slice ---------------------- */

#define HOG_RING	0x200000u		/* 2 MiB into the buffer */
#define HOG_PAGES	GVT_RING_MAX_PAGES
#define JOB_NS		1000000u		/* the other vGPU's 1 ms job */
#define JOBS		20

/*
 * The costliest valid stream to scan: the largest ring, full of
 * BATCH_STARTs, each bringing a batch of 8191 NOOPs (2^31 dwords to read,
 * tens of seconds of scanning in one go once).
 */
static void hog_submit(struct vm_gpu *g)
{
	uint32_t size = HOG_PAGES * GVT_PAGE_SIZE, i;

	memset(g->mem + VM_GPU_BATCH, 0, GVT_BATCH_MAX_DWORDS * 4);
	*u32p(g, VM_GPU_BATCH + (GVT_BATCH_MAX_DWORDS - 1) * 4) =
		GVT_CMD_BATCH_END;
	for (i = 0; i < size / 8; i++) {
		*u32p(g, HOG_RING + 8 * i) = GVT_CMD_BATCH_START;
		*u32p(g, HOG_RING + 8 * i + 4) = vm_gpu_ga(g, VM_GPU_BATCH);
	}
	vm_gpu_wr(g, GVT_ENGINE_REG(0, GVT_RING_START), vm_gpu_ga(g, HOG_RING));
	vm_gpu_wr(g, GVT_ENGINE_REG(0, GVT_RING_CTL), GVT_RING_CTL_ENABLE |
		  ((HOG_PAGES - 1) << GVT_RING_CTL_SIZE_SHIFT));
	vm_gpu_wr(g, GVT_ENGINE_REG(0, GVT_RING_TAIL), size - 8);
}

/* submits one 1 ms job on engine 0 and waits for it: its latency in us */
static uint64_t job_latency_us(struct vm_gpu *g)
{
	struct timespec t0, t1;
	uint64_t deadline, cnt;
	uint32_t s;

	vm_gpu_emit(g, 0, (uint32_t[]){ GVT_CMD_WORK, JOB_NS }, 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s = vm_gpu_submit(g, 0);
	deadline = vm_now_ms() + VM_WAIT_MS;
	while (vm_gpu_rd(g, GVT_ENGINE_REG(0, GVT_RING_SEQNO)) != s) {
		if (vm_now_ms() > deadline)
			return UINT64_MAX;
		if (vm_wait_readable(g->efd, 1) > 0)
			vm_eventfd_read(g->efd, &cnt);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	vm_gpu_wr(g, GVT_REG_IIR, vm_gpu_rd(g, GVT_REG_IIR));
	return (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
	       (t1.tv_nsec - t0.tv_nsec) / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Latencies of JOBS jobs: median, 90th percentile and worst. Bounds are
 * checked on the median: under full emulation on a shared host a job can
 * lose milliseconds to the host now and then, whatever the device does.
 */
static void job_latencies(struct vm_gpu *g, uint64_t *p50, uint64_t *p90,
			  uint64_t *max)
{
	uint64_t lat[JOBS];
	unsigned int i;

	for (i = 0; i < JOBS; i++)
		lat[i] = job_latency_us(g);
	qsort(lat, JOBS, sizeof(lat[0]), cmp_u64);
	*p50 = lat[JOBS / 2];
	*p90 = lat[JOBS * 9 / 10];
	*max = lat[JOBS - 1];
}

/* sets the time slice of @g's vGPU, us (0: the default) */
static void set_slice(struct vm_gpu *g, unsigned int us)
{
	char path[512], val[16];

	snprintf(val, sizeof(val), "%u", us);
	VM_OK(NULL, gvt_mdev_path(g->v.uuid, GVT_SYSFS_GROUP "/timeslice_us",
				  path, sizeof(path)));
	VM_OK(NULL, gvt_sysfs_write(path, val));
}

/*
 * While one vGPU keeps submitting the costliest stream there is, the
 * other vGPU's 1 ms job still finishes within three time slices, and the
 * hostile vGPU holds the engine one slice per turn: the scan is done in
 * bounded steps in the hostile vGPU's own slices, and counts as its GPU
 * time. The latency bound is checked with 5 ms slices: each dispatch
 * costs a few hundred microseconds under full emulation, which 1 ms
 * slices cannot absorb; the default slice's figures are reported too.
 */
static void test_hostile_stream(void)
{
	static const unsigned int slices_us[2] = { 0, 5000 };
	struct vm_gpu *a = &hg[0], *b = &hg[1];
	uint64_t base50, base90, basemax, p50, p90, max, t0, t1;
	long long busy0, busy1, sw0, sw1, w0;
	unsigned int k;

	if (!VM_OK_FATAL(NULL, vm_gpu_setup(a, 2)) ||
	    !VM_OK_FATAL(NULL, vm_gpu_setup(b, 2)))
		return;
	for (k = 0; k < 2; k++) {
		unsigned int slice = slices_us[k] ? slices_us[k] :
				     GVT_SCHED_DEFAULT_SLICE_US;
		double per_turn;

		set_slice(a, slices_us[k]);
		set_slice(b, slices_us[k]);
		job_latencies(b, &base50, &base90, &basemax);
		hog_submit(a);
		usleep(50 * 1000);
		busy0 = stat_of(a, "gpu_busy_ns");
		sw0 = stat_of(a, "sched_grants");
		w0 = stat_of(b, "wait_ns");
		t0 = vm_now_ms();
		job_latencies(b, &p50, &p90, &max);
		t1 = vm_now_ms();
		busy1 = stat_of(a, "gpu_busy_ns");
		sw1 = stat_of(a, "sched_grants");
		per_turn = sw1 > sw0 ? (double)(busy1 - busy0) / (sw1 - sw0) / 1000 : 0;
		vm_note("%u us slices: the 1 ms job alone p50/p90/max %llu/%llu/%llu us; beside the hostile stream %llu/%llu/%llu us (3 slices: %u us)",
			slice, (unsigned long long)base50,
			(unsigned long long)base90, (unsigned long long)basemax,
			(unsigned long long)p50, (unsigned long long)p90,
			(unsigned long long)max, 3 * slice);
		vm_note("  the hostile vGPU: %lld us of GPU time in %llu ms, %.0f us per turn; the other waited %lld us per job",
			(busy1 - busy0) / 1000, (unsigned long long)(t1 - t0),
			per_turn, (stat_of(b, "wait_ns") - w0) / 1000 / JOBS);
		CU_ASSERT(max != UINT64_MAX);
		/* the hostile vGPU is still at it, charged for its scanning */
		CU_ASSERT(!(vm_gpu_rd(a, GVT_ENGINE_REG(0, GVT_RING_STATUS)) &
			    GVT_RING_STATUS_IDLE));
		CU_ASSERT(busy1 > busy0);
		/* it had turns, a slice long each (checked with 5 ms slices) */
		CU_ASSERT(sw1 > sw0);
		VM_EQ(vm_gpu_rd(a, GVT_REG_ERROR_COUNT), 0);
		/* stop the hostile ring: reprogramming it drops the workload */
		vm_gpu_wr(a, GVT_ENGINE_REG(0, GVT_RING_CTL), 0);
		if (!slices_us[k])
			continue;
		CU_ASSERT(p50 <= 3ull * slice);
		CU_ASSERT(per_turn <= 1.5 * slice);
	}
	vm_gpu_teardown(a);
	vm_gpu_teardown(b);
}

/* ---- #4: nothing crosses tenants -------------------------------------- */

#define TENANT_MARK	"TENANT-A-SECRET"

/* plane of @g: a 64x64 surface at VM_GPU_SURF_A filled with @px */
static void plane_show(struct vm_gpu *g, uint32_t px)
{
	uint32_t i;

	for (i = 0; i < 64 * 64; i++)
		*u32p(g, VM_GPU_SURF_A + 4 * i) = px;
	vm_gpu_wr(g, GVT_REG_PLANE_SURF, vm_gpu_ga(g, VM_GPU_SURF_A));
	vm_gpu_wr(g, GVT_REG_PLANE_WIDTH, 64);
	vm_gpu_wr(g, GVT_REG_PLANE_HEIGHT, 64);
	vm_gpu_wr(g, GVT_REG_PLANE_STRIDE, 256);
	vm_gpu_wr(g, GVT_REG_PLANE_CTL, GVT_PLANE_CTL_ENABLE);
}

static int plane_query(struct gvt_vfio *d, struct vfio_device_gfx_plane_info *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->argsz = sizeof(*pl);
	pl->flags = VFIO_GFX_PLANE_TYPE_REGION;
	return ioctl(d->device, VFIO_DEVICE_QUERY_GFX_PLANE, pl) ? -errno : 0;
}

/* @len bytes at @off of region @index are all zero */
static bool region_zero(struct gvt_vfio *d, uint32_t index, uint64_t off,
			size_t len)
{
	static uint8_t buf[65536];
	size_t i;

	if (len > sizeof(buf) ||
	    gvt_vfio_region_read(d, index, off, buf, len) != (ssize_t)len)
		return false;
	for (i = 0; i < len; i++)
		if (buf[i])
			return false;
	return true;
}

/*
 * Tenant A leaves a mark in the aperture (BAR2, written and mmapped) and
 * a frame in the plane region, then closes. Whoever opens the vGPU next
 * finds zeros, without asking for a reset; and a VFIO reset alone clears
 * the aperture too.
 */
static void test_no_data_across_tenants(void)
{
	struct vm_gpu *g = &hg[0];
	struct vfio_device_gfx_plane_info pl;
	uint64_t ap;
	void *map = NULL;

	if (!VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)))
		return;
	ap = gvt_vfio_region_size(&g->v.d, VFIO_PCI_BAR2_REGION_INDEX);
	VM_EQ_FATAL(ap >= 2 * GVT_PAGE_SIZE, 1);
	VM_EQ(gvt_vfio_region_write(&g->v.d, VFIO_PCI_BAR2_REGION_INDEX,
				    0x1000, TENANT_MARK, sizeof(TENANT_MARK)),
	      (ssize_t)sizeof(TENANT_MARK));
	VM_OK(&g->v.d, gvt_vfio_mmap_region(&g->v.d, VFIO_PCI_BAR2_REGION_INDEX,
					    0, GVT_PAGE_SIZE,
					    PROT_READ | PROT_WRITE, &map));
	if (map) {
		memcpy((char *)map + 8, TENANT_MARK, sizeof(TENANT_MARK));
		munmap(map, GVT_PAGE_SIZE);
	}
	plane_show(g, 0x00c0ffee);
	VM_OK(&g->v.d, plane_query(&g->v.d, &pl));
	VM_EQ(pl.size, 64 * 256);
	VM_EQ(region_zero(&g->v.d, GVT_PLANE_REGION_INDEX, 0, 256), 0);

	/* the next user: no reset asked for */
	gvt_vfio_close(&g->v.d);
	VM_OK_FATAL(&g->v.d, gvt_vfio_open(&g->v.d, g->v.uuid));
	VM_EQ(region_zero(&g->v.d, VFIO_PCI_BAR2_REGION_INDEX, 0, 0x2000), 1);
	VM_EQ(region_zero(&g->v.d, GVT_PLANE_REGION_INDEX, 0, 64 * 256), 1);
	VM_EQ(vm_mmio_rd(&g->v, GVT_REG_PLANE_CTL), 0);

	/* a function reset clears the aperture as well */
	VM_EQ(gvt_vfio_region_write(&g->v.d, VFIO_PCI_BAR2_REGION_INDEX,
				    ap - sizeof(TENANT_MARK), TENANT_MARK,
				    sizeof(TENANT_MARK)),
	      (ssize_t)sizeof(TENANT_MARK));
	VM_OK(&g->v.d, gvt_vfio_reset(&g->v.d));
	VM_EQ(region_zero(&g->v.d, VFIO_PCI_BAR2_REGION_INDEX,
			  ap - sizeof(TENANT_MARK), sizeof(TENANT_MARK)), 1);
	vm_gpu_teardown(g);
}

/* ---- #5 and #7: guest memory that faults slowly ------------------------ */

/* a userfaultfd over @len bytes at @addr, missing pages reported */
static int uffd_over(void *addr, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* waits up to @ms for a fault on @uffd; 1 when one is pending */
static int uffd_wait_fault(int uffd, int ms, uint64_t *addr)
{
	struct uffd_msg msg;

	if (vm_wait_readable(uffd, ms) <= 0)
		return 0;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return 0;
	*addr = msg.arg.pagefault.address;
	return 1;
}

#define SLOW_IOVA	0x200000000ull
#define SLOW_SIZE	(64u * 1024)
#define SLOW_GA_OFF	0x300000u	/* graphics page mapped to it */

/*
 * vGPU A's batch lives in memory whose faults the VMM never serves
 * (userfaultfd). Its executor waits in that fault; vGPU B's work on the
 * same engine goes on at its pace, and the operator can still read A's
 * counters. Once the VMM lets go of the memory, A's workload ends with a
 * GTT fault and A is usable again.
 */
static void test_slow_guest_memory(void)
{
	struct vm_gpu *a = &hg[0], *b = &hg[1];
	uint64_t p50, p90, max, fault_at = 0, t0;
	uint32_t slot;
	void *slow;
	int uffd;

	if (!VM_OK_FATAL(NULL, vm_gpu_setup(a, 2)) ||
	    !VM_OK_FATAL(NULL, vm_gpu_setup(b, 2)))
		return;
	slot = vm_gpu_ga(a, SLOW_GA_OFF) / GVT_PAGE_SIZE;
	slow = mmap(NULL, SLOW_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VM_EQ_FATAL(slow != MAP_FAILED, 1);
	uffd = uffd_over(slow, SLOW_SIZE);
	if (uffd < 0)
		vm_note("userfaultfd: %s", strerror(-uffd));
	VM_EQ_FATAL(uffd >= 0, 1);
	VM_OK(&a->v.d, gvt_vfio_dma_map(&a->v.d, slow, SLOW_IOVA, SLOW_SIZE));
	/* graphics page SLOW_GA_OFF of A -> the slow memory */
	VM_OK(&a->v.d, gvt_vfio_mmio_write64(&a->v.d, GVT_GTT_OFFSET + 8 * slot,
					     SLOW_IOVA | GVT_PTE_VALID));
	vm_gpu_emit(a, 0, (uint32_t[]){ GVT_CMD_BATCH_START,
		    vm_gpu_ga(a, SLOW_GA_OFF) }, 2);
	vm_gpu_submit(a, 0);
	VM_EQ(uffd_wait_fault(uffd, VM_WAIT_MS, &fault_at), 1);
	vm_note("A's executor waits on its guest memory (fault at %#llx)",
		(unsigned long long)fault_at);

	/* the engine is shared, and B does not wait for A's memory */
	job_latencies(b, &p50, &p90, &max);
	vm_note("B's 1 ms jobs meanwhile: p50/p90/max %llu/%llu/%llu us",
		(unsigned long long)p50, (unsigned long long)p90,
		(unsigned long long)max);
	CU_ASSERT(max != UINT64_MAX && p50 <= 10000);
	/* the operator still reads A's counters */
	t0 = vm_now_ms();
	CU_ASSERT(stat_of(a, "workloads_submitted") >= 1);
	CU_ASSERT(vm_now_ms() - t0 < 1000);

	/*
	 * The VMM lets go: the memory is plain memory again, the page reads
	 * as zeros - a batch of NOOPs with no end, refused - and A is usable.
	 */
	close(uffd);
	t0 = vm_now_ms();
	while (!(vm_gpu_rd(a, GVT_REG_ERROR_COUNT)) &&
	       vm_now_ms() - t0 < VM_WAIT_MS)
		usleep(10 * 1000);
	VM_EQ(vm_gpu_rd(a, GVT_REG_ERROR), GVT_ERR_BATCH_SIZE);
	vm_gpu_emit(a, 0, (uint32_t[]){ GVT_CMD_STORE_DWORD,
		    vm_gpu_ga(a, VM_GPU_DATA), 0x51 }, 3);
	CU_ASSERT(vm_gpu_wait(a, 0, vm_gpu_submit(a, 0), NULL) != 0);
	VM_EQ(*u32p(a, VM_GPU_DATA), 0x51);
	munmap(slow, SLOW_SIZE);
	vm_gpu_teardown(a);
	vm_gpu_teardown(b);
}

struct plane_reader {
	struct gvt_vfio *d;
	void *buf;
	ssize_t ret;
};

static void *plane_read_thread(void *arg)
{
	struct plane_reader *r = arg;

	r->ret = gvt_vfio_region_read(r->d, GVT_PLANE_REGION_INDEX, 0, r->buf,
				      GVT_PAGE_SIZE);
	return NULL;
}

/*
 * The child of test_lock_order: a plane read faults on memory whose
 * fault waits (userfaultfd) while the same process maps the plane region.
 * The mapping runs with mmap_lock held for writing; it must not wait for
 * the vGPU's lock, or the fault handler (which needs mmap_lock to serve
 * the fault) could never finish. Exit 0 when the mmap returned.
 */
static int lock_order_child(const char *uuid)
{
	struct gvt_vfio d;
	struct plane_reader r;
	struct uffdio_zeropage zp;
	pthread_t th;
	uint64_t at = 0;
	void *map = NULL;
	int uffd, ret;

	if (gvt_vfio_open(&d, uuid))
		return 2;
	r.d = &d;
	r.buf = mmap(NULL, GVT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r.buf == MAP_FAILED)
		return 3;
	uffd = uffd_over(r.buf, GVT_PAGE_SIZE);
	if (uffd < 0)
		return 4;
	if (pthread_create(&th, NULL, plane_read_thread, &r))
		return 5;
	if (uffd_wait_fault(uffd, VM_WAIT_MS, &at) != 1)
		return 6;
	/* the read is parked in its fault: map the same region now */
	ret = gvt_vfio_mmap_region(&d, GVT_PLANE_REGION_INDEX, 0, GVT_PAGE_SIZE,
				   PROT_READ, &map);
	if (ret)
		return 7;
	munmap(map, GVT_PAGE_SIZE);
	zp.range.start = at & ~(uint64_t)(GVT_PAGE_SIZE - 1);
	zp.range.len = GVT_PAGE_SIZE;
	zp.mode = 0;
	if (ioctl(uffd, UFFDIO_ZEROPAGE, &zp))
		return 8;
	pthread_join(th, NULL);
	if (r.ret != GVT_PAGE_SIZE)
		return 9;
	close(uffd);
	gvt_vfio_close(&d);
	return 0;
}

/* #7: a child process, so that a deadlock fails the test, not the run */
static void test_lock_order(void)
{
	struct vm_dev *v = &hg[0].v;
	uint64_t t0;
	int status = -1;
	pid_t pid;

	if (!VM_OK_FATAL(NULL, vm_create(8, v->uuid)))
		return;
	pid = fork();
	VM_EQ_FATAL(pid >= 0, 1);
	if (!pid)
		_exit(lock_order_child(v->uuid));
	t0 = vm_now_ms();
	while (waitpid(pid, &status, WNOHANG) == 0 &&
	       vm_now_ms() - t0 < VM_WAIT_MS)
		usleep(20 * 1000);
	if (vm_now_ms() - t0 >= VM_WAIT_MS) {
		vm_note("mmap of the plane region waited on a faulting read: deadlock");
		CU_FAIL("mmap_lock and the vGPU lock taken in both orders");
		return;	/* the child is stuck for good; leave its vGPU */
	}
	VM_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : 128, 0);
	VM_OK(NULL, vm_remove(v->uuid));
}

/* ---- #8: a read-only mapping stays read-only -------------------------- */

static void test_plane_mapping_read_only(void)
{
	struct vm_dev *v = &hg[0].v;
	void *map = NULL;

	if (!VM_OK_FATAL(NULL, vm_dev_setup(v, 8, false)))
		return;
	VM_EQ(gvt_vfio_mmap_region(&v->d, GVT_PLANE_REGION_INDEX, 0,
				   GVT_PAGE_SIZE, PROT_READ | PROT_WRITE, &map),
	      -EINVAL);
	VM_OK(&v->d, gvt_vfio_mmap_region(&v->d, GVT_PLANE_REGION_INDEX, 0,
					  GVT_PAGE_SIZE, PROT_READ, &map));
	if (map) {
		errno = 0;
		VM_EQ(mprotect(map, GVT_PAGE_SIZE, PROT_READ | PROT_WRITE), -1);
		VM_EQ(errno, EACCES);
		munmap(map, GVT_PAGE_SIZE);
	}
	VM_OK(NULL, vm_dev_teardown(v));
}

/* ---- #6: a bound policy ends with its vGPU ----------------------------- */

/* a policy bound to the serial of a removed vGPU cannot attach */
static void bind_serial_refused(uint64_t serial)
{
	struct gvt_policy_opts opts = { .name = "guard_gone" };
	struct gvt_policy p;
	char path[512];

	VM_OK(NULL, gvt_policy_open(&p, vm_bpf_obj("mmio_guard", path,
						   sizeof(path)), &opts));
	VM_OK(NULL, gvt_policy_bind_serial(&p, serial));
	VM_EQ(gvt_policy_attach(&p), -ENODEV);
	gvt_policy_close(&p);
	VM_EQ(access("/sys/fs/bpf/gvt/guard_gone", F_OK), -1);
}

/*
 * mmio_guard bound to vGPU X drops X's SCRATCH writes. X is removed and
 * Y takes its id: Y's writes go through, the policy is shown as orphaned,
 * and binding a new policy to X's serial is refused.
 */
static void test_binding_ends_with_vgpu(void)
{
	struct vm_dev *x = &hg[0].v, *y = &hg[1].v;
	long long id_x, id_y, serial_x, serial_y;
	struct gvt_policy_info pol;

	if (!VM_OK_FATAL(NULL, vm_dev_setup(x, 1, false)))
		return;
	id_x = vgpu_attr(x->uuid, GVT_SYSFS_GROUP "/vgpu_id");
	serial_x = vgpu_attr(x->uuid, GVT_SYSFS_GROUP "/serial");
	CU_ASSERT(serial_x > 0);
	VM_POL_OK_FATAL(vm_policy_load("mmio_guard", "guard_x", x->uuid,
				       "guard_regs[%u]=1", GVT_REG_SCRATCH));
	vm_mmio_wr(x, GVT_REG_SCRATCH, 0x1234);
	VM_EQ(vm_mmio_rd(x, GVT_REG_SCRATCH), 0);
	VM_OK(NULL, vm_dev_teardown(x));

	/* the only V1_1 fits exactly where X was: same id */
	if (!VM_OK_FATAL(NULL, vm_dev_setup(y, 1, false)))
		return;
	id_y = vgpu_attr(y->uuid, GVT_SYSFS_GROUP "/vgpu_id");
	serial_y = vgpu_attr(y->uuid, GVT_SYSFS_GROUP "/serial");
	VM_EQ(id_y, id_x);
	CU_ASSERT(serial_y != serial_x);
	vm_mmio_wr(y, GVT_REG_SCRATCH, 0x5678);
	VM_EQ(vm_mmio_rd(y, GVT_REG_SCRATCH), 0x5678);
	VM_EQ(vm_policy_find("mmio", "mmio_guard", &pol), 0);
	VM_EQ(pol.vgpu_serial, serial_x);
	VM_STR(pol.state, "orphaned");
	VM_EQ(pol.exit_kind, GVT_EXIT_VGPU_GONE);
	VM_EQ(strstr(pol.exit_msg, "was removed") != NULL, 1);
	bind_serial_refused((uint64_t)serial_x);
	VM_POL_OK(vm_policy_unload("guard_x"));
	VM_OK(NULL, vm_dev_teardown(y));
}

/* ---- #9: a replaced policy keeps its watchdog --------------------------- */

/*
 * Replacing a policy while it is being ejected must not leave the new one
 * marked ejected by the old one's fault (and so without a watchdog): the
 * new, starving policy is ejected by its own watchdog, for starvation.
 */
#define ROUNDS	3

static void test_replace_keeps_watchdog(void)
{
	struct vm_gpu *a = &hg[0], *b = &hg[1];
	unsigned int round, starved = 0;
	struct gvt_policy_info pol;

	if (!VM_OK_FATAL(NULL, vm_gpu_setup(a, 8)) ||
	    !VM_OK_FATAL(NULL, vm_gpu_setup(b, 8)))
		return;
	/* enough work for every round: 10 s each */
	vm_gpu_submit_work(a, 0, 200, 50000000);
	vm_gpu_submit_work(b, 0, 200, 50000000);
	for (round = 0; round < ROUNDS; round++) {
		/* ejected at its first decision, while being replaced */
		VM_POL_OK_FATAL(vm_policy_load("bad_sched_invalid", "churn", NULL,
					       NULL));
		VM_POL_OK_FATAL(vm_policy_replace("churn", "bad_sched_starve",
						  NULL));
		/* the kernel notifies the state file: wait for the exit */
		if (!vm_policy_find("sched", NULL, &pol))
			gvt_policy_wait_exit(pol.id, 4000);
		vm_sched_line(out, sizeof(out));
		vm_note("round %u: %.*s", round, (int)strcspn(out, "\n"), out);
		VM_EQ(strstr(out, "sched bad_sched_starve state=ejected") != NULL, 1);
		starved += strstr(out, "reason=a vGPU waited too long") != NULL;
		VM_POL_OK(vm_policy_unload("churn"));
	}
	VM_EQ(starved, ROUNDS);
	vm_gpu_teardown(a);
	vm_gpu_teardown(b);
}

/* ---- #10: the benchmark calls a live policy as the engines do --------- */

/*
 * With sched_reentry attached and the engines deciding all the time, a
 * long scheduling benchmark runs the policy too; the policy sees no op
 * entered while another runs (the scheduler's lock is held around each),
 * and nothing stalls.
 */
static void test_bench_under_lock(void)
{
	struct vm_gpu *a = &hg[0], *b = &hg[1];
	uint64_t v[2] = { 0, 0 };
	uint32_t k;
	int fd;

	if (!VM_OK_FATAL(NULL, vm_gpu_setup(a, 8)) ||
	    !VM_OK_FATAL(NULL, vm_gpu_setup(b, 8)))
		return;
	VM_POL_OK_FATAL(vm_policy_load("sched_reentry", NULL, NULL, NULL));
	/* short jobs on both engines: decisions every slice or sooner */
	vm_gpu_submit_work(a, 0, 400, 200000);
	vm_gpu_submit_work(b, 0, 400, 200000);
	vm_gpu_submit_work(a, 1, 400, 200000);
	vm_gpu_submit_work(b, 1, 400, 200000);
	VM_EQ(RUN("echo '2000000 4' > /sys/kernel/debug/gvt_bpf/bench_sched && cat /sys/kernel/debug/gvt_bpf/bench_sched"), 0);
	vm_note("bench_sched: %.*s", (int)strcspn(out, "\n"), out);
	fd = bpf_obj_get("/sys/fs/bpf/gvt/sched_reentry/reentry");
	VM_EQ_FATAL(fd >= 0, 1);
	for (k = 0; k < 2; k++)
		VM_EQ(bpf_map_lookup_elem(fd, &k, &v[k]), 0);
	close(fd);
	vm_note("policy ops run: %llu, entered while another ran: %llu",
		(unsigned long long)v[1], (unsigned long long)v[0]);
	CU_ASSERT(v[1] > 2000000);
	VM_EQ(v[0], 0);
	vm_sched_line(out, sizeof(out));
	VM_EQ(strstr(out, "sched sched_reentry state=active") != NULL, 1);
	VM_POL_OK(vm_policy_unload("sched_reentry"));
	vm_gpu_teardown(a);
	vm_gpu_teardown(b);
}

/* ---- the interrupt delivery rules ------------------------------------- */

/*
 * An MSI is a memory write: without bus mastering the function sends
 * none. INTx likewise only while the command register allows it, and
 * re-enabling INTx while the interrupt is asserted raises the line.
 */
static void test_irq_needs_master(void)
{
	struct vm_gpu *g = &hg[0];
	uint64_t cnt = 0;
	int intx;

	if (!VM_OK_FATAL(NULL, vm_gpu_setup(g, 8)))
		return;
	vm_eventfd_read(g->efd, &cnt);
	VM_OK(&g->v.d, gvt_vfio_cfg_write16(&g->v.d, PCI_COMMAND,
					    PCI_COMMAND_MEMORY));
	vm_gpu_submit(g, 0);
	usleep(200 * 1000);
	VM_EQ(vm_gpu_rd(g, GVT_REG_IIR) & GVT_IRQ_RENDER_USER,
	      GVT_IRQ_RENDER_USER);
	VM_EQ(vm_wait_readable(g->efd, 100), 0);
	vm_gpu_wr(g, GVT_REG_IIR, ~0u);
	VM_OK(&g->v.d, gvt_vfio_cfg_write16(&g->v.d, PCI_COMMAND,
					    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	vm_gpu_submit(g, 0);
	VM_EQ(vm_wait_readable(g->efd, VM_WAIT_MS), 1);
	vm_gpu_wr(g, GVT_REG_IIR, ~0u);

	/* INTx: MSI off, INTx disabled, an interrupt latched */
	intx = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	VM_EQ_FATAL(intx >= 0, 1);
	VM_OK(&g->v.d, gvt_vfio_set_irq_eventfd(&g->v.d, VFIO_PCI_INTX_IRQ_INDEX,
						intx));
	VM_OK(&g->v.d, gvt_vfio_cfg_write16(&g->v.d, GVT_CFG_MSI_OFFSET +
					    PCI_MSI_FLAGS, 0));
	VM_OK(&g->v.d, gvt_vfio_cfg_write16(&g->v.d, PCI_COMMAND,
					    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
					    PCI_COMMAND_INTX_DISABLE));
	vm_gpu_submit(g, 0);
	usleep(200 * 1000);
	VM_EQ(vm_wait_readable(intx, 100), 0);
	/* enabled again while asserted: the line goes up */
	VM_OK(&g->v.d, gvt_vfio_cfg_write16(&g->v.d, PCI_COMMAND,
					    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	VM_EQ(vm_wait_readable(intx, VM_WAIT_MS), 1);
	VM_OK(&g->v.d, gvt_vfio_set_irq_eventfd(&g->v.d, VFIO_PCI_INTX_IRQ_INDEX,
						-1));
	close(intx);
	vm_gpu_teardown(g);
}

static const struct vm_test harden_tests[] = {
	{ "#1 removal waits for the vGPU's engine side", test_remove_waits_for_engine },
	{ "#2 SET_IRQS: every index, action, data type, count", test_set_irqs_matrix },
	{ "#3 a hostile stream holds the engine one slice at most", test_hostile_stream },
	{ "#4 no data crosses tenants", test_no_data_across_tenants },
	{ "#5 slow guest memory stalls only its vGPU", test_slow_guest_memory },
	{ "#6 a bound policy ends with its vGPU", test_binding_ends_with_vgpu },
	{ "#7 mmap and a faulting read: no lock inversion", test_lock_order },
	{ "#8 a read-only mapping stays read-only", test_plane_mapping_read_only },
	{ "#9 a replaced policy keeps its watchdog", test_replace_keeps_watchdog },
	{ "#10 the benchmark holds the scheduler lock", test_bench_under_lock },
	{ "MSI needs bus mastering, INTx its enable", test_irq_needs_master },
	{ NULL, NULL },
};

int vm_register_harden_suites(void)
{
	return vm_add_suite("hardening", harden_init, harden_cleanup,
			    harden_tests);
}
