// SPDX-License-Identifier: GPL-2.0
/*
 * zheapstat: zheap's pools at a glance, as zramctl shows zram's devices.
 *
 *	zheapstat [-b] [-v] [--json] [-i SECONDS [-c COUNT]] [--root DIR]
 *		  [--debug-root DIR]
 *
 * One line per pool, from /sys/kernel/zheap/<pool>/ (zpool/sysfs.c:
 * readable without root): its name (the consumer's: zswapN, zramN, ...),
 * backend, consumer (zswap, zram or direct), objects, bytes stored and
 * pool bytes, density (stored / pool bytes, 1.0 ideal), metadata bytes
 * per object, what compaction could free and the pages the kernel
 * migrated.  -v adds every field of every
 * pool, one "pool field value" line each, then, where debugfs is
 * readable (root), each pool's per-class detail (<pool>/classes), one
 * "pool classes LINE" line each; --json prints one JSON object
 * per sample with every field as a number.  -i repeats every SECONDS
 * (COUNT times, or until interrupted).  --root reads DIR in place of
 * /sys/kernel/zheap, --debug-root DIR in place of /sys/kernel/debug/zheap
 * (for tests).  Exit status: 0; 1 if zheap is not
 * loaded (no directory); 2 for bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_POOLS	256
#define MAX_FIELDS	64
#define NAME_LEN	64

struct field {
	char name[NAME_LEN];
	char value[NAME_LEN];
};

struct pool {
	char dir[NAME_LEN];
	struct field f[MAX_FIELDS];
	int nr;
};

static const char *root = "/sys/kernel/zheap";
static const char *debug_root = "/sys/kernel/debug/zheap";

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct field *)a)->name,
		      ((const struct field *)b)->name);
}

static int by_dir(const void *a, const void *b)
{
	return strcmp(((const struct pool *)a)->dir,
		      ((const struct pool *)b)->dir);
}

/* The first line of @path into @buf, without its newline. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return -1;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

static void read_pool(struct pool *p)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	p->nr = 0;
	snprintf(path, sizeof(path), "%s/%s", root, p->dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) && p->nr < MAX_FIELDS) {
		struct field *f = &p->f[p->nr];

		if (de->d_name[0] == '.' || strlen(de->d_name) >= NAME_LEN)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", root, p->dir,
			 de->d_name);
		if (read_line(path, f->value, sizeof(f->value)))
			continue;
		snprintf(f->name, sizeof(f->name), "%s", de->d_name);
		p->nr++;
	}
	closedir(d);
	qsort(p->f, p->nr, sizeof(p->f[0]), by_name);
}

/* Every pool directory; -1 if there is no zheap at all. */
static int read_pools(struct pool *pools)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(root);
	if (!d)
		return -1;
	while ((de = readdir(d)) && n < MAX_POOLS) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= NAME_LEN)
			continue;
		snprintf(pools[n].dir, sizeof(pools[n].dir), "%s", de->d_name);
		read_pool(&pools[n]);
		if (pools[n].nr)
			n++;
	}
	closedir(d);
	qsort(pools, n, sizeof(pools[0]), by_dir);
	return n;
}

static const char *get(const struct pool *p, const char *name)
{
	int i;

	for (i = 0; i < p->nr; i++)
		if (!strcmp(p->f[i].name, name))
			return p->f[i].value;
	return NULL;
}

static unsigned long long num(const struct pool *p, const char *name)
{
	const char *v = get(p, name);

	return v ? strtoull(v, NULL, 10) : 0;
}

/* Bytes as zramctl prints them: 1023B, 12.3K, 150.2M, ... */
static const char *human(unsigned long long v, int raw, char *buf,
			 size_t len)
{
	static const char unit[] = "BKMGTP";
	double d = v;
	int u = 0;

	if (raw) {
		snprintf(buf, len, "%llu", v);
		return buf;
	}
	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%lluB", v);
	else
		snprintf(buf, len, "%.1f%c", d, unit[u]);
	return buf;
}

static double density(const struct pool *p)
{
	unsigned long long pool = num(p, "pool_bytes");

	return pool ? (double)num(p, "stored_bytes") / pool : 0;
}

/*
 * -v: each pool's per-class detail, from debugfs (root only): its
 * classes file line by line, "pool classes LINE"; a note on stderr for
 * the pools whose file could not be read.
 */
static void print_classes(const struct pool *pools, int n)
{
	char path[512], line[256];
	int i, missing = 0;

	for (i = 0; i < n; i++) {
		FILE *f;

		if (snprintf(path, sizeof(path), "%s/%s/classes", debug_root,
			     pools[i].dir) >= (int)sizeof(path))
			f = NULL;
		else
			f = fopen(path, "r");
		if (!f) {
			missing++;
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			printf("%s classes %s\n", pools[i].dir, line);
		}
		fclose(f);
	}
	if (missing)
		fprintf(stderr,
			"zheapstat: no per-class detail for %d pool(s): %s is not readable (root only)\n",
			missing, debug_root);
}

