"""DL5xx: the error-code contract (design category: error-code contract)."""

from __future__ import annotations

import libcst as cst

from designlint.analysis.enums import ENUM_CLASSES, EnumInfo, member_fix
from designlint.analysis.error_codes import BUILTIN_EXCEPTIONS, CODE_KEYWORDS, EXCEPTION_NAME, looks_like_code
from designlint.analysis.names import dotted_name, last_name
from designlint.analysis.strings import literal_string
from designlint.gates.errors import RawStringErrorCodeGate
from designlint.project import LookupFailed
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid
from designlint.tables.errors import ErrorsOptions

ERROR_DICT_KEYS = frozenset(
    {"message", "error", "detail", "details", "reason", "retryable", "status", "description", "hint"}
)

# The cases' error-code contract: a str-valued enum, and the config that names it.
_ERROR_ENUM = {
    "app/errors.py": """
        from enum import Enum


        class ErrorCode(str, Enum):
            RATE_LIMITED = "RATE_LIMITED"
            UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
        """
}
_PLAIN_ENUM = {
    "app/errors.py": """
        import enum


        class ErrorCode(enum.Enum):
            RATE_LIMITED = "rate_limited"
        """
}
_ERRORS_CONFIG = '[errors]\ncodes = "app.errors.ErrorCode"\n'
_CONTRACT_CONFIG = '[errors]\ncontract = ["RATE_LIMITED", "INVALID_TOKEN"]\n'
# Members whose values are not their names, and aliases: the literal decides whether the fix is safe.
_ALIASED_ENUM = """
from enum import Enum


class ErrorCode(str, Enum):
    RATE_LIMITED = "RATE_LIMITED"
    TOOL_NOT_FOUND = "tool_not_found"
    TIMEOUT = "TIMEOUT"
    UPSTREAM_TIMEOUT = "TIMEOUT"  # an alias by value: the same member as TIMEOUT
    LEGACY_TIMEOUT = TIMEOUT  # an alias by name
"""
_AUTO_ENUM = """
from enum import StrEnum, auto


class ErrorCode(StrEnum):
    NOT_FOUND = auto()  # "not_found"
"""
_INT_ENUM = """
from enum import IntEnum


class ErrorCode(IntEnum):
    RATE_LIMITED = 429
"""
_UNMIXED_ENUM = """
from enum import Enum


class ErrorCode(Enum):  # no str mixin: ErrorCode.RATE_LIMITED != "RATE_LIMITED"
    RATE_LIMITED = "RATE_LIMITED"
"""


def _compared_code(enum_module: str, literal: str, member: str, *, unsafe: bool) -> Invalid:
    """``err.code == "<literal>"`` where the enum is imported: the finding names ``member`` and
    its fix is safe only when the member compares equal to the literal."""
    code = f'from app.errors import ErrorCode\n\n\ndef handle(err):\n    return err.code == "{literal}"\n'
    return Invalid(
        code,
        path="app/handlers.py",
        config=_ERRORS_CONFIG,
        files={"app/errors.py": enum_module},
        line=5,
        column=24,
        message=f'raw error code "{literal}": use ErrorCode.{member}',
        expected_fix=code.replace(f'"{literal}"', f"ErrorCode.{member}"),
        unsafe_fix=unsafe,
    )


