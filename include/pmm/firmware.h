/* SPDX-License-Identifier: MIT */
/*
 * pmm/firmware.h - readers for the memory maps firmware hands a kernel:
 * UEFI GetMemoryMap descriptor arrays (and the "efi: mem" lines Linux prints
 * of them), Multiboot2 boot information, flattened device trees, and the
 * ACPI SRAT and SLIT tables.
 *
 * Every reader appends to the same struct pmm_memmap the e820 and
 * Multiboot v1 readers fill (entries and NUMA ranges), so the sanitizer and
 * everything after it never know which firmware spoke. What an e820 type
 * cannot say - boot-services memory a kernel may keep until it is done with
 * the firmware, mirrored (more reliable) memory, no-map and reusable
 * reserved memory, the initrd and boot modules, NUMA distances, the ACPI
 * root pointer - goes to a struct pmm_fw_info next to the map.
 *
 * Glossary:
 *   descriptor  one UEFI EFI_MEMORY_DESCRIPTOR; descriptors sit desc_size
 *               bytes apart (desc_size >= 40, whatever sizeof says)
 *   cell        one big-endian u32 of a device-tree property
 *   PXM         an ACPI proximity domain; nodes are numbered in the order
 *               their PXM first appears (CPU affinity entries first)
 *   locality    a row/column of the SLIT matrix, indexed by PXM
 *
 * Every range is half-open [start, end) in bytes. Every reader checks each
 * read against the buffer's length, reads multi-byte fields one byte at a
 * time (no alignment is assumed), and on any error leaves the map and the
 * info exactly as they were and fills *err (if not NULL) with a message
 * that names the place: byte offset, descriptor or tag index, node path.
 */
#ifndef PMM_FIRMWARE_H
#define PMM_FIRMWARE_H

#include <pmm/memmap.h>

/*
 * Map types the readers produce besides the e820 numbers:
 * PMM_MEM_SOFT_RESERVED and PMM_MEM_UNACCEPTED (pmm/memmap.h).
 */

/* ---- UEFI ----------------------------------------------------------- */

/* EFI_MEMORY_TYPE numbers (UEFI 2.10 section 7.2). */
enum pmm_efi_type {
	PMM_EFI_RESERVED = 0,
	PMM_EFI_LOADER_CODE = 1,
	PMM_EFI_LOADER_DATA = 2,
	PMM_EFI_BOOT_CODE = 3,
	PMM_EFI_BOOT_DATA = 4,
	PMM_EFI_RUNTIME_CODE = 5,
	PMM_EFI_RUNTIME_DATA = 6,
	PMM_EFI_CONVENTIONAL = 7,
	PMM_EFI_UNUSABLE = 8,
	PMM_EFI_ACPI_RECLAIM = 9,
	PMM_EFI_ACPI_NVS = 10,
	PMM_EFI_MMIO = 11,
	PMM_EFI_MMIO_PORT = 12,
	PMM_EFI_PAL_CODE = 13,
	PMM_EFI_PERSISTENT = 14,
	PMM_EFI_UNACCEPTED = 15,
	PMM_EFI_NR_TYPES = 16,
};

/* EFI_MEMORY_* attribute bits of a descriptor. */
#define PMM_EFI_MEMORY_UC (1ull << 0)
#define PMM_EFI_MEMORY_WC (1ull << 1)
#define PMM_EFI_MEMORY_WT (1ull << 2)
#define PMM_EFI_MEMORY_WB (1ull << 3)
#define PMM_EFI_MEMORY_UCE (1ull << 4)
#define PMM_EFI_MEMORY_WP (1ull << 12)
#define PMM_EFI_MEMORY_RP (1ull << 13)
#define PMM_EFI_MEMORY_XP (1ull << 14)
#define PMM_EFI_MEMORY_NV (1ull << 15)
#define PMM_EFI_MEMORY_MORE_RELIABLE (1ull << 16)
#define PMM_EFI_MEMORY_RO (1ull << 17)
#define PMM_EFI_MEMORY_SP (1ull << 18)
#define PMM_EFI_MEMORY_CPU_CRYPTO (1ull << 19)
#define PMM_EFI_MEMORY_HOT_PLUGGABLE (1ull << 20)
#define PMM_EFI_MEMORY_RUNTIME (1ull << 63)

