// SPDX-License-Identifier: GPL-2.0
/*
 * gvt-bpf device model: the command scanner (GVT-g's cmd_parser).
 *
 * Before an engine runs anything of a vGPU, the scanner walks the ring
 * segment the doorbell published, follows batch buffers, and checks every
 * command against include/gvt/gvt_cmd.h: known opcode, exact length,
 * reserved bits clear, registers on the LRI allow list, every address
 * inside the vGPU's own graphics memory, sizes and times within limits,
 * batch nesting and batch size bounded (so a batch that never ends or
 * chains into itself is refused, not followed forever). What passes is
 * copied into the engine's shadow, and only the shadow is executed.
 */
#include "gvt_model.h"

struct gvt_cmd_desc {
	const char *name;
	bool known;
	u8 min_len;
	u8 max_len;
};

#define GVT_CMD_DESC(cmd, op, minl, maxl) \
	[op] = { .name = #cmd, .known = true, .min_len = (minl),	\
		 .max_len = (maxl) },
static const struct gvt_cmd_desc gvt_cmd_descs[256] = {
	GVT_CMD_LIST(GVT_CMD_DESC)
};

#undef GVT_CMD_DESC

/* what one scan step carries around; what outlives it is in eng->scan */
struct gvt_scan {
	struct gvt_model *m;
	u32 engine;
	struct gvt_engine *eng;
	struct gvt_cmd_error *err;
};

static int gvt_scan_fail(struct gvt_scan *s, u32 code, u32 addr)
{
	s->err->code = code;
	s->err->addr = addr;
	return -EINVAL;
}

/* 0 and the length in *@len, or a GVT_ERR_* code */
static u32 gvt_cmd_decode(u32 hdr, u32 *len)
{
	const struct gvt_cmd_desc *d = &gvt_cmd_descs[GVT_CMD_OP(hdr)];
	u32 n = GVT_CMD_LEN(hdr);

	if (!d->known)
		return GVT_ERR_BAD_OPCODE;
	if (hdr & GVT_CMD_RSVD_MASK)
		return GVT_ERR_BAD_LENGTH;
	if (GVT_CMD_OP(hdr) == GVT_OP_NOOP && n == 0)
		n = 1;
	if (n < d->min_len || n > d->max_len)
		return GVT_ERR_BAD_LENGTH;
	*len = n;
	return 0;
}

u32 gvt_cmd_length(u32 hdr)
{
	u32 n = 0;

	return gvt_cmd_decode(hdr, &n) ? 0 : n;
}

static u32 gvt_rect_check(const struct gvt_model *m, u32 addr, u32 stride,
			  u32 size)
{
	u32 w = GVT_RECT_W(size), h = GVT_RECT_H(size);
	u64 extent;

	if (!w || !h || w > GVT_RECT_MAX_DIM || h > GVT_RECT_MAX_DIM ||
	    stride % 4 || stride < w * GVT_PIXEL_BYTES ||
	    stride > GVT_RECT_MAX_STRIDE)
		return GVT_ERR_BAD_PARAM;
	extent = (u64)(h - 1) * stride + (u64)w * GVT_PIXEL_BYTES;
	if (addr % 4 || !gvt_gm_owned(m, addr, extent))
		return GVT_ERR_BAD_ADDRESS;
	return 0;
}

