"""Analyses on code shaped to blow them up (issue 11, items 10 and 11): each stays linear, or
says it gave up. Every analysis counts its steps against a per-rule, per-file Budget; when it
is spent, that rule stops on the file with one DL001 naming it and the statement, and the other
rules go on."""

from __future__ import annotations

import multiprocessing
import os
import signal
from itertools import pairwise
from pathlib import Path

import libcst as cst
import pytest

from designlint import runner
from designlint.analysis import budget
from designlint.analysis.budget import Budget, GaveUp
from designlint.analysis.dataflow import Dataflow
from designlint.analysis.names import NameResolver
from designlint.analysis.strings import static_value
from designlint.config import Config
from designlint.engine import Linter, lint_source
from designlint.rules.egress import EgressUnguardedUrl
from tests.fuzzing import time_limit
from tests.test_dataflow import FetchSpec


def last_sink_taints(source: str, steps: int = budget.BASE_STEPS) -> tuple[set[str], int]:
    """The kinds the argument of the ``sink(x)`` ending the module's only function carries, and
    the steps the taint analysis spent (the tree is not walked: it may be deeper than Python's
    recursion limit)."""
    module = cst.parse_module(source)
    function = module.body[0]
    sink = function.body.body[-1].body[0].value
    assert isinstance(sink, cst.Call) and sink.func.value == "sink"
    spent = Budget(steps)
    flow = Dataflow(module, NameResolver(module, "m"), FetchSpec(), spent)
    return {t.kind for t in flow.taint(sink.args[0].value, function)}, spent.spent


def nested_loops(depth: int) -> str:
    lines = ["def f(items):", "    page = fetch()"]
    for level in range(depth):
        indent = "    " * (level + 1)
        lines += [f"{indent}for x{level} in items:", f"{indent}    page = page + x{level}"]
    return "\n".join(lines) + "\n    sink(page)\n"


@pytest.mark.parametrize("depth", [1, 6, 18])
def test_nested_loops_cost_linear_steps_not_two_to_the_depth(depth: int):
    kinds, spent = last_sink_taints(nested_loops(depth))
    assert kinds == {"fetched"}
    # Each loop runs a second round only when the first changed what reaches its top: the
    # outermost loop twice, each loop below at most once more per round above it.
    assert spent < 40 * depth**2 + 40, spent


def test_a_loop_whose_body_changes_what_reaches_its_top_still_runs_twice():
    source = "def f(items):\n    a = b = None\n    for x in items:\n        sink(a)\n        a = b\n        b = fetch()\n    sink(a)\n"
    assert last_sink_taints(source)[0] == {"fetched"}


@pytest.mark.parametrize(
    "value",
    [
        " + ".join(["1"] * 600) + " + fetch()",  # a chain of 600 operators
        "fetch() + " + " + ".join(["'part'"] * 600),  # a prompt of 600 concatenated parts
        " ".join(['"part"'] * 600) + " f'{fetch()}'",  # implicit concatenation of 600 literals
        " or ".join(["flag"] * 600) + " or fetch()",
        "fetch() ** " + " ** ".join(["2"] * 600),  # right-nested
    ],
    ids=["600 terms", "600 parts", "600 literals", "600 or", "600 powers"],
)
def test_long_operator_chains_carry_their_taint(value: str):
    assert last_sink_taints(f"def f(flag):\n    x = {value}\n    sink(x)\n")[0] == {"fetched"}


@pytest.mark.parametrize("branches", [2, 500])
def test_if_elif_chain_of_any_length_merges_its_branches(branches: int):
    lines = ["def f(k):", "    x = None", "    if k == 0:", "        x = 0"]
    for n in range(1, branches):
        lines += [f"    elif k == {n}:", f"        x = {'fetch()' if n == branches - 1 else n}"]
    lines += ["    sink(x)"]
    assert last_sink_taints("\n".join(lines) + "\n")[0] == {"fetched"}


def test_taint_analysis_over_its_budget_gives_up_saying_so():
    with pytest.raises(GaveUp, match="the taint analysis would not finish in reasonable time"):
        last_sink_taints(nested_loops(3), steps=20)


AGENT = """\
import requests

def answer(client, url):
    page = requests.get(url, timeout=5).text
    return client.messages.create(model="m", system=f"Page: {page}", messages=[])
"""


def findings(source: str) -> list[tuple]:
    return [(d.code, d.start.row, d.message) for d in lint_source(source.encode(), "app/tools.py")]


