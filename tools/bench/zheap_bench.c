// SPDX-License-Identifier: GPL-2.0
/*
 * zheap_bench: the allocator benchmark, run in the QEMU guest by
 * `make bench`.
 *
 * It drives the kernel's own zsmalloc (the exported zs_* API) and zheap's
 * backends with the same traces in the same boot and prints one table:
 * objects stored, pool pages, efficiency (stored bytes / pool bytes, 1.0
 * is ideal), metadata bytes per object, whether every object read back
 * intact, and malloc+write+read+free operations per second with one thread
 * and with one thread per online CPU, the kernel's zsmalloc being 1.00
 * (best of @rounds rounds that interleave the allocators).
 *
 * Traces, all of @objects objects:
 *   a-lzo, a-lz4  sizes of real data pages compressed with the kernel's lzo
 *                 and lz4 (crypto API); the data are the files named by
 *                 @data, cut into pages, cycled; same-filled pages and
 *                 pages that do not compress below PAGE_SIZE are skipped,
 *                 as zswap skips them
 *   b-uniform     sizes uniform in 1..PAGE_SIZE from a PRNG seeded by @seed
 *   c-churn       fill with a-lzo, free a random half, refill each freed
 *                 slot with its a-lz4 size; measured after the refill
 *
 * Then the cost of a free (run_free(): a-lzo stored, every object freed
 * in store order and in a random order, only the frees timed; under
 * -icount, instructions per free), then compaction side by side
 * (run_compact(): a-lzo, a random half
 * freed, one zs_compact() or zheap_compact(): pages freed against the
 * ideal, objects copied and time per freed page, the kernel being 1.00;
 * @rounds rounds, up to nine, each allocator's median time)
 * and whether compaction stalls the rest of the pool (run_stall()).
 *
 * The module does its work at load time, prints, and stays loaded until
 * removed.  Results go to the kernel log, each line starting "zheap_bench:".
 */

#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/crypto.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/zsmalloc.h>
#include <zheap.h>

#include "bench.h"

static unsigned long seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "PRNG seed for the uniform and churn traces");

static char *data = "";
module_param(data, charp, 0444);
MODULE_PARM_DESC(data, "comma-separated files whose pages make trace a");

static unsigned int objects = 40000;
module_param(objects, uint, 0444);
MODULE_PARM_DESC(objects, "objects per trace");

static unsigned int ops = 100000;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "malloc+write+read+free cycles per thread");

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "throughput rounds; each allocator keeps its best");

static char *backends = "zsmalloc,zbud";
module_param(backends, charp, 0444);
MODULE_PARM_DESC(backends, "zheap backends to measure besides the kernel's zsmalloc");

/*
 * For profiling the compaction under a TCG plugin (no PMU under TCG): run
 * only the compaction part, and optionally without the compaction call
 * itself, so that two profiles differ by the compaction alone.
 */
static bool only_compact;
module_param(only_compact, bool, 0444);
MODULE_PARM_DESC(only_compact, "run the compaction part only (profiling)");

static bool only_free;
module_param(only_free, bool, 0444);
MODULE_PARM_DESC(only_free, "run the free part only (profiling)");

static bool compact_calls = true;
module_param(compact_calls, bool, 0444);
MODULE_PARM_DESC(compact_calls, "call the compaction in the compaction part (profiling baseline: 0)");

/*
 * Marks around each allocator's compaction for a TCG profiling plugin:
 * "movabs $0x5a484541505700NN, %rax" opens window NN (the allocator's
 * index), NN = ff closes it.  A plugin finds the instruction by its bytes,
 * so no address need be known; otherwise it is one instruction.
 */
static void bench_mark_open(unsigned int nr)
{
#ifdef CONFIG_X86_64
	switch (nr) {
	case 0:
		asm volatile("movabs $0x5a48454150570000, %%rax" : : : "rax");
		break;
	case 1:
		asm volatile("movabs $0x5a48454150570001, %%rax" : : : "rax");
		break;
	case 2:
		asm volatile("movabs $0x5a48454150570002, %%rax" : : : "rax");
		break;
	default:
		asm volatile("movabs $0x5a48454150570003, %%rax" : : : "rax");
		break;
	}
#endif
}

static void bench_mark_close(void)
{
#ifdef CONFIG_X86_64
	asm volatile("movabs $0x5a484541505700ff, %%rax" : : : "rax");
#endif
}

#define MAX_DATA	(48UL << 20)
#define RING		1024

/* A trace: the sizes of its objects, in order. */
struct trace {
	const char *name;
	u16 *sizes;
	unsigned int nr;
};

/* One allocator under test. */
struct bench_alloc {
	char name[32];
	char *backend;			/* NULL: the kernel's zsmalloc */
	void *pool;
};

static int ba_create(struct bench_alloc *a)
{
	if (!a->backend) {
		a->pool = zs_create_pool("zheap_bench");
		return a->pool ? 0 : -ENOMEM;
	}
	a->pool = zheap_pool_create("zheap_bench", a->backend);
	if (IS_ERR(a->pool)) {
		int err = PTR_ERR(a->pool);

		a->pool = NULL;
		return err;
	}
	return 0;
}

static void ba_destroy(struct bench_alloc *a)
{
	if (!a->backend)
		zs_destroy_pool(a->pool);
	else
		zheap_pool_destroy(a->pool);
	a->pool = NULL;
}

