// SPDX-License-Identifier: GPL-2.0
/*
 * zload: a swap workload for the QEMU guest.
 *
 *	zload MIB SEED [CGROUP_DIR]
 *
 * Dirties MIB MiB of anonymous memory, one page at a time, with contents of
 * mixed compressibility derived from (SEED, page index) (tools/zpattern.h),
 * so they can be checked later without keeping a copy.  After writing it
 * prints zswap's and the cgroup's counters while the data is still in
 * zswap, then reads every page back and counts pages that differ.
 * Output lines are "ZLOAD key=value ..."; exit status 0 only if every page
 * read back intact.
 *
 * ZLOAD_HOLD=FILE holds the data (stored) until FILE exists.  Meanwhile,
 * ZLOAD_FREE=FILE frees a random half of the pages (MADV_DONTNEED, chosen
 * by SEED) once FILE exists, and says so ("ZLOAD freed"); those pages must
 * then read back as zeroes.
 *
 * ZLOAD_CHURN=ROUNDS (with ZLOAD_HOLD) churns once ZLOAD_CHURN_GO=FILE
 * exists: each round frees a seeded random quarter of the pages
 * (MADV_DONTNEED, so a swapped-out page's slot and its compressed copy go)
 * and writes each again at once with the next generation's contents, so
 * stores and frees go on together while reclaim runs.  It then says
 * "ZLOAD churned" and holds on; the read back checks every page against
 * its last generation.
 *
 * ZLOAD_KIDS=N (with ZLOAD_HOLD) measures exits instead: N children each
 * write MIB MiB (seeds SEED+1..SEED+N) and hold it; once all hold, zload
 * says "ZLOAD holding kids=N"; once the ZLOAD_HOLD file exists it kills
 * them all (SIGKILL) and prints "ZLOAD exit_s=", the time until the last
 * is reaped: the cost of unmapping their memory, most of it swapped out
 * by then, with every swap slot and compressed copy it frees.  With
 * ZLOAD_MARK=W (0-3) it opens window W of tools/profile/winprof.c's TCG
 * profile before the first kill and closes it once the last is reaped:
 * without the plugin the marks are two moves to a register.
 */
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zpattern.h"

/* Page @i is one of the random half ZLOAD_FREE frees (splitmix64). */
static int freed_half(uint64_t seed, unsigned long i)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (i + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) & 1;
}

/* Page @i is one of the quarter churn round @round rewrites. */
static int churned(uint64_t seed, unsigned int round, unsigned long i)
{
	return mix64(seed ^ mix64(((uint64_t)round << 40) ^ i)) % 4 == 0;
}

