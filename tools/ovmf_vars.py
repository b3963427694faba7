#!/usr/bin/env python3
"""Reads a variable out of an OVMF variable store file (OVMF_VARS.fd, what
QEMU's second pflash holds), standard library only: the firmware volume
header, the variable store header, then the variables one after another
(authenticated or plain headers, 4-byte aligned), the one in state ADDED
winning. Writes it as Linux's efivarfs shows it: 4 bytes of attributes,
then the data.

    tools/ovmf_vars.py STORE NAME GUID OUT    exit 0 written, 3 not there"""

import struct
import sys
import uuid

AUTH_GUID = uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792")
PLAIN_GUID = uuid.UUID("ddcf3616-3275-4164-98b6-fe85707ffe7d")
VAR_ADDED, VAR_IN_DELETED_TRANSITION = 0x3F, 0xFE
START_ID = 0x55AA


class BadStore(Exception):
    pass


def variables(blob):
    """(name, guid, attributes, data, state) of every variable in the store."""
    if len(blob) < 56 or blob[40:44] != b"_FVH":
        raise BadStore("no firmware volume header")
    hdr_len = struct.unpack_from("<H", blob, 48)[0]
    sig = uuid.UUID(bytes_le=bytes(blob[hdr_len:hdr_len + 16]))
    if sig not in (AUTH_GUID, PLAIN_GUID):
        raise BadStore("not a variable store (%s)" % sig)
    size = struct.unpack_from("<I", blob, hdr_len + 16)[0]
    auth = sig == AUTH_GUID
    at, end = hdr_len + 28, min(len(blob), hdr_len + size)
    out = []
    while at + 32 <= end:
        start, state, _r, attr = struct.unpack_from("<HBBI", blob, at)
        if start != START_ID:
            break
        if auth:
            name_size, data_size = struct.unpack_from("<II", blob, at + 36)
            guid, hsize = blob[at + 44:at + 60], 60
        else:
            name_size, data_size = struct.unpack_from("<II", blob, at + 8)
            guid, hsize = blob[at + 16:at + 32], 32
        n0 = at + hsize
        if n0 + name_size + data_size > end:
            raise BadStore("variable at %#x runs past the store" % at)
        name = blob[n0:n0 + name_size].decode("utf-16-le").rstrip("\0")
        data = bytes(blob[n0 + name_size:n0 + name_size + data_size])
        out.append((name, uuid.UUID(bytes_le=bytes(guid)), attr, data, state))
        at = (n0 + name_size + data_size + 3) & ~3
    return out


def find(blob, name, guid):
    """(attributes, data) of the live variable, or None."""
    live = None
    for n, g, attr, data, state in variables(blob):
        # ADDED, possibly mid-delete (a write that replaces it not yet done)
        if n == name and g == uuid.UUID(guid) and state in (VAR_ADDED,
                                                            VAR_ADDED & VAR_IN_DELETED_TRANSITION):
            if state == VAR_ADDED or live is None:
                live = (attr, data)
    return live


def to_efivarfs(store, name, guid, out):
    """Writes the efivarfs-shaped file; False when the variable is not there."""
    with open(store, "rb") as f:
        v = find(f.read(), name, guid)
    if v is None:
        return False
    with open(out, "wb") as f:
        f.write(struct.pack("<I", v[0]) + v[1])
    return True


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sys.exit(0 if to_efivarfs(*sys.argv[1:]) else 3)
