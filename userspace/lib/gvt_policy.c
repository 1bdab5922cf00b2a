// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgvtvfio: the kernel's records of the attached BPF policies, read
 * from /sys/kernel/gvt/policies/<id>/ (one value per file), waited on
 * and printed. The object side is gvt_policy_obj.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/*
 * The ranges file of an MMIO policy: "all", or START+SIZE in hex for each
 * range, space separated
 */
static int pol_ranges(unsigned int id, struct gvt_policy_info *p)
{
	char buf[GVT_MMIO_MAX_RANGES * 24 + 8], *s, *end;
	unsigned long long start, size;
	int ret = pol_str(id, "ranges", buf, sizeof(buf));

	p->nranges = 0;
	if (ret || !strcmp(buf, "all"))
		return ret;
	for (s = buf; *s; s = end) {
		if (p->nranges == GVT_MMIO_MAX_RANGES)
			return -EINVAL;
		errno = 0;
		start = strtoull(s, &end, 0);
		if (errno || end == s || *end != '+')
			return -EINVAL;
		s = end + 1;
		size = strtoull(s, &end, 0);
		if (errno || end == s || (*end && *end != ' ') || !size ||
		    start + size > UINT32_MAX)
			return -EINVAL;
		if (*end)
			end++;
		p->ranges[p->nranges].start = (uint32_t)start;
		p->ranges[p->nranges].end = (uint32_t)(start + size);
		p->nranges++;
	}
	return p->nranges ? 0 : -EINVAL;
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
		ret = ret ?: pol_ranges(id, p);
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

/*
 * Every record into a new array *@out (free() it); the count or -errno.
 * The array grows until a whole listing fits, so that a policy attached
 * meanwhile does not cut one short.
 */
static int list_alloc(struct gvt_policy_info **out)
{
	struct gvt_policy_info *pols = NULL, *tmp;
	int n, max = 64;

	for (;;) {
		tmp = realloc(pols, (size_t)max * sizeof(*pols));
		if (!tmp) {
			free(pols);
			return -ENOMEM;
		}
		pols = tmp;
		n = gvt_policy_list(pols, max);
		if (n <= max)
			break;
		max = n;
	}
	if (n < 0) {
		free(pols);
		return n;
	}
	*out = pols;
	return n;
}

int gvt_policy_of_link(unsigned int link_id, struct gvt_policy_info *p)
{
	struct gvt_policy_info *pols;
	int i, n = list_alloc(&pols), ret = -ENOENT;

	if (n < 0)
		return n;
	for (i = 0; i < n && ret; i++) {
		if (pols[i].link_id == link_id) {
			*p = pols[i];
			ret = 0;
		}
	}
	free(pols);
	return ret;
}

int gvt_policy_sched_of(unsigned int parent, char *name, size_t size)
{
	struct gvt_policy_info *pols;
	int i, n;

	if (parent >= GVT_MAX_PARENTS || !size)
		return -EINVAL;
	n = list_alloc(&pols);
	if (n < 0)
		return n;
	name[0] = '\0';
	/* the kernel allows one active sched policy per parent */
	for (i = 0; i < n; i++) {
		if (!strcmp(pols[i].hook, "sched") &&
		    !strcmp(pols[i].state, "active") &&
		    pols[i].parents & (1ull << parent)) {
			snprintf(name, size, "%s", pols[i].name);
			break;
		}
	}
	free(pols);
	return 0;
}

/* ---- waiting for an exit -------------------------------------------------- */

/*
 * The longest single poll(): a record replaced on its link gets a new
 * state file, and the old one, removed, may never be notified; a bounded
 * poll finds the new one.
 */
#define WAIT_SLICE_MS	500

/*
 * Reads policy @id's state through *@fd (opened on first use): 1 when it
 * left "active", 0 while active (and armed for poll()), -ENOENT once the
 * policy is detached, or -errno. A removed file (-ENODEV: the record was
 * replaced on its link) is reopened under the same name.
 */
static int state_check(unsigned int id, int *fd)
{
	char path[PATH_MAX], buf[32];
	ssize_t n = -1;
	int tries;

	if (pol_path(id, "state", path, sizeof(path)))
		return -EINVAL;
	for (tries = 0; tries < 2; tries++) {
		if (*fd < 0) {
			*fd = open(path, O_RDONLY | O_CLOEXEC);
			if (*fd < 0)
				return -errno;
		}
		/* a sysfs file is re-read from the start to re-arm poll() */
		n = pread(*fd, buf, sizeof(buf) - 1, 0);
		if (n >= 0 || errno != ENODEV)
			break;
		close(*fd);
		*fd = -1;
	}
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return strncmp(buf, "active", 6) ? 1 : 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* one round: every state checked, then one bounded poll() */
static int wait_round(const unsigned int *ids, int *fds, struct pollfd *pfd,
		      int n, int ms, int *which)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = state_check(ids[i], &fds[i]);
		if (ret) {
			if (which)
				*which = i;
			return ret;
		}
		pfd[i].fd = fds[i];
		pfd[i].events = POLLPRI | POLLERR;
		pfd[i].revents = 0;
	}
	if (poll(pfd, (nfds_t)n, ms) < 0)
		return -errno;	/* -EINTR: a signal, for the caller to see */
	return 0;
}

