// SPDX-License-Identifier: GPL-2.0
/*
 * gvtctl: the vGPUs - types, create, remove, list, set-weight - and what
 * the other commands know of them: which mdevs are gvt vGPUs, of which
 * parent, with what weight, status and counters (one sysfs file each).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gvtctl.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* stats file names to record offsets, from the one list the module uses */
#define STAT_ENTRY(name) { #name, offsetof(struct gvt_vgpu_stats, name) },
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = { GVT_STATS_LIST(STAT_ENTRY) };
#undef STAT_ENTRY

/* ---- parents ------------------------------------------------------------------ */

int need_parents(void)
{
	int n = gvt_parent_count();

	if (!n)
		gvt_cli_err("no %s0 on the mdev bus (%s missing): is the gvt_bpf module loaded?",
			    GVT_PARENT_PREFIX, GVT_MDEV_PARENT_DIR);
	return n;
}

int pick_parent(const struct opts *o, int nparents)
{
	if (o->parent < 0)
		return -1;
	if (o->parent >= nparents) {
		gvt_cli_err("--parent %d: no parent " GVT_PARENT_PREFIX
			    "%d (the module has %d: " GVT_PARENT_PREFIX "0.."
			    GVT_PARENT_PREFIX "%d)", o->parent, o->parent,
			    nparents, nparents - 1);
		return -2;
	}
	return o->parent;
}

int opt_parent(const struct opts *o, int *nparents)
{
	*nparents = need_parents();
	return *nparents ? pick_parent(o, *nparents) : -2;
}

/* ---- which mdevs are ours --------------------------------------------------- */

/*
 * Whether mdev @uuid is a gvt vGPU: 1 yes (*@parent its parent's index),
 * 0 no, -ENOENT when there is no such mdev. The mdev_type link leads to
 * <parent>/mdev_supported_types/<type>; the parent device is compared
 * with each gvt parent by resolved path, not by name. Without the link
 * (an mdev core that lacks it) the gvt/ group, which only this driver
 * adds, decides, and names the parent.
 */
static int mdev_is_gvt(const char *uuid, int *parent)
{
	char path[PATH_MAX], real[PATH_MAX], ours[PATH_MAX];
	unsigned long long v;
	int i, n = gvt_parent_count();
	char *slash;

	*parent = -1;
	if (!gvt_mdev_exists(uuid))
		return -ENOENT;
	if (gvt_mdev_path(uuid, "mdev_type", path, sizeof(path)))
		return -EINVAL;
	if (!realpath(path, real)) {
		if (gvt_vgpu_attr_u64(uuid, "parent", &v))
			return 0;
		*parent = v < GVT_MAX_PARENTS ? (int)v : -1;
		return 1;
	}
	for (i = 0; i < 2; i++) {
		slash = strrchr(real, '/');
		if (!slash)
			return 0;
		*slash = '\0';
	}
	for (i = 0; i < n; i++) {
		if (!gvt_parent_dir((unsigned int)i, path, sizeof(path)) &&
		    realpath(path, ours) && !strcmp(real, ours)) {
			*parent = i;
			return 1;
		}
	}
	return 0;
}

int need_vgpu(const char *cmd, const char *arg, char uuid[GVT_UUID_STR_LEN])
{
	int ret, parent;

	if (!gvt_parse_uuid(arg, uuid))
		return bad_usage("%s: '%s' is not a UUID (8-4-4-4-12 hex digits)",
				 cmd, arg);
	ret = mdev_is_gvt(uuid, &parent);
	if (ret == -ENOENT) {
		gvt_cli_err("%s: no mdev %s (%s/%s missing)", cmd, uuid,
			    GVT_MDEV_DEVICES_DIR, uuid);
		return GVT_EXIT_FAIL;
	}
	if (ret < 0) {
		gvt_cli_err("%s: %s: %s", cmd, uuid, strerror(-ret));
		return GVT_EXIT_FAIL;
	}
	if (!ret) {
		gvt_cli_err("%s: refusing: mdev %s is not a vGPU of a gvt parent",
			    cmd, uuid);
		return GVT_EXIT_FAIL;
	}
	return 0;
}

/* ---- reading a vGPU -------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* the vGPU's counters, one file each; false if a file could not be read */
static bool read_stats(const char *uuid, struct gvt_vgpu_stats *st)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stat_fields); i++) {
		unsigned long long v;

		if (gvt_vgpu_stat(uuid, stat_fields[i].name, &v))
			return false;
		*(__u64 *)((char *)st + stat_fields[i].off) = v;
	}
	return true;
}

static long read_attr_long(const char *uuid, const char *attr)
{
	unsigned long long v;

	if (gvt_vgpu_attr_u64(uuid, attr, &v) || v > LONG_MAX)
		return -1;
	return (long)v;
}