def test_rule_over_its_budget_gets_one_dl001_naming_it_and_the_statement(monkeypatch):
    assert [f[:2] for f in findings(AGENT)] == [("DL202", 4), ("DL401", 5)]
    monkeypatch.setattr(budget, "BASE_STEPS", 3)
    monkeypatch.setattr(budget, "STEPS_PER_LINE", 0)
    assert findings(AGENT) == [
        ("DL202", 4, DL202_MESSAGE),
        (
            "DL001",
            5,
            "cannot analyse: rule DL401 (untrusted-content-in-prompt) stopped on this file at the statement at line 5:"
            " the taint analysis would not finish in reasonable time (it spent its budget of 3 steps)",
        ),
    ]


DL202_MESSAGE = (
    "outbound HTTP to a dynamic URL from `url` (requests.get) that did not pass an egress guard (it comes from the"
    " parameter `url` of answer()): pass it through an egress guard first and name the guard in [tool.designlint.egress] guards"
)


def test_a_finding_in_a_statement_too_deep_to_generate_is_placed_at_the_statement():
    # LibCST cannot generate the code of a prompt of 600 parts (it recurses once per part): the
    # finding is placed at the start of its statement, and the origin's line is read from the
    # origin's own statement. Before, DL401 stopped on the file with a DL001.
    parts = " + ".join(["'x'"] * 600)
    source = AGENT.replace('system=f"Page: {page}"', "system=prompt").replace(
        "    return", f"    prompt = page + {parts}\n    return"
    )
    found = lint_source(source.encode(), "app/tools.py")
    assert [(d.code, d.start.row, d.start.column, d.fix) for d in found] == [
        ("DL202", 4, 25, None),
        ("DL401", 5, 1, None),
    ]
    assert found[1].message.startswith("HTTP response body from line 4 enters the prompt `prompt` untagged")


def test_a_statement_too_deep_to_generate_between_origin_and_sink_does_not_matter():
    deep = " + ".join(["'x'"] * 600)
    source = AGENT.replace("    return", f"    banner = {deep}\n    return")
    assert [f[:2] for f in findings(source)] == [("DL202", 4), ("DL401", 6)]
    assert "from line 4 enters the system prompt" in findings(source)[1][2]


# Item 9: text inside the linted code (string annotations, forward references) is parsed behind
# the same guards as a file: before, LibCST parsed it on the main thread (a segfault, or minutes).
@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("app/tools.py", "import aiohttp\n\ndef f(s: 'aiohttp." + ".".join(["a"] * 20_000) + "'):\n    pass\n"),
        (
            "app/adapters/chat.py",
            "import openai\n\ndef f(s: '" + "(" * 5_000 + "openai.X" + ")" * 5_000 + "'):\n    pass\n",
        ),
        ("app/adapters/chat.py", "import openai\n\ndef f(s: 'openai." + ".".join(["a"] * 20_000) + "'):\n    pass\n"),
    ],
    ids=["forward reference of 20,000 parts", "5,000 brackets in an adapter", "20,000 parts in an adapter"],
)
def test_hostile_string_annotations_are_refused_not_parsed_unguarded(path: str, source: str):
    with time_limit(20):
        assert lint_source(source.encode(), path) == []


def test_string_annotations_within_the_guards_are_still_read():
    source = "import openai\n\ndef make(api_key) -> 'openai.OpenAI':\n    return None\n"
    [finding] = lint_source(source.encode(), "app/adapters/chat.py")
    assert finding.code == "DL302" and "openai.OpenAI" in finding.message


def test_guard_checks_read_each_statement_once_not_once_per_request():
    requests = "".join(f"    requests.get(url + '/{n}', timeout=1)\n" for n in range(400))
    linter = Linter(Config(), rules=[EgressUnguardedUrl])
    found = linter.lint(f"import requests\n\ndef f(url):\n{requests}".encode(), "app/tools.py").diagnostics
    assert [d.code for d in found] == ["DL202"] * 400
    [rule] = linter.rules
    assert rule.analysis_budget.spent <= 400, (
        rule.analysis_budget.spent
    )  # one step per statement, not per request and statement


