// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgvtvfio: sysfs helpers for the gvt-bpf mdev parent and its vGPUs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gvt_sysfs.h"

int gvt_sysfs_write(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/*
	 * A sysfs store sees exactly one write; its error is the answer the
	 * caller wants, so there is no retry loop around a short write.
	 */
	n = write(fd, s, len);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

ssize_t gvt_sysfs_read(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd, err = 0;

	if (!size)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len == size - 1) {
			char extra;

			/* a full buffer is only an error if more is left */
			n = read(fd, &extra, 1);
			if (n > 0)
				err = EOVERFLOW;
			else if (n < 0)
				err = errno;
			break;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (err)
		return -err;
	if (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return (ssize_t)len;
}

int gvt_sysfs_read_long(const char *path, long *val)
{
	char buf[64], *end;
	ssize_t n = gvt_sysfs_read(path, buf, sizeof(buf));
	long v;

	if (n < 0)
		return (int)n;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	*val = v;
	return 0;
}

bool gvt_sysfs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int fit(int n, size_t size)
{
	return n < 0 || (size_t)n >= size ? -EINVAL : 0;
}

int gvt_mdev_type_name(unsigned int div, char *buf, size_t size)
{
	return fit(snprintf(buf, size, GVT_MDEV_TYPE_PREFIX "%u", div), size);
}

int gvt_mdev_type_attr_path_on(unsigned int parent, unsigned int div,
			       const char *attr, char *buf, size_t size)
{
	return fit(snprintf(buf, size, GVT_MDEV_BUS_DIR "/" GVT_PARENT_PREFIX
			    "%u/mdev_supported_types/" GVT_MDEV_TYPE_PREFIX
			    "%u/%s", parent, div, attr), size);
}

int gvt_mdev_type_attr_path(unsigned int div, const char *attr, char *buf,
			    size_t size)
{
	return gvt_mdev_type_attr_path_on(0, div, attr, buf, size);
}

int gvt_mdev_path(const char *uuid, const char *attr, char *buf, size_t size)
{
	if (attr)
		return fit(snprintf(buf, size, GVT_MDEV_DEVICES_DIR "/%s/%s",
				    uuid, attr), size);
	return fit(snprintf(buf, size, GVT_MDEV_DEVICES_DIR "/%s", uuid),
		   size);
}

int gvt_mdev_create_on(unsigned int parent, unsigned int div,
		       const char *uuid)
{
	char path[PATH_MAX];
	int ret = gvt_mdev_type_attr_path_on(parent, div, "create", path,
					     sizeof(path));

	return ret ? ret : gvt_sysfs_write(path, uuid);
}

int gvt_mdev_create(unsigned int div, const char *uuid)
{
	return gvt_mdev_create_on(0, div, uuid);
}

int gvt_mdev_remove(const char *uuid)
{
	char path[PATH_MAX];
	int ret = gvt_mdev_path(uuid, "remove", path, sizeof(path));

	return ret ? ret : gvt_sysfs_write(path, "1");
}

bool gvt_mdev_exists(const char *uuid)
{
	char path[PATH_MAX];

	if (gvt_mdev_path(uuid, NULL, path, sizeof(path)))
		return false;
	return gvt_sysfs_exists(path);
}

long gvt_mdev_available_on(unsigned int parent, unsigned int div)
{
	char path[PATH_MAX];
	long v;
	int ret = gvt_mdev_type_attr_path_on(parent, div, "available_instances",
					     path, sizeof(path));

	if (!ret)
		ret = gvt_sysfs_read_long(path, &v);
	return ret ? ret : v;
}

long gvt_mdev_available(unsigned int div)
{
	return gvt_mdev_available_on(0, div);
}

int gvt_parent_count(void)
{
	char path[PATH_MAX];
	int n;

	for (n = 0; n < GVT_MAX_PARENTS; n++) {
		if (fit(snprintf(path, sizeof(path), GVT_CLASS_DIR "/"
				 GVT_PARENT_PREFIX "%d", n), sizeof(path)) ||
		    !gvt_sysfs_exists(path))
			break;
	}
	return n;
}

int gvt_parent_attr_long(unsigned int parent, const char *attr, long *val)
{
	char path[PATH_MAX];
	int ret = fit(snprintf(path, sizeof(path), GVT_CLASS_DIR "/"
			       GVT_PARENT_PREFIX "%u/%s", parent, attr),
		      sizeof(path));

	return ret ? ret : gvt_sysfs_read_long(path, val);
}

int gvt_vgpu_stat(const char *uuid, const char *name, unsigned long long *val)
{
	char path[PATH_MAX], buf[32], *end;
	ssize_t n;

	if (fit(snprintf(path, sizeof(path), GVT_MDEV_DEVICES_DIR "/%s/"
			 GVT_SYSFS_STATS_GROUP "/%s", uuid, name),
		sizeof(path)))
		return -EINVAL;
	n = gvt_sysfs_read(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

int gvt_uuid_generate(char *buf, size_t size)
{
	char tmp[64];	/* room for the newline the file ends with */
	ssize_t n;

	if (size < GVT_UUID_STR_LEN)
		return -EINVAL;
	n = gvt_sysfs_read("/proc/sys/kernel/random/uuid", tmp, sizeof(tmp));
	if (n < 0)
		return (int)n;
	if (n != GVT_UUID_STR_LEN - 1)
		return -EIO;
	memcpy(buf, tmp, GVT_UUID_STR_LEN);
	return 0;
}

int gvt_vgpu_attr_u64(const char *uuid, const char *attr, unsigned long long *val)
{
	char path[PATH_MAX], buf[32], *end;
	ssize_t n;

	if (fit(snprintf(path, sizeof(path), GVT_MDEV_DEVICES_DIR "/%s/"
			 GVT_SYSFS_GROUP "/%s", uuid, attr), sizeof(path)))
		return -EINVAL;
	n = gvt_sysfs_read(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || *end || buf[0] == '-')
		return -EINVAL;
	return 0;
}

int gvt_vgpu_by_serial(unsigned long long serial,
		       char uuid[GVT_UUID_STR_LEN], unsigned int *id)
{
	struct dirent *de;
	DIR *dir;
	int ret = -ENOENT;

	dir = opendir(GVT_MDEV_DEVICES_DIR);
	if (!dir)
		return errno == ENOENT ? -ENOENT : -errno;
	while (ret && (de = readdir(dir))) {
		unsigned long long s, v;

		/* an mdev of another driver has no gvt/serial: skipped */
		if (strlen(de->d_name) != GVT_UUID_STR_LEN - 1 ||
		    gvt_vgpu_attr_u64(de->d_name, "serial", &s) || s != serial ||
		    gvt_vgpu_attr_u64(de->d_name, "vgpu_id", &v) || v > UINT_MAX)
			continue;
		memcpy(uuid, de->d_name, GVT_UUID_STR_LEN);
		*id = (unsigned int)v;
		ret = 0;
	}
	closedir(dir);
	return ret;
}

int gvt_parent_dir(unsigned int parent, char *buf, size_t size)
{
	return fit(snprintf(buf, size, GVT_MDEV_BUS_DIR "/" GVT_PARENT_PREFIX
			    "%u", parent), size);
}