static void read_attr_str(const char *uuid, const char *attr, char *buf,
			  size_t size)
{
	char path[PATH_MAX], rel[64];

	snprintf(rel, sizeof(rel), GVT_SYSFS_GROUP "/%s", attr);
	if (gvt_mdev_path(uuid, rel, path, sizeof(path)) ||
	    gvt_sysfs_read(path, buf, size) < 0)
		snprintf(buf, size, "?");
}

static void read_vgpu(const char *uuid, int parent, struct vgpu *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->uuid, uuid, GVT_UUID_STR_LEN);
	v->parent = parent;
	v->id = read_attr_long(uuid, "vgpu_id");
	v->weight = read_attr_long(uuid, "weight");
	read_attr_str(uuid, "type", v->type, sizeof(v->type));
	read_attr_str(uuid, "status", v->status, sizeof(v->status));
	v->have_stats = read_stats(uuid, &v->st);
	v->t_ns = now_ns();
}

static int cmp_vgpu(const void *a, const void *b)
{
	const struct vgpu *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->uuid, y->uuid);
}

/* room for one more in *@arr; false when out of memory */
static bool grow(struct vgpu **arr, int n, int *cap)
{
	struct vgpu *tmp;

	if (n < *cap)
		return true;
	*cap = *cap ? 2 * *cap : GVT_MAX_VGPUS;
	tmp = realloc(*arr, (size_t)*cap * sizeof(**arr));
	if (!tmp)
		return false;
	*arr = tmp;
	return true;
}

int collect_vgpus(int parent, struct vgpu **out)
{
	struct vgpu *arr = NULL;
	struct dirent *de;
	int n = 0, cap = 0;
	DIR *dir;

	*out = NULL;
	dir = opendir(GVT_MDEV_DEVICES_DIR);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;	/* no mdev yet: none */
	while ((de = readdir(dir))) {
		char uuid[GVT_UUID_STR_LEN];
		int p;

		if (!gvt_parse_uuid(de->d_name, uuid) ||
		    mdev_is_gvt(uuid, &p) != 1 || (parent >= 0 && p != parent))
			continue;
		if (!grow(&arr, n, &cap)) {
			free(arr);
			closedir(dir);
			return -ENOMEM;
		}
		read_vgpu(uuid, p, &arr[n]);
		if (gvt_mdev_exists(uuid))
			n++;
	}
	closedir(dir);
	qsort(arr, (size_t)n, sizeof(*arr), cmp_vgpu);
	*out = arr;
	return n;
}

int collect_vgpus_for(const char *cmd, int parent, struct vgpu **out)
{
	int n = collect_vgpus(parent, out);

	if (n < 0) {
		gvt_cli_err("%s: %s: %s", cmd, GVT_MDEV_DEVICES_DIR,
			    strerror(-n));
		return -1;
	}
	return n;
}

void fmt_long(char *buf, size_t size, long v)
{
	if (v < 0)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%ld", v);
}

/* ---- types -------------------------------------------------------------------- */

static int types_of(unsigned int parent)
{
	unsigned int i;

	for (i = 0; i < GVT_NUM_TYPES; i++) {
		unsigned int div = gvt_type_divs[i];
		char path[PATH_MAX], desc[256];
		long avail = gvt_mdev_available_on(parent, div);

		if (avail < 0) {
			gvt_cli_err("types: " GVT_PARENT_PREFIX "%u " GVT_TYPE_PREFIX
				    "%u: available_instances: %s", parent, div,
				    strerror((int)-avail));
			return GVT_EXIT_FAIL;
		}
		if (gvt_mdev_type_attr_path_on(parent, div, "description", path,
					       sizeof(path)) ||
		    gvt_sysfs_read(path, desc, sizeof(desc)) < 0)
			snprintf(desc, sizeof(desc), "?");
		printf(GVT_PARENT_PREFIX "%-3u " GVT_TYPE_PREFIX "%-5u %9ld %s\n",
		       parent, div, avail, desc);
	}
	return GVT_EXIT_OK;
}

int do_types(int argc, char **argv)
{
	struct opts o;
	int n, p, first, last, rc = GVT_EXIT_OK;

	if (cmd_opts(argc, argv, "p:", 0, 0, &o))
		return o.rc;
	p = opt_parent(&o, &n);
	if (p == -2)
		return GVT_EXIT_FAIL;
	first = p < 0 ? 0 : p;
	last = p < 0 ? n - 1 : p;
	printf("%-6s %-8s %9s %s\n", "PARENT", "TYPE", "AVAILABLE",
	       "DESCRIPTION");
	for (p = first; p <= last && !rc; p++)
		rc = types_of((unsigned int)p);
	return rc;
}

