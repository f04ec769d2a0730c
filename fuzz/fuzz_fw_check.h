/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fw_check.h - what the firmware-reader fuzz targets share: run one
 * reader on a map and info block that already hold something, and prove
 * the contract of pmm/firmware.h - an error only from the documented set,
 * with a NUL-terminated message that names the reader, and the map and
 * info byte for byte as they were; on success, NUMA ranges that are not
 * empty and a raw map the sanitizer oracle (fuzz_memmap_check.h) accepts.
 */
#ifndef PMM_FUZZ_FW_CHECK_H
#define PMM_FUZZ_FW_CHECK_H

#include <pmm/firmware.h>

#include "fuzz_memmap_check.h"

struct fuzz_fw {
	struct pmm_memmap m, m0;
	struct pmm_fw_info fw, fw0;
	struct pmm_parse_error err;
};

/* A map of one low usable range and an info block of one note. */
static inline void fuzz_fw_start(struct fuzz_fw *f)
{
	pmm_memmap_init(&f->m);
	pmm_memmap_add(&f->m, 0, 0x9fc00, PMM_MEM_USABLE);
	pmm_fw_info_init(&f->fw);
	f->fw.range[0].start = 0x1000;
	f->fw.range[0].end = 0x2000;
	f->fw.range[0].kind = PMM_FW_INITRD;
	f->fw.nr_ranges = 1;
	f->m0 = f->m;
	f->fw0 = f->fw;
	memset(&f->err, 0, sizeof(f->err));
	f->err.msg[0] = '\0';
}

static inline bool fuzz_fw_err_ok(int err)
{
	return err == PMM_EPARSE || err == PMM_EOVERFLOW || err == PMM_EFULL ||
	       err == PMM_EOVERLAP;
}

/* Check the outcome @err of a read by @who. */
static inline void fuzz_fw_check(struct fuzz_fw *f, int err, const char *who)
{
	unsigned int i;

	if (err != 0) {
		if (!fuzz_fw_err_ok(err))
			FUZZ_FAIL("%s: unexpected error %d", who, err);
		if (memcmp(&f->m, &f->m0, sizeof(f->m)) != 0 ||
		    memcmp(&f->fw, &f->fw0, sizeof(f->fw)) != 0)
			FUZZ_FAIL("%s: failed read (%d) changed the map or info", who, err);
		if (memchr(f->err.msg, '\0', sizeof(f->err.msg)) == NULL ||
		    strncmp(f->err.msg, who, strlen(who)) != 0)
			FUZZ_FAIL("%s: message '%.40s' does not name the reader", who,
				  f->err.msg);
		return;
	}
	for (i = 0; i < f->m.nr_numa; i++)
		if (f->m.numa[i].start >= f->m.numa[i].end)
			FUZZ_FAIL("%s: empty NUMA range %u", who, i);
	for (i = 0; i < f->fw.nr_ranges; i++)
		if (f->fw.range[i].start >= f->fw.range[i].end)
			FUZZ_FAIL("%s: empty note %u", who, i);
	fuzz_check_sanitize(&f->m, 0);
}

/* A copy of @data in an exactly sized heap block (ASan sees overreads). */
static inline unsigned char *fuzz_fw_copy(const uint8_t *data, size_t size)
{
	unsigned char *buf = malloc(size ? size : 1);

	if (buf != NULL && size)
		memcpy(buf, data, size);
	return buf;
}

/* Run @read (named @who) on a heap copy of @data and check the outcome. */
static inline void fuzz_fw_run(const uint8_t *data, size_t size,
			       int (*read)(struct pmm_memmap *, struct pmm_fw_info *,
					   const void *, size_t,
					   struct pmm_parse_error *),
			       const char *who)
{
	static struct fuzz_fw f;
	unsigned char *buf = fuzz_fw_copy(data, size);

	if (buf == NULL)
		return;
	fuzz_fw_start(&f);
	fuzz_fw_check(&f, read(&f.m, &f.fw, buf, size, &f.err), who);
	free(buf);
}

#endif /* PMM_FUZZ_FW_CHECK_H */
