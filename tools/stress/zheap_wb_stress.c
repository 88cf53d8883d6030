// SPDX-License-Identifier: GPL-2.0
/*
 * zheap writeback stress run, loaded in the QEMU guest.
 *
 * A test consumer on a pool with an LRU (zheap_wb_stress.policy: second-chance,
 * the default, exact or epoch) whose lower
 * tier is a real block device: object i is written back to the 4 KiB
 * block i of zheap_wb_stress.dev (a virtio disk in the guest).  While a
 * writeback thread calls zheap_shrink() until zheap_wb_stress.target
 * objects have gone to the disk, at once:
 *
 *  - two readers read or map every object still in the pool, over and over;
 *  - a churner frees objects (from the pool or the disk) and stores new
 *    ones, which join the LRU;
 *  - the compactor runs zheap_compact() every 20 ms, and the guest's shell
 *    runs the kernel's compaction.
 *
 * The consumer keeps each object's state under a mutex of its own, which
 * its writeback callback only tries (a busy object is answered -EAGAIN,
 * so zheap's retry path runs too).  Afterwards the disk is synced, its
 * page cache dropped, and every object is read back from wherever it is:
 * the pool or the disk.  The run passes only with 0 lost or corrupted
 * objects, counters equal to a walk, and at least @target objects written
 * back.
 *
 * With zheap_wb_stress.memcg_a and memcg_b (cgroup paths, for example
 * /zheap-a), it first runs the memcg case: objects charged to two memcgs,
 * zheap_shrink_memcg() on one of them must write back only that memcg's
 * objects.  The module stays loaded then, holding the memcg b objects;
 * after the shell removes memcg b, writing 1 to the parameter finish
 * writes back every object left (now on the parent's list) and checks
 * them.  It prints one "zheap_wb_stress: RESULT" line for each part.
 *
 * With zheap_wb_stress.hold=1 it only fills the pool and stays loaded;
 * the shell then puts the guest under memory pressure, and writing 1 to
 * finish checks that the pool's shrinker (nothing else writes back in
 * this mode) wrote objects back, and reads every object back.
 */

#include <linux/blkdev.h>
#include <linux/cgroup.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <zheap.h>

#include "stress_util.h"
#include "../../tests/zheap_pattern.h"

static char *backend = "zsmalloc";
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend, "zheap backend");

/* No default: the module writes to this device, so someone must name it. */
static char *dev;
module_param(dev, charp, 0444);
MODULE_PARM_DESC(dev, "block device the lower tier writes to (required)");

static unsigned int objects = 12000;
module_param(objects, uint, 0444);
MODULE_PARM_DESC(objects, "objects (the device needs 4 KiB each)");

static unsigned int target = 10000;
module_param(target, uint, 0444);
MODULE_PARM_DESC(target, "objects to write back before stopping");

static unsigned int seconds = 60;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "give up after this long");

static unsigned long seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "PRNG seed");

static char *memcg_a;
module_param(memcg_a, charp, 0444);
MODULE_PARM_DESC(memcg_a, "cgroup path: run the memcg case with this memcg");

static char *memcg_b;
module_param(memcg_b, charp, 0444);
MODULE_PARM_DESC(memcg_b, "cgroup path of the memcg case's other memcg");

static char *policy = "second-chance";
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy, "LRU policy: second-chance, exact or epoch");

static bool hold;
module_param(hold, bool, 0444);
MODULE_PARM_DESC(hold, "fill, stay loaded; finish checks the shrinker's work");

#define NR_READERS	2
#define HDR		8	/* index and generation lead every object */

enum { EMPTY, IN_POOL, ON_DISK };

struct wobj {
	struct mutex lock;	/* protects: the fields below */
	unsigned long handle;	/* IN_POOL: the object */
	u16 size;
	u16 gen;
	u8 state;
};

