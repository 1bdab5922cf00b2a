// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * VM suite: the mdev parent, its types and their accounting, and what
 * sysfs does with bad input.
 *
 * The parent splits its resources in GVT_MAX_DIV slots; a V1_n vGPU takes
 * GVT_MAX_DIV / n slots aligned to that size, so available_instances of a
 * type is the number of free aligned runs of that length.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm_common.h"

/*
 * The slots the vGPUs this file created hold, as the parent assigns them
 * (first fit: the lowest free run aligned to its length), so that the
 * available_instances of every type can be predicted and checked at once.
 */
static uint64_t used;

struct placed {
	char uuid[GVT_UUID_STR_LEN];
	unsigned int slot, n;
};

static struct placed placed[GVT_MAX_DIV];

/* first aligned run of @n free slots in @m, or GVT_MAX_DIV */
static unsigned int first_fit(uint64_t m, unsigned int n)
{
	uint64_t run = n == 64 ? ~0ull : ((1ull << n) - 1);
	unsigned int s;

	for (s = 0; s < GVT_MAX_DIV; s += n)
		if (!(m & (run << s)))
			return s;
	return GVT_MAX_DIV;
}

static long free_runs(uint64_t m, unsigned int n)
{
	uint64_t run = n == 64 ? ~0ull : ((1ull << n) - 1);
	unsigned int s;
	long c = 0;

	for (s = 0; s < GVT_MAX_DIV; s += n)
		c += !(m & (run << s));
	return c;
}

/* creates a V1_@div and books its slots where the parent must put it */
static int create(unsigned int div, char uuid[GVT_UUID_STR_LEN])
{
	unsigned int n = GVT_MAX_DIV / div, slot = first_fit(used, n), i;
	int ret = vm_create(div, uuid);

	if (ret)
		return ret;
	for (i = 0; i < GVT_MAX_DIV; i++) {
		if (placed[i].uuid[0])
			continue;
		snprintf(placed[i].uuid, sizeof(placed[i].uuid), "%s", uuid);
		placed[i].slot = slot;
		placed[i].n = n;
		break;
	}
	used |= (n == 64 ? ~0ull : ((1ull << n) - 1)) << slot;
	return 0;
}

static int destroy(const char *uuid)
{
	int ret = vm_remove(uuid), i;

	for (i = 0; i < GVT_MAX_DIV; i++) {
		if (strcmp(placed[i].uuid, uuid))
			continue;
		used &= ~((placed[i].n == 64 ? ~0ull :
			   ((1ull << placed[i].n) - 1)) << placed[i].slot);
		placed[i].uuid[0] = '\0';
	}
	return ret;
}

/* asserts the available_instances of every type against the slots used */
static void check_avail_at(const char *file, unsigned int line)
{
	char msg[512];
	int i, len = 0;
	bool same = true;

	for (i = 0; i < GVT_NUM_TYPES; i++) {
		long want = free_runs(used, GVT_MAX_DIV / vm_divs[i]);
		long got = gvt_mdev_available(vm_divs[i]);

		same &= got == want;
		len += snprintf(msg + len, sizeof(msg) - len, "%sV1_%u %ld/%ld",
				i ? ", " : "available_instances (got/want) ",
				vm_divs[i], got, want);
	}
	CU_assertImplementation(same, line, msg, file, "", CU_FALSE);
}

#define CHECK_AVAIL()	check_avail_at(__FILE__, __LINE__)
#define CHECK_FRESH()	do { VM_EQ(used, 0); CHECK_AVAIL(); } while (0)

static void type_attr(unsigned int div, const char *attr, char *buf,
		      size_t size)
{
	char path[PATH_MAX];

	buf[0] = '\0';
	VM_OK(NULL, gvt_mdev_type_attr_path(div, attr, path, sizeof(path)));
	VM_EQ(gvt_sysfs_read(path, buf, size) >= 0, 1);
}

/* ---- types ---------------------------------------------------------- */

static void test_parent_exists(void)
{
	CU_ASSERT_FATAL(gvt_sysfs_exists(GVT_MDEV_PARENT_DIR));
	CU_ASSERT(gvt_sysfs_exists(GVT_MDEV_TYPES_DIR));
}

static void test_no_vgpu_at_start(void)
{
	VM_EQ(vm_count_mdevs(), 0);
}

