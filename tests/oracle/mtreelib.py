# SPDX-License-Identifier: GPL-2.0-or-later
"""Small readers for QEMU 7.2 `info mtree [-D]` and `info mtree -f` text,
shared by tests/oracle/derive-hints and tests/oracle/run.  (The replay
itself uses the C parser in tools/mtree_parse.c; this is only what the
scripts need: a tree model for point look-ups and a canonical flat form.)
"""

import re

RANGE_RE = re.compile(
    r"^(?:\[DETECTED OVERFLOW!\] )?( +)([0-9a-f]{16})-([0-9a-f]{16}) "
    r"\(prio (-?\d+), (nv-)?(ramd|romd|rom|ram|i/o)\): (.*)$")
ALIAS_RE = re.compile(r"^alias (.+) @(.+) ([0-9a-f]{16})-([0-9a-f]{16})$")
FLAT_RE = re.compile(
    r"^  ([0-9a-f]{16})-([0-9a-f]{16}) \(prio (-?\d+), (nv-)?(ramd|romd|rom|ram|i/o)\): "
    r"(.*?)(?: @([0-9a-f]{16}))?((?: KVM)*)$")
M64 = (1 << 64) - 1


class Node:
    __slots__ = ("name", "start", "end", "prio", "type", "nv", "alias",
                 "target", "ts", "disabled", "children", "parent", "sec",
                 "line", "target_node", "_sig")

    def __init__(self):
        self.children = []
        self.parent = None
        self.alias = False
        self.target = None
        self.target_node = None
        self.ts = 0
        self._sig = None

    def sig(self):
        """Printed subtree, for recognising one region printed twice."""
        if self._sig is None:
            self._sig = (self.name, self.end - self.start, self.prio,
                         self.type, self.nv, self.alias, self.target,
                         self.ts, self.disabled,
                         tuple((c.rel, c.sig()) for c in self.children))
        return self._sig

    @property
    def size(self):
        return ((self.end - self.start) & M64) + 1

    @property
    def rel(self):
        if self.parent is None:
            return self.start
        return (self.start - self.parent.start) & M64


class Section:
    def __init__(self, is_as, line):
        self.is_as = is_as
        self.names = []         # AS names, or [header]
        self.root = None
        self.line = line


def parse_tree(text):
    """Return the list of sections of an `info mtree [-D]` dump."""
    secs = []
    cur = None
    stack = []
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line:
            cur = None
            continue
        if line.startswith("address-space: "):
            if cur is None or not cur.is_as or cur.root is not None:
                cur = Section(True, lineno)
                secs.append(cur)
            cur.names.append(line[15:])
            continue
        if line.startswith("memory-region: "):
            cur = Section(False, lineno)
            cur.names.append(line[15:])
            secs.append(cur)
            continue
        m = RANGE_RE.match(line)
        if not m or cur is None:
            raise ValueError("line %d: cannot parse: %r" % (lineno, line))
        n = Node()
        n.line = lineno
        n.sec = cur
        level = len(m.group(1)) // 2
        n.start = int(m.group(2), 16)
        n.end = int(m.group(3), 16)
        n.prio = int(m.group(4))
        n.nv = bool(m.group(5))
        n.type = m.group(6)
        rest = m.group(7)
        n.disabled = rest.endswith(" [disabled]")
        if n.disabled:
            rest = rest[:-11]
        am = ALIAS_RE.match(rest)
        if am:
            n.alias = True
            n.name, n.target = am.group(1), am.group(2)
            n.ts = int(am.group(3), 16)
        else:
            n.name = rest
        if cur.root is None:
            if level == 1:
                cur.root = n
                stack = [n]
                continue
            # a section starting below level 1: its root is disabled
            h = Node()
            h.line = 0
            h.sec = cur
            h.name = cur.names[0]
            h.start, h.end = 0, M64
            h.prio = 0
            h.nv = False
            h.type = "i/o"
            h.disabled = True
            cur.root = h
            stack = [h]
        # Lines deeper than a child of the previous line, or under an
        # alias, are children of disabled regions that plain `info mtree`
        # leaves out: stand in a hidden disabled container (as
        # tools/mtree_parse.c does).
        depth = len(stack)
        if depth >= level - 1 and level >= 2 and stack[level - 2].alias:
            depth = level - 2
        depth = min(depth, level - 1)
        del stack[depth:]
        while len(stack) < level - 1:
            par = stack[-1]
            h = Node()
            h.line = 0
            h.sec = cur
            h.name = "(hidden disabled region)"
            h.start, h.end = par.start, par.end
            h.prio = 0
            h.nv = False
            h.type = "i/o"
            h.disabled = True
            h.parent = par
            par.children.append(h)
            stack.append(h)
        parent = stack[-1]
        n.parent = parent
        parent.children.append(n)
        stack.append(n)
    return secs


