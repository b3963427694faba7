"""Boot tests of the inventory (issue 14): the DIMMs from SMBIOS, with QEMU's
own tables (-smbios type=17,...) and with hand-made structures passed as
-smbios file=... (QEMU then leaves out its own structure of that type; OVMF
republishes them). Each file holds one structure, since QEMU counts one
structure per file for the 2.x entry point."""

import os
import struct

from cases import case, boot, check_run, screendump_when_done, MiB
import screen  # test/boot/screen.py

ECC_NONE, ECC_MULTI_BIT = 3, 6


def t16(ecc, cap_bytes, slots, handle=0x1000):
    return struct.pack("<BBHBBBIHHQ", 16, 0x17, handle, 3, 3, ecc, cap_bytes // 1024,
                       0xfffe, slots, 0) + b"\0\0"


def t17(handle, size_mib, locator, bank, manufacturer, serial, part, speed=2400,
        length=0x28, locator_index=1):
    """A DDR4 device in SMBIOS 2.8 layout; `length` below 0x28 cuts it."""
    body = struct.pack("<BBHHHHHHBBBBBHHBBBBBIHHHH", 17, 0x28, handle, 0x1000, 0xfffe, 64, 64,
                       size_mib, 0x09, 0, locator_index, 2, 0x1a, 0x80, speed, 3, 4, 0, 5,
                       1, 0, speed, 1200, 1200, 1200)
    body = body[:1] + bytes([length]) + body[2:length]
    strings = b"".join(s.encode() + b"\0" for s in (locator, bank, manufacturer, serial, part))
    return body + strings + b"\0"


def t20(handle, device, start, end, interleave_pos):
    """Device mapped address: [start, end) bytes, KiB fields (end inclusive)."""
    return struct.pack("<BBHIIHHBBB", 20, 0x13, handle, start // 1024, (end - 1) // 1024,
                       device, 0x1300, 1, interleave_pos, 2 if interleave_pos else 0) + b"\0\0"


def smbios_files(d, structures):
    args = []
    for i, blob in enumerate(structures):
        path = os.path.join(d, "smbios%d.bin" % i)
        with open(path, "wb") as f:
            f.write(blob)
        args += ["-smbios", "file=" + path]
    return args


def inventory_problems(b):
    """What every run must show: one dimms event after the dimm events, and
    no smbios_issue unless the case expects one."""
    p = []
    names = [e["ev"] for e in b.events]
    if names.count("dimms") != 1:
        p.append("%d dimms events" % names.count("dimms"))
    elif "dimm" in names and names.index("dimm") > names.index("dimms"):
        p.append("dimm events after the dimms event")
    return p


@case
def dimms_from_qemu_smbios_options(d):
    """QEMU's own tables with -smbios type=17 strings and speed, through the
    64-bit SMBIOS 3.0 entry point: the dimm event carries them, the DIMMs add
    up to the RAM in the map, ECC is claimed and MCA banks exist, no issue."""
    extra = ["-smbios", "type=17,loc_pfx=SLOT,speed=3200,serial=SN-QEMU-1,"
             "manufacturer=Acme Memory,part=ACME-512"]
    b = boot(d, mem="512M", machine="q35,smbios-entry-point-type=64", extra=extra, vga=False,
             timeout=300)
    p = check_run(b, "512M") + inventory_problems(b)
    dimm, dimms = b.first("dimm") or {}, b.first("dimms") or {}
    want = {"locator": "SLOT 0", "installed": True, "size": 512 * MiB, "speed": 3200,
            "configured_speed": 3200, "manufacturer": "Acme Memory", "serial": "SN-QEMU-1",
            "part": "ACME-512"}
    for k, v in want.items():
        if dimm.get(k) != v:
            p.append("dimm.%s = %r, expected %r (%s)" % (k, dimm.get(k), v, dimm))
    if not dimms.get("smbios") or not dimms.get("entry_64bit") or \
            not dimms.get("version", "").startswith("3."):
        p.append("not read through the SMBIOS 3.0 entry point: %s" % dimms)
    if dimms.get("adds_up") != "ok" or dimms.get("dimm_bytes") != 512 * MiB:
        p.append("DIMMs do not add up on a sound machine: %s" % dimms)
    if dimms.get("ecc") != "multi_bit_ecc" or not dimms.get("mca_banks"):
        p.append("ECC / MCA banks: %s" % dimms)
    for ev in ("dimm_issue", "smbios_issue"):
        if b.first(ev):
            p.append("unexpected %s: %s" % (ev, b.first(ev)))
    return p