/* The descriptor layout of version 1; the array's stride may be larger. */
#define PMM_EFI_DESC_VERSION 1u
#define PMM_EFI_DESC_MIN_SIZE 40u
#define PMM_EFI_PAGE_SHIFT 12u

/* One descriptor as read (the bytes are little endian, unaligned). */
struct pmm_efi_desc {
	uint32_t type;       /* enum pmm_efi_type or an OEM/OS number */
	uint64_t phys_start; /* [bytes], 4 KiB aligned */
	uint64_t virt_start; /* [bytes], set by SetVirtualAddressMap */
	uint64_t num_pages;  /* [4 KiB pages] */
	uint64_t attribute;  /* PMM_EFI_MEMORY_* */
};

/* ---- what the map cannot say ------------------------------------------ */

enum pmm_fw_kind {
	PMM_FW_BOOT_SERVICES = 1, /* usable, but firmware's until exit */
	PMM_FW_MIRROR,            /* more reliable (memblock MIRROR) */
	PMM_FW_NOMAP,             /* reserved and never to be mapped */
	PMM_FW_REUSABLE,          /* reserved for a CMA-like pool */
	PMM_FW_INITRD,            /* the initial ramdisk */
	PMM_FW_MODULE,            /* a boot module (reserved) */
	PMM_FW_NONVOLATILE,       /* SRAT: non-volatile memory */
};

struct pmm_fw_range {
	pmm_phys_t start;  /* inclusive */
	pmm_phys_t end;    /* exclusive */
	uint32_t kind;     /* enum pmm_fw_kind */
};

#ifndef PMM_FW_RANGES_MAX
#define PMM_FW_RANGES_MAX 128
#endif
#ifndef PMM_FW_NODES_MAX
#define PMM_FW_NODES_MAX 64
#endif

/* Which reader filled the info last. */
enum pmm_fw_format {
	PMM_FW_FMT_NONE = 0,
	PMM_FW_FMT_EFI,
	PMM_FW_FMT_EFI_LOG,
	PMM_FW_FMT_MB2,
	PMM_FW_FMT_FDT,
	PMM_FW_FMT_SRAT,
	PMM_FW_FMT_SLIT,
};

/*
 * Firmware facts beside the map.
 *   range[0, nr_ranges)      ranges with a kind, in the order read
 *   pxm[n]                   the PXM (or FDT node id) of node n, n < nr_nodes
 *   dist[a][b]               SLIT distance from node a to node b, valid for
 *                            a, b < nr_dist (10 = local); 0 = not given
 *   rsdp_rev, rsdt, xsdt     the ACPI root pointer a Multiboot2 tag carried
 * Invariant (as for the map): slots past nr_ranges are zero bytes.
 */
struct pmm_fw_info {
	struct pmm_fw_range range[PMM_FW_RANGES_MAX];
	unsigned int nr_ranges;
	uint32_t pxm[PMM_FW_NODES_MAX];
	unsigned int nr_nodes;
	uint8_t dist[PMM_FW_NODES_MAX][PMM_FW_NODES_MAX];
	unsigned int nr_dist;
	unsigned int rsdp_rev;      /* 0: none seen, 1: ACPI 1.0, 2: 2.0+ */
	uint64_t rsdt;              /* [bytes] */
	uint64_t xsdt;              /* [bytes], 0 unless rsdp_rev >= 2 */
	pmm_phys_t efi_mmap;        /* unused here: callers may note the map */
	enum pmm_fw_format format;  /* the last reader that succeeded */
};

/* Empty @fw. */
void pmm_fw_info_init(struct pmm_fw_info *fw);

/* Return: a constant name for @fmt ("efi", "mb2", "fdt", "srat", ...). */
const char *pmm_fw_format_name(enum pmm_fw_format fmt);

/* Return: the e820-style map type Linux gives EFI type @type with @attr. */
uint32_t pmm_efi_map_type(uint32_t type, uint64_t attr);

/*
 * Read a UEFI memory map: @len bytes at @buf holding descriptors
 * @desc_size bytes apart, of layout version @desc_version. Contiguous
 * descriptors of one resulting type become one entry; boot-services,
 * loader and more-reliable memory are also noted in @fw (may be NULL).
 * Return: 0, PMM_EPARSE (version, stride below 40, a length that is not
 * a whole number of descriptors), PMM_EOVERFLOW (a range past 2^64),
 * PMM_EINVAL (NULL @m or @buf), PMM_EFULL.
 */
