// SPDX-License-Identifier: GPL-2.0
/*
 * What zheap's KUnit suites share at run time: the seed of their random
 * cases, the background compaction's threshold set for one case, and (with
 * CONFIG_MEMCG) a memcg of a case's own.  zheap_test.seed=N on the kernel
 * command line (kunit.py run --kernel_args, or ZHEAP_KUNIT_SEED=N with
 * scripts/kunit.sh) replays a run whose log printed "seed N"; 0, the
 * default, draws a new seed for every case.
 */
#include <linux/moduleparam.h>

#include "zheap_test_util.h"

u64 zheap_test_seed_param;
module_param_named(seed, zheap_test_seed_param, ullong, 0444);
MODULE_PARM_DESC(seed, "Seed of the random KUnit cases (0: a new one each case)");

static void zheap_test_restore_threshold(void *old)
{
	WRITE_ONCE(zheap_compact_threshold, (unsigned int)(uintptr_t)old);
}

void zheap_test_set_compact_threshold(struct kunit *test, unsigned int pct)
{
	uintptr_t old = READ_ONCE(zheap_compact_threshold);

	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test,
						  zheap_test_restore_threshold,
						  (void *)old), 0);
	WRITE_ONCE(zheap_compact_threshold, pct);
}

#ifdef CONFIG_MEMCG
#include <linux/cgroup.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/mount.h>
#include <linux/namei.h>

/*
 * A memcg of the test's own.  KUnit has no user space to make one, so
 * this does what a shell would, through a kernel-internal mount of the
 * cgroup2 hierarchy: enable the memory controller below the root, make a
 * directory and write "0" (the writer) to its cgroup.procs.  The case's
 * kthread then runs in the new memcg, as a vhost worker runs in its
 * owner's.  When the case ends, however it ends, its kthread has left the
 * memcg by exiting, and a KUnit action removes the directory and drops
 * the mount.
 */
struct zheap_test_memcg {
	struct vfsmount *mnt;
	const char *name;	/* set once the directory exists */
	struct mem_cgroup *memcg;
};

static int cgroup_file_write(struct vfsmount *mnt, const char *name,
			     const char *val)
{
	struct file *f = file_open_root_mnt(mnt, name, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, val, strlen(val), &pos);
	fput(f);
	return n < 0 ? n : 0;
}

/*
 * kernfs leaves mkdir's dentry negative, so the directory is looked up
 * again to remove it.
 */
static int cgroup_rmdir_name(struct vfsmount *mnt, const char *name)
{
	struct inode *root = d_inode(mnt->mnt_root);
	struct dentry *dir;
	int err;

	inode_lock_nested(root, I_MUTEX_PARENT);
	dir = lookup_one_len(name, mnt->mnt_root, strlen(name));
	err = IS_ERR(dir) ? PTR_ERR(dir) :
	      vfs_rmdir(&nop_mnt_idmap, root, dir);
	if (!IS_ERR(dir))
		dput(dir);
	inode_unlock(root);
	return err;
}

static void memcg_release(void *data)
{
	struct zheap_test_memcg *m = data;
	int err, tries;

	/*
	 * The case's kthread has ended by now (the cleanup runs after it, in
	 * another kthread), and an exiting task leaves its cgroup: no move.
	 */
	if (m->memcg)
		css_put(&m->memcg->css);
	if (m->name) {
		/* An exiting kthread keeps the cgroup populated a moment. */
		for (tries = 0; tries < 50; tries++) {
			err = cgroup_rmdir_name(m->mnt, m->name);
			if (err != -EBUSY)
				break;
			msleep(20);
		}
		WARN(err, "zheap test: rmdir %s: %d\n", m->name, err);
	}
	kern_unmount(m->mnt);
}

struct mem_cgroup *zheap_test_memcg_enter(struct kunit *test, const char *name)
{
	struct file_system_type *fs = get_fs_type("cgroup2");
	struct zheap_test_memcg *m;
	struct dentry *dir;
	struct inode *root;
	char path[64];
	int err;

	KUNIT_ASSERT_NOT_NULL_MSG(test, fs, "no cgroup2 file system");
	/* Test-managed: freed after memcg_release(), which comes later. */
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	if (!m)
		put_filesystem(fs);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->mnt = kern_mount(fs);
	put_filesystem(fs);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(m->mnt), "mount cgroup2: %ld",
			       PTR_ERR(m->mnt));
	err = kunit_add_action_or_reset(test, memcg_release, m);
	KUNIT_ASSERT_EQ(test, err, 0);

	err = cgroup_file_write(m->mnt, "cgroup.subtree_control", "+memory");
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "enable the memory controller");
	root = d_inode(m->mnt->mnt_root);
	inode_lock_nested(root, I_MUTEX_PARENT);
	dir = lookup_one_len(name, m->mnt->mnt_root, strlen(name));
	err = IS_ERR(dir) ? PTR_ERR(dir) :
	      vfs_mkdir(&nop_mnt_idmap, root, dir, 0755);
	if (!IS_ERR(dir))
		dput(dir);
	inode_unlock(root);
	if (!err)
		m->name = name;
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "mkdir %s", name);

	snprintf(path, sizeof(path), "%s/cgroup.procs", name);
	err = cgroup_file_write(m->mnt, path, "0");
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "move into %s", name);
	rcu_read_lock();
	m->memcg = mem_cgroup_from_task(current);
	css_get(&m->memcg->css);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL_MSG(test, m->memcg->css.parent,
				  "still in the root memcg");
	return m->memcg;
}
#endif
