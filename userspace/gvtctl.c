// SPDX-License-Identifier: GPL-2.0
/*
 * gvtctl: manage gvt-bpf vGPUs from the shell.
 *
 *   gvtctl types | create TYPE [UUID] | remove [-f] UUID | list
 *   gvtctl set-weight UUID N | status | top [-i MS] [-n COUNT]
 *   gvtctl info UUID | reg UUID REG [VALUE]
 *
 * It works beside mdevctl, not against it: everything it knows comes from
 * the same sysfs files (the mdev bus, the vGPUs' gvt/ groups, the parent's
 * policies file and the module's parameters), and it keeps no state of its
 * own, so a vGPU created by either tool is seen and managed by both.
 *
 * Exit status: 0 done, 1 the operation failed (the system said no), 2 the
 * command line was wrong (nothing was touched).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "gvt/gvt_abi.h"
#include "gvt/gvt_regs.h"
#include "gvt_sysfs.h"
#include "gvt_vfio.h"

#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define POLICIES_PATH	"/sys/class/" GVT_CLASS_NAME "/" GVT_PARENT_NAME "/policies"
#define PARAMS_DIR	"/sys/module/gvt_bpf/parameters"

/* top: bounds that keep the sampling loop from spinning or overflowing */
#define TOP_MIN_MS	10
#define TOP_MAX_MS	3600000
#define TOP_MAX_COUNT	1000000

#define DIV_ENTRY(n) n,
static const unsigned int type_divs[GVT_NUM_TYPES] = { GVT_TYPE_DIVS(DIV_ENTRY) };
#undef DIV_ENTRY

/* stats file names to record offsets, from the one list the module uses */
#define STAT_ENTRY(name) { #name, offsetof(struct gvt_vgpu_stats, name) },
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = { GVT_STATS_LIST(STAT_ENTRY) };
#undef STAT_ENTRY

/* register names for `reg`, from the register table itself */
#define REG_ENTRY(name, off, reset, ro, flags) { #name, (off), (flags) },
static const struct {
	const char *name;
	uint32_t off;
	uint32_t flags;
} reg_names[] = { GVT_REG_LIST(REG_ENTRY) };
#undef REG_ENTRY

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("gvtctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* a usage error: says what was wrong and where to look, returns 2 */
static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("gvtctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'gvtctl --help'.\n", stderr);
	return EXIT_USAGE;
}

/* strerror plus the usual cause of a permission error on sysfs */
static const char *why(int e)
{
	static char buf[128];

	if (e == EACCES || e == EPERM) {
		snprintf(buf, sizeof(buf), "%s (run as root)", strerror(e));
		return buf;
	}
	return strerror(e);
}

/* ---- input validation ---------------------------------------------------- */

/*
 * A decimal number, digits only (no sign, no spaces, no base prefix) so
 * that "-1", "1e3" or " 5" are refused rather than read as something else.
 */
static bool parse_dec(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s || strlen(s) > 20)
		return false;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (!isdigit((unsigned char)*s) || d > max ||
		    v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* decimal or 0x-prefixed hexadecimal, no sign: register offsets and values */
static bool parse_num(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (!*s || strlen(s) > 16)
			return false;
		for (; *s; s++) {
			if (!isxdigit((unsigned char)*s))
				return false;
			v = v << 4 | (unsigned int)(isdigit((unsigned char)*s) ?
				*s - '0' : (tolower((unsigned char)*s) - 'a' + 10));
		}
		if (v > max)
			return false;
		*out = v;
		return true;
	}
	return parse_dec(s, max, out);
}

/* "V1_4", "gvt-V1_4" or "4" (case-insensitive) to the divisor 4 */
static bool parse_type(const char *s, unsigned int *div)
{
	static const char cls[] = GVT_CLASS_NAME "-";
	unsigned long long v;
	const char *p = s;
	unsigned int i;

	if (!strncasecmp(p, cls, sizeof(cls) - 1)) {
		p += sizeof(cls) - 1;
		/* the mdev type name always has the full V1_ form */
		if (strncasecmp(p, GVT_TYPE_PREFIX, strlen(GVT_TYPE_PREFIX)))
			return false;
	}
	if (!strncasecmp(p, GVT_TYPE_PREFIX, strlen(GVT_TYPE_PREFIX)))
		p += strlen(GVT_TYPE_PREFIX);
	if (p[0] == '0' || !parse_dec(p, 1000, &v))
		return false;
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		if (type_divs[i] == v) {
			*div = (unsigned int)v;
			return true;
		}
	}
	return false;
}

static void types_hint(char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < GVT_NUM_TYPES && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s" GVT_TYPE_PREFIX "%u",
					i ? ", " : "", type_divs[i]);
}

/*
 * 8-4-4-4-12 hexadecimal digits, copied lower-cased: the mdev core names
 * the device with %pUl, so that is the spelling sysfs uses.
 */