static struct zheap_pool *pool;
static struct wobj *objs;
/*
 * The disk is opened O_DIRECT: writeback may run in reclaim (kswapd),
 * where filling the disk's page cache would allocate, and reads then come
 * from the device, not from a cache.  Transfers are whole blocks through
 * @wbuf, which zheap's per-pool writeback serialisation protects.
 */
static struct file *disk;
static u8 *wbuf;
static atomic_long_t wb_nomem = ATOMIC_LONG_INIT(0);
static bool stop;
static atomic_long_t corrupt = ATOMIC_LONG_INIT(0);
static atomic_long_t errors = ATOMIC_LONG_INIT(0);
static atomic_long_t reads = ATOMIC_LONG_INIT(0);
static atomic_long_t churned = ATOMIC_LONG_INIT(0);
static atomic_long_t on_disk = ATOMIC_LONG_INIT(0);
static atomic_long_t wb_busy = ATOMIC_LONG_INIT(0);
static atomic_long_t wb_stale = ATOMIC_LONG_INIT(0);

static void fill(u8 *buf, unsigned int i, const struct wobj *o)
{
	put_unaligned(i, (u32 *)buf);
	put_unaligned(o->gen, (u32 *)(buf + 4));
	zheap_pattern_fill(buf, HDR, o->size, i, o->gen);
}

static unsigned long mismatch(const u8 *buf, unsigned int i,
			      const struct wobj *o)
{
	if (get_unaligned((u32 *)buf) != i ||
	    get_unaligned((u32 *)(buf + 4)) != o->gen)
		return o->size;
	return zheap_pattern_mismatch(buf, HDR, o->size, i, o->gen);
}

/* Store object @i in the pool and offer it for writeback; o->lock held. */
static int store(unsigned int i, struct rnd_state *rnd, u8 *buf,
		 struct mem_cgroup *memcg)
{
	struct wobj *o = &objs[i];
	unsigned long h;
	int err;

	o->size = stress_pick_size(rnd, HDR + 16);
	o->gen++;
	err = zheap_malloc_memcg(pool, o->size, GFP_KERNEL, memcg, &h);
	if (err)
		return err;
	fill(buf, i, o);
	err = zheap_write_object(pool, h, buf, o->size);
	if (!err)
		err = zheap_lru_add(pool, h);
	if (err) {
		zheap_free(pool, h);
		return err;
	}
	o->handle = h;
	o->state = IN_POOL;
	return 0;
}

/* The lower tier: object i goes to block i of the disk. */
static int wb_stress_writeback(struct zheap_pool *p, unsigned long handle,
			       const void *data, size_t len, void *arg)
{
	unsigned int i = get_unaligned((const u32 *)data);
	loff_t pos = (loff_t)i * PAGE_SIZE;
	struct wobj *o;
	ssize_t done;

	if (i >= objects) {
		atomic_long_inc(&corrupt);
		return -EINVAL;
	}
	o = &objs[i];
	if (!mutex_trylock(&o->lock)) {
		atomic_long_inc(&wb_busy);
		return -EAGAIN;
	}
	/* The churner freed it (zheap frees it after we return). */
	if (o->state != IN_POOL || o->handle != handle) {
		atomic_long_inc(&wb_stale);
		mutex_unlock(&o->lock);
		return -ENOENT;
	}
	atomic_long_add(mismatch(data, i, o), &corrupt);
	memcpy(wbuf, data, len);
	memset(wbuf + len, 0, PAGE_SIZE - len);
	done = kernel_write(disk, wbuf, PAGE_SIZE, &pos);
	if (done != PAGE_SIZE) {
		/* Short of memory in reclaim: keep it, as a real tier would. */
		if (done == -ENOMEM)
			atomic_long_inc(&wb_nomem);
		else
			atomic_long_inc(&errors);
		mutex_unlock(&o->lock);
		return done < 0 ? done : -EIO;
	}
	o->state = ON_DISK;
	o->handle = 0;
	atomic_long_inc(&on_disk);
	mutex_unlock(&o->lock);
	return 0;
}

