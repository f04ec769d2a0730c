#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mutate.py - single-line mutation testing of pmm's core (issue 17).

For every chosen file of src/LAYER/ it makes single-line mutants, builds
each in a private copy of the tree, runs the unit tests of the file's layer
(tests/LAYER/test_*.c; the buddy layer also tests/reliability/) and says
whether a test noticed:

  killed        a test binary failed (or crashed, or ran out of time)
  timed out     a test binary ran past its time limit; counted as killed
  survived      every test binary passed
  not compiled  the mutant did not build (-Werror included)
  san           survived the unit tests, but they fail on it built with
                ASan+UBSan (a read or write past an array the plain build
                cannot see); counted as killed. --san 0 skips this stage
  equivalent    survived, and listed in tests/mutation-equivalent.txt

  score = killed / (mutants - not compiled - equivalent)

Mutation operators, one change per mutant, on code only (comments, strings,
character constants, preprocessor lines, _Static_assert and the level-2/3
assertions that the default build compiles out are skipped):

  rel     <  <=  >  >=   flipped to the other side of the boundary
  eq      ==  !=         swapped
  logic   &&  ||         swapped
  not     !x             the ! removed
  off1    a + 1, a - 1   the +1 / -1 removed (an off-by-one)
  err     return PMM_E*; becomes return 0;
  del     a whole simple statement line deleted

The source tree is never written: each job copies src/, include/, host/,
tests/, mk/, scripts/, fuzz/ and the Makefile into OUT/jN and builds there
(B=build inside the copy), so Ctrl-C leaves nothing to restore. Only the
mutated object recompiles; the test objects are compiled once per job and
each mutant only relinks them against the rebuilt library.

Usage (see docs/mutation.md; `make mutation` passes the same options):

  scripts/mutate.py [--files GLOB ...] [--max-per-file N] [--seed S]
                    [--jobs J] [--timeout SEC] [--ops rel,eq,...] [--san 0|1]
                    [--report FILE] [--equivalent FILE] [--out DIR] [--list]
