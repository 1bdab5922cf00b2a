/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgvtvfio: sysfs helpers for the gvt-bpf mdev parent and its vGPUs,
 * shared by the tests and the tools.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure. For writes the errno is the one write(2) gave, which is how
 * sysfs store handlers report why they refused (EINVAL, EEXIST, ...).
 */
#ifndef GVT_SYSFS_H
#define GVT_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "gvt/gvt_abi.h"

#define GVT_MDEV_BUS_DIR	"/sys/class/mdev_bus"
#define GVT_CLASS_DIR		"/sys/class/" GVT_CLASS_NAME
/* the first parent, gvt0; the _on() variants take a parent index */
#define GVT_MDEV_PARENT_DIR	GVT_MDEV_BUS_DIR "/" GVT_PARENT_NAME
#define GVT_MDEV_TYPES_DIR	GVT_MDEV_PARENT_DIR "/mdev_supported_types"
#define GVT_MDEV_DEVICES_DIR	"/sys/bus/mdev/devices"
/* mdev names a type directory "<parent driver or class>-<type>" */
#define GVT_MDEV_TYPE_PREFIX	GVT_CLASS_NAME "-" GVT_TYPE_PREFIX

/* 36 characters and the terminating NUL */
#define GVT_UUID_STR_LEN	37

/* writes @s to @path in one write(2); 0 or -errno */
int gvt_sysfs_write(const char *path, const char *s);
/*
 * Reads @path into @buf (NUL-terminated, one trailing newline dropped).
 * Returns the length or -errno; -EOVERFLOW when @buf is too small.
 */
ssize_t gvt_sysfs_read(const char *path, char *buf, size_t size);
/* reads a decimal integer; 0 or -errno (-EINVAL if not a number) */
int gvt_sysfs_read_long(const char *path, long *val);
/* 1 if @path exists, 0 if not */
bool gvt_sysfs_exists(const char *path);

/* "gvt-V1_<div>" into @buf; 0 or -EINVAL if it does not fit */
int gvt_mdev_type_name(unsigned int div, char *buf, size_t size);
/* path of attribute @attr of type V1_<div> (e.g. "available_instances") */
int gvt_mdev_type_attr_path(unsigned int div, const char *attr, char *buf,
			    size_t size);
int gvt_mdev_type_attr_path_on(unsigned int parent, unsigned int div,
			       const char *attr, char *buf, size_t size);
/* path of the mdev @uuid itself, or of @attr under it when non-NULL */
int gvt_mdev_path(const char *uuid, const char *attr, char *buf, size_t size);

/* creates a vGPU of type V1_<div> named @uuid; 0 or -errno */
int gvt_mdev_create(unsigned int div, const char *uuid);
int gvt_mdev_create_on(unsigned int parent, unsigned int div,
		       const char *uuid);
/* writes "1" to the vGPU's remove attribute; 0 or -errno */
int gvt_mdev_remove(const char *uuid);
/* true while /sys/bus/mdev/devices/<uuid> exists */
bool gvt_mdev_exists(const char *uuid);
/* available_instances of type V1_<div>, or -errno */
long gvt_mdev_available(unsigned int div);
long gvt_mdev_available_on(unsigned int parent, unsigned int div);

/* how many parents exist (gvt0, gvt1, ...) */
int gvt_parent_count(void);
/* a number of /sys/class/gvt/gvt<parent>/<attr>; 0 or -errno */
int gvt_parent_attr_long(unsigned int parent, const char *attr, long *val);
/* one counter of a vGPU (<uuid>/gvt_stats/<name>); 0 or -errno */
int gvt_vgpu_stat(const char *uuid, const char *name, unsigned long long *val);
/* a number of the vGPU's gvt/ group (<uuid>/gvt/<attr>); 0 or -errno */
int gvt_vgpu_attr_u64(const char *uuid, const char *attr,
		      unsigned long long *val);
/*
 * The vGPU whose serial is @serial (serials are never reused): its UUID
 * into @uuid and its id into *@id. 0, or -ENOENT when no vGPU has it.
 */
int gvt_vgpu_by_serial(unsigned long long serial,
		       char uuid[GVT_UUID_STR_LEN], unsigned int *id);
/* /sys/class/mdev_bus/gvt<parent> into @buf; 0 or -EINVAL */
int gvt_parent_dir(unsigned int parent, char *buf, size_t size);

/* a random UUID from the kernel into @buf (GVT_UUID_STR_LEN bytes) */
int gvt_uuid_generate(char *buf, size_t size);

#endif /* GVT_SYSFS_H */
