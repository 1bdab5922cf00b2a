// SPDX-License-Identifier: GPL-2.0
/*
 * gvtctl: a vGPU as a VMM sees it, through VFIO - info (regions, identity
 * registers, the PV-info page) and reg (one BAR0 register). Registers are
 * named and described by the register table (GVT_REG_LIST): info prints
 * every GVT_RF_PVINFO row, and checks those with a fixed value against
 * it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/pci_regs.h>

#include "gvt/gvt_regs.h"
#include "gvt_vfio.h"
#include "gvtctl.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* the register table's rows, for names, flags and fixed values */
#define REG_ENTRY(name, off, reset, ro, flags) { #name, (off), (reset), (flags) },
static const struct reg_row {
	const char *name;
	uint32_t off;
	uint32_t reset;
	uint32_t flags;
} reg_rows[] = { GVT_REG_LIST(REG_ENTRY) };
#undef REG_ENTRY

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
		gvt_cli_err("%s: cannot open %s through VFIO: %s%s", cmd, uuid,
			    gvt_vfio_error(d),
			    ret == -EBUSY ? " (in use by another VFIO user?)" : "");
		return GVT_EXIT_FAIL;
	}
	return 0;
}

/* reads a BAR0 register; the first failure is kept in *@fail */
static uint32_t reg32(struct gvt_vfio *d, uint32_t off, int *fail)
{
	uint32_t v = 0;
	int ret = gvt_vfio_mmio_read32(d, off, &v);

	if (ret && !*fail) {
		gvt_cli_err("reading BAR0 0x%04x: %s", off, gvt_vfio_error(d));
		*fail = ret;
	}
	return v;
}

/* the characters of a little-endian magic value, as the driver sees them */
static void fmt_fourcc(char out[5], uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++) {
		int c = (int)(v >> (8 * i) & 0xff);

		out[i] = isprint(c) ? (char)c : '.';
	}
	out[4] = '\0';
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

static int show_config(struct gvt_vfio *d)
{
	uint16_t ven = 0, dev = 0, sven = 0, sdev = 0;
	uint32_t classrev = 0;

	if (gvt_vfio_cfg_read16(d, PCI_VENDOR_ID, &ven) ||
	    gvt_vfio_cfg_read16(d, PCI_DEVICE_ID, &dev) ||
	    gvt_vfio_cfg_read32(d, PCI_CLASS_REVISION, &classrev) ||
	    gvt_vfio_cfg_read16(d, PCI_SUBSYSTEM_VENDOR_ID, &sven) ||
	    gvt_vfio_cfg_read16(d, PCI_SUBSYSTEM_ID, &sdev)) {
		gvt_cli_err("info: config space: %s", gvt_vfio_error(d));
		return -EIO;
	}
	printf("  PCI          %04x:%04x subsystem %04x:%04x class %06x rev %02x\n",
	       ven, dev, sven, sdev, classrev >> 8, classrev & 0xff);
	return 0;
}

static void show_regions(struct gvt_vfio *d)
{
	static const char *const names[VFIO_PCI_NUM_REGIONS] = {
		"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM",
		"CONFIG", "VGA",
	};
	unsigned int i;

	printf("\nregions\n");
	/* the standard PCI regions, then device-specific ones by index */
	for (i = 0; i < d->info.num_regions && i < 32; i++) {
		struct vfio_region_info ri;
		char rname[16], size[32];

		if (gvt_vfio_region_info(d, i, &ri) || !ri.size)
			continue;
		if (i < VFIO_PCI_NUM_REGIONS)
			snprintf(rname, sizeof(rname), "%s", names[i]);
		else
			snprintf(rname, sizeof(rname), "region%u", i);
		fmt_size(size, sizeof(size), ri.size);
		printf("  %-7s %10s  %s%s%s\n", rname, size,
		       ri.flags & VFIO_REGION_INFO_FLAG_READ ? "r" : "-",
		       ri.flags & VFIO_REGION_INFO_FLAG_WRITE ? "w" : "-",
		       ri.flags & VFIO_REGION_INFO_FLAG_MMAP ? " mmap" : "");
	}
}

