#!/usr/bin/env python3
"""Checks the include structure that ui/README.md describes, from the #include lines alone.

A unit is a .h/.cpp pair. It fails (exit 1, one line per fault) when
  - a unit includes a unit of a higher layer (core < ui/jobs < ui/widgets < ui/session <
    ui/persistence < ui/docks, ui/tabs < ui/app < app/), or a peer folder of its layer
    (a tab another tab's folder, a dock a tab, a tab a dock);
  - core/ includes anything of Qt;
  - units include each other around a circle, at any length.
Usage: scripts/check_layers.py [REPO]   (REPO defaults to this script's repository)
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), '..'))
INCLUDE_ROOTS = ['core', 'ui', 'app', 'tests/support']
LAYERS = [('core/', 0), ('ui/jobs/', 1), ('ui/widgets/', 2), ('ui/session/', 3),
          ('ui/persistence/', 4), ('ui/docks/', 5), ('ui/tabs/', 5), ('ui/inspector/', 5),
          ('ui/app/', 6),
          ('app/', 7)]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def layer(path):
    for prefix, rank in LAYERS:
        if path.startswith(prefix):
            return rank
    return None


def peer_folder(path):
    """ui/tabs/<tab>/, ui/docks/ or ui/inspector/: the folders of layer 5 that must not include
    each other."""
    parts = path.split('/')
    if parts[:2] == ['ui', 'tabs'] and len(parts) > 3:
        return 'ui/tabs/' + parts[2]
    if parts[:2] in (['ui', 'docks'], ['ui', 'inspector']):
        return 'ui/' + parts[1]
    return None


def sources():
    for top in ('core', 'ui', 'app'):
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for name in sorted(names):
                if name.endswith(('.h', '.cpp')):
                    yield os.path.relpath(os.path.join(dirpath, name), ROOT)


def resolve(including, target):
    """The repository path an #include "target" names, or None for a system header."""
    candidates = [os.path.join(os.path.dirname(including), target)]
    candidates += [os.path.join(r, target) for r in INCLUDE_ROOTS]
    for c in candidates:
        if os.path.isfile(os.path.join(ROOT, c)):
            return os.path.normpath(c)
    return None


def unit(path):
    return os.path.splitext(path)[0]


def find_circles(graph):
    """Strongly connected components of more than one unit (Tarjan, iterative)."""
    index, low, on_stack, stack, circles = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


def main():
    faults = []
    graph = {}
    for path in sources():
        graph.setdefault(unit(path), set())
        with open(os.path.join(ROOT, path), encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                where = f'{path}:{number}'
                if path.startswith('core/') and m.group(2).startswith('Q'):
                    faults.append(f'{where}: core includes Qt <{m.group(2)}>')
                if m.group(1) != '"':
                    continue
                target = resolve(path, m.group(2))
                if target is None:
                    continue
                if unit(target) != unit(path):
                    graph[unit(path)].add(unit(target))
                mine, theirs = layer(path), layer(target)
                if mine is None or theirs is None:
                    continue
                if theirs > mine:
                    faults.append(f'{where}: includes {target}, a higher layer')
                elif theirs == mine and peer_folder(path) != peer_folder(target):
                    faults.append(f'{where}: includes {target}, a peer folder')
    for circle in find_circles(graph):
        faults.append('include circle: ' + ' <-> '.join(circle))
    for fault in faults:
        print(fault)
    if faults:
        print(f'check_layers: {len(faults)} faults', file=sys.stderr)
        return 1
    print(f'check_layers: {len(graph)} units, no upward include, no circle')
    return 0


if __name__ == '__main__':
    sys.exit(main())
