// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgvtvfio: policy objects - a NAME.bpf.o opened with libbpf, its knobs
 * set, bound, loaded, attached through links pinned under
 * /sys/fs/bpf/gvt/NAME/, and replaced live. The pins themselves, unloads
 * and listings are gvt_policy_pin.c's; the kernel's records are
 * gvt_policy.c's.
 *
 * libbpf reports through one print callback per process. The library
 * installs its own: while a struct gvt_policy is being worked on in a
 * thread, what libbpf says (the verifier's log of a refused program
 * included) goes into that policy's log; otherwise it goes wherever it
 * went before.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "gvt_cli.h"
#include "gvt_policy.h"
#include "gvt_policy_int.h"
#include "gvt_sysfs.h"

/* MAP[KEY]=VALUE entries one policy may be given */
#define MAX_ENTRIES	256
/* the log keeps its last this many bytes (a verifier log ends with why) */
#define LOG_MAX		(4u << 20)

struct gvt_policy_entry {
	char map[BPF_OBJ_NAME_LEN];
	uint64_t key, value;
};

static void unpin_made(struct gvt_policy *pol);

/* ---- errors and the log ------------------------------------------------- */

static int fail(struct gvt_policy *pol, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct gvt_policy *pol, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pol->err, sizeof(pol->err), fmt, ap);
	va_end(ap);
	return err;
}

const char *gvt_policy_error(const struct gvt_policy *pol)
{
	return pol->err;
}

const char *gvt_policy_log(const struct gvt_policy *pol)
{
	return pol->log ? pol->log : "";
}

/* the policy libbpf is working for in this thread, NULL when none */
static __thread struct gvt_policy *log_owner;
static libbpf_print_fn_t print_before;
static pthread_once_t print_once = PTHREAD_ONCE_INIT;

/* drops the oldest bytes so that @more fit under LOG_MAX */
static void log_make_room(struct gvt_policy *pol, size_t more)
{
	size_t drop;

	if (pol->log_len + more <= LOG_MAX)
		return;
	drop = pol->log_len + more - LOG_MAX;
	if (drop > pol->log_len)
		drop = pol->log_len;
	memmove(pol->log, pol->log + drop, pol->log_len - drop + 1);
	pol->log_len -= drop;
}

static void log_append(struct gvt_policy *pol, const char *fmt, va_list ap)
{
	va_list aq;
	char *tmp;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0 || (size_t)n >= LOG_MAX)
		return;
	log_make_room(pol, (size_t)n);
	tmp = realloc(pol->log, pol->log_len + (size_t)n + 1);
	if (!tmp)
		return;		/* a lost log line is no reason to fail */
	pol->log = tmp;
	vsnprintf(pol->log + pol->log_len, (size_t)n + 1, fmt, ap);
	pol->log_len += (size_t)n;
}

static int print_cb(enum libbpf_print_level level, const char *fmt,
		    va_list ap)
{
	struct gvt_policy *pol = log_owner;

	if (!pol)
		return print_before ? print_before(level, fmt, ap) : 0;
	if (level != LIBBPF_DEBUG || pol->debug)
		log_append(pol, fmt, ap);
	return 0;
}

static void print_install(void)
{
	print_before = libbpf_set_print(print_cb);
}

/* from here to log_end(), libbpf's messages go to @pol's log */
static struct gvt_policy *log_begin(struct gvt_policy *pol)
{
	struct gvt_policy *prev = log_owner;

	pthread_once(&print_once, print_install);
	log_owner = pol;
	return prev;
}

static void log_end(struct gvt_policy *prev)
{
	log_owner = prev;
}

/* ---- open and close ----------------------------------------------------- */

/* NAME from /path/to/NAME.bpf.o */
static void default_name(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	char *dot;

	base = base ? base + 1 : path;
	if (strlen(base) >= len) {
		out[0] = '\0';		/* no valid name either way */
		return;
	}
	strcpy(out, base);
	dot = strstr(out, ".bpf.o");
	if (!dot)
		dot = strrchr(out, '.');
	if (dot)
		*dot = '\0';
}

