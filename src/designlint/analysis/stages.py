"""Execution order: the stages a tool dispatcher's calls belong to, and the paths through a
function that reach them.

The catalogue names the common spellings of each stage of the design's order (authorize,
validate, rate limit, approval, execute), the context managers and calls that put a call
under a timeout, and the database APIs whose ``execute`` runs SQL, not a tool. ``stage_paths``
walks a function's body in source order, path by path, and tells for every call that reaches
a stage which stages each path had reached before it and whether the call runs under a
timeout. It knows nothing of configuration: the caller says which stages a call reaches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import cast

import libcst as cst

from designlint.analysis.names import dotted_name
from designlint.analysis.stage_names import StageNames
from designlint.analysis.syntax import child_nodes


def stage_named(
    stage_names: Mapping[str, StageNames], func: cst.BaseExpression, qualify: Callable[[cst.CSTNode], str | None]
) -> str | None:
    """The first stage whose names match the callee ``func``: its dotted name read once and its
    qualified name asked at most once for all stages (every call of a dispatcher asks this)."""
    dotted = dotted_name(func)
    if dotted is None:
        return None
    known: list[str] = []

    def qualified() -> str:
        if not known:
            known.append(qualify(func) or "")
        return known[0]

    return next((stage for stage, names in stage_names.items() if names.matches_name(dotted, qualified)), None)


def calls_stage(names: StageNames, func: cst.BaseExpression, qualify: Callable[[cst.CSTNode], str | None]) -> bool:
    """Whether the callee ``func`` is one of the stage's calls (``names``)."""
    dotted = dotted_name(func)
    return dotted is not None and names.matches_name(dotted, lambda: qualify(func) or "")


# Calls and context managers that bound how long what runs under them may take.
TIMEOUT_CALLS = frozenset(
    {
        "asyncio.timeout",
        "asyncio.timeout_at",
        "asyncio.wait_for",
        "anyio.fail_after",
        "anyio.move_on_after",
        "trio.fail_after",
        "trio.move_on_after",
        "async_timeout.timeout",
    }
)

# ``execute`` on these runs SQL: SQLAlchemy sessions, connections and engines, DB-API cursors.
DATABASE_PACKAGES = frozenset(
    {
        "sqlalchemy",
        "sqlmodel",
        "sqlite3",
        "psycopg",
        "psycopg2",
        "asyncpg",
        "aiosqlite",
        "pymysql",
        "MySQLdb",
        "databases",
    }
)
DATABASE_RECEIVERS = (
    "cursor",
    "*_cursor",
    "cur",
    "session",
    "*_session",
    "db",
    "*_db",
    "conn",
    "*_conn",
    "connection",
    "*_connection",
    "engine",
    "tx",
    "transaction",
)
DATABASE_TYPES = ("Session", "AsyncSession", "Connection", "AsyncConnection", "Cursor", "Engine", "AsyncEngine")


def runs_sql(call: cst.Call, qualify: Callable[[cst.CSTNode], str | None], annotations: dict[str, str]) -> bool:
    """Whether ``call`` is a database API's (``session.execute(stmt)``, ``cursor.execute(sql)``):
    by the qualified name of the callee, the receiver's name, or the annotation of the
    parameter it is (``annotations``: parameter -> the annotation's last name)."""
    if not isinstance(call.func, cst.Attribute):
        return False
    qualname = qualify(call.func) or ""
    if qualname.split(".")[0] in DATABASE_PACKAGES:
        return True
    receiver = dotted_name(call.func.value) or ""
    last = receiver.rpartition(".")[2]
    if any(fnmatchcase(last, pattern) for pattern in DATABASE_RECEIVERS):
        return True
    return annotations.get(receiver, "") in DATABASE_TYPES


@dataclass(frozen=True)
class Stages:
    """What one call reaches: stages in the order it reaches them (a helper may reach several),
    and whether the execute stage among them needs no timeout from the caller (it has the
    callee's own, or the callee is judged as a dispatcher itself)."""

    names: tuple[str, ...]
    settled: bool = False


@dataclass(frozen=True)
class Step:
    stage: str
    node: cst.CSTNode  # the call, decorator or dependency that reaches it


@dataclass(frozen=True)
class Path:
    """How far one path through the function has got: the stages reached, each at its first
    step, in order, and the last branch it took (an ``if``, ``match`` case, ``except`` or loop)."""

    reached: tuple[Step, ...] = ()
    branch: cst.CSTNode | None = None

    @property
    def stages(self) -> frozenset[str]:
        return frozenset(step.stage for step in self.reached)

    def then(self, step: Step) -> Path:
        return self if step.stage in self.stages else replace(self, reached=(*self.reached, step))


