/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gvtctl: what its object files share - the command table and option
 * parsing (main.c), the vGPUs as sysfs shows them (vgpu.c), and the
 * commands of each object: vgpu.c (types, create, remove, list,
 * set-weight), status.c (status, top, policies), device.c (info, reg).
 */
#ifndef GVTCTL_H
#define GVTCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "gvt/gvt_abi.h"
#include "gvt_cli.h"
#include "gvt_sysfs.h"

/* one command: its name and what runs it (argv[0] is the name), bpftool-style */
struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

/* runs the command of @cmds named argv[0]; a usage error if none is */
int cmd_select(const struct cmd *cmds, int argc, char **argv);

/* top: bounds that keep the sampling loop from spinning or overflowing */
#define TOP_MIN_MS	10
#define TOP_MAX_MS	3600000
#define TOP_MAX_COUNT	1000000

/* what cmd_opts() read from one command line */
struct opts {
	unsigned int ms;		/* -i, top's interval */
	unsigned long long count;	/* -n, top's count; 0: no end */
	bool force;			/* -f */
	int parent;			/* -p/--parent N; -1: not given */
	char **args;			/* the arguments after the options */
	int nargs;
	int rc;				/* the exit status when cmd_opts() says stop */
};

/*
 * The options of one command (argv[0] its name), those of @shortopts only
 * ("f", "i:", "n:", "p:"), then between @min and @max arguments. Returns
 * true when the command is to stop with o->rc: after --help (0) or a usage
 * error (2, said on stderr).
 */
bool cmd_opts(int argc, char **argv, const char *shortopts, int min, int max,
	      struct opts *o);

/* a usage error: says what was wrong and where to look; GVT_EXIT_USAGE */
int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the parents and their vGPUs (vgpu.c) ---------------------------------- */

/* how many parents there are, saying so and returning 0 if none */
int need_parents(void);
/* @o->parent if given (checked against @nparents), else -1; -2 on error */
int pick_parent(const struct opts *o, int nparents);
/*
 * The two above in one, as every command that takes -p starts: the
 * parent -p names or -1 for all, with the count in *@nparents; -2 when
 * there is no parent or -p is wrong (said).
 */
int opt_parent(const struct opts *o, int *nparents);

struct vgpu {
	char uuid[GVT_UUID_STR_LEN];
	int parent;		/* index; -1: unreadable */
	long id;		/* -1: unreadable (driver not bound) */
	char type[16];
	long weight;		/* -1: unreadable */
	char status[16];
	struct gvt_vgpu_stats st;
	bool have_stats;
	uint64_t t_ns;		/* CLOCK_MONOTONIC when the stats were read */
};

/*
 * Every gvt vGPU (of parent @parent, or of all when it is -1), sorted by
 * vGPU id, into *@out (free() it). The count or -errno. A vGPU removed
 * while we look is simply not listed.
 */
int collect_vgpus(int parent, struct vgpu **out);
/* collect_vgpus() for command @cmd: the count, or -1 with the error said */
int collect_vgpus_for(const char *cmd, int parent, struct vgpu **out);
/*
 * Checks that @arg names an existing gvt vGPU and fills @uuid. Returns 0,
 * GVT_EXIT_USAGE or GVT_EXIT_FAIL (the message printed).
 */
int need_vgpu(const char *cmd, const char *arg, char uuid[GVT_UUID_STR_LEN]);
/* "?" for an unreadable (-1) value */
void fmt_long(char *buf, size_t size, long v);

/* ---- commands ------------------------------------------------------------------ */

int do_types(int argc, char **argv);
int do_create(int argc, char **argv);
int do_remove(int argc, char **argv);
int do_list(int argc, char **argv);
int do_set_weight(int argc, char **argv);
int do_status(int argc, char **argv);
int do_top(int argc, char **argv);
int do_policies(int argc, char **argv);
int do_info(int argc, char **argv);
int do_reg(int argc, char **argv);

#endif /* GVTCTL_H */