static void print_table(const struct pool *pools, int n, int raw,
			int verbose)
{
	char s[32], b[32], c[32];
	long page = sysconf(_SC_PAGESIZE);
	int i, j;

	printf("%-16s %-9s %-8s %9s %9s %9s %7s %8s %11s %8s\n", "NAME",
	       "BACKEND", "CONSUMER", "OBJECTS", "STORED", "POOL", "DENSITY",
	       "META/OBJ", "COMPACTABLE", "MIGRATED");
	for (i = 0; i < n; i++) {
		const struct pool *p = &pools[i];
		const char *name = get(p, "name");

		printf("%-16s %-9s %-8s %9llu %9s %9s %7.3f %8llu %11s %8llu\n",
		       name ? name : p->dir,
		       get(p, "backend") ? get(p, "backend") : "-",
		       get(p, "consumer") ? get(p, "consumer") : "-",
		       num(p, "objects"),
		       human(num(p, "stored_bytes"), raw, s, sizeof(s)),
		       human(num(p, "pool_bytes"), raw, b, sizeof(b)),
		       density(p), num(p, "meta_bytes_per_object"),
		       human(num(p, "compactable_pages") * page, raw, c,
			     sizeof(c)),
		       num(p, "pages_migrated"));
	}
	if (!verbose)
		return;
	for (i = 0; i < n; i++)
		for (j = 0; j < pools[i].nr; j++)
			printf("%s %s %s\n", pools[i].dir, pools[i].f[j].name,
			       pools[i].f[j].value);
	print_classes(pools, n);
}

/* A JSON string: the names here are sysfs's, but quote what must be. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static int is_number(const char *v)
{
	if (!*v)
		return 0;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return 0;
	return 1;
}

static void print_json(const struct pool *pools, int n)
{
	int i, j;

	printf("{\"pools\": [");
	for (i = 0; i < n; i++) {
		const struct pool *p = &pools[i];

		printf("%s{\"dir\": ", i ? ", " : "");
		json_str(p->dir);
		for (j = 0; j < p->nr; j++) {
			printf(", ");
			json_str(p->f[j].name);
			printf(": ");
			if (is_number(p->f[j].value))
				printf("%s", p->f[j].value);
			else
				json_str(p->f[j].value);
		}
		printf(", \"density\": %.4f}", density(p));
	}
	printf("]}\n");
}

static void print_help(FILE *f)
{
	fprintf(f,
		"usage: zheapstat [-b] [-v] [--json] [-i SECONDS [-c COUNT]] [--root DIR]\n"
		"                 [--debug-root DIR]\n"
		"  -b, --bytes      sizes in bytes\n"
		"  -v, --verbose    every field of every pool, and per-class detail\n"
		"                   from debugfs when it is readable (root)\n"
		"  -j, --json       JSON, one object per sample\n"
		"  -i, --interval   repeat every SECONDS\n"
		"  -c, --count      stop after COUNT samples\n"
		"      --root       read DIR, not /sys/kernel/zheap\n"
		"      --debug-root read DIR, not /sys/kernel/debug/zheap\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bytes", no_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },
		{ "debug-root", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct pool pools[MAX_POOLS];
	int raw = 0, verbose = 0, json = 0, o, n;
	long interval = 0, count = -1, done = 0;
	char *end;

	while ((o = getopt_long(argc, argv, "bvji:c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'b':
			raw = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'i':
			interval = strtol(optarg, &end, 10);
			if (*end || interval <= 0) {
				fprintf(stderr, "zheapstat: bad interval %s\n", optarg);
				return 2;
			}
			break;
		case 'c':
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0) {
				fprintf(stderr, "zheapstat: bad count %s\n", optarg);
				return 2;
			}
			break;
		case 'r':
			root = optarg;
			break;
		case 'd':
			debug_root = optarg;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	if (optind < argc || (count > 0 && !interval)) {
		print_help(stderr);
		return 2;
	}
	for (;;) {
		n = read_pools(pools);
		if (n < 0) {
			fprintf(stderr, "zheapstat: %s: %s (is zheap loaded?)\n",
				root, strerror(errno));
			return 1;
		}
		if (json)
			print_json(pools, n);
		else
			print_table(pools, n, raw, verbose);
		fflush(stdout);
		if (!interval || (count > 0 && ++done >= count))
			return 0;
		sleep(interval);
		if (!json)
			putchar('\n');
	}
}