/*
 * What zswap and zram ask for (6.12's zswap_compress() and zram's
 * zram_write_page() both add __GFP_HIGHMEM | __GFP_MOVABLE), so that the
 * kernel's zsmalloc gets movable pages here as it does for them.  With
 * GFP_KERNEL alone its pages were unmovable while zheap's are always
 * movable: the two drew on different per-CPU free lists, zheap's stores
 * took their pages from the buddy lists past the kernel's left on the
 * per-CPU list, and its frees then overflowed that list, so run_free()
 * charged zheap 115 instructions per free for draining it (the kernel 7).
 */
#define BENCH_GFP (GFP_KERNEL | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE)

static int ba_malloc(struct bench_alloc *a, size_t size, unsigned long *h)
{
	unsigned long handle;

	if (a->backend)
		return zheap_malloc(a->pool, size, BENCH_GFP, h);
	handle = zs_malloc(a->pool, size, BENCH_GFP);
	if (IS_ERR_VALUE(handle))
		return (int)handle;
	*h = handle;
	return 0;
}

static void ba_free(struct bench_alloc *a, unsigned long h)
{
	if (a->backend)
		zheap_free(a->pool, h);
	else
		zs_free(a->pool, h);
}

static void ba_write(struct bench_alloc *a, unsigned long h, const void *src,
		     size_t len)
{
	if (a->backend) {
		zheap_write_object(a->pool, h, src, len);
		return;
	}
	memcpy(zs_map_object(a->pool, h, ZS_MM_WO), src, len);
	zs_unmap_object(a->pool, h);
}

static void ba_read(struct bench_alloc *a, unsigned long h, void *dst,
		    size_t len)
{
	if (a->backend) {
		zheap_read_object(a->pool, h, dst, len);
		return;
	}
	memcpy(dst, zs_map_object(a->pool, h, ZS_MM_RO), len);
	zs_unmap_object(a->pool, h);
}

static u64 ba_pages(struct bench_alloc *a)
{
	return a->backend ? zheap_total_pages(a->pool) :
			    zs_get_total_pages(a->pool);
}

/*
 * The kernel's zsmalloc cannot tell how many spans (zspages) it holds, so
 * its metadata is counted with a model of its 6.12 class rules: classes
 * 16 bytes apart from 32 bytes, every object 8 bytes longer for its
 * in-object handle, zspages of the 1..CONFIG_ZSMALLOC_CHAIN_SIZE pages
 * that waste least, classes merged with the next larger one when both
 * have the same pages and objects per zspage.  On a trace that only
 * allocates, each class fills its zspages one after the other, so the
 * model's page count must equal zs_get_total_pages(); the bench checks
 * that before it trusts the zspage count.  Metadata per object is then
 * the 8-byte handle, the 8-byte in-object header (not in huge classes) and
 * a struct zspage (56 bytes in 6.12) per zspage.
 */
#define KZS_MIN			32
#define KZS_DELTA		16
#define KZS_CLASSES		((PAGE_SIZE - KZS_MIN) / KZS_DELTA + 1)
#define KZS_HANDLE		8
#define KZS_ZSPAGE_BYTES	56

struct kzs_class {
	u16 pages;
	u16 objs;
	u16 owner;	/* the class this size class was merged into */
};

static struct kzs_class kzs[KZS_CLASSES];

static void kzs_build(void)
{
	int i, prev = -1;

	for (i = KZS_CLASSES - 1; i >= 0; i--) {
		unsigned int size = min_t(unsigned int, KZS_MIN + i * KZS_DELTA,
					  PAGE_SIZE);
		unsigned int p, chain = 1, min_waste = UINT_MAX;

		for (p = 1; !is_power_of_2(size) &&
		     p <= CONFIG_ZSMALLOC_CHAIN_SIZE; p++) {
			if ((p * PAGE_SIZE) % size < min_waste) {
				min_waste = (p * PAGE_SIZE) % size;
				chain = p;
			}
		}
		kzs[i].pages = chain;
		kzs[i].objs = chain * PAGE_SIZE / size;
		if (prev >= 0 && kzs[prev].pages == chain &&
		    kzs[prev].objs == kzs[i].objs) {
			kzs[i].owner = kzs[prev].owner;
		} else {
			kzs[i].owner = i;
			prev = i;
		}
	}
}

static unsigned int kzs_class_of(size_t size)
{
	size += KZS_HANDLE;
	if (size <= KZS_MIN)
		return kzs[0].owner;
	return kzs[min_t(unsigned int, DIV_ROUND_UP(size - KZS_MIN, KZS_DELTA),
			 KZS_CLASSES - 1)].owner;
}

/* zspages and pages the kernel's zsmalloc takes for all of @t. */
static void kzs_model(const struct trace *t, u64 *zspages, u64 *pages,
		      u64 *huge_objs)
{
	unsigned int *count = kcalloc(KZS_CLASSES, sizeof(*count), GFP_KERNEL);
	unsigned int i;

	*zspages = *pages = *huge_objs = 0;
	if (!count)
		return;
	for (i = 0; i < t->nr; i++)
		count[kzs_class_of(t->sizes[i])]++;
	for (i = 0; i < KZS_CLASSES; i++) {
		u64 n = DIV_ROUND_UP(count[i], kzs[i].objs);

		*zspages += n;
		*pages += n * kzs[i].pages;
		if (kzs[i].pages == 1 && kzs[i].objs == 1)
			*huge_objs += count[i];
	}
	kfree(count);
}

/*
 * Metadata bytes per object outside the object's own bytes.  zheap's is
 * measured: handle slots and backend descriptors.  The kernel's comes from
 * the model above when the model's page count agrees with the pool's;
 * otherwise (the churn trace) only its per-object part, 16 bytes, is
 * certain and the figure is printed as a lower bound.
 */