class RawStringErrorCode(RawStringErrorCodeGate, Rule):
    """A string literal where a member of the error-code enum belongs: the code of an exception
    (its first argument or ``code=``), the ``"code"`` of an error dict, a comparison with
    ``.code``. With ``errors.codes`` configured, a literal that names a member gets a fix."""

    code = "DL501"
    name = "raw-string-error-code"

    VALID = (
        # Without a contract a code that reads like a setting's name is not taken for an error code.
        Valid('def login(token):\n    raise AuthError("INVALID_TOKEN")\n'),
        Valid(
            """
            from app.errors import ErrorCode


            class ToolError(Exception):
                pass


            def charge(principal, tool):
                if principal.calls_this_minute > tool.limit:
                    raise ToolError(ErrorCode.RATE_LIMITED)
                if tool.name not in principal.allowed_tools:
                    raise ValueError("missing required argument")


            def should_retry(err) -> bool:
                return err.code in (ErrorCode.RATE_LIMITED, ErrorCode.UPSTREAM_TIMEOUT)
            """
        ),
        Valid(
            """
            import os


            class MissingSetting(Exception):
                pass


            def api_key():
                if "OPENAI_API_KEY" not in os.environ:
                    raise MissingSetting("OPENAI_API_KEY")
                raise KeyError("NOT_FOUND")
            """
        ),
        # Zero-config, a code is UPPER_SNAKE wherever it stands: a lower-case code= is a label.
        Valid(
            """
            class UpstreamFailure(Exception):
                def __init__(self, message: str, code: str = "unknown"):
                    super().__init__(message)
                    self.code = code


            def fetch(response):
                if response.status_code == 404:
                    raise UpstreamFailure("page not found", code="not_found")
            """
        ),
        # A field typed Literal[...] is held to its values by the type checker: no raw code.
        Valid(
            """
            from dataclasses import dataclass
            from typing import Literal


            @dataclass
            class ToolFailure(Exception):
                message: str
                code: Literal["NOT_FOUND", "OVER_LIMIT"]


            class QuotaFailure(ToolFailure):
                pass


            def charge(account, cost):
                if account.balance < cost:
                    raise QuotaFailure("quota exceeded", code="OVER_LIMIT")
                raise ToolFailure(message="no such tool", code="NOT_FOUND")
            """
        ),
        Valid(
            """
            def price(order) -> dict:
                return {"code": "USD", "amount": order.total}
            """
        ),
        # A built-in exception's argument is a message or a key, even where it names a code of the contract.
        Valid(
            """
            from app.errors import ErrorCode


            def limits(principal, table):
                if principal.over_limit:
                    raise ValueError("RATE_LIMITED")
                return table[ErrorCode.RATE_LIMITED]
            """,
            path="app/tools.py",
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
        ),
        Valid(
            """
            def to_response(exc, request_id):
                headers = {"code": "X-Request-Id", "value": request_id}
                return {"status": 500, "body": str(exc)}, headers
            """
        ),
        Valid(
            """
            from enum import Enum


            class ErrorCode(str, Enum):
                RATE_LIMITED = "RATE_LIMITED"
                UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
            """,
            path="app/errors.py",
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
        ),
    )
    INVALID = (
        Invalid(
            """
            class ToolError(Exception):
                pass


            def charge(principal, tool):
                if principal.calls_this_minute > tool.limit:
                    raise ToolError("RATE_LIMITED")
            """,
            line=7,
            column=25,
            end_line=7,
            end_column=39,
            message='raw error code "RATE_LIMITED": use a member of the error-code enum',
        ),
        Invalid(
            """
            def to_response(exc):
                return {"error": {"code": "UPSTREAM_TIMEOUT", "message": str(exc)}}
            """,
            line=2,
            column=31,
            message='raw error code "UPSTREAM_TIMEOUT"',
        ),
        Invalid(
            """
            def should_retry(err) -> bool:
                return err.code == "UPSTREAM_TIMEOUT"
            """,
            line=2,
            column=24,
            message='raw error code "UPSTREAM_TIMEOUT"',
        ),
        Invalid(
            """
            from dataclasses import dataclass


            @dataclass
            class ToolFailure(Exception):
                message: str
                code: str


            def charge(account, cost):
                if account.balance < cost:
                    raise ToolFailure("quota exceeded", code="OVER_LIMIT")
            """,
            line=12,
            column=50,
            message='raw error code "OVER_LIMIT"',
        ),
        Invalid(
            """
            def should_back_off(result: dict) -> bool:
                return result["code"] == "OVER_LIMIT"
            """,
            line=2,
            column=30,
            message='raw error code "OVER_LIMIT"',
        ),
        Invalid(
            """
            def retry_after(result: dict) -> int:
                match result["code"]:
                    case "OVER_LIMIT":
                        return 60
                    case _:
                        return 0
            """,
            line=3,
            column=14,
            message='raw error code "OVER_LIMIT"',
        ),
        # A tool's result returned to the model that is only a code (with other keys it may be data:
        # the Valid case beside the currency code).
        Invalid(
            """
            def lookup_order(orders: dict, order_id: str) -> dict:
                if order_id not in orders:
                    return {"code": "NOT_FOUND"}
                return {"order": orders[order_id]}
            """,
            line=3,
            column=25,
            message='raw error code "NOT_FOUND"',
        ),
        Invalid(
            """
            async def handle(payload):
                if payload.get("error_code") in ("RATE_LIMITED",):
                    await backoff()
            """,
            line=2,
            column=38,
            message='raw error code "RATE_LIMITED"',
        ),
        Invalid(
            """
            from app.errors import ErrorCode


            class ToolError(Exception):
                pass


            def charge(principal, tool):
                if principal.calls > tool.limit:
                    raise ToolError("RATE_LIMITED")
                return ErrorCode.UPSTREAM_TIMEOUT
            """,
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
            line=10,
            column=25,
            message='raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED',
            expected_fix="""
            from app.errors import ErrorCode


            class ToolError(Exception):
                pass


            def charge(principal, tool):
                if principal.calls > tool.limit:
                    raise ToolError(ErrorCode.RATE_LIMITED)
                return ErrorCode.UPSTREAM_TIMEOUT
            """,
        ),
        # Columns count characters: the literal follows non-ASCII text.
        Invalid(
            """
            from app import errors as codes


            class ToolError(Exception):
                pass


            def charge():
                raise ToolError(message="quota dépassé", code="RATE_LIMITED")
            """,
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
            line=9,
            column=51,
            end_column=65,
            message="use ErrorCode.RATE_LIMITED",
            expected_fix="""
            from app import errors as codes


            class ToolError(Exception):
                pass


            def charge():
                raise ToolError(message="quota dépassé", code=codes.ErrorCode.RATE_LIMITED)
            """,
        ),
        Invalid(
            """
            \"\"\"Doc.\"\"\"
            import os

            raise ToolError("RATE_LIMITED")
            """,
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
            line=4,
            column=17,
            message="use ErrorCode.RATE_LIMITED",
            expected_fix="""
            \"\"\"Doc.\"\"\"
            from app.errors import ErrorCode
            import os

            raise ToolError(ErrorCode.RATE_LIMITED)
            """,
            unsafe_fix=True,
        ),
        Invalid(
            """
            @dataclass
            class A:
                x = 1

            raise ToolError("RATE_LIMITED")
            """,
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
            line=5,
            column=17,
            message="use ErrorCode.RATE_LIMITED",
            expected_fix="""
            from app.errors import ErrorCode


            @dataclass
            class A:
                x = 1

            raise ToolError(ErrorCode.RATE_LIMITED)
            """,
            unsafe_fix=True,
        ),
        Invalid(
            """
            from __future__ import annotations
            x = 1
            raise ToolError("RATE_LIMITED")
            """,
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
            line=3,
            column=17,
            message="use ErrorCode.RATE_LIMITED",
            expected_fix="""
            from __future__ import annotations
            from app.errors import ErrorCode

            x = 1
            raise ToolError(ErrorCode.RATE_LIMITED)
            """,
            unsafe_fix=True,
        ),
        # The module is imported from already: the name joins that import, no second line.
        Invalid(
            """
            from app.errors import ToolError

            raise ToolError("RATE_LIMITED")
            """,
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
            line=3,
            column=17,
            message="use ErrorCode.RATE_LIMITED",
            expected_fix="""
            from app.errors import ToolError, ErrorCode

            raise ToolError(ErrorCode.RATE_LIMITED)
            """,
            unsafe_fix=True,
        ),
        Invalid(
            """
            from app.errors import (
                RetryableError,
                ToolError,
            )

            raise ToolError("RATE_LIMITED")
            """,
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
            line=6,
            column=17,
            message="use ErrorCode.RATE_LIMITED",
            expected_fix="""
            from app.errors import (
                RetryableError,
                ToolError,
                ErrorCode,
            )

            raise ToolError(ErrorCode.RATE_LIMITED)
            """,
            unsafe_fix=True,
        ),
        # A plain Enum's member does not compare equal to the literal it replaces.
        Invalid(
            """
            from app.errors import ErrorCode


            def is_throttled(err):
                return err.code == "rate_limited"
            """,
            config=_ERRORS_CONFIG,
            files=_PLAIN_ENUM,
            line=5,
            column=24,
            message='raw error code "rate_limited": use ErrorCode.RATE_LIMITED',
            expected_fix="""
            from app.errors import ErrorCode


            def is_throttled(err):
                return err.code == ErrorCode.RATE_LIMITED
            """,
            unsafe_fix=True,
        ),
        # The enum's name is taken by something else here: no fix.
        Invalid(
            """
            ErrorCode = dict


            def fail():
                raise ToolError("RATE_LIMITED")
            """,
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
            line=5,
            column=21,
            message="use ErrorCode.RATE_LIMITED",
        ),
        Invalid(
            """
            from app.errors import ErrorCode


            def fail():
                raise ToolError(code="RATE_LIMTED")
            """,
            config=_ERRORS_CONFIG,
            files=_ERROR_ENUM,
            line=5,
            column=26,
            message='error code "RATE_LIMTED" is not a member of ErrorCode (app.errors.ErrorCode)',
        ),
        _compared_code(_ALIASED_ENUM, "RATE_LIMITED", "RATE_LIMITED", unsafe=False),  # name and value alike
        _compared_code(_ALIASED_ENUM, "tool_not_found", "TOOL_NOT_FOUND", unsafe=False),  # the value
        _compared_code(_ALIASED_ENUM, "TOOL_NOT_FOUND", "TOOL_NOT_FOUND", unsafe=True),  # the name, not the value
        _compared_code(_ALIASED_ENUM, "TIMEOUT", "TIMEOUT", unsafe=False),  # the value both aliases share
        _compared_code(_ALIASED_ENUM, "UPSTREAM_TIMEOUT", "UPSTREAM_TIMEOUT", unsafe=True),  # an alias's name
        _compared_code(_ALIASED_ENUM, "LEGACY_TIMEOUT", "LEGACY_TIMEOUT", unsafe=True),
        _compared_code(_AUTO_ENUM, "NOT_FOUND", "NOT_FOUND", unsafe=True),  # auto() gives "not_found"
        _compared_code(_INT_ENUM, "RATE_LIMITED", "RATE_LIMITED", unsafe=True),
        _compared_code(_UNMIXED_ENUM, "RATE_LIMITED", "RATE_LIMITED", unsafe=True),
        # With the contract's codes and no enum: a misspelt code is named so...
        Invalid(
            """
            def charge(principal, tool):
                raise ToolError("RATE_LIMTED", tool=tool)
            """,
            config=_CONTRACT_CONFIG,
            line=2,
            column=21,
            message='error code "RATE_LIMTED" is not in the error-code contract',
        ),
        # ... and a listed code is one even when it reads like a setting's name.
        Invalid(
            """
            def login(token):
                raise AuthError("INVALID_TOKEN")
            """,
            config=_CONTRACT_CONFIG,
            line=2,
            column=21,
            message='raw error code "INVALID_TOKEN"',
        ),
    )

    def __init__(self, config):
        super().__init__(config)
        self.enum_name = config.options(ErrorsOptions).codes
        self.contract = config.options(ErrorsOptions).contract

    def setup(self) -> None:
        self.enum = self._configured_enum()

    def _configured_enum(self) -> EnumInfo | None:
        project = self.context.project
        if not self.enum_name or project is None:
            return None
        try:
            return project.fact(ENUM_CLASSES, self.enum_name)
        except LookupFailed:
            return None  # the runner rejects such a config before linting; the API degrades

    # -- the three positions where a string is an error code ---------------------------

    def visit_Call(self, node: cst.Call) -> None:
        callee = dotted_name(node.func)
        if callee is None:
            return
        short = callee.rsplit(".", 1)[-1]
        raised = bool(self.context.ancestors) and isinstance(self.context.ancestors[-1], cst.Raise)
        is_exception = (
            EXCEPTION_NAME.fullmatch(short) or (raised and short[:1].isupper())
        ) and short not in BUILTIN_EXCEPTIONS
        for index, arg in enumerate(node.args):
            if arg.keyword is not None:
                if (
                    arg.keyword.value in CODE_KEYWORDS
                    and (is_exception or short[:1].isupper())
                    and not self._typed_as_literal(node.func, arg.keyword.value)
                ):
                    self._check(arg.value)
            elif index == 0 and arg.star == "" and is_exception:
                self._check(arg.value)

    def visit_Dict(self, node: cst.Dict) -> None:
        keys = {literal_string(e.key): e for e in node.elements if isinstance(e, cst.DictElement)}
        describes_error = (
            bool(ERROR_DICT_KEYS & keys.keys())
            or self._is_error_value(node)
            or (len(keys) == 1 and self._is_returned())
        )
        for key in CODE_KEYWORDS & keys.keys():
            if key == "error_code" or describes_error:
                self._check(keys[key].value)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        operands = [node.left, *(target.comparator for target in node.comparisons)]
        if not any(_is_code_access(operand) for operand in operands):
            return
        for operand in operands:
            if isinstance(operand, (cst.Tuple, cst.List, cst.Set)):
                for element in operand.elements:
                    self._check(element.value)
            else:
                self._check(operand)

    def visit_Match(self, node: cst.Match) -> None:
        """``match result["code"]: case "OVER_LIMIT": ...``: each literal a case compares with."""
        if not _is_code_access(node.subject):
            return
        for case in node.cases:
            alternatives = case.pattern.patterns if isinstance(case.pattern, cst.MatchOr) else (case.pattern,)
            for alternative in alternatives:
                pattern = alternative.pattern if isinstance(alternative, cst.MatchOrElement) else alternative
                if isinstance(pattern, cst.MatchValue):
                    self._check(pattern.value)

    # -- helpers -----------------------------------------------------------------------

    def _is_error_value(self, node: cst.Dict) -> bool:
        """``{"error": {"code": ...}}``: the dict is the value of an "error" key."""
        ancestors = self.context.ancestors
        return (
            len(ancestors) >= 1
            and isinstance(ancestors[-1], cst.DictElement)
            and literal_string(ancestors[-1].key) in ("error", "err")
        )

    def _is_returned(self) -> bool:
        """``return {"code": "NOT_FOUND"}``: a tool's result that is only a code tells the model
        what failed (with other keys, ``{"code": "USD", "amount": ...}``, it may be data)."""
        ancestors = self.context.ancestors
        return bool(ancestors) and isinstance(ancestors[-1], cst.Return)

    def _typed_as_literal(self, func: cst.BaseExpression, field: str) -> bool:
        """The class called declares ``field: Literal[...]`` (here or in a base of this module):
        the type checker already holds the value to that list, so it is no raw code."""
        binding = self.context.names.binding_of(func)
        seen: set[int] = set()
        classes = [binding.node] if binding is not None and isinstance(binding.node, cst.ClassDef) else []
        while classes:
            current = classes.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            for statement in current.body.body:
                for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                    if (
                        isinstance(small, cst.AnnAssign)
                        and dotted_name(small.target) == field
                        and isinstance(small.annotation.annotation, cst.Subscript)
                        and last_name(small.annotation.annotation.value) == "Literal"
                    ):
                        return True
            for base in current.bases:
                bound = self.context.names.binding_of(base.value)
                if bound is not None and isinstance(bound.node, cst.ClassDef):
                    classes.append(bound.node)
        return False

    def _inside_enum_definition(self) -> bool:
        return any(
            isinstance(a, cst.ClassDef) and any((dotted_name(b.value) or "").endswith("Enum") for b in a.bases)
            for a in self.context.ancestors
        )

    def _check(self, node: cst.CSTNode) -> None:
        """Report a literal that is a member of the configured enum (any spelling), or looks like a code."""
        value = literal_string(node)
        if not value:
            return
        enum = self.enum
        member = enum.member_for(value) if enum else None
        listed = enum is None and self.contract is not None and value in self.contract
        if member is None and not listed and not looks_like_code(value):
            return
        if self._inside_enum_definition():
            return
        if enum is None and self.contract is not None and not listed:
            self.report(
                node,
                f'error code "{value}" is not in the error-code contract (the design document\'s table, or [tool.designlint.errors] contract): a misspelt code breaks it',
            )
        elif enum is None:
            self.report(
                node,
                f'raw error code "{value}": use a member of the error-code enum (name it in [tool.designlint.errors] codes)',
            )
        elif member is None:
            self.report(
                node,
                f'error code "{value}" is not a member of {enum.class_name} ({enum.qualname}): a misspelt code breaks the error-code contract',
            )
        else:
            self.report(
                node,
                f'raw error code "{value}": use {enum.class_name}.{member}',
                fix=member_fix(node, enum, member, value, self.context.names, self.context.module_name),
            )


