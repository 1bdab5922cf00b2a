// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Measuring how the engines are shared, for the scheduling suites (see
 * vm_sched.h).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "vm_sched.h"

uint64_t vm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vm_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* everyone's counter, and the moment they were read (the middle) */
static uint64_t vm_window_read(struct vm_gpu *g, unsigned int n, unsigned int e,
			       uint64_t *busy)
{
	uint64_t t0 = vm_now_ns(), t1;
	unsigned int i;

	for (i = 0; i < n; i++)
		busy[i] = vm_gpu_busy(&g[i], e);
	t1 = vm_now_ns();
	return t0 + (t1 - t0) / 2;
}

#define VM_STALLS_DIR	"/sys/fs/bpf/gvt/slice_stalls/"

int vm_stalls_start(void)
{
	char out[4096];

	return vm_gvt_load(out, sizeof(out), "%s/bpf/slice_stalls.bpf.o",
			   vm_build_dir()) ? -EIO : 0;
}

void vm_stalls_stop(void)
{
	char out[4096];

	vm_gvt_load(out, sizeof(out), "--unload slice_stalls");
}

long long vm_stalls(uint64_t *max_ns)
{
	uint32_t k_count = 0, k_max = 2;
	uint64_t count, max;
	int fd = bpf_obj_get(VM_STALLS_DIR "stalls");

	if (fd < 0)
		return -1;
	if (bpf_map_lookup_elem(fd, &k_count, &count) ||
	    bpf_map_lookup_elem(fd, &k_max, &max)) {
		close(fd);
		return -1;
	}
	close(fd);
	if (max_ns)
		*max_ns = max;
	return (long long)count;
}

void vm_stalls_clear(struct vm_gpu *g, unsigned int n)
{
	int fd = bpf_obj_get(VM_STALLS_DIR "excess");
	uint64_t zero = 0;
	unsigned int i;
	uint32_t id;

	for (i = 0; fd >= 0 && i < n; i++) {
		id = vm_gpu_id(&g[i]);
		bpf_map_update_elem(fd, &id, &zero, BPF_ANY);
	}
	if (fd >= 0)
		close(fd);
}

/* the stalls of @g[0..@n) since vm_stalls_clear() into @w */
static void vm_window_stalls(struct vm_gpu *g, unsigned int n,
			     struct vm_window *w)
{
	int fd = bpf_obj_get(VM_STALLS_DIR "excess");
	unsigned int i;
	uint32_t id;

	for (i = 0; fd >= 0 && i < n; i++) {
		id = vm_gpu_id(&g[i]);
		if (bpf_map_lookup_elem(fd, &id, &w->stalled_ns[i]))
			w->stalled_ns[i] = 0;
		if (w->stalled_ns[i] > w->stalled_max_ns)
			w->stalled_max_ns = w->stalled_ns[i];
	}
	if (fd >= 0)
		close(fd);
}

void vm_window_measure(struct vm_gpu *g, unsigned int n, unsigned int e,
		       unsigned int ms, struct vm_window *w)
{
	uint64_t b0[GVT_MAX_VGPUS], t0;
	unsigned int i;

	memset(w, 0, sizeof(*w));
	if (n > GVT_MAX_VGPUS)
		n = GVT_MAX_VGPUS;
	w->n = n;
	t0 = vm_window_read(g, n, e, b0);
	vm_sleep_ms(ms);
	w->wall_ns = vm_window_read(g, n, e, w->busy_ns) - t0;
	vm_window_stalls(g, n, w);
	for (i = 0; i < n; i++) {
		/* a counter that went back (a reset) counts from 0 */
		w->busy_ns[i] = w->busy_ns[i] >= b0[i] ? w->busy_ns[i] - b0[i] :
			       w->busy_ns[i];
		w->total_ns += w->busy_ns[i];
	}
}

double vm_window_slack(const struct vm_window *w, unsigned int i, double want,
		       bool of_wall)
{
	uint64_t t = of_wall ? w->wall_ns : w->total_ns;

	if (!t || i >= w->n)
		return 0;
	return 2 * (w->stalled_ns[i] + want * w->stalled_max_ns) / (double)t;
}

double vm_window_share(const struct vm_window *w, unsigned int i)
{
	return w->total_ns && i < w->n ? (double)w->busy_ns[i] / w->total_ns : 0;
}

double vm_window_util(const struct vm_window *w, unsigned int i)
{
	return w->wall_ns && i < w->n ? (double)w->busy_ns[i] / w->wall_ns : 0;
}

double vm_window_total_util(const struct vm_window *w)
{
	return w->wall_ns ? (double)w->total_ns / w->wall_ns : 0;
}

/* the VMM's part of vm_gpu_setup(), for a vGPU created on any parent */
static int vm_gpu_open_on(struct vm_gpu *g, unsigned int parent,
			  unsigned int div)
{
	struct vm_dev *v = &g->v;
	int ret;

	v->d.container = v->d.group = v->d.device = -1;
	v->div = div;
	ret = gvt_uuid_generate(v->uuid, sizeof(v->uuid));
	ret = ret ?: gvt_mdev_create_on(parent, div, v->uuid);
	if (ret) {
		vm_note("cannot create a V1_%u vGPU on gvt%u: %s", div, parent,
			strerror(-ret));
		return ret;
	}
	v->created = true;
	ret = gvt_vfio_open(&v->d, v->uuid);
	if (ret)
		vm_note("cannot open vGPU %s: %s", v->uuid,
			gvt_vfio_error(&v->d));
	return ret;
}