"""

import argparse
import concurrent.futures
import fnmatch
import glob
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FILES = ["src/memmap/*.c", "src/bootmem/*.c", "src/memblock/*.c",
                 "src/buddy/*.c"]
EXTRA_TEST_DIRS = {"buddy": ["reliability"]}
COPY_DIRS = ["src", "include", "host", "tests", "mk", "scripts", "fuzz"]
ALL_OPS = ["rel", "eq", "logic", "not", "off1", "err", "del"]
SAN_B = "build-san"     # the job copy's ASan+UBSan build (--san)

# ---------------------------------------------------------------- lexing


def code_masks(lines):
    """Return, per line, the line with comments, strings and character
    constants blanked out (same length), so operators are searched in code
    only. Block comments may span lines."""
    out = []
    in_block = False
    for line in lines:
        buf = list(line)
        i = 0
        n = len(line)
        while i < n:
            if in_block:
                end = line.find("*/", i)
                stop = n if end < 0 else end + 2
                for k in range(i, stop):
                    if buf[k] != "\n":
                        buf[k] = " "
                i = stop
                if end >= 0:
                    in_block = False
                continue
            c = line[i]
            if line.startswith("/*", i):
                in_block = True
                continue
            if line.startswith("//", i):
                for k in range(i, n):
                    if buf[k] != "\n":
                        buf[k] = " "
                break
            if c in "\"'":
                k = i + 1
                while k < n and line[k] != c:
                    k += 2 if line[k] == "\\" else 1
                for j in range(i + 1, min(k, n)):
                    buf[j] = " "
                i = k + 1
                continue
            i += 1
        out.append("".join(buf))
    return out


SKIP_MACROS = re.compile(r"\b(_Static_assert|static_assert|PMM_ASSERT|"
                         r"PMM_ASSERT_LOCKED|PMM_VALIDATE_DUE)\b")
DEBUG_IF = re.compile(r"^\s*#\s*if\b.*\bPMM_DEBUG\s*>=\s*[23]")


def skipped_lines(masks):
    """Lines no mutant may touch: preprocessor lines (with their
    continuations), the spans of _Static_assert and of the assertions that
    the default PMM_DEBUG=1 build compiles out, and #if PMM_DEBUG >= 2/3
    blocks."""
    skip = [False] * len(masks)
    cont = False
    stack = []          # one flag per open #if: True if its branch is dead
    span_depth = None   # paren depth inside a skipped macro's call
    for i, m in enumerate(masks):
        s = m.strip()
        if cont or s.startswith("#"):
            skip[i] = True
            cont = m.rstrip("\n").endswith("\\")
            if s.startswith("#"):
                word = re.match(r"#\s*(\w+)", s)
                word = word.group(1) if word else ""
                if word in ("if", "ifdef", "ifndef"):
                    stack.append(bool(DEBUG_IF.match(m)))
                elif word in ("else", "elif") and stack:
                    stack[-1] = False   # the default build's branch
                elif word == "endif" and stack:
                    stack.pop()
            continue
        if any(stack):
            skip[i] = True
            continue
        if span_depth is None and SKIP_MACROS.search(m):
            span_depth = 0
            m = m[SKIP_MACROS.search(m).start():]
        if span_depth is not None:
            skip[i] = True
            span_depth += m.count("(") - m.count(")")
            if span_depth <= 0 and ";" in m:
                span_depth = None
    return skip


# ------------------------------------------------------------- operators

KEYWORD_START = re.compile(
    r"^(return|case|default|else|do|if|for|while|switch|typedef|struct|"
    r"union|enum|static|const|volatile|extern|inline|register|unsigned|"
    r"signed|int|char|short|long|bool|_Bool|void|float|double|goto|"
    r"_Noreturn|_Alignas|__attribute__)\b")
DECL = re.compile(r"^[A-Za-z_]\w*(\s*\*+\s*|\s+)[A-Za-z_]\w*\s*(=|;|\[|,)")
ERR_RETURN = re.compile(r"\breturn\s+(PMM_E[A-Z0-9_]+)\s*;")
OFF1 = re.compile(r"(?<=[\w)\]])\s*([+-])\s*1(?:[uU][lL]{0,2}|[lL]{1,2}[uU]?)?"
                  r"(?![\w.])")


def rel_sites(m):
    """Yield (start, end, replacement) of every relational operator."""
    i = 0
    n = len(m)
    while i < n:
        two = m[i:i + 2]
        if two in ("<<", ">>"):
            i += 3 if m[i + 2:i + 3] == "=" else 2
            continue
        if two == "->":
            i += 2
            continue
        if two == "<=":
            yield i, i + 2, "<"
            i += 2
            continue
        if two == ">=":
            yield i, i + 2, ">"
            i += 2
            continue
        if m[i] == "<":
            yield i, i + 1, "<="
        elif m[i] == ">" and (i == 0 or m[i - 1] != "-"):
            yield i, i + 1, ">="
        i += 1


def line_mutants(line, m, prev_code):
    """All single-change mutants of one line; m is its code mask.
    Yields (op, mutated line)."""
    def sub(a, b, rep):
        return line[:a] + rep + line[b:]

    for a, b, rep in rel_sites(m):
        yield "rel", sub(a, b, rep)
    for mt in re.finditer(r"==|!=", m):
        rep = "!=" if mt.group() == "==" else "=="
        yield "eq", sub(mt.start(), mt.end(), rep)
    for mt in re.finditer(r"&&|\|\|", m):
        rep = "||" if mt.group() == "&&" else "&&"
        yield "logic", sub(mt.start(), mt.end(), rep)
    for mt in re.finditer(r"!(?!=)", m):
        yield "not", sub(mt.start(), mt.end(), "")
    for mt in OFF1.finditer(m):
        yield "off1", sub(mt.start(), mt.end(), "")
    for mt in ERR_RETURN.finditer(m):
        yield "err", sub(mt.start(1), mt.end(1), "0")
    s = m.strip()
    if (s.endswith(";") and s.count("(") == s.count(")")
            and prev_code.endswith((";", "{", "}", ":"))
            and not KEYWORD_START.match(s) and not DECL.match(s)
            and not s.startswith(("}", "{")) and s != ";"):
        yield "del", "\n"


def file_mutants(path, ops):
    """Every mutant of one file: dicts with file, line, op, orig, mut."""
    with open(os.path.join(ROOT, path)) as f:
        lines = f.readlines()
    masks = code_masks(lines)
    skip = skipped_lines(masks)
    res = []
    depth = 0
    prev_code = ";"
    for i, (line, m) in enumerate(zip(lines, masks)):
        s = m.strip()
        # file scope (depth 0) holds declarations and tables: not mutated
        if not skip[i] and depth > 0 and s:
            for op, mut in line_mutants(line, m, prev_code):
                if op in ops and mut != line:
                    res.append({"file": path, "line": i + 1, "op": op,
                                "orig": line, "mut": mut})
        depth += m.count("{") - m.count("}")
        if s and not skip[i]:
            prev_code = s
    return res


# ---------------------------------------------------------- equivalents


def norm(text):
    return " ".join(text.split())


def shown(mu):
    """The mutated line as the report and the equivalents file write it:
    its text, or `(deleted) ORIGINAL` for a deleted statement."""
    return norm(mu["mut"]) or "(deleted) " + norm(mu["orig"])


def read_equivalents(path):
    """tests/mutation-equivalent.txt: `FILE :: MUTATED LINE :: WHY`, the
    mutated line as shown() writes it."""
    eq = set()
    if not path or not os.path.exists(path):
        return eq
    with open(path) as f:
        for raw in f:
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            parts = raw.rstrip("\n").split(" :: ")
            if len(parts) < 3:
                sys.exit("%s: want `file :: mutated line :: why`: %s"
                         % (path, raw.strip()))
            eq.add((parts[0].strip(), norm(parts[1])))
    return eq


# -------------------------------------------------------------- running

RUNNING = set()
RUNNING_LOCK = threading.Lock()


def run(cmd, cwd, timeout):
    """Run cmd in its own process group; return (rc, timed_out, output)."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    with RUNNING_LOCK:
        RUNNING.add(p)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, False, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return -9, True, ""
    finally:
        with RUNNING_LOCK:
            RUNNING.discard(p)


