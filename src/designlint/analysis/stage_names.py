"""The names of the calls that reach each stage of a tool dispatcher's execution order
(``designlint.analysis.stages``): the common spellings of authorize, validate, rate limit,
approval and execute, as globs of names and of methods of receivers. Nothing here imports
LibCST: the order rules' gate (``designlint.gates.order``) builds its prefilter from them
before the family is imported."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase, translate
from functools import cached_property


@dataclass(frozen=True)
class MethodOf:
    """A method called on a receiver whose last name matches ``receiver`` (``self.limiter.hit``)."""

    receiver: str
    methods: tuple[str, ...]


@dataclass(frozen=True)
class StageNames:
    """The calls that reach one stage: bare names (any function of that name), dotted names
    (by qualified name), both with ``*`` globs, and methods of receivers named like one."""

    names: tuple[str, ...]
    methods: tuple[MethodOf, ...] = ()

    @cached_property
    def _bare(self) -> re.Pattern[str]:
        return _globs(entry for entry in self.names if "." not in entry)

    @cached_property
    def _dotted(self) -> re.Pattern[str]:
        return _globs(entry for entry in self.names if "." in entry)

    def matches_name(self, dotted: str, qualified: Callable[[], str]) -> bool:
        """Whether a callee is one of these calls, by its dotted name, asking its qualified name
        (``qualified``) only when that decides."""
        receiver, _, short = dotted.rpartition(".")
        if self._bare.match(short):
            return True
        receiver_name = receiver.rpartition(".")[2]
        if receiver_name and any(
            short in method.methods and fnmatchcase(receiver_name, method.receiver) for method in self.methods
        ):
            return True
        if not receiver or ("." in dotted and self._dotted.pattern != _NOTHING):
            qualname = qualified()  # ``authorize`` imported as ``az``; dotted entries
            return bool(self._dotted.match(qualname) or self._bare.match(qualname.rpartition(".")[2]))
        return False


_NOTHING = r"(?!)"


def _globs(entries: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of the ``*`` globs, whole."""
    patterns = [translate(entry) for entry in entries]
    return re.compile("|".join(patterns) if patterns else _NOTHING)


# Calls that run a tool, by their names alone (a bare ``execute`` may run SQL or anything else).
TOOL_CALLS = StageNames(
    ("execute_tool", "run_tool", "call_tool", "invoke_tool"),
    (MethodOf("*tool", ("run", "arun", "ainvoke")),),
)

BUILTIN_STAGE_NAMES: dict[str, StageNames] = {
    "authorize": StageNames(
        (
            "authorize",
            "authorize_*",
            "check_access",
            "check_permission",
            "check_permissions",
            "require_permission",
            "require_permissions",
            "requires_permission",
            "requires_permissions",
            "permission_required",
            "enforce",
        )
    ),
    "validate": StageNames(
        (
            "validate",
            "validate_args",
            "validate_arguments",
            "validate_input",
            "model_validate",
            "model_validate_json",
            "validate_python",  # pydantic's TypeAdapter
            "validate_json",
            "jsonschema.validate",
        )
    ),
    "rate_limit": StageNames(
        ("rate_limit", "check_rate_limit", "enforce_rate_limit", "throttle"),
        (MethodOf("*limiter", ("hit", "acquire", "consume")),),
    ),
    "approve": StageNames(("require_approval", "await_approval", "request_approval")),
    "execute": StageNames(("execute", *TOOL_CALLS.names), TOOL_CALLS.methods),
}
