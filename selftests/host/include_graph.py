#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""loader/'s include graph against its layers (the Makefile's LOADER_LAYERS).

  include_graph.py ROOT LAYER...   (lowest layer first)

Prints one line per problem and exits 1 if there is any:
  - a file outside the layer folders;
  - an include of a higher layer's header, or of a loader header that
    does not exist where the layers allow;
  - an include cycle between modules (a module is x.c with x.h).
Prints "layers: N files, N includes, 0 cycles" when all is well.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main():
    root, layers = sys.argv[1], sys.argv[2:]
    loader = os.path.join(root, 'loader')
    rank = {layer: i for i, layer in enumerate(layers)}
    where = {}  # file name -> layer
    problems = []
    for entry in sorted(os.listdir(loader)):
        path = os.path.join(loader, entry)
        if entry not in rank:
            problems.append(f'loader/{entry} is outside the layer folders ({", ".join(layers)})')
            continue
        for name in sorted(os.listdir(path)):
            if name in where:
                problems.append(f'{name} is in both loader/{where[name]} and loader/{entry}')
            where[name] = entry

    edges = {}  # module -> modules it includes
    nr_includes = 0
    for name, layer in where.items():
        if not name.endswith(('.c', '.h')):
            continue
        text = open(os.path.join(loader, layer, name), encoding='utf-8').read()
        module = (layer, name[:-2])
        edges.setdefault(module, set())
        for inc in INCLUDE.findall(text):
            if '/' in inc:
                continue  # bpflp/ (include/), ../../kmod/: not loader's own
            nr_includes += 1
            to = where.get(inc)
            if to is None:
                if not inc.endswith('.skel.h'):  # generated in build/bpf
                    problems.append(f'loader/{layer}/{name} includes "{inc}", which no layer has')
                continue
            if rank[to] > rank[layer]:
                below = ', '.join(layers[:rank[layer] + 1])
                problems.append(f'loader/{layer}/{name} includes {to}/{inc}: '
                                f'the {layer} layer may include only {below}')
            if (to, inc[:-2]) != module:
                edges[module].add((to, inc[:-2]))

    for component in cycles(edges):
        names = ', '.join(f'{l}/{m}' for l, m in component)
        problems.append(f'include cycle among {names}: one must stop including another')
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f'layers: {len(where)} files, {nr_includes} includes, 0 cycles')
    return 0


def cycles(edges):
    """The strongly connected components of more than one module (Tarjan): each holds a cycle."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


if __name__ == '__main__':
    sys.exit(main())
