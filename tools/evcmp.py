#!/usr/bin/env python3
"""Are two builds' events the same? For refactors that promise unchanged
behaviour: boots BASE twice and NEW once per configuration and compares the
JSON events line by line.

    tools/evcmp.py BASE.img NEW.img [--pad-kernel] [CONFIG ...]

What may differ, and is masked:
  - values that differ between the two BASE boots (timings, TSC agreement,
    the stress test's cross-CPU interleaving);
  - the number of progress events (one a second): only their phases count;
  - code addresses (rip, rsp, kernel addresses in messages).
What is not masked, and what to do about it: the kernel's loaded size (in
pages) and KERNEL.ELF's file size change where the loader's allocations land,
hence frame counts and block shapes. --pad-kernel strips the debug info from
both images' KERNEL.ELF and pads both to one size; the loaded sizes must then
be equal in pages (readelf -lW), e.g. by building both with a kernel.ld that
aligns each segment to 64 KiB. A one-file image (the kernel in BOOTX64.EFI's
.kernel section) gets the same padding inside its PE file, re-packed with
tools/pe_pack.py (unsigned).
Logs stay in build/evcmp/<config>_<run>/. Exit status 0 when all match."""

import concurrent.futures
import json
import os
import re
import subprocess
import sys

import qemu

SHUT = "on_finish=shutdown\n"
CONFIGS = {
    "full_audit_2pass": (SHUT + "audit=full\npasses=2\nstress_ops=0\nbit_fade_seconds=1\n",
                         dict(mem="128M", smp=2)),
    "quick_stress": (SHUT + "audit=quick\nstress_ops=2000\n", dict(mem="256M", smp=4)),
    "inject": (SHUT + "audit=quick\nstress_ops=0\ninject_fault=0x2000000:0x10\n"
               "inject_fault=0x3000008:0x1\n", dict(mem="256M", smp=2)),
    "noaudit_5g": (SHUT + "audit=off\n", dict(mem="5G", smp=1)),
    "fault_pf": (SHUT + "audit=off\nfault_test=page_fault\n", dict(mem="512M", smp=2)),
}
OUT = os.path.join(qemu.ROOT, "build", "evcmp")
ESP = "@@1M"


def pad_one_file(img, size, env):
    """The kernel inside \EFI\BOOT\BOOTX64.EFI: take .kernel and .sbat
    out, pad the kernel, pack them again."""
    import pe_pack
    efi, base, k, sbat = (img + ext for ext in (".efi", ".base.efi", ".kernel", ".sbat"))
    subprocess.run(["mcopy", "-o", "-i", img + ESP, "::/EFI/BOOT/BOOTX64.EFI", efi], env=env,
                   check=True)
    with open(efi, "rb") as f:
        data = f.read()
    secs = {s["name"]: s for s in pe_pack.sections(data)}
    for name, path in ((".kernel", k), (".sbat", sbat)):
        with open(path, "wb") as f:
            f.write(data[secs[name]["rawptr"]:secs[name]["rawptr"] + secs[name]["vsize"]])
    subprocess.run(["objcopy", "--remove-section", ".kernel", "--remove-section", ".sbat", efi,
                    base], check=True)
    if os.path.getsize(k) > size:
        sys.exit("evcmp: stripped kernel larger than %d bytes" % size)
    os.truncate(k, size)
    pe_pack.main(["pe_pack", base, k, sbat, efi])
    subprocess.run(["mcopy", "-o", "-i", img + ESP, efi, "::/EFI/BOOT/BOOTX64.EFI"], env=env,
                   check=True)
    for path in (efi, base, k, sbat):
        os.remove(path)


