"""Long run of the hostile-input properties: thousands of generated and mutated sources.

    .venv/bin/python bench/fuzz.py [--mutants 3000] [--generated 1000] [--shapes 300] [--globs 3000]
                                   [--runs 100] [--seed 0] [--minutes 60]

``--minutes`` repeats the rounds with the next seeds until that much time has passed.

Each case must lint, or yield exactly one DL001; designlint must not raise, report an internal
error (DL002) or hang (tests/fuzzing.py's HANG_SECONDS). Each glob must match as README's semantics
say (a backtracking oracle on small cases; known answers on shapes built to backtrack) and finish.
Failing cases are written to bench/fuzz-failures/.
"""

from __future__ import annotations

import argparse
import faulthandler
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fuzzing import (
    FIXTURE_FILES,
    check_glob,
    check_source,
    generated_modules,
    hostile_glob_cases,
    hostile_shapes,
    linters,
    mutate,
    small_glob_cases,
)

from designlint.runner import Options, lint_paths

FAILURES = Path(__file__).resolve().parent / "fuzz-failures"


def record(kind: str, index: int, source: str, error: BaseException) -> None:
    FAILURES.mkdir(exist_ok=True)
    (FAILURES / f"{kind}-{index}.py").write_text(source, encoding="utf-8", errors="surrogatepass")
    (FAILURES / f"{kind}-{index}.txt").write_text("".join(traceback.format_exception(error)))


class Round:
    """One pass of every generator with one seed; counts what was checked and what failed."""

    def __init__(self, args: argparse.Namespace, seed: int, all_linters: list, texts: list[str]):
        self.args, self.seed, self.linters, self.texts = args, seed, all_linters, texts
        self.rng = random.Random(seed)
        self.cases = self.failures = 0
        self.counts = {"generated": 0, "shaped": 0, "small glob": 0, "hostile glob": 0}

    def failed(self, kind: str, index: int, source: str, error: BaseException) -> None:
        self.failures += 1
        record(f"{kind}-s{self.seed}", index, source, error)

    def check_all(self, kind: str, index: int, source: str) -> None:
        """The property for ``source`` under every linter; a failure is recorded as ``kind-index``."""
        for linter in self.linters:
            self.cases += 1
            try:
                check_source(linter, source)
            except BaseException as error:
                self.failed(kind, index, source, error)

    def check_glob(self, kind: str, index: int, case: tuple) -> None:
        self.cases += 1
        try:
            check_glob(*case)
        except BaseException as error:
            self.failed(kind.replace(" ", "-"), index, repr(case), error)

    def run_strategy(self, kind: str, strategy, examples: int, check) -> None:
        @seed(self.seed)
        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(value=strategy)
        def case(value) -> None:
            self.counts[kind] += 1
            check(kind, self.counts[kind], value)

        if examples:
            case()

    def run(self) -> None:
        args = self.args
        for index in range(args.mutants):
            self.check_all("mutant", index, mutate(self.rng.choice(self.texts), self.rng))
        self.run_strategy("generated", generated_modules(), args.generated, self.check_all)
        self.run_strategy("shaped", hostile_shapes(), args.shapes, self.check_all)
        self.run_strategy("small glob", small_glob_cases(), args.globs, self.check_glob)
        self.run_strategy("hostile glob", hostile_glob_cases(), args.globs // 10, self.check_glob)
        for index in range(args.runs):
            self.cli_run(index)

    def cli_run(self, index: int) -> None:
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            mutants = [mutate(self.rng.choice(self.texts), self.rng) for _ in range(3)]
            for n, source in enumerate(mutants):
                (root / f"m{n}.py").write_text(source, encoding="utf-8", errors="surrogatepass")
            (root / "good.py").write_text('raise ToolError("RATE_LIMITED")\n')
            self.cases += 1
            try:
                result = lint_paths([root], Options(isolated=True, jobs=1))
                codes: dict[str, list[str]] = {}
                for d in result.diagnostics:
                    codes.setdefault(Path(d.path).name, []).append(d.code)
                assert codes.get("good.py") == ["DL501"], codes
                for name, found in codes.items():
                    assert "DL002" not in found and ("DL001" not in found or found == ["DL001"]), (name, found)
            except BaseException as error:
                self.failed("run", index, "\n# ----\n".join(mutants), error)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutants", type=int, default=3000)
    parser.add_argument("--generated", type=int, default=1000)
    parser.add_argument("--shapes", type=int, default=300, help="files shaped to blow up an analysis (items 9-11)")
    parser.add_argument("--globs", type=int, default=3000, help="globs against paths; a tenth as many hostile ones")
    parser.add_argument("--runs", type=int, default=100, help="CLI-level runs over a directory of mutants")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=0, help="repeat with the next seeds until this long")
    args = parser.parse_args()
    faulthandler.enable()
    texts = [p.read_text(encoding="utf-8") for p in FIXTURE_FILES]
    all_linters = linters()
    started = time.perf_counter()
    cases = failures = rounds = 0
    while True:
        this = Round(args, args.seed + rounds, all_linters, texts)
        this.run()
        rounds += 1
        cases, failures = cases + this.cases, failures + this.failures
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{n} {kind}" for kind, n in this.counts.items())
        print(
            f"round {rounds} (seed {this.seed}): {this.cases} cases ({args.mutants} mutants, {counts}; linters "
            f"with 2 configs; {args.runs} CLI runs of 4 files): {this.failures} failures; {elapsed:.0f}s so far",
            flush=True,
        )
        if elapsed >= args.minutes * 60:
            break
    print(f"{rounds} rounds, {cases} cases, {failures} failures in {elapsed:.0f}s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