def kill_running():
    with RUNNING_LOCK:
        for p in list(RUNNING):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass


def on_interrupt(signum, frame):
    """Ctrl-C or kill: stop every build and test at once. The source tree
    was never written (mutants live in OUT/jN), so nothing is restored."""
    kill_running()
    print("\ninterrupted: the source tree was never touched", flush=True)
    os._exit(130)


def layer_of(path):
    return path.split("/")[1]


TESTS_OF = {}


def tests_of(layer):
    """The unit tests of @layer, listed once (the copies hold these)."""
    if layer not in TESTS_OF:
        TESTS_OF[layer] = find_tests(layer)
    return TESTS_OF[layer]


def find_tests(layer):
    dirs = [layer] + EXTRA_TEST_DIRS.get(layer, [])
    srcs = []
    for d in dirs:
        srcs += sorted(glob.glob(os.path.join(ROOT, "tests", d, "test_*.c")))
    if not srcs:    # a layer without its own tests: every unit test
        srcs = sorted(glob.glob(os.path.join(ROOT, "tests", "*", "test_*.c")))
    return [os.path.relpath(s, ROOT)[len("tests/"):-2] for s in srcs]


class Job:
    """One private copy of the tree with its own build directory."""

    def __init__(self, out, n, args):
        self.dir = os.path.join(out, "j%d" % n)
        self.args = args
        self.base = {}      # test -> baseline seconds
        self.san_base = {}  # test -> baseline seconds, sanitized build
        self.killer = {}    # layer -> test that killed the last mutant

    def make(self, targets, timeout=600, san=False):
        cmd = ["make", "--no-print-directory", "-s"]
        cmd += ["B=" + SAN_B, "SAN=1"] if san else ["B=build"]
        return run(cmd + targets, self.dir, timeout)

    def setup(self, layers):
        if os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        os.makedirs(self.dir)
        for d in COPY_DIRS:
            shutil.copytree(os.path.join(ROOT, d), os.path.join(self.dir, d),
                            ignore=shutil.ignore_patterns("*.o", "*.a"))
        shutil.copy2(os.path.join(ROOT, "Makefile"), self.dir)
        tests = sorted({t for lay in layers for t in tests_of(lay)})
        self.baseline(tests, False)
        if self.args.san:
            self.baseline(tests, True)

    def baseline(self, tests, san):
        """Build the unmutated tree (plain or sanitized) and time each test;
        every test must pass before a mutant means anything."""
        b = SAN_B if san else "build"
        rc, _, out = self.make(["lib"] + [b + "/mutbin/" + t for t in tests],
                               900, san)
        if rc != 0:
            sys.exit("baseline build failed in %s:\n%s" % (self.dir, out))
        for t in tests:
            t0 = time.monotonic()
            rc, to, out = run([b + "/mutbin/" + t], self.dir, 300)
            if rc != 0:
                sys.exit("baseline test %s fails (rc %d):\n%s" % (t, rc, out))
            (self.san_base if san else self.base)[t] = time.monotonic() - t0

    def try_mutant(self, mu):
        src = os.path.join(self.dir, mu["file"])
        with open(src) as f:
            lines = f.readlines()
        try:
            mutated = list(lines)
            mutated[mu["line"] - 1] = mu["mut"]
            with open(src, "w") as f:
                f.writelines(mutated)
            status, test = self.build_and_test(mu, False)
            if status == "survived" and self.args.san:
                status, test = self.build_and_test(mu, True)
                if status == "not compiled":    # -fsanitize quirk
                    status, test = "survived", None
                elif status != "survived":
                    status, test = "sanitizer", "san:" + test
            return status, test
        finally:
            with open(src, "w") as f:
                f.writelines(lines)
            for b in ("build", SAN_B):
                self.restore_obj(b, mu["file"])

    def restore_obj(self, b, path):
        """Put the unmutated object back (saved before its first mutant),
        newer than the restored source, so make rebuilds nothing."""
        obj = os.path.join(self.dir, b, path[:-2] + ".o")
        if os.path.exists(obj + ".orig"):
            shutil.copy(obj + ".orig", obj)

    def build_and_test(self, mu, san):
        """Rebuild the mutated object in the plain (or sanitized) build and
        run the layer's tests, the last killer first, then fastest first."""
        b = SAN_B if san else "build"
        obj = os.path.join(self.dir, b, mu["file"][:-2] + ".o")
        if not os.path.exists(obj + ".orig"):
            shutil.copy2(obj, obj + ".orig")
        os.unlink(obj)
        layer = layer_of(mu["file"])
        tests = tests_of(layer)
        base = self.san_base if san else self.base
        rc, to, _ = self.make([b + "/mutbin/" + t for t in tests], 300, san)
        if rc != 0 or to:
            return "not compiled", None
        first = self.killer.get(layer)
        order = sorted(tests, key=lambda t: (t != first, base.get(t, 1)))
        for t in order:
            limit = self.args.timeout + 10 * base.get(t, 1)
            rc, to, _ = run([b + "/mutbin/" + t], self.dir, limit)
            if to or rc != 0:
                if not san:
                    self.killer[layer] = t
                return ("timed out" if to else "killed"), t
        return "survived", None