/* ---- create --------------------------------------------------------------------- */

/*
 * The parent to create a V1_@div on: -p's, the only one, or the first
 * with room; -1 (said) when no parent has room.
 */
static int create_parent(int asked, int nparents, unsigned int div)
{
	int p;

	if (asked >= 0)
		return asked;
	if (nparents == 1)
		return 0;	/* create_on() says what is wrong, if anything */
	for (p = 0; p < nparents; p++)
		if (gvt_mdev_available_on((unsigned int)p, div) > 0)
			return p;
	gvt_cli_err("create: no room for a " GVT_TYPE_PREFIX "%u vGPU on any parent ("
		    GVT_PARENT_PREFIX "0.." GVT_PARENT_PREFIX "%d): 0 available",
		    div, nparents - 1);
	return -1;
}

static int create_on(unsigned int parent, unsigned int div, const char *uuid)
{
	int ret = gvt_mdev_create_on(parent, div, uuid);
	long avail;

	if (!ret) {
		printf("%s\n", uuid);
		return GVT_EXIT_OK;
	}
	avail = gvt_mdev_available_on(parent, div);
	if (ret == -ENOSPC || (ret != -EEXIST && avail == 0))
		gvt_cli_err("create: no room for a " GVT_TYPE_PREFIX "%u vGPU on "
			    GVT_PARENT_PREFIX "%u: %ld available", div, parent,
			    avail < 0 ? 0 : avail);
	else if (ret == -EEXIST)
		gvt_cli_err("create: a device named %s exists already", uuid);
	else
		gvt_cli_err("create: " GVT_TYPE_PREFIX "%u %s on " GVT_PARENT_PREFIX
			    "%u: %s", div, uuid, parent, gvt_cli_why(-ret));
	return GVT_EXIT_FAIL;
}

int do_create(int argc, char **argv)
{
	char uuid[GVT_UUID_STR_LEN], hint[128];
	unsigned int div;
	struct opts o;
	int n, p, ret;

	if (cmd_opts(argc, argv, "p:", 1, 2, &o))
		return o.rc;
	if (!gvt_parse_type(o.args[0], &div)) {
		gvt_types_hint(hint, sizeof(hint));
		return bad_usage("create: no such type '%s' (types: %s)",
				 o.args[0], hint);
	}
	if (o.nargs > 1 && !gvt_parse_uuid(o.args[1], uuid))
		return bad_usage("create: '%s' is not a UUID (8-4-4-4-12 hex digits)",
				 o.args[1]);
	p = opt_parent(&o, &n);
	if (p == -2)
		return GVT_EXIT_FAIL;
	if (o.nargs < 2) {
		ret = gvt_uuid_generate(uuid, sizeof(uuid));
		if (ret) {
			gvt_cli_err("create: cannot generate a UUID: %s",
				    strerror(-ret));
			return GVT_EXIT_FAIL;
		}
	}
	if (gvt_mdev_exists(uuid)) {
		gvt_cli_err("create: a vGPU or mdev %s exists already", uuid);
		return GVT_EXIT_FAIL;
	}
	p = create_parent(p, n, div);
	return p < 0 ? GVT_EXIT_FAIL : create_on((unsigned int)p, div, uuid);
}

/* ---- remove ------------------------------------------------------------------------ */

/*
 * The VFIO group of a vGPU, -1 if it has none. Only one process can hold
 * a group open, so a group we cannot open (EBUSY) has a user: a VMM or a
 * test program.
 */
static int vgpu_group(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	uint64_t g;
	ssize_t n;

	if (gvt_mdev_path(uuid, "iommu_group", path, sizeof(path)))
		return -1;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	if (!gvt_parse_dec(base ? base + 1 : link, INT_MAX, &g))
		return -1;
	return (int)g;
}

/* whether someone holds the vGPU's VFIO group open */
static bool in_use(int group)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == EBUSY;
}

int do_remove(int argc, char **argv)
{
	char uuid[GVT_UUID_STR_LEN];
	struct opts o;
	int ret, group;

	if (cmd_opts(argc, argv, "f", 1, 1, &o))
		return o.rc;
	ret = need_vgpu("remove", o.args[0], uuid);
	if (ret)
		return ret;
	/*
	 * Removing an open vGPU blocks until its user lets go (the kernel
	 * asks it through the VFIO request interrupt). Say so instead of
	 * hanging, unless asked to go ahead and let the kernel ask.
	 */
	group = vgpu_group(uuid);
	if (!o.force && group >= 0 && in_use(group)) {
		gvt_cli_err("remove: vGPU %s is in use (VFIO group %d is open): stop its user first, or use -f to have the kernel ask it to release the device",
			    uuid, group);
		return GVT_EXIT_FAIL;
	}
	ret = gvt_mdev_remove(uuid);
	if (ret) {
		gvt_cli_err("remove: %s: %s", uuid, gvt_cli_why(-ret));
		return GVT_EXIT_FAIL;
	}
	printf("removed %s\n", uuid);
	return GVT_EXIT_OK;
}

