#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""drgn reads a filtered, compressed Linux guest dump.

  drgn-uts.py DUMP     DUMP is kdump-compressed: take SYMBOL(init_uts_ns)
                       and phys_base from its VMCOREINFO (the sub header's
                       offset_vmcoreinfo), read init_uts_ns with drgn out
                       of guest physical memory, print "sysname release"

No debug info is needed.  Exit 0 when drgn read "Linux" and the
VMCOREINFO's OSRELEASE, 1 otherwise.
"""
import struct
import sys

import drgn


def vmcoreinfo(path):
    with open(path, "rb") as f:
        if f.read(8) != b"KDUMP   ":
            sys.exit(f"{path}: not kdump-compressed")
        f.seek(4096 + 32)
        off, size = struct.unpack("<QQ", f.read(16))
        f.seek(off)
        text = f.read(size).decode(errors="replace")
    return dict(line.partition("=")[::2] for line in text.splitlines())


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    info = vmcoreinfo(sys.argv[1])
    p = drgn.Program()
    p.set_core_dump(sys.argv[1])
    pa = (int(info["SYMBOL(init_uts_ns)"], 16) - 0xffffffff80000000 +
          int(info["NUMBER(phys_base)"]) +
          int(info.get("OFFSET(uts_namespace.name)", "0")))
    uts = p.read(pa, 6 * 65, True)
    f = [uts[i * 65:(i + 1) * 65].split(b"\0")[0].decode() for i in range(6)]
    print(f[0], f[2])
    sys.exit(0 if f[0] == "Linux" and f[2] == info.get("OSRELEASE") else 1)


main()
