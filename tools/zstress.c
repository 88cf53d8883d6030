// SPDX-License-Identifier: GPL-2.0
/*
 * zstress: one worker of the QEMU guest's race venue (tests/qemu/init,
 * mode race), storing, loading and freeing pages through zswap or zram
 * for a while, then checking every page.
 *
 *	zstress swap SECONDS SEED WORKER MIB
 *	zstress zram SECONDS SEED WORKER DEV FIRST_BLOCK BLOCKS
 *	zstress swapon DEV PRIORITY
 *
 * swap: MIB MiB of anonymous memory, written whole, then random runs of up
 * to 64 pages are rewritten, pushed out with MADV_PAGEOUT (into zswap,
 * whose pool is zheap's), read back and checked, or dropped with
 * MADV_DONTNEED (zswap frees their entries; they must read back as
 * zeroes).
 *
 * zram: BLOCKS 4 KiB blocks of DEV from FIRST_BLOCK on, with O_DIRECT so
 * every write and read reaches the driver: random runs are rewritten,
 * read back and checked, or discarded (BLKDISCARD: zram frees their
 * objects; they must read back as zeroes).
 *
 * Each page's contents come from (SEED, WORKER, the page's generation,
 * its index) (tools/zpattern.h): a rewrite starts a new generation.  The
 * choice of runs comes from (SEED, WORKER) too, so a run is replayed by
 * its seed, though what the other workers and the kernel do meanwhile is
 * not.  Prints "ZSTRESS key=value ..." lines; exit status 0 only if every
 * check found every page as last written.
 *
 * swapon: swapon(2) with a priority, which busybox's swapon cannot set:
 * the race venue's second swap device must come first.
 *
 * ZSTRESS_HOLD=FILE (swap only): after the last pass, push every page out
 * again, print "ZSTRESS holding", wait until FILE exists (the caller walks
 * the pools meanwhile, with the data in them), then check every page once
 * more.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <time.h>
#include <unistd.h>

#include "zpattern.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define RUN_MAX 64
#define BAD_SHOWN 5

struct worker {
	const char *kind;
	uint64_t seed;
	unsigned int id;
	unsigned long pages;
	uint32_t *gen;		/* per page; 0: never written or dropped */
	uint64_t rng;
	unsigned char *want;
	unsigned long ops, writes, checks, drops, pageouts, bad;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t next(struct worker *w)
{
	w->rng = mix64(w->rng + 0x9e3779b97f4a7c15ULL);
	return w->rng;
}

/* What page @i holds now: its generation's pattern, or zeroes. */
static void expected(struct worker *w, unsigned long i, unsigned char *p)
{
	if (!w->gen[i]) {
		memset(p, 0, PAGE);
		return;
	}
	fill_page(p, w->seed ^ mix64((uint64_t)w->id << 32 | w->gen[i]), i);
}

static void check_page(struct worker *w, unsigned long i,
		       const unsigned char *got)
{
	w->checks++;
	expected(w, i, w->want);
	if (!memcmp(w->want, got, PAGE))
		return;
	if (w->bad++ < BAD_SHOWN)
		printf("ZSTRESS bad kind=%s worker=%u page=%lu gen=%u\n",
		       w->kind, w->id, i, w->gen[i]);
}

/* A random run of pages: [*first, *first + return). */
static unsigned long pick_run(struct worker *w, unsigned long *first)
{
	unsigned long len = 1 + next(w) % RUN_MAX;

	*first = next(w) % w->pages;
	if (len > w->pages - *first)
		len = w->pages - *first;
	return len;
}

static void report(struct worker *w, double secs)
{
	printf("ZSTRESS kind=%s worker=%u seed=%llu pages=%lu secs=%.0f",
	       w->kind, w->id, (unsigned long long)w->seed, w->pages, secs);
	printf(" ops=%lu writes=%lu checks=%lu drops=%lu pageouts=%lu bad=%lu\n",
	       w->ops, w->writes, w->checks, w->drops, w->pageouts, w->bad);
}

static int run_swap(struct worker *w, double end, unsigned long mib)
{
	unsigned long i, first, len;
	unsigned char *mem;

	w->pages = mib * (1024 * 1024 / PAGE);
	w->gen = calloc(w->pages, sizeof(*w->gen));
	mem = mmap(NULL, w->pages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!w->gen || mem == MAP_FAILED) {
		perror("zstress: memory");
		return 2;
	}
	for (i = 0; i < w->pages; i++) {
		w->gen[i] = 1;
		expected(w, i, mem + i * PAGE);
	}
	while (now() < end) {
		unsigned int op = next(w) % 100;

		len = pick_run(w, &first);
		w->ops++;
		if (op < 35) {
			for (i = first; i < first + len; i++) {
				w->gen[i]++;
				expected(w, i, mem + i * PAGE);
			}
			w->writes += len;
		} else if (op < 60) {
			if (madvise(mem + first * PAGE, len * PAGE,
				    MADV_PAGEOUT)) {
				perror("zstress: MADV_PAGEOUT");
				return 2;
			}
			w->pageouts += len;
		} else if (op < 90) {
			for (i = first; i < first + len; i++)
				check_page(w, i, mem + i * PAGE);
		} else {
			if (madvise(mem + first * PAGE, len * PAGE,
				    MADV_DONTNEED)) {
				perror("zstress: MADV_DONTNEED");
				return 2;
			}
			for (i = first; i < first + len; i++)
				w->gen[i] = 0;
			w->drops += len;
		}
	}
	for (i = 0; i < w->pages; i++)
		check_page(w, i, mem + i * PAGE);
	if (getenv("ZSTRESS_HOLD")) {
		if (madvise(mem, w->pages * PAGE, MADV_PAGEOUT))
			perror("zstress: MADV_PAGEOUT");
		printf("ZSTRESS holding\n");
		fflush(stdout);
		while (access(getenv("ZSTRESS_HOLD"), F_OK))
			usleep(100000);
		for (i = 0; i < w->pages; i++)
			check_page(w, i, mem + i * PAGE);
	}
	return 0;
}