static u64 ba_meta(struct bench_alloc *a, const struct trace *t, u64 nr,
		   bool fill_only, bool *exact)
{
	u64 zspages, pages, huge;
	struct zheap_stats s;

	*exact = true;
	if (a->backend) {
		if (!nr)
			return 0;
		zheap_pool_stats(a->pool, &s);
		return div64_u64(s.handle_bytes + s.backend_meta_bytes, nr);
	}
	kzs_model(t, &zspages, &pages, &huge);
	if (!fill_only || pages != ba_pages(a) || !nr) {
		*exact = false;
		return 2 * KZS_HANDLE;
	}
	return div64_u64(nr * KZS_HANDLE + (nr - huge) * KZS_HANDLE +
			 zspages * KZS_ZSPAGE_BYTES, nr);
}

static u8 *pattern;	/* 2 * PAGE_SIZE of pseudo-random bytes */

static const void *obj_bytes(unsigned int i)
{
	return pattern + (i * 61) % PAGE_SIZE;
}

static bool page_same_filled(const u8 *p)
{
	const unsigned long *w = (const unsigned long *)p;
	unsigned int i;

	for (i = 1; i < PAGE_SIZE / sizeof(*w); i++)
		if (w[i] != w[0])
			return false;
	return true;
}

/* Sizes of @buf's pages compressed with @alg, cycled to @nr objects. */
static int trace_from_data(struct trace *t, const char *alg, const u8 *buf,
			   size_t len)
{
	struct crypto_comp *tfm;
	unsigned int pages = len / PAGE_SIZE, i, n = 0, usable = 0;
	u16 *once;
	u8 *dst;
	int err = 0;

	tfm = crypto_alloc_comp(alg, 0, 0);
	if (IS_ERR(tfm)) {
		pr_err("zheap_bench: no %s compressor: %ld\n", alg, PTR_ERR(tfm));
		return PTR_ERR(tfm);
	}
	once = vmalloc_array(pages ?: 1, sizeof(*once));
	dst = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	if (!once || !dst) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < pages; i++) {
		unsigned int dlen = 2 * PAGE_SIZE;
		const u8 *src = buf + (size_t)i * PAGE_SIZE;

		if (page_same_filled(src))
			continue;
		if (crypto_comp_compress(tfm, src, PAGE_SIZE, dst, &dlen))
			continue;
		if (!dlen || dlen >= PAGE_SIZE)
			continue;
		once[usable++] = dlen;
		cond_resched();
	}
	if (!usable) {
		err = -ENODATA;
		goto out;
	}
	for (n = 0; n < t->nr; n++)
		t->sizes[n] = once[n % usable];
	pr_info("zheap_bench: trace %s: %u data pages, %u compressible, cycled to %u objects\n",
		t->name, pages, usable, t->nr);
out:
	kfree(dst);
	vfree(once);
	crypto_free_comp(tfm);
	return err;
}

/*
 * Read up to @max bytes of file @name into @dst.  Plain kernel_read(), not
 * kernel_read_file(): the latter asks the LSMs about a read of kind
 * READING_UNKNOWN, which Debian's IPE answers with a WARN.
 */
static ssize_t read_data_file(const char *name, u8 *dst, size_t max)
{
	struct file *f = filp_open(name, O_RDONLY, 0);
	size_t got = 0;
	ssize_t n = 0;
	loff_t pos = 0;

	if (IS_ERR(f))
		return PTR_ERR(f);
	while (got < max) {
		n = kernel_read(f, dst + got, max - got, &pos);
		if (n <= 0)
			break;
		got += n;
	}
	filp_close(f, NULL);
	return n < 0 ? n : got;
}

/* Read the files in @list (comma-separated) into one buffer. */
static size_t load_data(const char *list, u8 **out)
{
	char *names = kstrdup(list, GFP_KERNEL), *p = names, *name;
	u8 *buf = vmalloc(MAX_DATA);
	size_t used = 0;

	*out = buf;
	if (!names || !buf) {
		kfree(names);
		return 0;
	}
	while ((name = strsep(&p, ",")) && used < MAX_DATA) {
		ssize_t got;

		if (!*name)
			continue;
		got = read_data_file(name, buf + used, MAX_DATA - used);
		if (got < 0) {
			pr_err("zheap_bench: cannot read %s: %zd\n", name, got);
			continue;
		}
		pr_info("zheap_bench: data %s: %zd bytes\n", name, got);
		used += round_down(got, PAGE_SIZE);
	}
	kfree(names);
	return used;
}

/* Allocate object @i of @size and write its bytes; count a failure. */
static void store_one(struct bench_alloc *a, unsigned int i, size_t size,
		      unsigned long *handles, unsigned int *sizes,
		      unsigned long *failed)
{
	sizes[i] = size;
	if (ba_malloc(a, size, &handles[i])) {
		handles[i] = 0;
		(*failed)++;
		return;
	}
	ba_write(a, handles[i], obj_bytes(i), size);
	cond_resched();
}

/* Read back and free every live object; return how many were wrong. */
static unsigned long check_free_all(struct bench_alloc *a,
				    const unsigned long *handles,
				    const unsigned int *sizes, unsigned int nr,
				    u8 *buf)
{
	unsigned long bad = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (!handles[i])
			continue;
		ba_read(a, handles[i], buf, sizes[i]);
		if (memcmp(buf, obj_bytes(i), sizes[i]))
			bad++;
		ba_free(a, handles[i]);
		cond_resched();
	}
	return bad;
}

struct fill_result {
	u64 stored;
	u64 pages;
	u64 meta;
	bool meta_exact;
	unsigned long bad;
	unsigned long failed;
};

