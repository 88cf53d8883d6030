// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: nothing leaked.  This suite links after every other zheap
 * suite (Kbuild), so it runs last: it waits out kmemleak's minimum
 * object age, has kmemleak scan all memory twice (as its documentation
 * advises, against transient false reports), and fails if it found any
 * unreferenced object.  kmemleak prints each one whole (verbose), for
 * scripts/klog.py, which fails the venue on them too.
 *
 * kmemleak has no in-kernel call to start a scan, its automatic thread
 * first scans a minute after boot (when a KUnit run is over), and its
 * debugfs file cannot be written from the kernel (no write_iter), so
 * this built-in suite finds kmemleak_scan() and its mutex by name, as
 * the debugfs "scan" command would call them.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/mutex.h>

/* kmemleak reports only objects older than this (its min_age, 5 s). */
#define LEAKS_AGE_MS	5500

typedef void (*kmemleak_scan_fn)(void);

static void zheap_leaks_test_kmemleak_finds_nothing(struct kunit *test)
{
	kmemleak_scan_fn scan =
		(kmemleak_scan_fn)kallsyms_lookup_name("kmemleak_scan");
	struct mutex *lock = (void *)kallsyms_lookup_name("scan_mutex");
	bool *verbose = (void *)kallsyms_lookup_name("kmemleak_verbose");
	bool *found = (void *)kallsyms_lookup_name("kmemleak_found_leaks");

	KUNIT_ASSERT_TRUE_MSG(test, scan && lock && verbose && found,
			      "kmemleak's scan not found by name");
	WRITE_ONCE(*verbose, true);
	msleep(LEAKS_AGE_MS);
	mutex_lock(lock);
	scan();
	scan();
	mutex_unlock(lock);
	KUNIT_EXPECT_FALSE_MSG(test, READ_ONCE(*found),
			       "kmemleak found unreferenced objects (above)");
}

static struct kunit_case zheap_leaks_cases[] = {
	KUNIT_CASE_SLOW(zheap_leaks_test_kmemleak_finds_nothing),
	{}
};

static struct kunit_suite zheap_leaks_suite = {
	.name = "zheap_leaks",
	.test_cases = zheap_leaks_cases,
};

kunit_test_suite(zheap_leaks_suite);
