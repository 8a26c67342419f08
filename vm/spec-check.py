#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# spec-check.py SPEC.yaml HEADER.h: check that the genetlink YAML spec of
# the memowner family and the uapi header agree, as nested TAP ("# ok N
# ..." per check, "# # ..." per mismatch); exit status 1 on any mismatch.
#
# The spec's naming rules (see the comment at the top of the spec): an
# attribute is its set's name-prefix plus its name, upper case, "-" as "_";
# every attribute enum ends with __<PREFIX>LAST and <PREFIX>MAX = LAST - 1;
# the command enum is <PREFIX>UNSPEC = 0, the operations, then
# __<PREFIX>MAX and <PREFIX>MAX; a definition "x" names MEMOWNER_X_*
# constants (enums end like attribute enums when render-max is set; flags
# may end with __MEMOWNER_X_ALL).  Where a C enum entry has a comment, its
# first word must agree: the attribute type, or "do"/"dump" for commands.
import ast
import operator
import re
import sys

import yaml


def c_name(*parts):
    return ''.join(parts).upper().replace('-', '_')


# ---- the header -----------------------------------------------------------

OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
       ast.LShift: operator.lshift, ast.RShift: operator.rshift,
       ast.BitOr: operator.or_, ast.BitAnd: operator.and_}


def c_eval(expr, names):
    """Value of a C integer constant expression over known names."""
    expr = re.sub(r'\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b', r'\1', expr.strip())
    expr = re.sub(r'\(\s*(?:__u32|__u64|unsigned int|int)\s*\)', '', expr)

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            return OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        raise ValueError(expr)
    return ev(ast.parse(expr, mode='eval'))


class Header:
    def __init__(self, path):
        text = open(path).read()
        self.values = {}	# every constant: name -> int
        self.strings = {}	# string defines: name -> str
        self.enums = {}		# enum tag -> [(name, value, comment)]
        self.owner = {}		# entry name -> enum tag
        body = re.sub(r'/\*(?!\*/).*?\*/', lambda m: m.group(0)
                      if '\n' not in m.group(0) else '', text, flags=re.S)
        for m in re.finditer(r'^#define[ \t]+(\w+)[ \t]+([^\n]*)$|'
                             r'\benum\s+(\w+)\s*\{(.*?)\};', body,
                             flags=re.M | re.S):
            if m.group(1):
                self.define(m.group(1), m.group(2))
            else:
                self.enum(m.group(3), m.group(4))

    def define(self, name, value):
        value = re.sub(r'/\*.*?\*/', '', value).strip()
        s = re.fullmatch(r'"(.*)"', value)
        if s:
            self.strings[name] = s.group(1)
            return
        try:
            self.values[name] = c_eval(value, self.values)
        except (ValueError, KeyError, SyntaxError):
            pass		# macros with arguments, ioctl numbers, ...

    def enum(self, tag, body):
        entries, nxt = [], 0
        for line in body.splitlines():
            comment = re.search(r'/\*\s*(.*?)\s*\*/', line)
            line = re.sub(r'/\*.*?\*/', '', line).strip().rstrip(',')
            if not line:
                continue
            m = re.fullmatch(r'(\w+)\s*(?:=\s*(.+))?', line)
            if not m:
                raise ValueError(f'enum {tag}: cannot parse "{line}"')
            value = c_eval(m.group(2), self.values) if m.group(2) else nxt
            self.values[m.group(1)] = value
            self.owner[m.group(1)] = tag
            entries.append((m.group(1), value,
                            comment.group(1) if comment else None))
            nxt = value + 1
        self.enums[tag] = entries


# ---- checks ---------------------------------------------------------------

class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, desc, errors):
        self.n += 1
        if errors:
            self.failed += 1
            for e in errors:
                print(f'# # {e}')
            print(f'# not ok {self.n} {desc}')
        else:
            print(f'# ok {self.n} {desc}')


def compare(errors, what, got, want):
    """Compare two lists of (name, value) entries, reporting each change."""
    if got == want:
        return
    gn = [n for n, _ in got]
    wn = [n for n, _ in want]
    for n, v in want:
        if n not in gn:
            errors.append(f'{what}: {n} is missing from the header')
    for n, v in got:
        if n not in wn:
            errors.append(f'{what}: {n} of the header is not in the spec')
    for (n, v) in want:
        if n in gn and dict(got)[n] != v:
            errors.append(f'{what}: {n} is {dict(got)[n]}, spec says {v}')
    if not errors and gn != wn:
        errors.append(f'{what}: order differs: header {gn}, spec {wn}')


