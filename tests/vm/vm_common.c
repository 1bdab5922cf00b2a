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
#include "gvt_policy.h"

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

bool vm_assert_out(const char *out, const char *s, bool want,
		   const char *file, unsigned int line)
{
	char msg[512];
	bool ok = (strstr(out, s) != NULL) == want;

	snprintf(msg, sizeof(msg), "output %s \"%s\"",
		 want ? "contains" : "lacks", s);
	if (!ok)
		vm_note("%s failed; the output was:\n%s", msg, out);
	return CU_assertImplementation(ok, line, msg, file, "", false);
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
	unsigned long long v;

	return gvt_vgpu_stat(uuid, name, &v) ? -1 : (long long)v;
}

int vm_policy_find(const char *hook, const char *name,
		   struct gvt_policy_info *p)
{
	static struct gvt_policy_info pols[64];
	int i, n = gvt_policy_list(pols, 64);

	for (i = 0; i < n && i < 64; i++) {
		if ((!hook || !strcmp(pols[i].hook, hook)) &&
		    (!name || !strcmp(pols[i].name, name))) {
			*p = pols[i];
			return 0;
		}
	}
	return n < 0 ? n : -ENOENT;
}

int vm_policy_count(const char *hook)
{
	static struct gvt_policy_info pols[64];
	int i, n = gvt_policy_list(pols, 64), c = 0;

	for (i = 0; i < n && i < 64; i++)
		c += !hook || !strcmp(pols[i].hook, hook);
	return n < 0 ? n : c;
}

const char *vm_sched_line(char *buf, size_t size)
{
	struct gvt_policy_info p;

	buf[0] = '\0';
	if (!vm_policy_find("sched", NULL, &p))
		snprintf(buf, size, "sched %s state=%s decisions=%llu reason=%s msg=%s",
			 p.name, p.state, (unsigned long long)p.decisions,
			 p.exit_reason, p.exit_msg);
	return buf;
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

/* ---- policies, in process ------------------------------------------------ */

/* the last failure of a vm_policy_*() call, for assertion messages */
static char policy_why[2048];

const char *vm_policy_why(void)
{
	return policy_why;
}

/* keeps the library's error and the end of its log; returns @ret */
static int policy_fail(const struct gvt_policy *pol, int ret)
{
	const char *log = gvt_policy_log(pol);
	size_t len = strlen(log), keep = 1024;

	snprintf(policy_why, sizeof(policy_why), "%s%s%s",
		 gvt_policy_error(pol), len ? " | log: ..." : "",
		 len > keep ? log + len - keep : log);
	return ret;
}

const char *vm_bpf_obj(const char *obj, char *buf, size_t size)
{
	const char *top = vm_build_dir();

	snprintf(buf, size, "%s/bpf/%s.bpf.o", top ? top : ".", obj);
	return buf;
}

/* each space-separated word of @sets through gvt_policy_set() */
static int policy_sets(struct gvt_policy *pol, const char *fmt, va_list ap)
{
	char sets[2048], *save = NULL, *w;
	int ret;

	if (!fmt)
		return 0;
	vsnprintf(sets, sizeof(sets), fmt, ap);
	for (w = strtok_r(sets, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		ret = gvt_policy_set(pol, w);
		if (ret)
			return policy_fail(pol, ret);
	}
	return 0;
}

int vm_policy_load(const char *obj, const char *name, const char *uuid,
		   const char *sets, ...)
{
	struct gvt_policy_opts opts = { .name = name };
	struct gvt_policy pol;
	char path[PATH_MAX];
	va_list ap;
	int ret;

	policy_why[0] = '\0';
	ret = gvt_policy_open(&pol, vm_bpf_obj(obj, path, sizeof(path)), &opts);
	if (!ret && uuid)
		ret = gvt_policy_bind_vgpu(&pol, uuid);
	if (ret) {
		ret = policy_fail(&pol, ret);
		gvt_policy_close(&pol);
		return ret;
	}
	va_start(ap, sets);
	ret = policy_sets(&pol, sets, ap);
	va_end(ap);
	if (!ret) {
		ret = gvt_policy_attach(&pol);
		if (ret)
			ret = policy_fail(&pol, ret);
	}
	gvt_policy_close(&pol);
	return ret;
}

int vm_policy_replace(const char *name, const char *obj, const char *sets, ...)
{
	struct gvt_policy pol;
	char path[PATH_MAX];
	va_list ap;
	int ret;

	policy_why[0] = '\0';
	ret = gvt_policy_open(&pol, vm_bpf_obj(obj, path, sizeof(path)), NULL);
	if (ret) {
		ret = policy_fail(&pol, ret);
		gvt_policy_close(&pol);
		return ret;
	}
	va_start(ap, sets);
	ret = policy_sets(&pol, sets, ap);
	va_end(ap);
	if (!ret) {
		ret = gvt_policy_replace(&pol, name);
		if (ret)
			ret = policy_fail(&pol, ret);
	}
	gvt_policy_close(&pol);
	return ret;
}

int vm_policy_unload(const char *name)
{
	int ret = gvt_policy_unload(name);

	snprintf(policy_why, sizeof(policy_why), "unload %s: %s", name,
		 ret ? strerror(-ret) : "done");
	return ret;
}

int vm_unload_all(void)
{
	char names[64][GVT_POLICY_NAME_LEN];
	int i, n = gvt_policy_pinned(names, 64), ret, first = 0;

	for (i = 0; i < n && i < 64; i++) {
		ret = gvt_policy_unload(names[i]);
		if (ret && !first)
			first = ret;
	}
	return n < 0 ? n : first;
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
