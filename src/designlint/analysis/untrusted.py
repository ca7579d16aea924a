"""Untrusted content and prompts: DL401's catalogue, and its cross-module facts.

- Sources: where text the application does not control comes in (HTTP bodies, retrieved
  documents and memories, browser page content, tool and MCP results, subprocess output,
  uploads, files, the user's own text), by call, attribute, parameter name or annotation:
  the catalogue of ``untrusted_sources`` (which DL401's gate reads on the stdlib's tree).
- Sinks: where text becomes part of what the model reads (prompt keywords, message literals
  by role, prompt templates, model calls), and the message structures that label their
  content (tool-role messages, tool-result blocks).
- ``UntrustedSpec``: the two as a ``TaintSpec`` for ``dataflow``, with the project's other
  modules followed through the two facts below.
- ``TRUST_OUTLINES``: per module of the project, its helpers' parameters, those they put into
  a prompt by their names, and its prompt-template constants, read on the stdlib's tree.
- ``TRUST_FLOWS``: per module, what its helpers return (source kinds, and which parameters
  flow into the result), by its taint analysis on LibCST's tree: worked out only when what
  a helper returns reaches a caller's sink (the caller's analysis stands for it until then),
  or untrusted content reaches a prompt builder's parameter. Helpers are summarised within their own module: a helper that gets its
  content from a third module is not followed.

Both are read statically and cached by module hash like the error enum.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import libcst as cst

from designlint.analysis.budget import BASE_STEPS, Budget, GaveUp
from designlint.analysis.clients import response_call
from designlint.analysis.dataflow import Dataflow, Taint, Taints, TaintSpec
from designlint.analysis.module_facts import ModuleFact
from designlint.analysis.names import NameResolver, dotted_name, last_name
from designlint.analysis.strings import literal_string
from designlint.analysis.summaries import keywords_passed
from designlint.analysis.untrusted_sources import (
    DOCUMENT_ATTRIBUTE,
    DOCUMENT_TYPES,
    FILE_CONTENTS,
    FILE_READERS,
    HTTP_BODY,
    NODE_CONTENT,
    PAGE_CONTENT,
    PAGE_CONVERTER_NAMES,
    PAGE_CONVERTERS,
    PAGE_TEXT_ATTRIBUTES,
    PAGE_TEXT_METHODS,
    PROCESS_CALLS,
    PROCESS_OUTPUT,
    RECEIVER_SOURCES,
    RETRIEVAL_METHODS,
    RETRIEVED,
    RUN_METHODS,
    TOOL_NAMES,
    TOOL_OUTPUT,
    UPLOAD,
    UPLOAD_ATTRIBUTE,
    UPLOAD_TYPES,
    USER_INPUT,
    USER_NAMES,
    defined_names,
    returns_value,
    stdlib_functions,
)
from designlint.parsing import MAX_NODES, ParseRefused, nesting_budget, nesting_cost, parse_module, stdlib_verdict
from designlint.project import FactProvider, LookupFailed

if TYPE_CHECKING:
    from designlint.project import Project

DEFAULT_SANITIZERS = re.compile(r"\w*(?:untrusted|sanitiz|sanitis|quarantin)\w*", re.IGNORECASE)

# -- sinks --------------------------------------------------------------------------------

# Where a value becomes part of what the model reads, by call keyword.
SYSTEM_KEYWORDS = {
    "system": "the system prompt",
    "system_prompt": "the system prompt",
    "system_message": "the system prompt",
    "instructions": "the instructions",
}
PROMPT_KEYWORDS = {**SYSTEM_KEYWORDS, "prompt": "the prompt", "messages": "the chat messages"}
PROMPT_PARAMETERS = frozenset(PROMPT_KEYWORDS)
SYSTEM_MESSAGE_CLASSES = frozenset({"SystemMessage", "SystemMessagePromptTemplate"})
USER_MESSAGE_CLASSES = frozenset({"HumanMessage", "UserMessage", "HumanMessagePromptTemplate"})
TEMPLATE_CALLS = frozenset({"PromptTemplate", "ChatPromptTemplate", "from_template", "from_messages"})
# Messages whose role is itself the label the API gives their content: the model's own
# turns and tool results.
LABELLED_ROLES = frozenset({"assistant", "tool", "function", "ipython"})
LABELLED_MESSAGE_CLASSES = frozenset({"AIMessage", "ToolMessage", "FunctionMessage", "AssistantMessage"})
SYSTEM_ROLES = frozenset({"system", "developer"})
ROLE_SINKS = {
    "system": "the system prompt",
    "developer": "the system prompt",
    "user": "a user message",
    # OpenHands-style observations of the environment: sent to the model as user turns.
    "environment": "an environment message (sent as a user turn)",
}
# prompt.format(context=...), qa_template.format_messages(...): filling in a prompt template.
TEMPLATE_FILLERS = frozenset({"format", "format_messages", "format_prompt", "aformat", "aformat_messages", "partial"})
PROMPT_OBJECT = re.compile(r"(?:prompt|template)[^.]*$", re.IGNORECASE)
TOOL_RESULT_TYPES = frozenset({"tool_result", "function_call_output", "tool", "function_response", "functionResponse"})
TOOL_RESULT_KEYS = frozenset({"toolResult", "tool_result", "functionResponse", "function_response"})
PROMPT_VARIABLE = re.compile(r"\w*prompt(?:s|_text|_str|_string|_template)?", re.IGNORECASE)
# A chat model's methods whose first positional argument is the prompt (LangChain's
# ``llm.invoke("...")``), called on an object named as a model: ``invoke`` on a chain, a
# tool or a graph takes other input.
PROMPT_FIRST_METHODS = frozenset({"invoke", "ainvoke", "stream", "astream", "predict", "apredict"})
MODEL_RECEIVER = re.compile(r"(?:\w*_)?(?:llm|model|chat|chat_model)", re.IGNORECASE)
# ``predict`` is also scikit-learn's and sentence-transformers' (``self._model.predict(pairs)``
# scores a cross-encoder's pairs): a prompt only on an object named as a language or chat model.
PREDICT_METHODS = frozenset({"predict", "apredict"})
LLM_RECEIVER = re.compile(r"(?:\w*_)?(?:llm|chat|chat_model)", re.IGNORECASE)
# Functions that build a prompt from their parameters: build_prompt, render_system_prompt, make_messages.
PROMPT_BUILDER = re.compile(r"\w*(?:prompt|template|messages)\w*", re.IGNORECASE)
# A module whose constants are prompts by where they live: prompts.py, prompt_templates.py.
PROMPT_MODULE = re.compile(r"\w*(?:prompt|template)s?", re.IGNORECASE)


def message_role(node: cst.BaseExpression) -> str | None:
    """The role of a message literal: ``{"role": "user", ...}``, ``HumanMessage(...)``."""
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement) and literal_string(element.key) == "role":
                return _role_of(element.value)
        return None
    if isinstance(node, cst.Call):
        name = last_name(node.func)
        if name in LABELLED_MESSAGE_CLASSES:
            return "assistant"
        if name in SYSTEM_MESSAGE_CLASSES:
            return "system"
        if name in USER_MESSAGE_CLASSES:
            return "user"
        if name.endswith("Message"):  # ChatMessage(role=MessageRole.SYSTEM, content=...)
            role = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "role"), None)
            if role is not None:
                return _role_of(role)
    return None


def _role_of(role: cst.BaseExpression) -> str:
    """A role as written: ``"user"``, ``MessageRole.SYSTEM``; of ``"tool" if tool_id else
    "function"`` the arm that is not a labelled channel, if any ("?" when unknown)."""
    if isinstance(role, cst.IfExp):
        arms = (_role_of(role.body), _role_of(role.orelse))
        return next((arm for arm in arms if arm not in LABELLED_ROLES), arms[0])
    return _normal_role(literal_string(role) or (role.attr.value if isinstance(role, cst.Attribute) else ""))


def _normal_role(spelled: str) -> str:
    """``MessageRole.TOOL_RESPONSE`` and ``"function_call_output"`` are the tool channel."""
    role = spelled.lower()
    return "tool" if "tool" in role or "function" in role else role or "?"


def is_tool_result_block(node: cst.Dict) -> bool:
    """A content block the API labels as a tool result: ``{"type": "tool_result", ...}``
    (Anthropic), ``{"toolResult": ...}`` (Bedrock), ``{"type": "function_call_output"}``."""
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            continue
        key = literal_string(element.key)
        if key in TOOL_RESULT_KEYS or (key == "type" and literal_string(element.value) in TOOL_RESULT_TYPES):
            return True
    return False


def prompt_parameters(function: cst.FunctionDef, passes: frozenset[str]) -> dict[str, bool]:
    """The parameters a function puts into a prompt, each with whether it is the system
    prompt: those named as one (``system``, ``prompt``; ``messages`` only where it is passed
    on as ``messages=``), those passed on under a prompt keyword, and, for a function named
    as a prompt builder (``build_prompt``), those that flow into what it returns (``passes``)."""
    params = [
        p.name.value for p in (*function.params.posonly_params, *function.params.params, *function.params.kwonly_params)
    ]
    candidates = _prompt_candidates(
        params,
        bool(PROMPT_BUILDER.fullmatch(function.name.value)),
        {name: keywords_passed(function, name) for name in params},
    )
    return _in_prompt(candidates, passes)


def _prompt_candidates(
    params: Iterable[str], builder: bool, passed_on: Mapping[str, Set[str]]
) -> dict[str, bool | None]:
    """The parameters (of ``params``, in order) that may go into a prompt: True or False (is it
    the system prompt) for one named as a prompt or passed on under a prompt keyword
    (``passed_on``: the keywords a name is passed under); None for any other parameter of a
    prompt builder, which is in the prompt if it flows into what the builder returns."""
    found: dict[str, bool | None] = {}
    for name in params:
        keywords = PROMPT_PARAMETERS & passed_on.get(name, frozenset())
        if keywords or (name in PROMPT_PARAMETERS and name != "messages"):
            found[name] = name in SYSTEM_KEYWORDS or bool(keywords & SYSTEM_KEYWORDS.keys())
        elif builder:
            found[name] = None
    return found


def _in_prompt(candidates: Mapping[str, bool | None], passes: Set[str]) -> dict[str, bool]:
    """The prompt parameters among ``_prompt_candidates``, given those that flow into the result."""
    return {name: bool(system) for name, system in candidates.items() if system is not None or name in passes}


# -- the cross-module facts ---------------------------------------------------------------


@dataclass(frozen=True)
class HelperOutline:
    """What the stdlib's tree tells of a function of another module."""

    params: tuple[str, ...]  # positional parameters in order, the receiver of a method left out
    prompt: Mapping[str, bool | None]  # its ``_prompt_candidates``
    # A ``return`` with a value in its own body: without one, its summary is empty (nothing to work out).
    returns_value: bool