# ---------------------------------------------------------------- main


def choose_files(patterns):
    files = []
    for pat in patterns:
        for p in pat.split():
            hits = sorted(glob.glob(os.path.join(ROOT, p)))
            files += [os.path.relpath(h, ROOT) for h in hits]
    files = [f for f in dict.fromkeys(files) if f.endswith(".c")
             and fnmatch.fnmatch(f, "src/*/*.c")]
    if not files:
        sys.exit("no core file matches %s" % " ".join(patterns))
    return files


def parse_report(path):
    """A report's mutants: [(file, line, op, status, text or None)]; the
    text is known for survivors (and for every mutant in newer reports)."""
    with open(path) as f:
        lines = f.read().split("\n")
    survivors = {}
    mutants = []
    part = None
    for i, l in enumerate(lines):
        if l.startswith("# survivors"):
            part = "s"
        elif l.startswith("# every mutant"):
            part = "m"
        elif part == "s":
            m = re.match(r"(\S+):(\d+) \[(\w+)\]$", l)
            if m:
                key = (m.group(1), int(m.group(2)), m.group(3))
                survivors.setdefault(key, []).append(norm(lines[i + 2][4:]))
        elif part == "m" and l:
            head, _, text = l.partition(" :: ")
            f_l, op, status = head.split()[:3]
            f, ln = f_l.rsplit(":", 1)
            mutants.append([f, int(ln), op, status.replace("_", " "),
                            norm(text) if text else None])
    for mu in mutants:
        if mu[3] in ("survived", "equivalent") and mu[4] is None:
            mu[4] = survivors[(mu[0], mu[1], mu[2])].pop(0)
    return mutants