@case
def dimms_that_do_not_add_up_and_ecc_without_mca(d):
    """Hand-made tables: two DIMMs of 256 MiB and 1 GiB on a 256 MiB machine
    (a DIMM the firmware does not map), ECC claimed on a CPU without MCA
    (-cpu qemu64,-mca): two dimm_issue warnings; the run still passes."""
    tables = [t16(ECC_MULTI_BIT, 4 << 30, 2),
              t17(0x1100, 256, "BANK_A", "Bank 0", "Acme", "SN-A", "PN-A"),
              t17(0x1101, 1024, "BANK_B", "Bank 1", "Acme", "SN-B", "PN-B")]
    b = boot(d, mem="256M", extra=smbios_files(d, tables) + ["-cpu", "qemu64,-mca"],
             vga=False, timeout=300)
    p = check_run(b, "256M") + inventory_problems(b)
    dimms = b.first("dimms") or {}
    if [e.get("locator") for e in b.all("dimm")] != ["BANK_A", "BANK_B"]:
        p.append("dimm events: %s" % b.all("dimm"))
    if dimms.get("dimm_bytes") != 1280 * MiB or dimms.get("adds_up") != "dimms_not_in_map":
        p.append("dimms: %s" % dimms)
    issues = sorted(e.get("what") for e in b.all("dimm_issue"))
    if issues != ["dimms_not_in_map", "ecc_without_mca"]:
        p.append("dimm_issue events %s" % issues)
    return p


@case
def bad_frame_names_its_dimm_when_the_tables_can_tell(d):
    """Type 20 maps [0, 128 MiB) to BANK_A alone and [128, 256 MiB) to an
    interleave of BANK_B and BANK_C: an injected fault in the first names
    BANK_A, one in the second cannot tell."""
    tables = [t16(ECC_NONE, 1 << 30, 3),
              t17(0x1100, 128, "BANK_A", "Bank 0", "Acme", "SN-A", "PN-A"),
              t17(0x1101, 64, "BANK_B", "Bank 1", "Acme", "SN-B", "PN-B"),
              t17(0x1102, 64, "BANK_C", "Bank 2", "Acme", "SN-C", "PN-C"),
              t20(0x1400, 0x1100, 0, 128 * MiB, 0),
              t20(0x1401, 0x1101, 128 * MiB, 256 * MiB, 1),
              t20(0x1402, 0x1102, 128 * MiB, 256 * MiB, 2)]
    # both faults in frames the audit tests: the boot-services copy (about
    # 40 MiB, kernel/mem/bssave.c) sits high in this 256 MiB guest, untested
    cfg = ("on_finish=shutdown\naudit=quick\npatterns=own_address\nstress_ops=0\n"
           "inject_fault=0x4000008:0x10\ninject_fault=0x8800008:0x10\n")
    b = boot(d, cfg=cfg, mem="256M", extra=smbios_files(d, tables), vga=False, timeout=400)
    p = check_run(b, "256M", expect_result="bad_memory") + inventory_problems(b)
    named = {e.get("phys"): e.get("dimm") for e in b.all("bad_frame")}
    if named != {0x4000000: "BANK_A", 0x8800000: "cannot_tell"}:
        p.append("bad_frame dimms %s" % named)
    dimms = b.first("dimms") or {}
    if dimms.get("adds_up") != "ok" or dimms.get("device_ranges") != 3:
        p.append("dimms: %s" % dimms)
    if b.first("dimm_issue"):
        p.append("unexpected dimm_issue: %s" % b.first("dimm_issue"))
    return p


@case
def broken_smbios_structures_are_reported_and_the_run_goes_on(d):
    """A type-17 cut below SMBIOS 2.1's length and one whose locator string
    index points past its strings: smbios_issue events, the rest is read,
    the run passes."""
    tables = [t17(0x1100, 256, "BANK_A", "Bank 0", "Acme", "SN-A", "PN-A", length=0x10),
              t17(0x1101, 256, "BANK_B", "Bank 1", "Acme", "SN-B", "PN-B", locator_index=9)]
    b = boot(d, mem="256M", extra=smbios_files(d, tables), vga=False, timeout=300)
    p = check_run(b, "256M") + inventory_problems(b)
    what = sorted({e.get("what") for e in b.all("smbios_issue")})
    if what != ["smbios_string_index", "smbios_type_short"]:
        p.append("smbios_issue events %s" % b.all("smbios_issue"))
    dimm = b.all("dimm")
    if len(dimm) != 1 or dimm[0].get("locator") != "" or dimm[0].get("serial") != "SN-B":
        p.append("dimm events %s" % dimm)
    return p