int gvt_policy_open(struct gvt_policy *pol, const char *path,
		    const struct gvt_policy_opts *opts)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo,
		    .pin_root_path = GVT_POLICY_PIN_ROOT);
	struct gvt_policy *prev;
	int n;

	memset(pol, 0, sizeof(*pol));
	pol->debug = opts && opts->debug;
	n = snprintf(pol->path, sizeof(pol->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(pol->path))
		return fail(pol, -ENAMETOOLONG, "%.64s...: path too long", path);
	if (opts && opts->name) {
		if (!gvt_policy_name_ok(opts->name))
			return fail(pol, -EINVAL,
				    "'%.64s' is not a valid policy name (1 to %d letters, digits, _ and -)",
				    opts->name, GVT_POLICY_NAME_LEN - 1);
		snprintf(pol->name, sizeof(pol->name), "%s", opts->name);
		pol->name_set = true;
	}
	prev = log_begin(pol);
	pol->obj = bpf_object__open_file(path, &oo);
	n = pol->obj ? 0 : -errno;
	log_end(prev);
	if (n) {
		pol->obj = NULL;
		return fail(pol, n, "%s: cannot open: %s", path, strerror(-n));
	}
	return 0;
}

void gvt_policy_close(struct gvt_policy *pol)
{
	/* loaded but never attached: no pin of it may stay behind */
	if (pol->obj && pol->loaded && !pol->attached)
		unpin_made(pol);
	free(pol->pins_made);
	pol->pins_made = NULL;
	bpf_object__close(pol->obj);
	pol->obj = NULL;
	free(pol->entries);
	pol->entries = NULL;
	pol->nentries = 0;
	free(pol->log);
	pol->log = NULL;
	pol->log_len = 0;
}

static int need_open(struct gvt_policy *pol)
{
	return pol->obj ? 0 : fail(pol, -EBADF, "no policy object is open");
}

/* knobs and fields of the object's data go in before the load */
static int need_unloaded(struct gvt_policy *pol, const char *what)
{
	int ret = need_open(pol);

	if (!ret && pol->loaded)
		ret = fail(pol, -EBUSY, "%s: the policy is loaded already", what);
	return ret;
}

/* ---- knobs, bindings -------------------------------------------------------- */

/* an unsigned integer of 1, 2, 4 or 8 bytes; -ERANGE if @v does not fit */
static int store_int(void *dst, __u32 size, uint64_t v)
{
	switch (size) {
	case 1:
		*(__u8 *)dst = (__u8)v;
		return v > UINT8_MAX ? -ERANGE : 0;
	case 2:
		*(__u16 *)dst = (__u16)v;
		return v > UINT16_MAX ? -ERANGE : 0;
	case 4:
		*(__u32 *)dst = (__u32)v;
		return v > UINT32_MAX ? -ERANGE : 0;
	case 8:
		*(__u64 *)dst = v;
		return 0;
	default:
		return -EINVAL;
	}
}

/* the object's .rodata map and its BTF section, or NULL */
static struct bpf_map *rodata_map(struct gvt_policy *pol,
				  const struct btf_type **sec)
{
	const struct btf *btf = bpf_object__btf(pol->obj);
	struct bpf_map *map;

	if (!btf)
		return NULL;
	bpf_object__for_each_map(map, pol->obj) {
		const struct btf_type *t;

		if (!bpf_map__is_internal(map))
			continue;
		/* the map's value is the section: exactly ".rodata" */
		t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
		if (t && btf_is_datasec(t) &&
		    !strcmp(btf__name_by_offset(btf, t->name_off), ".rodata")) {
			*sec = t;
			return map;
		}
	}
	return NULL;
}

/* where the .rodata variable @knob lives: its bytes and size */
static int rodata_var(struct gvt_policy *pol, const char *knob, void **data,
		      __u32 *size)
{
	const struct btf *btf = bpf_object__btf(pol->obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map = rodata_map(pol, &sec);
	size_t vsz;
	char *base;
	int i;

	if (!map)
		return -ENOENT;
	base = bpf_map__initial_value(map, &vsz);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!var || strcmp(btf__name_by_offset(btf, var->name_off), knob))
			continue;
		if (!base || vs->offset + vs->size > vsz)
			return -EINVAL;
		*data = base + vs->offset;
		*size = vs->size;
		return 0;
	}
	return -ENOENT;
}

int gvt_policy_set_knob(struct gvt_policy *pol, const char *knob,
			uint64_t value)
{
	__u32 size;
	void *data;
	int ret = need_unloaded(pol, knob);

	if (ret)
		return ret;
	ret = rodata_var(pol, knob, &data, &size);
	if (ret == -ENOENT)
		return fail(pol, ret, "%s: the policy has no such knob (a const volatile variable)",
			    knob);
	if (ret)
		return fail(pol, ret, "%s: bad .rodata in %s", knob, pol->path);
	ret = store_int(data, size, value);
	if (ret == -ERANGE)
		return fail(pol, ret, "%s: value %llu does not fit in %u bytes",
			    knob, (unsigned long long)value, size);
	if (ret)
		return fail(pol, ret, "%s is not an integer knob", knob);
	return 0;
}