u32 gvt_cmd_check(const struct gvt_model *m, u32 engine, const u32 *cmd,
		  u32 len)
{
	u32 i, code = 0;

	if (!len || gvt_cmd_length(cmd[0]) != len)
		return gvt_cmd_descs[GVT_CMD_OP(cmd[0])].known ?
		       GVT_ERR_BAD_LENGTH : GVT_ERR_BAD_OPCODE;

	switch (GVT_CMD_OP(cmd[0])) {
	case GVT_OP_STORE_DWORD:
	case GVT_OP_BATCH_START:
		if (cmd[1] % 4 || !gvt_gm_owned(m, cmd[1], 4))
			code = GVT_ERR_BAD_ADDRESS;
		break;
	case GVT_OP_LRI:
		if (len % 2 == 0)
			return GVT_ERR_BAD_LENGTH;
		for (i = 1; i < len; i += 2)
			if (!gvt_reg_cmd_writable(engine, cmd[i]))
				return GVT_ERR_BAD_REGISTER;
		break;
	case GVT_OP_WORK:
		if (!cmd[1] || cmd[1] > GVT_WORK_MAX_NS)
			code = GVT_ERR_BAD_PARAM;
		break;
	case GVT_OP_FILL_RECT:
		code = gvt_rect_check(m, cmd[1], cmd[2], cmd[3]);
		break;
	case GVT_OP_COPY_RECT:
		code = gvt_rect_check(m, cmd[1], cmd[2], cmd[5]);
		if (!code)
			code = gvt_rect_check(m, cmd[3], cmd[4], cmd[5]);
		break;
	default:
		break;
	}
	return code;
}

static void gvt_rd_init(struct gvt_cmd_reader *rd, u32 base, u32 size,
			u32 pos)
{
	rd->base = base;
	rd->size = size;
	rd->pos = pos;
	rd->page_ga = ~0u;	/* never a page address: nothing cached */
}

/* the graphics address the reader is at */
static u64 gvt_rd_ga(const struct gvt_cmd_reader *rd)
{
	return (u64)rd->base + rd->pos;
}

/*
 * Next dword of a ring or batch. Whole pages are fetched: a page is owned
 * or not as a whole (ranges are page aligned), and one guest memory access
 * per page keeps the scan cheap.
 */
static int gvt_rd_next(struct gvt_scan *s, struct gvt_cmd_reader *rd, u32 *dw)
{
	u64 ga = gvt_rd_ga(rd);
	u32 page, fault;

	/* the last dword of the 32-bit graphics address space */
	if (ga > GVT_GA_LAST_DWORD)
		return gvt_scan_fail(s, GVT_ERR_BAD_ADDRESS, (u32)ga);
	page = (u32)ga & ~(GVT_PAGE_SIZE - 1);
	if (page != rd->page_ga) {
		if (!gvt_gm_owned(s->m, page, GVT_PAGE_SIZE))
			return gvt_scan_fail(s, GVT_ERR_BAD_ADDRESS, (u32)ga);
		if (gvt_gm_rw(s->m, page, rd->page, GVT_PAGE_SIZE, false,
			      &fault))
			return gvt_scan_fail(s, GVT_ERR_GTT_FAULT, fault);
		rd->page_ga = page;
	}
	*dw = rd->page[(ga % GVT_PAGE_SIZE) / 4];
	rd->pos += 4;
	if (rd->size && rd->pos >= rd->size)
		rd->pos = 0;
	return 0;
}

/*
 * Reads one whole command into @cmd (room for the longest). @avail bounds
 * its length: the dwords left before the ring's TAIL, or of the batch
 * budget; a longer command fails with @over.
 */
static int gvt_rd_cmd(struct gvt_scan *s, struct gvt_cmd_reader *rd, u32 *cmd,
		      u32 *len, u32 avail, u32 over)
{
	u32 ga = (u32)gvt_rd_ga(rd);
	u32 i, code;
	int ret;

	ret = gvt_rd_next(s, rd, &cmd[0]);
	if (ret)
		return ret;
	code = gvt_cmd_decode(cmd[0], len);
	if (code)
		return gvt_scan_fail(s, code, ga);
	if (*len > avail)
		return gvt_scan_fail(s, over, ga);
	for (i = 1; i < *len; i++) {
		ret = gvt_rd_next(s, rd, &cmd[i]);
		if (ret)
			return ret;
	}
	code = gvt_cmd_check(s->m, s->engine, cmd, *len);
	return code ? gvt_scan_fail(s, code, ga) : 0;
}

