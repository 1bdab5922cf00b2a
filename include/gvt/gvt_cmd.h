/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gvt-bpf virtual GPU: the command encoding of rings and batch buffers.
 *
 * The single definition of every command the engines execute; the module's
 * scanner and executor, the tests, the fuzzer and guest drivers include it.
 * docs: include/gvt/PROGRAMMING.md shows how a driver uses them.
 *
 * A command is a run of 32-bit little-endian dwords. The first (header)
 * holds the opcode in bits 31..24 and the command's total length in dwords,
 * header included, in bits 7..0; bits 23..8 are reserved and must be 0.
 * Graphics addresses are byte addresses in the vGPU's graphics memory
 * (its aperture and hidden ranges, see the PV-info page) and are
 * translated through the GTT when the command executes.
 */
#ifndef GVT_CMD_H
#define GVT_CMD_H

#define GVT_CMD_OP_SHIFT		24
#define GVT_CMD_LEN_MASK		0xffu
#define GVT_CMD_RSVD_MASK		0x00ffff00u
#define GVT_CMD_OP(hdr)			((hdr) >> GVT_CMD_OP_SHIFT)
#define GVT_CMD_LEN(hdr)		((hdr) & GVT_CMD_LEN_MASK)
#define GVT_CMD_HDR(op, len)		(((op) << GVT_CMD_OP_SHIFT) | (len))

/*
 * GVT_CMD_LIST(X) expands X(name, opcode, min length, max length) once per
 * command, lengths in dwords with the header, as decoded (a NOOP's length
 * field may also be 0). Operands, in order:
 *
 * NOOP            -                   does nothing; its length field may be
 *                                     0 or 1 (a 0 dword is a NOOP), both
 *                                     meaning one dword
 * USER_INTERRUPT  -                   raises GVT_IRQ_USER(engine)
 * BATCH_END       -                   returns from a batch buffer
 * STORE_DWORD     addr, value         writes value at addr (4-aligned)
 * LRI             (reg, value) x n    load register immediate, 1 <= n <=
 *                                     GVT_LRI_MAX_PAIRS, only registers of
 *                                     the allow list below
 * BATCH_START     addr                runs the batch buffer at addr
 *                                     (4-aligned) until its BATCH_END,
 *                                     then continues after this command;
 *                                     batches nest GVT_BATCH_MAX_DEPTH deep
 * WORK            ns                  keeps the engine busy for ns of GPU
 *                                     time, 1 <= ns <= GVT_WORK_MAX_NS
 * FILL_RECT       dst, dst_stride,    fills w x h pixels (4 bytes each) at
 *                 size, color         dst with color; size = w | h << 16
 * COPY_RECT       src, src_stride,    copies w x h pixels from src to dst;
 *                 dst, dst_stride,    overlapping rectangles give undefined
 *                 size                pixels (inside the vGPU's memory)
 *
 * Rectangles: 1 <= w, h <= GVT_RECT_MAX_DIM, addresses 4-aligned, stride a
 * multiple of 4 with w * 4 <= stride <= GVT_RECT_MAX_STRIDE, and all of
 * [addr, addr + (h - 1) * stride + w * 4) inside one range of the vGPU.
 */
#define GVT_CMD_LIST(X)							\
	X(NOOP,			0x00, 1, 1)				\
	X(USER_INTERRUPT,	0x01, 1, 1)				\
	X(BATCH_END,		0x02, 1, 1)				\
	X(STORE_DWORD,		0x10, 3, 3)				\
	X(LRI,			0x11, 3, 1 + 2 * GVT_LRI_MAX_PAIRS)	\
	X(BATCH_START,		0x12, 2, 2)				\
	X(WORK,			0x13, 2, 2)				\
	X(FILL_RECT,		0x20, 5, 5)				\
	X(COPY_RECT,		0x21, 6, 6)

#define GVT_CMD_OP_ENUM(name, op, minl, maxl) GVT_OP_##name = (op),
enum gvt_cmd_op {
	GVT_CMD_LIST(GVT_CMD_OP_ENUM)
};
#undef GVT_CMD_OP_ENUM

/* ready-made headers: GVT_CMD_NOOP, GVT_CMD_STORE_DWORD, ... */
#define GVT_CMD_NOOP			0u
#define GVT_CMD_USER_INTERRUPT		GVT_CMD_HDR(GVT_OP_USER_INTERRUPT, 1u)
#define GVT_CMD_BATCH_END		GVT_CMD_HDR(GVT_OP_BATCH_END, 1u)
#define GVT_CMD_STORE_DWORD		GVT_CMD_HDR(GVT_OP_STORE_DWORD, 3u)
#define GVT_CMD_LRI(n)			GVT_CMD_HDR(GVT_OP_LRI, 1u + 2u * (n))
#define GVT_CMD_BATCH_START		GVT_CMD_HDR(GVT_OP_BATCH_START, 2u)
#define GVT_CMD_WORK			GVT_CMD_HDR(GVT_OP_WORK, 2u)
#define GVT_CMD_FILL_RECT		GVT_CMD_HDR(GVT_OP_FILL_RECT, 5u)
#define GVT_CMD_COPY_RECT		GVT_CMD_HDR(GVT_OP_COPY_RECT, 6u)
#define GVT_RECT_SIZE(w, h)		((w) | ((h) << 16))
#define GVT_RECT_W(size)		((size) & 0xffffu)
#define GVT_RECT_H(size)		((size) >> 16)

/* limits the scanner enforces */
#define GVT_LRI_MAX_PAIRS		16
#define GVT_BATCH_MAX_DEPTH		2	/* ring -> batch -> batch */
/* dwords one ring-level BATCH_START may bring in, nested batches included */
#define GVT_BATCH_MAX_DWORDS		8192
#define GVT_WORK_MAX_NS			100000000u	/* 100 ms */
#define GVT_RECT_MAX_DIM		4096
#define GVT_RECT_MAX_STRIDE		65536
#define GVT_PIXEL_BYTES			4

/*
 * Which registers an LRI may load is a column of the register table
 * (gvt_regs.h): rows flagged GVT_RF_CMD. Today these are
 *   GVT_REG_SCRATCH       free for the driver (a marker, a fence value)
 *   GVT_REG_PLANE_SURF    page flip: takes effect in stream order and
 *                         raises GVT_IRQ_PLANE_FLIP
 *   RING_SEQNO            of the engine running the command only:
 *                         GVT_ENGINE_REG(engine, GVT_RING_SEQNO); this is
 *                         how a driver marks a request completed
 * Any other register in an LRI refuses the workload with
 * GVT_ERR_BAD_REGISTER: a command stream must not reach interrupt, GTT,
 * ring or reset control.
 */

#endif /* GVT_CMD_H */