static void test_exactly_the_types(void)
{
	char want[GVT_NUM_TYPES][32];
	bool seen[GVT_NUM_TYPES] = { false };
	struct dirent *de;
	int i, n = 0, unknown = 0;
	DIR *dir;

	for (i = 0; i < GVT_NUM_TYPES; i++)
		gvt_mdev_type_name(vm_divs[i], want[i], sizeof(want[i]));
	dir = opendir(GVT_MDEV_TYPES_DIR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	while ((de = readdir(dir))) {
		bool known = false;

		if (de->d_name[0] == '.')
			continue;
		n++;
		for (i = 0; i < GVT_NUM_TYPES; i++) {
			if (!strcmp(de->d_name, want[i])) {
				seen[i] = true;
				known = true;
			}
		}
		if (!known) {
			vm_note("unexpected type %s", de->d_name);
			unknown++;
		}
	}
	closedir(dir);
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		if (!seen[i])
			vm_note("missing type %s", want[i]);
		CU_ASSERT(seen[i]);
	}
	VM_EQ(n, GVT_NUM_TYPES);
	VM_EQ(unknown, 0);
}

static void test_type_attributes(void)
{
	char buf[256];
	int i;

	for (i = 0; i < GVT_NUM_TYPES; i++) {
		unsigned int div = vm_divs[i];

		type_attr(div, "name", buf, sizeof(buf));
		CU_ASSERT(buf[0] != '\0');
		type_attr(div, "description", buf, sizeof(buf));
		CU_ASSERT(buf[0] != '\0');
		type_attr(div, "device_api", buf, sizeof(buf));
		VM_STR(buf, "vfio-pci");
	}
}

static void test_fresh_available_instances(void)
{
	int i;

	for (i = 0; i < GVT_NUM_TYPES; i++)
		VM_EQ(gvt_mdev_available(vm_divs[i]), vm_divs[i]);
}

/* ---- accounting ----------------------------------------------------- */

static int accounting_init(void)
{
	/* every accounting test starts from an empty parent */
	used = 0;
	memset(placed, 0, sizeof(placed));
	return vm_count_mdevs() == 0 ? 0 : -1;
}

static void test_one_v1_2(void)
{
	char a[GVT_UUID_STR_LEN];

	VM_OK_FATAL(NULL, create(2, a));
	CU_ASSERT(gvt_mdev_exists(a));
	CHECK_AVAIL();
	VM_EQ(gvt_mdev_available(1), 0);
	VM_EQ(gvt_mdev_available(2), 1);
	VM_EQ(gvt_mdev_available(GVT_MAX_DIV), GVT_MAX_DIV / 2);
	VM_OK(NULL, destroy(a));
	CU_ASSERT(!gvt_mdev_exists(a));
	CHECK_FRESH();
}

/* one of each smaller type, twice the smallest: exactly a whole parent */
static void test_fill_and_overflow(void)
{
	char u[GVT_NUM_TYPES + 1][GVT_UUID_STR_LEN], x[GVT_UUID_STR_LEN];
	int i, ret;

	for (i = 1; i < GVT_NUM_TYPES; i++) {
		VM_OK_FATAL(NULL, create(vm_divs[i], u[i]));
		CHECK_AVAIL();
	}
	VM_OK_FATAL(NULL, create(GVT_MAX_DIV, u[0]));
	VM_EQ(used, ~0ull);
	CHECK_AVAIL();

	/* a full parent refuses every type, and the refusal changes nothing */
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		ret = vm_create(vm_divs[i], x);
		CU_ASSERT(ret < 0);
		if (ret < 0 && !i)
			vm_note("create on a full parent: errno %d (%s)", -ret,
				strerror(-ret));
		CU_ASSERT(!gvt_mdev_exists(x));
	}
	CHECK_AVAIL();
	VM_EQ(vm_count_mdevs(), GVT_NUM_TYPES);

	/* each removal gives back exactly its slots, in a mixed order */
	for (i = 1; i < GVT_NUM_TYPES; i += 2) {
		VM_OK(NULL, destroy(u[i]));
		CHECK_AVAIL();
	}
	for (i = 0; i < GVT_NUM_TYPES; i += 2) {
		VM_OK(NULL, destroy(u[i]));
		CHECK_AVAIL();
	}
	CHECK_FRESH();
	VM_EQ(vm_count_mdevs(), 0);
}

