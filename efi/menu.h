/* The loader's pre-boot menu: one screen with the machine (RAM, CPUs), the
 * settings that matter (audit level, passes, CPUs, what to do at the end)
 * and a countdown of menu_timeout= seconds. A state machine fed with keys
 * (UEFI's scan code and character) and one-second ticks; it renders the
 * screen as text lines and the chosen settings as config lines that the
 * loader appends after the file's and the load options' (later lines win).
 * Pure code, host-tested; efi/menu_ui.c reads the keys and draws. */
#ifndef METASLOT_EFI_MENU_H
#define METASLOT_EFI_MENU_H

#include <stddef.h>
#include <stdint.h>

/* EFI_INPUT_KEY.ScanCode values (UEFI spec, "EFI Scan Codes") */
#define MENU_SCAN_UP    0x01
#define MENU_SCAN_DOWN  0x02
#define MENU_SCAN_RIGHT 0x03
#define MENU_SCAN_LEFT  0x04
#define MENU_SCAN_ESC   0x17

/* After a key stopped the countdown, this many seconds without another key
 * start the run as shown: noise on a serial line cannot hold an unattended
 * machine in the menu for ever. */
#define MENU_IDLE_SECONDS 300u

#define MENU_LINES 16
#define MENU_COLS  80            /* bytes per line, NUL included */
#define MENU_CONFIG_RESERVE 160  /* config bytes the loader keeps for menu_config_lines */

enum menu_row { MENU_ROW_AUDIT, MENU_ROW_PASSES, MENU_ROW_CPUS, MENU_ROW_FINISH, MENU_ROWS };

struct menu_settings {
	int audit;          /* index into cfg_audit_names */
	uint32_t passes;    /* 1..CFG_PASSES_MAX */
	uint32_t cpus;      /* 0 = all, else the number to use */
	int on_finish;      /* index into cfg_on_finish_names */
};

struct menu_machine {
	uint64_t ram_bytes; /* RAM in the firmware's memory map */
	uint32_t cpus;      /* processors the firmware knows; 0 = unknown */
};

enum menu_state {
	MENU_COUNTDOWN,     /* no key yet; at 0 the run starts as configured */
	MENU_EDITING,       /* a key stopped the countdown; Enter starts */
	MENU_DONE,          /* start the run with `cur` */
};

struct menu {
	struct menu_settings file;  /* from the config text, by the kernel's rules */
	struct menu_settings cur;   /* as shown and chosen */
	struct menu_machine machine;
	uint32_t cpu_max;           /* the CPUs setting cycles all, 1..cpu_max */
	uint32_t timeout;           /* menu_timeout= seconds; 0 = no menu */
	uint32_t left;              /* seconds left on the countdown */
	uint32_t idle;              /* seconds since the last key (MENU_EDITING) */
	int row;                    /* the selected enum menu_row */
	enum menu_state state;
	const char *note;           /* what the last key did, for the screen */
};

/* The settings and menu_timeout as the kernel will read the len bytes of
 * config text (the last valid line wins); with menu_timeout 0 (or absent)
 * the menu starts MENU_DONE and is never shown. */
void menu_init(struct menu *m, const char *cfg, size_t len, const struct menu_machine *mach);
/* One key: scan code and character as EFI_INPUT_KEY has them. A key stops
 * the countdown; a key with neither is no key. Returns 1 if the screen
 * changed. */
int menu_key(struct menu *m, uint16_t scan, uint16_t ch);
/* One second passed. Returns 1 if the screen changed. */
int menu_tick(struct menu *m);
/* The screen as MENU_LINES NUL-terminated lines of plain ASCII, none of
 * which starts with '{' (the serial log's events do). */
void menu_render(const struct menu *m, char lines[MENU_LINES][MENU_COLS]);
/* The settings that differ from the file's, as config lines after a
 * comment line; "" when none does. Returns the length, or -1 (out = "")
 * when cap is too small. */
long menu_config_lines(const struct menu *m, char *out, size_t cap);

/* RAM in a UEFI memory map (count descriptors, stride bytes apart): the
 * pages of every type bootinfo_mem_is_ram() calls RAM. */
uint64_t menu_ram_bytes(const void *map, uint32_t count, uint32_t stride);

#endif