@dataclass(frozen=True)
class ModuleOutline:
    functions: Mapping[str, HelperOutline]  # by label: ``fetch_page``, ``Fetcher.fetch``
    templates: frozenset[str]  # module-level prompt-template constants


@dataclass(frozen=True)
class HelperFlow:
    """What a function of another module returns, by its module's taint analysis."""

    returns: tuple[str, ...]  # the source kinds its result carries by itself
    passes: frozenset[str]  # the parameters that flow into its result


_NO_FLOW = HelperFlow((), frozenset())


class HelperTrust:
    """What a function of another module does with untrusted content (an ``ImportedFunction``
    for ``dataflow``): its parameters and prompt parameters from the module's outline; what it
    returns, from the module's taint summary (a LibCST parse), only when first asked."""

    def __init__(self, label: str, outline: HelperOutline, flow: Callable[[], HelperFlow | None]):
        self.label = label  # its qualified name, for messages: ``app.web.fetch_page``
        self.params = outline.params
        self.prompt_candidates = outline.prompt  # see ``_prompt_candidates``
        self._returns_value = outline.returns_value
        self._flow = flow

    @functools.cached_property
    def _summary(self) -> HelperFlow:
        return (self._flow() if self._returns_value else None) or _NO_FLOW

    @property
    def returns(self) -> tuple[str, ...]:
        return self._summary.returns

    @property
    def passes(self) -> frozenset[str]:
        return self._summary.passes

    @functools.cached_property
    def prompt(self) -> Mapping[str, bool]:
        """The parameters it puts into a prompt (see ``prompt_parameters``): those of a prompt
        builder need its summary, any other function's are known by their names."""
        builder = None in self.prompt_candidates.values()
        return _in_prompt(self.prompt_candidates, self.passes if builder else frozenset())

    def puts_into_prompt(self, param: str) -> bool:
        return param in self.prompt