/* A run of at most RUN_MAX blocks, of @left still to go. */
static unsigned long run_len(unsigned long left)
{
	if (left > RUN_MAX)
		return RUN_MAX;
	return left;
}

static int zram_io(int fd, void *buf, unsigned long block, unsigned long n,
		   int write)
{
	off_t off = (off_t)block * PAGE;
	size_t bytes = n * PAGE;
	ssize_t done = write ? pwrite(fd, buf, bytes, off) :
			       pread(fd, buf, bytes, off);

	if (done != (ssize_t)bytes) {
		perror(write ? "zstress: pwrite" : "zstress: pread");
		return -1;
	}
	return 0;
}

static int run_zram(struct worker *w, double end, const char *dev,
		    unsigned long base, unsigned long blocks)
{
	unsigned long i, first, len;
	unsigned char *buf;
	uint64_t range[2];
	int fd;

	w->pages = blocks;
	w->gen = calloc(blocks, sizeof(*w->gen));
	fd = open(dev, O_RDWR | O_DIRECT);
	if (!w->gen || fd < 0 ||
	    posix_memalign((void **)&buf, PAGE, RUN_MAX * PAGE)) {
		perror("zstress: zram device or memory");
		return 2;
	}
	for (first = 0; first < blocks; first += len) {
		len = run_len(blocks - first);
		for (i = 0; i < len; i++) {
			w->gen[first + i] = 1;
			expected(w, first + i, buf + i * PAGE);
		}
		if (zram_io(fd, buf, base + first, len, 1))
			return 2;
	}
	while (now() < end) {
		unsigned int op = next(w) % 100;

		len = pick_run(w, &first);
		w->ops++;
		if (op < 40) {
			for (i = 0; i < len; i++) {
				w->gen[first + i]++;
				expected(w, first + i, buf + i * PAGE);
			}
			if (zram_io(fd, buf, base + first, len, 1))
				return 2;
			w->writes += len;
		} else if (op < 85) {
			if (zram_io(fd, buf, base + first, len, 0))
				return 2;
			for (i = 0; i < len; i++)
				check_page(w, first + i, buf + i * PAGE);
		} else {
			range[0] = (base + first) * PAGE;
			range[1] = len * PAGE;
			if (ioctl(fd, BLKDISCARD, range)) {
				perror("zstress: BLKDISCARD");
				return 2;
			}
			for (i = 0; i < len; i++)
				w->gen[first + i] = 0;
			w->drops += len;
		}
	}
	for (first = 0; first < blocks; first += len) {
		len = run_len(blocks - first);
		if (zram_io(fd, buf, base + first, len, 0))
			return 2;
		for (i = 0; i < len; i++)
			check_page(w, first + i, buf + i * PAGE);
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct worker w = {};
	double start, secs;
	int err;

	if (argc == 4 && !strcmp(argv[1], "swapon")) {
		if (swapon(argv[2], SWAP_FLAG_PREFER |
			   (atoi(argv[3]) & SWAP_FLAG_PRIO_MASK))) {
			perror("zstress: swapon");
			return 1;
		}
		return 0;
	}
	if (argc < 6 || (strcmp(argv[1], "swap") && argc < 8) ||
	    (strcmp(argv[1], "swap") && strcmp(argv[1], "zram"))) {
		fprintf(stderr,
			"usage: zstress swap SECONDS SEED WORKER MIB\n"
			"       zstress zram SECONDS SEED WORKER DEV FIRST_BLOCK BLOCKS\n"
			"       zstress swapon DEV PRIORITY\n");
		return 2;
	}
	w.kind = argv[1];
	secs = strtod(argv[2], NULL);
	w.seed = strtoull(argv[3], NULL, 0);
	w.id = strtoul(argv[4], NULL, 0);
	w.rng = mix64(w.seed ^ mix64(w.id + 1));
	w.want = malloc(PAGE);
	if (!w.want)
		return 2;
	start = now();
	if (!strcmp(w.kind, "swap"))
		err = run_swap(&w, start + secs, strtoul(argv[5], NULL, 0));
	else
		err = run_zram(&w, start + secs, argv[5],
			       strtoul(argv[6], NULL, 0),
			       strtoul(argv[7], NULL, 0));
	report(&w, now() - start);
	if (err)
		return err;
	return w.bad ? 1 : 0;
}
