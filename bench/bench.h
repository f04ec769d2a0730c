/* SPDX-License-Identifier: MIT */
/*
 * bench.h - the benchmark program's shared vocabulary.
 *
 * pmm-bench runs the standard workloads of shared/BENCHMARKS.md (W1-W8)
 * against pmm and its baselines in one process. Every allocator of W1-W4
 * is an instance of the workload template (workload.h) behind a struct
 * bench_alloc; the driver (main.c) runs an untimed validation pass, then
 * the timed runs, and prints the table and the machine-readable lines
 * (report.c).
 *
 * Units: a block handle is a pfn for the buddy allocators (arena-bound)
 * and a pointer value for the user-space allocators; times are in ns.
 */
#ifndef PMM_BENCH_H
#define PMM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pmm/types.h>

/* splitmix64: the one random stream every allocator sees. */
static inline uint64_t bench_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define BENCH_SEED 0x706d6d2d62656e63ull /* "pmm-benc" */

/* First pfn of every buddy arena: 4 GiB, so the zone is a plain Normal. */
#define BENCH_ARENA_BASE ((pmm_pfn_t)1 << 20)
#define BENCH_GIB_PAGES ((uint64_t)1 << (30 - PMM_PAGE_SHIFT))

/* Highest order W3/W4 ask for (BENCHMARKS.md: capped at 10). */
#define BENCH_MIX_MAX_ORDER 10
_Static_assert(BENCH_MIX_MAX_ORDER <= PMM_MAX_ORDER, "W3 orders exist");

/* Parameters of one W1-W4 pass. */
struct bench_params {
	uint64_t ops;       /* pairs (W1, W2) or operations (W3, W4) */
	uint64_t pool_max;  /* live blocks at most (W3, W4) */
	bool hold;          /* W2: one block held for the whole run */
	uint64_t arena_pages; /* the arena's size [pages] */
	uint64_t seed;
};

/* What one pass measured or found. */
struct bench_result {
	uint64_t ns;              /* timed part [ns] */
	uint64_t ops;             /* operations timed */
	uint64_t allocs;          /* allocations attempted in the timed part */
	uint64_t failed;          /* of which failed */
	uint64_t failed_fill;     /* failed while filling the pool (untimed) */
	uint64_t failed_with_free;/* failed although a free block of the order existed */
	uint64_t free_2m_windows; /* aligned 2 MiB windows holding no live block */
	uint64_t free_2m_blocks;  /* order >= 9 free blocks, in 2 MiB units */
	uint64_t live_end;        /* live blocks at the end */
	const char *error;        /* validation failure, NULL when fine */
};

struct bench_checker;

/*
 * An allocator under test in W1-W4. setup() gives a fresh, empty arena of
 * @pages pages at BENCH_ARENA_BASE (user-space allocators ignore it);
 * pair() and mixed() run one pass, validating every block through @chk
 * when it is not NULL (then untimed).
 */
struct bench_alloc {
	const char *name;
	bool arena;        /* blocks come from the arena (buddy allocators) */
	bool size_aligned; /* blocks are aligned to their size */
	int (*setup)(uint64_t pages);
	void (*teardown)(void);
	void (*pair)(const struct bench_params *p, struct bench_checker *chk,
		     struct bench_result *r);
	void (*mixed)(const struct bench_params *p, struct bench_checker *chk,
		      struct bench_result *r);
};

extern const struct bench_alloc bench_alloc_pmm;
/* pmm with coalescing forced immediate or lazy; nopcp: no per-CPU lists. */
extern const struct bench_alloc bench_alloc_pmm_immediate;
extern const struct bench_alloc bench_alloc_pmm_lazy;
extern const struct bench_alloc bench_alloc_pmm_nopcp_immediate;
extern const struct bench_alloc bench_alloc_pmm_nopcp_lazy;
extern const struct bench_alloc bench_alloc_floor;
/* The second floor: the floor behind per-CPU LIFOs of order-0 pages. */
extern const struct bench_alloc bench_alloc_floor2;
extern const struct bench_alloc bench_alloc_null;
extern const struct bench_alloc bench_alloc_glibc;
extern const struct bench_alloc bench_alloc_jemalloc;
extern const struct bench_alloc bench_alloc_mimalloc;