class TrustOutlines(ModuleFact[ModuleOutline]):
    """A module's ``ModuleOutline``, read on the stdlib's tree (several times cheaper than
    LibCST's, and no taint analysis): empty only for a module absent or the running Python
    cannot parse. A module LibCST refuses, or one whose analysis gives up, keeps its outline;
    only what its helpers return (``TRUST_FLOWS``) is then unknown."""

    kind = "trust-outline"

    def read(self, name: str, tree: ast.Module) -> dict[str, Any]:
        functions: dict[str, Any] = {}
        for label, function in stdlib_functions(tree.body):
            args = function.args
            params = [a.arg for a in (*args.posonlyargs, *args.args)]
            if "." in label and not any(_chain_last_name(d) == "staticmethod" for d in function.decorator_list):
                params = params[1:]
            prompt = _prompt_candidates(
                [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)],
                bool(PROMPT_BUILDER.fullmatch(function.name)),
                _keywords_passed_on(function),
            )
            functions[label] = {"params": params, "prompt": prompt, "returns_value": returns_value(function.body)}
        return {"functions": functions, "templates": sorted(_template_constants(tree, name))}

    def unreadable(self, name: str, failure: LookupFailed) -> dict[str, Any]:
        return {"functions": {}, "templates": []}

    def load(self, name: str, value: Any) -> ModuleOutline:
        functions = {}
        for label, entry in value["functions"].items():
            params, prompt, returns_value = entry["params"], entry["prompt"], entry["returns_value"]
            if (
                not all(type(p) is str for p in (*params, *prompt))
                or not all(s is None or type(s) is bool for s in prompt.values())
                or type(returns_value) is not bool
            ):
                raise TypeError("malformed helper outline")
            functions[label] = HelperOutline(tuple(params), dict(prompt), returns_value)
        templates = value["templates"]
        if not all(type(t) is str for t in templates):
            raise TypeError("malformed template list")
        return ModuleOutline(functions, frozenset(templates))


