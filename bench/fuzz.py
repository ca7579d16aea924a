"""Long run of the hostile-input properties: thousands of generated and mutated sources.

    .venv/bin/python bench/fuzz.py [--mutants 3000] [--generated 1000] [--shapes 300] [--runs 100] [--seed 0]

Each case must lint, or yield exactly one DL001; designlint must not raise, report an internal
error (DL002) or take more than 20 s. Failing cases are written to bench/fuzz-failures/.
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

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fuzzing import FIXTURE_FILES, check_source, generated_modules, hostile_shapes, linters, mutate

from designlint.runner import Options, lint_paths

FAILURES = Path(__file__).resolve().parent / "fuzz-failures"


def record(kind: str, index: int, source: str, error: BaseException) -> None:
    FAILURES.mkdir(exist_ok=True)
    (FAILURES / f"{kind}-{index}.py").write_text(source, encoding="utf-8", errors="surrogatepass")
    (FAILURES / f"{kind}-{index}.txt").write_text("".join(traceback.format_exception(error)))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutants", type=int, default=3000)
    parser.add_argument("--generated", type=int, default=1000)
    parser.add_argument("--shapes", type=int, default=300, help="files shaped to blow up an analysis (items 9-11)")
    parser.add_argument("--runs", type=int, default=100, help="CLI-level runs over a directory of mutants")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    faulthandler.enable()
    rng = random.Random(args.seed)
    texts = [p.read_text(encoding="utf-8") for p in FIXTURE_FILES]
    all_linters = linters()
    cases = failures = 0
    started = time.perf_counter()

    for index in range(args.mutants):
        source = mutate(rng.choice(texts), rng)
        for linter in all_linters:
            cases += 1
            try:
                check_source(linter, source)
            except BaseException as error:
                failures += 1
                record("mutant", index, source, error)

    generated = 0

    @settings(max_examples=args.generated, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(source=generated_modules())
    def generated_case(source: str) -> None:
        nonlocal cases, failures, generated
        generated += 1
        for linter in all_linters:
            cases += 1
            try:
                check_source(linter, source)
            except BaseException as error:
                failures += 1
                record("generated", generated, source, error)

    if args.generated:
        generated_case()

    shaped = 0

    @settings(max_examples=args.shapes, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(source=hostile_shapes())
    def shaped_case(source: str) -> None:
        nonlocal cases, failures, shaped
        shaped += 1
        for linter in all_linters:
            cases += 1
            try:
                check_source(linter, source)
            except BaseException as error:
                failures += 1
                record("shaped", shaped, source, error)

    if args.shapes:
        shaped_case()

    for index in range(args.runs):
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            mutants = [mutate(rng.choice(texts), rng) for _ in range(3)]
            for n, source in enumerate(mutants):
                (root / f"m{n}.py").write_text(source, encoding="utf-8", errors="surrogatepass")
            (root / "good.py").write_text('raise ToolError("RATE_LIMITED")\n')
            cases += 1
            try:
                result = lint_paths([root], Options(isolated=True, jobs=1))
                codes = {}
                for d in result.diagnostics:
                    codes.setdefault(Path(d.path).name, []).append(d.code)
                assert codes.get("good.py") == ["DL501"], codes
                for name, found in codes.items():
                    assert "DL002" not in found and ("DL001" not in found or found == ["DL001"]), (name, found)
            except BaseException as error:
                failures += 1
                record("run", index, "\n# ----\n".join(mutants), error)

    elapsed = time.perf_counter() - started
    print(
        f"{cases} cases ({args.mutants} mutants, {generated} generated modules and {shaped} hostile shapes, each with 2 configs; {args.runs} CLI runs of 4 files): {failures} failures in {elapsed:.0f}s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
