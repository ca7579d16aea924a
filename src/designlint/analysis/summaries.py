"""Function summaries: what the functions of a module return and where their parameters go.

The module's own functions are the ones a rule can follow a call into: ``ModuleFunctions``
indexes them (module-level functions and the methods of module-level classes, also those
defined under an ``if``, ``try`` or ``with``), names them as astroid does (``name``,
``Class.name``), tells which are public, and which one a call runs (``helper(...)``,
``self.method(...)``). On it:

- ``bound_arguments``: which argument of a call each parameter receives;
- ``local_values``: its locals (what it returns is ``names.returned_values``);
- ``keywords_passed``: the keywords under which a function hands a parameter on to a call;
- ``Summaries``: one fact per function, computed on first request and cached, with a
  recursion guard (a function asked about while its own summary is being made gets None).

Taint summaries (``dataflow``), static return values (``strings``), DL302's and DL401's
questions about helpers are all answered from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Generic, TypeVar

import libcst as cst

from designlint.analysis.names import target_names
from designlint.analysis.syntax import child_nodes, own_nodes

if TYPE_CHECKING:
    from designlint.analysis.names import NameResolver

Summary = TypeVar("Summary")


@dataclass(frozen=True)
class ModuleFunction:
    """A function a summary can be made of: its label (``name`` or ``Class.name``), its class,
    and whether callers outside the module may call it (it and its class are not ``_private``;
    dunder methods are public)."""

    node: cst.FunctionDef
    label: str
    owner: cst.ClassDef | None
    public: bool


class ModuleFunctions:
    """The module-level functions and methods of module-level classes of one module, indexed
    on the first question."""

    def __init__(self, module: cst.Module):
        self.module = module

    @cached_property
    def _known(self) -> dict[cst.FunctionDef, ModuleFunction]:
        known: dict[cst.FunctionDef, ModuleFunction] = {}
        for definition in _definitions(self.module):
            if isinstance(definition, cst.FunctionDef):
                name = definition.name.value
                known[definition] = ModuleFunction(definition, name, None, not _private(name))
                continue
            class_name = definition.name.value
            for method in _definitions(definition.body):
                if isinstance(method, cst.FunctionDef):
                    name = method.name.value
                    public = not class_name.startswith("_") and not _private(name)
                    known[method] = ModuleFunction(method, f"{class_name}.{name}", definition, public)
        return known

    @cached_property
    def _by_name(self) -> dict[tuple[cst.ClassDef | None, str], cst.FunctionDef]:
        """Functions by name, methods by class and name: the last definition is the one in force."""
        return {(function.owner, function.node.name.value): node for node, function in self._known.items()}

    def all(self) -> list[ModuleFunction]:
        """Every summary-worthy function of the module, in source order."""
        return list(self._known.values())

    def get(self, function: cst.FunctionDef | None) -> ModuleFunction | None:
        """The summary-worthy function ``function`` is; None for a nested function or a method
        of a nested class."""
        return self._known.get(function) if function is not None else None

    def called(self, call: cst.Call, scope: cst.FunctionDef | None, names: NameResolver) -> cst.FunctionDef | None:
        """The function of this module ``call`` runs: ``helper(...)`` (unless the name is bound to
        something else where the call is), or ``self.method(...)``/``cls.method(...)`` in a method."""
        func = call.func
        if isinstance(func, cst.Name):
            binding = names.lookup(func.value)
            target = self._by_name.get((None, func.value))
            return target if target is not None and (binding is None or binding.node is target) else None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            method = self.get(scope)
            owner = method.owner if method is not None else None
            return self._by_name.get((owner, func.attr.value)) if owner is not None else None
        return None


class Summaries(Generic[Summary]):
    """One fact per function, made by ``summarise`` on the first request and kept."""

    def __init__(self, summarise: Callable[[cst.FunctionDef], Summary]):
        self._summarise = summarise
        self._made: dict[cst.FunctionDef, Summary] = {}
        self._in_progress: set[cst.FunctionDef | None] = set()

    def of(self, function: cst.FunctionDef) -> Summary | None:
        """``function``'s summary; None while it is being made (recursion: what is known so far is nothing)."""
        found = self._made.get(function)
        if found is None:
            if function in self._in_progress:
                return None
            with self.analysing(function):
                found = self._made[function] = self._summarise(function)
        return found

    @contextmanager
    def analysing(self, function: cst.FunctionDef | None) -> Iterator[None]:
        """Marks ``function`` as under analysis (for its summary or any other reason): a request
        for its summary meanwhile gets None."""
        if function in self._in_progress:
            yield  # already marked further up
            return
        self._in_progress.add(function)
        try:
            yield
        finally:
            self._in_progress.discard(function)


def bound_arguments(function: cst.FunctionDef, call: cst.Call) -> dict[str, cst.Arg]:
    """The argument of ``call`` each parameter of ``function`` receives: keyword arguments by
    name, positional ones in order (after the receiver of a method called as ``x.method(...)``)
    up to the first ``*args``, beyond which positions are not known."""
    params = [p.name.value for p in (*function.params.posonly_params, *function.params.params)]
    if isinstance(call.func, cst.Attribute):
        params = params[1:]  # self
    return bind_parameters(params, call)


def bind_parameters(params: Sequence[str], call: cst.Call) -> dict[str, cst.Arg]:
    """The argument of ``call`` each of the positional parameters ``params`` (in order) receives,
    as in ``bound_arguments``."""
    bound: dict[str, cst.Arg] = {}
    positional = iter(params)
    for arg in call.args:
        if arg.keyword is not None:
            bound[arg.keyword.value] = arg
        elif arg.star:
            positional = iter(())
        else:
            name = next(positional, None)
            if name is not None:
                bound[name] = arg
    return bound


def local_values(function: cst.FunctionDef) -> dict[str, cst.BaseExpression | None]:
    """A function's parameters and locals: the value of a local assigned once, else None."""
    params = function.params
    names: dict[str, cst.BaseExpression | None] = {
        p.name.value: None for p in (*params.posonly_params, *params.params, *params.kwonly_params)
    }
    names.update((p.name.value, None) for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param))
    for node in own_nodes(function.body):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            names[name] = node.value if name not in names else None
        else:
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else []
            if isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For)):
                targets.append(node.target)
            for target in targets:
                for name in target_names(target):
                    names[name] = None
    return names


def keywords_passed(function: cst.FunctionDef, param: str) -> frozenset[str]:
    """The keywords under which ``function`` (nested functions included) passes ``param`` on
    to a call unchanged: ``messages`` for ``client.create(messages=messages)``."""
    stack: list[cst.CSTNode] = [function]
    keywords = set()
    while stack:
        node = stack.pop()
        if (
            isinstance(node, cst.Arg)
            and node.keyword is not None
            and isinstance(node.value, cst.Name)
            and node.value.value == param
        ):
            keywords.add(node.keyword.value)
        stack.extend(child_nodes(node))
    return frozenset(keywords)


def _definitions(node: cst.CSTNode) -> Iterator[cst.FunctionDef | cst.ClassDef]:
    """The defs and classes of a block, also those inside its compound statements (``if``,
    ``try``, ``with``, loops, ``match``), not those inside other defs or classes."""
    for child in child_nodes(node):
        if isinstance(child, (cst.FunctionDef, cst.ClassDef)):
            yield child
        elif not isinstance(child, (cst.BaseExpression, cst.SimpleStatementLine, cst.BaseSmallStatement)):
            yield from _definitions(child)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
