/* kmain: the table of contents of the boot. One step per line; each step
 * owns its events and its checks. */
#include <bootinfo.h>
#include <kernel/audit.h>
#include <kernel/bandwidth.h>
#include <mm/frame.h>
#include <kernel/bench.h>
#include <kernel/bootinfo_check.h>
#include <kernel/bssave.h>
#include <kernel/config.h>
#include <kernel/console.h>
#include <kernel/coverage.h>
#include <kernel/cpu.h>
#include <kernel/cpuinfo.h>
#include <kernel/dimms.h>
#include <kernel/efirt.h>
#include <kernel/journal.h>
#include <kernel/mce.h>
#include <kernel/memmap.h>
#include <kernel/mminit.h>
#include <kernel/pat.h>
#include <kernel/panic.h>
#include <kernel/platform.h>
#include <kernel/relocate.h>
#include <kernel/report.h>
#include <kernel/run.h>
#include <kernel/screen.h>
#include <kernel/serial.h>
#include <kernel/smp.h>
#include <kernel/stress.h>
#include <kernel/simd.h>
#include <kernel/time.h>
#include <kernel/vm.h>

struct config kcfg;
static struct acpi_info acpi;

static const struct bootinfo *accept_bootinfo(uint64_t phys)
{
	const struct bootinfo *bi = phys_to_virt(phys);
	const char *why = bootinfo_validate(bi);

	if (why)
		panic("bootinfo rejected: %s", why);
	return bi;
}

static void config_load(const struct bootinfo *bi)
{
	config_defaults(&kcfg);
	if (bi->config_len)
		config_parse(&kcfg, phys_to_virt(bi->config), bi->config_len);
	if (!kcfg.serial_enabled)
		serial_off();
	else if (kcfg.serial_port != serial_port() || kcfg.serial_baud != 115200)
		serial_init(kcfg.serial_port, kcfg.serial_baud);
}

static void report_boot(const struct bootinfo *bi)
{
	struct jw w;

	kprintf("metaslot kernel: loader %s, firmware %s rev 0x%x", bi->loader, bi->fw_vendor,
		bi->fw_revision);
	jw_begin(&w, "boot");
	jw_str(&w, "fw_vendor", bi->fw_vendor);
	jw_u64(&w, "fw_revision", bi->fw_revision);
	jw_str(&w, "loader", bi->loader);
	jw_u64(&w, "bootinfo_version", bi->version);
	jw_u64(&w, "tsc_hz", bi->tsc_hz);
	jw_bool(&w, "framebuffer", bi->fb.base != 0);
	jw_bool(&w, "acpi2", !!(bi->flags & BOOTINFO_FLAG_ACPI2));
	jw_u64(&w, "rsdp", bi->rsdp);
	jw_u64(&w, "trampoline", bi->trampoline);
	if (bootinfo_has_v3(bi)) {
		/* where the one file came from, and where its config and reports live */
		jw_bool(&w, "secure_boot", !!(bi->flags & BOOTINFO_FLAG_SECURE_BOOT));
		jw_bool(&w, "filesystem", !(bi->flags & BOOTINFO_FLAG_NO_FILESYSTEM));
		jw_str(&w, "image_path", bi->image_path);
		jw_str(&w, "home", bi->home);
	}
	event_emit(&w);
	if (bootinfo_has_v3(bi) && (bi->flags & BOOTINFO_FLAG_NO_FILESYSTEM))
		kprintf("started without a file system: configuration from the load options only, "
			"the run's record is kept in the UEFI variable only");
}

static void report_config(const struct bootinfo *bi)
{
	struct jw w;

	for (uint32_t i = 0; i < kcfg.nissues; i++) {
		const struct config_issue *c = &kcfg.issues[i];

		kprintf("config line %u: %s: %s", c->line, c->what, c->text);
		jw_begin(&w, "config_issue");
		jw_u64(&w, "line", c->line);
		jw_str(&w, "what", c->what);
		jw_str(&w, "key", c->key);
		jw_str(&w, "text", c->text);
		event_emit(&w);
	}
	jw_begin(&w, "config");
	jw_bool(&w, "file", !(bi->flags & BOOTINFO_FLAG_NO_CONFIG_FILE));
	jw_bool(&w, "load_options_ignored", !!(bi->flags & BOOTINFO_FLAG_LOADOPT_IGNORED));
	jw_str(&w, "on_finish", config_on_finish_name(kcfg.on_finish));
	jw_str(&w, "audit", config_audit_name(kcfg.audit));
	jw_u64(&w, "passes", kcfg.passes);
	jw_u64(&w, "smp", kcfg.smp_limit);     /* CPUs to use, 0 = all */
	jw_u64(&w, "menu_timeout", kcfg.menu_timeout);
	jw_u64(&w, "journal_spacing", kcfg.journal_spacing);
	jw_bool(&w, "serial", kcfg.serial_enabled);
	jw_str(&w, "screen_log", kcfg.screen_log_json ? "json" : "human");
	jw_u64(&w, "issues", kcfg.nissues + kcfg.issues_dropped);
	audit_describe_iterations(&w);
	event_emit(&w);
}