def rescore(path, sample, equiv_path, update=None):
    """Print @path's table again with today's equivalents, restricted to
    the mutants of the report @sample if given (same files, same seed);
    a survivor of @path that a report of the list @update ran again (same
    file, operator and mutated text) takes its status there."""
    equiv = read_equivalents(equiv_path)
    before = parse_report(path)
    for later in update or []:
        ran = parse_report(later)
        at_line = {(m[0], m[1], m[2], m[4]): m[3] for m in ran}
        by_text = {}
        for m in ran:
            by_text.setdefault((m[0], m[2], m[4]), []).append(m[3])
        for m in before:
            if m[3] not in ("survived", "equivalent"):
                continue
            same = by_text.get((m[0], m[2], m[4]), [])
            # the same line number first; else the text, if it is unique
            m[3] = at_line.get((m[0], m[1], m[2], m[4]),
                               same[0] if len(same) == 1 else m[3])
    if sample:
        want = [(m[0], m[1], m[2], m[4]) for m in parse_report(sample)]
        by_line = {}
        for m in before:
            by_line.setdefault((m[0], m[1], m[2]), []).append(m)
        picked = []
        for f, ln, op, text in want:
            cands = by_line.get((f, ln, op), [])
            hit = [m for m in cands if m[4] == text]
            hit = hit or [m for m in cands if m[3] not in
                          ("survived", "equivalent")]
            if hit:
                picked.append(hit[0])
        before = picked
    results = []
    for f, ln, op, status, text in before:
        if status in ("survived", "equivalent"):
            status = "equivalent" if (f, text) in equiv else "survived"
        results.append(({"file": f, "line": ln, "total": 0}, status, None))
    files = list(dict.fromkeys(m[0] for m in before))
    print(summary(files, results))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", nargs="*", default=None,
                    help="globs of core files (default: %s)"
                    % " ".join(DEFAULT_FILES))
    ap.add_argument("--max-per-file", type=int, default=0,
                    help="seeded sample of at most N mutants per file")
    ap.add_argument("--seed", default="17")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=10.0,
                    help="seconds per test binary, plus 10x its baseline")
    ap.add_argument("--ops", default=",".join(ALL_OPS))
    ap.add_argument("--san", type=int, default=1,
                    help="1: run each survivor again under ASan+UBSan")
    ap.add_argument("--report", default="build/mutation/report.txt")
    ap.add_argument("--equivalent", default="tests/mutation-equivalent.txt")
    ap.add_argument("--out", default="build/mutation")
    ap.add_argument("--only", default="",
                    help="FILE:LINE,... only the mutants of these lines")
    ap.add_argument("--rescore", metavar="REPORT",
                    help="score REPORT again with today's equivalents")
    ap.add_argument("--sample", metavar="REPORT",
                    help="with --rescore: only the mutants REPORT ran")
    ap.add_argument("--update", metavar="REPORT", action="append",
                    help="with --rescore: survivors REPORT ran again take "
                    "their status there (repeatable, later ones win)")
    ap.add_argument("--list", action="store_true",
                    help="print the mutants and stop")
    args = ap.parse_args()
    if args.rescore:
        rescore(args.rescore, args.sample,
                os.path.join(ROOT, args.equivalent), args.update)
        return 0

    files = choose_files(args.files or DEFAULT_FILES)
    ops = set(args.ops.split(","))
    equiv = read_equivalents(os.path.join(ROOT, args.equivalent))
    plan = []
    known = set()
    for f in files:
        ms = file_mutants(f, ops)
        known |= {(f, shown(m)) for m in ms}
        if args.only:
            want = set(args.only.split(","))
            ms = [m for m in ms if "%s:%d" % (f, m["line"]) in want]
        total = len(ms)
        if args.max_per_file and len(ms) > args.max_per_file:
            rng = random.Random("%s:%s" % (args.seed, f))
            ms = sorted(rng.sample(ms, args.max_per_file),
                        key=lambda m: (m["line"], m["op"], m["mut"]))
        plan += [dict(m, total=total) for m in ms]
    for f, text in sorted(equiv):
        if f in files and (f, text) not in known:
            print("warning: %s: no mutant of %s reads `%s` (stale entry?)"
                  % (args.equivalent, f, text))
    if args.list:
        for m in plan:
            print("%s:%d: %s: %s" % (m["file"], m["line"], m["op"],
                                     m["mut"].strip() or "(deleted)"))
        print("%d mutants" % len(plan))
        return 0

    out = os.path.join(ROOT, args.out)
    layers = sorted({layer_of(f) for f in files})
    signal.signal(signal.SIGINT, on_interrupt)
    signal.signal(signal.SIGTERM, on_interrupt)
    t0 = time.monotonic()
    jobs = [Job(out, n, args) for n in range(max(1, args.jobs))]
    print("mutation: %d files, %d mutants, %d jobs; setting up %s"
          % (len(files), len(plan), len(jobs), out), flush=True)
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as ex:
        list(ex.map(lambda j: j.setup(layers), jobs))
    free = queue.Queue()
    for j in jobs:
        free.put(j)

    def one(mu):
        j = free.get()
        try:
            return j.try_mutant(mu)
        finally:
            free.put(j)

    results = []
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as ex:
        futs = [ex.submit(one, mu) for mu in plan]
        for k, (mu, fu) in enumerate(zip(plan, futs)):
            status, test = fu.result()
            key = (mu["file"], shown(mu))
            if status == "survived" and key in equiv:
                status = "equivalent"
            results.append((mu, status, test))
            if status == "survived":
                print("  survived %s:%d [%s]\n    - %s\n    + %s"
                      % (mu["file"], mu["line"], mu["op"],
                         mu["orig"].strip(), shown(mu)), flush=True)
            if (k + 1) % 25 == 0:
                print("  %d/%d mutants, %.0f s" % (
                    k + 1, len(plan), time.monotonic() - t0), flush=True)

    table = summary(files, results)
    print(table)
    print("%.0f s, seed %s" % (time.monotonic() - t0, args.seed))
    write_report(os.path.join(ROOT, args.report), table, results, args)
    print("report: %s" % args.report)
    return 0


