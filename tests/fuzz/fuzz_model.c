// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the device model's guest-facing access path.
 *
 * The input is a program of accesses a hostile guest (or a buggy VMM)
 * could make: config space, BAR0 (registers, holes, GTT window), BAR2
 * (aperture), at any offset and length, including out-of-range and
 * overflowing ones, interleaved with device resets, raised interrupts,
 * clock jumps, MMIO-hook verdicts and engine runs over a small guest RAM. After every step the invariants the
 * guest must never be able to break are checked; a violation aborts, which
 * libFuzzer reports as a crash with the input that caused it.
 *
 * Build (from the top of the tree; tests/fuzz/run does this and runs it):
 *
 *   clang-19 -g -O1 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
 *     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -Iinclude -Ikmod/model tests/fuzz/fuzz_model.c kmod/model/[a-z]*.c \
 *     -o build/fuzz/fuzz_model
 *
 * Run: build/fuzz/fuzz_model -max_total_time=60 build/fuzz/fuzz_model-corpus
 * Reproduce a crash: build/fuzz/fuzz_model crash-<sha1>
 *
 * Input layout: byte 0 configures the vGPU (aperture size, whether an MMIO
 * hook is installed); then records of a 4-byte header and, for writes,
 * the data:
 *
 *   op    bits 1..0  space: 0 config, 1 BAR0, 2 BAR2, 3 control
 *         bit  2     write
 *         bit  3     BAR0: offset names a register (index + byte) instead
 *                    of a raw offset, so that registers are hit often
 *         bits 7..4  length, through len_table[]
 *   o0 o1 o2         offset, little endian; o2 == 0xff: near UINT64_MAX
 *
 * Control records (space 3) pick by o0: device reset, raise interrupt
 * bits, advance the clock, set the hook's verdict, run an engine (the
 * client's worker after a doorbell), store 8 bytes of guest RAM; each
 * takes up to 8 bytes of data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "gvt_model.h"

#define FZ_MAX_APERTURE		0x10000u
#define FZ_MAX_LEN		600u

#define FZ_GUEST_MEM		0x10000u

static struct gvt_model *fz_m;
static u8 fz_aperture[FZ_MAX_APERTURE];
/* the guest's RAM behind IOVAs [0, FZ_GUEST_MEM): what PTEs point at */
static u8 fz_mem[FZ_GUEST_MEM];

/* client state the invariants are checked against */
static u64 fz_clock;
static u64 fz_irq_calls;
static int fz_hook_verdict;	/* enum gvt_mmio_verdict for the next accesses */
static u32 fz_hook_xor;		/* PASS on a write: change the value like a policy */
static u8 fz_cfg0[GVT_CFG_SIZE], fz_wmask0[GVT_CFG_SIZE], fz_w1c0[GVT_CFG_SIZE];
static struct gvt_vgpu_params fz_p;

/* lengths worth trying: register widths, odd splits, whole spaces, junk */
static const size_t len_table[16] = {
	1, 2, 4, 8, 3, 5, 7, 16, 0, 6, 12, 64, 255, 256, 257, 513,
};

#define FZ_FAIL(...) do {						\
	fprintf(stderr, "fuzz_model: invariant: " __VA_ARGS__);	\
	fputc('\n', stderr);						\
	abort();							\
} while (0)

static u64 fz_now(void *priv)
{
	(void)priv;
	return fz_clock;
}

static u32 fz_live(const struct gvt_model *m)
{
	return m->regs[GVT_REGIDX_IIR] & m->regs[GVT_REGIDX_IER] &
	       ~m->regs[GVT_REGIDX_IMR];
}

static void fz_irq(void *priv)
{
	struct gvt_model *m = priv;

	/* the model signals only for an enabled, unmasked, pending bit */
	if (!fz_live(m))
		FZ_FAIL("irq signalled with nothing live (IIR %#x IER %#x IMR %#x)",
			m->regs[GVT_REGIDX_IIR], m->regs[GVT_REGIDX_IER],
			m->regs[GVT_REGIDX_IMR]);
	fz_irq_calls++;
}

static int fz_hook(void *priv, u32 off, u32 size, u32 *val, bool write)
{
	(void)priv;
	if (off >= GVT_GTT_OFFSET)
		FZ_FAIL("hook called for GTT window offset %#x", off);
	if (size != 1 && size != 2 && size != 4)
		FZ_FAIL("hook called with size %u", size);
	if (off % size)
		FZ_FAIL("hook called with unaligned access %#x/%u", off, size);
	if (fz_hook_verdict == GVT_MMIO_PASS && write)
		*val ^= fz_hook_xor;
	else if (fz_hook_verdict == GVT_MMIO_HANDLED && !write)
		*val = 0xa5a5a5a5u ^ off;
	return fz_hook_verdict;
}