static void report_metadata(const struct bootinfo *bi)
{
	const void *map = phys_to_virt(bi->mmap);
	uint64_t in_map = 0;
	struct jw w;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct bootinfo_mem_desc *d = bootinfo_desc_at(map, bi->mmap_stride, i);

		if (d->type == BOOTINFO_MEM_METADATA)
			in_map += d->num_pages << 12;
	}
	jw_begin(&w, "metadata");
	jw_u64(&w, "ram_top", bi->ram_top);
	jw_u64(&w, "bytes", bi->meta_bytes);
	jw_u64(&w, "frames", bi->meta_frames);
	jw_u64(&w, "phys", bi->meta_phys);
	jw_u64(&w, "bytes_in_map", in_map);
	event_emit(&w);
	run_check(bi->meta_bytes == metadata_size_for(bi->ram_top), "metadata_size_for_ram_top");
	run_check(bi->meta_frames * FRAME_META_SIZE <= bi->meta_bytes, "metadata_covers_frames");
	run_check(in_map == bi->meta_bytes, "metadata_in_memory_map");
}

void kmain(uint64_t bootinfo_phys)
{
	serial_init(0x3f8, 115200);            /* COM1 first; absent = silent */
	percpu_init_bsp();                     /* GDT, TSS, IDT, GS: faults dump registers */
	pat_init_cpu();                        /* the kernel's PAT: entry 4 is UC (each AP too) */
	simd_init_cpu();                       /* SSE/AVX state on (each AP too): random_sequence */
	const struct bootinfo *bi = accept_bootinfo(bootinfo_phys); /* magic/version/size */
	efirt_init(bi->efi_runtime_services);  /* ResetSystem for on_finish */
	config_load(bi);                       /* METASLOT.CFG + load options */
	screen_init(bi);                       /* clear the screen, console on it */
	report_boot(bi);                       /* boot event */
	report_config(bi);                     /* config issues, effective config */
	mce_init_cpu();                        /* machine checks on; stale errors logged */
	memmap_audit(bi);                      /* map findings, memmap + coverage events */
	vm_report(bi);                         /* the loader's tables: page sizes, cache types */
	report_metadata(bi);                   /* metadata event, sizing checks */
	mm_init(bi);                           /* MetaSlot array, buddy; boot services saved */
	dimms_init(bi, run.ram_bytes);         /* SMBIOS: DIMMs, do they add up, ECC */
	screen_header(bi, 1, run.ram_bytes);   /* firmware, RAM, metadata */
	screen_memory_picture(bi);             /* the map as the allocator sees it */
	platform_acpi(bi, &acpi);              /* MADT, FADT, HPET */
	time_init(bi->tsc_hz, &acpi);          /* TSC against the PM timer / HPET */
	smp_init(bi, &acpi, kcfg.smp_limit);   /* LAPIC, every AP via INIT-SIPI-SIPI */
	screen_header(bi, run.cpus, run.ram_bytes);
	cpuinfo_init();                        /* brand, microcode, caches, thermal sensors */
	simd_report();                         /* vector state, random_sequence's variant */
	bandwidth_run();                       /* L1/L2/L3/RAM GB/s on all CPUs, 200 ms */
	bi = relocate_run(bi);                 /* array, image, tables, boot info out of their frames */
	coverage_test_in_place(bi);            /* below 1 MiB, trampoline, ACPI reclaim */
	fault_test_run(kcfg.fault_test);       /* tests only: prove the failure paths */
	journal_start(bi);                     /* the record says `running` from here */
	audit_run();                           /* RAM patterns on every free frame */
	if (kcfg.bench)
		bench_run();                   /* make bench: cycles per pair, scaling */
	stress_run(kcfg.stress_ops);           /* all-core allocator stress */
	screen_memory_picture(bi);             /* after: everything back, none lost */
	mce_finish();                          /* last machine-check poll, its cost */
	coverage_report(bi);                   /* what was tested, why the rest was not */
	bs_restore();                          /* boot services memory back, before runtime calls */
	report_save(bi);                       /* the record for the next boot */
	run_finish();                          /* summary, then halt/shutdown/reboot */
}
