"""designlint's benchmark: designlint against Fixit and the LibCST parse-only floor, on the
same files, in one run.

usage: .venv/bin/python bench/bench.py [--tier medium|large|apps] [--repeat 3] [--jobs N]
                                       [--fixit-repeat 1] [--skip fixit,floor] [--json PATH]
       .venv/bin/python bench/bench.py --startup [--repeat 7] [--jobs N] [--json PATH]

Fetches the pinned corpus with ``bench/fetch-corpus.sh``, copies it to a temporary directory
(so 1% of the files can be modified), then times, each the median of --repeat runs:

  cold      designlint with an empty cache (what a first run costs, cache writes included)
  nocache   designlint --no-cache
  warm      designlint again, nothing changed
  touched   designlint after 1% of the files were modified (different files each time)
  editor    one ~1,000-line corpus file, all rules, in this process (Linter built once); and
            the same after a one-line edit, with the last parse kept (the language server's keystroke)
  fixit     Fixit 2 with its default rules, installed in a throwaway venv under bench/.work/
  floor-1   LibCST parse only (bench/parse-floor.py), 1 process
  floor-N   the same, N processes

and prints lines/second, peak memory (the largest single process of a run: the main process
or one worker), the ratios designlint/Fixit and designlint/parse floor against the targets,
and writes everything as JSON (default bench/.work/results-TIER.json). Run it with the
project's virtualenv Python (designlint must be importable). Not part of the test suite.

``--startup`` times what users wait for instead, each as a ratio to a baseline measured in the
same run (default bench/.work/results-startup.json):

  small     one ~60-line file, empty cache, against ``python -c "import libcst"``; and the same
            as the very first run of an install, before designlint has kept the code of the
            dataclass methods it compiles (``designlint.dataclass_code``), not a target
  slice     the ~100k-line slice of the large tier (mcp, langchain-core): cold against warm
  commands  ``--version``, ``rules``, ``rule DL101``, against ``python -c pass``
  editor    a ~1,000-line file of the slice linted again in-process after a one-line edit, with
            the last parse kept as the language server keeps it (a keystroke's lint), median ms
  lsp       ``designlint lsp``: from its start (``initialize`` is sent at once) to the first
            ``publishDiagnostics`` for that file, opened right after, against ``import libcst``;
            and the same from the moment ``initialize`` is written (issue 18's measure: the
            process's creation left out), with how long ``initialize`` waited for its answer
  apps      one cold run of the apps tier (a 17k-line file), peak MB per process
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from designlint import dataclass_code
from designlint.runner import default_jobs

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
WORK = BENCH / ".work"
FIXIT_SPEC = "fixit==2.2.1"
LINT_OK = (0, 2)  # with --exit-zero: clean, or findings that include an internal error

STARTUP_TARGETS = {
    "small_vs_libcst": 1.3,  # one small file, cold: at most 1.3x `import libcst`
    "slice_warm_speedup": 25.0,  # warm at least 25x faster than cold on the 100k-line slice
    "version_vs_bare": 2.0,  # each command at most 2x the bare interpreter
    "rules_vs_bare": 2.0,
    "rule_vs_bare": 2.0,
    "lsp_vs_libcst": 2.0,  # first diagnostics at most 2x `import libcst`, from the process's start
    "lsp_from_initialize_vs_libcst": 2.0,  # the same, from `initialize` sent
    "editor_ms": 50.0,  # a keystroke's lint of a 1,000-line file
    "apps_peak_mb": 400.0,
}
SLICE = ("mcp", "langchain-core")  # of the large tier: about 100k lines
SMALL_FILE = PROJECT / "fixtures" / "dispatcher" / "src" / "toolhub" / "dispatcher.py"

TARGETS = {
    "cold_vs_fixit": 8.0,  # cold lines/s at least 8x Fixit's
    "cold_vs_floor": 0.60,  # cold at least 60% of the N-process parse-only floor
    "warm_speedup": 25.0,  # warm at least 25x faster than cold
    "touched_speedup": 10.0,  # 1% changed at least 10x faster than cold
    "editor_ms": 100.0,  # one 1,000-line file under 100 ms (median)
    "peak_mb": 400.0,  # under 400 MB per process
}

# Runs a command and reports its wall time and the peak RSS of its largest process
# (RUSAGE_CHILDREN covers the command and the workers it waited for), outside the timing.
_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": elapsed, "peak_kb": usage.ru_maxrss, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "returncode": done.returncode, "stderr": done.stderr.decode(errors="replace")[-3000:]}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=("medium", "large", "apps"), default="large")
    parser.add_argument("--repeat", type=int, default=3, help="runs per designlint measurement (median)")
    parser.add_argument("--fixit-repeat", type=int, default=1, help="Fixit runs (slow: ~2k lines/s)")
    parser.add_argument("--floor-repeat", type=int, default=1, help="parse-floor runs per process count")
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="processes for designlint, Fixit and the N-process floor (default: CPU count)",
    )
    parser.add_argument("--skip", default="", help="comma-separated: nocache, editor, fixit, floor")
    parser.add_argument(
        "--fixit-sample",
        type=float,
        default=1.0,
        help="Fixit on this fraction of the files (seeded), lines/s on their lines: Fixit on the whole large tier takes many minutes",
    )
    parser.add_argument(
        "--corpus-dest",
        type=Path,
        help="where fetch-corpus.sh keeps the corpus (default: an existing .bench-corpus next to the project or a parent)",
    )
    parser.add_argument("--json", type=Path, help="where to write the figures (default: bench/.work/results-TIER.json)")
    parser.add_argument("--startup", action="store_true", help="the start-up and latency figures only")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    jobs = args.jobs or default_jobs()
    WORK.mkdir(exist_ok=True)
    (WORK / ".gitignore").write_text("*\n")
    if args.startup:
        large, apps = fetch_corpus("large", args.corpus_dest), fetch_corpus("apps", args.corpus_dest)
        scratch = Path(tempfile.mkdtemp(prefix="designlint-bench-"))
        try:
            return run_startup(args, jobs, large, apps, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    source = fetch_corpus(args.tier, args.corpus_dest)
    # The copy (some of its files get modified) and the cache live outside the project, so
    # that no linter run over the project ever walks into 900k lines of corpus.
    scratch = Path(tempfile.mkdtemp(prefix="designlint-bench-"))
    try:
        return run_benchmark(args, skip, jobs, source, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_benchmark(args: argparse.Namespace, skip: set[str], jobs: int, source: Path, scratch: Path) -> int:
    corpus = scratch / f"corpus-{args.tier}"
    shutil.copytree(source, corpus)
    (corpus / ".fixit.toml").write_text("root = true\n")  # Fixit: default rules, no parent config
    files = sorted(corpus.rglob("*.py"))
    lines = sum(path.read_bytes().count(b"\n") for path in files)

    report: dict = {
        "tier": args.tier,
        "files": len(files),
        "lines": lines,
        "jobs": jobs,
        "repeat": args.repeat,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_before": os.getloadavg(),
        },
        "designlint": {"version": _designlint_version(), "commit": _git_commit()},
        "runs": {},
    }
    print(f"corpus: {args.tier}, {len(files)} files, {lines} lines; {jobs} processes; load {_load()}", flush=True)
    runs = report["runs"]

    cache_dir = scratch / "cache"
    designlint = [
        sys.executable,
        "-m",
        "designlint",
        "check",
        "--isolated",
        "--exit-zero",
        "--jobs",
        str(jobs),
        str(corpus),
    ]
    cached = [*designlint, "--cache-dir", str(cache_dir)]

    def cold_run() -> dict:
        shutil.rmtree(cache_dir, ignore_errors=True)
        return measure(cached, ok_codes=LINT_OK)

    runs["cold"] = repeat("designlint cold (empty cache)", cold_run, args.repeat, lines)
    if "nocache" not in skip:
        runs["nocache"] = repeat(
            "designlint --no-cache", lambda: measure([*designlint, "--no-cache"], ok_codes=LINT_OK), args.repeat, lines
        )
    runs["warm"] = repeat(
        "designlint warm (nothing changed)", lambda: measure(cached, ok_codes=LINT_OK), args.repeat, lines
    )
    touched = max(1, round(len(files) / 100))
    chooser = random.Random(0)

    def touched_run() -> dict:
        for path in chooser.sample(files, touched):
            with path.open("a", encoding="utf-8") as out:
                out.write(f"\n# touched by bench.py {time.time_ns()}\n")
        return measure(cached, ok_codes=LINT_OK)

    runs["touched"] = repeat(f"designlint after touching 1% ({touched} files)", touched_run, args.repeat, lines)
    report["touched_files"] = touched

    if "editor" not in skip:
        runs["editor"] = editor_case(files, corpus, max(args.repeat, 20))
    if "fixit" not in skip:
        sample = (
            files
            if args.fixit_sample >= 1
            else sorted(random.Random(1).sample(files, max(1, round(len(files) * args.fixit_sample))))
        )
        runs["fixit"] = fixit_runs(corpus, sample, args.fixit_repeat)
    if "floor" not in skip:
        floor = BENCH / "parse-floor.py"
        for processes in (1, jobs):
            runs[f"floor_{processes}"] = repeat(
                f"LibCST parse only, {processes} process{'es' if processes > 1 else ''}",
                lambda p=processes: floor_run(floor, p, corpus),
                args.floor_repeat,
                lines,
            )

    report["machine"]["load_after"] = os.getloadavg()
    report["verdict"] = verdict(runs, jobs)
    print_summary(report)
    target = args.json or WORK / f"results-{args.tier}.json"
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nfigures written to {target}")
    return 0


# -- start-up and latency -------------------------------------------------------------------


def run_startup(args: argparse.Namespace, jobs: int, large: Path, apps: Path, scratch: Path) -> int:
    times = max(args.repeat, 7)  # short runs: more of them for a steady median
    # Byte-compiled as pip compiles an installed package: with PYTHONDONTWRITEBYTECODE set (as
    # here) an editable install would otherwise compile every module it imports at each start.
    compileall.compile_dir(PROJECT / "src" / "designlint", quiet=1)
    # And as any run after the first leaves it: with the table of dataclass method code, which
    # a run writes where Python writes bytecode (not with PYTHONDONTWRITEBYTECODE, as here).
    written_bytecode = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "designlint", "check", "--isolated", "--no-cache", "--exit-zero", str(SMALL_FILE)],
        env=written_bytecode,
        capture_output=True,
        check=True,
    )
    method_table = Path(dataclass_code.table_path() or "")
    slice_dir = scratch / "slice"
    for package in SLICE:
        shutil.copytree(large / package, slice_dir / package)
    slice_files = sorted(slice_dir.rglob("*.py"))
    slice_lines = sum(path.read_bytes().count(b"\n") for path in slice_files)
    report: dict = {
        "mode": "startup",
        "jobs": jobs,
        "repeat": times,
        "slice": {"packages": list(SLICE), "files": len(slice_files), "lines": slice_lines},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_before": os.getloadavg()},
        "designlint": {"version": _designlint_version(), "commit": _git_commit()},
        "runs": {},
    }
    print(f"start-up figures; slice {len(slice_files)} files, {slice_lines} lines; load {_load()}", flush=True)
    runs = report["runs"]
    python = sys.executable
    designlint = [python, "-m", "designlint"]
    cache_dir = scratch / "cache"

    def cold(command: list[str]):
        def run() -> dict:
            shutil.rmtree(cache_dir, ignore_errors=True)
            return measure(command, ok_codes=LINT_OK)

        return run

    runs["bare"] = repeat("python -c pass", lambda: measure([python, "-c", "pass"]), times, 1)
    runs["libcst"] = repeat('python -c "import libcst"', lambda: measure([python, "-c", "import libcst"]), times, 1)
    for name, command in (("version", ["--version"]), ("rules", ["rules"]), ("rule", ["rule", "DL101"])):
        runs[name] = repeat(f"designlint {' '.join(command)}", lambda c=command: measure([*designlint, *c]), times, 1)
    check = [*designlint, "check", "--isolated", "--exit-zero", "--cache-dir", str(cache_dir)]
    small_lines = SMALL_FILE.read_bytes().count(b"\n")
    runs["small"] = repeat(
        f"one {small_lines}-line file, empty cache", cold([*check, str(SMALL_FILE)]), times, small_lines
    )

    def first_run() -> dict:
        hidden = method_table.with_name(method_table.name + ".bench-hidden")
        method_table.rename(hidden)
        try:
            return cold([*check, str(SMALL_FILE)])()  # PYTHONDONTWRITEBYTECODE: the table stays absent
        finally:
            hidden.rename(method_table)

    runs["small_first"] = repeat("the same, an install's first run (no method table)", first_run, times, small_lines)
    slice_check = [*check, "--jobs", str(jobs), str(slice_dir)]
    runs["slice_cold"] = repeat("slice, empty cache", cold(slice_check), args.repeat, slice_lines)
    runs["slice_warm"] = repeat("slice, warm", lambda: measure(slice_check, ok_codes=LINT_OK), times, slice_lines)
    runs["editor"] = editor_case(slice_files, slice_dir, max(times, 20))
    editor_file = slice_dir / runs["editor"]["file"]
    runs["lsp"] = repeat(
        f"lsp: initialize to first diagnostics ({editor_file.name})",
        lambda: lsp_first_diagnostics(designlint, editor_file),
        times,
        1,
    )
    print(
        f"    from initialize sent: median {runs['lsp']['from_initialize_median_s']:.3f} s;"
        f" initialize answered in {runs['lsp']['initialize_answer_median_s'] * 1000:.1f} ms",
        flush=True,
    )
    apps_check = [*check, "--jobs", str(jobs), str(apps)]
    apps_lines = sum(path.read_bytes().count(b"\n") for path in apps.rglob("*.py"))
    runs["apps"] = repeat("apps tier, empty cache", cold(apps_check), 1, apps_lines)

    report["machine"]["load_after"] = os.getloadavg()
    report["verdict"] = startup_verdict(runs)
    print(
        f"\nload average before {_fmt_load(report['machine']['load_before'])}, after {_fmt_load(report['machine']['load_after'])} ({report['machine']['cpus']} CPUs)"
    )
    for name, item in report["verdict"].items():
        relation = ">=" if item["higher_is_better"] else "<="
        per_cpu = f"  [CPU: {item['per_cpu_second']:.2f}]" if item["per_cpu_second"] is not None else ""
        verdict = (
            "(no target)"
            if item["target"] is None
            else f"(target {relation} {item['target']:g})  {'met' if item['met'] else 'NOT MET'}"
        )
        print(f"  {name:<24} {item['value']:10.2f}  {verdict}{per_cpu}")
    target = args.json or WORK / "results-startup.json"
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nfigures written to {target}")
    return 0


def startup_verdict(runs: dict) -> dict:
    """Each target's value; a ratio of two runs is also given per CPU-second (each command's
    own CPU time), which a loaded machine disturbs far less than wall time."""

    def ratio(over: str, under: str) -> tuple[float, float]:
        return (
            runs[over]["median_s"] / runs[under]["median_s"],
            runs[over]["cpu_median_s"] / runs[under]["cpu_median_s"],
        )

    values = {
        "small_vs_libcst": (*ratio("small", "libcst"), False),
        "small_first_run_vs_libcst": (*ratio("small_first", "libcst"), False),
        "slice_warm_speedup": (*ratio("slice_cold", "slice_warm"), True),
        "version_vs_bare": (*ratio("version", "bare"), False),
        "rules_vs_bare": (*ratio("rules", "bare"), False),
        "rule_vs_bare": (*ratio("rule", "bare"), False),
        "lsp_vs_libcst": (*ratio("lsp", "libcst"), False),
        "lsp_from_initialize_vs_libcst": (
            runs["lsp"]["from_initialize_median_s"] / runs["libcst"]["median_s"],
            None,  # the server's CPU time is counted from its start
            False,
        ),
        "editor_ms": (runs["editor"]["edit_median_ms"], runs["editor"]["edit_cpu_median_ms"], False),
        "apps_peak_mb": (runs["apps"]["peak_mb"], None, False),
    }
    return {
        name: {
            "value": value,
            "per_cpu_second": per_cpu,
            "target": STARTUP_TARGETS.get(name),  # None: a figure shown beside the targets
            "higher_is_better": higher,
            "met": None
            if name not in STARTUP_TARGETS
            else value >= STARTUP_TARGETS[name]
            if higher
            else value <= STARTUP_TARGETS[name],
        }
        for name, (value, per_cpu, higher) in values.items()
    }


def lsp_first_diagnostics(designlint: list[str], path: Path) -> dict:
    """Start ``designlint lsp``, send ``initialize`` at once, then ``initialized`` and
    ``didOpen`` of ``path`` as soon as it answers, as an editor does; the time from start, and
    from ``initialize`` sent, to the first ``publishDiagnostics`` for the file, and how long
    ``initialize`` waited for its answer."""
    uri = path.as_uri()
    start = time.perf_counter()
    server = subprocess.Popen(
        [*designlint, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=path.parent
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        initialize_sent = time.perf_counter()
        _lsp_send(
            server.stdin,
            {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}},
        )
        _lsp_until(server, lambda message: message.get("id") == 1)
        initialize_answer_s = time.perf_counter() - initialize_sent
        _lsp_send(server.stdin, {"method": "initialized", "params": {}})
        document = {"uri": uri, "languageId": "python", "version": 1, "text": path.read_text(encoding="utf-8")}
        _lsp_send(server.stdin, {"method": "textDocument/didOpen", "params": {"textDocument": document}})
        _lsp_until(
            server,
            lambda message: (
                message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri
            ),
        )
        published = time.perf_counter()
        seconds, from_initialize_s = published - start, published - initialize_sent
        peak_kb, cpu_s = _peak_kb(server.pid), _cpu_s(server.pid)
        _lsp_send(server.stdin, {"id": 2, "method": "shutdown"})
        _lsp_until(server, lambda message: message.get("id") == 2)
        _lsp_send(server.stdin, {"method": "exit"})
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    return {
        "seconds": seconds,
        "from_initialize_s": from_initialize_s,
        "initialize_answer_s": initialize_answer_s,
        "peak_kb": peak_kb,
        "cpu_s": cpu_s,
    }


def _lsp_send(stream, message: dict) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    stream.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    stream.flush()


def _lsp_until(server: subprocess.Popen, wanted) -> dict:
    """Read the server's messages until one is ``wanted``; a request of the server's own
    (``client/registerCapability``...) is answered with null."""
    while True:
        headers = {}
        while (line := server.stdout.readline()).strip():
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if not line:
            sys.exit("bench.py: the language server exited before answering")
        message = json.loads(server.stdout.read(int(headers[b"content-length"])))
        if wanted(message):
            return message
        if "method" in message and "id" in message:
            _lsp_send(server.stdin, {"id": message["id"], "result": None})


def _cpu_s(pid: int) -> float:
    """A live process's CPU time so far, user and system (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _peak_kb(pid: int) -> int:
    """A live process's peak resident size (Linux; 0 elsewhere)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


# -- the corpus ----------------------------------------------------------------------------


def fetch_corpus(tier: str, dest: Path | None) -> Path:
    script = BENCH / "fetch-corpus.sh"
    if dest is None:
        dest = next(
            (a / ".bench-corpus" for a in (PROJECT, *PROJECT.parents) if (a / ".bench-corpus").is_dir()),
            PROJECT / ".bench-corpus",
        )
    done = subprocess.run(["bash", str(script), str(dest), tier], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"bench.py: fetch-corpus.sh failed:\n{done.stderr}")
    print(done.stdout.strip().splitlines()[-1])
    return dest / tier


# -- measuring -----------------------------------------------------------------------------


def measure(command: list[str], ok_codes: tuple[int, ...] = (0,)) -> dict:
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    if result["returncode"] not in ok_codes:
        sys.exit(f"bench.py: {' '.join(command)} exited {result['returncode']}:\n{result['stderr']}")
    if result["returncode"] == 2 and "internal error" in result["stderr"]:
        # A rule crashed on some corpus file (DL002, exit 2): a bug to report, but the run
        # still linted everything, so its timing stands.
        print(f"    warning: internal errors (DL002) in this run:\n{result['stderr'][-600:]}", flush=True)
    return result


def repeat(label: str, run, times: int, lines: int) -> dict:
    samples = [run() for _ in range(times)]
    seconds = [s["seconds"] for s in samples]
    median = statistics.median(seconds)
    peak_mb = max(s["peak_kb"] for s in samples) / 1024
    cpu = statistics.median(s["cpu_s"] for s in samples)
    summary = {
        "label": label,
        "seconds": seconds,
        "median_s": median,
        "lines_per_s": lines / median,
        "peak_mb": peak_mb,
        "cpu_median_s": cpu,
    }
    if "inner_s" in samples[0]:
        summary["inner_median_s"] = statistics.median(s["inner_s"] for s in samples)
        summary["inner_lines_per_s"] = lines / summary["inner_median_s"]
    for part in ("from_initialize", "initialize_answer"):  # the language server's
        if f"{part}_s" in samples[0]:
            summary[f"{part}_median_s"] = statistics.median(s[f"{part}_s"] for s in samples)
    print(
        f"  {label:<48} median {median:8.3f} s  {lines / median:>10,.0f} lines/s  cpu {cpu:7.2f} s  peak {peak_mb:5.0f} MB  (load {_load()})",
        flush=True,
    )
    return summary


def editor_case(files: list[Path], corpus: Path, times: int) -> dict:
    """The editor case: one file of about 1,000 lines, every rule, in this process."""
    from designlint.config import Config
    from designlint.engine import Linter
    from designlint.project import Project
    from designlint.rules import REGISTRY

    config = Config(root=corpus, select=("DL",))
    start = time.perf_counter()
    linter = Linter(config, REGISTRY.rules, project=Project.from_root(corpus))  # every rule built, to count them
    built_s = time.perf_counter() - start
    # Of the files of about 1,000 lines, the one the most rules look at (their prefilters
    # match), so that "all rules" means as many as the corpus allows.
    sizes = {path: path.read_bytes().count(b"\n") for path in files}
    candidates = [p for p in files if 900 <= sizes[p] <= 1100] or files

    def rules_looking(path: Path) -> int:
        text = path.read_text(encoding="utf-8", errors="replace")
        return sum(1 for rule in linter.rules if rule.prefilter is None or rule.prefilter.search(text))

    path = min(candidates, key=lambda p: (-rules_looking(p), abs(sizes[p] - 1000), str(p)))
    data = path.read_bytes()
    start = time.perf_counter()
    first = linter.lint(data, str(path))
    first_s = time.perf_counter() - start + built_s
    seconds, cpu = [], []
    for _ in range(times):
        start, start_cpu = time.perf_counter(), time.process_time()
        linter.lint(data, str(path))
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = statistics.median(seconds)
    label = f"one {sizes[path]}-line file in-process, {rules_looking(path)}/{len(linter.rules)} rules run"
    print(
        f"  {label:<48} median {median * 1000:8.1f} ms  cpu {statistics.median(cpu) * 1000:.1f} ms  (first call, rules built: {first_s * 1000:.0f} ms; {len(first.diagnostics)} findings)",
        flush=True,
    )
    edit_seconds, edit_cpu = keystrokes(linter, path, times)
    edit_median = statistics.median(edit_seconds)
    print(
        f"  {'  the same, after a one-line edit (incremental)':<48} median {edit_median * 1000:8.1f} ms  cpu {statistics.median(edit_cpu) * 1000:.1f} ms  (load {_load()})",
        flush=True,
    )
    return {
        "label": label,
        "file": str(path.relative_to(corpus)),
        "lines": sizes[path],
        "rules": [rule.code for rule in linter.rules],
        "rules_available": len(REGISTRY.rules),
        "rules_run": rules_looking(path),
        "seconds": seconds,
        "median_ms": median * 1000,
        "cpu_median_ms": statistics.median(cpu) * 1000,
        "first_call_ms": first_s * 1000,
        "edit_median_ms": edit_median * 1000,
        "edit_cpu_median_ms": statistics.median(edit_cpu) * 1000,
    }


def keystrokes(linter, path: Path, times: int) -> tuple[list[float], list[float]]:
    """An editor's lints of ``path`` as a line is typed again and again (``typed``), with the
    last parses kept as the language server keeps them: the seconds and CPU seconds of each."""
    from designlint.reparse import Reparser

    text = path.read_text(encoding="utf-8")
    saved, linter.reparser = linter.reparser, Reparser(4)
    seconds, cpu = [], []
    try:
        linter.lint(text, str(path))
        for n in range(times):
            edited = typed(text, n)
            start, start_cpu = time.perf_counter(), time.process_time()
            linter.lint(edited, str(path))
            seconds.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    finally:
        linter.reparser = saved
    return seconds, cpu


def typed(text: str, n: int) -> str:
    """``text`` with a line ``_typed = n`` added at the end of the body of its middle
    top-level function or class."""
    import ast

    blocks = [
        node for node in ast.parse(text).body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    block = blocks[len(blocks) // 2]
    lines = text.split("\n")
    after = block.body[-1].end_lineno or block.lineno
    return "\n".join([*lines[:after], f"{' ' * block.body[-1].col_offset}_typed = {n}", *lines[after:]])


def fixit_runs(corpus: Path, files: list[Path], times: int) -> dict:
    venv = WORK / "fixit-venv"
    fixit = venv / "bin" / "fixit"
    if not fixit.exists():
        print(f"  installing {FIXIT_SPEC} into {venv} (a throwaway venv, not a project dependency)", flush=True)
        created = subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], capture_output=True, text=True)
        installed = created.returncode == 0 and subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", FIXIT_SPEC], capture_output=True, text=True
        )
        if not installed or installed.returncode != 0:
            reason = (installed.stderr if installed else created.stderr).strip().splitlines()[-1:] or ["unknown"]
            print(f"  Fixit could not be installed ({reason[0]}): no Fixit figures in this run", flush=True)
            return {"error": f"Fixit could not be installed: {reason[0]}"}
    version = subprocess.run([str(fixit), "--version"], capture_output=True, text=True).stdout.strip()
    # Fixit exits non-zero when it reports something; it parallelises over the CPUs itself.
    lines = sum(path.read_bytes().count(b"\n") for path in files)
    targets = [str(corpus)] if len(files) == len(list(corpus.rglob("*.py"))) else [str(p) for p in files]
    label = f"Fixit default rules ({version.split()[-1]}, {len(files)} files)"
    summary = repeat(label, lambda: measure([str(fixit), "lint", *targets], ok_codes=(0, 1)), times, lines)
    summary.update(version=version, files=len(files), lines=lines)
    return summary


def floor_run(script: Path, processes: int, corpus: Path) -> dict:
    result = measure([sys.executable, str(script), "cst", str(processes), str(corpus)])
    inner = [part for part in result["stderr"].split() if part.startswith("inner_s=")]
    result["inner_s"] = float(inner[-1].split("=", 1)[1]) if inner else result["seconds"]
    return result


# -- the verdict -----------------------------------------------------------------------------


def verdict(runs: dict, jobs: int) -> dict:
    cold = runs["cold"]
    out: dict = {}

    def check(name: str, value: float, target: float, higher_is_better: bool = True) -> None:
        out[name] = {"value": value, "target": target, "met": value >= target if higher_is_better else value < target}

    lines = cold["lines_per_s"] * cold["median_s"]
    if "lines_per_s" in runs.get("fixit", {}):
        fixit = runs["fixit"]
        check("cold_vs_fixit", cold["lines_per_s"] / fixit["lines_per_s"], TARGETS["cold_vs_fixit"])
        # On a shared machine CPU time is steadier than wall time: the same ratio per CPU-second.
        out["cold_vs_fixit"]["per_cpu_second"] = (lines / cold["cpu_median_s"]) / (
            fixit["lines"] / fixit["cpu_median_s"]
        )
    floor = runs.get(f"floor_{jobs}")
    if floor:
        # Against the floor's own timing (no interpreter start-up), while designlint's
        # includes its start-up: the comparison leans against designlint.
        check("cold_vs_floor", cold["lines_per_s"] / floor["inner_lines_per_s"], TARGETS["cold_vs_floor"])
        out["cold_vs_floor"]["per_cpu_second"] = floor["cpu_median_s"] / cold["cpu_median_s"]
    check("warm_speedup", cold["median_s"] / runs["warm"]["median_s"], TARGETS["warm_speedup"])
    check("touched_speedup", cold["median_s"] / runs["touched"]["median_s"], TARGETS["touched_speedup"])
    if "editor" in runs:
        check("editor_ms", runs["editor"]["median_ms"], TARGETS["editor_ms"], higher_is_better=False)
    peak = max(runs[name]["peak_mb"] for name in ("cold", "nocache", "warm", "touched") if name in runs)
    check("peak_mb", peak, TARGETS["peak_mb"], higher_is_better=False)
    return out


def print_summary(report: dict) -> None:
    print(
        f"\nload average before {_fmt_load(report['machine']['load_before'])}, after {_fmt_load(report['machine']['load_after'])} ({report['machine']['cpus']} CPUs)"
    )
    labels = {
        "cold_vs_fixit": "cold lines/s / Fixit lines/s",
        "cold_vs_floor": "cold lines/s / N-process parse floor",
        "warm_speedup": "cold time / warm time",
        "touched_speedup": "cold time / 1%-changed time",
        "editor_ms": "one 1,000-line file, median ms",
        "peak_mb": "peak MB per process",
    }
    for name, item in report["verdict"].items():
        relation = ">=" if name not in ("editor_ms", "peak_mb") else "<"
        per_cpu = f"  [per CPU-second: {item['per_cpu_second']:.2f}]" if "per_cpu_second" in item else ""
        print(
            f"  {labels[name]:<40} {item['value']:10.2f}  (target {relation} {item['target']:g})  {'met' if item['met'] else 'NOT MET'}{per_cpu}"
        )


def _load() -> str:
    return _fmt_load(os.getloadavg())


def _fmt_load(load) -> str:
    return "/".join(f"{value:.2f}" for value in load)


def _designlint_version() -> str:
    from designlint import __version__

    return __version__


def _git_commit() -> str:
    done = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(PROJECT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    ).stdout.strip()
    return done.stdout.strip() + ("+dirty" if dirty else "")


if __name__ == "__main__":
    sys.exit(main())