int vm_gpu_setup_on(struct vm_gpu *g, unsigned int parent, unsigned int div)
{
	uint16_t flags;
	int ret;

	memset(g, 0, sizeof(*g));
	g->efd = -1;
	ret = vm_gpu_open_on(g, parent, div);
	if (ret)
		return ret;
	g->mem = mmap(NULL, VM_GPU_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		return -ENOMEM;
	}
	ret = gvt_vfio_dma_map(&g->v.d, g->mem, VM_GPU_IOVA, VM_GPU_MEM_SIZE);
	if (ret)
		return ret;
	g->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->efd < 0)
		return -errno;
	ret = gvt_vfio_set_irq_eventfd(&g->v.d, VFIO_PCI_MSI_IRQ_INDEX, g->efd);
	ret = ret ?: gvt_vfio_cfg_read16(&g->v.d, GVT_CFG_MSI_OFFSET +
					 PCI_MSI_FLAGS, &flags);
	ret = ret ?: gvt_vfio_cfg_write16(&g->v.d, GVT_CFG_MSI_OFFSET +
					  PCI_MSI_FLAGS,
					  flags | PCI_MSI_FLAGS_ENABLE);
	ret = ret ?: gvt_vfio_cfg_write16(&g->v.d, PCI_COMMAND,
					  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (ret)
		return ret;
	g->hid = vm_gpu_rd(g, GVT_PV_HIDDEN_BASE);
	if (vm_gpu_rd(g, GVT_PV_HIDDEN_SIZE) < VM_GPU_MEM_SIZE)
		return -ENOSPC;
	return vm_gpu_bringup(g);
}

/* does a process hold VFIO group @group (its /dev/vfio/ name) open? */
static bool vm_group_held(const char *group)
{
	static const char vfio[] = "/dev/vfio/";
	char fds[300], fd[600], target[PATH_MAX];
	struct dirent *pe, *fe;
	bool held = false;
	DIR *proc, *dir;
	ssize_t n;

	proc = opendir("/proc");
	if (!proc)
		return true;	/* cannot tell: leave it */
	while (!held && (pe = readdir(proc))) {
		if (pe->d_name[0] < '0' || pe->d_name[0] > '9')
			continue;
		snprintf(fds, sizeof(fds), "/proc/%s/fd", pe->d_name);
		dir = opendir(fds);
		if (!dir)
			continue;
		while (!held && (fe = readdir(dir))) {
			snprintf(fd, sizeof(fd), "%s/%s", fds, fe->d_name);
			n = readlink(fd, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			held = !strncmp(target, vfio, sizeof(vfio) - 1) &&
			       !strcmp(target + sizeof(vfio) - 1, group);
		}
		closedir(dir);
	}
	closedir(proc);
	return held;
}

int vm_remove_leftovers(void)
{
	char path[PATH_MAX], group[PATH_MAX], *base;
	struct dirent *de;
	int n = 0;
	ssize_t len;
	DIR *dir;

	dir = opendir(GVT_MDEV_DEVICES_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), GVT_MDEV_DEVICES_DIR "/%s/iommu_group",
			 de->d_name);
		len = readlink(path, group, sizeof(group) - 1);
		if (len <= 0)
			continue;
		group[len] = '\0';
		base = strrchr(group, '/');
		/* removing an open vGPU waits for its user: leave those */
		if (vm_group_held(base ? base + 1 : group)) {
			printf("\n  vGPU %s is left open by an earlier suite\n",
			       de->d_name);
			continue;
		}
		if (!gvt_mdev_remove(de->d_name))
			n++;
	}
	closedir(dir);
	if (n)
		printf("\n  removed %d vGPU(s) an earlier suite left\n", n);
	return n;
}

int vm_gpus_init(struct vm_gpu *g, unsigned int n)
{
	if (!vm_build_dir())
		return -1;
	vm_gpus_clear(g, n);
	if (vm_remove_leftovers() < 0)
		return -1;
	return vm_stalls_start();
}

int vm_gpus_cleanup(struct vm_gpu *g, unsigned int n)
{
	vm_gpus_teardown(g, n);
	vm_stalls_stop();
	vm_unload_all();
	return vm_suite_cleanup();
}

uint32_t vm_gpu_id(struct vm_gpu *g)
{
	return vm_gpu_rd(g, GVT_PV_VGPU_ID);
}

int vm_gpu_set_weight(struct vm_gpu *g, unsigned int weight)
{
	char path[PATH_MAX], val[16];
	int ret;

	ret = gvt_mdev_path(g->v.uuid, GVT_SYSFS_GROUP "/weight", path,
			    sizeof(path));
	if (ret)
		return ret;
	snprintf(val, sizeof(val), "%u", weight);
	return gvt_sysfs_write(path, val);
}

uint32_t vm_gpu_keep_busy(struct vm_gpu *g, uint32_t e, unsigned int ms)
{
	/* 10 ms a command: a ring holds 20 s of it */
	return vm_gpu_submit_work(g, e, (ms + 9) / 10, 10000000);
}

int vm_gvt_load(char *out, size_t len, const char *fmt, ...)
{
	const char *top = vm_build_dir();
	char args[1536];
	va_list ap;

	if (!top)
		return -1;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return vm_run(out, len, "%s/bin/gvt-load %s", top, args);
}

static int vm_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t vm_percentile(uint64_t *v, unsigned int n, unsigned int pct)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), vm_u64_cmp);
	return v[(uint64_t)(n - 1) * pct / 100];
}
