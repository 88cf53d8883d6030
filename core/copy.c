// SPDX-License-Identifier: GPL-2.0
/*
 * Copying an object's bytes out through its backend's ops (core/).  The
 * caller pins or locks the object (core/object.c), so its location holds
 * while the bytes are read.
 */

#include <linux/string.h>

#include "core.h"

/**
 * zheap_object_copy() - copy the start of an object out
 * @pool: the pool
 * @loc: the object's location; the caller pins or locks it
 * @dst: where to copy
 * @len: how many bytes, at most the object's size
 *
 * Context: Any context but hard interrupt.
 * Return: 0, or -EINVAL if the object is shorter than @len.
 */
int zheap_object_copy(struct zheap_pool *pool, unsigned long loc, void *dst,
		      size_t len)
{
	const struct zheap_backend_ops *ops = pool->backend->ops;

	/* The copying op checks @len itself: one indirect call, not two. */
	if (ops->read)
		return ops->read(pool->bpool, loc, dst, len);
	if (len > ops->size(pool->bpool, loc))
		return -EINVAL;
	memcpy(dst, ops->map(pool->bpool, loc, ZHEAP_MAP_RO), len);
	ops->unmap(pool->bpool, loc);
	return 0;
}

/**
 * zheap_copy_out() - copy a whole object out
 * @pool: the pool
 * @loc: the object's location; the caller pins or locks it
 * @dst: where to copy it
 * @len: room at @dst
 *
 * Context: Any context but hard interrupt.
 * Return: the object's size, or -EINVAL if it exceeds @len.
 */
int zheap_copy_out(struct zheap_pool *pool, unsigned long loc, void *dst,
		   size_t len)
{
	size_t size = pool->backend->ops->size(pool->bpool, loc);
	int err;

	if (size > len)
		return -EINVAL;
	err = zheap_object_copy(pool, loc, dst, size);
	return err ?: size;
}
