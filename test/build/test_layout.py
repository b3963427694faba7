#!/usr/bin/env python3
"""Who may include whom (docs/ARCHITECTURE.md), checked on the sources and on
what the compiler really read (TAP):
  - mm/ and include/mm/ include only <mm/...>, freestanding standard headers
    and the environment header (MM_ENV_INLINE_HEADER);
  - lib/ and include/lib/ include only <lib/...> and standard headers;
  - the loader compiles no file under kernel/, and neither its sources nor
    the headers gcc read for them (the -MMD .d files) lie under kernel/ or
    include/kernel/;
  - kernel/ includes nothing from efi/;
  - nothing outside mm/ (and its tests) includes mm/internal.h.
Run after `make all` (the .d files are the build's)."""

import glob
import os
import re
import subprocess

from tap import check, finish

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.path.join(ROOT, "build")
STD = {"stdint.h", "stddef.h", "stdbool.h", "stdatomic.h", "stdalign.h", "stdarg.h",
       "stdnoreturn.h", "limits.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+(?:<([^>]+)>|"([^"]+)"|(\w+))', re.M)


def includes(path):
    """(line, target, kind) of each #include; kind is '<', '"' or 'macro'."""
    text = open(path, encoding="utf-8", errors="replace").read()
    out = []
    for m in INCLUDE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group(1):
            out.append((line, m.group(1), "<"))
        elif m.group(2):
            out.append((line, m.group(2), '"'))
        else:
            out.append((line, m.group(3), "macro"))
    return out


def rel(p):
    return os.path.relpath(p, ROOT)


def files(*patterns):
    return sorted(f for p in patterns for f in glob.glob(os.path.join(ROOT, p)))


def bad_includes(paths, allowed):
    bad = []
    for f in paths:
        for line, target, kind in includes(f):
            if not allowed(target, kind, f):
                bad.append("%s:%d includes %s" % (rel(f), line, target))
    return bad


# mm/: its own headers, the standard freestanding ones, the env header hook
bad = bad_includes(files("mm/*.c", "include/mm/*.h"),
                   lambda t, k, f: (k == "<" and (t.startswith("mm/") or t in STD)) or
                   (k == "macro" and t == "MM_ENV_INLINE_HEADER"))
check("mm_includes_only_mm_and_its_env_header", not bad, "\n".join(bad))

# lib/: freestanding and self-contained
bad = bad_includes(files("lib/*.c", "include/lib/*.h"),
                   lambda t, k, f: k == "<" and (t.startswith("lib/") or t in STD))
check("lib_includes_only_lib_and_standard_headers", not bad, "\n".join(bad))

# the loader's sources as the Makefile lists them
srcs = subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT, "print-EFI_SRCS"],
                      capture_output=True, text=True).stdout.split()
bad = [s for s in srcs if s.startswith("kernel/")]
check("loader_compiles_no_kernel_source", srcs and not bad,
      "EFI_SRCS: %s" % (" ".join(srcs) or "(make print-EFI_SRCS printed nothing)"))

# its own includes, as written
bad = bad_includes(files("efi/*.c", "efi/*.h"),
                   lambda t, k, f: not (t.startswith("kernel/") or "/kernel/" in t or
                                        t.startswith("../")))
check("loader_sources_include_nothing_from_kernel", not bad, "\n".join(bad))

# and as the compiler read them: every header of every loader object
bad, seen = [], 0
for s in srcs:
    d = os.path.join(B, "efi-obj", os.path.splitext(s)[0] + ".d")
    if not os.path.exists(d):
        bad.append("%s: no dependency file %s (run make all)" % (s, rel(d)))
        continue
    seen += 1
    # the first rule (object: source headers...); -MP adds empty rules after it
    deps = open(d).read().replace("\\\n", " ").split("\n", 1)[0].split(":", 1)[1].split()
    for dep in deps:
        r = rel(os.path.join(ROOT, dep)) if not os.path.isabs(dep) else dep
        if r.startswith(("kernel/", "include/kernel/")):
            bad.append("%s reads %s" % (s, r))
check("loader_objects_read_no_kernel_header", seen and not bad, "\n".join(sorted(set(bad))))

# kernel/ never reaches into the loader
bad = bad_includes(files("kernel/*.c", "kernel/*/*.c", "kernel/*/*/*.c", "include/kernel/*.h"),
                   lambda t, k, f: not t.startswith(("efi/", "../")))
check("kernel_includes_nothing_from_efi", not bad, "\n".join(bad))

# mm/internal.h is mm/'s own (and its white-box tests')
bad = bad_includes(files("efi/*.[ch]", "lib/*.c", "kernel/*.c", "kernel/*/*.[ch]",
                         "kernel/*/*/*.c", "include/*.h", "include/kernel/*.h", "include/lib/*.h"),
                   lambda t, k, f: t != "mm/internal.h")
check("only_mm_includes_mm_internal_h", not bad, "\n".join(bad))

finish()
