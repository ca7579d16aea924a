"""DL3xx: the framework adapter boundary (design category: framework adapter pattern).

Agent frameworks and model SDKs change fast; the design keeps each of them behind an adapter
module that converts its objects to the project's own types. DL301 finds framework imports
outside adapter modules, DL302 adapter functions that hand framework objects to their callers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from designlint.analysis.inference import FileInference
from designlint.analysis.modules import module_glob_matches, module_parts
from designlint.analysis.names import Binding, dotted_name, last_name
from designlint.analysis.strings import literal_string
from designlint.rules.base import Rule

if TYPE_CHECKING:
    from designlint.engine import FileFacts

# Matched by module prefix on dotted boundaries: "openai" covers "openai.types.chat".
DEFAULT_FRAMEWORKS: tuple[str, ...] = (
    "openai",
    "anthropic",
    "langchain",
    "langchain_core",
    "langchain_community",
    "langchain_openai",
    "langchain_anthropic",
    "langgraph",
    "llama_index",
    "autogen",
    "autogen_agentchat",
    "autogen_core",
    "autogen_ext",
    "crewai",
    "semantic_kernel",
    "smolagents",
    "pydantic_ai",
    "google.genai",
    "google.generativeai",
    "vertexai",
    "mistralai",
    "cohere",
    "groq",
    "litellm",
    "haystack",
    "dspy",
    "ollama",
)
ADAPTER_PACKAGES = frozenset({"adapters", "adapter"})
DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "__import__"})
# Methods of framework objects whose results are plain data, not framework objects.
CONVERSIONS = frozenset({"model_dump", "model_dump_json", "dict", "json", "to_dict", "to_json", "to_string", "decode"})


class Frameworks:
    """The framework module names in force for a configuration."""

    def __init__(self, config):
        options = config.adapters
        base = DEFAULT_FRAMEWORKS if options.frameworks is None else options.frameworks
        self.names = tuple(dict.fromkeys((*base, *options.extend_frameworks)))
        # A file that names no framework (by the last part of its dotted name) cannot import one.
        words = sorted({name.rsplit(".", 1)[-1] for name in self.names})
        self.prefilter = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b") if words else re.compile(r"(?!)")
        )

    def match(self, qualname: str | None) -> str | None:
        """The framework ``qualname`` belongs to (``openai.types.Chat`` -> ``openai``), else None."""
        if not qualname:
            return None
        for name in self.names:
            if qualname == name or qualname.startswith(name + "."):
                return name
        return None


def is_adapter_module(parts: list[str], patterns: tuple[str, ...]) -> bool:
    """Configured globs when there are any; else the convention: a part named ``adapters``/``adapter``
    or a module file named ``*_adapter.py``."""
    if not parts:
        return False
    if patterns:
        return module_glob_matches(patterns, ".".join(parts))
    return any(part in ADAPTER_PACKAGES for part in parts) or parts[-1].endswith("_adapter")


@dataclass(frozen=True)
class Place:
    """Where a linted file stands with respect to the adapter boundary."""

    parts: list[str]  # its module's dotted parts
    # Directories above the module's top package that no project root anchors (an unpacked
    # wheel): namespace packages, or where it was unpacked. The file belongs to a framework
    # whose name starts in them and runs on into the module's name (``llama_index`` for
    # ``llama_index/core/agent.py``).
    parents: tuple[str, ...]
    # Where there is no module name, only a guess from the path (a file outside the root, a
    # name no import can spell), the framework's package may sit anywhere in it.
    name_is_guess: bool
    in_adapter: bool


class _BoundaryRule(Rule):
    """What both rules need: the framework list and where the linted file stands."""

    def __init__(self, config):
        super().__init__(config)
        self.frameworks = Frameworks(config)
        self.prefilter = self.frameworks.prefilter

    def place_of(self, relpath: str, module_name: str | None, parents: tuple[str, ...] = ()) -> Place:
        parts = module_parts(relpath, module_name)
        return Place(parts, parents, module_name is None, is_adapter_module(parts, self.config.adapters.modules))

    def setup(self) -> None:
        self.place = self.place_of(self.context.relpath, self.context.module_name, self.context.module_parents)

    def foreign_framework(self, qualname: str | None, place: Place | None = None) -> str | None:
        """The framework ``qualname`` belongs to, unless the linted file is part of that framework."""
        framework = self.frameworks.match(qualname)
        if framework is None:
            return None
        place = place or self.place
        own = framework.split(".")
        n = len(own)
        if place.name_is_guess:
            candidates = (place.parts[i : i + n] for i in range(len(place.parts) - n + 1))
        else:
            named = [*place.parents, *place.parts]
            candidates = (named[i : i + n] for i in range(len(place.parents) + 1))
        if any(candidate == own for candidate in candidates):
            return None
        return framework


class FrameworkImportOutsideAdapter(_BoundaryRule):
    code = "DL301"
    name = "framework-import-outside-adapter"

    def could_fire(self, file: FileFacts) -> bool:
        # Most files naming a framework only mention it, or import their own framework: the
        # stdlib's tree, already built, tells from its import statements alone.
        place = self.place_of(file.relpath, file.module_name, file.module_parents)
        if place.in_adapter:
            return False
        if file.imports is None or "import_module" in file.text or "__import__" in file.text:
            return True
        return any(self.foreign_framework(module, place) for module in file.imports)

    def visit_Import(self, node: cst.Import) -> None:
        if self.place.in_adapter:
            return
        for alias in node.names:
            self._check(alias, dotted_name(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self.place.in_adapter or node.relative or node.module is None:
            return
        module = dotted_name(node.module)
        if self.foreign_framework(module):
            self._check(node, module)
        elif not isinstance(node.names, cst.ImportStar):
            # ``from google import genai``: the framework is the imported name.
            for alias in node.names:
                self._check(alias, f"{module}.{dotted_name(alias.name)}")

    def visit_Call(self, node: cst.Call) -> None:
        short = node.func.attr.value if isinstance(node.func, cst.Attribute) else getattr(node.func, "value", None)
        if self.place.in_adapter or not node.args or short not in ("import_module", "__import__"):
            return
        names = self.context.names
        callee = names.qualify(node.func)
        if callee is None and isinstance(node.func, cst.Name) and names.lookup(node.func.value) is None:
            callee = node.func.value  # a builtin: ``__import__``
        if callee in DYNAMIC_IMPORTS:
            self._check(node, literal_string(node.args[0].value))

    def _check(self, node: cst.CSTNode, module: str | None) -> None:
        framework = self.foreign_framework(module)
        if framework is None:
            return
        where = self.context.module_name or ".".join(self.place.parts) or self.context.relpath
        kind = "imported under TYPE_CHECKING" if self._under_type_checking() else "imported"
        self.report(
            node,
            f"framework module `{module}` {kind} outside an adapter module (in `{where}`): "
            f"keep {framework} behind an adapter ([tool.designlint.adapters] modules names them)",
        )

    def _under_type_checking(self) -> bool:
        return any(isinstance(a, cst.If) and last_name(a.test) == "TYPE_CHECKING" for a in self.context.ancestors)


@dataclass
class _Function:
    """A module-level function or a method of a module-level class, in an adapter module."""

    label: str  # ``name`` or ``Class.name``
    public: bool  # a boundary: callers outside the adapter may call it
    returns_framework: str | None = None  # why its result is a framework object, once known
    unresolved_calls: list[tuple[cst.CSTNode, str]] = field(default_factory=list)  # (return, callee) for astroid


@dataclass
class _ClassFacts:
    """A class of an adapter module: which attributes hold framework objects, and the returns of
    its methods that can only be judged once all its methods have been read."""

    name: str
    public: bool
    framework_attrs: dict[str, str] = field(default_factory=dict)  # attribute -> framework qualname
    deferred: list[tuple[cst.CSTNode, _Function, str, cst.BaseExpression]] = field(default_factory=list)


class FrameworkTypeLeak(_BoundaryRule):
    code = "DL302"
    name = "framework-type-leak"

    def could_fire(self, file: FileFacts) -> bool:
        return self.place_of(file.relpath, file.module_name, file.module_parents).in_adapter

    def setup(self) -> None:
        super().setup()
        self.classes: list[_ClassFacts] = []
        self.functions: list[_Function | None] = []  # for each enclosing def: its summary, or None
        self.summaries: dict[str, _Function] = {}

    # -- where the boundary is ---------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        top_level = not self.functions and not self.classes
        facts = _ClassFacts(node.name.value, public=top_level and not node.name.value.startswith("_"))
        self.classes.append(facts)
        if self.place.in_adapter and top_level:
            for statement in node.body.body:  # fields: ``client: OpenAI`` or ``client = OpenAI()``
                for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                    if isinstance(small, (cst.AnnAssign, cst.Assign)):
                        self._record_attribute(small, class_body=True)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        facts = self.classes.pop()
        for return_node, function, attr, value in facts.deferred:
            qualname = facts.framework_attrs.get(attr)
            if qualname is None:
                if isinstance(value, cst.Call):  # ``self._ask(...)``: a method, perhaps a helper
                    self._unresolved_call(return_node, function, value)
                continue
            if isinstance(value, cst.Call):
                self._found_return(return_node, function, f"the result of a call through `self.{attr}`, a `{qualname}`")
            else:
                self._found_return(return_node, function, f"`self.{attr}`, a `{qualname}`")

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        function = self._summarised(node)
        self.functions.append(function)
        if function is None:
            return
        self.summaries[function.label] = function
        params = node.params
        for param in (
            *params.posonly_params,
            *params.params,
            *params.kwonly_params,
            params.star_arg,
            params.star_kwarg,
        ):
            if function.public and isinstance(param, cst.Param) and param.annotation is not None:
                self._check_annotation(param.annotation.annotation, function, f"parameter `{param.name.value}`")
        if node.returns is not None:
            self._check_annotation(node.returns.annotation, function, "return annotation")

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.pop()

    def leave_Module(self, node: cst.Module) -> None:
        """Returns of helper results: astroid tells which function of this file a call goes to
        (through ``self``, base classes, aliases); asked only when a function here is known to
        return a framework object and a public one returns the result of a call syntax cannot place."""
        pending = [(f, n, callee) for f in self.summaries.values() if f.public for n, callee in f.unresolved_calls]
        if not pending or not any(f.returns_framework for f in self.summaries.values()):
            return
        inference = FileInference(self.context.text)
        try:
            for function, return_node, callee in pending:
                target = self.summaries.get(inference.callee_label(function.label, callee) or "")
                if function.returns_framework is None and target is not None and target.returns_framework:
                    self._found_return(
                        return_node,
                        function,
                        f"the result of `{callee}(...)`, which returns {target.returns_framework}",
                    )
        finally:
            inference.close()

    def _summarised(self, node: cst.FunctionDef) -> _Function | None:
        """A summary for a module-level function or a method of a module-level class; public unless
        it or its class is private (``_name``; dunder methods are public)."""
        if not self.place.in_adapter or self.functions:
            return None
        name = node.name.value
        private = name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
        if not self.classes:
            return _Function(name, public=not private)
        if len(self.classes) == 1:
            return _Function(f"{self.classes[0].name}.{name}", public=self.classes[0].public and not private)
        return None

    # -- annotations -------------------------------------------------------------------

    def _check_annotation(self, annotation: cst.BaseExpression, function: _Function, where: str) -> None:
        for node, qualname in self._framework_names_in(annotation):
            if where == "return annotation":
                function.returns_framework = f"`{qualname}` (its return annotation)"
            if function.public:
                self.report(
                    node,
                    f"public adapter function `{function.label}` exposes the framework type `{qualname}` to its callers ({where}): "
                    "convert to the project's own types at the adapter boundary",
                )
            return  # one finding per annotation

    def _framework_names_in(self, expr: cst.BaseExpression):
        if isinstance(expr, (cst.Name, cst.Attribute)):
            qualname = self._qualify(expr)
            if self.foreign_framework(qualname):
                yield expr, qualname
            return
        if isinstance(expr, cst.SimpleString):
            text = literal_string(expr)
            try:
                parsed = cst.parse_expression(text) if text else None
            except cst.ParserSyntaxError:
                parsed = None
            for _, qualname in self._framework_names_in(parsed) if parsed is not None else ():
                yield expr, qualname
            return
        if isinstance(expr, cst.Subscript):
            generic = last_name(expr.value)
            if generic == "Literal":
                return  # ``Literal["openai"]`` holds values, not types
            elements = expr.slice[:1] if generic == "Annotated" else expr.slice  # metadata is no type
            yield from self._framework_names_in(expr.value)
            for element in elements:
                if isinstance(element.slice, cst.Index):
                    yield from self._framework_names_in(element.slice.value)
            return
        for child in expr.children:
            if isinstance(child, (cst.BaseExpression, cst.Element)):
                yield from self._framework_names_in(child.value if isinstance(child, cst.Element) else child)

    # -- returned values ---------------------------------------------------------------

    def visit_Return(self, node: cst.Return) -> None:
        self._check_returned(node, node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        if not isinstance(node.value, cst.From):
            self._check_returned(node, node.value)

    def _check_returned(self, node: cst.CSTNode, value: cst.BaseExpression | None) -> None:
        function = self.functions[-1] if self.functions else None
        if function is None or function.returns_framework or value is None:
            return
        if isinstance(value, cst.Await):
            value = value.expression
        evidence = self._framework_value(value)
        if evidence:
            self._found_return(node, function, evidence)
            return
        value = self._local_call(value)
        attr = self._self_attribute(value)
        if attr is not None and self.classes:
            self.classes[-1].deferred.append((node, function, attr, value))
        elif isinstance(value, cst.Call) and self.context.names.qualify(value.func) is None:
            self._unresolved_call(node, function, value)

    @staticmethod
    def _unresolved_call(node: cst.CSTNode, function: _Function, call: cst.Call) -> None:
        """Keep a returned call to a function of this file for astroid to place, at the end."""
        callee = dotted_name(call.func)
        if callee and callee.rsplit(".", 1)[-1] not in CONVERSIONS:
            function.unresolved_calls.append((node, callee))

    def _framework_value(self, value: cst.BaseExpression) -> str | None:
        """Why ``value`` is a framework object, judged by syntax; None when it cannot tell."""
        if isinstance(value, cst.Call):
            qualname = self._framework_call(value)
            return f"the result of `{qualname}(...)`" if qualname else None
        if isinstance(value, cst.Name):
            binding = self.context.names.lookup(value.value)
            if binding is None or binding.node is None:
                return None  # a parameter: its annotation is what counts
            if binding.kind == "instance" and self._framework_result(binding.qualname, binding.node):
                where = (
                    "module attribute"
                    if self.context.names.module_scope.bindings.get(value.value) is binding
                    else "local"
                )
                return f"{where} `{value.value}`, made by `{binding.qualname}(...)`"
        return None

    def _framework_call(self, call: cst.Call) -> str | None:
        qualname = self._qualify(call.func)
        return qualname if self._framework_result(qualname, call) else None

    def _framework_result(self, qualname: str | None, node: cst.CSTNode | None) -> bool:
        """Does calling ``qualname`` give a framework object? A framework class does; so does a method
        of a framework object (``client.chat.completions.create``), unless it converts to plain data."""
        framework = self.foreign_framework(qualname)
        if framework is None:
            return False
        if qualname.rsplit(".", 1)[-1] in CONVERSIONS:
            return False
        if any(part[:1].isupper() for part in qualname[len(framework) + 1 :].split(".")):
            return True  # a class, or a method of a class or of an object made from one
        # A method reached through an object (not a module function such as a format helper).
        func = node.func if isinstance(node, cst.Call) else None
        head = (dotted_name(func) or "").split(".", 1)[0] if func is not None else ""
        binding = self.context.names.lookup(head) if head else None
        return binding is not None and binding.kind == "instance"

    # -- framework objects kept on ``self`` ----------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.place.in_adapter and self.classes and self.functions:
            self._record_attribute(node, class_body=False)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.place.in_adapter and self.classes and self.functions:
            self._record_attribute(node, class_body=False)

    def _record_attribute(self, node: cst.Assign | cst.AnnAssign, *, class_body: bool) -> None:
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        qualname = None
        if isinstance(node, cst.AnnAssign):
            names = list(self._framework_names_in(node.annotation.annotation))
            qualname = names[0][1] if names else None
        if qualname is None and node.value is not None:
            qualname = self._framework_object_type(node.value)
        if qualname is None:
            return
        for target in targets:
            if class_body and isinstance(target, cst.Name):
                self.classes[-1].framework_attrs[target.value] = qualname
            elif (
                not class_body
                and isinstance(target, cst.Attribute)
                and isinstance(target.value, cst.Name)
                and target.value.value == "self"
            ):
                self.classes[-1].framework_attrs[target.attr.value] = qualname

    def _framework_object_type(self, value: cst.BaseExpression) -> str | None:
        """The framework qualname behind a value stored on ``self``: a framework call, a parameter or
        local holding a framework object, either side of ``client or AsyncOpenAI()``."""
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call):
            return self._framework_call(value)
        if isinstance(value, cst.Name):
            binding: Binding | None = self.context.names.lookup(value.value)
            if binding is not None and binding.kind == "instance" and self.foreign_framework(binding.qualname):
                return binding.qualname
        if isinstance(value, (cst.BooleanOperation, cst.IfExp)):
            sides = (value.left, value.right) if isinstance(value, cst.BooleanOperation) else (value.body, value.orelse)
            return self._framework_object_type(sides[0]) or self._framework_object_type(sides[1])
        return None

    def _local_call(self, value: cst.BaseExpression) -> cst.BaseExpression:
        """The call a local was assigned from (``resp = await self.client.create(...)``), else ``value``."""
        if isinstance(value, cst.Name):
            binding = self.context.names.lookup(value.value)
            # Not a framework object by its binding (checked before): a call on ``self``, say.
            node = binding.node if binding is not None and binding.kind in ("value", "instance") else None
            node = node.expression if isinstance(node, cst.Await) else node
            if isinstance(node, cst.Call):
                return node
        return value

    @staticmethod
    def _self_attribute(value: cst.BaseExpression) -> str | None:
        """``X`` when ``value`` is ``self.X``, or a call through it (``self.X.chat.create(...)``) that
        does not convert its result to plain data."""
        target = value.func if isinstance(value, cst.Call) else value
        parts = (dotted_name(target) or "").split(".")
        if len(parts) < 2 or parts[0] != "self" or (isinstance(value, cst.Call) and parts[-1] in CONVERSIONS):
            return None
        return parts[1]

    # -- helpers -----------------------------------------------------------------------

    def _found_return(self, node: cst.CSTNode, function: _Function, evidence: str) -> None:
        if function.returns_framework:
            return  # one finding per function, however many returns
        function.returns_framework = f"a framework object ({evidence})"
        if not function.public:
            return
        self.report(
            node,
            f"public adapter function `{function.label}` returns a framework object to its callers ({evidence}): "
            "convert it to the project's own types at the adapter boundary",
        )

    def _qualify(self, expr: cst.CSTNode) -> str | None:
        """Qualified name through imports, and through one module-level alias (``Chat = openai.OpenAI``)."""
        names = self.context.names
        qualname = names.qualify(expr)
        if qualname is not None:
            return qualname
        head, _, rest = (dotted_name(expr) or "").partition(".")
        binding = names.lookup(head) if head else None
        if (
            binding is not None
            and binding.kind == "value"
            and isinstance(binding.node, (cst.Name, cst.Attribute))
            and binding.node is not expr
        ):
            target = names.qualify(binding.node)
            if target is not None:
                return f"{target}.{rest}" if rest else target
        return None