static int fz_dma_rw(void *priv, u64 iova, void *buf, size_t len, bool write)
{
	(void)priv;
	/* an IOVA the VMM did not map */
	if (iova >= FZ_GUEST_MEM || len > FZ_GUEST_MEM - iova)
		return -EFAULT;
	if (write)
		memcpy(fz_mem + iova, buf, len);
	else
		memcpy(buf, fz_mem + iova, len);
	return 0;
}

static void fz_kick(void *priv, u32 engine)
{
	(void)priv;
	if (engine >= GVT_NUM_ENGINES)
		FZ_FAIL("kick of engine %u", engine);
}

static struct gvt_model_env fz_env = {
	.now_ns = fz_now,
	.irq = fz_irq,
	.dma_rw = fz_dma_rw,
	.kick = fz_kick,
};

/* registers whose value the model never changes after creation */
static bool fz_constant_reg(u32 i)
{
	switch (i) {
	case GVT_REGIDX_ID:
	case GVT_REGIDX_VERSION:
	case GVT_REGIDX_CAPS:
	case GVT_REGIDX_NUM_ENGINES:
	case GVT_REGIDX_GTT_ENTRIES:
		return true;
	default:
		return gvt_reg_table[i].flags & GVT_RF_PVINFO;
	}
}

static u32 fz_constant_value(u32 i)
{
	switch (i) {
	case GVT_REGIDX_PV_VGPU_ID:		return fz_p.id;
	case GVT_REGIDX_PV_TYPE_DIV:		return fz_p.type_div;
	case GVT_REGIDX_PV_APERTURE_BASE:	return fz_p.aperture_base;
	case GVT_REGIDX_PV_APERTURE_SIZE:	return fz_p.aperture_size;
	case GVT_REGIDX_PV_HIDDEN_BASE:		return fz_p.hidden_base;
	case GVT_REGIDX_PV_HIDDEN_SIZE:		return fz_p.hidden_size;
	case GVT_REGIDX_PV_FENCES:		return fz_p.fences;
	case GVT_REGIDX_PV_CONTEXTS:		return fz_p.contexts;
	case GVT_REGIDX_PV_WEIGHT:		return fz_p.weight;
	default:				return gvt_reg_table[i].reset;
	}
}

static void fz_check(const char *after)
{
	const struct gvt_model *m = fz_m;
	u32 i;

	for (i = 0; i < GVT_NUM_REGS; i++) {
		const struct gvt_reg_info *ri = &gvt_reg_table[i];

		if (fz_constant_reg(i) && m->regs[i] != fz_constant_value(i))
			FZ_FAIL("%s: %s is %#x, must stay %#x", after, ri->name,
				m->regs[i], fz_constant_value(i));
		/* read-only bits of writable registers keep their reset value */
		if (!(ri->flags & GVT_RF_RO) &&
		    (m->regs[i] & ri->ro_mask) != (ri->reset & ri->ro_mask))
			FZ_FAIL("%s: %s is %#x, ro bits %#x moved", after,
				ri->name, m->regs[i], ri->ro_mask);
	}
	/* what the guest reads of the clock is only what the clock said */
	if (m->regs[GVT_REGIDX_TIMESTAMP_HI] &&
	    m->regs[GVT_REGIDX_TIMESTAMP_HI] > (u32)(fz_clock >> 32))
		FZ_FAIL("%s: TIMESTAMP_HI %#x ahead of the clock %#llx", after,
			m->regs[GVT_REGIDX_TIMESTAMP_HI],
			(unsigned long long)fz_clock);

	if (memcmp(m->cfg_wmask, fz_wmask0, sizeof(fz_wmask0)) ||
	    memcmp(m->cfg_w1cmask, fz_w1c0, sizeof(fz_w1c0)))
		FZ_FAIL("%s: config write masks changed", after);
	if (gvt_get16(&m->cfg[0]) != GVT_PCI_VENDOR_ID ||
	    gvt_get16(&m->cfg[2]) != GVT_PCI_DEVICE_ID)
		FZ_FAIL("%s: config ids now %04x:%04x", after,
			gvt_get16(&m->cfg[0]), gvt_get16(&m->cfg[2]));
	/* bits no write can set: the masks' complement, and W1C bits */
	for (i = 0; i < GVT_CFG_SIZE; i++)
		if ((m->cfg[i] & ~fz_wmask0[i]) != (fz_cfg0[i] & ~fz_wmask0[i]))
			FZ_FAIL("%s: config byte %#x is %#x, was %#x (wmask %#x)",
				after, i, m->cfg[i], fz_cfg0[i], fz_wmask0[i]);

	if (fz_irq_calls != m->stats.interrupts)
		FZ_FAIL("%s: %llu irq signals, stats say %llu", after,
			(unsigned long long)fz_irq_calls,
			(unsigned long long)m->stats.interrupts);
	if (m->aperture != fz_aperture || m->p.aperture_size != fz_p.aperture_size)
		FZ_FAIL("%s: aperture moved", after);
}