static int gvt_shadow_emit(struct gvt_scan *s, const u32 *cmd, u32 len,
			   u32 ga)
{
	struct gvt_engine *eng = s->eng;

	/* the limits make this impossible; a guard costs nothing */
	if (len > GVT_SHADOW_DWORDS - eng->shadow_len)
		return gvt_scan_fail(s, GVT_ERR_BATCH_SIZE, ga);
	memcpy(&eng->shadow[eng->shadow_len], cmd, len * sizeof(u32));
	eng->shadow_len += len;
	return 0;
}

/*
 * One command of the stream at the current depth: the ring (depth 0) or a
 * batch. Returns 0, or -EINVAL through gvt_scan_fail(); *@done is set when
 * the ring part of the workload ends at this command boundary.
 */
static int gvt_scan_one(struct gvt_scan *s, u32 *len, bool *done)
{
	struct gvt_engine *eng = s->eng;
	struct gvt_scan_state *st = &eng->scan;
	struct gvt_cmd_reader *rd = &eng->rd[st->depth];
	u32 cmd[1 + 2 * GVT_LRI_MAX_PAIRS];
	u32 ga = (u32)gvt_rd_ga(rd), avail, over;
	int ret;

	if (!st->depth) {
		u32 size = rd->size;

		if (rd->pos == eng->tail ||
		    eng->shadow_len > GVT_SHADOW_SOFT_LIMIT) {
			/* the rest, if any, is the next workload */
			*done = true;
			return 0;
		}
		avail = ((eng->tail + size - rd->pos) % size) / 4;
		over = GVT_ERR_BAD_LENGTH;
	} else {
		if (st->batch_dw >= GVT_BATCH_MAX_DWORDS)
			return gvt_scan_fail(s, GVT_ERR_BATCH_SIZE, ga);
		avail = GVT_BATCH_MAX_DWORDS - st->batch_dw;
		over = GVT_ERR_BATCH_SIZE;
	}
	ret = gvt_rd_cmd(s, rd, cmd, len, avail, over);
	if (ret)
		return ret;
	if (st->depth)
		st->batch_dw += *len;

	switch (GVT_CMD_OP(cmd[0])) {
	case GVT_OP_BATCH_END:
		if (!st->depth)
			return gvt_scan_fail(s, GVT_ERR_BAD_OPCODE, ga);
		st->depth--;
		return 0;
	case GVT_OP_BATCH_START:
		if (st->depth >= GVT_BATCH_MAX_DEPTH)
			return gvt_scan_fail(s, GVT_ERR_BATCH_DEPTH, ga);
		if (!st->depth)
			st->batch_dw = 0;
		st->depth++;
		gvt_rd_init(&eng->rd[st->depth], cmd[1], 0, 0);
		return 0;
	case GVT_OP_NOOP:
		return 0;
	default:
		return gvt_shadow_emit(s, cmd, *len, ga);
	}
}

int gvt_cmd_scan(struct gvt_model *m, u32 engine, u32 max_dw,
		 struct gvt_cmd_error *err)
{
	struct gvt_engine *eng = &m->eng[engine];
	struct gvt_scan s = { .m = m, .engine = engine, .eng = eng, .err = err };
	struct gvt_scan_state *st = &eng->scan;
	u32 read = 0, len;
	bool done = false;
	int ret = 0;

	if (!st->active) {
		u32 start = gvt_engine_reg_get(m, engine, GVT_RING_START);
		u32 ctl = gvt_engine_reg_get(m, engine, GVT_RING_CTL);
		u32 head = gvt_engine_reg_get(m, engine, GVT_RING_HEAD);
		u32 size = gvt_ring_bytes(ctl);

		if (head >= size || eng->tail >= size)
			return gvt_scan_fail(&s, GVT_ERR_RING_CTL, eng->tail);
		eng->shadow_len = 0;
		st->depth = 0;
		st->batch_dw = 0;
		gvt_rd_init(&eng->rd[0], start, size, head);
		st->active = true;
	}
	while (read < max_dw) {
		ret = gvt_scan_one(&s, &len, &done);
		if (ret || done)
			break;
		read += len;
	}
	if (!ret && !done)
		return -EAGAIN;
	st->active = false;
	if (ret)
		return ret;
	eng->wl_tail = eng->rd[0].pos;
	return 0;
}
