// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: shared assertions, vGPU bookkeeping and fixtures.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "vm_common.h"

#define DIV_ENTRY(n) n,
const unsigned int vm_divs[GVT_NUM_TYPES] = { GVT_TYPE_DIVS(DIV_ENTRY) };
#undef DIV_ENTRY

/* more than the parent can hold, so bookkeeping never runs out first */
#define VM_MAX_TRACKED	(2 * GVT_MAX_VGPUS)

struct vm_record {
	char uuid[GVT_UUID_STR_LEN];	/* "" = free */
	bool suite;			/* owned by the suite, not a test */
	struct vm_dev *dev;		/* open through this, or NULL */
};

static struct vm_record records[VM_MAX_TRACKED];

bool vm_assert_eq(unsigned long long a, unsigned long long b,
		  const char *sa, const char *sb, const char *file,
		  unsigned int line, bool fatal)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s == %s (got 0x%llx = %llu, want 0x%llx = %llu)",
		 sa, sb, a, a, b, b);
	return CU_assertImplementation(a == b, line, msg, file, "", fatal);
}

bool vm_assert_ret(long ret, long want, const char *expr, const char *why,
		   const char *file, unsigned int line, bool fatal)
{
	char msg[768];

	if (ret == want) {
		snprintf(msg, sizeof(msg), "%s", expr);
	} else {
		snprintf(msg, sizeof(msg), "%s: got %ld (%s), want %ld (%s)%s%s",
			 expr, ret, ret < 0 ? strerror((int)-ret) : "success",
			 want, want < 0 ? strerror((int)-want) : "success",
			 why && *why ? " -- " : "", why ? why : "");
	}
	return CU_assertImplementation(ret == want, line, msg, file, "", fatal);
}

bool vm_assert_str(const char *a, const char *b, const char *sa,
		   const char *file, unsigned int line)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s == \"%s\" (got \"%s\")", sa, b, a);
	return CU_assertImplementation(!strcmp(a, b), line, msg, file, "",
				       false);
}

void vm_note(const char *fmt, ...)
{
	va_list ap;

	/* on its own line between "Test: ..." and CUnit's verdict */
	printf("\n      note: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n    ");
	fflush(stdout);
}

static int vm_track(const char *uuid, bool suite, struct vm_dev *dev)
{
	int i;

	for (i = 0; i < VM_MAX_TRACKED; i++) {
		if (!records[i].uuid[0]) {
			memcpy(records[i].uuid, uuid, GVT_UUID_STR_LEN);
			records[i].suite = suite;
			records[i].dev = dev;
			return 0;
		}
	}
	return -ENOSPC;
}

static void vm_untrack(const char *uuid)
{
	int i;

	for (i = 0; i < VM_MAX_TRACKED; i++)
		if (!strcmp(records[i].uuid, uuid))
			memset(&records[i], 0, sizeof(records[i]));
}

static int vm_create_owned(unsigned int div, char uuid[GVT_UUID_STR_LEN],
			   bool suite, struct vm_dev *dev)
{
	int ret;

	ret = gvt_uuid_generate(uuid, GVT_UUID_STR_LEN);
	if (ret)
		return ret;
	ret = gvt_mdev_create(div, uuid);
	if (ret)
		return ret;
	ret = vm_track(uuid, suite, dev);
	if (ret) {
		/* cannot happen with a sane module; do not leak the vGPU */
		vm_note("bookkeeping full, removing %s again", uuid);
		gvt_mdev_remove(uuid);
	}
	return ret;
}

int vm_create(unsigned int div, char uuid[GVT_UUID_STR_LEN])
{
	return vm_create_owned(div, uuid, false, NULL);
}

int vm_remove(const char *uuid)
{
	int ret = gvt_mdev_remove(uuid);

	/* gone either way: removing a missing vGPU fails with ENOENT */
	if (!ret || ret == -ENOENT)
		vm_untrack(uuid);
	return ret;
}

int vm_remove_all(bool suite)
{
	int i, ret, first = 0;

	for (i = 0; i < VM_MAX_TRACKED; i++) {
		struct vm_record *r = &records[i];

		if (!r->uuid[0] || (r->suite && !suite))
			continue;
		if (r->dev) {
			gvt_vfio_close(&r->dev->d);
			r->dev->created = false;
		}
		if (!gvt_mdev_exists(r->uuid)) {
			memset(r, 0, sizeof(*r));
			continue;
		}
		ret = vm_remove(r->uuid);
		if (ret) {
			vm_note("cannot remove vGPU %s: %s", r->uuid,
				strerror(-ret));
			if (!first)
				first = ret;
		}
	}
	return first;
}