struct fz_snap {
	u8 cfg[GVT_CFG_SIZE];
	u32 regs[GVT_NUM_REGS];
	struct gvt_vgpu_stats stats;
};

static void fz_snap(struct fz_snap *s)
{
	memcpy(s->cfg, fz_m->cfg, sizeof(s->cfg));
	memcpy(s->regs, fz_m->regs, sizeof(s->regs));
	s->stats = fz_m->stats;
}

static bool fz_snap_same(const struct fz_snap *s)
{
	return !memcmp(s->cfg, fz_m->cfg, sizeof(s->cfg)) &&
	       !memcmp(s->regs, fz_m->regs, sizeof(s->regs)) &&
	       !memcmp(&s->stats, &fz_m->stats, sizeof(s->stats));
}

static void fz_control(const u8 *hdr, const u8 *data, size_t avail)
{
	u64 v = 0;

	memcpy(&v, data, avail < 8 ? avail : 8);
	switch (hdr[1] % 6) {
	case 0:
		gvt_model_reset(fz_m);
		break;
	case 1:
		gvt_model_raise_irq(fz_m, (u32)v);
		break;
	case 2:
		/* clocks only move forward, and do not wrap */
		v >>= hdr[2] % 64;
		fz_clock += v < UINT64_MAX - fz_clock ? v : UINT64_MAX - fz_clock;
		break;
	case 3:
		fz_hook_verdict = hdr[2] % 3;
		fz_hook_xor = (u32)v;
		break;
	case 4: {
		/* the client's engine worker: what a TAIL write asked for */
		u32 e = hdr[2] % GVT_NUM_ENGINES;
		u64 occupy = 0;

		if (gvt_engine_run(fz_m, e, v % 10000000, &occupy) == GVT_RUN_OCCUPY)
			gvt_engine_account(fz_m, e, occupy % 10000000);
		break;
	}
	case 5:
		/* the guest fills its RAM: rings, batches, surfaces */
		memcpy(fz_mem + ((hdr[2] | hdr[3] << 8) & (FZ_GUEST_MEM - 8)), &v, 8);
		break;
	}
}

