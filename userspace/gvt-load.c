// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-load: load, attach, list, replace and unload gvt-bpf policies.
 *
 *   gvt-load POLICY.bpf.o [--vgpu UUID] [--name NAME] [--set KNOB=VALUE]...
 *   gvt-load --list
 *   gvt-load --replace NAME POLICY.bpf.o [--set ...]
 *   gvt-load --unload NAME
 *
 * Every struct_ops map of the object is attached through a BPF link; the
 * links and the object's maps are pinned under /sys/fs/bpf/gvt/NAME/ so the
 * policy outlives this process. Removing the pins (--unload) detaches it;
 * --replace swaps the programs on the live links atomically.
 *
 * KNOB is a `const volatile` variable of the policy, or MAP[KEY] for an
 * entry of one of its maps with integer keys and values.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "gvt/gvt_abi.h"
#include "gvt/gvt_bpf.h"
#include "gvt_sysfs.h"

#define PIN_ROOT	"/sys/fs/bpf/gvt"
#define MAX_SETS	64

static int verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("gvt-load: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		return -EINVAL;
	return 0;
}

/* a policy name: what its pin directory is called (bpffs refuses dots) */
static int valid_name(const char *n)
{
	size_t i, len = strlen(n);

	if (!len || len >= GVT_POLICY_NAME_LEN || n[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (!(n[i] == '_' || n[i] == '-' ||
		      (n[i] >= 'a' && n[i] <= 'z') ||
		      (n[i] >= 'A' && n[i] <= 'Z') ||
		      (n[i] >= '0' && n[i] <= '9')))
			return 0;
	return 1;
}

/* NAME from /path/to/NAME.bpf.o */
static void default_name(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	char *dot;

	snprintf(out, len, "%s", base ? base + 1 : path);
	dot = strstr(out, ".bpf.o");
	if (!dot)
		dot = strrchr(out, '.');
	if (dot)
		*dot = '\0';
}

/* one number from the vGPU's sysfs group: /sys/bus/mdev/devices/UUID/gvt/ATTR */
static int vgpu_attr(const char *uuid, const char *attr, unsigned long long *v)
{
	char path[PATH_MAX], buf[32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/%s/%s", uuid,
		 GVT_SYSFS_GROUP, attr);
	f = fopen(path, "r");
	if (!f) {
		err("--vgpu %s: no such gvt vGPU (%s)", uuid, strerror(errno));
		return -ENOENT;
	}
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	if (!ok || parse_u64(buf, v) || !*v) {
		err("--vgpu %s: bad %s in sysfs", uuid, attr);
		return -EINVAL;
	}
	return 0;
}

/*
 * The vGPU @uuid names: its serial, which a policy binds to (never
 * reused), and its id, for the policy's default name.
 */
static int vgpu_of(const char *uuid, unsigned long long *serial,
		   unsigned int *id)
{
	unsigned long long v;

	if (strlen(uuid) != GVT_UUID_STR_LEN - 1 || strchr(uuid, '/')) {
		err("--vgpu: '%s' is not a UUID", uuid);
		return -EINVAL;
	}
	if (vgpu_attr(uuid, "serial", serial) ||
	    vgpu_attr(uuid, "vgpu_id", &v))
		return -ENOENT;
	if (v > GVT_MAX_VGPUS) {
		err("--vgpu %s: bad vgpu_id in sysfs", uuid);
		return -EINVAL;
	}
	*id = (unsigned int)v;
	return 0;
}

/* offset and size of member @name of the struct type @type_id */
static int btf_member(const struct btf *btf, __u32 type_id, const char *name,
		      __u32 *off, __u32 *size)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m;
	int i;

	if (!t || !btf_is_struct(t))
		return -ENOENT;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		*off = btf_member_bit_offset(t, i) / 8;
		*size = btf__resolve_size(btf, m->type);
		return 0;
	}
	return -ENOENT;
}

static int store_int(void *dst, __u32 size, unsigned long long v)
{
	switch (size) {
	case 1: *(__u8 *)dst = (__u8)v; return v > 0xff ? -ERANGE : 0;
	case 2: *(__u16 *)dst = (__u16)v; return v > 0xffff ? -ERANGE : 0;
	case 4: *(__u32 *)dst = (__u32)v; return v > 0xffffffffull ? -ERANGE : 0;
	case 8: *(__u64 *)dst = v; return 0;
	default: return -EINVAL;
	}
}