static bool parse_uuid(const char *s, char out[GVT_UUID_STR_LEN])
{
	size_t i;

	if (strlen(s) != GVT_UUID_STR_LEN - 1)
		return false;
	for (i = 0; i < GVT_UUID_STR_LEN - 1; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[i] = '\0';
	return true;
}

/* ---- the parent and its vGPUs in sysfs --------------------------------- */

/* bounded copy that may cut @src short (a name only shown in messages) */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int need_parent(void)
{
	if (gvt_sysfs_exists(GVT_MDEV_PARENT_DIR))
		return 0;
	err("no %s on the mdev bus (%s missing): is the gvt_bpf module loaded?",
	    GVT_PARENT_NAME, GVT_MDEV_PARENT_DIR);
	return -ENODEV;
}

/*
 * Whether mdev @uuid is a vGPU of gvt0: 1 yes, 0 no (@parent names its
 * parent when known), -ENOENT when there is no such mdev. The mdev_type
 * link leads to <parent>/mdev_supported_types/<type>; a parent device is
 * compared by its resolved path, not by name. Without the link (an mdev
 * core that lacks it) the gvt/ group, which only this driver adds, decides.
 */
static int mdev_is_gvt(const char *uuid, char *parent, size_t size)
{
	char path[PATH_MAX], real[PATH_MAX], ours[PATH_MAX];
	char *slash;
	int i;

	snprintf(parent, size, "unknown");
	if (!gvt_mdev_exists(uuid))
		return -ENOENT;
	if (gvt_mdev_path(uuid, "mdev_type", path, sizeof(path)))
		return -EINVAL;
	if (!realpath(path, real)) {
		if (gvt_mdev_path(uuid, GVT_SYSFS_GROUP, path, sizeof(path)))
			return -EINVAL;
		return gvt_sysfs_exists(path);
	}
	for (i = 0; i < 2; i++) {
		slash = strrchr(real, '/');
		if (!slash)
			return 0;
		*slash = '\0';
	}
	slash = strrchr(real, '/');
	copy_str(parent, size, slash ? slash + 1 : real);
	if (!realpath(GVT_MDEV_PARENT_DIR, ours))
		return 0;
	return !strcmp(real, ours);
}

/*
 * Checks that @arg names an existing gvt vGPU; fills @uuid.
 * Returns 0, EXIT_USAGE or EXIT_FAIL (with the message printed).
 */
static int need_vgpu(const char *cmd, const char *arg,
		     char uuid[GVT_UUID_STR_LEN])
{
	char parent[NAME_MAX + 1];
	int ret;

	if (!parse_uuid(arg, uuid))
		return bad_usage("%s: '%s' is not a UUID (8-4-4-4-12 hex digits)",
				 cmd, arg);
	ret = mdev_is_gvt(uuid, parent, sizeof(parent));
	if (ret == -ENOENT) {
		err("%s: no mdev %s (%s/%s missing)", cmd, uuid,
		    GVT_MDEV_DEVICES_DIR, uuid);
		return EXIT_FAIL;
	}
	if (ret < 0) {
		err("%s: %s: %s", cmd, uuid, strerror(-ret));
		return EXIT_FAIL;
	}
	if (!ret) {
		err("%s: refusing: mdev %s belongs to parent %s, not %s",
		    cmd, uuid, parent, GVT_PARENT_NAME);
		return EXIT_FAIL;
	}
	return 0;
}

struct vgpu {
	char uuid[GVT_UUID_STR_LEN];
	long id;		/* -1: unreadable (driver not bound) */
	char type[16];
	long weight;		/* -1: unreadable */
	char status[16];
	struct gvt_vgpu_stats st;
	bool have_stats;
	uint64_t t_ns;		/* CLOCK_MONOTONIC when the stats were read */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "name value" lines into @st; unknown names are a newer module's, skipped */
static void parse_stats(char *buf, struct gvt_vgpu_stats *st)
{
	char *line, *save = NULL;

	memset(st, 0, sizeof(*st));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned long long v;
		unsigned int i;

		if (sscanf(line, "%63s %llu", name, &v) != 2)
			continue;
		for (i = 0; i < ARRAY_SIZE(stat_fields); i++)
			if (!strcmp(name, stat_fields[i].name))
				*(__u64 *)((char *)st + stat_fields[i].off) = v;
	}
}

static long read_attr_long(const char *uuid, const char *attr)
{
	char path[PATH_MAX];
	long v;

	if (gvt_mdev_path(uuid, attr, path, sizeof(path)) ||
	    gvt_sysfs_read_long(path, &v))
		return -1;
	return v;
}

static void read_attr_str(const char *uuid, const char *attr, char *buf,
			  size_t size)
{
	char path[PATH_MAX];

	if (gvt_mdev_path(uuid, attr, path, sizeof(path)) ||
	    gvt_sysfs_read(path, buf, size) < 0)
		snprintf(buf, size, "?");
}

static void read_vgpu(const char *uuid, struct vgpu *v)
{
	char path[PATH_MAX], buf[4096];

	memset(v, 0, sizeof(*v));
	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	v->id = read_attr_long(uuid, GVT_SYSFS_GROUP "/vgpu_id");
	v->weight = read_attr_long(uuid, GVT_SYSFS_GROUP "/weight");
	read_attr_str(uuid, GVT_SYSFS_GROUP "/type", v->type, sizeof(v->type));
	read_attr_str(uuid, GVT_SYSFS_GROUP "/status", v->status,
		      sizeof(v->status));
	if (!gvt_mdev_path(uuid, GVT_SYSFS_GROUP "/stats", path, sizeof(path)) &&
	    gvt_sysfs_read(path, buf, sizeof(buf)) >= 0) {
		parse_stats(buf, &v->st);
		v->have_stats = true;
	}
	v->t_ns = now_ns();
}

static int cmp_vgpu(const void *a, const void *b)
{
	const struct vgpu *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->uuid, y->uuid);
}

/*
 * Every gvt vGPU on the mdev bus, sorted by vGPU id, into *@out (free()
 * it). Returns the count or -errno. A vGPU removed while we look is
 * simply not listed.
 */
static int collect_vgpus(struct vgpu **out)
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
		char uuid[GVT_UUID_STR_LEN], parent[NAME_MAX + 1];

		if (!parse_uuid(de->d_name, uuid) ||
		    mdev_is_gvt(uuid, parent, sizeof(parent)) != 1)
			continue;
		if (n == cap) {
			struct vgpu *tmp;

			cap = cap ? 2 * cap : GVT_MAX_VGPUS;
			tmp = realloc(arr, (size_t)cap * sizeof(*arr));
			if (!tmp) {
				free(arr);
				closedir(dir);
				return -ENOMEM;
			}
			arr = tmp;
		}
		read_vgpu(uuid, &arr[n]);
		if (!gvt_mdev_exists(uuid))
			continue;
		n++;
	}
	closedir(dir);
	qsort(arr, (size_t)n, sizeof(*arr), cmp_vgpu);
	*out = arr;
	return n;
}

/* ---- commands ------------------------------------------------------------ */