/* ---- list ------------------------------------------------------------------------------- */

static void fmt_busy(char *buf, size_t size, unsigned long long ns)
{
	snprintf(buf, size, "%llu.%03llus", ns / 1000000000ull,
		 ns / 1000000ull % 1000);
}

#define LIST_ROW	"%-36s %-6s %3s %-6s %6s %-6s %10s %8s %9s %8s %10s\n"

static void list_row(const struct vgpu *v)
{
	char par[16], id[24], w[24], busy[32], mmio[24], irq[24], done[24],
	     rej[24];

	snprintf(par, sizeof(par), v->parent < 0 ? "?" : GVT_PARENT_PREFIX "%d",
		 v->parent);
	fmt_long(id, sizeof(id), v->id);
	fmt_long(w, sizeof(w), v->weight);
	fmt_busy(busy, sizeof(busy), v->st.gpu_busy_ns);
	snprintf(mmio, sizeof(mmio), "%llu",
		 (unsigned long long)(v->st.mmio_reads + v->st.mmio_writes));
	snprintf(irq, sizeof(irq), "%llu", (unsigned long long)v->st.interrupts);
	snprintf(done, sizeof(done), "%llu",
		 (unsigned long long)v->st.workloads_completed);
	snprintf(rej, sizeof(rej), "%llu",
		 (unsigned long long)v->st.workloads_rejected);
	if (!v->have_stats)
		snprintf(mmio, sizeof(mmio), "?");
	printf(LIST_ROW, v->uuid, par, id, v->type, w, v->status, mmio,
	       v->have_stats ? irq : "?", v->have_stats ? done : "?",
	       v->have_stats ? rej : "?", v->have_stats ? busy : "?");
}

int do_list(int argc, char **argv)
{
	struct vgpu *v;
	struct opts o;
	int n, i, p;

	if (cmd_opts(argc, argv, "p:", 0, 0, &o))
		return o.rc;
	p = opt_parent(&o, &n);
	if (p == -2)
		return GVT_EXIT_FAIL;
	n = collect_vgpus_for("list", p, &v);
	if (n < 0)
		return GVT_EXIT_FAIL;
	printf(LIST_ROW, "UUID", "PARENT", "ID", "TYPE", "WEIGHT", "STATUS",
	       "MMIO", "IRQS", "WORK DONE", "REJECTED", "GPU BUSY");
	for (i = 0; i < n; i++)
		list_row(&v[i]);
	free(v);
	return GVT_EXIT_OK;
}

/* ---- set-weight --------------------------------------------------------------------- */

int do_set_weight(int argc, char **argv)
{
	char uuid[GVT_UUID_STR_LEN], path[PATH_MAX], val[24];
	struct opts o;
	uint64_t w;
	long old;
	int ret;

	if (cmd_opts(argc, argv, "", 2, 2, &o))
		return o.rc;
	/* both arguments are checked before anything is looked up */
	if (!gvt_parse_uuid(o.args[0], uuid))
		return bad_usage("set-weight: '%s' is not a UUID (8-4-4-4-12 hex digits)",
				 o.args[0]);
	if (!gvt_parse_dec(o.args[1], UINT64_MAX, &w) || w < GVT_WEIGHT_MIN ||
	    w > GVT_WEIGHT_MAX)
		return bad_usage("set-weight: weight must be an integer in %d..%d, got '%s'",
				 GVT_WEIGHT_MIN, GVT_WEIGHT_MAX, o.args[1]);
	ret = need_vgpu("set-weight", o.args[0], uuid);
	if (ret)
		return ret;
	old = read_attr_long(uuid, "weight");
	snprintf(val, sizeof(val), "%llu", (unsigned long long)w);
	ret = gvt_mdev_path(uuid, GVT_SYSFS_GROUP "/weight", path, sizeof(path));
	if (!ret)
		ret = gvt_sysfs_write(path, val);
	if (ret) {
		gvt_cli_err("set-weight: %s: the kernel refused weight %llu: %s",
			    uuid, (unsigned long long)w, gvt_cli_why(-ret));
		return GVT_EXIT_FAIL;
	}
	if (old >= 0)
		printf("%s: weight %ld -> %llu\n", uuid, old,
		       (unsigned long long)w);
	else
		printf("%s: weight %llu\n", uuid, (unsigned long long)w);
	return GVT_EXIT_OK;
}
