"""The incremental re-parse: after any edit, the module is exactly what a full parse gives."""

import ast
import random
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from designlint.analysis.stdlib_nodes import nodes_by_type
from designlint.config import Config
from designlint.diagnostics import Diagnostic
from designlint.engine import Linter
from designlint.parsing import nesting_cost, stdlib_tree, stdlib_verdict
from designlint.reparse import Reparser, spliced_tree
from designlint.rules import REGISTRY

BEFORE = textwrap.dedent(
    '''\
    """A module."""
    # the imports
    import os
    from typing import Any

    CONSTANT = 1  # a trailing comment


    @decorator
    def first(a, b):
        """Its docstring."""
        total = a + b
        return total

    # about the class
    class Thing:
        name: str = "x"

        async def run(self):
            async with session() as s:
                await s.get(f"{self.name}/path")

    PROMPT = """
    a multi-line
    string
    """

    def last():
        return os.getcwd()
    '''
)


def _reparse(reparser: Reparser, text: str) -> cst.Module:
    return reparser.parse("m.py", text, stdlib_verdict(text).tree)


def _reused(old: cst.Module, new: cst.Module) -> int:
    """How many top-level statements of ``new`` are the very nodes of ``old``."""
    kept = {id(statement) for statement in old.body}
    return sum(id(statement) in kept for statement in new.body)


def _edited(before: str, after: str) -> tuple[cst.Module, cst.Module]:
    """The module of ``after`` through a reparser that has seen ``before``, checked against a full parse."""
    reparser = Reparser(2)
    old = _reparse(reparser, before)
    new = _reparse(reparser, after)
    assert new.code == after
    assert new.deep_equals(cst.parse_module(after))
    return old, new


def _line_edit(before: str, index: int, replacement: list[str]) -> str:
    lines = before.split("\n")
    lines[index : index + 1] = replacement
    return "\n".join(lines)