/* Store every object of @t, optionally churn, measure, check, free. */
static void run_fill(struct bench_alloc *a, const struct trace *t,
		     const struct trace *refill, struct fill_result *r)
{
	unsigned long *handles;
	unsigned int *sizes, i;
	struct rnd_state rnd;
	u8 *buf;

	memset(r, 0, sizeof(*r));
	handles = vcalloc(t->nr, sizeof(*handles));
	sizes = vcalloc(t->nr, sizeof(*sizes));
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!handles || !sizes || !buf || ba_create(a)) {
		r->failed = t->nr;
		goto out_free;
	}
	for (i = 0; i < t->nr; i++)
		store_one(a, i, t->sizes[i], handles, sizes, &r->failed);
	if (refill) {
		prandom_seed_state(&rnd, seed);
		for (i = 0; i < t->nr; i++) {
			if (!handles[i] || prandom_u32_state(&rnd) & 1)
				continue;
			ba_free(a, handles[i]);
			store_one(a, i, refill->sizes[i], handles, sizes,
				  &r->failed);
		}
	}
	for (i = 0; i < t->nr; i++)
		if (handles[i])
			r->stored += sizes[i];
	r->pages = ba_pages(a);
	r->meta = ba_meta(a, t, t->nr - r->failed, !refill && !r->failed,
			  &r->meta_exact);
	r->bad += check_free_all(a, handles, sizes, t->nr, buf);
	ba_destroy(a);
out_free:
	kfree(buf);
	vfree(sizes);
	vfree(handles);
}

/* Throughput: each thread cycles @ops times through a ring of objects. */
struct ops_ctx {
	struct bench_alloc *a;
	const struct trace *t;
	unsigned int tid;
	struct completion *go;
	struct completion done;
	unsigned long errors;
	unsigned long bad;
};

static int ops_thread(void *arg)
{
	struct ops_ctx *c = arg;
	unsigned long *ring = kcalloc(RING, sizeof(*ring), GFP_KERNEL);
	u16 *ring_size = kcalloc(RING, sizeof(*ring_size), GFP_KERNEL);
	u8 *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	if (c->go)
		wait_for_completion(c->go);
	if (!ring || !ring_size || !buf) {
		c->errors = ops;
		goto out;
	}
	for (i = 0; i < ops; i++) {
		unsigned int slot = i % RING;
		unsigned int k = (c->tid * 7919 + i) % c->t->nr;
		size_t size = c->t->sizes[k];

		if (ring[slot])
			ba_free(c->a, ring[slot]);
		ring[slot] = 0;
		if (ba_malloc(c->a, size, &ring[slot])) {
			ring[slot] = 0;
			c->errors++;
			continue;
		}
		ring_size[slot] = size;
		ba_write(c->a, ring[slot], obj_bytes(k), size);
		ba_read(c->a, ring[slot], buf, size);
		/* Every cycle checks what it read: threads share the pool. */
		if (memcmp(buf, obj_bytes(k), size))
			c->bad++;
		if (!(i & 255))
			cond_resched();
	}
	for (i = 0; i < RING; i++)
		if (ring[i])
			ba_free(c->a, ring[i]);
out:
	kfree(buf);
	kfree(ring_size);
	kfree(ring);
	complete(&c->done);
	return 0;
}

/* Cycles per second over @nr_threads threads (1: the calling thread). */
static u64 run_ops(struct bench_alloc *a, const struct trace *t,
		   unsigned int nr_threads, unsigned long *bad)
{
	struct ops_ctx *ctx;
	DECLARE_COMPLETION_ONSTACK(go);
	unsigned long errors = 0;
	unsigned int i;
	u64 t0, ns;

	ctx = kcalloc(nr_threads, sizeof(*ctx), GFP_KERNEL);
	if (!ctx || ba_create(a)) {
		kfree(ctx);
		return 0;
	}
	for (i = 0; i < nr_threads; i++) {
		ctx[i].a = a;
		ctx[i].t = t;
		ctx[i].tid = i;
		ctx[i].go = nr_threads > 1 ? &go : NULL;
		init_completion(&ctx[i].done);
	}
	t0 = ktime_get_ns();
	if (nr_threads == 1) {
		ops_thread(&ctx[0]);
	} else {
		for (i = 0; i < nr_threads; i++) {
			struct task_struct *task;

			task = kthread_run(ops_thread, &ctx[i], "zheap_bench/%u", i);
			if (IS_ERR(task)) {
				ctx[i].errors = ops;
				complete(&ctx[i].done);
			}
		}
		t0 = ktime_get_ns();
		complete_all(&go);
	}
	for (i = 0; i < nr_threads; i++) {
		wait_for_completion(&ctx[i].done);
		errors += ctx[i].errors;
		*bad += ctx[i].bad;
	}
	ns = ktime_get_ns() - t0;
	ba_destroy(a);
	kfree(ctx);
	if (errors)
		pr_err("zheap_bench: %s: %lu failed operations\n", a->name,
		       errors);
	return div64_u64((u64)ops * nr_threads * NSEC_PER_SEC, ns ?: 1);
}

/*
 * Compaction, side by side: fill with @t, free a seeded random half, then
 * one compaction (zs_compact() for the kernel's zsmalloc, zheap_compact()
 * for zheap).  Reported: pages freed against the ideal (what perfect
 * packing of the survivors would free: the kernel's class model, zheap's
 * zheap_compactable_pages()), objects copied per freed page and time per
 * freed page.  The kernel does not count the objects zs_compact() moves;
 * its handle is the address of a word holding the object's location, so
 * the bench counts the survivors whose word changed (an object moved twice
 * counts once: a lower bound for the kernel).
 */
