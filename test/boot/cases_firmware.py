"""Boot tests of the loader/firmware hardening (issue 11): page tables that
map devices uncached and RAM write-back with the largest pages the CPU has,
5-level paging, a fault inside console output, and boot-services memory saved
before the audit and restored before runtime services."""

from cases import case, boot, check_run, relocation_kept_frames, SHUTDOWN_CFG, GiB

QUIET = SHUTDOWN_CFG + "stress_ops=0\n"


def check_paging(b, one_gib, fb):
    """The paging event, read back by the kernel from CR3: RAM write-back,
    the local APIC strong UC at both its mappings, the framebuffer WC, and
    1 GiB leaves exactly when the CPU has them."""
    p = []
    pg = b.first("paging")
    if not pg:
        return ["no paging event"]
    want = {"ram": "wb", "lapic": "uc", "lapic_identity": "uc", "cpu_1g_pages": one_gib}
    for k, v in want.items():
        if pg.get(k) != v:
            p.append("paging.%s is %r, expected %r: %s" % (k, pg.get(k), v, pg))
    if pg.get("framebuffer") != ("wc" if fb else None):
        p.append("framebuffer mapped %r, expected %s" % (pg.get("framebuffer"),
                                                         "wc" if fb else "none"))
    if one_gib != (pg.get("leaves_1g", 0) > 0):
        p.append("1 GiB leaves %s with cpu_1g_pages %s" % (pg.get("leaves_1g"), one_gib))
    # PAT entries 0 and 3 at their power-on types, WB and UC; 2, which only
    # the framebuffer selects, WC (power-on: UC-)
    pat = pg.get("pat", 0)
    if (pat & 0xff, (pat >> 16) & 0xff, (pat >> 24) & 0xff) != (6, 1, 0):
        p.append("PAT %#x: entries 0/2/3 are not WB/WC/UC" % pat)
    return p


@case
def paging_1g_pages_and_uncached_devices(d):
    """-cpu max has 1 GiB pages: the direct map uses them (RAM above 4 GiB
    is 1 GiB-aligned here), its tables stay small, and the AP, which loads
    the same CR3 from the trampoline, runs the stress on them."""
    b = boot(d, cfg=SHUTDOWN_CFG + "stress_ops=2000\n", mem="5G", smp=2, vga=True,
             extra=["-cpu", "max"], timeout=300)
    p = check_run(b, "5G") + check_paging(b, True, fb=True)
    if (b.first("summary") or {}).get("cpus") != 2:
        p.append("the AP did not come up: %s" % b.first("summary"))
    pg = b.first("paging") or {}
    if pg.get("pagetable_bytes", 1 << 30) > 256 * 1024:
        p.append("page tables for 5 GiB take %s bytes" % pg.get("pagetable_bytes"))
    return p


@case
def paging_2m_pages_without_pdpe1gb(d):
    """QEMU's default CPU (qemu64) lacks 1 GiB pages: 2 MiB leaves only, and
    still devices uncached."""
    b = boot(d, cfg=QUIET, mem="1G", vga=False)
    return check_run(b, "1G") + check_paging(b, False, fb=False)


@case
def la57_capable_cpu_under_4_level_firmware_boots(d):
    """The loader refuses CR4.LA57 (5-level paging on), not a CPU that merely
    has LA57: Debian's OVMF keeps 4-level paging on such a CPU, so the run
    passes. (No OVMF here turns 5-level paging on, so the refusal itself is
    tested on the host: test/efi/test_pagetable.c la57_is_refused.)"""
    b = boot(d, cfg=QUIET, mem="1G", vga=False, extra=["-cpu", "max,la57=on"])
    p = check_run(b, "1G")
    if b.first("loader_error"):
        p.append("loader refused a 4-level boot: %s" % b.first("loader_error"))
    return p