int gvt_policy_wait_any(const unsigned int *ids, int n, int timeout_ms,
			int *which)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct pollfd *pfd;
	int *fds, i, ret;

	if (n <= 0)
		return -EINVAL;
	fds = malloc((size_t)n * sizeof(*fds));
	pfd = calloc((size_t)n, sizeof(*pfd));
	if (!fds || !pfd) {
		free(fds);
		free(pfd);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		fds[i] = -1;
	for (;;) {
		int64_t left = timeout_ms < 0 ? WAIT_SLICE_MS :
			       deadline - now_ms();
		int ms = left < WAIT_SLICE_MS ? (int)left : WAIT_SLICE_MS;

		ret = wait_round(ids, fds, pfd, n, ms < 0 ? 0 : ms, which);
		if (ret || (timeout_ms >= 0 && left <= 0))
			break;
	}
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(pfd);
	return ret;
}

int gvt_policy_wait_exit(unsigned int id, int timeout_ms)
{
	return gvt_policy_wait_any(&id, 1, timeout_ms, NULL);
}

/* ---- printing --------------------------------------------------------------- */

const char *gvt_exit_kind_name(unsigned int kind)
{
	static const char *const names[] = {
		[GVT_EXIT_NONE] = "none",
		[GVT_EXIT_DETACHED] = "detached",
		[GVT_EXIT_SELF] = "self",
		[GVT_EXIT_BAD_DECISION] = "bad-decision",
		[GVT_EXIT_STALL] = "stall",
		[GVT_EXIT_REFUSED_VGPU] = "refused-vgpu",
		[GVT_EXIT_VGPU_GONE] = "vgpu-gone",
	};

	if (kind >= sizeof(names) / sizeof(names[0]) || !names[kind])
		return "unknown";
	return names[kind];
}

/* "gvt0", "gvt0,gvt2": the parents of a resolved mask */
static void fmt_parents(char *buf, size_t size, uint64_t mask)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < 64 && len < size; i++)
		if (mask & (1ull << i))
			len += (size_t)snprintf(buf + len, size - len,
						"%s" GVT_PARENT_PREFIX "%u",
						len ? "," : "", i);
	if (!len)
		snprintf(buf, size, "-");
}

/* where a policy acts: its vGPU (looked up by serial), or its parents */
static void fmt_scope(char *buf, size_t size, const struct gvt_policy_info *p)
{
	char uuid[GVT_UUID_STR_LEN];
	unsigned int id;

	if (!strcmp(p->hook, GVT_POLICY_HOOK_TRACING))
		snprintf(buf, size, "every vGPU");
	else if (!p->vgpu_serial)
		fmt_parents(buf, size, p->parents);
	else if (!gvt_vgpu_by_serial(p->vgpu_serial, uuid, &id))
		snprintf(buf, size, "vGPU %u", id);
	else	/* its exit message names the vGPU and serial it had */
		snprintf(buf, size, "vGPU gone");
}

