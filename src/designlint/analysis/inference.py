"""astroid inference on one file's text, made safe and paid for only when asked.

designlint never imports or runs the code it lints, and astroid would: it imports C
extensions (stdlib ones by default) to describe them, and its module lookups search
``sys.path`` and the linted file's directory. So the manager is configured, once per
process, to look no module up at all: every import in the linted file infers as unknown,
and only what the file itself defines (functions, classes, methods, inheritance, aliases)
is inferred. astroid itself is imported on the first question, so files that ask none pay
nothing.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from astroid import nodes

_names = itertools.count()
_configured = False


class _NoModuleLookups(set):
    """astroid's ``module_denylist``, holding every module but those already built in memory
    (``builtins``): ``ast_from_module_name`` refuses a denied name before it searches the file
    system, loads an extension or calls a failed-import hook."""

    def __init__(self, cache: dict):
        super().__init__()
        self._cache = cache

    def __contains__(self, name: object) -> bool:
        return name not in self._cache


def _manager():
    global _configured
    import astroid
    from astroid.manager import AstroidManager

    manager = astroid.MANAGER
    if not _configured:
        manager.always_load_extensions = False
        manager.extension_package_whitelist.clear()
        manager.max_inferable_values = 20
        denylist = _NoModuleLookups(manager.astroid_cache)
        # The brain is shared by every manager instance; instances made later read it.
        AstroidManager.brain["module_denylist"] = denylist
        manager.module_denylist = denylist
        _configured = True
    return manager


class FileInference:
    """astroid's view of one source text, built on the first question."""

    def __init__(self, text: str):
        self.text = text
        self._module: nodes.Module | None = None
        self._failed = False

    @property
    def module(self) -> nodes.Module | None:
        if self._module is None and not self._failed:
            try:
                from astroid.builder import AstroidBuilder

                manager = _manager()
                # A name of our own: the module must not shadow (or be found as) a real one.
                name = f"designlint_inferred_{next(_names)}"
                self._module = AstroidBuilder(manager).string_build(self.text, name)
                manager.astroid_cache.pop(name, None)
            except Exception:  # astroid is a bonus: a file it cannot build just gets no answers
                self._failed = True
        return self._module

    def function(self, label: str) -> nodes.FunctionDef | None:
        """The module-level function ``name`` or the method ``Class.name``."""
        from astroid import nodes

        scope = self.module
        for part in label.split("."):
            found = [n for n in scope.body if getattr(n, "name", None) == part] if scope is not None else []
            scope = found[-1] if found else None  # the last definition is the one in force
        return scope if isinstance(scope, nodes.FunctionDef) else None

    def callee_label(self, function_label: str, callee_source: str) -> str | None:
        """Inside ``function_label``, the function of this module that a call spelt ``callee_source(...)``
        goes to, as ``name`` or ``Class.name`` (through ``self``, base classes and aliases); None when
        astroid cannot tell or the callee lies outside the file."""
        function = self.function(function_label)
        if function is None:
            return None
        from astroid import bases, nodes

        try:
            for call in function.nodes_of_class(nodes.Call):
                if call.func.as_string() != callee_source:
                    continue
                for inferred in call.func.infer():
                    target = inferred
                    while isinstance(target, bases.UnboundMethod):  # a bound method proxies an unbound one
                        target = target._proxied
                    if isinstance(target, nodes.FunctionDef) and target.root() is self.module:
                        owner = target.parent
                        return f"{owner.name}.{target.name}" if isinstance(owner, nodes.ClassDef) else target.name
                return None
        except Exception:  # inference failures of every kind mean "cannot tell"
            return None
        return None

    def close(self) -> None:
        """Drop the inference caches that refer to this file's nodes."""
        if self._module is not None:
            from astroid.context import _invalidate_cache

            _invalidate_cache()
            self._module = None