@dataclass(frozen=True)
class Reach:
    """A step, the paths that arrive at it, and whether it runs under a timeout."""

    step: Step
    paths: tuple[Path, ...]
    timed: bool


class TooManyPaths(Exception):
    """The function branches too much to follow path by path; its order is not judged."""


_MAX_PATHS = 64
_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_NESTED_SCOPE_TYPES = frozenset(_NESTED_SCOPES)  # concrete classes: their type says it
# The statements ``_Walker.statement`` follows otherwise than by their expressions.
_BRANCHING_TYPES = frozenset(
    {
        cst.SimpleStatementLine,
        cst.Return,
        cst.Raise,
        cst.If,
        cst.For,
        cst.While,
        cst.With,
        cst.Try,
        cst.TryStar,
        cst.Match,
        *_NESTED_SCOPES,
    }
)


def stage_paths(
    function: cst.FunctionDef,
    entry: Sequence[tuple[cst.CSTNode, Stages]],
    stages_of: Callable[[cst.Call], Stages | None],
    is_timeout: Callable[[cst.Call], bool],
) -> list[Reach]:
    """Every step of ``function`` with the paths reaching it, in source order: first the
    ``entry`` steps (decorators, dependencies, which run before the body), then the body's
    calls as each path meets them. Raises ``TooManyPaths``."""
    walker = _Walker(stages_of, is_timeout)
    paths = [Path()]
    for node, stages in entry:
        paths = walker.reach(node, stages, paths, timed=False)
    walker.block(function.body, paths)
    return walker.reaches_timed_later()