class Tree:
    """A dump with alias targets resolved the way QEMU queues them (as
    tools/mtree_parse.c does), and point look-ups that follow QEMU's
    render rules."""

    def __init__(self, text):
        self.secs = parse_tree(text)
        self.as_roots = {}      # AS name -> roots of every section naming it
        for s in self.secs:
            if s.is_as:
                for n in s.names:
                    self.as_roots.setdefault(n, []).append(s.root)
        self._resolve()

    @staticmethod
    def _walk(n):
        todo = [n]
        while todo:
            x = todo.pop()
            yield x
            todo.extend(reversed(x.children))

    def _resolve(self):
        # A memory-region: section may print a region that is also printed
        # elsewhere (e.g. "system"): pair it with the first such node.
        copy_of = {}
        claimed = set()
        everything = [x for s in self.secs for x in self._walk(s.root)]
        for s in self.secs:
            if s.is_as:
                continue
            r = s.root
            for n in everything:
                if n.sec is s or id(n) in claimed or n.name != r.name:
                    continue
                if n.parent is None and not n.sec.is_as:
                    continue
                if n.rel != r.start or n.sig() != r.sig():
                    continue
                claimed.add(id(n))
                copy_of[id(s)] = n
                break
        queue = [s for s in self.secs if not s.is_as]
        nxt = 0
        for s in self.secs:
            orig = copy_of.get(id(s))
            if orig is not None:
                for a, b in zip(self._walk(s.root), self._walk(orig)):
                    a.target_node = b.target_node
                continue
            for n in self._walk(s.root):
                if not n.alias:
                    continue
                if nxt < len(queue) and queue[nxt].names[0] == n.target:
                    t = queue[nxt]
                    nxt += 1
                else:
                    t = None
                    for x in queue[:nxt]:
                        if x.names[0] == n.target:
                            t = x
                    if t is None:
                        # plain dumps: hidden disabled aliases hold queue
                        # slots; skip to the next section of this name
                        for k in range(nxt, len(queue)):
                            if queue[k].names[0] == n.target:
                                t = queue[k]
                                nxt = k + 1
                                break
                if t is not None:
                    orig = copy_of.get(id(t))
                    n.target_node = orig if orig is not None else t.root

    def nodes(self):
        for s in self.secs:
            todo = [s.root]
            while todo:
                n = todo.pop()
                yield n
                todo.extend(reversed(n.children))

    def lookup(self, node, off, io, depth=0, empty=frozenset(),
               zero=frozenset()):
        """Path of nodes from @node to the terminal region serving byte
        @off of @node (offset inside the node), or None if nothing renders
        there.  @io: names of containers that terminate (own callbacks);
        @empty: names of childless "i/o" regions that are pure containers;
        @zero: ids of nodes known to have size 0."""
        if node.disabled or depth > 64 or off >= node.size or id(node) in zero:
            return None
        if node.alias:
            t = node.target_node
            if t is None:
                return None
            p = self.lookup(t, (node.ts + off) & M64, io, depth + 1, empty,
                            zero)
            return [node] + p if p else None
        # higher priority first; equal priority: the higher address (taken
        # to be mapped later, as mtree-replay does), then the first printed
        kids = sorted(enumerate(node.children),
                      key=lambda x: (-x[1].prio, -x[1].rel, x[0]))
        for _, c in kids:
            r = (off - c.rel) & M64
            if r < c.size:
                p = self.lookup(c, r, io, depth + 1, empty, zero)
                if p:
                    return [node] + p
        if not node.children and node.type == "i/o" and node.name in empty:
            return None
        if not node.children or node.type != "i/o" or node.name in io:
            return [node]
        return None


def parse_flat(text):
    """Return a list of views: (as_list, root_line, ranges); as_list holds
    (name, root) pairs and ranges are dicts."""
    views = []
    cur = None
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if line.startswith("FlatView #"):
            cur = {"as": [], "root": None, "ranges": [], "lines": []}
            views.append(cur)
            continue
        if not line:
            continue
        if cur is None:
            raise ValueError("line %d: text before 'FlatView #': %r" % (lineno, line))
        m = re.match(r'^ AS "(.*)", root: (.*)$', line)
        if m:
            cur["as"].append((m.group(1), m.group(2)))
            continue
        if line.startswith(" Root memory region: "):
            cur["root"] = line[len(" Root memory region: "):]
            continue
        if line == "  No rendered FlatView":
            continue
        m = FLAT_RE.match(line)
        if not m:
            raise ValueError("line %d: cannot parse flat range: %r" % (lineno, line))
        cur["lines"].append(line)
        cur["ranges"].append({
            "start": int(m.group(1), 16), "end": int(m.group(2), 16),
            "prio": int(m.group(3)), "nv": bool(m.group(4)),
            "type": m.group(5), "name": m.group(6),
            "off": int(m.group(7), 16) if m.group(7) else 0,
        })
    return views


def canonical(text):
    """{AS name: sorted list of texts, one per AS of that name}.  Each text
    holds the AS's root, the view's simplified root ("Root memory
    region"), the names of the ASes sharing the view, and the ranges.
    FlatView numbers, block order and AS order are dropped."""
    per_as = {}
    for v in parse_flat(text):
        body = "\n".join(v["lines"]) if v["lines"] else "  (no ranges)"
        shared = ", ".join(sorted(n for n, _ in v["as"]))
        for name, root in v["as"]:
            per_as.setdefault(name, []).append(
                "root: %s\nview root: %s\nshared by: %s\n%s" %
                (root, v["root"], shared, body))
    for k in per_as:
        per_as[k].sort()
    return per_as