def summary(files, results):
    rows = ["%-34s %7s %7s %7s %7s %7s %7s %7s %7s %7s" % (
        "file", "total", "mutants", "killed", "timeout", "san", "survive",
        "notcomp", "equiv", "score")]
    tot = [0] * 8
    for f in files:
        rs = [(m, s) for m, s, _ in results if m["file"] == f]
        if not rs:
            continue
        c = {k: sum(1 for _, s in rs if s == k) for k in
             ("killed", "timed out", "sanitizer", "survived", "not compiled",
              "equivalent")}
        n = len(rs)
        row = [rs[0][0]["total"], n,
               c["killed"] + c["timed out"] + c["sanitizer"],
               c["timed out"], c["sanitizer"], c["survived"],
               c["not compiled"], c["equivalent"]]
        tot = [a + b for a, b in zip(tot, row)]
        rows.append(fmt_row(f, row))
    rows.append(fmt_row("all", tot))
    return "\n".join(rows)


def fmt_row(name, row):
    total, n, killed, tmo, san, surv, nc, eq = row
    denom = n - nc - eq
    score = "%6.1f%%" % (100.0 * killed / denom) if denom else "     -"
    return "%-34s %7d %7d %7d %7d %7d %7d %7d %7d %7s" % (
        name, total, n, killed, tmo, san, surv, nc, eq, score)


def write_report(path, table, results, args):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("# pmm mutation report: seed %s, max per file %s, ops %s, "
                "san %d\n" % (args.seed, args.max_per_file or "all", args.ops,
                              args.san))
        f.write("# killed includes timed out and san (survived the unit "
                "tests, caught by them under ASan+UBSan)\n# score = killed / "
                "(mutants - not compiled - equivalent)\n\n")
        f.write(table + "\n\n# survivors\n")
        for mu, status, _ in results:
            if status == "survived":
                f.write("%s:%d [%s]\n  - %s\n  + %s\n" % (
                    mu["file"], mu["line"], mu["op"], mu["orig"].strip(),
                    shown(mu)))
        f.write("\n# every mutant: file:line op status killer :: mutated line\n")
        for mu, status, test in results:
            f.write("%s:%d %s %s %s :: %s\n" % (
                mu["file"], mu["line"], mu["op"], status.replace(" ", "_"),
                test or "-", shown(mu)))


if __name__ == "__main__":
    sys.exit(main())