/* Load jemalloc and mimalloc; Return: 0 or -1 with a message on stderr. */
int bench_libc_init(void);

/* Monotonic clock [ns]. */
uint64_t bench_now_ns(void);

/*
 * Page-aligned memory of at least @bytes, kept across runs in @slot: zero
 * when first mapped; the caller zeroes again what it dirtied.
 */
void *bench_buf_get(int slot, size_t bytes);
/* memset(@p, 0, @bytes), also faulting the pages in. */
void bench_zero(void *p, size_t bytes);
void bench_buf_release(int slot);
enum { BENCH_BUF_PMM_MAP, BENCH_BUF_FLOOR_MAP, BENCH_BUF_BOOT_MAP, BENCH_NR_BUFS };

/* --- validation (check.c) --- */
struct bench_checker *bench_checker_new(uint64_t arena_pages, bool arena,
					bool size_aligned);
void bench_checker_free(struct bench_checker *chk);
/* Record block [@addr, @addr + @bytes); Return: NULL or what is wrong. */
const char *bench_checker_add(struct bench_checker *chk, uint64_t addr,
			      uint64_t bytes);
/* Forget the block at @addr of @bytes; Return: NULL or what is wrong. */
const char *bench_checker_remove(struct bench_checker *chk, uint64_t addr,
				 uint64_t bytes);
/* Return: aligned 2 MiB windows of the arena that hold no live page. */
uint64_t bench_checker_free_windows(const struct bench_checker *chk);

/* --- results (report.c) --- */
#define BENCH_MAX_RUNS 64
/* Print every machine-readable line collected so far. */
void bench_print_lines(void);

/* Print the table head of a workload section (@baseline NULL: values). */
void bench_section(const char *title, const char *unit, const char *baseline);
/* The same, with the table's times divided by @div (1e6: ms). */
void bench_section_div(const char *title, const char *unit,
		       const char *baseline, double div);
/*
 * One figure: a table row and the machine-readable line. @v holds the
 * per-run values [ns]; @base the baseline's median (0: no ratio);
 * @extra more key=value text (may be NULL).
 */
void bench_figure(const char *workload, const char *allocator,
		  const double *v, unsigned int n, double base,
		  const char *extra);
/* A figure that is a single number, not a time (W8, counts). */
void bench_value(const char *workload, const char *allocator,
		 const char *key, double value, const char *extra);
/* Progress text on stderr. */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double bench_median_d(const double *v, unsigned int n);

/* --- the other workloads --- */
struct bench_opts {
	unsigned int runs;
	bool smoke;
	bool buddies_only; /* W1-W4: pmm, floor, floor2 and null only */
	uint64_t arena_pages; /* W1-W4 */
	uint64_t w12_ops, w3_ops, w4_ops, w3_pool, w4_pool;
	unsigned int w5_sizes_gib[8];
	unsigned int w5_nr_sizes;
	unsigned int w5_seed_max_gib; /* page-by-page baseline up to this size */
	uint64_t w6_pages;            /* the big arena of W6 */
	uint64_t w7_ops;
	int failures;                 /* validation failures seen */
};

void bench_w5(struct bench_opts *o);
/* W5T: the 16-node hand-off on one thread and on two (w5_handoff.c). */
void bench_w5t(struct bench_opts *o);
/* W5S: pmm-sim boot of a 12 TiB map and a 1 TiB PC, host faults and all (w5s_sim.c). */
void bench_w5s(struct bench_opts *o);
void bench_w7(struct bench_opts *o);
void bench_w8(struct bench_opts *o);
/* FR: fragmentation with grouping by mobility on and off (waf_frag.c). */
void bench_fr(struct bench_opts *o);
/* WC: contiguous runs after W3's fill, grouping on/off, CMA (wc_contig.c). */
void bench_wc(struct bench_opts *o);
/* WB: order-0 pages in batches, single and bulk calls (wb_bulk.c). */
void bench_wb(struct bench_opts *o);
/* WE: W2/W3 with free page reporting off/on, zeroed allocations (we_elastic.c). */
void bench_we(struct bench_opts *o);
/* pmm's arena for W1-W4, W6 and the W5 seed baseline; handoff=false: empty. */
int bench_pmm_arena(uint64_t pages, bool handoff);

#endif /* PMM_BENCH_H */
