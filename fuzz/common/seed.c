/* Linked into every harness: with FUZZ_SEED_DIR set in the environment, the
 * harness writes its seed corpus there and exits instead of fuzzing
 * (fuzz/run.py does this before each campaign). */
#include <errno.h>
#include <string.h>
#include "fuzz.h"

static const char *seed_dir;

void fuzz_emit(const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", seed_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "fuzz: cannot write seed %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

void fuzz_emit_file(const char *name, const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "fuzz: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fuzz_emit(name, buf, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	seed_dir = getenv("FUZZ_SEED_DIR");
	if (seed_dir && *seed_dir) {
		fuzz_seeds();
		exit(0);
	}
	return 0;
}