int vm_count_mdevs(void)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	dir = opendir(GVT_MDEV_DEVICES_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

int vm_suite_cleanup(void)
{
	int left;

	vm_remove_all(true);
	left = vm_count_mdevs();
	if (left) {
		printf("\n  suite cleanup: %d vGPU(s) left on the mdev bus\n",
		       left);
		return -1;
	}
	return 0;
}

void vm_test_teardown(void)
{
	vm_remove_all(false);
}

int vm_dev_setup(struct vm_dev *v, unsigned int div, bool suite)
{
	int ret;

	memset(v, 0, sizeof(*v));
	v->d.container = v->d.group = v->d.device = -1;
	v->div = div;
	ret = vm_create_owned(div, v->uuid, suite, v);
	if (ret) {
		vm_note("cannot create a V1_%u vGPU: %s", div, strerror(-ret));
		return ret;
	}
	v->created = true;
	ret = gvt_vfio_open(&v->d, v->uuid);
	if (ret) {
		vm_note("cannot open vGPU %s: %s", v->uuid,
			gvt_vfio_error(&v->d));
		vm_remove(v->uuid);
		v->created = false;
		return ret;
	}
	return 0;
}

int vm_dev_teardown(struct vm_dev *v)
{
	int ret = 0;

	gvt_vfio_close(&v->d);
	if (v->created) {
		ret = vm_remove(v->uuid);
		if (ret)
			vm_note("cannot remove vGPU %s: %s", v->uuid,
				strerror(-ret));
		v->created = false;
	}
	return ret;
}

/* a module parameter if the module has it, else @def */
static uint64_t vm_param(const char *name, uint64_t def)
{
	char path[PATH_MAX];
	long v;

	snprintf(path, sizeof(path), "/sys/module/gvt_bpf/parameters/%s", name);
	if (gvt_sysfs_read_long(path, &v) || v <= 0)
		return def;
	return (uint64_t)v;
}

void vm_parent_totals(struct vm_parent_totals *t)
{
	t->aperture = vm_param("aperture_mb", GVT_DEFAULT_APERTURE_MB) << 20;
	t->hidden = vm_param("hidden_mb", GVT_DEFAULT_HIDDEN_MB) << 20;
	t->fences = (uint32_t)vm_param("fences", GVT_DEFAULT_FENCES);
	t->contexts = (uint32_t)vm_param("contexts", GVT_DEFAULT_CONTEXTS);
}

static uint32_t pv(struct gvt_vfio *d, uint32_t off)
{
	uint32_t v = 0;

	VM_OK(d, gvt_vfio_mmio_read32(d, off, &v));
	return v;
}

void vm_check_pvinfo(struct gvt_vfio *d, unsigned int div)
{
	struct vm_parent_totals t;
	uint64_t ap_base, ap_size, hid_base, hid_size;
	uint32_t weight;

	vm_parent_totals(&t);
	VM_EQ(pv(d, GVT_PV_MAGIC_LO), GVT_PV_MAGIC_LO_VALUE);
	VM_EQ(pv(d, GVT_PV_MAGIC_HI), GVT_PV_MAGIC_HI_VALUE);
	VM_EQ(pv(d, GVT_PV_VERSION), GVT_PV_VERSION_VALUE);
	VM_EQ(pv(d, GVT_PV_TYPE_DIV), div);
	VM_EQ(pv(d, GVT_PV_FEATURES), GVT_PV_FEATURES_VALUE);
	/* the id the guest sees is the one sysfs shows for the mdev */
	{
		char path[PATH_MAX];
		long id = -1;

		gvt_mdev_path(d->uuid, GVT_SYSFS_GROUP "/vgpu_id", path,
			      sizeof(path));
		VM_OK(NULL, gvt_sysfs_read_long(path, &id));
		VM_EQ(pv(d, GVT_PV_VGPU_ID), id);
	}

	ap_base = pv(d, GVT_PV_APERTURE_BASE);
	ap_size = pv(d, GVT_PV_APERTURE_SIZE);
	hid_base = pv(d, GVT_PV_HIDDEN_BASE);
	hid_size = pv(d, GVT_PV_HIDDEN_SIZE);

	/* the type's share of the parent */
	VM_EQ(ap_size, t.aperture / div);
	VM_EQ(hid_size, t.hidden / div);
	VM_EQ(pv(d, GVT_PV_FENCES), t.fences / div);
	VM_EQ(pv(d, GVT_PV_CONTEXTS), t.contexts / div);
	weight = GVT_WEIGHT_FULL / div;
	VM_EQ(pv(d, GVT_PV_WEIGHT), weight ? weight : GVT_WEIGHT_MIN);

	/* BAR2 is the aperture part: same size, a power of two */
	VM_EQ(gvt_vfio_region_size(d, VFIO_PCI_BAR2_REGION_INDEX), ap_size);
	CU_ASSERT(ap_size && !(ap_size & (ap_size - 1)));

	/* slots are aligned, ranges are page aligned and inside the GM space */
	VM_EQ(ap_base % (ap_size ? ap_size : 1), 0);
	VM_EQ(hid_base % GVT_PAGE_SIZE, 0);
	VM_EQ(hid_size % GVT_PAGE_SIZE, 0);
	CU_ASSERT(ap_base + ap_size <= GVT_GM_SPACE);
	CU_ASSERT(hid_base + hid_size <= GVT_GM_SPACE);
	/* the aperture part and the hidden part do not overlap */
	CU_ASSERT(ap_base + ap_size <= hid_base || hid_base + hid_size <= ap_base);
}

long long vm_stat(const char *uuid, const char *name)
{
	char path[PATH_MAX], buf[4096], *line, *save = NULL;
	size_t len = strlen(name);

	if (gvt_mdev_path(uuid, GVT_SYSFS_GROUP "/stats", path, sizeof(path)) ||
	    gvt_sysfs_read(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, name, len) && line[len] == ' ')
			return atoll(line + len + 1);
	}
	return -1;
}