def pad_kernel(img, size):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    if subprocess.run(["mdir", "-i", img + ESP, "::/EFI/METASLOT/KERNEL.ELF"], env=env,
                      capture_output=True).returncode:
        return pad_one_file(img, size, env)
    k = img + ".kernel"
    subprocess.run(["mcopy", "-o", "-i", img + ESP, "::/EFI/METASLOT/KERNEL.ELF", k], env=env,
                   check=True)
    subprocess.run(["objcopy", "--strip-debug", k], check=True)
    if os.path.getsize(k) > size:
        sys.exit("evcmp: stripped kernel larger than %d bytes" % size)
    os.truncate(k, size)
    subprocess.run(["mcopy", "-o", "-i", img + ESP, k, "::/EFI/METASLOT/KERNEL.ELF"], env=env,
                   check=True)
    os.remove(k)


def events(serial):
    lines = [l.strip("\r\x00") for l in serial.splitlines()]
    evs = [l for l in lines if l.startswith('{"ev":"')]
    phases = sorted({json.loads(l).get("phase", "?") for l in evs
                     if l.startswith('{"ev":"progress"')})
    evs = [l for l in evs if not l.startswith('{"ev":"progress"')]
    evs = [re.sub(r'"(rip|rsp)":\d+', r'"\1":ADDR', l) for l in evs]
    evs = [re.sub(r"0xffffffff8[0-9a-f]{7}", "KADDR", l) for l in evs]
    return evs + ["progress phases %s" % phases]


def boot(tag, src, name, pad):
    cfg, kw = CONFIGS[name]
    d = os.path.join(OUT, "%s_%s" % (name, tag))
    img = qemu.prepare_image(d, cfg, src=src)
    if pad:
        pad_kernel(img, 1 << 20)
    b = qemu.boot(d, img, timeout=300, vga=False, **kw)
    os.remove(img)
    return events(b.serial), b.status


def compare(a, b, c):
    """a, b: the two base boots; c: the new one. The mismatches found."""
    if not len(a) == len(b) == len(c):
        return ["event counts differ: base %d/%d, new %d" % (len(a), len(b), len(c))]
    out = []

    def walk(path, u, v, w):
        if isinstance(u, dict) and isinstance(w, dict):
            if list(u) != list(w):
                out.append("%s: keys %s, new %s" % (path, list(u), list(w)))
                return
            for k in u:
                walk(path + "." + k, u[k], v.get(k) if isinstance(v, dict) else None, w[k])
        elif u == v and u != w:
            out.append("%s: base %r, new %r" % (path, u, w))
        elif type(u) != type(w):
            out.append("%s: type %s, new %s" % (path, type(u).__name__, type(w).__name__))

    for x, y, z in zip(a, b, c):
        if x == y == z:
            continue
        if not x.startswith("{"):
            out.append("%s / new %s" % (x, z))
            continue
        jx, jz = json.loads(x), json.loads(z)
        walk(jx.get("ev"), jx, json.loads(y), jz)
    return out


def main():
    args = sys.argv[1:]
    pad = "--pad-kernel" in args
    args = [a for a in args if a != "--pad-kernel"]
    if len(args) < 2 or any(n not in CONFIGS for n in args[2:]):
        sys.exit(__doc__ + "\nconfigs: " + " ".join(CONFIGS))
    base, new, names = args[0], args[1], args[2:] or list(CONFIGS)
    jobs = [(t, img, n) for n in names for t, img in (("base1", base), ("base2", base),
                                                       ("new", new))]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        res = dict(zip(jobs, pool.map(lambda j: boot(*j, pad), jobs)))
    failed = 0
    for n in names:
        (a, sa), (b, sb), (c, sc) = (res[(t, img, n)] for t, img in
                                     (("base1", base), ("base2", base), ("new", new)))
        problems = compare(a, b, c)
        if not sa == sb == sc:
            problems.append("exit status base %d/%d, new %d" % (sa, sb, sc))
        print("%-18s %3d events, exit %d: %s" % (n, len(c), sc,
                                                 "DIFFERS" if problems else "same"))
        for p in problems[:10]:
            print("    " + p)
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