def first_word(comment):
    m = re.match(r'[\w-]+', comment or '')
    return m.group(0) if m else None


def check_family(spec, hdr):
    errors = []
    if spec.get('protocol') != 'genetlink':
        errors.append(f'protocol is {spec.get("protocol")}, not genetlink')
    if hdr.strings.get('MEMOWNER_GENL_NAME') != spec['name']:
        errors.append(f'MEMOWNER_GENL_NAME is '
                      f'"{hdr.strings.get("MEMOWNER_GENL_NAME")}", '
                      f'spec name is "{spec["name"]}"')
    for key in ('name', 'doc', 'attribute-sets', 'operations'):
        if key not in spec:
            errors.append(f'spec has no "{key}"')
    return errors


def check_definition(d, hdr):
    errors = []
    prefix = c_name('memowner-', d['name'], '-')
    if d['type'] == 'const':
        name = prefix[:-1]
        if name not in hdr.values:
            errors.append(f'{name} is not defined in the header')
        elif hdr.values[name] != d['value']:
            errors.append(f'{name} is {hdr.values[name]}, spec says '
                          f'{d["value"]}')
        return errors
    entries = [e if isinstance(e, dict) else {'name': e}
               for e in d['entries']]
    start = d.get('value-start', 0)
    want = []
    for i, e in enumerate(entries):
        v = e.get('value', start + i)
        want.append((c_name(prefix, e['name']),
                     1 << v if d['type'] == 'flags' else v))
    tag = hdr.owner.get(want[0][0])
    if not tag:
        return [f'{want[0][0]} is not in any enum of the header']
    got = [(n, v) for n, v, _ in hdr.enums[tag]]
    if d['type'] == 'enum' and d.get('render-max'):
        last = c_name('__', prefix, 'last')
        want += [(last, len(want)), (c_name(prefix, 'max'), len(want) - 1)]
    if d['type'] == 'flags':
        mask = c_name('__', prefix, 'all')
        got = [(n, v) for n, v in got if n != mask]
        if mask in hdr.values and \
           hdr.values[mask] != sum(v for _, v in want):
            errors.append(f'{mask} is {hdr.values[mask]:#x}, the flags '
                          f'make {sum(v for _, v in want):#x}')
    compare(errors, f'enum {tag}', got, want)
    # A source-style enum used as a mask may have a __<PREFIX>F_ALL define.
    mask = c_name('__', prefix, 'f-all')
    if d['type'] == 'enum' and mask in hdr.values and \
       hdr.values[mask] != (1 << len(entries)) - 1:
        errors.append(f'{mask} is {hdr.values[mask]:#x}, expected '
                      f'{(1 << len(entries)) - 1:#x}')
    return errors


TYPE_WORDS = {'string': 'string', 'u8': 'u8', 'u16': 'u16', 'u32': 'u32',
              'u64': 'u64', 's32': 's32', 's64': 's64', 'nest': 'nest',
              'binary': 'binary', 'flag': 'flag'}


def check_attr_set(s, spec, hdr):
    errors = []
    sets = {x['name']: x for x in spec['attribute-sets']}
    defs = {d['name'] for d in spec.get('definitions', [])}
    if 'subset-of' in s:
        parent = sets.get(s['subset-of'])
        if not parent:
            return [f'subset of unknown set {s["subset-of"]}']
        names = {a['name'] for a in parent['attributes']}
        return [f'{a["name"]} is not an attribute of {parent["name"]}'
                for a in s['attributes'] if a['name'] not in names]
    tag = s.get('enum-name')
    prefix = s.get('name-prefix')
    if not tag or not prefix:
        return ['needs name-prefix and enum-name']
    if tag not in hdr.enums:
        return [f'enum {tag} is not in the header']
    want, nxt = [], 1
    for a in s['attributes']:
        v = a.get('value', nxt)
        want.append((c_name(prefix, a['name']), v))
        nxt = v + 1
        if a.get('nested-attributes') and a['nested-attributes'] not in sets:
            errors.append(f'{a["name"]}: unknown nested set '
                          f'{a["nested-attributes"]}')
        if a.get('enum') and a['enum'] not in defs:
            errors.append(f'{a["name"]}: unknown definition {a["enum"]}')
    want += [(c_name('__', prefix, 'last'), nxt),
             (c_name(prefix, 'max'), nxt - 1)]
    entries = hdr.enums[tag]
    compare(errors, f'enum {tag}', [(n, v) for n, v, _ in entries], want)
    types = {c_name(prefix, a['name']): a['type'] for a in s['attributes']}
    for name, _, comment in entries:
        word = first_word(comment)
        if name in types and word in TYPE_WORDS and \
           TYPE_WORDS[word] != types[name]:
            errors.append(f'{name}: the header says {word}, the spec '
                          f'{types[name]}')
    return errors


