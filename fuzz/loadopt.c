/* The image's load options (efi/loadopt.c) as config_read (efi/files.c)
 * converts them: UCS-2 from the firmware, appended after the config file
 * into the rest of the 16 KiB config block; then both readers of the text
 * (kernel/config.c, efi/cfgscan.c) must agree on it.
 * Input: 2 bytes choose how much of the block the file took (0..8193), the
 * rest is LoadOptions, LoadOptionsSize bytes.
 * fuzz-dict: config.dict */
#include <string.h>
#include <kernel/config.h>
#include "../efi/cfgscan.h"
#include "../efi/loadopt.h"
#include "common/fuzz.h"

#define CONFIG_MAX 16384u /* efi/loader.h */

static void emit16(const char *name, const char *ascii)
{
	uint8_t b[512];
	size_t n = strlen(ascii);

	b[0] = 0x80, b[1] = 0; /* a file of 128 bytes before the options */
	for (size_t i = 0; i <= n; i++)
		b[2 + 2 * i] = (uint8_t)ascii[i], b[3 + 2 * i] = 0;
	fuzz_emit(name, b, 2 + 2 * (n + 1));
}

void fuzz_seeds(void)
{
	static const uint8_t binary[] = { 0x80, 0, 0x01, 0x00, 0x02, 0x00, 0xff, 0xfe, 'a', 0 };

	emit16("shell", "\\EFI\\BOOT\\BOOTX64.EFI on_finish=shutdown audit=full");
	emit16("boot_entry", "reports_keep=3 known_bad=forget\tsmp=2\r\n");
	emit16("bad_values", "fs0:\\x.efi reports_keep=0 reports_keep=3x serial=com9");
	fuzz_emit("binary_optional_data", binary, sizeof(binary));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;
	size_t file, cap, bytes;
	uint16_t *opts;
	char *block;
	long n;

	if (size < 2)
		return 0;
	file = (data[0] | (size_t)data[1] << 8) % (CONFIG_MAX / 2 + 2);
	cap = CONFIG_MAX - file;
	bytes = size - 2;
	opts = malloc(bytes ? bytes : 1); /* exactly LoadOptionsSize bytes */
	block = malloc(CONFIG_MAX);
	FUZZ_CHECK(opts && block);
	memcpy(opts, data + 2, bytes);
	memset(block, 'a', file); /* the file's text; its last line ends */
	if (file)
		block[file - 1] = '\n';
	n = loadopt_to_config(opts, bytes, block + file, cap);
	free(opts);
	FUZZ_CHECK(n >= -1 && n < (long)cap);
	FUZZ_CHECK(block[file + (n < 0 ? 0 : n)] == 0);
	for (long i = 0; i < n; i++) {
		char ch = block[file + i];

		FUZZ_CHECK(ch == '\n' || (ch > 0x20 && ch < 0x7f));
	}
	if (n > 0) {
		size_t len = file + (size_t)n;

		config_defaults(&c);
		config_parse(&c, block, len);
		FUZZ_CHECK(cfgscan_reports_keep(block, len) == c.reports_keep);
		FUZZ_CHECK(cfgscan_forget_known_bad(block, len) == c.forget_known_bad);
	}
	free(block);
	return 0;
}