static int cmd_types(void)
{
	unsigned int i;

	if (need_parent())
		return EXIT_FAIL;
	printf("%-6s %-9s %s\n", "TYPE", "AVAILABLE", "DESCRIPTION");
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		char path[PATH_MAX], desc[256], name[32];
		long avail = gvt_mdev_available(type_divs[i]);

		gvt_mdev_type_attr_path(type_divs[i], "description", path,
					sizeof(path));
		if (gvt_sysfs_read(path, desc, sizeof(desc)) < 0)
			snprintf(desc, sizeof(desc), "?");
		gvt_mdev_type_attr_path(type_divs[i], "name", path, sizeof(path));
		if (gvt_sysfs_read(path, name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), GVT_TYPE_PREFIX "%u",
				 type_divs[i]);
		if (avail < 0) {
			err("type " GVT_TYPE_PREFIX "%u: available_instances: %s",
			    type_divs[i], strerror((int)-avail));
			return EXIT_FAIL;
		}
		printf("%-6s %9ld %s\n", name, avail, desc);
	}
	return EXIT_OK;
}

static int cmd_create(const char *type, const char *uuid_arg)
{
	char uuid[GVT_UUID_STR_LEN], parent[NAME_MAX + 1], hint[64];
	unsigned int div;
	long avail;
	int ret;

	if (!parse_type(type, &div)) {
		types_hint(hint, sizeof(hint));
		return bad_usage("create: no such type '%s' (types: %s)", type,
				 hint);
	}
	if (uuid_arg && !parse_uuid(uuid_arg, uuid))
		return bad_usage("create: '%s' is not a UUID (8-4-4-4-12 hex digits)",
				 uuid_arg);
	if (need_parent())
		return EXIT_FAIL;
	if (!uuid_arg) {
		ret = gvt_uuid_generate(uuid, sizeof(uuid));
		if (ret) {
			err("create: cannot generate a UUID: %s", strerror(-ret));
			return EXIT_FAIL;
		}
	}
	ret = mdev_is_gvt(uuid, parent, sizeof(parent));
	if (ret >= 0) {
		if (ret)
			err("create: a vGPU %s exists already", uuid);
		else
			err("create: %s is taken by an mdev of parent %s", uuid,
			    parent);
		return EXIT_FAIL;
	}

	ret = gvt_mdev_create(div, uuid);
	if (ret) {
		avail = gvt_mdev_available(div);
		if (ret == -ENOSPC || (ret != -EEXIST && avail == 0))
			err("create: no room for a " GVT_TYPE_PREFIX "%u vGPU: %ld available",
			    div, avail < 0 ? 0 : avail);
		else if (ret == -EEXIST)
			err("create: a device named %s exists already", uuid);
		else
			err("create: " GVT_TYPE_PREFIX "%u %s: %s", div, uuid,
			    why(-ret));
		return EXIT_FAIL;
	}
	printf("%s\n", uuid);
	return EXIT_OK;
}

/*
 * The VFIO group of a vGPU, -1 if it has none. Only one process can hold
 * a group open, so a group we cannot open (EBUSY) has a user: a VMM or a
 * test program.
 */
static int vgpu_group(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	unsigned long long g;
	const char *base;
	ssize_t n;

	if (gvt_mdev_path(uuid, "iommu_group", path, sizeof(path)))
		return -1;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	if (!parse_dec(base ? base + 1 : link, INT_MAX, &g))
		return -1;
	return (int)g;
}

static int cmd_remove(const char *arg, bool force)
{
	char uuid[GVT_UUID_STR_LEN], path[64];
	int ret, group, fd;

	ret = need_vgpu("remove", arg, uuid);
	if (ret)
		return ret;
	/*
	 * Removing an open vGPU blocks until its user lets go (the kernel
	 * asks it through the VFIO request interrupt). Say so instead of
	 * hanging, unless asked to go ahead and let the kernel ask.
	 */
	group = vgpu_group(uuid);
	if (!force && group >= 0) {
		snprintf(path, sizeof(path), "/dev/vfio/%d", group);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0 && errno == EBUSY) {
			err("remove: vGPU %s is in use (VFIO group %d is open): stop its user first, or use -f to have the kernel ask it to release the device",
			    uuid, group);
			return EXIT_FAIL;
		}
		if (fd >= 0)
			close(fd);
	}
	ret = gvt_mdev_remove(uuid);
	if (ret) {
		err("remove: %s: %s", uuid, why(-ret));
		return EXIT_FAIL;
	}
	printf("removed %s\n", uuid);
	return EXIT_OK;
}

static void fmt_busy(char *buf, size_t size, unsigned long long ns)
{
	snprintf(buf, size, "%llu.%03llus", ns / 1000000000ull,
		 ns / 1000000ull % 1000);
}

static void fmt_long(char *buf, size_t size, long v)
{
	if (v < 0)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%ld", v);
}

static int cmd_list(void)
{
	struct vgpu *v;
	int n, i;

	if (need_parent())
		return EXIT_FAIL;
	n = collect_vgpus(&v);
	if (n < 0) {
		err("list: %s: %s", GVT_MDEV_DEVICES_DIR, strerror(-n));
		return EXIT_FAIL;
	}
	printf("%-36s %3s %-5s %6s %-6s %10s %8s %9s %8s %10s\n", "UUID", "ID",
	       "TYPE", "WEIGHT", "STATUS", "MMIO", "IRQS", "WORK DONE",
	       "REJECTED", "GPU BUSY");
	for (i = 0; i < n; i++) {
		char id[24], w[24], busy[32];

		fmt_long(id, sizeof(id), v[i].id);
		fmt_long(w, sizeof(w), v[i].weight);
		fmt_busy(busy, sizeof(busy), v[i].st.gpu_busy_ns);
		printf("%-36s %3s %-5s %6s %-6s %10llu %8llu %9llu %8llu %10s\n",
		       v[i].uuid, id, v[i].type, w, v[i].status,
		       (unsigned long long)(v[i].st.mmio_reads + v[i].st.mmio_writes),
		       (unsigned long long)v[i].st.interrupts,
		       (unsigned long long)v[i].st.workloads_completed,
		       (unsigned long long)v[i].st.workloads_rejected,
		       v[i].have_stats ? busy : "?");
	}
	free(v);
	return EXIT_OK;
}

