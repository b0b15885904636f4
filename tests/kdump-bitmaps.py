#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compare the page bitmaps of two kdump-compressed dumps.

  kdump-bitmaps.py A B     exit 0 when both have the same present and
                           dumped pages; else print the differences

Reads makedumpfile's diskdump header (header version 6): block_size,
sub_hdr_size, bitmap_blocks, max_mapnr_64; bitmap 1 (present) and
bitmap 2 (dumped) follow the sub header blocks.
"""
import struct
import sys


def bitmaps(path):
    with open(path, "rb") as f:
        h = f.read(464)
        if h[:8] != b"KDUMP   ":
            sys.exit(f"{path}: not a kdump-compressed dump")
        bs, sub, bmb = struct.unpack_from("<iiI", h, 428)
        f.seek(bs)
        kh = f.read(104)
        mapnr = struct.unpack_from("<Q", kh, 96)[0]
        f.seek((1 + sub) * bs)
        half = bmb * bs // 2
        return mapnr, f.read(half), f.read(half)


def pfns(bm, mapnr):
    out = set()
    for i, b in enumerate(bm):
        if b:
            for k in range(8):
                if b >> k & 1 and i * 8 + k < mapnr:
                    out.add(i * 8 + k)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    (na, a1, a2), (nb, b1, b2) = bitmaps(sys.argv[1]), bitmaps(sys.argv[2])
    n = max(na, nb)
    bad = 0
    for name, x, y in (("present", a1, b1), ("dumped", a2, b2)):
        px, py = pfns(x, n), pfns(y, n)
        print(f"{name}: {len(px)} and {len(py)} pages, "
              f"{len(px - py)} only in the first, {len(py - px)} only in "
              f"the second")
        for p in sorted(px ^ py)[:10]:
            print(f"  pfn {p:#x} {'first' if p in px else 'second'} only")
        bad |= px != py
    sys.exit(1 if bad else 0)


main()