int pmm_memmap_from_efi(struct pmm_memmap *m, struct pmm_fw_info *fw,
			const void *buf, size_t len, uint32_t desc_size,
			uint32_t desc_version, struct pmm_parse_error *err);

/*
 * Read the first run of "efi: memNN: [Type|attrs] range=[a-b] (N MB)"
 * lines of a Linux log booted with efi=debug, as pmm_memmap_from_efi
 * would read the descriptors they print; later runs (the runtime map) are
 * counted in ignored_maps. Return: 0, PMM_EPARSE (no such line, an
 * unknown type or attribute, a bad range; err->line says where),
 * PMM_EFULL.
 */
int pmm_memmap_parse_efi_log(struct pmm_memmap *m, struct pmm_fw_info *fw,
			     const char *text, size_t len,
			     struct pmm_parse_error *err);

/*
 * Read a Multiboot2 boot information block: the memory-map tag (6), the
 * EFI memory-map tag (17, read as pmm_memmap_from_efi and preferred when
 * both exist), module tags (3) as reserved ranges noted in @fw, and the
 * ACPI RSDP tags (14, 15; checksums verified) into @fw.
 * Return: 0, PMM_EPARSE (truncated, a size past the end, an entry size
 * below 24, no end tag, no memory map, a bad RSDP checksum),
 * PMM_EOVERFLOW, PMM_EFULL, PMM_EINVAL.
 */
int pmm_memmap_from_mb2(struct pmm_memmap *m, struct pmm_fw_info *fw,
			const void *buf, size_t len,
			struct pmm_parse_error *err);

/*
 * Read a flattened device tree: the reg of every /memory* node (under the
 * root's #address-cells and #size-cells, 1 or 2 each) as usable memory
 * with its numa-node-id, /reserved-memory children's reg as reserved
 * (no-map and reusable noted in @fw), the /memreserve/ block as reserved,
 * and /chosen's linux,initrd-start/end noted in @fw; /distance-map's
 * distance-matrix fills @fw's distances. Return: 0, PMM_EPARSE (bad magic
 * or version, a block or property past the end, cells other than 1 or 2,
 * a reg that is not whole entries, overlapping memory regs, a zero-length
 * reg, no memory node), PMM_EOVERFLOW, PMM_EFULL, PMM_EINVAL.
 */
int pmm_memmap_from_fdt(struct pmm_memmap *m, struct pmm_fw_info *fw,
			const void *buf, size_t len,
			struct pmm_parse_error *err);

/*
 * Read an ACPI SRAT: every enabled memory affinity structure becomes a
 * NUMA range of @m (node numbered by first appearance of its PXM, CPU
 * affinities first; hot-pluggable kept, non-volatile noted in @fw).
 * Return: 0, PMM_EPARSE (signature, length, checksum, a subtable past the
 * end or shorter than its type, an enabled range of length 0, ranges of
 * two nodes that overlap), PMM_EOVERFLOW, PMM_EFULL, PMM_EINVAL.
 */
int pmm_memmap_from_srat(struct pmm_memmap *m, struct pmm_fw_info *fw,
			 const void *buf, size_t len,
			 struct pmm_parse_error *err);

/*
 * Read an ACPI SLIT into @fw's distance matrix, rows and columns mapped
 * from PXM to node through @fw (identity for a PXM the SRAT did not name).
 * Return: 0, PMM_EPARSE (signature, length, checksum, a matrix past the
 * end, a local distance other than 10 or a remote one of 10 or less),
 * PMM_EFULL (more localities than PMM_FW_NODES_MAX), PMM_EINVAL.
 */
int pmm_fw_from_slit(struct pmm_fw_info *fw, const void *buf, size_t len,
		     struct pmm_parse_error *err);

/*
 * Map a Linux 7.0 e820 label ("System RAM", "device reserved",
 * "persistent RAM (type 7)", or an older one) filling [@s, @s + @n) to an
 * e820 type. Return: true and *@type set, or false for no known label.
 */
bool pmm_e820_label_type(const char *s, size_t n, uint32_t *type);

/*
 * Return: true if [@s, @s + @n), the text after "BIOS-e820: ", is a
 * Linux 7.0 "[gap 0x...-0x...]" line, which is no memory.
 */
bool pmm_e820_is_gap(const char *s, size_t n);

#endif /* PMM_FIRMWARE_H */