static int cmd_set_weight(const char *arg, const char *wstr)
{
	char uuid[GVT_UUID_STR_LEN], path[PATH_MAX], val[24];
	unsigned long long w;
	long old;
	int ret;

	/* both arguments are checked before anything is looked up */
	if (!parse_uuid(arg, uuid))
		return bad_usage("set-weight: '%s' is not a UUID (8-4-4-4-12 hex digits)",
				 arg);
	if (!parse_dec(wstr, ULLONG_MAX, &w) || w < GVT_WEIGHT_MIN ||
	    w > GVT_WEIGHT_MAX)
		return bad_usage("set-weight: weight must be an integer in %d..%d, got '%s'",
				 GVT_WEIGHT_MIN, GVT_WEIGHT_MAX, wstr);
	ret = need_vgpu("set-weight", arg, uuid);
	if (ret)
		return ret;
	old = read_attr_long(uuid, GVT_SYSFS_GROUP "/weight");
	snprintf(val, sizeof(val), "%llu", w);
	ret = gvt_mdev_path(uuid, GVT_SYSFS_GROUP "/weight", path, sizeof(path));
	if (!ret)
		ret = gvt_sysfs_write(path, val);
	if (ret) {
		err("set-weight: %s: the kernel refused weight %llu: %s", uuid,
		    w, why(-ret));
		return EXIT_FAIL;
	}
	if (old >= 0)
		printf("%s: weight %ld -> %llu\n", uuid, old, w);
	else
		printf("%s: weight %llu\n", uuid, w);
	return EXIT_OK;
}

/* ---- status -------------------------------------------------------------- */

static long param(const char *name, long def, bool *from_module)
{
	char path[PATH_MAX];
	long v;

	snprintf(path, sizeof(path), PARAMS_DIR "/%s", name);
	if (gvt_sysfs_read_long(path, &v) || v < 0) {
		*from_module = false;
		return def;
	}
	return v;
}

