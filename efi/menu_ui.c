/* The pre-boot menu on the firmware's text console (the logic is menu.c's).
 * ConOut is the screen, and the serial console wherever the firmware
 * mirrors it there (OVMF does); ConIn merges every keyboard the firmware
 * drives, USB included, and the serial terminal's keys. It runs while boot
 * services still exist, before anything is allocated for the kernel, and
 * appends the settings chosen after the config text's last line. */
#include "loader.h"
#include "menu.h"

/* EFI_MP_SERVICES_PROTOCOL (PI spec vol. 2); gnu-efi does not define it.
 * Only its first member is called. */
static EFI_GUID mp_services_guid = { 0x3fdda605, 0xa76e, 0x4f46,
				     { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } };
struct mp_services {
	EFI_STATUS (EFIAPI *get_number_of_processors)(struct mp_services *self, UINTN *total,
						      UINTN *enabled);
};

/* Enabled processors by the MP services protocol; 0 (unknown) without it:
 * the loader reads no ACPI table, that is the kernel's job. */
static uint32_t cpu_count(void)
{
	struct mp_services *mp = NULL;
	UINTN total = 0, enabled = 0;

	if (EFI_ERROR(BS->LocateProtocol(&mp_services_guid, NULL, (void **)&mp)) || !mp ||
	    EFI_ERROR(mp->get_number_of_processors(mp, &total, &enabled)) || enabled > 0xffffffffu)
		return 0;
	return (uint32_t)enabled;
}

static uint64_t ram_bytes(void)
{
	UINTN count, key, size;
	UINT32 version;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&count, &key, &size, &version);
	uint64_t sum;

	if (!map)
		return 0;
	sum = menu_ram_bytes(map, (uint32_t)count, (uint32_t)size);
	FreePool(map);
	return sum;
}

/* Redraws the lines that changed since the last call (all of them after a
 * clear), each padded to the full width so that no old text remains. */
static void draw(char now[MENU_LINES][MENU_COLS], char shown[MENU_LINES][MENU_COLS])
{
	CHAR16 buf[MENU_COLS];
	UINTN cols = 0, rows = 0;
	int width = MENU_COLS - 1;

	/* the last column of a line would wrap it on some consoles */
	if (!EFI_ERROR(ST->ConOut->QueryMode(ST->ConOut, (UINTN)ST->ConOut->Mode->Mode, &cols,
					     &rows)) && cols > 1 && cols - 1 < (UINTN)width)
		width = (int)cols - 1;

	for (int i = 0; i < MENU_LINES; i++) {
		int same = 1, k = 0;

		for (int j = 0; j < MENU_COLS && same; j++) {
			same = now[i][j] == shown[i][j];
			if (!now[i][j])
				break;
		}
		if (same)
			continue;
		for (; k < width && now[i][k]; k++)
			buf[k] = (CHAR16)now[i][k];
		for (; k < width; k++)
			buf[k] = ' ';
		buf[k] = 0;
		ST->ConOut->SetCursorPosition(ST->ConOut, 0, (UINTN)i);
		ST->ConOut->OutputString(ST->ConOut, buf);
		CopyMem(shown[i], now[i], MENU_COLS);
	}
}

static void run(struct menu *m)
{
	static char now[MENU_LINES][MENU_COLS], shown[MENU_LINES][MENU_COLS];
	EFI_EVENT tick, ev[2];
	EFI_INPUT_KEY k;
	UINTN which;

	if (EFI_ERROR(BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &tick)) ||
	    EFI_ERROR(BS->SetTimer(tick, TimerPeriodic, 10000000))) { /* 100 ns units */
		ldr_note("menu: no timer event; starting as configured");
		return;
	}
	ST->ConIn->Reset(ST->ConIn, FALSE);  /* keys typed before the menu are not for it */
	ST->ConOut->ClearScreen(ST->ConOut);
	ST->ConOut->EnableCursor(ST->ConOut, FALSE);  /* may be unsupported: cosmetic */
	SetMem(shown, sizeof(shown), 0xff);
	ev[0] = ST->ConIn->WaitForKey;
	ev[1] = tick;
	for (int changed = 1; m->state != MENU_DONE;) {
		if (changed) {
			menu_render(m, now);
			draw(now, shown);
		}
		if (EFI_ERROR(BS->WaitForEvent(2, ev, &which)))
			break;  /* as chosen so far */
		changed = 0;
		if (which == 1)
			changed = menu_tick(m);
		else
			while (!EFI_ERROR(ST->ConIn->ReadKeyStroke(ST->ConIn, &k)))
				changed |= menu_key(m, k.ScanCode, k.UnicodeChar);
	}
	BS->CloseEvent(tick);
	ST->ConOut->ClearScreen(ST->ConOut);
	ST->ConOut->EnableCursor(ST->ConOut, TRUE);
}

/* "menu: starting with audit=off passes=3" from the lines appended (a
 * comment line first), or "as configured" when there are none. */
static void say_chosen(const char *lines, long n)
{
	char msg[MENU_CONFIG_RESERVE + 32] = "menu: starting with";
	UINTN len = 19;
	long i = 0;

	if (n == 0) {
		ldr_note("menu: starting as configured");
		return;
	}
	while (i < n && lines[i++] != '\n')
		;  /* the comment line */
	msg[len++] = ' ';
	for (; i < n && len + 1 < sizeof(msg); i++)
		msg[len++] = lines[i] == '\n' ? ' ' : lines[i];
	msg[len - 1] = 0;  /* the last line's '\n' */
	ldr_note(msg);
}

void menu_show(struct loader *L)
{
	struct menu_machine mach = { 0, 0 };
	static struct menu m;
	char *end = L->config + L->bi->config_len;
	long n;

	menu_init(&m, L->config, L->bi->config_len, &mach);
	if (m.state == MENU_DONE)
		return;  /* menu_timeout=0 or absent */
	if (!ST->ConIn || !ST->ConOut) {
		ldr_note("menu: no console; starting as configured");
		return;
	}
	mach.ram_bytes = ram_bytes();
	mach.cpus = cpu_count();
	menu_init(&m, L->config, L->bi->config_len, &mach);
	run(&m);
	n = menu_config_lines(&m, end, CONFIG_MAX - L->bi->config_len);
	if (n < 0) {
		ldr_note("menu: no room left in the config text; starting as configured");
		return;
	}
	L->bi->config_len += (uint32_t)n;
	say_chosen(end, n);
}
