// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgvtvfio: the pins of policies under /sys/fs/bpf/gvt/NAME/ and the
 * live kernel objects behind them - names, unpinning (an unload returns
 * once the kernel let go), listing pins with the kernel's records (a pin
 * leads to its record through its link id), and reading the struct_ops
 * value a live link runs (what a replacement keeps).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "gvt_policy.h"
#include "gvt_policy_int.h"

/* ---- names and pins ---------------------------------------------------------- */

bool gvt_policy_name_ok(const char *n)
{
	size_t i, len = strlen(n);

	/* a directory of bpffs, and what the tools print: no dots, no slash */
	if (!len || len >= GVT_POLICY_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!(n[i] == '_' || n[i] == '-' ||
		      (n[i] >= 'a' && n[i] <= 'z') ||
		      (n[i] >= 'A' && n[i] <= 'Z') ||
		      (n[i] >= '0' && n[i] <= '9')))
			return false;
	return true;
}

int gvt_pin_dir(const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, GVT_POLICY_PIN_ROOT "/%s", name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int gvt_pin_path(const char *dir, const char *file, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", dir, file);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* the BPF id of a pinned link or map; 0 or -errno */
static int pinned_id(const char *path, bool link, __u32 *id)
{
	struct bpf_link_info li = {};
	struct bpf_map_info mi = {};
	__u32 len;
	int fd, ret;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (link) {
		len = sizeof(li);
		ret = bpf_link_get_info_by_fd(fd, &li, &len);
		*id = li.id;
	} else {
		len = sizeof(mi);
		ret = bpf_map_get_info_by_fd(fd, &mi, &len);
		*id = mi.id;
	}
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static bool is_link_pin(const char *file)
{
	return !strncmp(file, GVT_POLICY_LINK_PREFIX,
			strlen(GVT_POLICY_LINK_PREFIX));
}

/* ---- unpinning ----------------------------------------------------------------- */

/*
 * Removes the maps pinned in @dir (links stay) whose ids are not in
 * @keep[0..nkeep), and their twins at the pin root: maps an object pins
 * by name (LIBBPF_PIN_BY_NAME, such as /sys/fs/bpf/gvt/stats) get a
 * second pin in its directory, so that they go with it.
 */
void gvt_unpin_maps(const char *dir, const __u32 *keep, int nkeep)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	__u32 ia, ib;
	int i;

	if (!d)
		return;
	while ((de = readdir(d))) {
		bool kept = false;

		if (de->d_name[0] == '.' || is_link_pin(de->d_name) ||
		    gvt_pin_path(dir, de->d_name, a, sizeof(a)) ||
		    pinned_id(a, false, &ia))
			continue;
		for (i = 0; i < nkeep; i++)
			kept |= keep[i] == ia;
		if (kept)
			continue;
		if (!gvt_pin_path(GVT_POLICY_PIN_ROOT, de->d_name, b, sizeof(b)) &&
		    !pinned_id(b, false, &ib) && ia == ib)
			unlink(b);
		unlink(a);
	}
	closedir(d);
}

/* how long an unload waits for the kernel to release the links */
#define DETACH_WAIT_MS	3000

/* the ids of the links pinned in @dir, at most @max; how many */
static int pinned_links(const char *dir, __u32 *ids, int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max)
		if (is_link_pin(de->d_name) &&
		    !gvt_pin_path(dir, de->d_name, path, sizeof(path)) &&
		    !pinned_id(path, true, &ids[n]))
			n++;
	closedir(d);
	return n;
}

/* whether link @id still exists, or still has a kernel record */
static bool link_alive(__u32 id)
{
	struct gvt_policy_info p;
	int fd = bpf_link_get_fd_by_id(id);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	/* the id goes first; the module's record once its unreg ran */
	return gvt_policy_of_link(id, &p) == 0;
}

/*
 * Waits until links @ids[0..n) and their records are gone. The kernel
 * releases a link whose last pin went from a work item after an RCU grace
 * period, and the module's unreg waits for another before it drops the
 * record: the policy stays attached a moment after its pins are removed,
 * and an unload returns once it is not. -EBUSY when one stays: another
 * process holds an fd of it.
 */
static int wait_links_gone(const __u32 *ids, int n)
{
	struct timespec nap = { 0, 5 * 1000000L };
	int waited, i, left = n;

	for (waited = 0; left && waited <= DETACH_WAIT_MS; waited += 5) {
		left = 0;
		for (i = 0; i < n; i++)
			left += link_alive(ids[i]);
		if (left)
			nanosleep(&nap, NULL);
	}
	return left ? -EBUSY : 0;
}

/*
 * Removes every pin in @dir and the directory, then waits for its links
 * to be released; 0 or the first -errno.
 */
int gvt_unpin_dir(const char *dir)
{
	__u32 ids[GVT_POLICY_MAX_LINKS];
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int ret = 0, n = pinned_links(dir, ids, GVT_POLICY_MAX_LINKS);

	gvt_unpin_maps(dir, NULL, 0);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    gvt_pin_path(dir, de->d_name, path, sizeof(path)))
			continue;
		if (unlink(path) && !ret)
			ret = -errno;
	}
	closedir(d);
	if (rmdir(dir) && !ret)
		ret = -errno;
	return ret ?: wait_links_gone(ids, n);
}