TRUST_OUTLINES = TrustOutlines()


class TrustFlows(FactProvider[Mapping[str, HelperFlow]]):
    """What each function of a module returns (``HelperFlow``, by label), from its taint
    analysis. The fact's name is the JSON list ``[module, sources, sanitizers]``: the
    configured names change what the helpers return."""

    kind = "trust"

    @staticmethod
    def name_for(module: str, sources: tuple[str, ...], sanitizers: tuple[str, ...]) -> str:
        return json.dumps([module, list(sources), list(sanitizers)])

    def modules(self, name: str) -> tuple[str, ...]:
        return (json.loads(name)[0],)

    def compute(self, name: str, sources: Mapping[str, str | None]) -> dict[str, Any]:
        module_name, configured_sources, sanitizers = json.loads(name)
        module = _parsed(sources[module_name])
        if module is None:
            return {}  # absent, unparsable or too large: nothing known, nothing followed
        names = NameResolver(module, module_name)
        spec = UntrustedSpec(names, tuple(configured_sources), tuple(sanitizers))
        flow = Dataflow(module, names, spec, Budget(BASE_STEPS))
        functions: dict[str, Any] = {}
        try:
            for function in flow.functions.all():
                returns, passes = flow.returned(function.node)
                functions[function.label] = {"returns": sorted({t.kind for t in returns}), "passes": sorted(passes)}
        except (GaveUp, RecursionError):
            return {}  # a module written to exhaust the analysis: what its helpers return is not followed
        return functions

    def load(self, name: str, value: Any) -> dict[str, HelperFlow]:
        functions = {}
        for label, entry in value.items():
            if not all(type(p) is str for p in (*entry["returns"], *entry["passes"])):
                raise TypeError("malformed helper summary")
            functions[label] = HelperFlow(tuple(entry["returns"]), frozenset(entry["passes"]))
        return functions


TRUST_FLOWS = TrustFlows()


def _parsed(source: str | None) -> cst.Module | None:
    """The module parsed as the engine parses a linted file (same guards); None when it cannot be."""
    if source is None:
        return None
    verdict = stdlib_verdict(source)
    if verdict.tree is None:
        return None
    nesting = nesting_cost(verdict.tree)
    if nesting.nodes > MAX_NODES or nesting.cost > nesting_budget(nesting.nodes):
        return None
    try:
        return parse_module(source)
    except (cst.ParserSyntaxError, ParseRefused, RecursionError):
        return None


def _keywords_passed_on(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, set[str]]:
    """The prompt keywords under which a function (nested functions included) passes each name
    on to a call unchanged (``messages=messages``), as ``summaries.keywords_passed`` finds them."""
    passed: dict[str, set[str]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.keyword) and node.arg in PROMPT_PARAMETERS and isinstance(node.value, ast.Name):
            passed.setdefault(node.value.id, set()).add(node.arg)
    return passed


def _chain_last_name(node: ast.expr) -> str:
    """``names.last_name`` on the stdlib's tree, as the LibCST reading of a module had it:
    ``c`` for a Name/Attribute chain ``a.b.c``, ``""`` for ``f().c`` (which
    ``module_facts.stdlib_last_name`` reads as ``c``)."""
    last = node.attr if isinstance(node, ast.Attribute) else None
    while isinstance(node, ast.Attribute):
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    return last if last is not None else node.id