static void fmt_time(char *buf, size_t size, long long epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (epoch <= 0 || !localtime_r(&t, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "-");
}

struct mmio_policy {
	char name[64];
	unsigned long long serial;
	char state[16];
	int priority;
	long long attached, calls, handled, denied;
};

/*
 * One line of the policies file in the MMIO policy format, all of it and
 * nothing else; any other shape (later hook types) is printed verbatim.
 */
static bool parse_mmio_policy(const char *line, struct mmio_policy *p)
{
	int end = -1;

	if (sscanf(line, "mmio %63s serial=%llu state=%15s priority=%d attached=%lld calls=%lld handled=%lld denied=%lld%n",
		   p->name, &p->serial, p->state, &p->priority, &p->attached,
		   &p->calls, &p->handled, &p->denied, &end) != 8 || end < 0)
		return false;
	return line[end] == '\0';
}

static int show_policies(void)
{
	char buf[8192], *line, *save = NULL;
	bool header = false;
	int n = 0;
	ssize_t len;

	printf("\nBPF policies attached (%s):\n", POLICIES_PATH);
	len = gvt_sysfs_read(POLICIES_PATH, buf, sizeof(buf));
	if (len < 0) {
		err("status: %s: %s", POLICIES_PATH, strerror((int)-len));
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct mmio_policy p;
		char when[32], vg[32];

		n++;
		if (!parse_mmio_policy(line, &p)) {
			/* in place, so the list keeps the kernel's order */
			printf("  %s\n", line);
			continue;
		}
		if (!header) {
			printf("  %-5s %-24s %-22s %6s %-19s %10s %10s %10s\n",
			       "HOOK", "NAME", "VGPU (SERIAL)", "PRIO", "ATTACHED",
			       "CALLS", "HANDLED", "DENIED");
			header = true;
		}
		fmt_time(when, sizeof(when), p.attached);
		if (!p.serial)
			snprintf(vg, sizeof(vg), "all");
		else if (!strcmp(p.state, "orphaned"))
			snprintf(vg, sizeof(vg), "%llu, gone", p.serial);
		else
			snprintf(vg, sizeof(vg), "%llu", p.serial);
		printf("  %-5s %-24s %-22s %6d %-19s %10lld %10lld %10lld\n",
		       "mmio", p.name, vg, p.priority, when, p.calls, p.handled,
		       p.denied);
	}
	if (!n)
		printf("  none\n");
	return 0;
}

static int cmd_status(void)
{
	bool from_module = true;
	long ap, hid, fences, ctxs, avail[GVT_NUM_TYPES], wsum = 0;
	unsigned int count[GVT_NUM_TYPES] = { 0 };
	struct vgpu *v;
	int n, i, j, rc = EXIT_OK;
	size_t len = 0;
	char mix[128] = "";

	if (need_parent())
		return EXIT_FAIL;
	ap = param("aperture_mb", GVT_DEFAULT_APERTURE_MB, &from_module);
	hid = param("hidden_mb", GVT_DEFAULT_HIDDEN_MB, &from_module);
	fences = param("fences", GVT_DEFAULT_FENCES, &from_module);
	ctxs = param("contexts", GVT_DEFAULT_CONTEXTS, &from_module);
	for (i = 0; i < GVT_NUM_TYPES; i++) {
		avail[i] = gvt_mdev_available(type_divs[i]);
		if (avail[i] < 0) {
			err("status: type " GVT_TYPE_PREFIX "%u: %s", type_divs[i],
			    strerror((int)-avail[i]));
			return EXIT_FAIL;
		}
	}
	n = collect_vgpus(&v);
	if (n < 0) {
		err("status: %s: %s", GVT_MDEV_DEVICES_DIR, strerror(-n));
		return EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		unsigned int div;

		if (v[i].weight > 0)
			wsum += v[i].weight;
		if (!parse_type(v[i].type, &div))
			continue;
		for (j = 0; j < GVT_NUM_TYPES; j++)
			if (type_divs[j] == div)
				count[j]++;
	}
	for (j = 0; j < GVT_NUM_TYPES && len < sizeof(mix); j++)
		if (count[j])
			len += (size_t)snprintf(mix + len, sizeof(mix) - len,
						"%s%u x " GVT_TYPE_PREFIX "%u",
						len ? ", " : "", count[j],
						type_divs[j]);

	printf("parent %s (%s)\n", GVT_PARENT_NAME, GVT_MDEV_PARENT_DIR);
	printf("  totals      aperture %ld MiB, hidden %ld MiB, %ld fences, %ld contexts (%s)\n",
	       ap, hid, fences, ctxs,
	       from_module ? "module parameters" : "defaults: module parameters not readable");
	printf("  vGPUs       %d of at most %d%s%s%s\n", n, GVT_MAX_VGPUS,
	       n ? " (" : "", mix, n ? ")" : "");
	/* an instance of the smallest type is one slot: its count is the free share */
	for (j = 0; j < GVT_NUM_TYPES - 1 && type_divs[j] != GVT_MAX_DIV; j++)
		;
	printf("  free share  %ld/%d", avail[j], GVT_MAX_DIV);
	printf("  (room for");
	for (j = 0; j < GVT_NUM_TYPES; j++)
		printf("%s %ld x " GVT_TYPE_PREFIX "%u", j ? "," : "", avail[j],
		       type_divs[j]);
	printf(")\n");
	printf("  weights     %ld in total\n", wsum);
	free(v);
	if (show_policies())
		rc = EXIT_FAIL;
	return rc;
}

/* ---- top ------------------------------------------------------------------- */

static volatile sig_atomic_t stop_top;

static void on_signal(int sig)
{
	(void)sig;
	stop_top = 1;
}

static double rate(uint64_t cur, uint64_t prev, double secs)
{
	/* a counter that went back was reset with its vGPU: count from 0 */
	uint64_t d = cur >= prev ? cur - prev : cur;

	return secs > 0 ? (double)d / secs : 0.0;
}

static void top_table(const struct vgpu *cur, int ncur,
		      const struct vgpu *prev, int nprev, unsigned int ms)
{
	double t_mmio = 0, t_irq = 0, t_work = 0, t_busy = 0;
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	int i, j;

	if (!localtime_r(&t, &tm) || !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "-");
	printf("gvtctl top - %s - %s: %d vGPU%s, every %u ms\n", when,
	       GVT_PARENT_NAME, ncur, ncur == 1 ? "" : "s", ms);
	printf("%3s %-5s %6s %-6s %10s %9s %8s %6s  %s\n", "ID", "TYPE",
	       "WEIGHT", "STATUS", "MMIO/s", "IRQ/s", "WORK/s", "BUSY%",
	       "UUID");
	for (i = 0; i < ncur; i++) {
		const struct vgpu *c = &cur[i], *p = NULL;
		char id[24], w[24];
		double secs, m, q, k, b;

		for (j = 0; j < nprev && !p; j++)
			if (!strcmp(prev[j].uuid, c->uuid))
				p = &prev[j];
		fmt_long(id, sizeof(id), c->id);
		fmt_long(w, sizeof(w), c->weight);
		if (!p || !p->have_stats || !c->have_stats) {
			/* new since the last sample: no rate yet */
			printf("%3s %-5s %6s %-6s %10s %9s %8s %6s  %s\n", id,
			       c->type, w, c->status, "-", "-", "-", "-",
			       c->uuid);
			continue;
		}
		secs = (double)(c->t_ns - p->t_ns) / 1e9;
		m = rate(c->st.mmio_reads + c->st.mmio_writes,
			 p->st.mmio_reads + p->st.mmio_writes, secs);
		q = rate(c->st.interrupts, p->st.interrupts, secs);
		k = rate(c->st.workloads_completed, p->st.workloads_completed,
			 secs);
		/* ns of GPU time per ns of wall time; both engines: up to 200 */
		b = rate(c->st.gpu_busy_ns, p->st.gpu_busy_ns, secs) / 1e7;
		t_mmio += m;
		t_irq += q;
		t_work += k;
		t_busy += b;
		printf("%3s %-5s %6s %-6s %10.1f %9.1f %8.1f %6.1f  %s\n", id,
		       c->type, w, c->status, m, q, k, b, c->uuid);
	}
	if (ncur > 1)
		printf("%3s %-5s %6s %-6s %10.1f %9.1f %8.1f %6.1f\n", "all",
		       "", "", "", t_mmio, t_irq, t_work, t_busy);
}

static int cmd_top(unsigned int ms, unsigned long long count)
{
	bool redraw = isatty(STDOUT_FILENO) && !count;
	struct sigaction sa = { .sa_handler = on_signal };
	struct vgpu *prev = NULL, *cur = NULL;
	struct timespec next;
	unsigned long long round;
	int nprev, ncur;

	if (need_parent())
		return EXIT_FAIL;
	/* no SA_RESTART: the sleep must end at once on ^C */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	nprev = collect_vgpus(&prev);
	if (nprev < 0) {
		err("top: %s: %s", GVT_MDEV_DEVICES_DIR, strerror(-nprev));
		return EXIT_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (round = 0; !count || round < count; round++) {
		/* absolute deadlines: the drawing time does not add up */
		next.tv_sec += ms / 1000;
		next.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		while (!stop_top &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		if (stop_top)
			break;
		if (!gvt_sysfs_exists(GVT_MDEV_PARENT_DIR)) {
			err("top: %s is gone (module unloaded?)", GVT_PARENT_NAME);
			free(prev);
			return EXIT_FAIL;
		}
		ncur = collect_vgpus(&cur);
		if (ncur < 0) {
			err("top: %s: %s", GVT_MDEV_DEVICES_DIR, strerror(-ncur));
			free(prev);
			return EXIT_FAIL;
		}
		if (redraw)
			printf("\033[H\033[2J");
		else if (round)
			printf("\n");
		top_table(cur, ncur, prev, nprev, ms);
		fflush(stdout);
		free(prev);
		prev = cur;
		nprev = ncur;
		cur = NULL;
	}
	free(prev);
	return EXIT_OK;
}

/* ---- info and reg: the vGPU as a VMM sees it, through VFIO ---------------- */

static void fmt_size(char *buf, size_t size, unsigned long long v)
{
	if (v && !(v % (1ull << 30)))
		snprintf(buf, size, "%llu GiB", v >> 30);
	else if (v && !(v % (1ull << 20)))
		snprintf(buf, size, "%llu MiB", v >> 20);
	else if (v && !(v % (1ull << 10)))
		snprintf(buf, size, "%llu KiB", v >> 10);
	else
		snprintf(buf, size, "%llu B", v);
}

static int open_vgpu(const char *cmd, const char *arg, struct gvt_vfio *d)
{
	char uuid[GVT_UUID_STR_LEN];
	int ret = need_vgpu(cmd, arg, uuid);

	if (ret)
		return ret;
	ret = gvt_vfio_open(d, uuid);
	if (ret) {
		err("%s: cannot open %s through VFIO: %s%s", cmd, uuid,
		    gvt_vfio_error(d),
		    ret == -EBUSY ? " (in use by another VFIO user?)" : "");
		return EXIT_FAIL;
	}
	return 0;
}

/* reads BAR0 registers; the first failure is kept in *@fail */
static uint32_t reg32(struct gvt_vfio *d, uint32_t off, int *fail)
{
	uint32_t v = 0;
	int ret = gvt_vfio_mmio_read32(d, off, &v);

	if (ret && !*fail) {
		err("reading BAR0 0x%04x: %s", off, gvt_vfio_error(d));
		*fail = ret;
	}
	return v;
}

static void print_caps(uint32_t caps)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ GVT_CAP_GTT, "gtt" }, { GVT_CAP_RINGS, "rings" },
		{ GVT_CAP_DISPLAY, "display" }, { GVT_CAP_MSI, "msi" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (caps & names[i].bit)
			printf(" %s", names[i].name);
	if (caps & ~GVT_CAPS_VALUE)
		printf(" +0x%x", caps & ~GVT_CAPS_VALUE);
}

/* the characters of a little-endian magic value, as the driver sees them */
static void print_fourcc(uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++) {
		int c = (int)(v >> (8 * i) & 0xff);

		putchar(isprint(c) ? c : '.');
	}
}

static int cmd_info(const char *arg)
{
	static const char *const region_names[VFIO_PCI_NUM_REGIONS] = {
		"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM",
		"CONFIG", "VGA",
	};
	struct gvt_vfio d;
	uint16_t ven = 0, dev = 0, sven = 0, sdev = 0;
	uint32_t classrev = 0, id, ver, caps, div, feat, magic_lo, magic_hi;
	uint32_t ap_base, ap_size, hid_base, hid_size;
	char s1[32], s2[32];
	unsigned int i;
	int ret, fail = 0;

	ret = open_vgpu("info", arg, &d);
	if (ret)
		return ret;

	printf("vGPU %s: VFIO group %d, %u regions, %u irq types%s\n", d.uuid,
	       d.group_id, d.info.num_regions, d.info.num_irqs,
	       d.info.flags & VFIO_DEVICE_FLAGS_RESET ? ", resettable" : "");
	if (gvt_vfio_cfg_read16(&d, PCI_VENDOR_ID, &ven) ||
	    gvt_vfio_cfg_read16(&d, PCI_DEVICE_ID, &dev) ||
	    gvt_vfio_cfg_read32(&d, PCI_CLASS_REVISION, &classrev) ||
	    gvt_vfio_cfg_read16(&d, PCI_SUBSYSTEM_VENDOR_ID, &sven) ||
	    gvt_vfio_cfg_read16(&d, PCI_SUBSYSTEM_ID, &sdev)) {
		err("info: config space: %s", gvt_vfio_error(&d));
		fail = -EIO;
	}
	printf("  PCI          %04x:%04x subsystem %04x:%04x class %06x rev %02x\n",
	       ven, dev, sven, sdev, classrev >> 8, classrev & 0xff);

	printf("\nregions\n");
	/* the standard PCI regions, then device-specific ones by index */
	for (i = 0; i < d.info.num_regions && i < 32; i++) {
		struct vfio_region_info ri;
		char rname[16];

		if (gvt_vfio_region_info(&d, i, &ri) || !ri.size)
			continue;
		if (i < VFIO_PCI_NUM_REGIONS)
			snprintf(rname, sizeof(rname), "%s", region_names[i]);
		else
			snprintf(rname, sizeof(rname), "region%u", i);
		fmt_size(s1, sizeof(s1), ri.size);
		printf("  %-7s %10s  %s%s%s\n", rname, s1,
		       ri.flags & VFIO_REGION_INFO_FLAG_READ ? "r" : "-",
		       ri.flags & VFIO_REGION_INFO_FLAG_WRITE ? "w" : "-",
		       ri.flags & VFIO_REGION_INFO_FLAG_MMAP ? " mmap" : "");
	}

	id = reg32(&d, GVT_REG_ID, &fail);
	ver = reg32(&d, GVT_REG_VERSION, &fail);
	caps = reg32(&d, GVT_REG_CAPS, &fail);
	printf("\nidentity (BAR0)\n");
	printf("  ID           0x%08x \"", id);
	print_fourcc(id);
	printf("\"%s\n", id == GVT_ID_MAGIC ? "" : "  (not a gvt-bpf device)");
	printf("  VERSION      %u.%u\n", ver >> 16, ver & 0xffff);
	printf("  CAPS         0x%08x", caps);
	print_caps(caps);
	printf("\n  NUM_ENGINES  %u\n", reg32(&d, GVT_REG_NUM_ENGINES, &fail));
	printf("  STATUS       %s\n",
	       reg32(&d, GVT_REG_STATUS, &fail) & GVT_STATUS_FAILED ? "failed" : "ok");

	magic_lo = reg32(&d, GVT_PV_MAGIC_LO, &fail);
	magic_hi = reg32(&d, GVT_PV_MAGIC_HI, &fail);
	div = reg32(&d, GVT_PV_TYPE_DIV, &fail);
	feat = reg32(&d, GVT_PV_FEATURES, &fail);
	ap_base = reg32(&d, GVT_PV_APERTURE_BASE, &fail);
	ap_size = reg32(&d, GVT_PV_APERTURE_SIZE, &fail);
	hid_base = reg32(&d, GVT_PV_HIDDEN_BASE, &fail);
	hid_size = reg32(&d, GVT_PV_HIDDEN_SIZE, &fail);
	printf("\nPV-info (BAR0 + 0x%04x)\n", GVT_PVINFO_BASE);
	printf("  magic        \"");
	print_fourcc(magic_lo);
	print_fourcc(magic_hi);
	printf("\"%s\n", magic_lo == GVT_PV_MAGIC_LO_VALUE &&
	       magic_hi == GVT_PV_MAGIC_HI_VALUE ? "" : "  (bad)");
	printf("  version      %u\n", reg32(&d, GVT_PV_VERSION, &fail));
	printf("  vgpu_id      %u\n", reg32(&d, GVT_PV_VGPU_ID, &fail));
	printf("  type         1/%u (" GVT_TYPE_PREFIX "%u)\n", div, div);
	printf("  features     0x%08x%s\n", feat,
	       feat & GVT_PV_FEAT_BALLOON ? " balloon" : "");
	fmt_size(s1, sizeof(s1), ap_size);
	fmt_size(s2, sizeof(s2), hid_size);
	printf("  aperture     0x%08x + %s\n", ap_base, s1);
	printf("  hidden       0x%08x + %s\n", hid_base, s2);
	printf("  fences       %u\n", reg32(&d, GVT_PV_FENCES, &fail));
	printf("  contexts     %u\n", reg32(&d, GVT_PV_CONTEXTS, &fail));
	printf("  weight       %u\n", reg32(&d, GVT_PV_WEIGHT, &fail));
	gvt_vfio_close(&d);

	if (fail)
		return EXIT_FAIL;
	if (id != GVT_ID_MAGIC || magic_lo != GVT_PV_MAGIC_LO_VALUE ||
	    magic_hi != GVT_PV_MAGIC_HI_VALUE) {
		err("info: %s does not identify as a gvt-bpf vGPU", d.uuid);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* a register name of GVT_REG_LIST (any case) or a BAR0 offset */
static bool parse_reg(const char *s, uint32_t *off)
{
	unsigned long long v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reg_names); i++) {
		if (!strcasecmp(s, reg_names[i].name)) {
			*off = reg_names[i].off;
			return true;
		}
	}
	if (!parse_num(s, GVT_BAR0_SIZE - 4, &v) || v % 4)
		return false;
	*off = (uint32_t)v;
	return true;
}

static const char *reg_name(uint32_t off, uint32_t *flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reg_names); i++) {
		if (reg_names[i].off == off) {
			*flags = reg_names[i].flags;
			return reg_names[i].name;
		}
	}
	*flags = 0;
	return off >= GVT_GTT_OFFSET ? "GTT" : "unknown";
}

