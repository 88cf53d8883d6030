/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zheap's tracepoints: the events a user asks about (which pool grows,
 * what fails and why, what compaction and migration move, what is
 * written back), each at the place that counts the matching statistic,
 * so that over any window an event's count equals its counter's change
 * (Documentation/tracepoints.rst lists the pairs).
 *
 * core/trace.c instantiates them (CREATE_TRACE_POINTS) in zheap.ko, where
 * struct zheap_pool is known (core/core.h); the layers only call
 * trace_zheap_*().  A pool is named by its name and id; a disabled
 * tracepoint is a static branch over the call.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM zheap

#if !defined(_TRACE_ZHEAP_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_ZHEAP_H

#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>

struct zheap_pool;

#ifndef ZHEAP_FAIL_LIMIT
/* Why zheap_malloc() failed (after the size and context checks). */
#define ZHEAP_FAIL_LIMIT	0	/* the page limit: no room made */
#define ZHEAP_FAIL_HANDLE	1	/* no memory for a handle slot */
#define ZHEAP_FAIL_PLACE	2	/* the backend could not place it */
#endif

DECLARE_EVENT_CLASS(zheap_object,
		    TP_PROTO(const struct zheap_pool *pool, unsigned long handle,
			     size_t size),
		    TP_ARGS(pool, handle, size),
		    TP_STRUCT__entry(__string(pool, pool->name)
				     __field(unsigned int, id)
				     __string(backend, pool->backend->name)
				     __field(unsigned long, handle)
				     __field(size_t, size)
		    ),
		    TP_fast_assign(__assign_str(pool);
				   __entry->id = pool->id;
				   __assign_str(backend);
				   __entry->handle = handle;
				   __entry->size = size;
		    ),
		    TP_printk("pool=%s id=%u backend=%s handle=%#lx size=%zu",
			      __get_str(pool), __entry->id, __get_str(backend),
			      __entry->handle, __entry->size)
);

/* An object stored: counted in mallocs. */
DEFINE_EVENT(zheap_object, zheap_malloc,
	     TP_PROTO(const struct zheap_pool *pool, unsigned long handle,
		      size_t size),
	     TP_ARGS(pool, handle, size)
);

/*
 * An object freed, by its consumer or by writeback: counted in frees.
 * (A pool's destroy drops what is left without an event, as without a
 * count.)
 */
DEFINE_EVENT(zheap_object, zheap_free,
	     TP_PROTO(const struct zheap_pool *pool, unsigned long handle,
		      size_t size),
	     TP_ARGS(pool, handle, size)
);

/* zheap_malloc() failed: counted in malloc_fails. */
TRACE_EVENT(zheap_malloc_fail,
	    TP_PROTO(const struct zheap_pool *pool, size_t size, gfp_t gfp,
		     int err, int reason),
	    TP_ARGS(pool, size, gfp, err, reason),
	    TP_STRUCT__entry(__string(pool, pool->name)
			     __field(unsigned int, id)
			     __field(size_t, size)
			     __field(unsigned long, gfp)
			     __field(int, err)
			     __field(int, reason)
	    ),
	    TP_fast_assign(__assign_str(pool);
			   __entry->id = pool->id;
			   __entry->size = size;
			   __entry->gfp = (__force unsigned long)gfp;
			   __entry->err = err;
			   __entry->reason = reason;
	    ),
	    TP_printk("pool=%s id=%u size=%zu gfp=%s err=%d reason=%s",
		      __get_str(pool), __entry->id, __entry->size,
		      show_gfp_flags(__entry->gfp), __entry->err,
		      __print_symbolic(__entry->reason,
				       { ZHEAP_FAIL_LIMIT, "limit" },
				       { ZHEAP_FAIL_HANDLE, "handle" },
				       { ZHEAP_FAIL_PLACE, "place" }))
);

