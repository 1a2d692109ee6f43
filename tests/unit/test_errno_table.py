#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The errno table is complete (issue 13, build item 7).

Walks the sources of every layer that can put an errno on the wire or hand
one to a caller -- src/base, src/lib (the model returns -errno), src/sim
(apsim's handler, server and guest sessions), src/proto and src/guest --
and collects every errno constant they mention (returned as -EXXX, passed
to a fail/reply function, compared with).  A superset of what is sent, on
purpose: a constant that appears anywhere may travel.  Each one is checked
against the compiled table of libapvirt_proto by the checker program
(test_errno_table.c): written by name, read back to its value.

usage: test_errno_table.py --src SRC_DIR --check CHECKER [--list]
"""
import argparse
import errno
import os
import re
import subprocess
import sys

DIRS = ("base", "lib", "sim", "proto", "guest")
TOKEN = re.compile(r"(?<![A-Za-z0-9_])E[A-Z0-9]{2,}\b")


def scan(src):
    used = {}
    for d in DIRS:
        for root, _, files in os.walk(os.path.join(src, d)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                p = os.path.join(root, f)
                with open(p, encoding="utf-8", errors="replace") as fh:
                    for n, line in enumerate(fh, 1):
                        for m in TOKEN.finditer(line):
                            name = m.group(0)
                            v = getattr(errno, name, None)
                            if isinstance(v, int) and name in errno.errorcode.values() \
                                    or name in ("EWOULDBLOCK", "ENOTSUP", "EDEADLOCK"):
                                used.setdefault(name, (v, "%s:%d" % (p, n)))
    return used


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--check", required=True)
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    used = scan(a.src)
    if len(used) < 20:
        print("only %d errno constants found under %s: wrong --src?" % (len(used), a.src))
        return 1
    if a.list:
        for k in sorted(used):
            print(k, used[k][0], used[k][1])
    r = subprocess.run([a.check] + ["%s=%d" % (k, used[k][0]) for k in sorted(used)],
                       stdout=subprocess.PIPE, universal_newlines=True)
    out = r.stdout
    for line in out.splitlines():
        m = re.match(r"(missing|wrong): \"?(E[A-Z0-9]+)", line)
        where = " (first seen at %s)" % used[m.group(2)][1] if m and m.group(2) in used else ""
        print(line + where)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
