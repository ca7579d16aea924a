"""Parse-only lower bounds ("physical limit") for a LibCST/astroid-based linter.

usage: python parse-floor.py MODE JOBS ROOT      (time it whole, e.g. /usr/bin/time -v)
  MODE  ast      stdlib ast.parse (reference)
        cst      libcst.parse_module(bytes)
        cstmeta  parse + MetadataWrapper(...).resolve_many([ScopeProvider, PositionProvider])
        astroid  AstroidBuilder().file_build(path)  (tree build only, no inference)
  JOBS  1 = plain loop; N>1 = multiprocessing.Pool(N), chunksize 4
  ROOT  directory searched recursively for *.py (e.g. .bench-corpus/medium)
  PB_NOGC=1 disables the cyclic GC (measures GC overhead).
Prints "MODE jobs=N files=F errors=E inner_s=S" on stderr; errors = files that raised."""

import os
import sys
import time

if os.environ.get("PB_NOGC"):
    import gc

    gc.disable()


def files(root):
    out = []
    for d, _, fs in os.walk(root):
        out += [os.path.join(d, f) for f in fs if f.endswith(".py")]
    out.sort()
    return out


def work_ast(p):
    import ast

    with open(p, "rb") as f:
        ast.parse(f.read(), p)
    return 0


def work_cst(p):
    import libcst

    with open(p, "rb") as f:
        libcst.parse_module(f.read())
    return 0


def work_cstmeta(p):
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider

    with open(p, "rb") as f:
        m = libcst.parse_module(f.read())
    MetadataWrapper(m).resolve_many([ScopeProvider, PositionProvider])
    return 0


def work_astroid(p):
    from astroid.builder import AstroidBuilder
    from astroid.manager import AstroidManager

    AstroidBuilder(AstroidManager()).file_build(p, os.path.basename(p)[:-3])
    return 0


def safe(fn):
    def g(p):
        try:
            return fn(p)
        except Exception:  # count failures, keep going
            return 1

    return g


W = {"ast": work_ast, "cst": work_cst, "cstmeta": work_cstmeta, "astroid": work_astroid}


def run(mode, p):
    return safe(W[mode])(p)


if __name__ == "__main__":
    mode, jobs, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    fs = files(root)
    t = time.perf_counter()
    if jobs == 1:
        errs = sum(run(mode, p) for p in fs)
    else:
        import functools
        import multiprocessing as mp

        with mp.Pool(jobs) as pool:
            errs = sum(pool.imap_unordered(functools.partial(run, mode), fs, chunksize=4))
    print(f"{mode} jobs={jobs} files={len(fs)} errors={errs} inner_s={time.perf_counter() - t:.2f}", file=sys.stderr)