def cpu_problems(b, vendor, cache_source):
    p = []
    ci = b.first("cpu_info") or {}
    if ci.get("vendor") != vendor or not ci.get("brand") or not ci.get("family"):
        p.append("cpu_info: %s" % ci)
    if ci.get("cache_source") != cache_source or not ci.get("l1d") or not ci.get("l2"):
        p.append("caches, expected from %s: %s" % (cache_source, ci))
    if ci.get("microcode_differs") != 0:
        p.append("microcode differs between identical vCPUs: %s" % ci)
    # TCG has no digital thermal sensor: said so, never guessed, never a #GP
    th = b.all("thermal")
    if ci.get("thermal") != "unavailable" or not th or any(e.get("available") for e in th):
        p.append("thermal under QEMU: %s %s" % (ci.get("thermal"), th))
    return p


@case
def cpu_info_amd_model(d):
    """QEMU's default qemu64 (AuthenticAMD): brand, signature, caches from
    the AMD leaves, thermal unavailable, the same microcode on both CPUs."""
    b = boot(d, mem="256M", smp=2, vga=False, timeout=300)
    return check_run(b, "256M") + cpu_problems(b, "AuthenticAMD", "leaf80000005")


@case
def cpu_info_intel_model(d):
    """An Intel model (Skylake-Client): caches from CPUID leaf 4, the
    microcode revision read through IA32_BIOS_SIGN_ID, thermal unavailable
    (QEMU has no DTS even for an Intel model)."""
    b = boot(d, mem="256M", smp=2, vga=False, timeout=300, extra=["-cpu", "Skylake-Client"])
    p = check_run(b, "256M") + cpu_problems(b, "GenuineIntel", "leaf4")
    ci = b.first("cpu_info") or {}
    if (ci.get("family"), ci.get("model")) != (6, 0x5e):
        p.append("Skylake-Client is family 6 model 0x5e: %s" % ci)
    return p


@case
def bandwidth_measured_on_all_cpus_and_audit_compares(d):
    """The bandwidth event at start (2 CPUs): every level the plan keeps has
    read, write and copy figures; the audit's per-CPU events carry their
    share of it. Speeds under TCG mean nothing: only presence is checked."""
    cfg = "on_finish=shutdown\naudit=quick\npatterns=own_address\nstress_ops=0\n"
    b = boot(d, cfg=cfg, mem="256M", smp=2, vga=False, timeout=400)
    p = check_run(b, "256M")
    bw = b.first("bandwidth") or {}
    if bw.get("cpus") != 2 or "ram" not in bw or "l1" not in bw:
        p.append("bandwidth: %s" % bw)
    for level in ("l1", "l2", "l3", "ram"):
        figures = bw.get(level)
        if figures and not all(figures.get(k, 0) > 0 for k in
                                ("read_mib_s", "write_mib_s", "copy_mib_s", "bytes_per_cpu")):
            p.append("bandwidth.%s incomplete: %s" % (level, figures))
    names = [e["ev"] for e in b.events]
    if "bandwidth" in names and "audit_cpu" in names and names.index("bandwidth") > names.index("audit_cpu"):
        p.append("bandwidth measured after the audit")
    cpus = b.all("audit_cpu")
    if len(cpus) != 2 or not all("pct_of_bandwidth" in e for e in cpus):
        p.append("audit_cpu without pct_of_bandwidth: %s" % cpus)
    if len(b.all("thermal")) < 2:
        p.append("thermal sampled at start and after the audit pass: %s" % b.all("thermal"))
    return p


@case
def bandwidth_off_skips_it(d):
    """bandwidth=off: no bandwidth event, no comparison in audit_cpu."""
    cfg = "on_finish=shutdown\naudit=quick\npatterns=own_address\nstress_ops=0\nbandwidth=off\n"
    b = boot(d, cfg=cfg, mem="256M", vga=False, timeout=400)
    p = check_run(b, "256M")
    if b.first("bandwidth") or b.first("config_issue"):
        p.append("bandwidth=off not applied: %s %s" % (b.first("bandwidth"), b.first("config_issue")))
    if any("pct_of_bandwidth" in e for e in b.all("audit_cpu")):
        p.append("audit_cpu compares with a bandwidth never measured")
    return p


@case
def screen_header_shows_the_dimms(d):
    """The header's third row, read back from the framebuffer, is the DIMM
    line built from SMBIOS."""
    png = os.path.join(d, "screen.png")
    sock, watch = screendump_when_done(d, png)
    extra = ["-smbios", "type=17,speed=2666"]
    b = boot(d, cfg="on_finish=halt\naudit=off\nstress_ops=0\n", mem="256M", vga=True,
             monitor=sock, on_running=watch, timeout=260, extra=extra)
    if not b.first("summary") or not os.path.exists(png):
        return ["no summary or no screendump"]
    rows = screen.decode_text(screen.read_png(png), 0, 3)
    want = " DIMMs: 1 of 1, 256 MiB RAM-2666, multi_bit_ecc"
    if len(rows) < 3 or rows[2] != want:
        return ["header rows %r lack %r" % (rows, want)]
    return []