/* binds every struct_ops map of @obj to the vGPU of serial @serial */
static int set_vgpu(struct bpf_object *obj, unsigned long long serial)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;
	int n = 0;

	bpf_object__for_each_map(map, obj) {
		__u32 off, size;
		size_t vsz;
		void *data;

		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		data = bpf_map__initial_value(map, &vsz);
		if (!data || btf_member(btf, bpf_map__btf_value_type_id(map),
					"vgpu_serial", &off, &size) ||
		    off + size > vsz) {
			err("%s: struct_ops %s cannot be bound to a vGPU (no vgpu_serial)",
			    bpf_object__name(obj), bpf_map__name(map));
			return -EINVAL;
		}
		store_int((char *)data + off, size, serial);
		n++;
	}
	return n ? 0 : -ENOENT;
}

/* KNOB=VALUE for a const volatile variable, before load */
static int set_rodata(struct bpf_object *obj, const char *knob,
		      unsigned long long v)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const struct btf_var_secinfo *vs;
		const struct btf_type *sec;
		size_t vsz;
		void *data;
		int id, i;

		if (!bpf_map__is_internal(map) ||
		    !strstr(bpf_map__name(map), ".rodata"))
			continue;
		id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
		if (id < 0)
			continue;
		sec = btf__type_by_id(btf, id);
		vs = btf_var_secinfos(sec);
		data = bpf_map__initial_value(map, &vsz);
		for (i = 0; i < btf_vlen(sec); i++, vs++) {
			const struct btf_type *var = btf__type_by_id(btf, vs->type);

			if (strcmp(btf__name_by_offset(btf, var->name_off), knob))
				continue;
			if (!data || vs->offset + vs->size > vsz)
				return -EINVAL;
			if (store_int((char *)data + vs->offset, vs->size, v)) {
				err("--set %s: value %llu does not fit", knob, v);
				return -ERANGE;
			}
			return 0;
		}
	}
	return -ENOENT;
}

/* MAP[KEY]=VALUE, after load */
static int set_map_entry(struct bpf_object *obj, const char *spec,
			 unsigned long long v)
{
	char mname[64];
	const char *lb = strchr(spec, '['), *rb = strchr(spec, ']');
	unsigned long long key;
	struct bpf_map *map;
	__u8 kbuf[8] = {}, vbuf[8] = {};
	__u32 ksz, vsz;
	char keystr[32];

	if (!lb || !rb || rb < lb || rb[1] || (size_t)(lb - spec) >= sizeof(mname) ||
	    (size_t)(rb - lb - 1) >= sizeof(keystr))
		return -EINVAL;
	memcpy(mname, spec, lb - spec);
	mname[lb - spec] = '\0';
	memcpy(keystr, lb + 1, rb - lb - 1);
	keystr[rb - lb - 1] = '\0';
	if (parse_u64(keystr, &key)) {
		err("--set %s: bad key", spec);
		return -EINVAL;
	}
	map = bpf_object__find_map_by_name(obj, mname);
	if (!map) {
		err("--set %s: no map '%s' in the policy", spec, mname);
		return -ENOENT;
	}
	ksz = bpf_map__key_size(map);
	vsz = bpf_map__value_size(map);
	if (store_int(kbuf, ksz, key) || store_int(vbuf, vsz, v)) {
		err("--set %s: map '%s' needs integer keys and values that fit",
		    spec, mname);
		return -EINVAL;
	}
	if (bpf_map__update_elem(map, kbuf, ksz, vbuf, vsz, BPF_ANY)) {
		err("--set %s: %s", spec, strerror(errno));
		return -errno;
	}
	return 0;
}

struct knob {
	const char *name;
	unsigned long long value;
	int is_map;
};

static int parse_set(const char *arg, struct knob *k)
{
	const char *eq = strrchr(arg, '=');
	static char names[MAX_SETS][96];
	static int used;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(names[0]) ||
	    used >= MAX_SETS) {
		err("--set %s: expected NAME=VALUE or MAP[KEY]=VALUE", arg);
		return -EINVAL;
	}
	memcpy(names[used], arg, eq - arg);
	names[used][eq - arg] = '\0';
	if (parse_u64(eq + 1, &k->value)) {
		err("--set %s: '%s' is not a non-negative integer", arg, eq + 1);
		return -EINVAL;
	}
	k->name = names[used++];
	k->is_map = strchr(k->name, '[') != NULL;
	return 0;
}