static void fmt_since(char *buf, size_t size, int64_t epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (epoch <= 0 || !localtime_r(&t, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "-");
}

/* its activity while active; its state and exit message once stopped */
static void fmt_activity(char *buf, size_t size,
			 const struct gvt_policy_info *p)
{
	char state[sizeof(p->state)];
	size_t i;

	if (strcmp(p->state, "active")) {
		for (i = 0; i + 1 < sizeof(state) && p->state[i]; i++)
			state[i] = (char)toupper((unsigned char)p->state[i]);
		state[i] = '\0';
		snprintf(buf, size, "%s: %s", state, p->exit_msg);
	} else if (!strcmp(p->hook, "mmio")) {
		int len = snprintf(buf, size,
				   "calls %llu, handled %llu, denied %llu; hooks ",
				   (unsigned long long)p->calls,
				   (unsigned long long)p->handled,
				   (unsigned long long)p->denied);

		for (i = 0; i < p->nranges && len > 0 && (size_t)len < size; i++)
			len += snprintf(buf + len, size - (size_t)len,
					"%s%#x+%#x", i ? "," : "",
					p->ranges[i].start,
					p->ranges[i].end - p->ranges[i].start);
		if (!p->nranges && len > 0 && (size_t)len < size)
			snprintf(buf + len, size - (size_t)len, "all");
	} else if (!strcmp(p->hook, "sched")) {
		snprintf(buf, size, "decisions %llu, timeout %u ms",
			 (unsigned long long)p->decisions, p->timeout_ms);
	} else {
		snprintf(buf, size, "attached");
	}
}

#define TABLE_ROW	"%-5s %-24s %-24s %-7s %-16s %-19s %s\n"

void gvt_policy_print_table(FILE *f, const struct gvt_policy_info *p, int n)
{
	int i;

	fprintf(f, TABLE_ROW, "ID", "NAME", "PINNED AS", "HOOK", "SCOPE",
		"SINCE", "STATE");
	for (i = 0; i < n; i++) {
		char id[16], scope[64], since[32], act[GVT_EXIT_MSG_LEN + 32];

		snprintf(id, sizeof(id), p[i].id ? "%u" : "-", p[i].id);
		fmt_scope(scope, sizeof(scope), &p[i]);
		fmt_since(since, sizeof(since), p[i].attached);
		fmt_activity(act, sizeof(act), &p[i]);
		fprintf(f, TABLE_ROW, id, p[i].name, p[i].pin[0] ? p[i].pin : "-",
			p[i].hook, scope, since, act);
	}
}

void gvt_policy_print_exit(FILE *f, const struct gvt_policy_info *p,
			   const char *indent)
{
	fprintf(f, "%skind     %u (%s)\n", indent, p->exit_kind,
		gvt_exit_kind_name(p->exit_kind));
	fprintf(f, "%sreason   %s\n", indent, p->exit_reason);
	fprintf(f, "%smessage  %s\n", indent, p->exit_msg);
	fprintf(f, "%sparent   " GVT_PARENT_PREFIX "%u\n", indent,
		p->exit_parent);
	if (p->exit_vgpu)
		fprintf(f, "%svGPU     %u\n", indent, p->exit_vgpu);
	else
		fprintf(f, "%svGPU     -\n", indent);
	fprintf(f, "%sengine   %u\n", indent, p->exit_engine);
	fprintf(f, "%swaited   %llu.%03llu ms\n", indent,
		(unsigned long long)(p->exit_waited_ns / 1000000),
		(unsigned long long)(p->exit_waited_ns / 1000 % 1000));
}
