/* SPDX-License-Identifier: MIT */
/*
 * host_platform.c - the platform seam for user-space hosts (see
 * host_platform.h). How it meets pmm/platform.h's requirements:
 *   map      simulated physical memory is one host mapping, so map() is
 *            linear, permanent and the same constant offset for every
 *            address (what the slab layer needs);
 *   locks    a spinlock of its own on one word of the opaque bytes, 0
 *            free (not pthread_spinlock_t: glibc's free value is 1 on
 *            x86), so a PMM_LOCK_INIT lock is free and lock_init() is
 *            not needed; never sleeps, not recursive;
 *   cpu_id   a thread-local number (host_set_cpu()), stable for the
 *            thread's life; tests give each thread its own;
 *   run_on_cpus  opt.cpus - 1 threads besides the caller, numbered after
 *            the caller's CPU, take jobs from a shared counter; joined
 *            before the hook returns (the join orders their writes).
 *   memmap_populate  with opt.virtual_memmap: simulated physical memory
 *            is a memfd mapped shared, and a descriptor slice is that
 *            file mapped again over the array (MAP_FIXED) at the
 *            physical address asked for: the same bytes through map()
 *            and through pmm_mem_map, as a kernel's page tables would
 *            make them. Depopulate maps fresh zero pages back.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "host_cpu.h"
#include "host_platform.h"

_Static_assert(sizeof(int) <= PMM_LOCK_SIZE, "lock fits");

static struct {
	struct host_platform_options opt;
	unsigned char *phys;
	size_t phys_len;
	int phys_fd;             /* memfd of physical memory (virtual_memmap), or -1 */
	void *memmap;
	size_t memmap_len;
	unsigned int reports;
	uint64_t reported_pages;  /* handed over by report_free */
	uint64_t reclaimed_pages; /* given back by reclaim_reported */
	int last_err;
	char last_msg[256];
	uint64_t run_cpu_max_ns, run_cpu_sum_ns; /* the last run_on_cpus */
	char *capture;
	size_t capture_len;
	bool capturing;
	pthread_mutex_t capture_lock;
} host = { .capture_lock = PTHREAD_MUTEX_INITIALIZER, .phys_fd = -1 };

/* The calling thread's CPU (host_cpu.h reads it inline in some builds). */
_Thread_local unsigned int host_this_cpu;

static void host_log(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	if (host.capturing) {
		pthread_mutex_lock(&host.capture_lock);
		char *p = realloc(host.capture, host.capture_len + len + 1);
		if (p) {
			memcpy(p + host.capture_len, s, len);
			host.capture_len += len;
			p[host.capture_len] = '\0';
			host.capture = p;
		}
		pthread_mutex_unlock(&host.capture_lock);
	}
	if (!host.opt.quiet)
		fwrite(s, 1, len, stdout);
}

static void host_report(void *ctx, int err, const char *func, const char *msg)
{
	(void)ctx;
	host.reports++;
	host.last_err = err;
	snprintf(host.last_msg, sizeof(host.last_msg), "%s: %s", func, msg);
	if (!host.opt.quiet_reports)
		fprintf(stderr, "pmm: %s: %s (%s)\n", func, msg, pmm_strerror(err));
}

static void *host_map(void *ctx, pmm_phys_t pa, size_t size, bool *zeroed)
{
	(void)ctx;
	*zeroed = false;
	if (host.opt.untouchable || !host.phys)
		return NULL;
	if (pa > host.phys_len || size > host.phys_len - pa)
		return NULL;
	return host.phys + pa;
}

/*
 * The hand-off writes one descriptor per 4 MiB block: every third host
 * page of the array, each first touch a host page fault (3-5 us here).
 * Reserved huge pages (MAP_HUGETLB, when the host has a pool that big)
 * make that a few faults per GiB; without them the array takes plain
 * pages, faulted in as the boot touches them. Transparent huge pages
 * (MADV_HUGEPAGE) are not asked for: they make the whole array resident
 * (37.5 GiB for 12 TiB) and, measured on a loaded host, their compaction
 * stalls made a 1 TiB boot 5-15 s instead of about 2.
 */
#define HUGE_PAGE ((size_t)2 << 20)

/* Map @bytes for the array; *@len gets the length mapped (for munmap). */
static void *map_memmap(size_t bytes, size_t *len)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	*len = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	/* slices of a virtual memmap are remapped a 4 KiB page at a time */
	void *p = host.opt.virtual_memmap ? MAP_FAILED
		  : mmap(NULL, *len, PROT_READ | PROT_WRITE, flags | MAP_HUGETLB, -1, 0);
	if (p != MAP_FAILED)
		return p;
	*len = bytes;
	return mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags | MAP_NORESERVE, -1, 0);
}

