/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The byte pattern every test, stress run and benchmark of zheap writes
 * and checks: byte @b of generation @gen of object @id.  It differs from
 * object to object and from one generation of an object to the next, so
 * a read that returns another object's bytes, or an older copy of the
 * same object, is counted as corruption.
 */
#ifndef _ZHEAP_PATTERN_H
#define _ZHEAP_PATTERN_H

#include <linux/types.h>

static inline u8 zheap_pattern_byte(unsigned int id, unsigned int gen,
				    unsigned int b)
{
	return (u8)(id * 2654435761u + gen * 40503u + b * 7 + (b >> 8));
}

/* Bytes @from..@len of @buf, as object @id of generation @gen. */
static inline void zheap_pattern_fill(u8 *buf, size_t from, size_t len,
				      unsigned int id, unsigned int gen)
{
	size_t b;

	for (b = from; b < len; b++)
		buf[b] = zheap_pattern_byte(id, gen, b);
}

/* How many of bytes @from..@len of @buf are not as zheap_pattern_fill(). */
static inline size_t zheap_pattern_mismatch(const u8 *buf, size_t from,
					    size_t len, unsigned int id,
					    unsigned int gen)
{
	size_t b, bad = 0;

	for (b = from; b < len; b++)
		bad += buf[b] != zheap_pattern_byte(id, gen, b);
	return bad;
}

#endif /* _ZHEAP_PATTERN_H */