/* the identity registers; false when ID is not the project's */
static bool show_identity(struct gvt_vfio *d, int *fail)
{
	uint32_t id = reg32(d, GVT_REG_ID, fail);
	uint32_t ver = reg32(d, GVT_REG_VERSION, fail);
	uint32_t caps = reg32(d, GVT_REG_CAPS, fail);
	char cc[5];

	fmt_fourcc(cc, id);
	printf("\nidentity (BAR0)\n");
	printf("  ID           0x%08x \"%s\"%s\n", id, cc,
	       id == GVT_ID_MAGIC ? "" : "  (not a gvt-bpf device)");
	printf("  VERSION      %u.%u\n", ver >> 16, ver & 0xffff);
	printf("  CAPS         0x%08x", caps);
	print_caps(caps);
	printf("\n  NUM_ENGINES  %u\n", reg32(d, GVT_REG_NUM_ENGINES, fail));
	printf("  STATUS       %s\n",
	       reg32(d, GVT_REG_STATUS, fail) & GVT_STATUS_FAILED ? "failed" : "ok");
	return id == GVT_ID_MAGIC;
}

/*
 * Every PV-info register of the register table, in table order: its
 * value, its characters, and - for a row with a fixed value (a non-zero
 * reset value: magic, version, features) - whether it matches. Returns
 * how many did not.
 */
static int show_pvinfo(struct gvt_vfio *d, int *fail)
{
	unsigned int i;
	int bad = 0;

	printf("\nPV-info (BAR0 + 0x%04x)\n", GVT_PVINFO_BASE);
	for (i = 0; i < ARRAY_SIZE(reg_rows); i++) {
		const struct reg_row *r = &reg_rows[i];
		uint32_t v;
		char cc[5];

		if (!(r->flags & GVT_RF_PVINFO))
			continue;
		v = reg32(d, r->off, fail);
		fmt_fourcc(cc, v);
		printf("  %-18s 0x%08x %10u  \"%s\"", r->name, v, v, cc);
		if (r->reset && v != r->reset) {
			printf("  (want 0x%08x)", r->reset);
			bad++;
		}
		printf("\n");
	}
	return bad;
}

/* what the PV-info page means for this vGPU, in words */
static void show_share(struct gvt_vfio *d, int *fail)
{
	uint32_t div = reg32(d, GVT_PV_TYPE_DIV, fail);
	char ap[32], hid[32];

	fmt_size(ap, sizeof(ap), reg32(d, GVT_PV_APERTURE_SIZE, fail));
	fmt_size(hid, sizeof(hid), reg32(d, GVT_PV_HIDDEN_SIZE, fail));
	printf("  = vGPU %u, type 1/%u (" GVT_TYPE_PREFIX "%u): aperture %s at 0x%08x, hidden %s at 0x%08x, weight %u\n",
	       reg32(d, GVT_PV_VGPU_ID, fail), div, div, ap,
	       reg32(d, GVT_PV_APERTURE_BASE, fail), hid,
	       reg32(d, GVT_PV_HIDDEN_BASE, fail), reg32(d, GVT_PV_WEIGHT, fail));
}

