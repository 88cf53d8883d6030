// SPDX-License-Identifier: GPL-2.0
/*
 * zheap compaction stress run, loaded in the QEMU guest.
 *
 * Fills a pool on one backend with objects of seeded random sizes, each
 * holding a pattern that depends on its index and generation, frees a
 * random half, then for zheap_stress.seconds runs at once:
 *
 *  - two readers that read or map every stable object (index % 4 != 0)
 *    over and over and count wrong bytes;
 *  - two churners, one bound to each of the first two CPUs, that free
 *    and reallocate the other objects (index % 4 == 0), checking each
 *    before it frees it; each claims an object (a bit) before it touches
 *    it, so that what one CPU stored the other frees: the frees give
 *    slots back to the other CPU's handle shard without its lock while
 *    that CPU takes slots from it under the lock;
 *  - the compactor: zheap_compact() every 20 ms;
 *  - and, from the guest's shell, the kernel's compaction
 *    (/proc/sys/vm/compact_memory), which moves zheap pages through the
 *    migration layer.
 *
 * Afterwards it checks every live object, compares the pool's counters
 * with a walk of the live objects, runs one more compaction on the quiet
 * pool and checks that it frees what the backend's arithmetic says.  The
 * module loads (returns 0) only if all of that holds; it prints one
 * "zheap_stress: RESULT" line either way.
 */

#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <zheap.h>

#include "stress_util.h"
#include "../../tests/zheap_pattern.h"

static char *backend = "zsmalloc";
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend, "zheap backend to stress");

static unsigned int objects = 40000;
module_param(objects, uint, 0444);
MODULE_PARM_DESC(objects, "objects to fill the pool with");

static unsigned int seconds = 8;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long readers, churn and compaction run");

static unsigned long seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "PRNG seed");

#define NR_READERS	2
#define NR_CHURNERS	2

struct sobj {
	unsigned long handle;	/* 0: not live */
	u16 size;
	u16 gen;
};

static struct zheap_pool *pool;
static struct sobj *objs;
static unsigned long *claimed;	/* churners: bit i, object i is taken */
static bool stop;
static atomic_long_t corrupt = ATOMIC_LONG_INIT(0);
static atomic_long_t reads = ATOMIC_LONG_INIT(0);
static atomic_long_t churned = ATOMIC_LONG_INIT(0);
static atomic_long_t errors = ATOMIC_LONG_INIT(0);

static void fill(u8 *buf, unsigned int i, const struct sobj *o)
{
	zheap_pattern_fill(buf, 0, o->size, i, o->gen);
}

static unsigned long mismatch(const u8 *buf, unsigned int i,
			      const struct sobj *o)
{
	return zheap_pattern_mismatch(buf, 0, o->size, i, o->gen);
}

static int store(unsigned int i, struct rnd_state *rnd, u8 *buf)
{
	struct sobj *o = &objs[i];
	unsigned long h;
	int err;

	o->size = stress_pick_size(rnd, 16);
	o->gen++;
	err = zheap_malloc(pool, o->size, GFP_KERNEL, &h);
	if (err)
		return err;
	fill(buf, i, o);
	err = zheap_write_object(pool, h, buf, o->size);
	if (err) {
		zheap_free(pool, h);
		return err;
	}
	WRITE_ONCE(o->handle, h);
	return 0;
}