int gvt_policy_knob_str(struct gvt_policy *pol, const char *knob, char *buf,
			size_t size)
{
	__u32 vsize;
	void *data;
	size_t len;
	int ret = need_open(pol);

	if (ret)
		return ret;
	ret = rodata_var(pol, knob, &data, &vsize);
	if (ret)
		return fail(pol, ret, "%s: the policy has no such string", knob);
	len = strnlen(data, vsize);
	if (len >= size)
		return fail(pol, -EOVERFLOW, "%s: %zu bytes, more than %zu",
			    knob, len, size - 1);
	memcpy(buf, data, len);
	buf[len] = '\0';
	return 0;
}

/* an entry of a map the object has, with integer key and value sizes */
static int entry_check(struct gvt_policy *pol, const char *map_name,
		       uint64_t key, uint64_t value)
{
	struct bpf_map *map = bpf_object__find_map_by_name(pol->obj, map_name);
	__u8 buf[8];

	if (!map)
		return fail(pol, -ENOENT, "%s[%llu]: the policy has no map '%s'",
			    map_name, (unsigned long long)key, map_name);
	if (store_int(buf, bpf_map__key_size(map), key) ||
	    store_int(buf, bpf_map__value_size(map), value))
		return fail(pol, -EINVAL,
			    "%s[%llu]=%llu: the map needs integer keys and values that fit (%u and %u bytes)",
			    map_name, (unsigned long long)key,
			    (unsigned long long)value, bpf_map__key_size(map),
			    bpf_map__value_size(map));
	return 0;
}

static int entry_write(struct gvt_policy *pol, const struct gvt_policy_entry *e)
{
	struct bpf_map *map = bpf_object__find_map_by_name(pol->obj, e->map);
	__u8 kbuf[8] = {}, vbuf[8] = {};
	__u32 ksz, vsz;

	if (!map)
		return fail(pol, -ENOENT, "no map '%s'", e->map);
	ksz = bpf_map__key_size(map);
	vsz = bpf_map__value_size(map);
	store_int(kbuf, ksz, e->key);
	store_int(vbuf, vsz, e->value);
	if (bpf_map__update_elem(map, kbuf, ksz, vbuf, vsz, BPF_ANY))
		return fail(pol, -errno, "%s[%llu]=%llu: %s", e->map,
			    (unsigned long long)e->key,
			    (unsigned long long)e->value, strerror(errno));
	return 0;
}

int gvt_policy_set_entry(struct gvt_policy *pol, const char *map,
			 uint64_t key, uint64_t value)
{
	struct gvt_policy_entry *e, *tmp;
	int ret = need_open(pol);

	if (ret)
		return ret;
	if (strlen(map) >= sizeof(e->map))
		return fail(pol, -ENOENT, "%s: no such map (name too long)", map);
	ret = entry_check(pol, map, key, value);
	if (ret)
		return ret;
	if (pol->nentries >= MAX_ENTRIES)
		return fail(pol, -E2BIG, "more than %d map entries", MAX_ENTRIES);
	tmp = realloc(pol->entries, (pol->nentries + 1) * sizeof(*tmp));
	if (!tmp)
		return fail(pol, -ENOMEM, "out of memory");
	pol->entries = tmp;
	e = &pol->entries[pol->nentries];
	snprintf(e->map, sizeof(e->map), "%s", map);
	e->key = key;
	e->value = value;
	/* once loaded, the map is there to write; before, it waits */
	if (pol->loaded)
		return entry_write(pol, e);
	pol->nentries++;
	return 0;
}

/* MAP[KEY]=... into @map and *@key; 0 or -EINVAL */
static int parse_entry_name(const char *spec, char *map, size_t size,
			    uint64_t *key)
{
	const char *lb = strchr(spec, '['), *rb = strchr(spec, ']');
	char keystr[32];
	size_t klen;

	if (!lb || !rb || rb < lb || rb[1] != '=' || lb == spec ||
	    (size_t)(lb - spec) >= size)
		return -EINVAL;
	klen = (size_t)(rb - lb - 1);
	if (klen >= sizeof(keystr))
		return -EINVAL;
	memcpy(map, spec, (size_t)(lb - spec));
	map[lb - spec] = '\0';
	memcpy(keystr, lb + 1, klen);
	keystr[klen] = '\0';
	return gvt_parse_num(keystr, UINT64_MAX, key) ? 0 : -EINVAL;
}