struct compact_result {
	u64 before;
	u64 after;
	u64 ideal;
	u64 moved;
	u64 ns;
	u64 ns_min, ns_max;	/* over the rounds */
	unsigned long bad;
};

static u64 ba_moved(struct bench_alloc *a, const unsigned long *handles,
		    const unsigned long *old, unsigned int nr, u64 moved0)
{
	struct zheap_stats s;
	unsigned int i;
	u64 moved = 0;

	if (a->backend) {
		zheap_pool_stats(a->pool, &s);
		return s.objects_moved - moved0;
	}
	for (i = 0; i < nr; i++)
		if (handles[i] && *(unsigned long *)handles[i] != old[i])
			moved++;
	return moved;
}

/* Pages perfect packing of @handles' objects needs, in @a's terms. */
static u64 ba_ideal(struct bench_alloc *a, const unsigned int *sizes,
		    const unsigned long *handles, unsigned int nr, u64 before)
{
	struct trace surv = { .name = "survivors" };
	u64 zspages, pages = before, huge;
	unsigned int i;

	if (a->backend)
		return zheap_compactable_pages(a->pool);
	surv.sizes = vmalloc_array(nr, sizeof(u16));
	if (!surv.sizes)
		return 0;
	for (i = 0; i < nr; i++)
		if (handles[i])
			surv.sizes[surv.nr++] = sizes[i];
	kzs_model(&surv, &zspages, &pages, &huge);
	vfree(surv.sizes);
	return before > pages ? before - pages : 0;
}

/*
 * Freed pages go to the CPU's page list first, and to the buddy allocator
 * only once the list is over its high mark, which can be large (29,721
 * pages in the 1 GiB guest).  How full the list is when a compaction
 * starts then decides whether its frees cost a list insertion or a merge
 * into the buddy lists, and that depended on what ran before it in the
 * round: with the list at 7,700 pages, zs_compact()'s 16,000 frees all
 * stayed on it; the next allocator started at 27,799 and spilled.  So the
 * compaction runs pinned to one CPU (run_compact()) whose list this first
 * fills to its high mark (pages taken and given back): every allocator's
 * frees then go on to the buddy allocator, as memory given back for good
 * does.  The caller keeps the task on this CPU.
 */
static void settle_pcp(void)
{
	struct per_cpu_pages *pcp;
	struct page *page, *next;
	LIST_HEAD(pages);
	int n;

	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!page)
		return;
	list_add(&page->lru, &pages);
	pcp = this_cpu_ptr(page_zone(page)->per_cpu_pageset);
	/* The list gives its pages first, so take all it has and a high mark. */
	for (n = READ_ONCE(pcp->count) + READ_ONCE(pcp->high); n > 0; n--) {
		page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!page)
			break;
		list_add(&page->lru, &pages);
	}
	list_for_each_entry_safe(page, next, &pages, lru)
		__free_page(page);
}

static void run_compact(struct bench_alloc *a, unsigned int nr,
			const struct trace *t, struct compact_result *r)
{
	unsigned long *handles, *old, failed = 0;
	struct zheap_stats s = {};
	unsigned int *sizes, i;
	struct rnd_state rnd;
	u64 t0;
	u8 *buf;

	memset(r, 0, sizeof(*r));
	handles = vcalloc(t->nr, sizeof(*handles));
	old = vcalloc(t->nr, sizeof(*old));
	sizes = vcalloc(t->nr, sizeof(*sizes));
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!handles || !old || !sizes || !buf || ba_create(a)) {
		r->bad = t->nr;
		goto out_free;
	}
	for (i = 0; i < t->nr; i++)
		store_one(a, i, t->sizes[i], handles, sizes, &failed);
	prandom_seed_state(&rnd, seed + 2);
	for (i = 0; i < t->nr; i++) {
		if (handles[i] && prandom_u32_state(&rnd) & 1) {
			ba_free(a, handles[i]);
			handles[i] = 0;
		}
	}
	r->before = ba_pages(a);
	r->ideal = ba_ideal(a, sizes, handles, t->nr, r->before);
	for (i = 0; i < t->nr; i++)
		if (handles[i] && !a->backend)
			old[i] = *(unsigned long *)handles[i];
	if (a->backend)
		zheap_pool_stats(a->pool, &s);

	/* One CPU, one page list, from settle_pcp() to the end of the window. */
	set_cpus_allowed_ptr(current, cpumask_of(raw_smp_processor_id()));
	settle_pcp();
	t0 = ktime_get_ns();
	bench_mark_open(nr);
	if (!compact_calls)
		;
	else if (a->backend)
		zheap_compact(a->pool);
	else
		zs_compact(a->pool);
	bench_mark_close();
	r->ns = ktime_get_ns() - t0;
	set_cpus_allowed_ptr(current, cpu_online_mask);

	r->after = ba_pages(a);
	r->moved = ba_moved(a, handles, old, t->nr, s.objects_moved);
	r->bad += check_free_all(a, handles, sizes, t->nr, buf);
	r->bad += failed;
	ba_destroy(a);
out_free:
	kfree(buf);
	vfree(sizes);
	vfree(old);
	vfree(handles);
}

#define MAX_ALLOCS		4
#define COMPACT_MAX_ROUNDS	9

/* @num / @den with two decimals, as "x.yy" parts. */
static void ratio100(u64 num, u64 den, u64 *whole, u64 *frac)
{
	u64 r = den ? div64_u64(num * 100, den) : 0;

	*whole = r / 100;
	*frac = r % 100;
}