static void test_fragmentation(void)
{
	static char u[GVT_MAX_DIV][GVT_UUID_STR_LEN];
	int i;

	for (i = 0; i < GVT_MAX_DIV; i++)
		VM_OK_FATAL(NULL, create(GVT_MAX_DIV, u[i]));
	CHECK_AVAIL();
	/* free every other slot: half the slots free, but no aligned pair */
	for (i = 1; i < GVT_MAX_DIV; i += 2)
		VM_OK(NULL, destroy(u[i]));
	CHECK_AVAIL();
	VM_EQ(gvt_mdev_available(GVT_MAX_DIV / 2), 0);
	/* freeing slot 0 makes the pair 0-1 whole */
	VM_OK(NULL, destroy(u[0]));
	VM_EQ(gvt_mdev_available(GVT_MAX_DIV / 2), 1);
	CHECK_AVAIL();
	/* a mixed tenant set lands in the holes it fits */
	VM_OK(NULL, create(GVT_MAX_DIV / 2, u[0]));
	VM_OK(NULL, create(GVT_MAX_DIV, u[1]));
	CHECK_AVAIL();
	VM_OK(NULL, destroy(u[0]));
	VM_OK(NULL, destroy(u[1]));
	for (i = 2; i < GVT_MAX_DIV; i += 2)
		VM_OK(NULL, destroy(u[i]));
	CHECK_FRESH();
}

static void test_each_type_fills_parent(void)
{
	static char u[GVT_MAX_DIV][GVT_UUID_STR_LEN];
	char x[GVT_UUID_STR_LEN];
	unsigned int div, k;
	int i, ret;

	for (i = 0; i < GVT_NUM_TYPES; i++) {
		div = vm_divs[i];
		for (k = 0; k < div; k++) {
			ret = create(div, u[k]);
			VM_OK(NULL, ret);
			if (ret)
				break;
			VM_EQ(gvt_mdev_available(div), div - k - 1);
		}
		CHECK_AVAIL();
		ret = vm_create(div, x);
		CU_ASSERT(ret < 0);
		if (ret < 0 && div == 1)
			vm_note("create beyond the limit fails with errno %d (%s)",
				-ret, strerror(-ret));
		while (k--)
			VM_OK(NULL, destroy(u[k]));
		CHECK_FRESH();
	}
}

static void test_vgpu_sysfs_links(void)
{
	char u[GVT_UUID_STR_LEN], path[PATH_MAX], buf[PATH_MAX];
	ssize_t n;

	VM_OK_FATAL(NULL, vm_create(4, u));
	/* mdev core links the device to its type; the type must be ours */
	gvt_mdev_path(u, "mdev_type", path, sizeof(path));
	n = readlink(path, buf, sizeof(buf) - 1);
	CU_ASSERT_FATAL(n > 0);
	buf[n] = '\0';
	CU_ASSERT(strstr(buf, GVT_MDEV_TYPE_PREFIX "4") != NULL);
	/* and to an IOMMU group, which VFIO needs */
	gvt_mdev_path(u, "iommu_group", path, sizeof(path));
	CU_ASSERT(gvt_sysfs_exists(path));
	/* the parent lists its child */
	snprintf(path, sizeof(path), GVT_MDEV_PARENT_DIR "/%s", u);
	CU_ASSERT(gvt_sysfs_exists(path));
	VM_OK(NULL, vm_remove(u));
}

/* ---- bad input ------------------------------------------------------ */

static void test_malformed_uuid(void)
{
	char good[GVT_UUID_STR_LEN], path[PATH_MAX], long_uuid[64];
	static const char *const bad[] = {
		"not-a-uuid",
		"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
		"01234567-89ab-cdef-0123-456789abcdeX",
		"0123456789abcdef0123456789abcdef0123",
	};
	unsigned int i;

	gvt_mdev_type_attr_path(2, "create", path, sizeof(path));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		VM_ERR(gvt_sysfs_write(path, bad[i]), EINVAL);
	/* a valid UUID with trailing garbage is not a UUID either */
	VM_OK_FATAL(NULL, gvt_uuid_generate(good, sizeof(good)));
	snprintf(long_uuid, sizeof(long_uuid), "%s-extra", good);
	VM_ERR(gvt_sysfs_write(path, long_uuid), EINVAL);
	CU_ASSERT(!gvt_mdev_exists(good));
	VM_EQ(vm_count_mdevs(), 0);
	CHECK_FRESH();
}