@case
def fault_with_console_lock_held_is_reported(d):
    """fault_test=console_fault: a page fault inside kprintf, console lock
    held. The exception, its register dump, the panic and a failing summary
    reach serial, and QEMU exits with 'fail' instead of hanging on the lock
    (which it did before the console knew its holder)."""
    b = boot(d, cfg=SHUTDOWN_CFG + "fault_test=console_fault\n", mem="512M", smp=2,
             vga=False, timeout=240)
    p = []
    if b.timed_out:
        p.append("hung (timed out after %.0fs)" % b.seconds)
    if b.result != "fail":
        p.append("exit status %s (%s), expected fail" % (b.status, b.result))
    ex = b.first("exception")
    if not ex or ex.get("vector") != 14 or ex.get("cr2") != 0xffffff0000000000 - 0x1000:
        p.append("exception event %s, expected a #PF at the unmapped address" % ex)
    if "rax=" not in b.serial:
        p.append("no register dump on serial")
    sms = b.all("summary")
    if b.first("panic") is None or len(sms) != 1 or sms[0].get("result") != "fail":
        p.append("panic %s, summaries %s" % (b.first("panic"), sms))
    return p


def bs_events(b):
    """The bs_save and bs_restore events, and where in the run they came."""
    names = [e["ev"] for e in b.events]
    idx = {n: names.index(n) for n in ("bs_save", "bs_restore", "audit_result",
                                       "report_saved", "summary") if n in names}
    return b.first("bs_save") or {}, b.first("bs_restore") or {}, idx


@case
def boot_services_saved_before_audit_restored_before_runtime(d):
    """Boot-services memory is copied before the audit writes over it and put
    back, checksums equal, before SetVariable; the record is then saved, and
    the audit did test those frames (the allocator manages them)."""
    b = boot(d, cfg="on_finish=shutdown\naudit=quick\nstress_ops=1000\n", mem="512M",
             smp=2, vga=False, timeout=300)
    p = check_run(b, "512M")
    sv, rs, idx = bs_events(b)
    mm = b.first("memmap") or {}
    bt = mm.get("bytes_by_type", {})
    bs_bytes = bt.get("boot_code", 0) + bt.get("boot_data", 0)
    if not sv.get("saved") or not sv.get("copy_matches") or sv.get("kept_bytes") != 0:
        p.append("bs_save: %s" % sv)
    # everything of boot services above 1 MiB is saved (below it the kernel
    # keeps frames anyway)
    if not (0 < sv.get("bytes", 0) <= bs_bytes and sv["bytes"] >= bs_bytes - (1 << 20)):
        p.append("bs_save saved %s of %d boot-services bytes" % (sv.get("bytes"), bs_bytes))
    if not rs.get("matches") or rs.get("bytes") != sv.get("bytes") or \
            rs.get("checksum") != sv.get("checksum"):
        p.append("bs_restore: %s (saved %s)" % (rs, sv))
    order = [idx.get(n, -1) for n in ("bs_save", "audit_result", "bs_restore", "report_saved")]
    if order != sorted(order) or -1 in order:
        p.append("events out of order (bs_save, audit_result, bs_restore, report_saved): %s"
                 % idx)
    r = b.first("audit_result") or {}
    if r.get("tested_frames", 0) * 4096 < sv.get("bytes", 1 << 62):
        p.append("the audit tested %s frames, fewer than the saved boot services"
                 % r.get("tested_frames"))
    return p


@case
def boot_services_copy_corrupted_is_caught(d):
    """fault_test=bs_copy_corrupt flips one bit of the copy in RAM after the
    save: the restore's checksum differs, bs_restore says so and the run
    fails on that check (the record is still written)."""
    b = boot(d, cfg=SHUTDOWN_CFG + "stress_ops=0\nfault_test=bs_copy_corrupt\n", mem="256M",
             vga=False)
    p = []
    sv, rs, idx = bs_events(b)
    if not sv.get("saved") or not sv.get("copy_matches"):
        p.append("bs_save: %s" % sv)
    if rs.get("matches") is not False or rs.get("checksum") == rs.get("saved_checksum"):
        p.append("bs_restore did not see the flipped bit: %s" % rs)
    sm = b.first("summary") or {}
    if sm.get("result") != "fail" or sm.get("first_failure") != "bs_restored_bit_for_bit":
        p.append("summary: %s" % sm)
    if b.result != "fail":
        p.append("exit status %s (%s), expected fail" % (b.status, b.result))
    if not b.first("report_saved"):
        p.append("no report_saved after the restore")
    return p


