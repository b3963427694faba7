/* The loader's own-path parser (efi/selfpath.c) as efi/files.c calls it:
 * selfpath_file(FilePath, self, SELFPATH_MAX), then selfpath_dir_len. A
 * firmware's device path has no stated length; selfpath.c promises to read
 * at most 4096 bytes of it, so the input sits in an exact 4096-byte buffer,
 * the rest filled with harmless vendor nodes (type 1, length 4) that carry a
 * path without end node to the bound. */
#include <string.h>
#include "../efi/selfpath.h"
#include "common/fuzz.h"

#define DP_MAX 4096u

static uint8_t dp[DP_MAX];
static size_t used;

static void node(uint8_t type, uint8_t sub, const char *ascii, int nul)
{
	size_t chars = ascii ? strlen(ascii) + (nul ? 1 : 0) : 0;
	uint32_t len = 4 + 2 * (uint32_t)chars;

	dp[used] = type;
	dp[used + 1] = sub;
	dp[used + 2] = (uint8_t)len;
	dp[used + 3] = (uint8_t)(len >> 8);
	for (size_t i = 0; i < chars; i++) {
		dp[used + 4 + 2 * i] = i < strlen(ascii) ? (uint8_t)ascii[i] : 0;
		dp[used + 5 + 2 * i] = 0;
	}
	used += len;
}

/* test_selfpath.c's paths */
void fuzz_seeds(void)
{
	used = 0;
	node(4, 4, "\\EFI\\BOOT\\BOOTX64.EFI", 1);
	node(0x7f, 0xff, NULL, 0);
	fuzz_emit("one_node", dp, used);
	used = 0;
	node(4, 4, "EFI", 1);
	node(4, 4, "\\tools", 1);
	node(4, 4, "metaslot.efi", 1);
	node(0x7f, 0xff, NULL, 0);
	fuzz_emit("node_per_component", dp, used);
	used = 0;
	node(2, 1, "xx", 0);
	node(4, 1, "hdhdhdhdhdhdhdhdhdhd", 0);
	node(4, 4, "/A.EFI", 0);
	node(0x7f, 0xff, NULL, 0);
	fuzz_emit("other_nodes", dp, used);
	used = 0;
	node(1, 3, "mem-map-node", 0);
	node(0x7f, 0xff, NULL, 0);
	fuzz_emit("no_file_node", dp, used);
}

static uint16_t out[SELFPATH_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(DP_MAX);
	size_t n = size < DP_MAX ? size : DP_MAX, dir;
	int r;

	FUZZ_CHECK(buf);
	memcpy(buf, data, n);
	for (size_t i = n; i < DP_MAX; i++)
		buf[i] = (i - n) % 4 == 0 ? 1 : (i - n) % 4 == 2 ? 4 : (i - n) % 4 == 1;
	memset(out, 0xaa, sizeof(out));
	r = selfpath_file(buf, out, SELFPATH_MAX);
	free(buf);
	FUZZ_CHECK(r >= -1 && r < (int)SELFPATH_MAX);
	if (r < 0)
		return 0;
	/* one absolute path with '\' separators, terminated, as long as said */
	FUZZ_CHECK(out[r] == 0);
	for (int i = 0; i < r; i++)
		FUZZ_CHECK(out[i] && out[i] != '/');
	FUZZ_CHECK(!r || out[0] == '\\');
	dir = selfpath_dir_len(out);
	FUZZ_CHECK(dir <= (size_t)r && (!r || dir >= 1) && (!dir || out[dir - 1] == '\\'));
	for (size_t i = dir; i < (size_t)r; i++)
		FUZZ_CHECK(out[i] != '\\');
	return 0;
}