/* a parsed KNOB=VALUE or MAP[KEY]=VALUE */
struct spec {
	char name[96];			/* KNOB, or MAP */
	uint64_t key, value;
	bool entry;
};

static const char *parse_spec(const char *s, struct spec *sp)
{
	const char *eq = strrchr(s, '=');
	size_t len;

	memset(sp, 0, sizeof(*sp));
	if (!eq || eq == s)
		return "expected KNOB=VALUE or MAP[KEY]=VALUE";
	len = (size_t)(eq - s);
	if (len >= sizeof(sp->name))
		return "name too long";
	if (!gvt_parse_num(eq + 1, UINT64_MAX, &sp->value))
		return "VALUE is not a non-negative integer (decimal or 0x hex)";
	memcpy(sp->name, s, len);
	sp->name[len] = '\0';
	if (!strchr(sp->name, '['))
		return NULL;
	sp->entry = true;
	if (parse_entry_name(s, sp->name, sizeof(sp->name), &sp->key) ||
	    strlen(sp->name) >= BPF_OBJ_NAME_LEN)
		return "expected MAP[KEY]=VALUE with a numeric KEY";
	return NULL;
}

const char *gvt_policy_spec_check(const char *spec)
{
	struct spec sp;

	return parse_spec(spec, &sp);
}

int gvt_policy_set(struct gvt_policy *pol, const char *spec)
{
	struct spec sp;
	const char *why = parse_spec(spec, &sp);

	if (why)
		return fail(pol, -EINVAL, "%.100s: %s", spec, why);
	if (sp.entry)
		return gvt_policy_set_entry(pol, sp.name, sp.key, sp.value);
	return gvt_policy_set_knob(pol, sp.name, sp.value);
}

/* every struct_ops map's member @field set to @v; how many, or -errno */
static int set_ops_field(struct gvt_policy *pol, const char *field, uint64_t v)
{
	const struct btf *btf = bpf_object__btf(pol->obj);
	struct bpf_map *map;
	int n = 0;

	bpf_object__for_each_map(map, pol->obj) {
		__u32 off, size;
		size_t vsz;
		char *data;

		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		data = bpf_map__initial_value(map, &vsz);
		if (!data || !btf ||
		    gvt_btf_member(btf, bpf_map__btf_value_type_id(map), field,
				   &off, &size, NULL) || off + size > vsz)
			return fail(pol, -EINVAL, "%s: its hook set %s has no field %s",
				    pol->path, bpf_map__name(map), field);
		if (store_int(data + off, size, v))
			return fail(pol, -ERANGE, "%s: %s.%s cannot hold %llu",
				    pol->path, bpf_map__name(map), field,
				    (unsigned long long)v);
		n++;
	}
	if (!n)
		return fail(pol, -EINVAL, "%s: no struct_ops in the policy to set %s in",
			    pol->path, field);
	return n;
}

int gvt_policy_bind_serial(struct gvt_policy *pol, uint64_t serial)
{
	int ret = need_unloaded(pol, "binding");

	if (ret)
		return ret;
	ret = set_ops_field(pol, "vgpu_serial", serial);
	if (ret == -EINVAL)
		return fail(pol, ret,
			    "%s cannot be bound to a vGPU: a hook set without vgpu_serial (gvt_sched_ops acts on parents)",
			    pol->path);
	if (ret < 0)
		return ret;
	pol->vgpu_serial = serial;
	return 0;
}

int gvt_policy_bind_vgpu(struct gvt_policy *pol, const char *uuid)
{
	char id[GVT_UUID_STR_LEN];
	unsigned long long serial, vid;
	int ret;

	if (!gvt_parse_uuid(uuid, id))
		return fail(pol, -EINVAL, "'%s' is not a UUID (8-4-4-4-12 hex digits)",
			    uuid);
	ret = gvt_vgpu_attr_u64(id, "serial", &serial);
	ret = ret ?: gvt_vgpu_attr_u64(id, "vgpu_id", &vid);
	if (ret == -ENOENT)
		return fail(pol, ret, "no gvt vGPU %s (%s/%s/%s missing)", id,
			    GVT_MDEV_DEVICES_DIR, id, GVT_SYSFS_GROUP);
	if (ret)
		return fail(pol, ret, "vGPU %s: cannot read its serial: %s", id,
			    strerror(-ret));
	if (!serial || vid > GVT_MAX_VGPU_ID)
		return fail(pol, -EINVAL, "vGPU %s: bad serial or id in sysfs", id);
	ret = gvt_policy_bind_serial(pol, serial);
	if (!ret)
		pol->vgpu_id = (unsigned int)vid;
	return ret;
}