def _template_constants(tree: ast.Module, module_name: str) -> set[str]:
    """Module-level names bound to a string or a prompt-template object, that are prompts by
    their name (``SUMMARY_PROMPT``) or by their module's (anything in ``prompts.py``)."""
    in_prompt_module = bool(PROMPT_MODULE.fullmatch(module_name.rsplit(".", 1)[-1]))
    found = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        # a string literal, concatenated or not, or an f-string (LibCST's SimpleString, ConcatenatedString, FormattedString)
        textual = isinstance(value, ast.JoinedStr) or (
            isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes))
        )
        template_object = isinstance(value, ast.Call) and _chain_last_name(value.func) in TEMPLATE_CALLS
        if (textual or template_object) and (in_prompt_module or PROMPT_OBJECT.search(target.id)):
            found.add(target.id)
    return found


# -- the taint specification --------------------------------------------------------------


class UntrustedSpec(TaintSpec):
    """DL401's sources, sanitizers and labelling structures in one module; the helpers and
    templates of the project's other modules come from ``TRUST_OUTLINES`` and ``TRUST_FLOWS``
    when a project is given."""

    def __init__(
        self,
        names: NameResolver,
        sources: tuple[str, ...] = (),
        sanitizers: tuple[str, ...] = (),
        project: Project | None = None,
    ):
        self.names = names
        self.sources = sources
        self.sanitizers = sanitizers
        self.project = project

    def matches(self, func: cst.BaseExpression, configured: tuple[str, ...]) -> bool:
        """A configured name: dotted ones by qualified name, bare ones by the called name."""
        if not configured:
            return False
        if dotted_name(func) is None:  # ``Fetcher().fetch``: only its qualified name can match
            return self.names.qualify(func) in {name for name in configured if "." in name}
        return self.names.function_matches(func, configured)

    def source(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Attribute):
            attr = node.attr.value
            if attr == DOCUMENT_ATTRIBUTE:
                return RETRIEVED
            if attr in PAGE_TEXT_ATTRIBUTES:
                return PAGE_CONTENT
            if attr == UPLOAD_ATTRIBUTE[1] and last_name(node.value) == UPLOAD_ATTRIBUTE[0]:
                return UPLOAD
            return TOOL_OUTPUT if TOOL_NAMES.fullmatch(attr) else None
        if not isinstance(node, cst.Call):
            return None
        qualname = self.names.qualify(node.func)
        callee = qualname or dotted_name(node.func) or ""
        last = node.func.attr.value if isinstance(node.func, cst.Attribute) else callee.rsplit(".", 1)[-1]
        if self.matches(node.func, self.sources):
            return f"`{last}()` result"
        if response_call(qualname):
            return HTTP_BODY
        if last == NODE_CONTENT[0] and any(
            a.keyword is not None and a.keyword.value == NODE_CONTENT[1] for a in node.args
        ):
            return RETRIEVED
        if last in RETRIEVAL_METHODS:
            return RETRIEVED
        if isinstance(node.func, cst.Attribute):
            owner = last_name(node.func.value)
            for receiver, methods, kind in RECEIVER_SOURCES:
                if last in methods and receiver.search(owner):
                    return kind
            if last in RUN_METHODS and (owner == "tool" or owner.endswith("_tool")):
                return TOOL_OUTPUT
            if last in PAGE_TEXT_METHODS:
                return PAGE_CONTENT
        if qualname in PAGE_CONVERTERS or PAGE_CONVERTER_NAMES.fullmatch(last):
            return PAGE_CONTENT
        if qualname in PROCESS_CALLS:
            return PROCESS_OUTPUT
        if callee == "input" and self.names.lookup("input") is None:
            return USER_INPUT
        if (callee == "open" and _opens_for_reading(node)) or (last in FILE_READERS and not node.args):
            return FILE_CONTENTS
        return None

    def binding_source(self, name: str) -> str | None:
        # Not user input: a variable called user_message mostly holds a message built for the user turn.
        return TOOL_OUTPUT if TOOL_NAMES.fullmatch(name) else None

    def parameter_source(self, param: cst.Param) -> str | None:
        name = param.name.value
        if USER_NAMES.fullmatch(name):
            return USER_INPUT
        annotated = _names_in(param.annotation.annotation) if param.annotation is not None else set()
        if DOCUMENT_TYPES & annotated:
            return RETRIEVED
        if UPLOAD_TYPES & annotated:
            return UPLOAD
        return self.binding_source(name)

    def is_sanitizer(self, call: cst.Call) -> bool:
        name = dotted_name(call.func)
        if name is None:
            return False
        return bool(DEFAULT_SANITIZERS.fullmatch(name.rsplit(".", 1)[-1])) or self.matches(call.func, self.sanitizers)

    def filter(self, node: cst.BaseExpression, taints: Taints) -> Taints:
        role = message_role(node)
        if role in LABELLED_ROLES or (isinstance(node, cst.Dict) and is_tool_result_block(node)):
            return frozenset()
        if role == "user":
            return frozenset(t for t in taints if not isinstance(t, Taint) or t.kind != USER_INPUT)
        return taints

    def imported_name(self, call: cst.Call) -> str | None:
        """The qualified name of the function of another module of the project ``call`` runs."""
        qualname = self.names.qualify(call.func)
        return qualname if self._elsewhere(qualname) else None

    def imported_function(self, qualname: str) -> HelperTrust | None:
        """That function, by its module's outline; what it returns is worked out only when
        asked (``HelperTrust``)."""
        found = self._module_of(qualname, 1, defining=qualname.rpartition(".")[2])
        if found is None or self.project is None:
            return None
        module, outline, label = found
        helper = outline.functions.get(label)
        if helper is None:
            return None
        flows = TrustFlows.name_for(module, self.sources, self.sanitizers)
        return HelperTrust(f"{module}.{label}", helper, functools.partial(_flow_of, self.project, flows, label))

    def template(self, expr: cst.BaseExpression) -> str | None:
        """The qualified name of the prompt-template constant of another module ``expr`` names."""
        qualname = self.names.qualify(expr) if isinstance(expr, (cst.Name, cst.Attribute)) else None
        found = self._module_of(qualname, 0)
        return qualname if found is not None and found[2] in found[1].templates else None

    def _elsewhere(self, qualname: str | None) -> bool:
        """Whether ``qualname`` may name something of another module of the project: a dotted
        name, not of the standard library nor of this module."""
        return (
            self.project is not None
            and qualname is not None
            and "." in qualname
            and qualname.partition(".")[0] not in sys.stdlib_module_names
            and not qualname.startswith(f"{self.names.module_name}.")
        )

    def _module_of(
        self, qualname: str | None, deepest: int, defining: str | None = None
    ) -> tuple[str, ModuleOutline, str] | None:
        """The project module ``qualname`` lies in, its outline, and the rest of the name
        (``fetch`` or ``Fetcher.fetch`` for a function, ``deepest`` = 1 letting the name be a
        method; a constant's name has one part). With ``defining``, None when that module defines
        no function of that name (its outline, which would have none, is not worked out)."""
        project = self.project
        if project is None or qualname is None or not self._elsewhere(qualname):
            return None
        parts = qualname.split(".")
        for depth in range(1, deepest + 2):
            module = ".".join(parts[:-depth])
            if not module:
                break
            try:
                text = project.source(module)
                if text is None:
                    continue
                if defining is not None and defining not in defined_names(text):
                    return None
                return module, project.fact(TRUST_OUTLINES, module), ".".join(parts[-depth:])
            except LookupFailed:
                return None
        return None


def _flow_of(project: Project, flows: str, label: str) -> HelperFlow | None:
    """What the function ``label`` returns, by the ``TRUST_FLOWS`` fact named ``flows``."""
    try:
        return project.fact(TRUST_FLOWS, flows).get(label)
    except LookupFailed:
        return None


def _names_in(annotation: cst.BaseExpression) -> set[str]:
    """The last parts of the names an annotation mentions: ``list[NodeWithScore] | None``."""
    if isinstance(annotation, (cst.Name, cst.Attribute)):
        return {last_name(annotation)}
    if isinstance(annotation, cst.Subscript):
        inner = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
        return _names_in(annotation.value).union(*(_names_in(i) for i in inner))
    if isinstance(annotation, cst.BinaryOperation):
        return _names_in(annotation.left) | _names_in(annotation.right)
    return set()


def _opens_for_reading(call: cst.Call) -> bool:
    mode = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "mode"), None)
    if mode is None and len(call.args) > 1 and call.args[1].keyword is None:
        mode = call.args[1].value
    text = "r" if mode is None else literal_string(mode)
    return text is not None and not set("wax+") & set(text)