static int cmd_reg(const char *arg, const char *regstr, const char *valstr)
{
	unsigned long long val = 0;
	struct gvt_vfio d;
	uint32_t off, flags, now;
	const char *name;
	int ret;

	if (!parse_reg(regstr, &off))
		return bad_usage("reg: '%s' is neither a register name (e.g. SCRATCH) nor a 4-byte aligned BAR0 offset below 0x%x",
				 regstr, GVT_BAR0_SIZE);
	if (valstr && !parse_num(valstr, 0xffffffffull, &val))
		return bad_usage("reg: '%s' is not a 32-bit value", valstr);
	ret = open_vgpu("reg", arg, &d);
	if (ret)
		return ret;
	name = reg_name(off, &flags);
	if (valstr) {
		ret = gvt_vfio_mmio_write32(&d, off, (uint32_t)val);
		if (ret) {
			err("reg: writing %s (0x%04x): %s", name, off,
			    gvt_vfio_error(&d));
			gvt_vfio_close(&d);
			return EXIT_FAIL;
		}
	}
	ret = gvt_vfio_mmio_read32(&d, off, &now);
	if (ret) {
		err("reg: reading %s (0x%04x): %s", name, off, gvt_vfio_error(&d));
		gvt_vfio_close(&d);
		return EXIT_FAIL;
	}
	if (valstr)
		printf("%s (0x%04x) <- 0x%08llx, reads back 0x%08x%s\n", name,
		       off, val, now, flags & GVT_RF_RO ? " (read-only)" : "");
	else
		printf("%s (0x%04x) = 0x%08x (%u)\n", name, off, now, now);
	/* closing the last VFIO user resets the vGPU, as a VMM exit would */
	gvt_vfio_close(&d);
	return EXIT_OK;
}