int gvt_policy_set_parents(struct gvt_policy *pol, uint64_t mask)
{
	int ret = need_unloaded(pol, "parents");

	if (ret)
		return ret;
	ret = set_ops_field(pol, "parents", mask);
	if (ret < 0)
		return ret;
	pol->parents = mask;
	pol->parents_set = true;
	return 0;
}

/* ---- load and attach ---------------------------------------------------- */

/*
 * Which maps the object pins by name at the root (LIBBPF_PIN_BY_NAME) are
 * not pinned yet: the load creates those pins, and a policy that never
 * gets attached must take them away again (gvt_policy_close()).
 */
static int note_new_pins(struct gvt_policy *pol)
{
	struct bpf_map *map;
	int i = 0, n = 0;

	bpf_object__for_each_map(map, pol->obj)
		n++;
	pol->pins_made = calloc((size_t)n + 1, sizeof(*pol->pins_made));
	if (!pol->pins_made)
		return fail(pol, -ENOMEM, "out of memory");
	bpf_object__for_each_map(map, pol->obj) {
		const char *p = bpf_map__pin_path(map);

		pol->pins_made[i++] = p && access(p, F_OK);
	}
	return 0;
}

static void unpin_made(struct gvt_policy *pol)
{
	struct bpf_map *map;
	int i = 0;

	if (!pol->pins_made)
		return;
	bpf_object__for_each_map(map, pol->obj) {
		if (pol->pins_made[i++] && bpf_map__is_pinned(map))
			bpf_map__unpin(map, NULL);
	}
}

