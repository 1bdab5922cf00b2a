/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device model is plain C that builds both in the kernel module and in
 * userspace (unit tests, fuzzers). This header is the only place that knows
 * which of the two it is in.
 */
#ifndef GVT_COMPAT_H
#define GVT_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/kernel.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif /* __KERNEL__ */

#include <linux/pci_regs.h>
#include "gvt/gvt_regs.h"
#include "gvt/gvt_abi.h"

/* little-endian accessors on byte arrays (the model runs on x86 hosts) */
static inline u16 gvt_get16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static inline u32 gvt_get32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) |
	       ((u32)p[3] << 24);
}

static inline void gvt_put16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static inline void gvt_put32(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

#endif /* GVT_COMPAT_H */