def _is_code_access(node: cst.CSTNode) -> bool:
    """``err.code``, ``exc.error_code``, ``payload["code"]``, ``payload.get("error_code")``."""
    if isinstance(node, cst.Attribute):
        return node.attr.value in CODE_KEYWORDS
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return literal_string(node.slice[0].slice.value) in CODE_KEYWORDS
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and node.args
    ):
        return literal_string(node.args[0].value) in CODE_KEYWORDS
    return False


# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL501: the spellings of a code its prefilter must see.
GATE_CASES = (
    Gate(
        "class ToolError(Exception):\n    pass\n\n\ndef f(err):\n    if err.code == 'RATE_LIMITED':\n        raise ToolError('E42')\n    raise ToolError(code='upstream-timeout')\n",
        path="src/app/errors.py",
    ),
    Gate(
        'def deny(errors):\n    raise errors.Denied(  # why\n        # the code\n        ("NO_ACCESS"),\n    )\n',
        path="src/app/errors_commented.py",
    ),
    Gate(
        'class QuotaFailure(Exception):\n    pass\n\n\nx = QuotaFailure("""QUOTA_EXCEEDED""")\n',
        path="src/app/errors_quotes.py",
    ),
    Gate(
        'def shape(payload, err):\n    if payload.get("error_code") == "RATE_LIMITED":\n        return {"error": "x", "code": "UPSTREAM_DOWN"}\n    return err.error_code in (\'TIMED_OUT\', \'BAD_INPUT\')\n',
        path="src/app/errors_keys.py",
    ),
    Gate(
        'class AppError(Exception):\n    pass\n\n\nraise AppError ("RATE_LIMITED")\n', path="src/app/errors_spacing.py"
    ),
    Gate(
        "def deny(Denied, err):\n    if err.\\\n            code == 'NO_ACCESS':\n        raise (Denied(\"NO_ACCESS\"))\n",
        path="src/app/errors_wrapped.py",
    ),
    Gate(
        'class AppError(Exception):\n    pass\n\n\nx = AppError("RATE\\x5fLIMITED")\n', path="src/app/errors_escape.py"
    ),
    Gate('def deny(Denied):\n    raise \\\n        Denied("NO_ACCESS")\n', path="src/app/errors_joined_raise.py"),
    Gate(
        'class AppError(Exception):\n    pass\n\n\nx = AppError \\\n    ("RATE_LIMITED")\n',
        path="src/app/errors_joined_call.py",
    ),
    Gate(
        'class AppError(Exception):\n    pass\n\n\nx = AppError("" "RATE_LIMITED")\n', path="src/app/errors_concat.py"
    ),
    # An empty string of any prefix before the code; a space after the dot of ``.code``.
    Gate(
        'from app.errors import ToolError\n\n\ndef run(tool):\n    raise ToolError(r"" "RATE_LIMITED")\n',
        path="src/app/errors_prefixed_concat.py",
    ),
    Gate(
        'def handle(err):\n    if err. code == "RATE_LIMITED":\n        return 1\n', path="src/app/errors_spaced_dot.py"
    ),
    # A key spelt apart in its string's text: adjoining strings (a comment between), an escape.
    Gate(
        'def shape(err):\n    return {"error": "x", ("co"  # the key\n        "de"): "UPSTREAM_DOWN"}\n',
        path="src/app/errors_key_apart.py",
    ),
    Gate('def handle(p):\n    return p.get("co\\x64e") == "RATE_LIMITED"\n', path="src/app/errors_key_escape.py"),
    # A comment, or a backslash joining lines, between two tokens; a callee in brackets, or
    # spaced at its dot.
    Gate(
        'def handle(err):\n    return (err.  # why\n        code == "RATE_LIMITED")\n',
        path="src/app/errors_commented_dot.py",
    ),
    Gate(
        'class Reply:\n    pass\n\n\nr = Reply(code  # why\n          = "RATE_LIMITED", error_code\\\n= "UPSTREAM_DOWN")\n',
        path="src/app/errors_commented_keyword.py",
    ),
    Gate(
        'def deny(errors, Denied):\n    if errors:\n        raise errors. Denied("NO_ACCESS")\n    raise (Denied)("NO_ACCESS")\n',
        path="src/app/errors_spaced_callee.py",
    ),
    Gate(
        'class AppError(Exception):\n    pass\n\n\nx = (AppError  # why\n     ("RATE_LIMITED"))\n',
        path="src/app/errors_commented_call.py",
    ),
    Gate('class Reply:\n    pass\n\n\nr = Reply(\n    code = "RATE_LIMITED",\n)\n', path="src/app/errors_keyword.py"),
    Gate(
        """
        from app.errors import ToolError as TE


        class Client:
            async def call(self, result):
                match result.get("code"):
                    case "OVER_LIMIT" | "RATE_LIMITED":
                        raise TE("RATE_LIMITED")
        """,
        path="src/app/errors_match.py",
    ),
    # A code of the contract too short to look like one.
    Gate(
        'def check(err):\n    return err.code == "OK"\n',
        path="src/app/errors_contract.py",
        config='[errors]\ncontract = ["OK", "RATE_LIMITED"]\n',
    ),
    # Upper-case literals where no code stands: a level, a currency, a message, a builtin's.
    Gate(
        """
        import logging


        def report(logger, order):
            logger.log(logging.getLevelName("WARNING"), "ORDER_FAILED")
            raise ValueError("ORDER_FAILED")
            return {"currency": "USD", "status": "PAID"}
        """,
        path="src/app/errors_none.py",
        fires=False,
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    # errors.codes in a module that does not exist
    BadConfig(
        '[errors]\ncodes = "nope.errors.ErrorCode"\n',
        "{toml}:2: `errors.codes`: module 'nope.errors' not found under the project root (looked for nope/errors.py, also under src/)",
    ),
    # errors.codes naming a class that is not an enum
    BadConfig(
        '[errors]\ncodes = "app.errors.Plain"\n',
        "{toml}:2: `errors.codes`: app.errors.Plain is not an enum (its bases are: Exception)",
        files={"app/errors.py": "import os\nos.system('touch EXECUTED')\n\n\nclass Plain(Exception):\n    A = 'A'\n"},
    ),
    # errors.codes naming a class that does not exist
    BadConfig(
        '[errors]\ncodes = "app.errors.Missing"\n',
        "{toml}:2: `errors.codes`: class 'Missing' not found in module 'app.errors'",
        files={"app/errors.py": "import os\nos.system('touch EXECUTED')\n\n\nclass Plain(Exception):\n    A = 'A'\n"},
    ),
    # errors.codes in a module that does not parse
    BadConfig(
        '[errors]\ncodes = "app.broken.ErrorCode"\n',
        "{toml}:2: `errors.codes`: module 'app.broken' cannot be parsed: invalid syntax (line 1)",
        files={"app/broken.py": "class ErrorCode(Enum:\n"},
    ),
    # errors.codes in a module nested beyond Python's limits
    BadConfig(
        '[errors]\ncodes = "app.deep.ErrorCode"\n',
        "{toml}:2: `errors.codes`: module 'app.deep' cannot be parsed: too many nested parentheses (line 2)",
        files={"app/deep.py": "class ErrorCode(Enum):\n    A = " + "(" * 1000 + "1" + ")" * 1000 + "\n"},
    ),
)