EDITS = {
    "insert a line in a function": lambda t: t.replace("    total = a + b\n", "    total = a + b\n    total += 1\n"),
    "delete a line in a function": lambda t: t.replace("    total = a + b\n", ""),
    "add a decorator": lambda t: t.replace("def last():", "@cache\ndef last():"),
    "a comment before a def": lambda t: t.replace("\ndef last():", "\n# why\ndef last():"),
    "edit the first statement": lambda t: t.replace('"""A module."""', '"""The module."""'),
    "edit the last statement": lambda t: t.replace("os.getcwd()", "os.getcwd() + '/'"),
    "trailing newline removed": lambda t: t.rstrip("\n"),
    "a statement appended": lambda t: t + "\nTAIL = 2\n",
    "a statement at the start": lambda t: "from __future__ import annotations\n" + t,
    "edit inside a multi-line string": lambda t: t.replace("a multi-line", "a long multi-line"),
    "a comment indented after a block": lambda t: t.replace("\nPROMPT", "    # still the class's\nPROMPT"),
    "two statements on a line": lambda t: t.replace("CONSTANT = 1", "CONSTANT = 1; OTHER = 2"),
    "indentation changed in one function": lambda t: t.replace("def last():\n    return", "def last():\n  return"),
    "the first block's indentation changed": lambda t: t.replace("\n    ", "\n  "),
    "tabs": lambda t: t.replace("    return os", "\treturn os"),
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "a statement removed": lambda t: t.replace("CONSTANT = 1  # a trailing comment\n", ""),
    "statements swapped": lambda t: t.replace("import os\nfrom typing import Any", "from typing import Any\nimport os"),
    "a coding declaration": lambda t: "# -*- coding: latin-1 -*-\n" + t,
    "a line continuation": lambda t: t.replace("CONSTANT = 1", "CONSTANT = \\\n    1"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_gives_the_full_parse(edit):
    after = EDITS[edit](BEFORE)
    assert after != BEFORE
    _edited(BEFORE, after)


def test_an_edit_in_one_function_reuses_the_other_statements():
    old, new = _edited(BEFORE, EDITS["insert a line in a function"](BEFORE))
    assert _reused(old, new) == len(new.body) - 1
    old, new = _edited(BEFORE, EDITS["edit the last statement"](BEFORE))
    assert _reused(old, new) == len(new.body) - 1
    old, new = _edited(BEFORE, EDITS["edit the first statement"](BEFORE))
    assert _reused(old, new) == len(new.body) - 1


def test_the_same_text_gives_the_same_module():
    reparser = Reparser(2)
    assert _reparse(reparser, BEFORE) is _reparse(reparser, BEFORE)


def test_a_syntax_error_then_fixed():
    reparser = Reparser(2)
    old = _reparse(reparser, BEFORE)
    broken = BEFORE.replace("def last():", "def last(:")
    with pytest.raises(cst.ParserSyntaxError):
        _reparse(reparser, broken)
    fixed = BEFORE.replace("os.getcwd()", "os.getcwd(0)")
    new = _reparse(reparser, fixed)
    assert new.deep_equals(cst.parse_module(fixed)) and new.code == fixed
    assert _reused(old, new) == len(new.body) - 1


def test_a_node_is_never_used_twice_in_a_module():
    before = "x = 1\npass\ny = 2\nz = 3\n"
    _, new = _edited(before, "x = 1\npass\npass\ny = 2\nz = 3\n")
    assert len({id(statement) for statement in new.body}) == len(new.body)


def test_only_a_few_paths_are_kept():
    reparser = Reparser(2)
    for path in ("a.py", "b.py", "c.py"):
        reparser.parse(path, BEFORE, stdlib_verdict(BEFORE).tree)
    assert list(reparser._last) == ["b.py", "c.py"]


def _random_edit(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    index = rng.randrange(len(lines))
    line = lines[index]
    indent = line[: len(line) - len(line.lstrip())]
    replacement = rng.choice(
        [
            [line, f"{indent}x_{index} = {index}"],
            [],
            [line, ""],
            ["# a comment", line],
            [f"{indent}# a comment", line],
            [line + " "],
            [line.replace("(", "( ", 1)],
            [line, line],
        ]
    )
    lines[index : index + 1] = replacement
    return "\n".join(lines)


SOURCES = sorted((Path(__file__).parent.parent / "src" / "designlint").glob("*.py"))


@pytest.mark.parametrize("path", SOURCES[:12], ids=lambda p: p.name)
def test_random_edits_of_real_files(path):
    rng = random.Random(path.name)
    reparser = Reparser(1)
    text = path.read_text(encoding="utf-8")
    _reparse(reparser, text)
    reused = 0
    for _ in range(15):
        edited = _random_edit(text, rng)
        try:
            expected = cst.parse_module(edited)
        except cst.ParserSyntaxError:
            with pytest.raises(cst.ParserSyntaxError):
                _reparse(reparser, edited)
            continue
        previous = reparser._last["m.py"].module
        module = _reparse(reparser, edited)
        # Not always the edited text: LibCST drops a comment line before trailing spaces at the end.
        assert module.code == expected.code
        assert module.deep_equals(expected)
        reused += _reused(previous, module) > 0
        text = edited
    assert reused, "no edit reused anything"


def _findings(linter: Linter, code: str) -> list[Diagnostic]:
    return sorted(linter.lint(code, "app/tools.py").diagnostics, key=Diagnostic.sort_key)


def test_findings_are_the_same_through_both_paths(tmp_path):
    config = Config(root=tmp_path, select=("DL",))
    full, incremental = Linter(config), Linter(config, keep_parses=2)
    compared = 0
    for rule in REGISTRY.rules:
        for case in rule.INVALID:
            code = case.code
            for before in (code + "\n\nTAIL = 1\n", "HEAD = 0\n" + code, code.replace("\n", "\n\n", 1)):
                incremental.lint(before, "app/tools.py")
                assert _findings(incremental, code) == _findings(full, code)
                compared += 1
    assert compared


def test_a_reused_node_has_its_position_in_the_new_module():
    """Metadata is worked out afresh for each module: a node kept from the last one is placed
    where it now is."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    before = "import os\n\n\ndef first():\n    return 1\n\n\ndef last():\n    return os.sep\n"
    after = before.replace("    return 1\n", "    one = 1\n    return one\n")
    old, new = _edited(before, after)
    assert new.body[-1] is old.body[-1]
    for module, line in ((old, 8), (new, 9), (old, 8)):
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        assert positions[module.body[-1]].start.line == line


# The stdlib tree of an edit, spliced from the last tree: what a full parse gives, or nothing.

# Lines that join, end or open what is around them: a continuation, a clause of the statement
# before, an unclosed bracket or string, an indented line after a block.
HOSTILE_LINES = [
    "else:",
    "elif y:",
    "except E:",
    "finally:",
    "case 1:",
    "\\",
    "x = 1 \\",
    '"""',
    "'''",
    "(",
    ")",
    "x = [",
    "    x = 1",
    "  pass",
    "@dec",
    "def f():",
    "if x:",
    "# c",
    "    # c",
    "",
    "x = 1; y = 2",
]


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


def _full_tree(text: str) -> ast.Module | None:
    try:
        return stdlib_tree(text)
    except (SyntaxError, ValueError):
        return None


def _spliced_as_parsed(before: str, after: str, last: ast.Module | None = None) -> ast.Module | None:
    """The tree spliced for ``after`` from ``before``'s (``last``), checked against a full
    parse of ``after``."""
    tree = spliced_tree(before, last or stdlib_tree(before), after)
    if tree is not None:
        expected = _full_tree(after)
        assert expected is not None, "spliced a text that does not parse"
        assert _dump(tree) == _dump(expected)
    return tree


def _hostile_edit(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    index = rng.randrange(len(lines))
    kind = rng.randrange(4)
    if kind == 0:
        lines.insert(index, rng.choice(HOSTILE_LINES))
    elif kind == 1:
        del lines[index : index + rng.randrange(1, 4)]
    elif kind == 2:
        lines[index] += rng.choice([" \\", "(", ")", ":", "  # x", " + 1", '"""'])
    else:
        lines[index] = rng.choice(HOSTILE_LINES)
    return "\n".join(lines)


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_gives_the_tree_of_a_full_parse(edit):
    _spliced_as_parsed(BEFORE, EDITS[edit](BEFORE))


def test_an_edit_keeps_the_statements_around_it():
    last = stdlib_tree(BEFORE)
    dumped = _dump(last)
    after = EDITS["edit the last statement"](BEFORE)
    tree = _spliced_as_parsed(BEFORE, after, last)
    assert tree is not None
    assert tree.body[:-1] == last.body[:-1] and tree.body[-1] is not last.body[-1]
    # Lines added: the statements after the edit are parsed again, at their new lines.
    after = EDITS["insert a line in a function"](BEFORE)
    tree = _spliced_as_parsed(BEFORE, after, last)
    assert tree is not None and tree.body[:4] == last.body[:4] and tree.body[4] is not last.body[4]
    assert _dump(last) == dumped  # shared, never changed


@pytest.mark.parametrize(
    "after",
    [
        BEFORE.replace("    return total\n", "    return total\n    total += 1\n"),  # at the end of a block
        EDITS["add a decorator"](BEFORE),
        EDITS["insert a line in a function"](BEFORE),
        EDITS["delete a line in a function"](BEFORE),
    ],
)
def test_an_edit_next_to_a_statement_keeps_the_others(after):
    assert after != BEFORE
    last = stdlib_tree(BEFORE)
    tree = _spliced_as_parsed(BEFORE, after, last)
    assert tree is not None and tree.body[0] is last.body[0]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # A backslash at the end of a statement joins the next line to it.
        ("x = 1 \\\n\ny = 2\n", "x = 1 \\\n+ 2\ny = 2\n"),
        ("x = 1\ny = 2\nz = 3\n", "x = 1\ny = 2 \\\nz = 3\n"),
        # A clause joins the statement before it; an indented line, the block before it.
        ("if a:\n    pass\nx = 1\n", "if a:\n    pass\nelse:\n    pass\n"),
        ("def f():\n    pass\nx = 1\ny = 2\n", "def f():\n    pass\n    x = 1\ny = 2\n"),
        ("x = 1\ny = 2\nz = 3\n", "x = 1\ny = (\nz = 3\n"),
        ("x = 1\ny = 2\nz = 3\n", 'x = 1\ny = """\nz = 3\n"""\n'),
        # A decorator belongs to the statement after it.
        ("x = 1\ny = 2\ndef f(): pass\n", "x = 1\n@dec\ndef f(): pass\n"),
    ],
)
def test_what_joins_the_statements_around_an_edit(before, after):
    _spliced_as_parsed(before, after)


def test_a_syntax_error_then_fixed_in_the_tree():
    before = BEFORE + "\nONLY_IN_THIS_TEST = 1\n"  # parsed here first: no other test's tree is kept for it
    reparser = Reparser(2)
    first = reparser.verdict("m.py", before)
    broken = before.replace("def last():", "def last(:")
    assert reparser.verdict("m.py", broken).tree is None
    fixed = before.replace("os.getcwd()", "os.getcwd(0)")
    verdict = reparser.verdict("m.py", fixed)
    assert verdict.tree is not None and _dump(verdict.tree) == _dump(stdlib_tree(fixed))
    assert first.tree is not None and verdict.tree.body[-1] is first.tree.body[-1]
    assert stdlib_verdict(fixed) is verdict  # kept for whoever parses the same text next


@pytest.mark.parametrize("path", SOURCES[:12], ids=lambda p: p.name)
def test_random_edits_of_real_files_give_the_tree_of_a_full_parse(path):
    rng = random.Random(path.name)
    text = path.read_text(encoding="utf-8")
    spliced = 0
    for _ in range(20):
        edited = (_random_edit if rng.random() < 0.5 else _hostile_edit)(text, rng)
        spliced += _spliced_as_parsed(text, edited) is not None
        if _full_tree(edited) is not None:
            text = edited
    assert spliced, "no edit was spliced"


@pytest.mark.parametrize("path", SOURCES[12:18], ids=lambda p: p.name)
def test_what_is_known_of_the_statements_is_what_a_fresh_look_finds(path):
    """The nodes by type and the nesting cost through the statements' memo, after edits that
    share statements with the last tree: the same lists, in the same order, and the same cost."""
    rng = random.Random(path.name)
    reparser = Reparser(1)
    text = path.read_text(encoding="utf-8")
    for _ in range(10):
        tree = reparser.verdict("m.py", text).tree
        assert tree is not None
        memo = reparser.statements("m.py")
        assert nesting_cost(tree, memo) == nesting_cost(tree)
        remembered, fresh = nodes_by_type(tree, memo), nodes_by_type(tree)
        assert remembered.keys() == fresh.keys()
        assert all(list(map(id, remembered[kind])) == list(map(id, fresh[kind])) for kind in fresh)
        edited = _random_edit(text, rng)
        text = edited if _full_tree(edited) is not None else text