@pytest.mark.parametrize("negated", [False, True], ids=["if allowed", "if not allowed: deny"])
def test_or_of_variables_named_thirty_times_four_deep_is_built_once(negated: bool):
    # Each level names the one below 30 times: 30**4 expansions before (222 s), once each now.
    lines = [
        "def check(user, resource):",
        "    v1 = " + " or ".join(["user.tenant_id == resource.tenant_id", "user.role == 'admin'"] * 15),
        *(f"    v{level} = " + " or ".join([f"v{level - 1}"] * 30) for level in (2, 3, 4)),
        "    if not v4:" if negated else "    if v4:",
        "        raise PermissionError('denied')" if negated else "        return True",
        "    return True" if negated else "    return False",
    ]
    with time_limit(20):
        found = lint_source("\n".join(lines).encode() + b"\n", "app/tools.py")
    assert [(d.code, d.start.row) for d in found] == [("DL102", 2)]


@pytest.mark.parametrize("scope", ["function", "module"])
def test_chained_f_strings_are_resolved_once_per_name_and_stay_bounded(scope: str):
    # Each level names the one below 12 times: 12**7 evaluations and pieces before.
    indent = "    " if scope == "function" else ""
    lines = ["import requests", "def f(host):" if scope == "function" else "host = input()", f"{indent}a0 = host"]
    lines += [f"{indent}a{n} = f'" + "/".join([f"{{a{n - 1}}}"] * 12) + "'" for n in range(1, 8)]
    lines += [f"{indent}requests.get(f'https://{{a7}}', timeout=1)"]
    with time_limit(20):
        found = lint_source("\n".join(lines).encode() + b"\n", "app/tools.py")
    assert [(d.code, d.start.row) for d in found] == [("DL202", 11)]


def test_a_value_of_many_pieces_keeps_its_known_start():
    module = cst.parse_module("url = f'https://api.example.com/" + "/".join(["{x}"] * 200) + "'\n")
    value = static_value(module.body[0].body[0].value)
    assert value.prefix == "https://api.example.com/" and not value.complete
    assert len(value.parts) == 64 and value.first_unknown.value == "x"


# 12 files go to the pool one by one; of 90, the pool gets runs of up to 11, and the one that
# dies holds others, first, last or in the middle.
@pytest.mark.parametrize(("files", "killer"), [(12, 5), (90, 0), (90, 37), (90, 89)])
def test_a_worker_that_dies_costs_its_file_not_the_run(tmp_path, monkeypatch, files: int, killer: int):
    """A crash in native code on one file (LibCST's stack, before item 9) broke the whole
    pool: BrokenProcessPool and no findings. Now that file gets DL002 and the others lint."""
    for n in range(files):
        (tmp_path / f"m{n:02}.py").write_text('raise ToolError("RATE_LIMITED")\n')
    lint_bytes = runner._lint_bytes

    def crash_on_the_killer(path, *args, **kwargs):
        if path.endswith(f"m{killer:02}.py"):
            os.kill(os.getpid(), signal.SIGSEGV)
        return lint_bytes(path, *args, **kwargs)

    monkeypatch.setattr(runner, "_lint_bytes", crash_on_the_killer)
    monkeypatch.setattr(runner, "_pool_context", lambda: multiprocessing.get_context("fork"))  # sees the patch
    monkeypatch.setattr(runner, "SMALL_RUN_BYTES", 0)
    result = runner.lint_paths([tmp_path], runner.Options(isolated=True, jobs=2))
    found = sorted((Path(d.path).name, d.code) for d in result.diagnostics)
    assert found == sorted((f"m{n:02}.py", "DL002" if n == killer else "DL501") for n in range(files))
    [died] = [d for d in result.diagnostics if d.code == "DL002"]
    assert died.message.startswith("internal error: the process linting this file died")


def test_the_pool_gets_runs_of_neighbouring_files_shrinking_to_one():
    runs = runner._runs(list(range(100)), jobs=2)
    assert [index for run in runs for index in run] == list(range(100))
    assert len(runs[0]) == 12 and all(len(a) >= len(b) for a, b in pairwise(runs)) and len(runs[-1]) == 1


def test_a_long_chain_of_binary_operators_is_costed_as_a_chain():
    # Found by bench/fuzz.py: 2,500 ``%`` took LibCST 7 s, estimated at 0.6 s (a weight of 1).
    source = "import requests\n\nprompt = page" + " % 'part'" * 2_500 + "\nrequests.get(prompt, timeout=5)\n"
    [finding] = lint_source(source.encode(), "app/tools.py")
    assert finding.code == "DL001" and finding.start.row == 3
    assert finding.message.startswith("cannot parse in reasonable time: expressions nested too deeply")
