#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The layer check of issue 9: no call cycle spans two subsystem folders of
src/lib, and apctl and the guest library never reference the model.

usage: check_layers.py --src SRC_LIB_DIR --lib libapvirt.a
                       [--apctl EXE] [--guest LIB.a] [--nm NM]

Nodes of the graph are the subsystem folders of src/lib (machine, bus,
vfio_ap, kvm, sysfs, ...) and, one node each, the files at its top (host,
reason, log, lock, devev, preset): host.c is the top and may call every
subsystem, lock/reason/log/devev are leaves every subsystem may call.  An
edge A -> B means an object of A references a symbol an object of B
defines.  The check fails on any cycle, printing it with the symbols that
make its edges.  Calls inside one folder do not count.
"""
import argparse
import os
import subprocess
import sys


def nm(nm_prog, path):
    """[(member, kind, name)] for every symbol of an archive or object."""
    out = subprocess.run([nm_prog, '-A', '-P', path], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        # "lib.a[member.o]: name T 0 10" (POSIX format with -A)
        head, _, rest = line.partition(': ')
        if not rest:
            continue
        f = rest.split()
        if len(f) < 2:
            continue
        member = head
        if '[' in head and head.endswith(']'):
            member = head[head.index('[') + 1:-1]
        elif ':' in head:
            member = head.rsplit(':', 1)[1]
        syms.append((os.path.basename(member), f[1], f[0]))
    return syms


def node_of(member, folders):
    """Meson names the object of machine/hw.c "machine_hw.c.o"."""
    for d in sorted(folders, key=len, reverse=True):
        if member.startswith(d + '_'):
            return d
    base = member
    for suffix in ('.o', '.obj'):
        if base.endswith(suffix):
            base = base[:-len(suffix)]
    if base.endswith('.c'):
        base = base[:-2]
    return base


def defined(kind):
    """A global definition (nm's upper-case kinds; lower case is local)."""
    return kind.isupper() and kind not in ('U', 'N')


def find_cycle(edges):
    """One cycle of the graph as a list of nodes (first == last), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n: WHITE for n in edges}
    stack = []

    def visit(n):
        colour[n] = GREY
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            c = colour.get(m, WHITE)
            if c == GREY:
                return stack[stack.index(m):] + [m]
            if c == WHITE:
                colour[m] = WHITE
                cyc = visit(m)
                if cyc:
                    return cyc
        stack.pop()
        colour[n] = BLACK
        return None

    for n in sorted(edges):
        if colour[n] == WHITE:
            cyc = visit(n)
            if cyc:
                return cyc
    return None


# Edges the layering forbids even without a cycle (issue 9): the machine
# calls no subsystem above it, the bus reaches vfio_ap only through its
# driver table, KVM never names vfio_ap, and the leaves call no subsystem.
SUBSYSTEMS = ('machine', 'bus', 'vfio_ap', 'kvm', 'sysfs')
LEAVES = ('lock', 'reason', 'log', 'devev')
FORBIDDEN = {
    'machine': ('bus', 'vfio_ap', 'kvm', 'sysfs', 'host'),
    'bus': ('vfio_ap', 'kvm', 'sysfs', 'host'),
    'kvm': ('vfio_ap', 'bus', 'sysfs', 'host'),
    'vfio_ap': ('sysfs', 'host'),
}
for leaf in LEAVES:
    FORBIDDEN[leaf] = SUBSYSTEMS + ('host',)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--src', required=True)
    ap.add_argument('--lib', required=True)
    ap.add_argument('--apctl')
    ap.add_argument('--guest')
    ap.add_argument('--nm', default='nm')
    ap.add_argument('--graph', action='store_true',
                    help='print every folder-to-folder edge')
    args = ap.parse_args()

    folders = [d for d in os.listdir(args.src)
               if os.path.isdir(os.path.join(args.src, d))]
    syms = nm(args.nm, args.lib)
    owner = {}   # symbol -> node defining it
    for member, kind, name in syms:
        if defined(kind):
            owner[name] = node_of(member, folders)
    edges = {}   # node -> {node: set(symbols)}
    for member, kind, name in syms:
        if kind != 'U' or name not in owner:
            continue
        a, b = node_of(member, folders), owner[name]
        edges.setdefault(b, {})
        if a != b:
            edges.setdefault(a, {}).setdefault(b, set()).add(name)
        else:
            edges.setdefault(a, {})

    if args.graph:
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f'{a} -> {b}: {" ".join(sorted(edges[a][b]))}')

    failed = False
    cyc = find_cycle(edges)
    if cyc:
        failed = True
        print('FAIL: call cycle across src/lib folders: ' + ' -> '.join(cyc))
        for a, b in zip(cyc, cyc[1:]):
            print(f'  {a} -> {b}: {" ".join(sorted(edges[a][b]))}')
    else:
        print(f'ok: no cycle between {len(edges)} src/lib nodes '
              f'({", ".join(sorted(edges))})')

    for a in sorted(edges):
        for b in sorted(edges[a]):
            if b in FORBIDDEN.get(a, ()):
                failed = True
                print(f'FAIL: {a} must not call {b}: '
                      f'{" ".join(sorted(edges[a][b]))}')

    # apctl and the guest library link base + proto only: no model symbol
    for label, path in (('apctl', args.apctl), ('libapvirt_guest', args.guest)):
        if not path:
            continue
        used = sorted({name for _, kind, name in nm(args.nm, path)
                       if name in owner})
        if used:
            failed = True
            print(f'FAIL: {label} references {len(used)} libapvirt model '
                  f'symbols: {" ".join(used[:20])}'
                  + (' ...' if len(used) > 20 else ''))
        else:
            print(f'ok: {label} references no libapvirt model symbol')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
