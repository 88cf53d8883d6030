// SPDX-License-Identifier: GPL-2.0
/*
 * zheap's backend registry, a core service (as damon_register_ops() is in
 * DAMON's core).
 *
 * Backends register a struct zheap_backend (ops, name, owning module).  The
 * registry gives each a small id, encoded in every handle slot of the
 * objects it holds.  A pool pins its backend's module for its whole life,
 * so a backend in use cannot be unloaded.  The frontend learns of backends
 * coming and going through the one listener it installs
 * (zheap_registry_listen()): zpool/ registers a kernel zpool driver for
 * each.  Which backend a pool gets when it names none is the frontend's
 * business (zheap.backend=, zpool/backend_param.c).
 *
 * Locking: backends_lock (a mutex) protects the backends list, the id
 * table, huge_max and the listener; the listener's calls run under it.
 * huge_max is written under it and read locklessly (READ_ONCE()).
 */

#include <linux/ctype.h>
#include <linux/kmod.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "core.h"

static DEFINE_MUTEX(backends_lock);
static LIST_HEAD(backends);
static struct zheap_backend *backend_ids[ZHEAP_MAX_BACKENDS];
/* the frontend's, installed at its init; protected by backends_lock */
static const struct zheap_registry_listener *listener;
/* the largest huge size of the registered backends (huge_size_update()) */
static size_t huge_max;

/**
 * zheap_backend_name_valid() - is this a well-formed backend name?
 * @name: the name, not necessarily NUL-terminated
 * @len: its length
 *
 * Context: Any context.
 * Return: true for 1 to ZHEAP_BACKEND_NAME_MAX - 1 characters of [a-z0-9_].
 */
bool zheap_backend_name_valid(const char *name, size_t len)
{
	size_t i;

	if (!len || len >= ZHEAP_BACKEND_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!islower(name[i]) && !isdigit(name[i]) && name[i] != '_')
			return false;
	return true;
}

static struct zheap_backend *backend_find(const char *name)
{
	struct zheap_backend *b;