int gvt_policy_load(struct gvt_policy *pol)
{
	struct gvt_policy *prev;
	unsigned int i;
	int ret = need_unloaded(pol, "load");

	ret = ret ?: note_new_pins(pol);
	if (ret)
		return ret;
	prev = log_begin(pol);
	ret = bpf_object__load(pol->obj) ? -errno : 0;
	log_end(prev);
	if (ret)
		return fail(pol, ret, "%s: the kernel refused the policy (%s)%s",
			    pol->path, strerror(-ret),
			    pol->log_len ? "; its log says why" : "");
	pol->loaded = true;
	for (i = 0; i < pol->nentries; i++) {
		ret = entry_write(pol, &pol->entries[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int count_struct_ops(struct bpf_object *obj)
{
	struct bpf_map *map;
	int n = 0;

	bpf_object__for_each_map(map, obj)
		n += bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS;
	return n;
}

static int resolve_name(struct gvt_policy *pol)
{
	char base[GVT_POLICY_PATH_LEN], tmp[GVT_POLICY_NAME_LEN + 24];

	if (pol->name_set)
		return 0;
	default_name(pol->path, base, sizeof(base));
	if (pol->vgpu_id)
		snprintf(tmp, sizeof(tmp), "%.20s-vgpu%u", base, pol->vgpu_id);
	else
		snprintf(tmp, sizeof(tmp), "%.31s", base);
	if (!gvt_policy_name_ok(tmp) ||
	    (!pol->vgpu_id && strlen(base) >= GVT_POLICY_NAME_LEN))
		return fail(pol, -EINVAL,
			    "'%.64s' (from the file name) is not a valid policy name: give one",
			    base);
	gvt_name_copy(pol->name, tmp);
	return 0;
}

/*
 * Pins a just-made @link as @dir/link_@what, then lets go of it: the pin
 * holds the link from now on. Its id goes into pol->link_ids.
 */
static int pin_link(struct gvt_policy *pol, struct bpf_link *link,
		    const char *what, const char *dir)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	char pin[PATH_MAX], file[BPF_OBJ_NAME_LEN + 8];
	int ret;

	if (!link) {
		ret = -errno;
		return fail(pol, ret, "%s: attaching %s failed: %s%s", pol->path,
			    what, strerror(-ret), ret == -ENODEV ?
			    " (a parent of its mask does not exist, or its vGPU is gone)" :
			    ret == -EBUSY ?
			    " (a parent of its mask has a scheduling policy already)" : "");
	}
	snprintf(file, sizeof(file), GVT_POLICY_LINK_PREFIX "%s", what);
	ret = gvt_pin_path(dir, file, pin, sizeof(pin));
	if (!ret && bpf_link__pin(link, pin))
		ret = -errno;
	if (!ret && bpf_link_get_info_by_fd(bpf_link__fd(link), &li, &len))
		ret = -errno;
	/*
	 * Our fd goes either way: a pinned link stays attached (closing an
	 * fd-based link never detaches it), an unpinned one detaches now.
	 * bpf_link__disconnect() is not for this: it would leak the fd, and
	 * the fd would hold the link after its pins are gone.
	 */
	bpf_link__destroy(link);
	if (ret)
		return fail(pol, ret, "pin %s: %s", pin, strerror(-ret));
	if (pol->nlinks < GVT_POLICY_MAX_LINKS)
		pol->link_ids[pol->nlinks] = li.id;
	pol->nlinks++;
	return 0;
}

static int attach_links(struct gvt_policy *pol, const char *dir)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int ret;

	if (count_struct_ops(pol->obj) > GVT_POLICY_MAX_LINKS)
		return fail(pol, -E2BIG, "%s: more than %d struct_ops", pol->path,
			    GVT_POLICY_MAX_LINKS);
	bpf_object__for_each_map(map, pol->obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		ret = pin_link(pol, bpf_map__attach_struct_ops(map),
			       bpf_map__name(map), dir);
		if (ret)
			return ret;
	}
	if (pol->nlinks)
		return 0;
	/* no struct_ops: an observer (tracing programs), attach them all */
	bpf_object__for_each_program(prog, pol->obj) {
		if (pol->nlinks >= GVT_POLICY_MAX_LINKS)
			return fail(pol, -E2BIG, "%s: more than %d programs",
				    pol->path, GVT_POLICY_MAX_LINKS);
		ret = pin_link(pol, bpf_program__attach(prog),
			       bpf_program__name(prog), dir);
		if (ret)
			return ret;
	}
	if (!pol->nlinks)
		return fail(pol, -ENOENT, "%s: no struct_ops map or program to attach",
			    pol->path);
	return 0;
}

/*
 * Pins the object's own maps (not its data sections or struct_ops) in
 * @dir, a pin of the same name there replaced. A map the object pins by
 * name at the root gets a second pin in @dir, so that unloading the
 * policy finds it.
 */
static int pin_maps(struct gvt_policy *pol, const char *dir)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int ret;

	bpf_object__for_each_map(map, pol->obj) {
		if (bpf_map__is_internal(map) ||
		    bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		ret = gvt_pin_path(dir, bpf_map__name(map), path, sizeof(path));
		if (ret)
			return fail(pol, ret, "pin %s/%s: name too long", dir,
				    bpf_map__name(map));
		unlink(path);
		if (bpf_map__pin_path(map))
			ret = bpf_obj_pin(bpf_map__fd(map), path) ? -errno : 0;
		else
			ret = bpf_map__pin(map, path);
		if (ret)
			return fail(pol, ret, "pin %s: %s", path, strerror(-ret));
	}
	return 0;
}

static int make_dir(struct gvt_policy *pol, const char *dir)
{
	if (mkdir(GVT_POLICY_PIN_ROOT, 0700) && errno != EEXIST)
		return fail(pol, -errno, "mkdir %s: %s (is bpffs mounted on /sys/fs/bpf?)",
			    GVT_POLICY_PIN_ROOT, gvt_cli_why(errno));
	if (!mkdir(dir, 0700))
		return 0;
	if (errno == EEXIST)
		return fail(pol, -EEXIST,
			    "a policy named %s is loaded already: unload or replace it, or give another name",
			    pol->name);
	return fail(pol, -errno, "mkdir %s: %s", dir, gvt_cli_why(errno));
}

int gvt_policy_attach(struct gvt_policy *pol)
{
	char dir[PATH_MAX];
	struct gvt_policy *prev;
	int ret = need_open(pol);

	if (!ret && pol->attached)
		ret = fail(pol, -EBUSY, "%s is attached already", pol->name);
	ret = ret ?: resolve_name(pol);
	if (ret)
		return ret;
	ret = gvt_pin_dir(pol->name, dir, sizeof(dir));
	if (ret)
		return fail(pol, ret, "%s: name too long", pol->name);
	ret = make_dir(pol, dir);
	if (ret)
		return ret;
	ret = pol->loaded ? 0 : gvt_policy_load(pol);
	if (!ret) {
		prev = log_begin(pol);
		ret = attach_links(pol, dir);
		log_end(prev);
	}
	ret = ret ?: pin_maps(pol, dir);
	if (ret) {
		/* nothing stays: the links go with their pins */
		gvt_unpin_dir(dir);
		pol->nlinks = 0;
		return ret;
	}
	pol->attached = true;
	return 0;
}

/* ---- replace ------------------------------------------------------------------ */

/* the link pin @map replaces in @dir: same name, or the only one */
static int link_for(struct gvt_policy *pol, struct bpf_map *map,
		    const char *dir, char *pin, size_t size)
{
	char file[BPF_OBJ_NAME_LEN + 8];

	snprintf(file, sizeof(file), GVT_POLICY_LINK_PREFIX "%s",
		 bpf_map__name(map));
	if (!gvt_pin_path(dir, file, pin, size) && !access(pin, F_OK))
		return 0;
	/* one hook set for one: the new one may have another name */
	if (count_struct_ops(pol->obj) == 1 && !gvt_pin_single_link(dir, pin, size))
		return 0;
	return fail(pol, -ENOENT, "%s has no hook set named %s to replace",
		    pol->name, bpf_map__name(map));
}

static bool has_field(struct gvt_policy *pol, struct bpf_map *map,
		      const char *field)
{
	const struct btf *btf = bpf_object__btf(pol->obj);
	__u32 off, size;

	return btf && !gvt_btf_member(btf, bpf_map__btf_value_type_id(map), field,
				  &off, &size, NULL);
}

/* writes @v into struct_ops @map's field @field before the load */
static int set_map_field(struct gvt_policy *pol, struct bpf_map *map,
			 const char *field, uint64_t v)
{
	const struct btf *btf = bpf_object__btf(pol->obj);
	__u32 off, size;
	size_t vsz;
	char *data = bpf_map__initial_value(map, &vsz);

	if (!data || !btf ||
	    gvt_btf_member(btf, bpf_map__btf_value_type_id(map), field, &off,
			   &size, NULL) || off + size > vsz ||
	    store_int(data + off, size, v))
		return fail(pol, -EINVAL,
			    "%s: %s cannot keep the live policy's %s (%llu)",
			    pol->path, bpf_map__name(map), field,
			    (unsigned long long)v);
	return 0;
}

/* the live binding and parents of each link, into the new maps */
static int keep_binding(struct gvt_policy *pol, const char *dir)
{
	struct bpf_map *map;
	char pin[PATH_MAX];
	int ret, fd;

	bpf_object__for_each_map(map, pol->obj) {
		struct gvt_live_ops lo;

		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		ret = link_for(pol, map, dir, pin, sizeof(pin));
		if (ret)
			return ret;
		fd = bpf_obj_get(pin);
		if (fd < 0)
			return fail(pol, -errno, "%s: %s", pin, strerror(errno));
		ret = gvt_live_ops_read(fd, &lo);
		close(fd);
		if (ret)
			return fail(pol, ret, "%s: cannot read the live policy: %s",
				    pin, strerror(-ret));
		/* a bound policy stays bound; an unbound one stays unbound */
		if (lo.has_serial && (lo.vgpu_serial || has_field(pol, map,
								  "vgpu_serial")))
			ret = set_map_field(pol, map, "vgpu_serial",
					    lo.vgpu_serial);
		if (!ret && lo.has_parents && !pol->parents_set)
			ret = set_map_field(pol, map, "parents", lo.parents);
		if (ret)
			return ret;
		if (lo.vgpu_serial)
			pol->vgpu_serial = lo.vgpu_serial;
		if (!pol->parents_set)
			pol->parents = lo.parents;
	}
	return 0;
}

static int update_links(struct gvt_policy *pol, const char *dir)
{
	struct bpf_map *map;
	char pin[PATH_MAX];

	bpf_object__for_each_map(map, pol->obj) {
		struct bpf_link_info li = {};
		__u32 len = sizeof(li);
		struct bpf_link *link;
		int ret;

		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		ret = link_for(pol, map, dir, pin, sizeof(pin));
		if (ret)
			return ret;
		link = bpf_link__open(pin);
		if (!link)
			return fail(pol, -errno, "%s: %s", pin, strerror(errno));
		ret = bpf_link__update_map(link, map);
		if (!ret && bpf_link_get_info_by_fd(bpf_link__fd(link), &li, &len))
			ret = -errno;
		/* closes our fd only: the pin holds the link */
		bpf_link__destroy(link);
		if (ret)
			return fail(pol, ret, "replacing %s/%s failed: %s%s",
				    pol->name, bpf_map__name(map),
				    strerror(-ret), pol->nlinks ?
				    " (the hook sets before it were replaced)" : "");
		if (pol->nlinks < GVT_POLICY_MAX_LINKS)
			pol->link_ids[pol->nlinks] = li.id;
		pol->nlinks++;
	}
	return 0;
}

/* the ids of the object's maps, to keep their pins */
static int own_map_ids(struct gvt_policy *pol, __u32 **ids)
{
	struct bpf_map *map;
	int n = 0;

	*ids = NULL;
	bpf_object__for_each_map(map, pol->obj)
		n++;
	*ids = calloc((size_t)n + 1, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	n = 0;
	bpf_object__for_each_map(map, pol->obj) {
		struct bpf_map_info mi = {};
		__u32 len = sizeof(mi);

		if (!bpf_map_get_info_by_fd(bpf_map__fd(map), &mi, &len))
			(*ids)[n++] = mi.id;
	}
	return n;
}

int gvt_policy_replace(struct gvt_policy *pol, const char *name)
{
	char dir[PATH_MAX];
	struct gvt_policy *prev;
	__u32 *keep;
	int ret = need_unloaded(pol, "replace"), n;

	if (ret)
		return ret;
	if (pol->vgpu_serial)
		return fail(pol, -EINVAL, "a replacement keeps the live policy's vGPU: do not bind it");
	if (!gvt_policy_name_ok(name))
		return fail(pol, -EINVAL, "'%s' is not a valid policy name", name);
	snprintf(pol->name, sizeof(pol->name), "%s", name);
	ret = gvt_pin_dir(name, dir, sizeof(dir));
	if (!ret && access(dir, F_OK))
		ret = fail(pol, -ENOENT, "no policy named %s is loaded", name);
	if (ret)
		return ret;
	if (!count_struct_ops(pol->obj))
		return fail(pol, -EINVAL, "%s: no struct_ops map: only struct_ops policies are replaced live",
			    pol->path);
	ret = keep_binding(pol, dir);
	ret = ret ?: gvt_policy_load(pol);
	if (ret)
		return ret;
	prev = log_begin(pol);
	ret = update_links(pol, dir);
	log_end(prev);
	if (ret)
		return ret;
	/* the old object's maps go, the new one's take their place */
	n = own_map_ids(pol, &keep);
	if (n < 0)
		return fail(pol, n, "out of memory");
	gvt_unpin_maps(dir, keep, n);
	free(keep);
	/* the new programs run: what they pinned stays, whatever comes */
	pol->attached = true;
	return pin_maps(pol, dir);
}

/* ---- waiting -------------------------------------------------------- */

int gvt_policy_wait(struct gvt_policy *pol, int timeout_ms,
		    struct gvt_policy_info *exited)
{
	unsigned int ids[GVT_POLICY_MAX_LINKS];
	struct gvt_policy_info p;
	unsigned int i, n = 0;
	int ret, which = 0;

	for (i = 0; i < pol->nlinks && i < GVT_POLICY_MAX_LINKS; i++) {
		int fd;

		ret = gvt_policy_of_link(pol->link_ids[i], &p);
		if (ret == -ENOENT) {
			/* no record: a tracing link, or one detached */
			fd = bpf_link_get_fd_by_id(pol->link_ids[i]);
			if (fd < 0)
				return fail(pol, -ENOENT, "%s was detached",
					    pol->name);
			close(fd);
			continue;
		}
		if (ret)
			return fail(pol, ret, "%s: %s", GVT_SYSFS_POLICIES,
				    strerror(-ret));
		ids[n++] = p.id;
	}
	if (!n)
		return fail(pol, -ENODATA, "%s: no kernel record to wait on",
			    pol->name);
	ret = gvt_policy_wait_any(ids, (int)n, timeout_ms, &which);
	if (ret == 1) {
		ret = gvt_policy_read(ids[which], exited);
		if (!ret)
			snprintf(exited->pin, sizeof(exited->pin), "%s", pol->name);
		return ret ? fail(pol, ret, "policy %u: %s", ids[which],
				  strerror(-ret)) : 1;
	}
	if (ret == -ENOENT)
		return fail(pol, ret, "%s was detached", pol->name);
	return ret;
}