/* ---- command line ---------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gvtctl COMMAND [ARGS]\n"
		"\n"
		"Manage the vGPUs of the gvt-bpf parent %s, beside mdevctl: the\n"
		"same sysfs files, no state of its own.\n"
		"\n"
		"  types                     the vGPU types, how many more of each fit\n"
		"  create TYPE [UUID]        create a vGPU, print its UUID (a new one if\n"
		"                            none is given); TYPE is V1_n, gvt-V1_n or n\n"
		"                            with n in 1, 2, 4, 8 (1/n of the parent)\n"
		"  remove [-f] UUID          remove a vGPU; refuses one that is in use\n"
		"                            (-f: let the kernel ask its user to release\n"
		"                            it, waiting until it does)\n"
		"  list                      the vGPUs with weight, status and counters\n"
		"  set-weight UUID N         scheduling weight, N in %d..%d\n"
		"  status                    the parent's totals, free share and the\n"
		"                            BPF policies attached\n"
		"  top [-i MS] [-n COUNT]    per-vGPU rates every MS ms (default 1000):\n"
		"                            MMIO/s, IRQ/s, WORK/s (workloads done) and\n"
		"                            BUSY%% (GPU time per wall time; the %d engines\n"
		"                            together can reach %d%%); redraws on a\n"
		"                            terminal, else (or with -n) prints a table\n"
		"                            per interval; -n stops after COUNT tables\n"
		"  info UUID                 open the vGPU through VFIO like a VMM and\n"
		"                            show its regions, identity and PV-info page\n"
		"  reg UUID REG [VALUE]      read (or write, then read back) one BAR0\n"
		"                            register through VFIO; REG is a name such as\n"
		"                            SCRATCH or an offset such as 0x18; the vGPU\n"
		"                            is reset when the last VFIO user closes it\n"
		"\n"
		"Exit status: 0 done, 1 the operation failed, 2 bad command line.\n",
		GVT_PARENT_NAME, GVT_WEIGHT_MIN, GVT_WEIGHT_MAX, GVT_NUM_ENGINES,
		100 * GVT_NUM_ENGINES);
}

/*
 * Options of one command: options come first (so "-5" after them is an
 * argument for the command's own check, not an unknown option). Returns
 * the index of the first argument, or -1 after a usage error, or 0 for
 * --help.
 */