/* The contents of generation @gen of page @i (0: the first fill). */
static void fill_gen(unsigned char *p, uint64_t seed, unsigned int gen,
		     unsigned long i)
{
	fill_page(p, seed + 0x5851f42d4c957f2dULL * gen, i);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long read_num(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static long long read_stat(const char *path, const char *key)
{
	char name[128];
	long long v, found = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fscanf(f, "%127s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			found = v;
	fclose(f);
	return found;
}

/* Print every zheap pool's debugfs stats as one "ZLOAD zheap ..." line. */
static void print_zheap_stats(void)
{
	char line[256];
	glob_t g;
	size_t i;

	if (glob("/sys/kernel/debug/zheap/*/stats", 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		if (!f)
			continue;
		printf("ZLOAD zheap_pool=%s", g.gl_pathv[i]);
		while (fgets(line, sizeof(line), f)) {
			char *sp = strchr(line, ' ');

			line[strcspn(line, "\n")] = '\0';
			if (sp)
				*sp = '=';
			printf(" %s", line);
		}
		printf("\n");
		fclose(f);
	}
	globfree(&g);
}

/*
 * ZLOAD_CHURN: @rounds rounds of freeing a random quarter of the pages and
 * writing each again; @gen records each page's generation.  Returns the
 * pages rewritten.
 */
static unsigned long churn(unsigned char *mem, unsigned long pages,
			   uint64_t seed, unsigned int rounds, unsigned char *gen)
{
	unsigned long i, n = 0;
	unsigned int r;

	for (r = 1; r <= rounds; r++) {
		for (i = 0; i < pages; i++) {
			if (!churned(seed, r, i))
				continue;
			if (madvise(mem + i * PAGE, PAGE, MADV_DONTNEED))
				perror("zload: madvise");
			gen[i] = r;
			fill_gen(mem + i * PAGE, seed, r, i);
			n++;
		}
	}
	return n;
}

/* tools/profile/winprof.c's marks: open window @w (0-3), or close (-1). */
#define WINPROF_MARK(imm) \
	__asm__ volatile("movabsq $" #imm ", %%rax" : : : "rax")
static void winprof_mark(int w)
{
	switch (w) {
	case 0: WINPROF_MARK(0x5a48454150570000); break;
	case 1: WINPROF_MARK(0x5a48454150570001); break;
	case 2: WINPROF_MARK(0x5a48454150570002); break;
	case 3: WINPROF_MARK(0x5a48454150570003); break;
	case -1: WINPROF_MARK(0x5a484541505700ff); break;
	}
}

/* ZLOAD_KIDS: see the head comment.  Returns the exit status. */
static int exit_kids(unsigned int n, unsigned long pages, uint64_t seed,
		     const char *hold)
{
	pid_t pid[64];
	unsigned int k, got = 0;
	const char *mark_env = getenv("ZLOAD_MARK");
	int mark = mark_env ? atoi(mark_env) : -2;
	int fd[2], status, rc = 0;
	double t0;
	char c;

	if (n > 64 || pipe(fd)) {
		fprintf(stderr, "zload: at most 64 kids\n");
		return 2;
	}
	for (k = 0; k < n; k++) {
		pid[k] = fork();
		if (pid[k] < 0) {
			perror("zload: fork");
			return 2;
		}
		if (!pid[k]) {
			unsigned char *m = mmap(NULL, pages * PAGE,
						PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS,
						-1, 0);
			unsigned long i;

			if (m == MAP_FAILED)
				_exit(2);
			for (i = 0; i < pages; i++)
				fill_page(m + i * PAGE, seed + k + 1, i);
			if (write(fd[1], "h", 1) != 1)
				_exit(2);
			for (;;)
				pause();
		}
	}
	while (got < n && read(fd[0], &c, 1) == 1)
		got++;
	printf("ZLOAD holding kids=%u\n", got);
	fflush(stdout);
	while (access(hold, F_OK))
		usleep(100000);
	t0 = now();
	winprof_mark(mark);
	for (k = 0; k < n; k++)
		kill(pid[k], SIGKILL);
	for (k = 0; k < n; k++)
		if (waitpid(pid[k], &status, 0) != pid[k] ||
		    !WIFSIGNALED(status))
			rc = 1;
	if (mark >= 0)
		winprof_mark(-1);
	printf("ZLOAD exit_s=%.4f kids=%u held=%u\n", now() - t0, n, got);
	return got == n ? rc : 1;
}

int main(int argc, char **argv)
{
	unsigned char *mem, *want, *gen = NULL;
	long long stored, pool_bytes, cg_zswap = -1, cg_zswapped = -1;
	unsigned long mib, pages, i, bad = 0, nfreed = 0;
	const char *free_file = getenv("ZLOAD_FREE");
	const char *churn_go = getenv("ZLOAD_CHURN_GO");
	unsigned int rounds = 0;
	unsigned long nchurned = 0;
	int churn_done = 0;
	uint64_t seed;
	double t0, t1, t2;
	char path[512];

	if (argc < 3) {
		fprintf(stderr, "usage: zload MIB SEED [CGROUP_DIR]\n");
		return 2;
	}
	mib = strtoul(argv[1], NULL, 0);
	seed = strtoull(argv[2], NULL, 0);
	pages = mib * (1024 * 1024 / PAGE);
	if (getenv("ZLOAD_CHURN"))
		rounds = strtoul(getenv("ZLOAD_CHURN"), NULL, 0);
	if (rounds > 255) {
		fprintf(stderr, "zload: at most 255 churn rounds\n");
		return 2;
	}
	if (getenv("ZLOAD_KIDS") && getenv("ZLOAD_HOLD"))
		return exit_kids(strtoul(getenv("ZLOAD_KIDS"), NULL, 0), pages,
			    seed, getenv("ZLOAD_HOLD"));

	/*
	 * A caller that holds the data while it reclaims the cgroup wants
	 * the data pages alone to go out: lock zload's own pages (stack,
	 * heap, stdio's buffer, libc), now and as they are touched later,
	 * which its wait loop would otherwise fault back in at random
	 * moments, and whose contents (addresses) differ from run to run.
	 * MCL_ONFAULT: a future mapping is not populated and locked whole
	 * (160 MiB at once starved the guest's atomic allocations); the
	 * data mapping is unlocked again before its first fault.
	 */
	want = malloc(PAGE);
	if (rounds)
		gen = calloc(pages, 1);
	if (getenv("ZLOAD_HOLD") &&
	    mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT))
		perror("zload: mlockall");

	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (getenv("ZLOAD_HOLD") && mem != MAP_FAILED &&
	    munlock(mem, pages * PAGE))
		perror("zload: munlock");
	if (mem == MAP_FAILED || !want || (rounds && !gen)) {
		perror("zload: mmap");
		return 2;
	}

	t0 = now();
	for (i = 0; i < pages; i++)
		fill_page(mem + i * PAGE, seed, i);
	t1 = now();

	stored = read_num("/sys/kernel/debug/zswap/stored_pages");
	pool_bytes = read_num("/sys/kernel/debug/zswap/pool_total_size");
	if (argc > 3) {
		snprintf(path, sizeof(path), "%s/memory.stat", argv[3]);
		cg_zswap = read_stat(path, "zswap");
		cg_zswapped = read_stat(path, "zswapped");
	}
	printf("ZLOAD mib=%lu pages=%lu seed=%llu write_s=%.2f write_mib_s=%.1f\n",
	       mib, pages, (unsigned long long)seed, t1 - t0,
	       mib / (t1 - t0));
	printf("ZLOAD stored_pages=%lld pool_total_size=%lld cg_zswap=%lld cg_zswapped=%lld\n",
	       stored, pool_bytes, cg_zswap, cg_zswapped);
	if (pool_bytes > 0 && stored > 0)
		printf("ZLOAD pages_per_pool_page=%.3f efficiency=%.3f\n",
		       (double)stored / (pool_bytes / PAGE),
		       cg_zswap > 0 ? (double)cg_zswap / pool_bytes : -1.0);
	print_zheap_stats();
	fflush(stdout);

	/*
	 * ZLOAD_HOLD=FILE: keep everything stored until FILE exists, so the
	 * caller can look at the machine (compaction, buddyinfo) meanwhile.
	 */
	if (getenv("ZLOAD_HOLD")) {
		printf("ZLOAD holding\n");
		fflush(stdout);
		while (access(getenv("ZLOAD_HOLD"), F_OK)) {
			if (free_file && !nfreed && !access(free_file, F_OK)) {
				for (i = 0; i < pages; i++) {
					if (!freed_half(seed, i))
						continue;
					if (madvise(mem + i * PAGE, PAGE,
						    MADV_DONTNEED))
						perror("zload: madvise");
					nfreed++;
				}
				printf("ZLOAD freed freed_pages=%lu\n", nfreed);
				fflush(stdout);
			}
			if (rounds && churn_go && !churn_done &&
			    !access(churn_go, F_OK)) {
				double c0 = now();

				nchurned = churn(mem, pages, seed, rounds, gen);
				churn_done = 1;
				printf("ZLOAD churned rounds=%u churned_pages=%lu churn_s=%.2f\n",
				       rounds, nchurned, now() - c0);
				fflush(stdout);
			}
			usleep(100000);
		}
		t1 = now();
	}

	for (i = 0; i < pages; i++) {
		if (nfreed && freed_half(seed, i))
			memset(want, 0, PAGE);
		else
			fill_gen(want, seed, gen ? gen[i] : 0, i);
		if (memcmp(want, mem + i * PAGE, PAGE))
			bad++;
	}
	t2 = now();
	printf("ZLOAD verify_s=%.2f verify_mib_s=%.1f bad_pages=%lu\n",
	       t2 - t1, mib / (t2 - t1), bad);
	return bad ? 1 : 0;
}