static void fz_access(const u8 *hdr, const u8 *data, size_t avail)
{
	static u8 buf[FZ_MAX_LEN + 16], back[FZ_MAX_LEN + 16];
	enum gvt_space sp = hdr[0] & 3;
	bool write = hdr[0] & 4;
	size_t len = len_table[hdr[0] >> 4];
	u32 raw = hdr[1] | hdr[2] << 8 | hdr[3] << 16;
	u64 size = gvt_model_space_size(fz_m, sp), off;
	bool in_range;
	struct fz_snap before;
	int rc;

	if (hdr[3] == 0xff) {
		off = UINT64_MAX - hdr[1];
	} else if (sp == GVT_SPACE_BAR0 && (hdr[0] & 8)) {
		off = gvt_reg_table[hdr[1] % GVT_NUM_REGS].offset + hdr[2] % 4;
	} else {
		off = raw % (size + 16);
	}
	in_range = off < size && len <= size - off;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, data, avail < len ? avail : len);
	memset(buf + len, 0xee, 16);
	fz_snap(&before);
	rc = gvt_model_rw(fz_m, sp, off, buf, len, write);
	if (rc != (in_range ? 0 : -EINVAL))
		FZ_FAIL("rw(%d, %#llx, %zu, %d) = %d", sp,
			(unsigned long long)off, len, write, rc);
	/* the buffer is used for exactly len bytes */
	for (size_t i = 0; i < 16; i++)
		if (buf[len + i] != 0xee)
			FZ_FAIL("rw(%d, %#llx, %zu) wrote past the buffer", sp,
				(unsigned long long)off, len);
	if (!in_range) {
		if (!fz_snap_same(&before))
			FZ_FAIL("rejected rw(%d, %#llx, %zu) changed the model",
				sp, (unsigned long long)off, len);
		return;
	}

	/* memory-like ranges read back what was written */
	if (write && len && (sp == GVT_SPACE_BAR2 ||
			     (sp == GVT_SPACE_BAR0 && off >= GVT_GTT_OFFSET))) {
		memset(back, 0, len);
		if (gvt_model_rw(fz_m, sp, off, back, len, false) ||
		    memcmp(back, buf, len))
			FZ_FAIL("rw(%d, %#llx, %zu) did not read back", sp,
				(unsigned long long)off, len);
	}
	/* holes in BAR0 read 0 unless a hook answers instead */
	if (!write && sp == GVT_SPACE_BAR0 && off >= GVT_MMIO_SIZE &&
	    off + len <= GVT_GTT_OFFSET && fz_hook_verdict != GVT_MMIO_HANDLED)
		for (size_t i = 0; i < len; i++)
			if (buf[i])
				FZ_FAIL("hole %#llx reads %#x",
					(unsigned long long)off + i, buf[i]);
	/* one write to a read-only register changes no register at all */
	if (write && sp == GVT_SPACE_BAR0 && off < GVT_MMIO_SIZE &&
	    (off & ~3ull) == ((off + len - 1) & ~3ull) && len) {
		int idx = gvt_reg_lookup((u32)off & ~3u);

		if (idx >= 0 && (gvt_reg_table[idx].flags & GVT_RF_RO) &&
		    memcmp(before.regs, fz_m->regs, sizeof(before.regs)))
			FZ_FAIL("write to RO %s changed registers",
				gvt_reg_table[idx].name);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (gvt_model_global_init()) {
		fprintf(stderr, "fuzz_model: register table is inconsistent\n");
		abort();
	}
	/* the model holds the whole GTT: allocate it once */
	fz_m = calloc(1, sizeof(*fz_m));
	if (!fz_m)
		abort();
	fz_env.priv = fz_m;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u32 ap_sizes[4] = { 0x1000, 0x2000, 0x8000, FZ_MAX_APERTURE };
	size_t pos = 1, steps = 0;
	u8 conf;

	if (!size)
		return 0;
	conf = data[0];
	memset(&fz_p, 0, sizeof(fz_p));
	fz_p.id = 1 + conf % 8;
	fz_p.type_div = 1u << (conf >> 2 & 3);
	fz_p.weight = GVT_WEIGHT_FULL / fz_p.type_div;
	fz_p.aperture_size = ap_sizes[conf & 3];
	fz_p.aperture_base = fz_p.aperture_size * fz_p.id;
	fz_p.hidden_base = 0x10000000;
	fz_p.hidden_size = 0x01000000;
	fz_p.fences = 4;
	fz_p.contexts = 8;
	fz_env.mmio_hook = conf & 0x10 ? fz_hook : NULL;
	fz_clock = 0x100000000ull;
	fz_irq_calls = 0;
	fz_hook_verdict = GVT_MMIO_PASS;
	fz_hook_xor = 0;
	memset(fz_aperture, 0, sizeof(fz_aperture));
	memset(fz_mem, 0, sizeof(fz_mem));
	if (gvt_model_init(fz_m, &fz_p, &fz_env, fz_aperture))
		FZ_FAIL("init rejected good parameters");
	memcpy(fz_cfg0, fz_m->cfg, sizeof(fz_cfg0));
	memcpy(fz_wmask0, fz_m->cfg_wmask, sizeof(fz_wmask0));
	memcpy(fz_w1c0, fz_m->cfg_w1cmask, sizeof(fz_w1c0));
	fz_check("init");

	while (pos + 4 <= size && steps++ < 4096) {
		const u8 *hdr = data + pos;
		size_t avail, len;

		pos += 4;
		avail = size - pos;
		if ((hdr[0] & 3) == 3) {
			fz_control(hdr, data + pos, avail);
			pos += avail < 8 ? avail : 8;
			fz_check("control");
			continue;
		}
		fz_access(hdr, data + pos, avail);
		/* a write consumes its data, a read none */
		len = len_table[hdr[0] >> 4];
		if (hdr[0] & 4)
			pos += avail < len ? avail : len;
		fz_check("access");
	}
	return 0;
}
