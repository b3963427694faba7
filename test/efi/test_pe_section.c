/* Host tests of efi/pe_section.c: finding .kernel in a loaded PE image, and
 * refusing every header that points outside the image. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../efi/pe_section.h"

#define PE_OFF 0x80
#define TAB    (PE_OFF + 24 + 240)  /* PE32+ optional header with 16 directories */

static uint8_t img[0x4000];

static void w(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void section(int i, const char *name, uint32_t va, uint32_t vsize)
{
	uint8_t *s = img + TAB + 40 * i;

	memset(s, 0, 40);
	memcpy(s, name, strnlen(name, 8));
	w(s + 8, vsize, 4);
	w(s + 12, va, 4);
}

/* An image like gnu-efi's: .text, .data, .sbat, then .kernel. */
static void make_image(void)
{
	memset(img, 0, sizeof(img));
	img[0] = 'M';
	img[1] = 'Z';
	w(img + 0x3c, PE_OFF, 4);
	memcpy(img + PE_OFF, "PE\0\0", 4);
	w(img + PE_OFF + 4, 0x8664, 2);
	w(img + PE_OFF + 6, 4, 2);
	w(img + PE_OFF + 20, 240, 2);
	section(0, ".text", 0x1000, 0x800);
	section(1, ".data", 0x2000, 0x100);
	section(2, ".sbat", 0x2800, 0x40);
	section(3, ".kernel", 0x3000, 0x123);
	memset(img + 0x3000, 0x7f, 0x123);
}

static void finds_the_kernel_section(void **st)
{
	(void)st;
	const void *p = NULL;
	uint64_t n = 0;

	make_image();
	assert_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	assert_ptr_equal(p, img + 0x3000);
	assert_int_equal(n, 0x123);
	assert_null(pe_section_find(img, sizeof(img), ".sbat", &p, &n));
	assert_ptr_equal(p, img + 0x2800);
}

static void names_match_exactly(void **st)
{
	(void)st;
	const void *p;
	uint64_t n;

	make_image();
	section(3, ".kernelX", 0x3000, 0x123);   /* a longer name is another section */
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	section(3, ".kern", 0x3000, 0x123);      /* so is a prefix */
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	section(3, ".kernel1", 0x3000, 0x123);   /* eight characters, no NUL */
	assert_null(pe_section_find(img, sizeof(img), ".kernel1", &p, &n));
}

static void missing_section_is_reported(void **st)
{
	(void)st;
	const void *p;
	uint64_t n;

	make_image();
	w(img + PE_OFF + 6, 3, 2);  /* .kernel no longer counted */
	assert_string_equal(pe_section_find(img, sizeof(img), ".kernel", &p, &n),
			    "own image has no .kernel section");
}

static void hostile_headers_are_refused(void **st)
{
	(void)st;
	const void *p;
	uint64_t n;

	make_image();
	assert_non_null(pe_section_find(NULL, sizeof(img), ".kernel", &p, &n));
	assert_non_null(pe_section_find(img, 0x20, ".kernel", &p, &n));      /* too small */
	img[0] = 'Z';
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	make_image();
	w(img + 0x3c, 0xfffffff0, 4);                                        /* e_lfanew past the end */
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	w(img + 0x3c, sizeof(img) - 20, 4);                                  /* header cut off */
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	make_image();
	w(img + PE_OFF, 0, 4);                                               /* no PE signature */
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	make_image();
	w(img + PE_OFF + 6, 0xffff, 2);                                      /* absurd section count */
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	make_image();
	w(img + PE_OFF + 20, 0xfff0, 2);                                     /* table past the end */
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	make_image();
	assert_non_null(pe_section_find(img, 0x3100, ".kernel", &p, &n));    /* section past ImageSize */
	section(3, ".kernel", 0xffffff00, 0x200);                            /* va + size wraps */
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
	section(3, ".kernel", 0x3000, 0);                                    /* empty */
	assert_non_null(pe_section_find(img, sizeof(img), ".kernel", &p, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_the_kernel_section),
		cmocka_unit_test(names_match_exactly),
		cmocka_unit_test(missing_section_is_reported),
		cmocka_unit_test(hostile_headers_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
