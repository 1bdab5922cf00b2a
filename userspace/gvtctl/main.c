// SPDX-License-Identifier: GPL-2.0
/*
 * gvtctl: manage gvt-bpf vGPUs from the shell.
 *
 *   gvtctl types [-p N] | create [-p N] TYPE [UUID] | remove [-f] UUID
 *   gvtctl list [-p N] | set-weight UUID W
 *   gvtctl status [-p N] | top [-p N] [-i MS] [-n COUNT] | policies
 *   gvtctl info UUID | reg UUID REG [VALUE]
 *
 * It works beside mdevctl, not against it: everything it knows comes from
 * sysfs (the mdev bus, the parents' and vGPUs' one-value files, the
 * policies' records, read through the policy library) and it keeps no
 * state of its own, so a vGPU created by either tool is seen and managed
 * by both. The commands live with their object: vgpu.c, status.c,
 * device.c; this file picks one, bpftool-style.
 *
 * Exit status: 0 done, 1 the operation failed (the system said no), 2 the
 * command line was wrong (nothing was touched).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gvt/gvt_regs.h"
#include "gvtctl.h"

static void usage(FILE *out)
{
	char types[128];

	gvt_types_hint(types, sizeof(types));
	fprintf(out,
		"usage: gvtctl COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"Manage the vGPUs of the gvt-bpf parents (gvt0, gvt1, ...), beside\n"
		"mdevctl: the same sysfs files, no state of its own. -p N (--parent N)\n"
		"names one parent; without it, commands look at every parent.\n"
		"\n"
		"  types [-p N]              the vGPU types of each parent and how many\n"
		"                            more of each fit\n"
		"  create [-p N] TYPE [UUID] create a vGPU (on the first parent with room\n"
		"                            unless -p), print its UUID (a new one if none\n"
		"                            is given); TYPE is V1_n, gvt-V1_n or n, one of\n"
		"                            %s (1/n of a parent)\n"
		"  remove [-f] UUID          remove a vGPU; refuses one that is in use\n"
		"                            (-f: let the kernel ask its user to release\n"
		"                            it, waiting until it does)\n"
		"  list [-p N]               the vGPUs with parent, weight, status and\n"
		"                            counters\n"
		"  set-weight UUID W         scheduling weight, W in %d..%d\n"
		"  status [-p N]             each parent's totals, vGPUs, free share and\n"
		"                            scheduler, then the BPF policies attached\n"
		"  top [-p N] [-i MS] [-n COUNT]\n"
		"                            per-vGPU rates every MS ms (default 1000):\n"
		"                            MMIO/s, IRQ/s, WORK/s (workloads done) and\n"
		"                            BUSY%% (GPU time per wall time; the %d engines\n"
		"                            together can reach %d%%); redraws on a\n"
		"                            terminal, else (or with -n) prints a table\n"
		"                            per interval; -n stops after COUNT tables\n"
		"  policies                  the BPF policies: scope, state, activity\n"
		"  info UUID                 open the vGPU through VFIO like a VMM and\n"
		"                            show its regions, identity and PV-info page\n"
		"  reg UUID REG [VALUE]      read (or write, then read back) one BAR0\n"
		"                            register through VFIO; REG is a name such as\n"
		"                            SCRATCH or an offset such as 0x18; the vGPU\n"
		"                            is reset when the last VFIO user closes it\n"
		"\n"
		"Exit status: 0 done, 1 the operation failed, 2 bad command line.\n",
		types, GVT_WEIGHT_MIN, GVT_WEIGHT_MAX, GVT_NUM_ENGINES,
		100 * GVT_NUM_ENGINES);
}

int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'gvtctl --help'.\n", stderr);
	return GVT_EXIT_USAGE;
}

/* one option's value into @o; false after a usage error */
static bool one_opt(int c, const char *cmd, struct opts *o)
{
	uint64_t v;

	switch (c) {
	case 'i':
		if (!gvt_parse_dec(optarg, TOP_MAX_MS, &v) || v < TOP_MIN_MS) {
			bad_usage("%s: -i: interval must be %d..%d ms, got '%s'",
				  cmd, TOP_MIN_MS, TOP_MAX_MS, optarg);
			return false;
		}
		o->ms = (unsigned int)v;
		return true;
	case 'n':
		if (!gvt_parse_dec(optarg, TOP_MAX_COUNT, &v) || !v) {
			bad_usage("%s: -n: count must be 1..%d, got '%s'", cmd,
				  TOP_MAX_COUNT, optarg);
			return false;
		}
		o->count = v;
		return true;
	case 'p':
		if (!gvt_parse_dec(optarg, GVT_MAX_PARENTS - 1, &v)) {
			bad_usage("%s: --parent: a parent index 0..%d, got '%s'",
				  cmd, GVT_MAX_PARENTS - 1, optarg);
			return false;
		}
		o->parent = (int)v;
		return true;
	case 'f':
		o->force = true;
		return true;
	}
	return false;
}