static int mkdir_p(const char *dir)
{
	if (mkdir(PIN_ROOT, 0700) && errno != EEXIST)
		return -errno;
	if (mkdir(dir, 0700))
		return -errno;
	return 0;
}

/* removes every pin in @dir and the directory */
static int unpin_dir(const char *dir)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) && !ret)
			ret = -errno;
	}
	closedir(d);
	if (rmdir(dir) && !ret)
		ret = -errno;
	return ret;
}

/*
 * Pins the policy's maps in its directory. Maps the object pins by name
 * (LIBBPF_PIN_BY_NAME, at PIN_ROOT) get a second pin there, so that
 * --unload finds them.
 */
static int pin_maps(struct bpf_object *obj, const char *dir)
{
	char path[PATH_MAX];
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		int ret;

		if (bpf_map__is_internal(map) ||
		    bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		unlink(path);
		if (bpf_map__pin_path(map))
			ret = bpf_obj_pin(bpf_map__fd(map), path) ? -errno : 0;
		else
			ret = bpf_map__pin(map, path);
		if (ret) {
			err("pin %s: %s", path, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int obj_id(const char *path, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path), ret;

	if (fd < 0)
		return -errno;
	ret = bpf_map_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (ret)
		return ret;
	*id = info.id;
	return 0;
}

/* removes PIN_ROOT/NAME pins that are the same maps as @dir/NAME */
static void unpin_by_name(const char *dir)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	__u32 ia, ib;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(a, sizeof(a), "%s/%s", dir, de->d_name);
		snprintf(b, sizeof(b), "%s/%s", PIN_ROOT, de->d_name);
		if (!obj_id(a, &ia) && !obj_id(b, &ib) && ia == ib)
			unlink(b);
	}
	closedir(d);
}

static struct bpf_object *open_policy(const char *path, const struct knob *k,
				      int nk, unsigned long long vgpu)
{
	struct bpf_object *obj;
	int i, ret;

	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = PIN_ROOT);

	obj = bpf_object__open_file(path, &oo);
	if (!obj) {
		err("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (vgpu && set_vgpu(obj, vgpu))
		goto fail;
	for (i = 0; i < nk; i++) {
		if (k[i].is_map)
			continue;
		ret = set_rodata(obj, k[i].name, k[i].value);
		if (ret == -ENOENT)
			err("--set %s: the policy has no such knob", k[i].name);
		if (ret)
			goto fail;
	}
	if (bpf_object__load(obj)) {
		err("%s: the kernel refused the policy (%s); the verifier log is above",
		    path, strerror(errno));
		goto fail;
	}
	for (i = 0; i < nk; i++)
		if (k[i].is_map && set_map_entry(obj, k[i].name, k[i].value))
			goto fail;
	return obj;
fail:
	bpf_object__close(obj);
	return NULL;
}

/*
 * Pins a just-made @link (NULL: attaching @what failed) as @dir/link_@what,
 * then lets go of it: the pin holds the link from now on.
 */
static int pin_link(struct bpf_link *link, const char *path, const char *what,
		    const char *dir)
{
	char pin[PATH_MAX];

	if (!link) {
		err("%s: attaching %s failed: %s", path, what, strerror(errno));
		return -1;
	}
	snprintf(pin, sizeof(pin), "%s/link_%s", dir, what);
	if (bpf_link__pin(link, pin)) {
		err("pin %s: %s", pin, strerror(errno));
		bpf_link__destroy(link);
		return -1;
	}
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	return 0;
}

static int cmd_load(const char *path, const char *name, const char *uuid,
		    const struct knob *k, int nk)
{
	char dir[128], pname[GVT_POLICY_NAME_LEN];
	unsigned long long vgpu = 0;
	unsigned int id = 0;
	struct bpf_object *obj;
	struct bpf_map *map;
	int nlinks = 0, ret;

	if (uuid && vgpu_of(uuid, &vgpu, &id))
		return 1;
	if (name) {
		snprintf(pname, sizeof(pname), "%s", name);
	} else {
		default_name(path, pname, sizeof(pname));
		if (vgpu) {
			char tmp[GVT_POLICY_NAME_LEN + 16];

			/* id <= GVT_MAX_VGPUS: the result fits */
			snprintf(tmp, sizeof(tmp), "%.20s-vgpu%u", pname, id);
			snprintf(pname, sizeof(pname), "%.*s",
				 (int)sizeof(pname) - 1, tmp);
		}
	}
	if (!valid_name(pname)) {
		err("'%s' is not a valid policy name (letters, digits, _ and -)", pname);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", PIN_ROOT, pname);
	if (access(dir, F_OK) == 0) {
		err("a policy named %s is loaded already: --unload or --replace it", pname);
		return 1;
	}

	obj = open_policy(path, k, nk, vgpu);
	if (!obj)
		return 1;
	ret = mkdir_p(dir);
	if (ret) {
		err("mkdir %s: %s", dir, strerror(-ret));
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_map(map, obj) {

		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		if (pin_link(bpf_map__attach_struct_ops(map), path,
			     bpf_map__name(map), dir))
			goto fail;
		nlinks++;
	}
	/* no struct_ops: an observer (tracing programs), attach them all */
	if (!nlinks) {
		struct bpf_program *prog;

		bpf_object__for_each_program(prog, obj) {
			if (pin_link(bpf_program__attach(prog), path,
				     bpf_program__name(prog), dir))
				goto fail;
			nlinks++;
		}
	}
	if (!nlinks) {
		err("%s: no struct_ops map or program to attach", path);
		goto fail;
	}
	if (pin_maps(obj, dir))
		goto fail;
	printf("loaded %s from %s: %d link(s) attached%s, pinned at %s\n",
	       pname, path, nlinks, vgpu ? " to one vGPU" : "", dir);
	bpf_object__close(obj);
	return 0;
fail:
	unpin_by_name(dir);
	unpin_dir(dir);
	bpf_object__close(obj);
	return 1;
}

static int count_struct_ops(struct bpf_object *obj)
{
	struct bpf_map *map;
	int n = 0;

	bpf_object__for_each_map(map, obj)
		n += bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS;
	return n;
}

/* the path of the only link_* pin in @dir; -ENOENT unless exactly one */
static int single_link(const char *dir, char *path, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "link_", 5))
			continue;
		if (!n++)
			snprintf(path, len, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	return n == 1 ? 0 : -ENOENT;
}

/*
 * The vGPU serial a live struct_ops map is bound to, read from the
 * kernel's copy of the map value through the module's BTF: the binding is
 * what the kernel holds, not what a name says. 0: bound to none (or a
 * hook set without the field).
 */
static int live_binding(int link_fd, unsigned long long *serial)
{
	struct bpf_link_info li = {};
	struct bpf_map_info mi = {};
	__u32 len = sizeof(li), mlen = sizeof(mi), off = 0, size = 0, i;
	struct btf *vmlinux = NULL, *btf = NULL;
	const struct btf_type *t;
	const struct btf_member *m;
	void *value = NULL;
	int map_fd = -1, ret = -ENOENT, key = 0;

	*serial = 0;
	if (bpf_link_get_info_by_fd(link_fd, &li, &len) ||
	    li.type != BPF_LINK_TYPE_STRUCT_OPS)
		return -errno ?: -EINVAL;
	map_fd = bpf_map_get_fd_by_id(li.struct_ops.map_id);
	if (map_fd < 0)
		return -errno;
	if (bpf_map_get_info_by_fd(map_fd, &mi, &mlen))
		goto out;
	vmlinux = btf__load_vmlinux_btf();
	btf = mi.btf_vmlinux_id ?
	      btf__load_from_kernel_by_id_split(mi.btf_vmlinux_id, vmlinux) : NULL;
	value = calloc(1, mi.value_size);
	if (!vmlinux || !btf || !value || bpf_map_lookup_elem(map_fd, &key, value))
		goto out;
	/* struct bpf_struct_ops_<name> { common; struct <name> data; } */
	t = btf__type_by_id(btf, mi.btf_vmlinux_value_type_id);
	if (!t || !btf_is_struct(t))
		goto out;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), "data"))
			continue;
		off = btf_member_bit_offset(t, i) / 8;
		if (!btf_member(btf, m->type, "vgpu_serial", &i, &size) &&
		    size == sizeof(__u64) && off + i + size <= mi.value_size) {
			memcpy(serial, (char *)value + off + i, size);
			ret = 0;
		} else {
			ret = 0;	/* a hook set that cannot be bound */
		}
		break;
	}
