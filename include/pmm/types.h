/* SPDX-License-Identifier: MIT */
/*
 * pmm/types.h - the vocabulary every pmm layer shares.
 *
 * Glossary (units in brackets):
 *   pmm_phys_t   a physical address [bytes]; 64 bits on every target, so
 *                PAE and x86_64 maps fit even in an i386 build.
 *   pmm_pfn_t    a page frame number [pages]: phys >> PMM_PAGE_SHIFT.
 *   pmm_order_t  a buddy order: a block of order k holds 2^k pages and its
 *                first pfn is a multiple of 2^k.
 *   range        always half-open: [start, end), start inclusive, end
 *                exclusive, in whatever unit the name says.
 *
 * Invariants:
 *   PMM_PAGE_SIZE == 1 << PMM_PAGE_SHIFT
 *   PMM_NR_ORDERS == PMM_MAX_ORDER + 1    (orders 0..PMM_MAX_ORDER)
 *   pfn < PMM_PFN_LIMIT                   (free lists link pfns in 32 bits)
 */
#ifndef PMM_TYPES_H
#define PMM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PMM_PAGE_SHIFT
#define PMM_PAGE_SHIFT 12
#endif
#define PMM_PAGE_SIZE ((uint64_t)1 << PMM_PAGE_SHIFT)
#define PMM_PAGE_MASK (~(PMM_PAGE_SIZE - 1))

/* Highest buddy order (inclusive); Linux 6.1 calls MAX_ORDER - 1 this. */
#ifndef PMM_MAX_ORDER
#define PMM_MAX_ORDER 10
#endif
#define PMM_NR_ORDERS (PMM_MAX_ORDER + 1)

#ifndef PMM_MAX_NUMNODES
#define PMM_MAX_NUMNODES 64
#endif

/* Bytes of a cache line: what CPUs writing at once must not share. */
#ifndef PMM_CACHELINE
#define PMM_CACHELINE 64
#endif

#ifndef PMM_NR_CPUS
#define PMM_NR_CPUS 8
#endif

/* Free lists store pfn + 1 in 32 bits; 0 means "none". */
#define PMM_PFN_LIMIT ((pmm_pfn_t)UINT32_MAX - 1)

_Static_assert(PMM_PAGE_SHIFT >= 10 && PMM_PAGE_SHIFT <= 21,
	       "PMM_PAGE_SHIFT must give pages of 1 KiB to 2 MiB");
_Static_assert(PMM_MAX_ORDER >= 1 && PMM_MAX_ORDER <= 20,
	       "PMM_MAX_ORDER must be 1..20");
_Static_assert(PMM_MAX_NUMNODES >= 1 && PMM_MAX_NUMNODES <= 1024,
	       "PMM_MAX_NUMNODES must be 1..1024");
_Static_assert(PMM_NR_CPUS >= 1 && PMM_NR_CPUS <= 256,
	       "PMM_NR_CPUS must be 1..256");

#define PMM_NUMA_NO_NODE (-1)

typedef uint64_t pmm_phys_t;
typedef uint64_t pmm_pfn_t;
typedef unsigned int pmm_order_t;

/* A half-open range of page frames: [start, end). */
struct pmm_pfn_range {
	pmm_pfn_t start; /* inclusive */
	pmm_pfn_t end;   /* exclusive */
};

/* A half-open range of physical addresses: [start, end). */
struct pmm_phys_range {
	pmm_phys_t start; /* inclusive */
	pmm_phys_t end;   /* exclusive */
};

/*
 * Error codes: every fallible pmm call returns 0 or one of these (negative),
 * and changes nothing when it fails. pmm_strerror() names each.
 */
enum pmm_err {
	PMM_OK = 0,
	PMM_EINVAL = -1,        /* malformed argument */
	PMM_ENOMEM = -2,        /* no memory satisfies the request */
	PMM_ERANGE = -3,        /* address or pfn outside what is managed */
	PMM_EOVERFLOW = -4,     /* size or range wraps around */
	PMM_EALIGN = -5,        /* alignment zero, not a power of two, or unmet */
	PMM_EORDER = -6,        /* order above PMM_MAX_ORDER */
	PMM_EDOUBLEFREE = -7,   /* freeing memory that is already free */
	PMM_EDOUBLERESERVE = -8, /* reserving memory that is already reserved */
	PMM_EWRONGORDER = -9,   /* freed with another order than allocated */
	PMM_ERESERVED = -10,    /* freeing a page that was never handed out */
	PMM_ENOTHEAD = -11,     /* pointer inside a block, not at its head */
	PMM_ERETIRED = -12,     /* the early allocator was already retired */
	PMM_EOVERLAP = -13,     /* ranges overlap where they must not */
	PMM_EFULL = -14,        /* a fixed-size table is full */
	PMM_ESTATE = -15,       /* call made in the wrong phase */
	PMM_EPARSE = -16,       /* text that cannot be parsed */
	PMM_ECORRUPT = -17,     /* a consistency check or poison check failed */
	PMM_EBUSY = -18,        /* reference count not at the expected value */
	PMM_EPLATFORM = -19,    /* a platform hook failed and did nothing */
};

/* Return: a constant, human-readable name for @err ("double free", ...). */
const char *pmm_strerror(int err);

#define PMM_PFN_UP(addr) (((addr) + PMM_PAGE_SIZE - 1) >> PMM_PAGE_SHIFT)
#define PMM_PFN_DOWN(addr) ((addr) >> PMM_PAGE_SHIFT)
#define PMM_PFN_PHYS(pfn) ((pmm_phys_t)(pfn) << PMM_PAGE_SHIFT)

#endif /* PMM_TYPES_H */