@case
def boot_services_keep_saves_nothing(d):
    """boot_services=keep: nothing of boot services joins the allocator, so
    nothing is copied and nothing restored."""
    b = boot(d, cfg=QUIET + "boot_services=keep\n", mem="256M", vga=False)
    p = check_run(b, "256M")
    sv, rs, _ = bs_events(b)
    if sv.get("pieces") != 0 or sv.get("bytes") != 0 or rs:
        p.append("bs_save %s, bs_restore %s" % (sv, rs))
    return p


@case
def boot_services_without_room_for_the_copy_stay_out(d):
    """64 MiB: OVMF's boot services take ~40 MiB, more than the rest of RAM,
    so there is no room for the copy. The event says so, those frames stay
    out of the allocator and the audit (as with boot_services=keep), nothing
    is restored, and the run still passes with every usable frame accounted
    for (managed, or kept for the firmware)."""
    b = boot(d, cfg="on_finish=shutdown\naudit=quick\nstress_ops=500\n", mem="64M",
             vga=False)
    p = []
    sv, rs, _ = bs_events(b)
    cov, mi = b.first("coverage") or {}, b.first("mm_init") or {}
    r, sm = b.first("audit_result") or {}, b.first("summary") or {}
    if sv.get("saved") is not False or not sv.get("kept_bytes") or \
            sv.get("kept_bytes") != sv.get("bytes") or "no memory" not in sv.get("reason", ""):
        p.append("bs_save: %s" % sv)
    if rs:
        p.append("restored what was never saved: %s" % rs)
    if mi.get("managed_frames", 0) + sv.get("kept_bytes", 0) // 4096 != cov.get("usable_frames"):
        p.append("managed %s + kept %s != usable %s" % (mi.get("managed_frames"),
                                                        sv.get("kept_bytes"), cov))
    # every frame free at mm_init is tested, but what the relocation kept
    # and the kernel's few allocations after it (the coverage bitmap, ...)
    kept = relocation_kept_frames(b)
    want = mi.get("free_frames", 0) - kept
    if not want - 16 <= r.get("tested_frames", 0) <= want:
        p.append("audit tested %s frames, %s were free, the relocation kept %d"
                 % (r.get("tested_frames"), mi.get("free_frames"), kept))
    if sm.get("result") != "pass" or b.result != "pass" or not b.first("report_saved"):
        p.append("summary %s, exit %s, report_saved %s" % (sm, b.result,
                                                          b.first("report_saved")))
    return p


@case
def boot_services_copy_goes_to_tested_memory(d):
    """The copy of boot-services memory is kept only in blocks tested first:
    a fault put where the copy lands on a clean boot (inject_fault flips the
    bit in RAM after the test pattern writes it) is found before any data is
    copied there, that frame is poisoned and reported, the copy moves to
    another block and the save and restore still match; the run ends
    bad_memory."""
    cfg = QUIET + "audit=quick\n"
    clean = boot(d, cfg=cfg, mem="256M", vga=False)
    where = (clean.first("bs_save") or {}).get("copy_phys")
    if not where or clean.result != "pass":
        return ["clean boot: bs_save %s, result %s" % (clean.first("bs_save"), clean.result)]
    b = boot(d, cfg=cfg + "inject_fault=0x%x:0x4\n" % (where + 8), mem="256M", vga=False)
    p = check_run(b, "256M", expect_result="bad_memory")
    sv, rs, idx = bs_events(b)
    if not sv.get("saved") or not sv.get("copy_matches") or sv.get("copy_phys") == where:
        p.append("bs_save %s (the clean boot's copy was at 0x%x)" % (sv, where))
    if not rs.get("matches"):
        p.append("bs_restore: %s" % rs)
    bad = [e.get("phys") for e in b.all("bad_frame")]
    if bad != [where]:
        p.append("bad_frame events at %s, expected 0x%x" % ([hex(x) for x in bad], where))
    names = [e["ev"] for e in b.events]
    if "bad_frame" in names and names.index("bad_frame") > idx.get("bs_save", -1):
        p.append("the bad frame was reported after bs_save: not found before the copy")
    return p