int gvt_policy_unload(const char *name)
{
	char dir[PATH_MAX];
	int ret;

	if (!gvt_policy_name_ok(name))
		return -EINVAL;
	ret = gvt_pin_dir(name, dir, sizeof(dir));
	if (ret)
		return ret;
	if (access(dir, F_OK))
		return -errno;
	return gvt_unpin_dir(dir);
}

/* copies a name that fits (checked by the caller) into a name buffer */
void gvt_name_copy(char dst[GVT_POLICY_NAME_LEN], const char *src)
{
	size_t n = strnlen(src, GVT_POLICY_NAME_LEN - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- the live kernel objects ------------------------------------------------ */

/* offset, size and (if @mtype) type of member @name of struct @type_id */
int gvt_btf_member(const struct btf *btf, __u32 type_id, const char *name,
		   __u32 *off, __u32 *size, __u32 *mtype)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m;
	int i;

	if (!t || !btf_is_struct(t))
		return -ENOENT;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		__s64 sz;

		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		sz = btf__resolve_size(btf, m->type);
		if (sz < 0)
			return (int)sz;
		*off = btf_member_bit_offset(t, i) / 8;
		*size = (__u32)sz;
		if (mtype)
			*mtype = m->type;
		return 0;
	}
	return -ENOENT;
}

/* the path of the only link_* pin in @dir; -ENOENT unless exactly one */
int gvt_pin_single_link(const char *dir, char *path, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0, ret = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!is_link_pin(de->d_name))
			continue;
		if (!n++)
			ret = gvt_pin_path(dir, de->d_name, path, len);
	}
	closedir(d);
	return ret ?: (n == 1 ? 0 : -ENOENT);
}

/* field @name of the struct_ops data at @data (in @btf), if it has it */
static bool live_field(const struct btf *btf, __u32 type, const char *data,
		       size_t room, const char *name, uint64_t *v)
{
	__u32 off, size;

	if (gvt_btf_member(btf, type, name, &off, &size, NULL) ||
	    size != sizeof(*v) || off + size > room)
		return false;
	memcpy(v, data + off, size);
	return true;
}

/*
 * Reads @lo from the kernel's copy of the struct_ops map behind @link_fd,
 * through the module's BTF: struct bpf_struct_ops_<name> { common; struct
 * <name> data; }. The binding is what the kernel holds, not what a name
 * says.
 */
int gvt_live_ops_read(int link_fd, struct gvt_live_ops *lo)
{
	struct bpf_link_info li = {};
	struct bpf_map_info mi = {};
	__u32 len = sizeof(li), mlen = sizeof(mi), off = 0, size = 0, type = 0;
	struct btf *vmlinux = NULL, *btf = NULL;
	char *value = NULL;
	int map_fd, ret, key = 0;

	memset(lo, 0, sizeof(*lo));
	if (bpf_link_get_info_by_fd(link_fd, &li, &len))
		return -errno;
	if (li.type != BPF_LINK_TYPE_STRUCT_OPS)
		return -EINVAL;
	map_fd = bpf_map_get_fd_by_id(li.struct_ops.map_id);
	if (map_fd < 0)
		return -errno;
	ret = bpf_map_get_info_by_fd(map_fd, &mi, &mlen) ? -errno : 0;
	if (!ret) {
		vmlinux = btf__load_vmlinux_btf();
		btf = mi.btf_vmlinux_id && vmlinux ?
		      btf__load_from_kernel_by_id_split(mi.btf_vmlinux_id,
							vmlinux) : NULL;
		value = calloc(1, mi.value_size);
		ret = !vmlinux || !btf || !value ? -ENOENT : 0;
	}
	if (!ret && bpf_map_lookup_elem(map_fd, &key, value))
		ret = -errno;
	ret = ret ?: gvt_btf_member(btf, mi.btf_vmlinux_value_type_id, "data",
				    &off, &size, &type);
	if (!ret && off + size > mi.value_size)
		ret = -EINVAL;
	if (!ret) {
		lo->has_serial = live_field(btf, type, value + off, size,
					    "vgpu_serial", &lo->vgpu_serial);
		lo->has_parents = live_field(btf, type, value + off, size,
					     "parents", &lo->parents);
	}
	free(value);
	btf__free(btf);
	btf__free(vmlinux);
	close(map_fd);
	return ret;
}

