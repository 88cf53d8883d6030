// SPDX-License-Identifier: GPL-2.0
/*
 * zheap as a kernel zpool driver, so Debian's built-in zswap can use it:
 *
 *	echo zheap_zbud > /sys/module/zswap/parameters/zpool
 *
 * Every registered backend gets a driver named "zheap_<backend>", and the
 * driver "zheap" creates pools on the backend zheap.backend= names.
 *
 * zpool's create() is not told which driver it was called through, so each
 * backend id has its own small create function (bridge_create_<id>).
 *
 * A backend's driver is owned by the backend's module, which unregisters
 * it on its way out (through the registry), and "zheap" by zheap.ko.
 * zpool takes a driver only with a reference on its owner
 * (try_module_get(), which fails once the module is going), and holds it
 * while a zpool exists: so a module that unregisters its driver is one no
 * zpool can be using or about to use, and zpool_unregister_driver()
 * cannot find the driver busy.  With zheap.ko as every driver's owner a
 * backend's rmmod racing a write to zswap's zpool parameter found it busy,
 * left it on zpool's list, and its next registration corrupted that list.
 * Each zheap pool also pins its backend's module.
 *
 * Locking: bridges[] changes only under the backend registry's mutex
 * (core/registry.c), which calls zheap_zpool_add() and zheap_zpool_remove()
 * through the listener zpool/pool.c installs.
 */

#include "zpool.h"

/* <linux/zpool.h> is not self-contained; zpool.h brings its types. */
#include <linux/zpool.h>

/* @backend is empty for the "zheap" driver: it follows zheap.backend=. */
struct zheap_bridge {
	struct zpool_driver driver;
	char type[ZHEAP_BACKEND_NAME_MAX + 8];
	char backend[ZHEAP_BACKEND_NAME_MAX];
};

static struct zheap_bridge bridges[ZHEAP_MAX_BACKENDS];
static struct zheap_bridge default_bridge;

static void *bridge_create(const char *backend, const char *name)
{
	struct zheap_pool *pool;

	pool = zheap_pool_create_for(name, backend[0] ? backend : NULL,
				     ZHEAP_CONSUMER_ZPOOL);
	return IS_ERR(pool) ? NULL : pool;
}

#define DEFINE_BRIDGE_CREATE(id)					\
static void *bridge_create_##id(const char *name, gfp_t gfp)		\
{									\
	return bridge_create(bridges[id].backend, name);		\
}

DEFINE_BRIDGE_CREATE(0)
DEFINE_BRIDGE_CREATE(1)
DEFINE_BRIDGE_CREATE(2)
DEFINE_BRIDGE_CREATE(3)
DEFINE_BRIDGE_CREATE(4)
DEFINE_BRIDGE_CREATE(5)
DEFINE_BRIDGE_CREATE(6)
DEFINE_BRIDGE_CREATE(7)

static void *(* const bridge_creates[ZHEAP_MAX_BACKENDS])(const char *, gfp_t) = {
	bridge_create_0, bridge_create_1, bridge_create_2, bridge_create_3,
	bridge_create_4, bridge_create_5, bridge_create_6, bridge_create_7,
};

static void *default_create(const char *name, gfp_t gfp)
{
	return bridge_create(default_bridge.backend, name);
}

static void bridge_destroy(void *pool)
{
	zheap_pool_destroy(pool);
}

static int bridge_malloc(void *pool, size_t size, gfp_t gfp,
			 unsigned long *handle)
{
	return zheap_malloc(pool, size, gfp, handle);
}

static void bridge_free(void *pool, unsigned long handle)
{
	zheap_free_when_idle(pool, handle);
}

static void *bridge_map(void *pool, unsigned long handle,
			enum zpool_mapmode mm)
{
	enum zheap_map_mode mode;

	switch (mm) {
	case ZPOOL_MM_RO:
		mode = ZHEAP_MAP_RO;
		break;
	case ZPOOL_MM_WO:
		mode = ZHEAP_MAP_WO;
		break;
	default:
		mode = ZHEAP_MAP_RW;
		break;
	}
	return zheap_map_object(pool, handle, mode);
}

static void bridge_unmap(void *pool, unsigned long handle)
{
	zheap_unmap_object(pool, handle);
}

static u64 bridge_total_pages(void *pool)
{
	return zheap_total_pages(pool);
}

static void bridge_init(struct zheap_bridge *br, struct module *owner,
			const char *backend,
			void *(*create)(const char *, gfp_t), bool sleep_mapped)
{
	struct zpool_driver *driver = &br->driver;

	memset(br, 0, sizeof(*br));
	strscpy(br->backend, backend, sizeof(br->backend));
	if (backend[0])
		snprintf(br->type, sizeof(br->type), "zheap_%s", backend);
	else
		strscpy(br->type, "zheap", sizeof(br->type));
	driver->type = br->type;
	driver->owner = owner;
	driver->create = create;
	driver->destroy = bridge_destroy;
	/* Every backend page is movable (migrate/): let zswap say so. */
	driver->malloc_support_movable = true;
	driver->malloc = bridge_malloc;
	driver->free = bridge_free;
	driver->sleep_mapped = sleep_mapped;
	driver->map = bridge_map;
	driver->unmap = bridge_unmap;
	driver->total_pages = bridge_total_pages;
}

int zheap_zpool_add(const struct zheap_backend *backend)
{
	struct zheap_bridge *br = &bridges[backend->id];

	bridge_init(br, backend->owner, backend->name,
		    bridge_creates[backend->id], backend->map_can_sleep);
	zpool_register_driver(&br->driver);
	return 0;
}

void zheap_zpool_remove(const struct zheap_backend *backend)
{
	struct zheap_bridge *br = &bridges[backend->id];

	/* The backend's module owns the driver and is going: none uses it. */
	WARN_ON_ONCE(zpool_unregister_driver(&br->driver));
}

void zheap_zpool_update_default(bool map_can_sleep)
{
	WRITE_ONCE(default_bridge.driver.sleep_mapped, map_can_sleep);
}

int zheap_zpool_init(void)
{
	bridge_init(&default_bridge, THIS_MODULE, "", default_create, true);
	zpool_register_driver(&default_bridge.driver);
	return 0;
}

void zheap_zpool_exit(void)
{
	WARN_ON_ONCE(zpool_unregister_driver(&default_bridge.driver));
}