static void opt_error(int c, char **argv)
{
	if (c == ':')
		bad_usage("%s: option '%s' needs a value", argv[0],
			  argv[optind - 1]);
	else if (optopt)
		bad_usage("%s: unknown option '-%c'", argv[0], optopt);
	else
		bad_usage("%s: unknown option '%s'", argv[0], argv[optind - 1]);
}

/* the number of arguments is right; else says what it should be */
static bool check_nargs(const char *cmd, int n, int min, int max)
{
	if (n >= min && n <= max)
		return true;
	if (!max)
		bad_usage("%s takes no arguments", cmd);
	else if (min == max)
		bad_usage("%s takes %d argument%s, got %d", cmd, min,
			  min == 1 ? "" : "s", n);
	else
		bad_usage("%s takes %d to %d arguments, got %d", cmd, min, max, n);
	return false;
}

/*
 * Options come first, so that "-5" after them is an argument for the
 * command's own check, not an unknown option.
 */
bool cmd_opts(int argc, char **argv, const char *shortopts, int min, int max,
	      struct opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "parent", required_argument, NULL, 'p' },
		{ }
	};
	char optstring[32];
	int c;

	memset(o, 0, sizeof(*o));
	o->ms = 1000;
	o->parent = -1;
	o->rc = GVT_EXIT_USAGE;
	snprintf(optstring, sizeof(optstring), "+:h%s", shortopts);
	optind = 1;
	opterr = 0;
	for (;;) {
		/* getopt leaves optopt alone for long options: no stale value */
		optopt = 0;
		c = getopt_long(argc, argv, optstring, longopts, NULL);
		if (c == -1)
			break;
		if (c == 'h') {
			usage(stdout);
			o->rc = GVT_EXIT_OK;
			return true;
		}
		/* a long option this command lacks is unknown to it */
		if (c == '?' || c == ':' || !strchr(shortopts, c)) {
			opt_error(c == ':' ? ':' : '?', argv);
			return true;
		}
		if (!one_opt(c, argv[0], o))
			return true;
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	return !check_nargs(argv[0], o->nargs, min, max);
}

int cmd_select(const struct cmd *cmds, int argc, char **argv)
{
	for (; cmds->name; cmds++)
		if (!strcmp(argv[0], cmds->name))
			return cmds->func(argc, argv);
	if (argv[0][0] == '-')
		return bad_usage("unknown option '%s' (options follow the command)",
				 argv[0]);
	return bad_usage("unknown command '%s'", argv[0]);
}

static const struct cmd main_cmds[] = {
	{ "types",	do_types },
	{ "create",	do_create },
	{ "remove",	do_remove },
	{ "list",	do_list },
	{ "set-weight",	do_set_weight },
	{ "status",	do_status },
	{ "top",	do_top },
	{ "policies",	do_policies },
	{ "info",	do_info },
	{ "reg",	do_reg },
	{ NULL, NULL }
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return bad_usage("no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2)
			return bad_usage("%s takes no arguments", argv[1]);
		usage(stdout);
		return GVT_EXIT_OK;
	}
	return cmd_select(main_cmds, argc - 1, argv + 1);
}
