/* SPDX-License-Identifier: MIT */
/*
 * slab_setup.c - set-up and report helpers of the slab tests (see
 * slab_setup.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmm/check.h>

#include <pmm/debug.h>
#include <pmm/fmt.h>

#include "buddy_setup.h"
#include "host_platform.h"
#include "slab_setup.h"

static unsigned int reports_seen;

int slab_setup(pmm_pfn_t pages, unsigned int flags)
{
	int err = buddy_setup_simple(pages);
	reports_seen = 0;
	return err ? err : pmm_slab_init(flags);
}

int slab_setup_dma(pmm_pfn_t dma_end, pmm_pfn_t pages, unsigned int flags)
{
	int err = buddy_setup_dma_normal(dma_end, pages);
	reports_seen = 0;
	return err ? err : pmm_slab_init(flags);
}

void slab_teardown(void)
{
	buddy_teardown();
}

int slab_fixture_setup(void **state)
{
	(void)state;
	assert_int_equal(slab_setup(8192, 0), 0);
	return 0;
}

int slab_fixture_teardown(void **state)
{
	(void)state;
	assert_null(pmm_slab_check());
	assert_null(pmm_check());
	slab_teardown();
	return 0;
}

struct grow_buf {
	char *s;
	size_t len;
};

static void grow_write(void *ctx, const char *s, size_t len)
{
	struct grow_buf *b = ctx;
	char *p = realloc(b->s, b->len + len + 1);
	if (p == NULL)
		return;
	memcpy(p + b->len, s, len);
	b->len += len;
	p[b->len] = '\0';
	b->s = p;
}

char *slab_info_text(void)
{
	struct grow_buf b = { strdup(""), 0 };
	struct pmm_out out = { grow_write, &b };
	pmm_report_slabinfo(&out);
	return b.s;
}

char *slab_owner_text(void)
{
	struct grow_buf b = { strdup(""), 0 };
	struct pmm_out out = { grow_write, &b };
	pmm_report_page_owner(&out);
	return b.s;
}

bool slab_info_find(const char *text, const char *name,
		    struct slab_info_line *l)
{
	size_t n = strlen(name);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, name, n) != 0 || p[n] != ' ')
			continue;
		return sscanf(p + n, " %llu %llu %llu %llu %llu : tunables %llu %llu %llu : slabdata %llu %llu %llu",
			      &l->active, &l->objs, &l->objsize, &l->perslab,
			      &l->pages, &l->limit, &l->batch, &l->shared,
			      &l->active_slabs, &l->slabs, &l->avail) == 11;
	}
	return false;
}

unsigned int slab_reports_since(void)
{
	unsigned int now = host_report_count();
	unsigned int d = now - reports_seen;
	reports_seen = now;
	return d;
}