static int parse_opts(int argc, char **argv, const char *shortopts,
		      unsigned int *ms, unsigned long long *count, bool *force)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ }
	};
	char optstring[32];
	unsigned long long v;
	int c;

	snprintf(optstring, sizeof(optstring), "+:h%s", shortopts);
	optind = 1;
	opterr = 0;
	for (;;) {
		/* getopt leaves optopt alone for long options: no stale value */
		optopt = 0;
		c = getopt_long(argc, argv, optstring, opts, NULL);
		if (c == -1)
			break;
		if (c != 'h' && c != '?' && c != ':' && !strchr(shortopts, c))
			c = '?';	/* a long option this command lacks */
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'i':
			if (!parse_dec(optarg, TOP_MAX_MS, &v) || v < TOP_MIN_MS) {
				bad_usage("%s: -i: interval must be %d..%d ms, got '%s'",
					  argv[0], TOP_MIN_MS, TOP_MAX_MS, optarg);
				return -1;
			}
			*ms = (unsigned int)v;
			break;
		case 'n':
			if (!parse_dec(optarg, TOP_MAX_COUNT, &v) || !v) {
				bad_usage("%s: -n: count must be 1..%d, got '%s'",
					  argv[0], TOP_MAX_COUNT, optarg);
				return -1;
			}
			*count = v;
			break;
		case 'f':
			*force = true;
			break;
		case ':':
			bad_usage("%s: option '%s' needs a value", argv[0],
				  argv[optind - 1]);
			return -1;
		default:
			if (optopt)
				bad_usage("%s: unknown option '-%c'", argv[0],
					  optopt);
			else
				bad_usage("%s: unknown option '%s'", argv[0],
					  argv[optind - 1]);
			return -1;
		}
	}
	return optind;
}

enum cmd_id { C_TYPES, C_CREATE, C_REMOVE, C_LIST, C_SET_WEIGHT, C_STATUS,
	      C_TOP, C_INFO, C_REG, C_COUNT };

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		const char *opts;
		int min, max;	/* arguments after the options */
	} cmds[C_COUNT] = {
		[C_TYPES]	= { "types", "", 0, 0 },
		[C_CREATE]	= { "create", "", 1, 2 },
		[C_REMOVE]	= { "remove", "f", 1, 1 },
		[C_LIST]	= { "list", "", 0, 0 },
		[C_SET_WEIGHT]	= { "set-weight", "", 2, 2 },
		[C_STATUS]	= { "status", "", 0, 0 },
		[C_TOP]		= { "top", "i:n:", 0, 0 },
		[C_INFO]	= { "info", "", 1, 1 },
		[C_REG]		= { "reg", "", 2, 3 },
	};
	unsigned long long count = 0;
	unsigned int ms = 1000;
	bool force = false;
	enum cmd_id c;
	char **args;
	int first, nargs;

	if (argc < 2)
		return bad_usage("no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2)
			return bad_usage("%s takes no arguments", argv[1]);
		usage(stdout);
		return EXIT_OK;
	}
	for (c = 0; c < C_COUNT; c++)
		if (!strcmp(argv[1], cmds[c].name))
			break;
	if (c == C_COUNT) {
		if (argv[1][0] == '-')
			return bad_usage("unknown option '%s' (options follow the command)",
					 argv[1]);
		return bad_usage("unknown command '%s'", argv[1]);
	}

	first = parse_opts(argc - 1, argv + 1, cmds[c].opts, &ms, &count, &force);
	if (first < 0)
		return EXIT_USAGE;
	if (!first)
		return EXIT_OK;
	args = argv + 1 + first;
	nargs = argc - 1 - first;
	if (nargs < cmds[c].min || nargs > cmds[c].max) {
		if (!cmds[c].max)
			return bad_usage("%s takes no arguments", cmds[c].name);
		if (cmds[c].min == cmds[c].max)
			return bad_usage("%s takes %d argument%s, got %d",
					 cmds[c].name, cmds[c].min,
					 cmds[c].min == 1 ? "" : "s", nargs);
		return bad_usage("%s takes %d to %d arguments, got %d",
				 cmds[c].name, cmds[c].min, cmds[c].max, nargs);
	}

	switch (c) {
	case C_TYPES:		return cmd_types();
	case C_CREATE:		return cmd_create(args[0], nargs > 1 ? args[1] : NULL);
	case C_REMOVE:		return cmd_remove(args[0], force);
	case C_LIST:		return cmd_list();
	case C_SET_WEIGHT:	return cmd_set_weight(args[0], args[1]);
	case C_STATUS:		return cmd_status();
	case C_TOP:		return cmd_top(ms, count);
	case C_INFO:		return cmd_info(args[0]);
	case C_REG:		return cmd_reg(args[0], args[1], nargs > 2 ? args[2] : NULL);
	default:		return EXIT_USAGE;
	}
}