	lockdep_assert_held(&backends_lock);
	list_for_each_entry(b, &backends, list)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

static bool all_maps_can_sleep(void)
{
	struct zheap_backend *b;

	lockdep_assert_held(&backends_lock);
	list_for_each_entry(b, &backends, list)
		if (!b->map_can_sleep)
			return false;
	return true;
}

static size_t backend_huge_size(const struct zheap_backend *b)
{
	return b->ops->huge_size ? b->ops->huge_size() : PAGE_SIZE;
}

static void huge_size_update(void)
{
	struct zheap_backend *b;
	size_t max = 0;

	lockdep_assert_held(&backends_lock);
	list_for_each_entry(b, &backends, list)
		max = max(max, backend_huge_size(b));
	WRITE_ONCE(huge_max, max);
}

/**
 * zheap_backends_huge_size() - the size from which every backend gives an
 * object a page of its own
 *
 * The largest huge size (struct zheap_backend_ops) of the registered
 * backends.  zram keeps one threshold for all its devices, taken from the
 * first; with this one a device on any backend stores uncompressed only
 * what would have taken a page anyway, and a later device on another
 * backend inherits a threshold that is right for it too.
 *
 * Context: Any context.
 * Return: the size, at most PAGE_SIZE; 0 while no backend is registered.
 */
size_t zheap_backends_huge_size(void)
{
	return READ_ONCE(huge_max);
}

static bool backend_ops_complete(const struct zheap_backend_ops *ops)
{
	return ops && ops->create && ops->destroy && ops->place &&
	       ops->release && ops->map && ops->unmap && ops->size &&
	       ops->obj_page && ops->page_objects && ops->page_replaced &&
	       ops->move_unit && ops->compact_source &&
	       ops->compact_end && ops->compactable && ops->meta_bytes;
}

/**
 * zheap_register_backend() - make a backend available to pools
 * @backend: name, owner and ops filled in; the rest is the registry's
 *
 * Also registers the kernel zpool driver "zheap_<name>", so zswap can use
 * the backend.
 *
 * Context: Process context.  Takes and releases the registry mutex.
 * Return: 0; -EINVAL for a bad name or missing ops; -EEXIST if the name
 * is taken; -ENOSPC if ZHEAP_MAX_BACKENDS are registered already.
 */
int zheap_register_backend(struct zheap_backend *backend)
{
	unsigned int id;
	int err;

	if (!backend->name ||
	    !zheap_backend_name_valid(backend->name, strlen(backend->name)) ||
	    !backend_ops_complete(backend->ops) ||
	    backend->page_run_order > ZHEAP_PAGE_RUN_ORDER_MAX) {
		pr_err("zheap: refusing backend \"%s\": bad name, missing ops or page_run_order\n",
		       backend->name ?: "(null)");
		return -EINVAL;
	}

	mutex_lock(&backends_lock);
	err = -EEXIST;
	if (backend_find(backend->name))
		goto err_unlock;
	err = -ENOSPC;
	for (id = 0; id < ZHEAP_MAX_BACKENDS; id++)
		if (!backend_ids[id])
			break;
	if (id == ZHEAP_MAX_BACKENDS)
		goto err_unlock;

	backend->id = id;
	err = listener ? listener->add(backend) : 0;
	if (err)
		goto err_unlock;
	backend_ids[id] = backend;
	list_add_tail(&backend->list, &backends);
	huge_size_update();
	if (listener)
		listener->changed(all_maps_can_sleep());
	mutex_unlock(&backends_lock);
	pr_info("zheap: backend %s registered\n", backend->name);
	return 0;

err_unlock:
	mutex_unlock(&backends_lock);
	pr_err("zheap: cannot register backend %s: %d\n", backend->name, err);
	return err;
}
EXPORT_SYMBOL_GPL(zheap_register_backend);

/**
 * zheap_unregister_backend() - withdraw a backend
 * @backend: a registered backend with no pools left
 *
 * Pools hold a reference on the backend's module, so this runs only once
 * the last pool on it is gone.
 *
 * Context: Process context.  Takes and releases the registry mutex.
 */
void zheap_unregister_backend(struct zheap_backend *backend)
{
	mutex_lock(&backends_lock);
	if (WARN_ON_ONCE(backend_ids[backend->id] != backend)) {
		mutex_unlock(&backends_lock);
		return;
	}
	if (listener)
		listener->remove(backend);
	list_del(&backend->list);
	backend_ids[backend->id] = NULL;
	huge_size_update();
	if (listener)
		listener->changed(all_maps_can_sleep());
	mutex_unlock(&backends_lock);
}
EXPORT_SYMBOL_GPL(zheap_unregister_backend);

static const struct zheap_backend *backend_try_get(const char *name)
{
	struct zheap_backend *b;

	mutex_lock(&backends_lock);
	b = backend_find(name);
	if (b && !try_module_get(b->owner))
		b = NULL;
	mutex_unlock(&backends_lock);
	return b;
}

/**
 * zheap_backend_get() - find a backend by name and pin its module
 * @name: the backend's name
 *
 * Asks for module alias "zheap-backend-<name>" once if no backend of that
 * name is registered (each backend module declares it with
 * MODULE_ALIAS()): a name can load a backend, never any other module
 * whose name starts with zheap_.
 *
 * Context: Process context; may sleep.  Takes and releases backends_lock.
 * Return: the backend, or NULL if none answers to @name.
 */
const struct zheap_backend *zheap_backend_get(const char *name)
{
	const struct zheap_backend *b;

	if (!zheap_backend_name_valid(name, strlen(name)))
		return NULL;

	b = backend_try_get(name);
	if (!b) {
		request_module("zheap-backend-%s", name);
		b = backend_try_get(name);
	}
	return b;
}

/**
 * zheap_backend_put() - unpin a backend zheap_backend_get() returned
 * @backend: the backend
 *
 * Context: Any context.
 */
void zheap_backend_put(const struct zheap_backend *backend)
{
	module_put(backend->owner);
}

/**
 * zheap_backend_next() - iterate over the registered backends
 * @prev: the backend before (NULL: start at the first)
 *
 * For the contract tests, which run over every backend.
 *
 * Context: Process context.  Takes and releases backends_lock.
 * Return: the backend after @prev, or NULL at the end.
 */
const struct zheap_backend *zheap_backend_next(const struct zheap_backend *prev)
{
	const struct zheap_backend *b = NULL;

	mutex_lock(&backends_lock);
	if (!prev)
		b = list_first_entry_or_null(&backends, struct zheap_backend,
					     list);
	else if (!list_is_last(&prev->list, &backends))
		b = list_next_entry(prev, list);
	mutex_unlock(&backends_lock);
	return b;
}

/**
 * zheap_registry_listen() - install the frontend's listener
 * @l: called under backends_lock when a backend registers (an error
 *     refuses the registration), unregisters, and after either with
 *     whether every registered backend's map may sleep; NULL: none
 *
 * Context: Process context.  Takes and releases backends_lock.
 */
void zheap_registry_listen(const struct zheap_registry_listener *l)
{
	mutex_lock(&backends_lock);
	listener = l;
	mutex_unlock(&backends_lock);
}