static int reader(void *arg)
{
	unsigned long nr = (unsigned long)arg;
	u8 *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	while (buf && !READ_ONCE(stop)) {
		for (i = nr; i < objects && !READ_ONCE(stop); i++) {
			struct wobj *o = &objs[i];

			if (!(i % 64))
				cond_resched();
			mutex_lock(&o->lock);
			if (o->state != IN_POOL) {
				mutex_unlock(&o->lock);
				continue;
			}
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
			mutex_unlock(&o->lock);
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

	prandom_seed_state(&rnd, seed + 1);
	while (buf && !READ_ONCE(stop)) {
		unsigned int i = prandom_u32_state(&rnd) % objects;
		struct wobj *o = &objs[i];

		mutex_lock(&o->lock);
		if (o->state == IN_POOL) {
			if (zheap_read_object(pool, o->handle, buf, o->size))
				atomic_long_inc(&errors);
			else
				atomic_long_add(mismatch(buf, i, o), &corrupt);
			if (zheap_free(pool, o->handle))
				atomic_long_inc(&errors);
			o->handle = 0;
			o->state = EMPTY;
		} else if (o->state == ON_DISK) {
			/* Forgetting a disk block is the lower tier's free. */
			o->state = EMPTY;
		} else if (store(i, &rnd, buf, NULL)) {
			atomic_long_inc(&errors);
		}
		mutex_unlock(&o->lock);
		atomic_long_inc(&churned);
		usleep_range(50, 100);
	}
	kfree(buf);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

/* Sync the disk and drop its page cache, so reads come from the device. */
static void disk_flush(void)
{
	struct address_space *mapping = disk->f_mapping;

	if (vfs_fsync(disk, 0))
		atomic_long_inc(&errors);
	invalidate_mapping_pages(mapping, 0, -1);
	pr_info("zheap_wb_stress: disk synced; %lu pages left in its cache\n",
		mapping->nrpages);
}

/* Every object, from the pool or the disk; counters against the walk. */
static bool walk(u8 *buf, const char *when)
{
	unsigned long live = 0, disk_objs = 0, lost = 0, bad = 0;
	struct zheap_stats s;
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < objects; i++) {
		struct wobj *o = &objs[i];
		loff_t pos = (loff_t)i * PAGE_SIZE;
		unsigned long wrong;

		if (o->state == IN_POOL) {
			live++;
			bytes += o->size;
			if (zheap_read_object(pool, o->handle, buf, o->size))
				wrong = o->size;
			else
				wrong = mismatch(buf, i, o);
		} else if (o->state == ON_DISK) {
			disk_objs++;
			if (kernel_read(disk, buf, PAGE_SIZE, &pos) != PAGE_SIZE)
				wrong = o->size;
			else
				wrong = mismatch(buf, i, o);
		} else {
			continue;
		}
		bad += wrong;
		lost += !!wrong;
		if (!(i % 256))
			cond_resched();
	}
	zheap_pool_stats(pool, &s);
	pr_info("zheap_wb_stress: check %s: in pool %lu on disk %lu lost %lu corrupted_bytes %lu; counters: objects %llu stored_bytes %llu (counted %llu) handle_slots %llu lru_objects %llu\n",
		when, live, disk_objs, lost, bad, s.objects, s.stored_bytes,
		bytes, s.handle_slots, s.lru_objects);
	atomic_long_add(bad, &corrupt);
	return !bad && s.objects == live && s.handle_slots == live &&
	       s.stored_bytes == bytes && s.lru_objects == live;
}

static void print_stats(const char *when)
{
	struct zheap_stats s;

	zheap_pool_stats(pool, &s);
	pr_info("zheap_wb_stress: %s: pool_pages %llu written_back %llu wb_refused %llu wb_retries %llu wb_busy %llu wb_rotated %llu wb_freed %llu lru_promoted %llu lru_epochs %llu pages_migrated %llu pages_compacted %llu lru_bytes %llu handle_slots %llu\n",
		when, s.pool_pages, s.written_back, s.wb_refused, s.wb_retries,
		s.wb_busy, s.wb_rotated, s.wb_freed, s.lru_promoted,
		s.lru_epochs, s.pages_migrated, s.pages_compacted, s.lru_bytes,
		s.handle_slots);
}

static int stress(u8 *buf)
{
	struct task_struct *tasks[NR_READERS + 1];
	unsigned long end, written = 0, i;
	struct rnd_state rnd;
	struct zheap_stats s;
	bool ok;

	prandom_seed_state(&rnd, seed);
	for (i = 0; i < objects; i++) {
		mutex_lock(&objs[i].lock);
		if (store(i, &rnd, buf, NULL))
			atomic_long_inc(&errors);
		mutex_unlock(&objs[i].lock);
	}
	print_stats("filled");

	for (i = 0; i < NR_READERS; i++)
		tasks[i] = kthread_run(reader, (void *)i, "zheap-wbs-r%lu", i);
	tasks[NR_READERS] = kthread_run(churner, NULL, "zheap-wbs-churn");
	end = jiffies + seconds * HZ;
	while (written < target && time_before(jiffies, end)) {
		written += zheap_shrink(pool, 64);
		zheap_compact(pool);
		msleep(20);
	}
	WRITE_ONCE(stop, true);
	for (i = 0; i <= NR_READERS; i++)
		if (!IS_ERR(tasks[i]))
			kthread_stop(tasks[i]);
	print_stats("after the run");
	pr_info("zheap_wb_stress: written back %lu (target %u) reads %ld churned %ld consumer_busy %ld stale %ld errors %ld corrupted_bytes %ld\n",
		written, target, atomic_long_read(&reads),
		atomic_long_read(&churned), atomic_long_read(&wb_busy),
		atomic_long_read(&wb_stale), atomic_long_read(&errors),
		atomic_long_read(&corrupt));

	disk_flush();
	ok = walk(buf, "after the run");
	zheap_pool_stats(pool, &s);
	ok &= written >= target && s.written_back == written;
	ok &= !atomic_long_read(&errors) && !atomic_long_read(&corrupt);
	return ok ? 0 : -EIO;
}

/* The memcg of cgroup @path, referenced; NULL if there is none. */
static struct mem_cgroup *memcg_get(const char *path)
{
	struct cgroup_subsys_state *css;
	struct cgroup *cgrp;

	cgrp = cgroup_get_from_path(path);
	if (IS_ERR(cgrp))
		return NULL;
	css = cgroup_get_e_css(cgrp, &memory_cgrp_subsys);
	cgroup_put(cgrp);
	return css ? mem_cgroup_from_css(css) : NULL;
}

static struct mem_cgroup *mcg_a, *mcg_b;
static unsigned int memcg_objs;
static unsigned long b_left;

/* Part one: objects of two memcgs, shrink one. */
static int memcg_case(u8 *buf)
{
	unsigned long in_a, in_b, written;
	struct rnd_state rnd;
	unsigned int i;
	bool ok;

	mcg_a = memcg_get(memcg_a);
	mcg_b = memcg_get(memcg_b);
	if (!mcg_a || !mcg_b) {
		pr_err("zheap_wb_stress: no memcg at %s or %s\n", memcg_a,
		       memcg_b);
		return -ENOENT;
	}
	memcg_objs = objects;
	prandom_seed_state(&rnd, seed);
	for (i = 0; i < objects; i++) {
		mutex_lock(&objs[i].lock);
		if (store(i, &rnd, buf, i & 1 ? mcg_b : mcg_a))
			atomic_long_inc(&errors);
		mutex_unlock(&objs[i].lock);
	}
	in_a = zheap_lru_count_memcg(pool, mcg_a);
	in_b = zheap_lru_count_memcg(pool, mcg_b);
	written = zheap_shrink_memcg(pool, mcg_a, objects / 4);
	pr_info("zheap_wb_stress: memcg: lru a %lu b %lu root %lu; shrink a %u: wrote %lu, now a %lu b %lu\n",
		in_a, in_b, zheap_lru_count_memcg(pool, NULL), objects / 4,
		written, zheap_lru_count_memcg(pool, mcg_a),
		zheap_lru_count_memcg(pool, mcg_b));
	ok = in_a == objects / 2 && in_b == objects / 2 &&
	     written == objects / 4 &&
	     zheap_lru_count_memcg(pool, mcg_a) == in_a - written &&
	     zheap_lru_count_memcg(pool, mcg_b) == in_b;
	for (i = 0; i < objects; i++)
		if (objs[i].state == ON_DISK && (i & 1))
			ok = false;
	b_left = zheap_lru_count_memcg(pool, mcg_b);
	disk_flush();
	ok &= walk(buf, "memcg part one");
	ok &= !atomic_long_read(&errors) && !atomic_long_read(&corrupt);
	pr_info("zheap_wb_stress: RESULT %s memcg_shrink backend %s\n",
		ok ? "PASS" : "FAIL", backend);
	return ok ? 0 : -EIO;
}

static void teardown(void)
{
	unsigned int i;

	if (!pool)
		return;
	for (i = 0; i < objects; i++)
		if (objs[i].state == IN_POOL)
			zheap_free(pool, objs[i].handle);
	zheap_pool_destroy(pool);
	pool = NULL;
	if (mcg_a)
		css_put(&mcg_a->css);
	if (mcg_b)
		css_put(&mcg_b->css);
	filp_close(disk, NULL);
	kfree(wbuf);
	vfree(objs);
}

/* Hold mode: under memory pressure, the shrinker wrote objects back. */
static int finish_hold(u8 *buf)
{
	struct zheap_stats s;
	bool ok;

	zheap_pool_stats(pool, &s);
	pr_info("zheap_wb_stress: after memory pressure: shrinker wrote back %llu of %u (rotated %llu, busy %llu)\n",
		s.written_back, objects, s.wb_rotated, s.wb_busy);
	disk_flush();
	ok = walk(buf, "after memory pressure") && s.written_back > 0 &&
	     atomic_long_read(&on_disk) == s.written_back &&
	     !atomic_long_read(&errors) && !atomic_long_read(&corrupt);
	pr_info("zheap_wb_stress: RESULT %s shrinker backend %s on_disk %ld errors %ld corrupted_bytes %ld tier_nomem %ld\n",
		ok ? "PASS" : "FAIL", backend, atomic_long_read(&on_disk),
		atomic_long_read(&errors), atomic_long_read(&corrupt),
		atomic_long_read(&wb_nomem));
	return 0;
}

/* Part two, once memcg b is gone: everything left goes to the disk. */
static int finish_set(const char *val, const struct kernel_param *kp)
{
	unsigned long written, root = 0;
	unsigned int tries;
	u8 *buf;
	bool ok;

	if (!memcg_objs)
		return -EINVAL;
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (hold) {
		finish_hold(buf);
		kfree(buf);
		memcg_objs = 0;
		return 0;
	}
	/* Offlining is asynchronous: wait for b's list to reach the root. */
	for (tries = 0; tries < 100; tries++) {
		root = zheap_lru_count_memcg(pool, NULL);
		if (root == b_left)
			break;
		msleep(100);
	}
	pr_info("zheap_wb_stress: memcg b removed: its %lu objects now on the root's list: %lu\n",
		b_left, root);
	written = zheap_shrink(pool, memcg_objs);
	pr_info("zheap_wb_stress: memcg b removed: wrote %lu, lru now %lu\n",
		written, zheap_lru_count(pool));
	disk_flush();
	ok = walk(buf, "memcg part two") && !zheap_lru_count(pool) &&
	     root == b_left &&
	     !atomic_long_read(&errors) && !atomic_long_read(&corrupt);
	pr_info("zheap_wb_stress: RESULT %s memcg_reparent backend %s\n",
		ok ? "PASS" : "FAIL", backend);
	kfree(buf);
	memcg_objs = 0;
	return 0;
}

static const struct kernel_param_ops finish_ops = {
	.set = finish_set,
};
module_param_cb(finish, &finish_ops, NULL, 0200);
MODULE_PARM_DESC(finish, "write 1 after removing memcg b (memcg case)");

static int __init zheap_wb_stress_init(void)
{
	struct zheap_lru_config cfg = {
		.writeback = wb_stress_writeback,
		.policy = ZHEAP_LRU_SECOND_CHANCE,
	};
	unsigned int i;
	u8 *buf;
	int err;

	if (!strcmp(policy, "exact")) {
		cfg.policy = ZHEAP_LRU_EXACT;
	} else if (!strcmp(policy, "epoch")) {
		cfg.policy = ZHEAP_LRU_EPOCH;
	} else if (strcmp(policy, "second-chance")) {
		pr_err("zheap_wb_stress: unknown policy %s\n", policy);
		return -EINVAL;
	}
	if (!dev || !*dev) {
		pr_err("zheap_wb_stress: dev= names no device; it would be overwritten\n");
		return -EINVAL;
	}
	if (objects < 8)
		return -EINVAL;
	wbuf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!wbuf)
		return -ENOMEM;
	disk = filp_open(dev, O_RDWR | O_LARGEFILE | O_DIRECT, 0);
	if (IS_ERR(disk)) {
		pr_err("zheap_wb_stress: cannot open %s: %ld\n", dev,
		       PTR_ERR(disk));
		kfree(wbuf);
		return PTR_ERR(disk);
	}
	if (i_size_read(disk->f_mapping->host) < (loff_t)objects * PAGE_SIZE) {
		pr_err("zheap_wb_stress: %s holds fewer than %u blocks\n", dev,
		       objects);
		filp_close(disk, NULL);
		kfree(wbuf);
		return -ENOSPC;
	}
	objs = vzalloc(array_size(objects, sizeof(*objs)));
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	err = -ENOMEM;
	if (!objs || !buf)
		goto err_free;
	for (i = 0; i < objects; i++)
		mutex_init(&objs[i].lock);
	pool = zheap_pool_create_lru("zheap_wb_stress", backend, &cfg);
	if (IS_ERR(pool)) {
		err = PTR_ERR(pool);
		goto err_free;
	}
	pr_info("zheap_wb_stress: backend %s policy %s dev %s objects %u target %u seed %lu%s\n",
		backend, policy, dev, objects, target, seed,
		memcg_a ? " (memcg case)" : "");

	if (hold) {
		struct rnd_state rnd;

		prandom_seed_state(&rnd, seed);
		for (i = 0; i < objects; i++) {
			mutex_lock(&objs[i].lock);
			if (store(i, &rnd, buf, NULL))
				atomic_long_inc(&errors);
			mutex_unlock(&objs[i].lock);
		}
		memcg_objs = objects;
		print_stats("filled, holding");
		kfree(buf);
		return 0;
	}
	if (memcg_a && memcg_b) {
		err = memcg_case(buf);
		kfree(buf);
		if (err)
			goto err_teardown;
		/* Stay loaded for part two. */
		return 0;
	}
	err = stress(buf);
	pr_info("zheap_wb_stress: RESULT %s writeback backend %s corrupted_bytes %ld errors %ld\n",
		err ? "FAIL" : "PASS", backend, atomic_long_read(&corrupt),
		atomic_long_read(&errors));
	kfree(buf);
	teardown();
	return err;

err_teardown:
	teardown();
	return err;
err_free:
	kfree(buf);
	vfree(objs);
	filp_close(disk, NULL);
	kfree(wbuf);
	return err;
}

static void __exit zheap_wb_stress_exit(void)
{
	teardown();
}

module_init(zheap_wb_stress_init);
module_exit(zheap_wb_stress_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zheap writeback stress run against a block device");
