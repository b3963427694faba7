/* Loader diagnostics. Before ExitBootServices the console (ConOut) shows them;
 * a fatal error is also written straight to COM1 as a loader_error event so an
 * unattended run sees why it stopped, and under QEMU the VM exits with the
 * "fail" status instead of hanging. */
#include "loader.h"
#include <lib/qemu_exit.h>
#include <lib/fmt.h>
#include <lib/x86.h>

static int bs_gone;

void ldr_boot_services_gone(void)
{
	bs_gone = 1;
}

#define COM1 0x3f8

static void com1_puts(const char *s)
{
	/* the firmware already programmed COM1 if it exists; 0xff = nothing there */
	if (inb(COM1 + 5) == 0xff)
		return;
	for (; *s; s++) {
		for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
			;
		outb(COM1, (uint8_t)*s);
	}
}

static void con_puts(const char *s)
{
	CHAR16 buf[128];
	UINTN n = 0;

	if (bs_gone || !ST->ConOut)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			buf[n++] = '\r';
		buf[n++] = (CHAR16)(unsigned char)*s;
		if (n >= 125) {
			buf[n] = 0;
			ST->ConOut->OutputString(ST->ConOut, buf);
			n = 0;
		}
	}
	buf[n] = 0;
	ST->ConOut->OutputString(ST->ConOut, buf);
}

void ldr_note(const char *msg)
{
	con_puts("metaslot: ");
	con_puts(msg);
	con_puts("\n");
}

void ldr_fatal(const char *what, EFI_STATUS status)
{
	char line[256];

	ksnprintf(line, sizeof(line), "\nmetaslot loader: FATAL: %s (status 0x%016llx)\n"
		  "The machine is halted; power it off.\n", what, (unsigned long long)status);
	con_puts(line);
	/* the messages are static, without quotes or backslashes; the status is
	 * a JSON string in hex, the form the UEFI spec lists them in */
	ksnprintf(line, sizeof(line),
		  "\r\n{\"ev\":\"loader_error\",\"what\":\"%s\",\"status\":\"0x%016llx\"}\r\n",
		  what, (unsigned long long)status);
	com1_puts(line);
	qemu_exit(QEMU_EXIT_FAIL);
	halt_forever();
}