/* The kernel migrated a zheap page: counted in pages_migrated. */
TRACE_EVENT(zheap_page_migrated,
	    TP_PROTO(const struct zheap_pool *pool, unsigned long from_pfn,
		     unsigned long to_pfn, unsigned int objects),
	    TP_ARGS(pool, from_pfn, to_pfn, objects),
	    TP_STRUCT__entry(__string(pool, pool->name)
			     __field(unsigned int, id)
			     __field(unsigned long, from_pfn)
			     __field(unsigned long, to_pfn)
			     __field(unsigned int, objects)
	    ),
	    TP_fast_assign(__assign_str(pool);
			   __entry->id = pool->id;
			   __entry->from_pfn = from_pfn;
			   __entry->to_pfn = to_pfn;
			   __entry->objects = objects;
	    ),
	    TP_printk("pool=%s id=%u from_pfn=%#lx to_pfn=%#lx objects=%u",
		      __get_str(pool), __entry->id, __entry->from_pfn,
		      __entry->to_pfn, __entry->objects)
);

/*
 * One compaction pass over every kind of unit (zheap_compact(), the
 * shrinker): counted in compactions; @pages adds to pages_compacted,
 * @objects to objects_moved.
 */
TRACE_EVENT(zheap_compact,
	    TP_PROTO(const struct zheap_pool *pool, unsigned long pages,
		     unsigned long objects, u64 ns),
	    TP_ARGS(pool, pages, objects, ns),
	    TP_STRUCT__entry(__string(pool, pool->name)
			     __field(unsigned int, id)
			     __field(unsigned long, pages)
			     __field(unsigned long, objects)
			     __field(u64, ns)
	    ),
	    TP_fast_assign(__assign_str(pool);
			   __entry->id = pool->id;
			   __entry->pages = pages;
			   __entry->objects = objects;
			   __entry->ns = ns;
	    ),
	    TP_printk("pool=%s id=%u pages_freed=%lu objects_moved=%lu ns=%llu",
		      __get_str(pool), __entry->id, __entry->pages,
		      __entry->objects, __entry->ns)
);

/*
 * The LRU's writeback of one object ended: @ret is the consumer's answer
 * (0: written back, counted in written_back; else refused, counted in
 * wb_refused unless @freed); @freed: the consumer freed it meanwhile
 * (wb_freed).
 */
TRACE_EVENT(zheap_writeback,
	    TP_PROTO(const struct zheap_pool *pool, unsigned long handle,
		     int ret, bool freed),
	    TP_ARGS(pool, handle, ret, freed),
	    TP_STRUCT__entry(__string(pool, pool->name)
			     __field(unsigned int, id)
			     __field(unsigned long, handle)
			     __field(int, ret)
			     __field(bool, freed)
	    ),
	    TP_fast_assign(__assign_str(pool);
			   __entry->id = pool->id;
			   __entry->handle = handle;
			   __entry->ret = ret;
			   __entry->freed = freed;
	    ),
	    TP_printk("pool=%s id=%u handle=%#lx ret=%d freed=%d",
		      __get_str(pool), __entry->id, __entry->handle,
		      __entry->ret, __entry->freed)
);

/* The epoch policy's epoch ended: counted in lru_epochs. */
TRACE_EVENT(zheap_lru_epoch,
	    TP_PROTO(const struct zheap_pool *pool, unsigned long placed,
		     unsigned long objects),
	    TP_ARGS(pool, placed, objects),
	    TP_STRUCT__entry(__string(pool, pool->name)
			     __field(unsigned int, id)
			     __field(unsigned long, placed)
			     __field(unsigned long, objects)
	    ),
	    TP_fast_assign(__assign_str(pool);
			   __entry->id = pool->id;
			   __entry->placed = placed;
			   __entry->objects = objects;
	    ),
	    TP_printk("pool=%s id=%u placed=%lu lru_objects=%lu",
		      __get_str(pool), __entry->id, __entry->placed,
		      __entry->objects)
);

#endif /* _TRACE_ZHEAP_H */

#include <trace/define_trace.h>