int vm_wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t deadline = vm_now_ms() + (uint64_t)ms;
	int ret;

	for (;;) {
		uint64_t now = vm_now_ms();

		ret = poll(&p, 1, now >= deadline ? 0 : (int)(deadline - now));
		if (ret >= 0)
			return ret > 0 && (p.revents & POLLIN) ? 1 : 0;
		if (errno != EINTR)
			return -errno;
	}
}

int vm_eventfd_read(int fd, uint64_t *val)
{
	ssize_t n = read(fd, val, sizeof(*val));

	if (n < 0)
		return -errno;
	return n == sizeof(*val) ? 0 : -EIO;
}

uint64_t vm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int vm_collect(FILE *p, char *out, size_t len)
{
	size_t n = 0;
	int st;

	while (n < len - 1) {
		size_t r = fread(out + n, 1, len - 1 - n, p);

		if (!r)
			break;
		n += r;
	}
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int vm_run(char *out, size_t len, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	return vm_collect(p, out, len);
}

const char *vm_build_dir(void)
{
	static char dir[PATH_MAX];
	char *slash;
	ssize_t n;
	int i;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		return NULL;
	dir[n] = '\0';
	/* .../build/tests/vm-suite: two levels up is build/ */
	for (i = 0; i < 2; i++) {
		slash = strrchr(dir, '/');
		if (!slash) {
			dir[0] = '\0';
			return NULL;
		}
		*slash = '\0';
	}
	return dir;
}

int vm_unload_all(void)
{
	const char *top = vm_build_dir();
	char out[4096];		/* what gvt-load says is of no interest here */

	if (!top)
		return -1;
	return vm_run(out, sizeof(out),
		      "for d in /sys/fs/bpf/gvt/*/; do [ -d \"$d\" ] && "
		      "%s/bin/gvt-load --unload \"$(basename \"$d\")\"; done; true",
		      top);
}

int vm_add_suite(const char *name, CU_InitializeFunc init,
		 CU_CleanupFunc cleanup, const struct vm_test *tests)
{
	CU_pSuite s;

	/* GVT_VM_TESTS=TEXT (vm-run passes GVT_* on): only tests naming TEXT */
	const char *only = getenv("GVT_VM_TESTS");

	s = CU_add_suite_with_setup_and_teardown(name, init, cleanup, NULL,
						 vm_test_teardown);
	if (!s)
		return CU_get_error();
	for (; tests->name; tests++) {
		if (only && *only && !strstr(tests->name, only))
			continue;
		if (!CU_add_test(s, tests->name, tests->fn))
			return CU_get_error();
	}
	return CUE_SUCCESS;
}

uint32_t vm_mmio_rd(struct vm_dev *v, uint32_t off)
{
	uint32_t val = 0xdeadbeef;

	VM_OK(&v->d, gvt_vfio_mmio_read32(&v->d, off, &val));
	return val;
}

void vm_mmio_wr(struct vm_dev *v, uint32_t off, uint32_t val)
{
	VM_OK(&v->d, gvt_vfio_mmio_write32(&v->d, off, val));
}
