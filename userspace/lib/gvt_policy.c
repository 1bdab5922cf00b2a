// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgvtvfio: the attached BPF policies, read from
 * /sys/kernel/gvt/policies/<id>/.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gvt_policy.h"
#include "gvt_sysfs.h"

static int pol_path(unsigned int id, const char *file, char *buf, size_t size)
{
	int n = snprintf(buf, size, GVT_SYSFS_POLICIES "/%u/%s", id, file);

	return n < 0 || (size_t)n >= size ? -EINVAL : 0;
}

static int pol_str(unsigned int id, const char *file, char *out, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;

	if (pol_path(id, file, path, sizeof(path)))
		return -EINVAL;
	n = gvt_sysfs_read(path, out, size);
	return n < 0 ? (int)n : 0;
}

/* an unsigned number in any base strtoull takes (the masks are hex) */
static int pol_u64(unsigned int id, const char *file, uint64_t *v)
{
	char buf[32], *end;
	int ret = pol_str(id, file, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return errno || end == buf || *end ? -EINVAL : 0;
}

static int pol_s64(unsigned int id, const char *file, int64_t *v)
{
	char buf[32], *end;
	int ret = pol_str(id, file, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*v = strtoll(buf, &end, 0);
	return errno || end == buf || *end ? -EINVAL : 0;
}

static int pol_uint(unsigned int id, const char *file, unsigned int *v)
{
	uint64_t x;
	int ret = pol_u64(id, file, &x);

	if (!ret && x > UINT_MAX)
		ret = -ERANGE;
	if (!ret)
		*v = (unsigned int)x;
	return ret;
}

int gvt_policy_read(unsigned int id, struct gvt_policy_info *p)
{
	int64_t prio = 0;
	int ret;

	memset(p, 0, sizeof(*p));
	p->id = id;
	ret = pol_str(id, "name", p->name, sizeof(p->name));
	if (ret)
		return ret == -ENOENT ? -ENOENT : ret;
	ret = pol_str(id, "hook", p->hook, sizeof(p->hook));
	ret = ret ?: pol_uint(id, "link_id", &p->link_id);
	ret = ret ?: pol_str(id, "state", p->state, sizeof(p->state));
	ret = ret ?: pol_u64(id, "parents", &p->parents);
	ret = ret ?: pol_s64(id, "attached", &p->attached);
	ret = ret ?: pol_uint(id, "exit_kind", &p->exit_kind);
	ret = ret ?: pol_uint(id, "exit_parent", &p->exit_parent);
	ret = ret ?: pol_uint(id, "exit_vgpu", &p->exit_vgpu);
	ret = ret ?: pol_uint(id, "exit_engine", &p->exit_engine);
	ret = ret ?: pol_u64(id, "exit_waited_ns", &p->exit_waited_ns);
	ret = ret ?: pol_str(id, "exit_reason", p->exit_reason,
			     sizeof(p->exit_reason));
	ret = ret ?: pol_str(id, "exit_msg", p->exit_msg, sizeof(p->exit_msg));
	if (ret)
		return ret;
	if (!strcmp(p->hook, "mmio")) {
		ret = pol_u64(id, "vgpu_serial", &p->vgpu_serial);
		ret = ret ?: pol_s64(id, "priority", &prio);
		ret = ret ?: pol_u64(id, "calls", &p->calls);
		ret = ret ?: pol_u64(id, "handled", &p->handled);
		ret = ret ?: pol_u64(id, "denied", &p->denied);
		p->priority = (int)prio;
	} else {
		ret = pol_u64(id, "decisions", &p->decisions);
		ret = ret ?: pol_uint(id, "timeout_ms", &p->timeout_ms);
		ret = ret ?: pol_uint(id, "flags", &p->flags);
	}
	return ret;
}

static int cmp_id(const void *a, const void *b)
{
	const struct gvt_policy_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int gvt_policy_list(struct gvt_policy_info *out, int max)
{
	struct dirent *de;
	DIR *d = opendir(GVT_SYSFS_POLICIES);
	int n = 0, got = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long id;

		if (de->d_name[0] == '.')
			continue;
		errno = 0;
		id = strtoul(de->d_name, &end, 10);
		if (errno || *end || id > UINT_MAX)
			continue;
		n++;
		/* one detached meanwhile is simply not listed */
		if (got < max && !gvt_policy_read((unsigned int)id, &out[got]))
			got++;
	}
	closedir(d);
	qsort(out, got, sizeof(*out), cmp_id);
	return n > max ? n : got;
}

int gvt_policy_of_link(unsigned int link_id, struct gvt_policy_info *p)
{
	static struct gvt_policy_info pols[256];
	int i, n = gvt_policy_list(pols, 256);

	for (i = 0; i < n && i < 256; i++) {
		if (pols[i].link_id == link_id) {
			*p = pols[i];
			return 0;
		}
	}
	return n < 0 ? n : -ENOENT;
}

int gvt_policy_sched_of(unsigned int parent, char *name, size_t size)
{
	char path[PATH_MAX], buf[128];
	ssize_t n;

	snprintf(path, sizeof(path), GVT_CLASS_DIR "/" GVT_PARENT_PREFIX
		 "%u/sched_policy", parent);
	n = gvt_sysfs_read(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* "builtin-weighted" or "builtin-weighted (x ejected)": built-in */
	if (!strncmp(buf, "builtin", 7))
		buf[0] = '\0';
	snprintf(name, size, "%s", buf);
	return 0;
}

int gvt_policy_wait_exit(unsigned int id, int timeout_ms)
{
	char path[PATH_MAX], buf[32];
	struct pollfd pfd;
	int fd, ret;

	if (pol_path(id, "state", path, sizeof(path)))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		/* a sysfs file is re-read from the start to re-arm poll() */
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0) {
			ret = -errno;
			break;
		}
		buf[n] = '\0';
		if (strncmp(buf, "active", 6)) {
			ret = 1;
			break;
		}
		pfd.fd = fd;
		pfd.events = POLLPRI | POLLERR;
		ret = poll(&pfd, 1, timeout_ms);
		if (ret <= 0) {
			ret = ret < 0 ? -errno : 0;
			break;
		}
	}
	close(fd);
	return ret;
}