/*
 * The cost of a free: @t stored, then every object freed, in store order
 * (as an exiting process's swap slots go) or in a seeded random order.
 * Only the frees are timed, on one CPU, inside profiling window @nr;
 * under -icount a nanosecond is an instruction, so the result is
 * instructions per free.  Returns 0 when nothing could be stored.
 */
static u64 run_free(struct bench_alloc *a, unsigned int nr,
		    const struct trace *t, bool random, unsigned long *bad)
{
	unsigned long *handles, failed = 0;
	unsigned int *sizes, *order, i, n = 0;
	struct rnd_state rnd;
	u64 t0, ns = 0;

	handles = vcalloc(t->nr, sizeof(*handles));
	sizes = vcalloc(t->nr, sizeof(*sizes));
	order = vcalloc(t->nr, sizeof(*order));
	if (!handles || !sizes || !order || ba_create(a)) {
		(*bad)++;
		goto out_free;
	}
	for (i = 0; i < t->nr; i++) {
		store_one(a, i, t->sizes[i], handles, sizes, &failed);
		if (handles[i])
			order[n++] = i;
	}
	prandom_seed_state(&rnd, seed + 3);
	for (i = n; random && i > 1; i--) {
		/* (swap() would draw twice) */
		unsigned int j = prandom_u32_state(&rnd) % i;

		swap(order[i - 1], order[j]);
	}

	set_cpus_allowed_ptr(current, cpumask_of(raw_smp_processor_id()));
	t0 = ktime_get_ns();
	bench_mark_open(nr);
	for (i = 0; i < n; i++)
		ba_free(a, handles[order[i]]);
	bench_mark_close();
	ns = ktime_get_ns() - t0;
	set_cpus_allowed_ptr(current, cpu_online_mask);

	/* Every page goes back with the last object. */
	if (ba_pages(a))
		(*bad)++;
	*bad += failed;
	ba_destroy(a);
out_free:
	vfree(order);
	vfree(sizes);
	vfree(handles);
	return n ? div_u64(ns, n) : 0;
}

/* run_free() @rounds times each way, interleaved; each keeps its least. */
static void free_rounds(struct bench_alloc *allocs, unsigned int nr,
			const struct trace *t)
{
	u64 seq[MAX_ALLOCS], rnd[MAX_ALLOCS], w1, f1, w2, f2;
	unsigned long bad[MAX_ALLOCS] = {};
	unsigned int k, i;

	for (i = 0; i < nr; i++) {
		seq[i] = U64_MAX;
		rnd[i] = U64_MAX;
	}
	for (k = 0; k < max(rounds, 1U); k++) {
		for (i = 0; i < nr; i++) {
			seq[i] = min(seq[i], run_free(&allocs[i], i, t, false,
						      &bad[i]));
			rnd[i] = min(rnd[i], run_free(&allocs[i], i, t, true,
						      &bad[i]));
		}
	}
	for (i = 0; i < nr; i++) {
		ratio100(seq[i], seq[0], &w1, &f1);
		ratio100(rnd[i], rnd[0], &w2, &f2);
		pr_info("zheap_bench: free a-lzo   %-16s ns/free in store order %6llu (%llu.%02llux)  in random order %6llu (%llu.%02llux) bad %lu\n",
			allocs[i].name, seq[i], w1, f1, rnd[i], w2, f2, bad[i]);
	}
}

/* sort() order for u64s, for every part of the bench. */
int zheap_bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * run_compact() @rounds times (at most COMPACT_MAX_ROUNDS), the allocators
 * interleaved; each keeps its median time.  The counts are the same in
 * every round (same trace, same seed), so the first round's stand; a bad
 * object in any round counts.
 */
static void compact_rounds(struct bench_alloc *allocs, unsigned int nr,
			   const struct trace *t, struct compact_result *res)
{
	unsigned int n = clamp(rounds, 1U, COMPACT_MAX_ROUNDS), k, i;
	u64 ns[MAX_ALLOCS][COMPACT_MAX_ROUNDS];
	struct compact_result r;

	for (k = 0; k < n; k++) {
		for (i = 0; i < nr; i++) {
			run_compact(&allocs[i], i, t, &r);
			ns[i][k] = r.ns;
			if (k)
				res[i].bad += r.bad;
			else
				res[i] = r;
		}
	}
	for (i = 0; i < nr; i++) {
		sort(ns[i], n, sizeof(u64), zheap_bench_cmp_u64, NULL);
		res[i].ns = ns[i][n / 2];
		res[i].ns_min = ns[i][0];
		res[i].ns_max = ns[i][n - 1];
	}
}

static void print_compact(const char *trace, struct bench_alloc *a,
			  const struct compact_result *r,
			  const struct compact_result *ref)
{
	u64 freed = r->before - r->after, rfreed = ref->before - ref->after;
	u64 per = freed ? div64_u64(r->moved * 100, freed) : 0;
	u64 ns = freed ? div64_u64(r->ns, freed) : 0;
	u64 rper = rfreed ? div64_u64(ref->moved * 100, rfreed) : 0;
	u64 rns = rfreed ? div64_u64(ref->ns, rfreed) : 0;
	u64 aw, af, mw, mf, nw, nf;

	ratio100(freed, r->ideal, &aw, &af);
	ratio100(per, rper, &mw, &mf);
	ratio100(ns, rns, &nw, &nf);
	pr_info("zheap_bench: compact %-9s %-16s pages %6llu -> %6llu freed %6llu ideal %6llu (%llu.%02llu) moved %7llu, %llu.%02llu per freed page (%llu.%02llux kernel), %llu ns per freed page (%llu.%02llux kernel; rounds %llu..%llu) bad %lu\n",
		trace, a->name, r->before, r->after, freed, r->ideal, aw, af,
		r->moved, per / 100, per % 100, mw, mf, ns, nw, nf,
		freed ? div64_u64(r->ns_min, freed) : 0,
		freed ? div64_u64(r->ns_max, freed) : 0, r->bad);
}