static void *host_memmap_alloc(void *ctx, size_t bytes, bool *zeroed)
{
	size_t len;
	(void)ctx;
	void *p = map_memmap(bytes, &len);
	*zeroed = true;
	if (p == MAP_FAILED)
		return NULL;
	if (host.memmap)
		munmap(host.memmap, host.memmap_len);
	host.memmap = p;
	host.memmap_len = len;
	return p;
}

/* The lock word: 0 free, 1 held (all zero bytes are a free lock). */
static int *lock_word(struct pmm_lock *lock)
{
	return (int *)(void *)lock->opaque;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Test-and-test-and-set: spin on a plain load, not on the exchange. */
static void host_lock(void *ctx, struct pmm_lock *lock)
{
	int *w = lock_word(lock);
	(void)ctx;
	while (__atomic_exchange_n(w, 1, __ATOMIC_ACQUIRE) != 0)
		while (__atomic_load_n(w, __ATOMIC_RELAXED) != 0)
			cpu_relax();
}

static void host_unlock(void *ctx, struct pmm_lock *lock)
{
	(void)ctx;
	__atomic_store_n(lock_word(lock), 0, __ATOMIC_RELEASE);
}

/* One run_on_cpus call: the jobs, taken in turn from @next. */
struct host_jobs {
	void (*fn)(void *arg, unsigned int job);
	void *arg;
	unsigned int nr_jobs;
	unsigned int next;
};

struct host_worker {
	pthread_t thread;
	struct host_jobs *jobs;
	unsigned int cpu;
	uint64_t cpu_ns; /* the thread's CPU time taking jobs */
	bool done;       /* set (release) when it has taken its last job */
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Take jobs until none is left. Return: the CPU time that took [ns]. */
static uint64_t host_jobs_take(struct host_jobs *j)
{
	uint64_t t0 = thread_cpu_ns();
	unsigned int job;
	while ((job = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) < j->nr_jobs)
		j->fn(j->arg, job);
	return thread_cpu_ns() - t0;
}

/*
 * The threads opt.cpus_online started at install: they spin until a
 * run_on_cpus call publishes its jobs in @jobs (the first call takes
 * them), or until HOST_ONLINE_WAIT_NS passed. Thread start on a VM can
 * take milliseconds (3.6-3.9 ms measured on a loaded 2-vCPU guest),
 * longer than the hand-off it is meant to share.
 */
#define HOST_ONLINE_WAIT_NS 2000000000ull

static uint64_t host_now_ns(void *ctx);

static struct {
	struct host_worker w[PMM_NR_CPUS];
	unsigned int n;
	struct host_jobs *jobs;
} online;

/* The jobs a started thread takes: its call's, or (an online thread) the
 * first call's once published; NULL when none came in time. */
static struct host_jobs *worker_jobs(const struct host_worker *w)
{
	if (w->jobs != NULL)
		return w->jobs;
	uint64_t give_up = host_now_ns(NULL) + HOST_ONLINE_WAIT_NS;
	struct host_jobs *j;
	while ((j = __atomic_load_n(&online.jobs, __ATOMIC_ACQUIRE)) == NULL &&
	       host_now_ns(NULL) < give_up)
		cpu_relax();
	return j;
}

static void *host_worker_main(void *arg)
{
	struct host_worker *w = arg;
	host_set_cpu(w->cpu);
	struct host_jobs *j = worker_jobs(w);
	if (j != NULL)
		w->cpu_ns = host_jobs_take(j);
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Start the threads of opt.cpus_online (CPUs after the caller's). */
static void online_start(void)
{
	unsigned int cpus = host.opt.cpus < PMM_NR_CPUS ? host.opt.cpus : PMM_NR_CPUS;
	for (unsigned int k = 1; k < cpus; k++) {
		struct host_worker *w = &online.w[online.n];
		*w = (struct host_worker){ .cpu = (host_this_cpu + k) % PMM_NR_CPUS };
		if (pthread_create(&w->thread, NULL, host_worker_main, w) != 0)
			break;
		online.n++;
	}
}

/* Spin until @n threads of @w are done (a join alone waits for the
 * scheduler to wake this thread, milliseconds on a loaded host), then
 * join them. */
static void workers_join(struct host_worker *w, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		while (!__atomic_load_n(&w[k].done, __ATOMIC_ACQUIRE))
			cpu_relax();
		pthread_join(w[k].thread, NULL);
	}
}

/* Hand @jobs to the online threads, if any; Return: how many there were. */
static unsigned int online_publish(struct host_jobs *jobs)
{
	if (online.n > 0)
		__atomic_store_n(&online.jobs, jobs, __ATOMIC_RELEASE);
	return online.n;
}

/* Forget the online threads: a call took them (or none were started). */
static void online_reset(void)
{
	online.n = 0;
	online.jobs = NULL;
}

/* Join the online threads after a call published @jobs to them. */
static void online_finish(void)
{
	workers_join(online.w, online.n);
	online_reset();
}

/* Record the CPU time of one call: the caller's @own and the workers'. */
static void note_run_cpu(uint64_t own, const struct host_worker *w,
			 unsigned int n)
{
	host.run_cpu_max_ns = own;
	host.run_cpu_sum_ns = own;
	for (unsigned int k = 0; k < n; k++) {
		host.run_cpu_sum_ns += w[k].cpu_ns;
		if (w[k].cpu_ns > host.run_cpu_max_ns)
			host.run_cpu_max_ns = w[k].cpu_ns;
	}
}

static int host_run_on_cpus(void *ctx, void (*fn)(void *arg, unsigned int job),
			    void *arg, unsigned int nr_jobs)
{
	struct host_jobs jobs = { fn, arg, nr_jobs, 0 };
	struct host_worker w[PMM_NR_CPUS];
	unsigned int threads = host.opt.cpus < nr_jobs ? host.opt.cpus : nr_jobs;
	unsigned int started = 0;
	(void)ctx;
	struct host_worker *ws = w;
	if (online_publish(&jobs) > 0) {
		ws = online.w;
		started = online.n;
		threads = 0; /* the online threads are the others */
	}
	if (threads > PMM_NR_CPUS)
		threads = PMM_NR_CPUS;
	for (unsigned int k = 1; k < threads; k++) {
		w[started] = (struct host_worker){
			.jobs = &jobs, .cpu = (host_this_cpu + k) % PMM_NR_CPUS };
		if (pthread_create(&w[started].thread, NULL, host_worker_main,
				   &w[started]) != 0)
			break; /* the caller takes what the others do not */
		started++;
	}
	uint64_t own = host_jobs_take(&jobs);
	workers_join(ws, started);
	note_run_cpu(own, ws, started);
	online_reset();
	return 0;
}

static unsigned int host_cpu_id(void *ctx)
{
	(void)ctx;
	return host_this_cpu;
}

static uint64_t host_now_ns(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Give the host pages of [@pa, + @len) of simulated memory back, so that
 * they read zero when touched again: a hole punched in the memfd, or
 * MADV_DONTNEED on the private mapping. qemu-i386 (the 32-bit tests on a
 * kernel without 32-bit support) takes madvise(MADV_REMOVE) and does
 * nothing, but passes fallocate() through; where neither works, zero.
 */
static void host_discard(pmm_phys_t pa, size_t len)
{
	int err = host.phys_fd >= 0
			  ? fallocate(host.phys_fd,
				      FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      (off_t)pa, (off_t)len)
			  : madvise(host.phys + pa, len, MADV_DONTNEED);
	if (err != 0)
		memset(host.phys + pa, 0, len);
}

/* Free page reporting: the blocks' host pages are discarded, so they
 * read zero when touched again (as a balloon's discard does). */
static int host_report_free(void *ctx, const pmm_pfn_t *pfns,
			    const pmm_order_t *orders, unsigned int n)
{
	(void)ctx;
	if (host.opt.report_declines)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t pages = (uint64_t)1 << orders[i];
		pmm_phys_t pa = PMM_PFN_PHYS(pfns[i]);
		size_t len = (size_t)PMM_PFN_PHYS(pages);
		if (host.phys != NULL && pa < host.phys_len &&
		    len <= host.phys_len - pa)
			host_discard(pa, len);
		host.reported_pages += pages;
	}
	return 0;
}

static void host_reclaim_reported(void *ctx, pmm_pfn_t pfn, pmm_order_t order)
{
	(void)ctx;
	(void)pfn;
	host.reclaimed_pages += (uint64_t)1 << order;
}

uint64_t host_reported_pages(void)
{
	return host.reported_pages;
}

uint64_t host_reclaimed_pages(void)
{
	return host.reclaimed_pages;
}

/* A memfd of @size bytes for physical memory. Return: its fd, or -1. */
static int phys_file(pmm_phys_t size)
{
	int fd = memfd_create("pmm-phys", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int map_phys(pmm_phys_t size, bool shared)
{
	if (size == 0)
		return 0;
	if (size > (pmm_phys_t)SIZE_MAX)
		return -1;
	int fd = shared ? phys_file(size) : -1;
	if (shared && fd < 0)
		return -1;
	void *p = shared ? mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_NORESERVE, fd, 0)
			 : mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	host.phys = p;
	host.phys_len = (size_t)size;
	host.phys_fd = fd;
	return 0;
}

/* True when [@va, +@bytes) is page-aligned and inside the array. */
static bool slice_ok(const void *va, size_t bytes)
{
	const unsigned char *a = host.memmap, *v = va;
	return a != NULL && v >= a && bytes <= host.memmap_len &&
	       (size_t)(v - a) <= host.memmap_len - bytes &&
	       ((uintptr_t)v | bytes) % PMM_PAGE_SIZE == 0;
}

static int host_memmap_populate(void *ctx, void *va, size_t bytes, pmm_phys_t pa)
{
	(void)ctx;
	if (!slice_ok(va, bytes) || pa % PMM_PAGE_SIZE != 0 ||
	    pa > host.phys_len || bytes > host.phys_len - pa)
		return PMM_EINVAL;
	void *p = mmap(va, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		       host.phys_fd, (off_t)pa);
	return p == MAP_FAILED ? PMM_ENOMEM : 0;
}

static void host_memmap_depopulate(void *ctx, void *va, size_t bytes)
{
	(void)ctx;
	if (slice_ok(va, bytes))
		(void)mmap(va, bytes, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

int host_platform_install(const struct host_platform_options *opt)
{
	host_platform_remove();
	host.opt = *opt;
	if (!opt->untouchable && map_phys(opt->phys_size, opt->virtual_memmap) != 0)
		return -1;
	struct pmm_platform p = {
		.log = host_log,
		.bug = host_report,
		.map = host_map,
		.memmap_alloc = host_memmap_alloc,
		.lock = host_lock,
		.unlock = host_unlock,
		.cpu_id = host_cpu_id,
		.now_ns = host_now_ns,
		.run_on_cpus = opt->cpus >= 1 ? host_run_on_cpus : NULL,
	};
	if (opt->virtual_memmap && !opt->untouchable) {
		p.memmap_populate = host_memmap_populate;
		p.memmap_depopulate = host_memmap_depopulate;
	}
	if (opt->reporting) {
		p.report_free = host_report_free;
		p.reclaim_reported = host_reclaim_reported;
		p.reported_reads_zero = true;
	}
	pmm_platform_set(&p);
	if (opt->cpus_online)
		online_start();
	return 0;
}

void host_platform_remove(void)
{
	static struct host_jobs none; /* no jobs: releases online threads */
	if (online_publish(&none) > 0)
		online_finish();
	if (host.phys)
		munmap(host.phys, host.phys_len);
	if (host.phys_fd >= 0)
		close(host.phys_fd);
	host.phys_fd = -1;
	if (host.memmap)
		munmap(host.memmap, host.memmap_len);
	host.memmap = NULL;
	host.memmap_len = 0;
	host.phys = NULL;
	host.phys_len = 0;
	host.reports = 0;
	host.reported_pages = 0;
	host.reclaimed_pages = 0;
	host.last_err = 0;
	host.last_msg[0] = '\0';
	host.run_cpu_max_ns = 0;
	host.run_cpu_sum_ns = 0;
	pmm_platform_set(NULL);
}

void host_last_run_cpu_ns(uint64_t *max, uint64_t *sum)
{
	*max = host.run_cpu_max_ns;
	*sum = host.run_cpu_sum_ns;
}

unsigned int host_report_count(void) { return host.reports; }
int host_last_report_err(void) { return host.last_err; }
const char *host_last_report_msg(void) { return host.last_msg; }

void host_log_capture_start(void)
{
	free(host.capture);
	host.capture = NULL;
	host.capture_len = 0;
	host.capturing = true;
}

char *host_log_capture_stop(void)
{
	char *s = host.capture ? host.capture : strdup("");
	host.capture = NULL;
	host.capture_len = 0;
	host.capturing = false;
	return s;
}

void host_set_cpu(unsigned int cpu) { host_this_cpu = cpu; }

void *host_phys_ptr(pmm_phys_t pa)
{
	if (!host.phys || pa >= host.phys_len)
		return NULL;
	return host.phys + pa;
}
