/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest workloads' page contents (tools/zload.c, tools/zstress.c):
 * a page of mixed compressibility derived from (seed, index) alone, so it
 * can be checked later without keeping a copy.
 *
 *   45%  text: words from a small dictionary (compresses 3-4x)
 *   35%  mixed: a random prefix of 256..3800 bytes, then a repeated
 *        pattern (spreads compressed sizes across the whole range)
 *   20%  random bytes (incompressible: zswap rejects these)
 *
 * Every page starts with its index, so none is same-filled.
 */
#ifndef ZPATTERN_H
#define ZPATTERN_H

#include <stdint.h>
#include <string.h>

#define PAGE 4096
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const words[] = {
	"zswap ", "page ", "memory ", "kernel ", "compress ", "the ",
	"of ", "and ", "handle ", "object ", "pool ", "backend ", "size ",
	"class ", "migrate ", "lru ", "writeback ", "swap ", "slot ", "zheap ",
};

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline void fill_page(unsigned char *p, uint64_t seed, uint64_t idx)
{
	uint64_t s = mix64(seed ^ mix64(idx + 1));
	unsigned int kind = s % 100, i = 0;

	memcpy(p, &idx, sizeof(idx));
	i = sizeof(idx);
	if (kind < 45) {
		while (i < PAGE) {
			const char *w;
			size_t n;

			s = mix64(s);
			w = words[s % ARRAY_SIZE(words)];
			n = strlen(w);
			if (n > PAGE - i)
				n = PAGE - i;
			memcpy(p + i, w, n);
			i += n;
		}
	} else if (kind < 80) {
		unsigned int prefix = 256 + mix64(s) % (3800 - 256);

		for (; i < prefix; i += 8) {
			s = mix64(s);
			memcpy(p + i, &s, 8);
		}
		for (; i < PAGE; i++)
			p[i] = (unsigned char)(i % 7);
	} else {
		for (; i < PAGE; i += 8) {
			s = mix64(s);
			memcpy(p + i, &s, 8);
		}
	}
}

#endif /* ZPATTERN_H */
