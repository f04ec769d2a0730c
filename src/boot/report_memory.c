/* SPDX-License-Identifier: MIT */
/*
 * report_memory.c - the memory blocks of elastic memory as Linux's
 * /sys/devices/system/memory shows them (block_size_bytes in hex,
 * memoryN/{state,phys_index,valid_zones,removable}, plus the node the
 * memoryN directory links to, and where its page descriptors live), as
 * text and as JSON. Only blocks with
 * memory (online or offline) are listed, as Linux creates directories
 * for present sections only.
 */
#include <pmm/elastic.h>
#include <pmm/fmt.h>
#include <pmm/report.h>

void pmm_report_memory_blocks(const struct pmm_out *out)
{
	struct pmm_memory_block_info info;
	if (pmm_memory_block_count() == 0)
		return;
	pmm_fmt(out, "block_size_bytes: %llx\n",
		(unsigned long long)pmm_memory_block_bytes());
	for (unsigned int id = 0; pmm_memory_block_get(id, &info) == 0; id++) {
		if (info.state == PMM_BLOCK_ABSENT)
			continue;
		pmm_fmt(out, "memory%u: state %s phys_index %08llx node %d "
			"valid_zones %s removable %d%s", id,
			pmm_block_state_name(info.state),
			(unsigned long long)info.phys_index, info.nid,
			info.valid_zones, info.removable ? 1 : 0,
			info.hot ? " (hot-added)" : "");
		if (info.memmap_pages != 0)
			pmm_fmt(out, " descriptors: %s, %u pages", info.memmap,
				info.memmap_pages);
		pmm_fmt(out, "\n");
	}
}

void pmm_report_memory_blocks_json(const struct pmm_out *out)
{
	struct pmm_memory_block_info info;
	const char *sep = "";
	pmm_fmt(out, "{\"block_size_bytes\":%llu,\"blocks\":[",
		(unsigned long long)pmm_memory_block_bytes());
	for (unsigned int id = 0; pmm_memory_block_get(id, &info) == 0; id++) {
		if (info.state == PMM_BLOCK_ABSENT)
			continue;
		pmm_fmt(out, "%s{\"id\":%u,\"state\":\"%s\",\"phys_index\":\"%08llx\","
			"\"node\":%d,\"valid_zones\":\"%s\",\"removable\":%d,"
			"\"hot\":%s,\"memmap\":\"%s\",\"memmap_pages\":%u}", sep, id,
			pmm_block_state_name(info.state),
			(unsigned long long)info.phys_index, info.nid,
			info.valid_zones, info.removable ? 1 : 0,
			info.hot ? "true" : "false", info.memmap, info.memmap_pages);
		sep = ",";
	}
	pmm_fmt(out, "]}");
}