/*
 * Does compaction stall the pool?  One thread cycles small objects
 * (64..256 bytes: classes compaction does not touch) while a second
 * thread on another CPU either computes without touching the pool, or
 * refragments large objects and compacts them, over and over.  The ratio
 * of the first thread's cycles per second in the two cases is what
 * compaction costs the rest of the pool; a busy neighbour, not an idle
 * one, is the baseline, so that sharing the machine is not counted as a
 * stall.
 */
struct stall_ctx {
	struct bench_alloc *a;
	bool compact;
	bool stop;
	unsigned long bad;
	u64 rate;
	u32 sink;
	struct completion done;
};

static int stall_compactor(void *arg)
{
	struct stall_ctx *c = arg;
	unsigned long *big = vcalloc(RING, sizeof(*big));
	unsigned int i, round = 0;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, seed + 3);
	while (big && !READ_ONCE(c->stop)) {
		if (!c->compact) {
			/* Busy without the pool, and without PAUSE, which TCG
			 * may take as a hint to switch vCPUs.
			 */
			c->sink += crc32_le(round++, pattern, 2 * PAGE_SIZE);
			cond_resched();
			continue;
		}
		for (i = 0; i < RING; i++) {
			size_t size = 1024 + prandom_u32_state(&rnd) % 2048;

			if (!big[i] && !ba_malloc(c->a, size, &big[i]))
				ba_write(c->a, big[i], obj_bytes(i), size);
		}
		for (i = 0; i < RING; i++) {
			if (big[i] && prandom_u32_state(&rnd) & 1) {
				ba_free(c->a, big[i]);
				big[i] = 0;
			}
		}
		if (c->a->backend)
			zheap_compact(c->a->pool);
		else
			zs_compact(c->a->pool);
		cond_resched();
	}
	for (i = 0; big && i < RING; i++)
		if (big[i])
			ba_free(c->a, big[i]);
	vfree(big);
	complete(&c->done);
	return 0;
}

static int stall_cycler(void *arg)
{
	struct stall_ctx *c = arg;
	unsigned long ring[64] = {};
	u64 t0 = ktime_get_ns();
	unsigned int i;
	u8 buf[256];

	/* A ring keeps the small classes populated, as in a real pool. */
	for (i = 0; i < ops; i++) {
		unsigned int slot = i % ARRAY_SIZE(ring);
		size_t size = 64 + (i * 37) % 193;

		if (ring[slot])
			ba_free(c->a, ring[slot]);
		ring[slot] = 0;
		if (ba_malloc(c->a, size, &ring[slot])) {
			ring[slot] = 0;
			c->bad++;
			continue;
		}
		ba_write(c->a, ring[slot], obj_bytes(i), size);
		ba_read(c->a, ring[slot], buf, size);
		if (memcmp(buf, obj_bytes(i), size))
			c->bad++;
		if (!(i & 255))
			cond_resched();
	}
	c->rate = div64_u64((u64)ops * NSEC_PER_SEC, ktime_get_ns() - t0 ?: 1);
	for (i = 0; i < ARRAY_SIZE(ring); i++)
		if (ring[i])
			ba_free(c->a, ring[i]);
	WRITE_ONCE(c->stop, true);
	complete(&c->done);
	return 0;
}

/* Small-object cycles per second with the other CPU spinning or compacting. */
static u64 run_stall(struct bench_alloc *a, bool compact, unsigned long *bad)
{
	struct stall_ctx c = { .a = a, .compact = compact };
	struct task_struct *comp, *cyc;

	if (num_online_cpus() < 2 || ba_create(a))
		return 0;
	init_completion(&c.done);
	comp = kthread_create(stall_compactor, &c, "zheap_bench/c");
	if (IS_ERR(comp))
		goto out;
	kthread_bind(comp, 1);
	wake_up_process(comp);
	cyc = kthread_create(stall_cycler, &c, "zheap_bench/s");
	if (IS_ERR(cyc)) {
		WRITE_ONCE(c.stop, true);
	} else {
		/* The cycler signals c.done too: wait for both. */
		kthread_bind(cyc, 0);
		wake_up_process(cyc);
		wait_for_completion(&c.done);
	}
	wait_for_completion(&c.done);
	*bad += c.bad;
out:
	ba_destroy(a);
	return c.rate;
}

static unsigned int setup_allocs(struct bench_alloc *allocs)
{
	char *list = kstrdup(backends, GFP_KERNEL), *p = list, *name;
	unsigned int n = 0;

	strscpy(allocs[n++].name, "kernel-zsmalloc", sizeof(allocs[0].name));
	while (list && (name = strsep(&p, ",")) && n < MAX_ALLOCS) {
		if (!*name)
			continue;
		snprintf(allocs[n].name, sizeof(allocs[n].name), "zheap-%s",
			 name);
		allocs[n].backend = kstrdup(name, GFP_KERNEL);
		n++;
	}
	kfree(list);
	return n;
}

static void print_fill(const char *trace, struct bench_alloc *a,
		       const struct fill_result *r)
{
	u64 pool = r->pages * PAGE_SIZE;
	u64 milli = pool ? div64_u64(r->stored * 1000, pool) : 0;

	pr_info("zheap_bench: %-9s %-16s objects %7u pages %7llu efficiency %llu.%03llu meta/obj %s%llu bad %lu failed %lu\n",
		trace, a->name, objects - (unsigned int)r->failed, r->pages,
		milli / 1000, milli % 1000, r->meta_exact ? "" : ">=", r->meta,
		r->bad, r->failed);
}