int do_info(int argc, char **argv)
{
	unsigned long long parent = 0;
	struct gvt_vfio d;
	struct opts o;
	int ret, fail = 0, bad;
	bool ours;

	if (cmd_opts(argc, argv, "", 1, 1, &o))
		return o.rc;
	ret = open_vgpu("info", o.args[0], &d);
	if (ret)
		return ret;
	gvt_vgpu_attr_u64(d.uuid, "parent", &parent);
	printf("vGPU %s on " GVT_PARENT_PREFIX "%llu: VFIO group %d, %u regions, %u irq types%s\n",
	       d.uuid, parent, d.group_id, d.info.num_regions, d.info.num_irqs,
	       d.info.flags & VFIO_DEVICE_FLAGS_RESET ? ", resettable" : "");
	if (show_config(&d))
		fail = -EIO;
	show_regions(&d);
	ours = show_identity(&d, &fail);
	bad = show_pvinfo(&d, &fail);
	show_share(&d, &fail);
	gvt_vfio_close(&d);
	if (fail)
		return GVT_EXIT_FAIL;
	if (!ours || bad) {
		gvt_cli_err("info: %s does not identify as a gvt-bpf vGPU", d.uuid);
		return GVT_EXIT_FAIL;
	}
	return GVT_EXIT_OK;
}

/* ---- reg --------------------------------------------------------------------- */

/* a register name of GVT_REG_LIST (any case) or a BAR0 offset */
static bool parse_reg(const char *s, uint32_t *off)
{
	unsigned int i;
	uint64_t v;

	for (i = 0; i < ARRAY_SIZE(reg_rows); i++) {
		if (!strcasecmp(s, reg_rows[i].name)) {
			*off = reg_rows[i].off;
			return true;
		}
	}
	if (!gvt_parse_num(s, GVT_BAR0_SIZE - 4, &v) || v % 4)
		return false;
	*off = (uint32_t)v;
	return true;
}

static const char *reg_name(uint32_t off, uint32_t *flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reg_rows); i++) {
		if (reg_rows[i].off == off) {
			*flags = reg_rows[i].flags;
			return reg_rows[i].name;
		}
	}
	*flags = 0;
	return off >= GVT_GTT_OFFSET ? "GTT" : "unknown";
}

/* writes (if @valstr) then reads register @off; an exit status */
static int reg_access(struct gvt_vfio *d, uint32_t off, const char *valstr,
		      uint64_t val)
{
	uint32_t flags, now;
	const char *name = reg_name(off, &flags);

	if (valstr && gvt_vfio_mmio_write32(d, off, (uint32_t)val)) {
		gvt_cli_err("reg: writing %s (0x%04x): %s", name, off,
			    gvt_vfio_error(d));
		return GVT_EXIT_FAIL;
	}
	if (gvt_vfio_mmio_read32(d, off, &now)) {
		gvt_cli_err("reg: reading %s (0x%04x): %s", name, off,
			    gvt_vfio_error(d));
		return GVT_EXIT_FAIL;
	}
	if (valstr)
		printf("%s (0x%04x) <- 0x%08llx, reads back 0x%08x%s\n", name,
		       off, (unsigned long long)val, now,
		       flags & GVT_RF_RO ? " (read-only)" : "");
	else
		printf("%s (0x%04x) = 0x%08x (%u)\n", name, off, now, now);
	return GVT_EXIT_OK;
}

int do_reg(int argc, char **argv)
{
	const char *valstr;
	struct gvt_vfio d;
	struct opts o;
	uint64_t val = 0;
	uint32_t off;
	int ret;

	if (cmd_opts(argc, argv, "", 2, 3, &o))
		return o.rc;
	valstr = o.nargs > 2 ? o.args[2] : NULL;
	if (!parse_reg(o.args[1], &off))
		return bad_usage("reg: '%s' is neither a register name (e.g. SCRATCH) nor a 4-byte aligned BAR0 offset below 0x%x",
				 o.args[1], GVT_BAR0_SIZE);
	if (valstr && !gvt_parse_num(valstr, UINT32_MAX, &val))
		return bad_usage("reg: '%s' is not a 32-bit value", valstr);
	ret = open_vgpu("reg", o.args[0], &d);
	if (ret)
		return ret;
	ret = reg_access(&d, off, valstr, val);
	/* closing the last VFIO user resets the vGPU, as a VMM exit would */
	gvt_vfio_close(&d);
	return ret;
}
