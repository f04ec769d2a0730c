/* SPDX-License-Identifier: MIT */
/*
 * errors.c - names of pmm's error codes.
 */
#include <pmm/types.h>

const char *pmm_strerror(int err)
{
	switch (err) {
	case PMM_OK: return "success";
	case PMM_EINVAL: return "invalid argument";
	case PMM_ENOMEM: return "out of memory";
	case PMM_ERANGE: return "address out of range";
	case PMM_EOVERFLOW: return "size overflows";
	case PMM_EALIGN: return "bad alignment";
	case PMM_EORDER: return "order out of range";
	case PMM_EDOUBLEFREE: return "double free";
	case PMM_EDOUBLERESERVE: return "double reserve";
	case PMM_EWRONGORDER: return "freed with the wrong order";
	case PMM_ERESERVED: return "page is reserved";
	case PMM_ENOTHEAD: return "pointer inside a block";
	case PMM_ERETIRED: return "early allocator already retired";
	case PMM_EOVERLAP: return "ranges overlap";
	case PMM_EFULL: return "table full";
	case PMM_ESTATE: return "wrong phase";
	case PMM_EPARSE: return "parse error";
	case PMM_ECORRUPT: return "corruption detected";
	case PMM_EBUSY: return "reference count busy";
	case PMM_EPLATFORM: return "platform hook failed";
	default: return "unknown error";
	}
}