def check_operations(spec, hdr):
    errors = []
    ops = spec['operations']
    tag, prefix = ops.get('enum-name'), ops.get('name-prefix')
    if not tag or not prefix:
        return ['operations need name-prefix and enum-name']
    if tag not in hdr.enums:
        return [f'enum {tag} is not in the header']
    sets = {x['name']: x for x in spec['attribute-sets']}
    want, nxt = [(c_name(prefix, 'unspec'), 0)], 1
    kinds = {}
    for op in ops['list']:
        v = op.get('value', nxt)
        name = c_name(prefix, op['name'])
        want.append((name, v))
        nxt = v + 1
        kinds[name] = {k for k in ('do', 'dump') if k in op}
        if 'event' in op or 'notify' in op:
            kinds[name].add('multicast')
        aset = sets.get(op.get('attribute-set'))
        if op.get('attribute-set') and not aset:
            errors.append(f'{op["name"]}: unknown attribute set')
            continue
        names = {a['name'] for a in aset['attributes']} if aset else set()
        for k in ('do', 'dump'):
            for part in ('request', 'reply'):
                for a in op.get(k, {}).get(part, {}).get('attributes', []):
                    if a not in names:
                        errors.append(f'{op["name"]} {k} {part}: {a} is '
                                      f'not in set {aset["name"]}')
        for a in op.get('event', {}).get('attributes', []):
            if a not in names:
                errors.append(f'{op["name"]} event: {a} is not in set '
                              f'{aset["name"]}')
    want += [(c_name('__', prefix, 'max'), nxt),
             (c_name(prefix, 'max'), nxt - 1)]
    entries = hdr.enums[tag]
    compare(errors, f'enum {tag}', [(n, v) for n, v, _ in entries], want)
    for name, _, comment in entries:
        word = first_word(comment)
        if name in kinds and word in ('do', 'dump', 'multicast') and \
           word not in kinds[name]:
            errors.append(f'{name}: the header says {word}, the spec has '
                          f'{sorted(kinds[name]) or "nothing"}')
    return errors


def check_coverage(spec, hdr):
    """Every attribute enum of the header has its set in the spec."""
    named = {s.get('enum-name') for s in spec['attribute-sets']}
    return [f'enum {tag} of the header has no attribute set in the spec'
            for tag in hdr.enums
            if tag.endswith('_attr') and tag not in named]


def check_mcast(spec, hdr):
    errors = []
    groups = [g['name'] for g in spec.get('mcast-groups', {}).get('list', [])]
    defined = {n: v for n, v in hdr.strings.items()
               if n.startswith('MEMOWNER_MCGRP_')}
    for g in groups:
        name = c_name('memowner-mcgrp-', g)
        if defined.get(name) != g:
            errors.append(f'group "{g}": {name} is '
                          f'{defined.get(name, "not defined")}')
    for n, v in defined.items():
        if v not in groups:
            errors.append(f'{n} "{v}" is not a group of the spec')
    return errors


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: spec-check.py SPEC.yaml HEADER.h')
    tap = Tap()
    try:
        spec = yaml.safe_load(open(sys.argv[1]))
        hdr = Header(sys.argv[2])
    except (OSError, yaml.YAMLError, ValueError, KeyError) as e:
        tap.check('spec and header parse', [str(e)])
        print(f'# 1..{tap.n}')
        return 1
    tap.check(f'spec {spec.get("name")} and header parse', [])
    tap.check('family name and protocol', check_family(spec, hdr))
    for d in spec.get('definitions', []):
        tap.check(f'definition {d["name"]}', check_definition(d, hdr))
    for s in spec.get('attribute-sets', []):
        tap.check(f'attribute set {s["name"]}', check_attr_set(s, spec, hdr))
    tap.check('every attribute enum has a set', check_coverage(spec, hdr))
    tap.check('operations', check_operations(spec, hdr))
    tap.check('multicast groups', check_mcast(spec, hdr))
    print(f'# 1..{tap.n}')    # the plan, last (vm/tap-summary.awk enforces it)
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