/* ---- listing ----------------------------------------------------------------------- */

int gvt_policy_pinned(char (*names)[GVT_POLICY_NAME_LEN], int max)
{
	struct dirent *de;
	DIR *d = opendir(GVT_POLICY_PIN_ROOT);
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		/* the policies' directories; maps pinned by name are files */
		if (de->d_type != DT_DIR || !gvt_policy_name_ok(de->d_name))
			continue;
		if (n < max)
			gvt_name_copy(names[n], de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/* bpf_prog_info.load_time (boot clock, ns) as wall-clock seconds */
static int64_t boot_ns_to_epoch(__u64 ns)
{
	struct timespec boot, real;

	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_REALTIME, &real);
	return (int64_t)real.tv_sec -
	       ((int64_t)boot.tv_sec - (int64_t)(ns / 1000000000ull));
}

/* a record for a pinned tracing link, which the kernel keeps none of */
static void tracing_record(const struct bpf_link_info *li, const char *pin,
			   struct gvt_policy_info *p)
{
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(pi);
	int pfd = bpf_prog_get_fd_by_id(li->prog_id);

	memset(p, 0, sizeof(*p));
	p->link_id = li->id;
	snprintf(p->hook, sizeof(p->hook), GVT_POLICY_HOOK_TRACING);
	snprintf(p->state, sizeof(p->state), "active");
	snprintf(p->pin, sizeof(p->pin), "%s", pin);
	snprintf(p->name, sizeof(p->name), "%s", pin);
	if (pfd >= 0 && !bpf_prog_get_info_by_fd(pfd, &pi, &len)) {
		snprintf(p->name, sizeof(p->name), "%s", pi.name);
		p->attached = boot_ns_to_epoch(pi.load_time);
	}
	if (pfd >= 0)
		close(pfd);
}

/* the links pinned in policy directory @pin: names records or adds some */
static void scan_pins(const char *pin, struct gvt_policy_info *out, int nrec,
		      int max, int *total)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int i;

	if (gvt_pin_dir(pin, dir, sizeof(dir)))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct bpf_link_info li = {};
		__u32 len = sizeof(li);
		int fd;

		if (!is_link_pin(de->d_name) ||
		    gvt_pin_path(dir, de->d_name, path, sizeof(path)))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_link_get_info_by_fd(fd, &li, &len)) {
			for (i = 0; i < nrec; i++)
				if (out[i].link_id == li.id)
					snprintf(out[i].pin, sizeof(out[i].pin),
						 "%s", pin);
			if (li.type != BPF_LINK_TYPE_STRUCT_OPS) {
				if (*total < max)
					tracing_record(&li, pin, &out[*total]);
				(*total)++;
			}
		}
		close(fd);
	}
	closedir(d);
}

int gvt_policy_list_all(struct gvt_policy_info *out, int max)
{
	char (*names)[GVT_POLICY_NAME_LEN] = NULL;
	int n, nrec, total, i, npin;

	n = gvt_policy_list(out, max);
	if (n < 0)
		return n;
	nrec = n < max ? n : max;
	total = n;
	npin = gvt_policy_pinned(NULL, 0);
	if (npin > 0) {
		names = calloc((size_t)npin, sizeof(*names));
		if (!names)
			return -ENOMEM;
		i = gvt_policy_pinned(names, npin);
		/* one pinned meanwhile waits for the next listing */
		npin = i < npin ? i : npin;
	}
	for (i = 0; i < npin; i++)
		scan_pins(names[i], out, nrec, max, &total);
	free(names);
	return total;
}

int gvt_policy_list_all_alloc(struct gvt_policy_info **out)
{
	struct gvt_policy_info *p = NULL, *tmp;
	int n, max = 16;

	/* until a whole listing fits: a policy may come meanwhile */
	for (;;) {
		tmp = realloc(p, (size_t)max * sizeof(*p));
		if (!tmp) {
			free(p);
			return -ENOMEM;
		}
		p = tmp;
		n = gvt_policy_list_all(p, max);
		if (n <= max)
			break;
		max = n;
	}
	if (n < 0) {
		free(p);
		return n;
	}
	*out = p;
	return n;
}