static void test_duplicate_uuid(void)
{
	char u[GVT_UUID_STR_LEN];

	VM_OK_FATAL(NULL, create(8, u));
	/* same type and another type: the name is taken either way */
	VM_ERR(gvt_mdev_create(8, u), EEXIST);
	VM_ERR(gvt_mdev_create(4, u), EEXIST);
	VM_EQ(vm_count_mdevs(), 1);
	/* the failed attempts did not consume slots */
	CHECK_AVAIL();
	VM_OK(NULL, destroy(u));
	CHECK_FRESH();
}

static void test_remove_needs_1(void)
{
	char u[GVT_UUID_STR_LEN], path[PATH_MAX];
	int ret;

	VM_OK_FATAL(NULL, create(8, u));
	gvt_mdev_path(u, "remove", path, sizeof(path));
	VM_ERR(gvt_sysfs_write(path, "abc"), EINVAL);
	CU_ASSERT(gvt_mdev_exists(u));
	/* mdev core accepts 0 as "do nothing" */
	ret = gvt_sysfs_write(path, "0");
	if (ret)
		vm_note("writing 0 to remove: %s", strerror(-ret));
	CU_ASSERT(gvt_mdev_exists(u));
	CHECK_AVAIL();
	VM_OK(NULL, gvt_sysfs_write(path, "1"));
	CU_ASSERT(!gvt_mdev_exists(u));
	vm_remove(u);	/* gone already: only drops the records */
	used = 0;
	/* the attribute went with the device */
	VM_ERR(gvt_sysfs_write(path, "1"), ENOENT);
	CHECK_FRESH();
}

static void test_create_unknown_type(void)
{
	char u[GVT_UUID_STR_LEN], path[PATH_MAX];

	VM_OK_FATAL(NULL, gvt_uuid_generate(u, sizeof(u)));
	snprintf(path, sizeof(path), GVT_MDEV_TYPES_DIR "/"
		 GVT_MDEV_TYPE_PREFIX "3/create");
	VM_ERR(gvt_sysfs_write(path, u), ENOENT);
	CU_ASSERT(!gvt_mdev_exists(u));
}

int vm_register_mdev_suites(void)
{
	static const struct vm_test types[] = {
		{ "parent gvt0 is registered on the mdev bus", test_parent_exists },
		{ "no vGPU exists at start", test_no_vgpu_at_start },
		{ "exactly the types V1_1 .. V1_64", test_exactly_the_types },
		{ "every type has name, description, device_api vfio-pci", test_type_attributes },
		{ "fresh parent: V1_n has n available instances", test_fresh_available_instances },
		{ NULL, NULL }
	};
	static const struct vm_test accounting[] = {
		{ "one V1_2 leaves half of every smaller type", test_one_v1_2 },
		{ "one of each type and a V1_64 fill it; overflow fails; removes restore", test_fill_and_overflow },
		{ "slots are aligned: every other V1_64 freed leaves no V1_32", test_fragmentation },
		{ "each type: n instances fill the parent, one more fails", test_each_type_fills_parent },
		{ "a vGPU links to its type, an IOMMU group and the parent", test_vgpu_sysfs_links },
		{ NULL, NULL }
	};
	static const struct vm_test bad[] = {
		{ "create with a malformed UUID fails with EINVAL", test_malformed_uuid },
		{ "create with a duplicate UUID fails with EEXIST", test_duplicate_uuid },
		{ "remove takes only 1 (abc: EINVAL, 0: no-op)", test_remove_needs_1 },
		{ "create on a type that does not exist fails", test_create_unknown_type },
		{ NULL, NULL }
	};
	int ret;

	ret = vm_add_suite("types", NULL, vm_suite_cleanup, types);
	if (!ret)
		ret = vm_add_suite("accounting", accounting_init,
				   vm_suite_cleanup, accounting);
	if (!ret)
		ret = vm_add_suite("bad input", accounting_init,
				   vm_suite_cleanup, bad);
	return ret;
}
