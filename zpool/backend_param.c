// SPDX-License-Identifier: GPL-2.0
/*
 * The zheap.backend= module parameter: the backend of pools created
 * without one and of the "zheap" zpool driver.
 *
 * A name that no backend answers to is an error when a pool is created
 * (after one attempt to load "zheap-backend-<name>", core/registry.c), never a
 * silent fallback to another backend.  A malformed name is refused when
 * written.
 *
 * Locking: default_lock (a mutex) protects default_backend.
 */

#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "zpool.h"

/* protects: default_backend (written by the parameter, copied by pools) */
static DEFINE_MUTEX(default_lock);
static char default_backend[ZHEAP_BACKEND_NAME_MAX] = "zsmalloc";

/**
 * zheap_default_backend() - the backend zheap.backend= names
 *
 * Context: Any context.
 * Return: the name; it may not be registered (yet).
 */
const char *zheap_default_backend(void)
{
	return default_backend;
}
EXPORT_SYMBOL_GPL(zheap_default_backend);

/*
 * The backend @name names, or zheap.backend='s if @name is NULL, with its
 * module pinned; NULL if no backend answers to it.
 */
const struct zheap_backend *zheap_backend_get_or_default(const char *name)
{
	char want[ZHEAP_BACKEND_NAME_MAX];

	if (!name) {
		mutex_lock(&default_lock);
		strscpy(want, default_backend, sizeof(want));
		mutex_unlock(&default_lock);
		name = want;
	}
	return zheap_backend_get(name);
}

static int backend_param_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strcspn(val, "\n");

	if (!zheap_backend_name_valid(val, len)) {
		pr_err("zheap: backend=\"%.*s\" is not a backend name\n",
		       (int)min_t(size_t, len, 64), val);
		return -EINVAL;
	}
	mutex_lock(&default_lock);
	memcpy(default_backend, val, len);
	default_backend[len] = '\0';
	mutex_unlock(&default_lock);
	return 0;
}

static int backend_param_get(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&default_lock);
	ret = sysfs_emit(buf, "%s\n", default_backend);
	mutex_unlock(&default_lock);
	return ret;
}

static const struct kernel_param_ops backend_param_ops = {
	.set = backend_param_set,
	.get = backend_param_get,
};

module_param_cb(backend, &backend_param_ops, NULL, 0644);
MODULE_PARM_DESC(backend,
		 "Backend for new pools and the \"zheap\" zpool driver (default: zsmalloc); an unregistered name makes pool creation fail");