class _Walker:
    def __init__(self, stages_of: Callable[[cst.Call], Stages | None], is_timeout: Callable[[cst.Call], bool]):
        self.stages_of, self.is_timeout = stages_of, is_timeout
        self.reaches: list[Reach] = []
        self.assigned_to: dict[int, frozenset[str]] = {}  # id(reach) -> names its result was stored in
        self.timed_names: set[str] = set()  # names passed to a timeout (``wait_for(task, 5)``)
        self.timeouts = 0  # how many ``with`` timeouts enclose the statement being walked

    def reaches_timed_later(self) -> list[Reach]:
        """The reaches, each also timed when its result is bound to a name a timeout is given later."""
        return [
            replace(reach, timed=True)
            if not reach.timed and self.assigned_to.get(id(reach), set()) & self.timed_names
            else reach
            for reach in self.reaches
        ]

    # -- paths -------------------------------------------------------------------------

    def reach(self, node: cst.CSTNode, stages: Stages, paths: list[Path], timed: bool) -> list[Path]:
        for stage in stages.names:
            step = Step(stage, node)
            self.reaches.append(Reach(step, tuple(paths), timed or stages.settled))
            paths = _distinct(path.then(step) for path in paths)
        return paths

    def block(self, block: cst.BaseSuite, paths: list[Path]) -> list[Path]:
        return self.statements(block.body, paths)

    def statements(self, statements: Sequence[cst.CSTNode], paths: list[Path]) -> list[Path]:
        for statement in statements:
            if not paths:
                break
            paths = self.statement(statement, paths)
        return paths

    def statement(self, node: cst.CSTNode, paths: list[Path]) -> list[Path]:
        if type(node) not in _BRANCHING_TYPES:  # most statements: an expression, an assignment
            return self.expressions(node, paths)
        if isinstance(node, cst.SimpleStatementLine):
            return self.statements(node.body, paths)
        if isinstance(node, (cst.Return, cst.Raise)):
            self.expressions(node, paths)
            return []
        if isinstance(node, cst.If):
            paths = self.expressions(node.test, paths)
            taken = self.block(node.body, _branched(paths, node))
            orelse = node.orelse
            if orelse is None:
                return _distinct([*taken, *_branched(paths, node)])
            other = self.statement(orelse, paths) if isinstance(orelse, cst.If) else self.block(orelse.body, paths)
            return _distinct([*taken, *_branched(other, node)])
        if isinstance(node, (cst.For, cst.While)):
            paths = self.expressions(node.iter if isinstance(node, cst.For) else node.test, paths)
            looped = self.block(node.body, _branched(paths, node))
            after = _distinct([*paths, *looped])
            return self.block(node.orelse.body, after) if node.orelse is not None else after
        if isinstance(node, cst.With):
            for item in node.items:
                paths = self.expressions(item.item, paths)
            timeouts = sum(1 for item in node.items if isinstance(item.item, cst.Call) and self.is_timeout(item.item))
            self.timeouts += timeouts
            try:
                return self.block(node.body, paths)
            finally:
                self.timeouts -= timeouts
        if isinstance(node, (cst.Try, cst.TryStar)):
            return self.try_statement(node, paths)
        if isinstance(node, cst.Match):
            paths = self.expressions(node.subject, paths)
            matched: list[Path] = []
            exhaustive = False
            for case in node.cases:
                matched.extend(self.block(case.body, _branched(paths, case)))
                exhaustive = exhaustive or (isinstance(case.pattern, cst.MatchAs) and case.pattern.pattern is None)
            return _distinct(matched if exhaustive else [*matched, *_branched(paths, node)])
        if isinstance(node, _NESTED_SCOPES):
            return paths  # defined, not run
        return self.expressions(node, paths)

    def try_statement(self, node: cst.Try | cst.TryStar, paths: list[Path]) -> list[Path]:
        # A handler may start wherever the body raises: before any of its statements.
        raised_from: list[Path] = list(paths)
        body = paths
        for statement in node.body.body:
            if not body:
                break
            body = self.statement(statement, body)
            raised_from.extend(body)
        after = self.block(node.orelse.body, body) if node.orelse is not None else body
        for handler in node.handlers:
            after = [*after, *self.block(handler.body, _branched(_distinct(raised_from), handler))]
        after = _distinct(after)
        return self.block(node.finalbody.body, after) if node.finalbody is not None else after

    # -- expressions -------------------------------------------------------------------

    def expressions(self, root: cst.CSTNode, paths: list[Path]) -> list[Path]:
        assigned = _assigned_names(root)
        for call, timed in self.calls(root, self.timeouts > 0):
            if self.is_timeout(call) or _passes_timeout(call):
                self.timed_names.update(_mentioned_names(call))
            stages = self.stages_of(call)
            if stages is not None:
                first = len(self.reaches)
                paths = self.reach(call, stages, paths, timed or _passes_timeout(call))
                for reach in self.reaches[first:]:
                    self.assigned_to[id(reach)] = assigned
        return paths

    def calls(self, root: cst.CSTNode, timed: bool) -> list[tuple[cst.Call, bool]]:
        """The calls under ``root`` in the order they run (arguments before the call), each with
        whether a timeout encloses it; not those in nested functions, classes or lambdas. An
        explicit stack: a recursive generator passed each call up through every level above it."""
        found: list[tuple[cst.Call, bool]] = []
        # (node, whether a timeout encloses it, whether its children are done: a call, to be listed)
        stack: list[tuple[cst.CSTNode, bool, bool]] = [(root, timed, False)]
        while stack:
            node, enclosed, done = stack.pop()
            if done:
                found.append((cast(cst.Call, node), enclosed))
                continue
            kind = type(node)  # not isinstance: LibCST's classes are ABCs, slow to check on every node
            if kind in _NESTED_SCOPE_TYPES:
                continue
            inner = enclosed
            if kind is cst.Call:
                call = cast(cst.Call, node)
                stack.append((call, enclosed, True))
                inner = enclosed or self.is_timeout(call) or _passes_timeout(call)
            stack.extend([(child, inner, False) for child in reversed(child_nodes(node))])
        return found


def _passes_timeout(call: cst.Call) -> bool:
    return any(arg.keyword is not None and arg.keyword.value == "timeout" for arg in call.args)


def _assigned_names(statement: cst.CSTNode) -> frozenset[str]:
    if isinstance(statement, (cst.Assign, cst.AnnAssign)):
        targets = [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else [statement.target]
        return frozenset(t.value for t in targets if isinstance(t, cst.Name))
    return frozenset()


def _mentioned_names(call: cst.Call) -> set[str]:
    names = set()
    stack: list[cst.CSTNode] = [arg.value for arg in call.args]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            names.add(node.value)
        stack.extend(child_nodes(node))
    return names


def _branched(paths: list[Path], branch: cst.CSTNode) -> list[Path]:
    return [replace(path, branch=branch) for path in paths]


def _distinct(paths: Iterator[Path] | list[Path]) -> list[Path]:
    found = list(dict.fromkeys(paths))
    if len(found) > _MAX_PATHS:
        raise TooManyPaths
    return found
