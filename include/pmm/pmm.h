/* SPDX-License-Identifier: MIT */
/*
 * pmm/pmm.h - everything pmm offers, in one include.
 */
#ifndef PMM_PMM_H
#define PMM_PMM_H

#include <pmm/types.h>
#include <pmm/platform.h>
#include <pmm/fmt.h>
#include <pmm/memmap.h>
#include <pmm/firmware.h>
#include <pmm/cmdline.h>
#include <pmm/bootmem.h>
#include <pmm/memblock.h>
#include <pmm/page.h>
#include <pmm/zone.h>
#include <pmm/buddy.h>
#include <pmm/contig.h>
#include <pmm/elastic.h>
#include <pmm/check.h>
#include <pmm/watermark.h>
#include <pmm/init.h>
#include <pmm/boot.h>
#include <pmm/report.h>
#include <pmm/slab.h>

#endif /* PMM_PMM_H */