static int reader(void *arg)
{
	unsigned long nr = (unsigned long)arg;
	u8 *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	while (buf && !READ_ONCE(stop)) {
		for (i = nr + 1; i < objects && !READ_ONCE(stop); i++) {
			struct sobj *o = &objs[i];

			if (!(i % 64))
				cond_resched();
			if (!(i % 4) || !o->handle)
				continue;
			if (i & 1) {
				u8 *p = zheap_map_object(pool, o->handle,
							 ZHEAP_MAP_RO);

				atomic_long_add(p ? mismatch(p, i, o) : o->size,
						&corrupt);
				zheap_unmap_object(pool, o->handle);
			} else if (zheap_read_object(pool, o->handle, buf,
						     o->size)) {
				atomic_long_inc(&errors);
			} else {
				atomic_long_add(mismatch(buf, i, o), &corrupt);
			}
			atomic_long_inc(&reads);
		}
	}
	kfree(buf);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int churner(void *arg)
{
	u8 *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	struct rnd_state rnd;

	prandom_seed_state(&rnd, seed + 1 + (unsigned long)arg);
	while (buf && !READ_ONCE(stop)) {
		unsigned int i = (prandom_u32_state(&rnd) % (objects / 4)) * 4;
		struct sobj *o = &objs[i];

		/* The other churner has it: pick again. */
		if (test_and_set_bit_lock(i, claimed)) {
			cond_resched();
			continue;
		}
		if (o->handle) {
			if (zheap_read_object(pool, o->handle, buf, o->size))
				atomic_long_inc(&errors);
			else
				atomic_long_add(mismatch(buf, i, o), &corrupt);
			if (zheap_free(pool, o->handle))
				atomic_long_inc(&errors);
			WRITE_ONCE(o->handle, 0);
		} else if (store(i, &rnd, buf)) {
			atomic_long_inc(&errors);
		}
		clear_bit_unlock(i, claimed);
		atomic_long_inc(&churned);
		cond_resched();
	}
	kfree(buf);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

/* Check every live object; compare the counters with the walk. */
static bool walk(u8 *buf, const char *when)
{
	unsigned long live = 0, bad = 0;
	struct zheap_stats s;
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < objects; i++) {
		struct sobj *o = &objs[i];

		if (!o->handle)
			continue;
		live++;
		bytes += o->size;
		if (zheap_read_object(pool, o->handle, buf, o->size))
			bad += o->size;
		else
			bad += mismatch(buf, i, o);
		if (!(i % 1024))
			cond_resched();
	}
	zheap_pool_stats(pool, &s);
	pr_info("zheap_stress: check %s: live %lu stored_bytes %llu corrupted_bytes %lu; counters: objects %llu stored_bytes %llu handle_slots %llu pool_pages %llu\n",
		when, live, bytes, bad, s.objects, s.stored_bytes,
		s.handle_slots, s.pool_pages);
	atomic_long_add(bad, &corrupt);
	return !bad && s.objects == live && s.handle_slots == live &&
	       s.stored_bytes == bytes;
}

static void print_stats(const char *when)
{
	struct zheap_stats s;

	zheap_pool_stats(pool, &s);
	pr_info("zheap_stress: %s: pool_pages %llu pages_migrated %llu migrate_busy %llu isolate_refused %llu compactions %llu pages_compacted %llu objects_moved %llu compact_busy %llu busy_frees %llu bad_handles %llu frees %llu lockless_frees %llu\n",
		when, s.pool_pages, s.pages_migrated, s.migrate_busy,
		s.isolate_refused, s.compactions, s.pages_compacted,
		s.objects_moved, s.compact_busy, s.busy_frees,
		s.bad_handles, s.frees, s.lockless_frees);
}

static int run(u8 *buf)
{
	struct task_struct *tasks[NR_READERS + NR_CHURNERS];
	unsigned long end, ideal, freed, i;
	struct rnd_state rnd;
	bool ok;

	prandom_seed_state(&rnd, seed);
	for (i = 0; i < objects; i++)
		if (store(i, &rnd, buf))
			return -ENOMEM;
	for (i = 0; i < objects; i++) {
		if (prandom_u32_state(&rnd) & 1) {
			zheap_free(pool, objs[i].handle);
			objs[i].handle = 0;
		}
	}
	print_stats("fragmented");

	for (i = 0; i < NR_READERS; i++)
		tasks[i] = kthread_run(reader, (void *)i, "zheap-stress-r%lu", i);
	for (i = 0; i < NR_CHURNERS; i++) {
		unsigned int cpu = cpumask_nth(i % num_online_cpus(),
					       cpu_online_mask);

		tasks[NR_READERS + i] = kthread_create(churner, (void *)i,
						       "zheap-stress-churn%lu",
						       i);
		if (IS_ERR(tasks[NR_READERS + i]))
			continue;
		kthread_bind(tasks[NR_READERS + i], cpu);
		wake_up_process(tasks[NR_READERS + i]);
	}
	end = jiffies + seconds * HZ;
	while (time_before(jiffies, end)) {
		zheap_compact(pool);
		msleep(20);
	}
	WRITE_ONCE(stop, true);
	for (i = 0; i < NR_READERS + NR_CHURNERS; i++)
		if (!IS_ERR(tasks[i]))
			kthread_stop(tasks[i]);
	print_stats("after the stress");
	pr_info("zheap_stress: reads %ld churned %ld errors %ld corrupted_bytes %ld\n",
		atomic_long_read(&reads), atomic_long_read(&churned),
		atomic_long_read(&errors), atomic_long_read(&corrupt));

	ok = walk(buf, "after the stress");
	ideal = zheap_compactable_pages(pool);
	freed = zheap_compact(pool);
	pr_info("zheap_stress: quiet compaction: freed %lu of ideal %lu, left compactable %lu\n",
		freed, ideal, zheap_compactable_pages(pool));
	ok &= walk(buf, "after a quiet compaction");
	ok &= freed == ideal && !zheap_compactable_pages(pool);
	ok &= !atomic_long_read(&errors) && !atomic_long_read(&corrupt);
	return ok ? 0 : -EIO;
}

static int __init zheap_stress_init(void)
{
	unsigned int i;
	u8 *buf;
	int err;

	if (objects < 8)
		return -EINVAL;
	objs = vzalloc(array_size(objects, sizeof(*objs)));
	claimed = bitmap_zalloc(objects, GFP_KERNEL);
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!objs || !claimed || !buf) {
		err = -ENOMEM;
		goto out_free;
	}
	pool = zheap_pool_create("zheap_stress", backend);
	if (IS_ERR(pool)) {
		err = PTR_ERR(pool);
		goto out_free;
	}
	pr_info("zheap_stress: backend %s objects %u seconds %u seed %lu\n",
		backend, objects, seconds, seed);
	err = run(buf);
	pr_info("zheap_stress: RESULT %s backend %s corrupted_bytes %ld errors %ld\n",
		err ? "FAIL" : "PASS", backend, atomic_long_read(&corrupt),
		atomic_long_read(&errors));
	for (i = 0; i < objects; i++)
		if (objs[i].handle)
			zheap_free(pool, objs[i].handle);
	zheap_pool_destroy(pool);
out_free:
	kfree(buf);
	bitmap_free(claimed);
	vfree(objs);
	return err;
}

static void __exit zheap_stress_exit(void)
{
}

module_init(zheap_stress_init);
module_exit(zheap_stress_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zheap compaction and migration stress run");