static int __init zheap_bench_init(void)
{
	struct trace traces[3] = {
		{ .name = "a-lzo" }, { .name = "a-lz4" }, { .name = "b-uniform" },
	};
	struct bench_alloc allocs[MAX_ALLOCS] = {};
	struct compact_result cres[MAX_ALLOCS];
	u64 best1[MAX_ALLOCS] = {}, best2[MAX_ALLOCS] = {};
	unsigned long bad[MAX_ALLOCS] = {};
	unsigned int nr_allocs, i, k, cpus = num_online_cpus();
	struct fill_result r;
	struct rnd_state rnd;
	u64 ref1 = 0, ref2 = 0;
	size_t len;
	u8 *buf;
	int err = -ENOMEM;

	pattern = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	if (!pattern)
		return -ENOMEM;
	kzs_build();
	prandom_seed_state(&rnd, seed);
	prandom_bytes_state(&rnd, pattern, 2 * PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(traces); i++) {
		traces[i].nr = objects;
		traces[i].sizes = vmalloc_array(objects, sizeof(u16));
		if (!traces[i].sizes)
			goto out;
	}
	for (i = 0; i < objects; i++)
		traces[2].sizes[i] = 1 + prandom_u32_state(&rnd) % PAGE_SIZE;

	pr_info("zheap_bench: kernel %s seed %lu cpus %u objects %u ops %u\n",
		init_utsname()->release, seed, cpus, objects, ops);
	len = load_data(data, &buf);
	err = -ENODATA;
	if (!len ||
	    trace_from_data(&traces[0], "lzo", buf, len) ||
	    trace_from_data(&traces[1], "lz4", buf, len)) {
		vfree(buf);
		pr_err("zheap_bench: no data for trace a (data=%s)\n", data);
		goto out;
	}
	vfree(buf);

	nr_allocs = setup_allocs(allocs);
	if (only_free) {
		free_rounds(allocs, nr_allocs, &traces[0]);
		goto done;
	}
	if (only_compact)
		goto compact;
	for (k = 0; k < ARRAY_SIZE(traces); k++)
		for (i = 0; i < nr_allocs; i++) {
			run_fill(&allocs[i], &traces[k], NULL, &r);
			print_fill(traces[k].name, &allocs[i], &r);
		}
	/* c-churn: a-lzo, half refilled with the a-lz4 sizes of each slot */
	for (i = 0; i < nr_allocs; i++) {
		run_fill(&allocs[i], &traces[0], &traces[1], &r);
		print_fill("c-churn", &allocs[i], &r);
	}

	/*
	 * Rounds interleave the allocators so drift in a shared, noisy
	 * machine hits them alike; each keeps its best round.
	 */
	for (k = 0; k < rounds; k++)
		for (i = 0; i < nr_allocs; i++) {
			best1[i] = max(best1[i], run_ops(&allocs[i], &traces[0],
							 1, &bad[i]));
			best2[i] = max(best2[i], run_ops(&allocs[i], &traces[0],
							 cpus, &bad[i]));
		}
	ref1 = best1[0] ?: 1;
	ref2 = best2[0] ?: 1;
	for (i = 0; i < nr_allocs; i++) {
		u64 one = best1[i], all = best2[i];

		pr_info("zheap_bench: ops a-lzo    %-16s 1 thread %8llu/s (%llu.%02llux)  %u threads %8llu/s (%llu.%02llux) bad %lu\n",
			allocs[i].name, one, div64_u64(one * 100, ref1) / 100,
			div64_u64(one * 100, ref1) % 100, cpus, all,
			div64_u64(all * 100, ref2) / 100,
			div64_u64(all * 100, ref2) % 100, bad[i]);
	}
	free_rounds(allocs, nr_allocs, &traces[0]);
compact:
	compact_rounds(allocs, nr_allocs, &traces[0], cres);
	for (i = 0; i < nr_allocs; i++)
		print_compact("a-lzo", &allocs[i], &cres[i], &cres[0]);
	if (only_compact)
		goto done;
	for (i = 0; i < nr_allocs; i++) {
		unsigned long sbad = 0;
		u64 spin = run_stall(&allocs[i], false, &sbad);
		u64 comp = run_stall(&allocs[i], true, &sbad);
		u64 w, f;

		ratio100(comp, spin, &w, &f);
		pr_info("zheap_bench: stall %-16s small-object cycles/s: other CPU busy %8llu, compacting %8llu (%llu.%02llux) bad %lu\n",
			allocs[i].name, spin, comp, w, f, sbad);
	}
	/* The object LRU exists only in zheap: no kernel column. */
	for (i = 1; i < nr_allocs; i++) {
		long lbad = zheap_bench_lru(allocs[i].backend, traces[0].sizes,
					    min(objects, 20000U), seed);

		if (lbad < 0)
			pr_info("zheap_bench: lru %-16s failed 1 (error %ld)\n",
				allocs[i].name, lbad);
	}
done:
	pr_info("zheap_bench: done\n");
	err = 0;
	for (i = 1; i < nr_allocs; i++)
		kfree(allocs[i].backend);
out:
	for (i = 0; i < ARRAY_SIZE(traces); i++)
		vfree(traces[i].sizes);
	kfree(pattern);
	return err;
}

static void __exit zheap_bench_exit(void)
{
}

module_init(zheap_bench_init);
module_exit(zheap_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zheap allocator benchmark against the kernel's zsmalloc");