out:
	free(value);
	btf__free(btf);
	btf__free(vmlinux);
	close(map_fd);
	return ret;
}

static int cmd_replace(const char *pname, const char *path,
		       const struct knob *k, int nk)
{
	char dir[128], pin[PATH_MAX];
	unsigned long long vgpu = 0;
	struct bpf_object *obj;
	struct bpf_map *map;
	int n = 0, fd;

	if (!valid_name(pname)) {
		err("'%s' is not a valid policy name", pname);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", PIN_ROOT, pname);
	if (access(dir, F_OK)) {
		err("no policy named %s is loaded", pname);
		return 1;
	}
	/* the new programs keep the live policy's binding to its vGPU */
	if (!single_link(dir, pin, sizeof(pin))) {
		fd = bpf_obj_get(pin);
		if (fd >= 0) {
			if (live_binding(fd, &vgpu))
				vgpu = 0;
			close(fd);
		}
	}
	obj = open_policy(path, k, nk, vgpu);
	if (!obj)
		return 1;
	bpf_object__for_each_map(map, obj) {
		struct bpf_link *link;
		int ret;

		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		snprintf(pin, sizeof(pin), "%s/link_%s", dir, bpf_map__name(map));
		/* one hook set for one: the new one may have another name */
		if (access(pin, F_OK) && count_struct_ops(obj) == 1 &&
		    single_link(dir, pin, sizeof(pin)))
			err("%s: no hook set named %s", pname, bpf_map__name(map));
		link = bpf_link__open(pin);
		if (!link) {
			err("%s has no hook set named %s to replace", pname,
			    bpf_map__name(map));
			bpf_object__close(obj);
			return 1;
		}
		ret = bpf_link__update_map(link, map);
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		if (ret) {
			err("replacing %s/%s failed: %s", pname,
			    bpf_map__name(map), strerror(-ret));
			bpf_object__close(obj);
			return 1;
		}
		n++;
	}
	if (!n || pin_maps(obj, dir)) {
		if (!n)
			err("%s: no struct_ops map in the new object", path);
		bpf_object__close(obj);
		return 1;
	}
	printf("replaced %s with %s: %d hook set(s) swapped live\n", pname,
	       path, n);
	bpf_object__close(obj);
	return 0;
}

static int cmd_unload(const char *pname)
{
	char dir[128];
	int ret;

	if (!valid_name(pname)) {
		err("'%s' is not a valid policy name", pname);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", PIN_ROOT, pname);
	unpin_by_name(dir);
	ret = unpin_dir(dir);
	if (ret) {
		err("unload %s: %s", pname, ret == -ENOENT ?
		    "no such policy loaded" : strerror(-ret));
		return 1;
	}
	printf("unloaded %s\n", pname);
	return 0;
}

/* value of " key=" in a policies line, up to the next space; "" if none */
static const char *field(const char *line, const char *key, char *out,
			 size_t len)
{
	char pat[32];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p) {
		out[0] = '\0';
		return out;
	}
	p += strlen(pat);
	n = strcspn(p, " \n");
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* one line of /sys/class/gvt/gvt0/policies, as a table row */
static void list_row(const char *line)
{
	char kind[8] = "", name[GVT_POLICY_NAME_LEN] = "", when[32] = "-";
	char v[64], ms[16], scope[24], detail[200];
	const char *reason;
	time_t t;

	if (sscanf(line, "%7s %31s", kind, name) != 2) {
		printf("  %s", line);
		return;
	}
	t = (time_t)strtoll(field(line, "attached", v, sizeof(v)), NULL, 10);
	if (t)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	if (!strcmp(kind, "mmio")) {
		field(line, "serial", v, sizeof(v));
		if (!strcmp(v, "0"))
			snprintf(scope, sizeof(scope), "all vGPUs");
		else
			snprintf(scope, sizeof(scope), "vGPU #%.12s", v);
		if (!strcmp(field(line, "state", ms, sizeof(ms)), "orphaned"))
			snprintf(detail, sizeof(detail),
				 "its vGPU is gone (it runs no more), calls %s",
				 field(line, "calls", v, sizeof(v)));
		else
			snprintf(detail, sizeof(detail), "calls %s",
				 field(line, "calls", v, sizeof(v)));
		strncat(detail, ", handled ", sizeof(detail) - strlen(detail) - 1);
		strncat(detail, field(line, "handled", v, sizeof(v)),
			sizeof(detail) - strlen(detail) - 1);
		strncat(detail, ", denied ", sizeof(detail) - strlen(detail) - 1);
		strncat(detail, field(line, "denied", v, sizeof(v)),
			sizeof(detail) - strlen(detail) - 1);
	} else {
		snprintf(scope, sizeof(scope), "engines");
		reason = strstr(line, " reason=");
		if (reason)
			snprintf(detail, sizeof(detail),
				 "EJECTED over vGPU %s: %.*s",
				 field(line, "vgpu", v, sizeof(v)),
				 (int)strcspn(reason + 8, "\n"), reason + 8);
		else
			snprintf(detail, sizeof(detail),
				 "active, %s decisions, timeout %s ms",
				 field(line, "decisions", v, sizeof(v)),
				 field(line, "timeout_ms", ms, sizeof(ms)));
	}
	printf("%-24s %-6s %-10s %-20s %s\n", name, kind, scope, when, detail);
}

static int cmd_list(void)
{
	char line[512];
	struct dirent *de;
	DIR *d;
	FILE *f;
	int n = 0;

	snprintf(line, sizeof(line), "/sys/class/%s/%s/policies",
		 GVT_CLASS_NAME, GVT_PARENT_NAME);
	f = fopen(line, "r");
	if (!f) {
		err("%s: %s (is the gvt_bpf module loaded?)", line,
		    strerror(errno));
		return 1;
	}
	printf("%-24s %-6s %-10s %-20s %s\n", "ATTACHED POLICY", "HOOK",
	       "SCOPE", "SINCE", "STATE");
	while (fgets(line, sizeof(line), f)) {
		list_row(line);
		n++;
	}
	fclose(f);
	if (!n)
		printf("(none: the built-in handlers and scheduler run)\n");

	printf("\n%-24s %s\n", "PINNED UNDER " PIN_ROOT, "PINS");
	d = opendir(PIN_ROOT);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		struct dirent *pe;
		DIR *pd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", PIN_ROOT, de->d_name);
		pd = opendir(sub);
		if (!pd)
			continue;
		printf("%-24s", de->d_name);
		while ((pe = readdir(pd)))
			if (pe->d_name[0] != '.')
				printf(" %s", pe->d_name);
		printf("\n");
		closedir(pd);
	}
	closedir(d);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gvt-load POLICY.bpf.o [--vgpu UUID] [--name NAME] [--set KNOB=VALUE]...\n"
		"       gvt-load --replace NAME POLICY.bpf.o [--set KNOB=VALUE]...\n"
		"       gvt-load --unload NAME\n"
		"       gvt-load --list\n"
		"KNOB is a const volatile variable of the policy or MAP[KEY].\n"
		"Options: -v (libbpf debug output), -h.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vgpu", required_argument, NULL, 'g' },
		{ "name", required_argument, NULL, 'n' },
		{ "set", required_argument, NULL, 's' },
		{ "list", no_argument, NULL, 'l' },
		{ "unload", required_argument, NULL, 'u' },
		{ "replace", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *uuid = NULL, *name = NULL, *unload = NULL, *replace = NULL;
	struct knob knobs[MAX_SETS];
	int nk = 0, list = 0, c;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'g': uuid = optarg; break;
		case 'n': name = optarg; break;
		case 's':
			if (nk >= MAX_SETS || parse_set(optarg, &knobs[nk]))
				return 2;
			nk++;
			break;
		case 'l': list = 1; break;
		case 'u': unload = optarg; break;
		case 'r': replace = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	libbpf_set_print(libbpf_print);

	if (list + !!unload + !!replace > 1) {
		err("--list, --unload and --replace exclude each other");
		return 2;
	}
	if (list || unload) {
		if (optind != argc || uuid || name || nk) {
			usage(stderr);
			return 2;
		}
		return list ? cmd_list() : cmd_unload(unload);
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (replace) {
		if (uuid || name) {
			err("--replace keeps the policy's name and vGPU binding");
			return 2;
		}
		return cmd_replace(replace, argv[optind], knobs, nk);
	}
	return cmd_load(argv[optind], name, uuid, knobs, nk);
}
