"""Where untrusted content comes in: the catalogue of sources DL401's taint analysis knows
(``untrusted.UntrustedSpec.source`` reads it on LibCST's tree), and a reading of it on the
stdlib's tree that errs towards "maybe": the gate asks it before LibCST parses a file, and
``TRUST_RETURNS`` asks it of the project's other modules (which of their helpers may return
untrusted content). Nothing here imports LibCST.

A call is matched by its last name (``requests.get(url)``: ``get``), also the name an import
alias stands for (``from app.web import fetch_page as get_page``): whatever the qualified name
the analysis resolves a call to, its last part is one of these (the analysis resolves a call
through imports and the objects made from known classes, never through another name's value).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeVar, cast

from designlint.analysis.clients import ALIASES, HTTP_CALLS, canonical
from designlint.analysis.module_facts import ModuleFact, stdlib_last_name
from designlint.analysis.modules import resolve_relative, statement_blocks
from designlint.analysis.stdlib_nodes import nodes_by_type
from designlint.project import LookupFailed

Node = TypeVar("Node", bound=ast.AST)

HTTP_BODY = "HTTP response body"
RETRIEVED = "retrieved document"
MEMORY = "retrieved memory"
PAGE_CONTENT = "browser page content"
TOOL_OUTPUT = "tool output"
MCP_CONTENT = "MCP server content"
PROCESS_OUTPUT = "subprocess output"
UPLOAD = "uploaded file"
USER_INPUT = "user input"
FILE_CONTENTS = "file contents"

RETRIEVAL_METHODS = frozenset(
    {
        "similarity_search",
        "asimilarity_search",
        "similarity_search_with_score",
        "asimilarity_search_with_score",
        "similarity_search_with_relevance_scores",
        "asimilarity_search_with_relevance_scores",
        "similarity_search_by_vector",
        "max_marginal_relevance_search",
        "amax_marginal_relevance_search",
        "get_relevant_documents",
        "aget_relevant_documents",
    }
)
# Methods that are a source only on a receiver whose name says what it is (``retriever.invoke``,
# ``collection.query``, ``memory.search``): the method names alone mean too many things.
RECEIVER_SOURCES: tuple[tuple[re.Pattern[str], frozenset[str], str], ...] = (
    (
        re.compile(r"retriever", re.IGNORECASE),
        frozenset({"retrieve", "aretrieve", "invoke", "ainvoke", "batch", "abatch"}),
        RETRIEVED,
    ),
    (re.compile(r"collection|vector_?store|vectordb", re.IGNORECASE), frozenset({"query", "search"}), RETRIEVED),
    (
        re.compile(r"memor(?:y|ies)|history", re.IGNORECASE),
        frozenset({"search", "asearch", "get_relevant", "get_all", "query", "retrieve"}),
        MEMORY,
    ),
    (
        re.compile(r"session|mcp", re.IGNORECASE),
        frozenset({"get_prompt", "read_resource"}),
        MCP_CONTENT,
    ),
    (re.compile(r"session|mcp", re.IGNORECASE), frozenset({"call_tool"}), TOOL_OUTPUT),
    (re.compile(r"(?:^|_)page$|^tab$", re.IGNORECASE), frozenset({"content"}), PAGE_CONTENT),
)
DOCUMENT_ATTRIBUTE = "page_content"  # LangChain's Document.page_content
# ``node.get_content(metadata_mode=...)``: LlamaIndex's text of a retrieved node.
NODE_CONTENT = ("get_content", "metadata_mode")
UPLOAD_ATTRIBUTE = ("request", "files")  # Flask's request.files
# Playwright's and Selenium's text of what the browser shows, on any page, frame or locator.
PAGE_TEXT_METHODS = frozenset({"inner_text", "inner_html", "text_content", "all_inner_texts", "all_text_contents"})
PAGE_TEXT_ATTRIBUTES = frozenset({"page_source"})  # Selenium's driver.page_source
# Page-to-text converters: their input is a page someone fetched.
PAGE_CONVERTERS = frozenset({"markdownify.markdownify", "html2text.html2text", "trafilatura.extract"})
PAGE_CONVERTER_NAMES = re.compile(r"\w*(?:page|html)_?to_?(?:markdown|md|text)\w*", re.IGNORECASE)
PROCESS_CALLS = frozenset({"subprocess.check_output", "subprocess.run", "subprocess.getoutput"})
FILE_READERS = frozenset({"read_text", "read_bytes"})  # pathlib's, called with no argument
# Retrieved or loaded documents (LangChain, LlamaIndex), as parameter annotations.
DOCUMENT_TYPES = frozenset({"Document", "NodeWithScore", "TextNode", "BaseNode"})
UPLOAD_TYPES = frozenset({"UploadFile", "FileStorage", "UploadedFile"})  # FastAPI/Starlette, Werkzeug, Streamlit
RUN_METHODS = frozenset({"invoke", "ainvoke", "run", "arun", "call", "acall", "execute", "aexecute", "forward"})
TOOL_NAMES = re.compile(r"(?:tool_(?:output|result|response)|function_(?:output|result|response)|observation)s?")
USER_NAMES = re.compile(r"user_(?:input|message|msg|query|question|request|text)s?")


def _by_top_module(qualnames: Iterable[str]) -> dict[str, frozenset[str]]:
    """The last names of ``qualnames`` by their top-level module, the other spellings of those
    modules (``clients.ALIASES``: ``urllib2``, ``httpx2``) included."""
    found: dict[str, set[str]] = {}
    for qualname in qualnames:
        found.setdefault(qualname.partition(".")[0], set()).add(qualname.rpartition(".")[2])
    for alias, name in ALIASES.items():
        top = name.partition(".")[0]
        if top in found:
            found.setdefault(alias.partition(".")[0], set()).update(found[top])
    return {top: frozenset(names) for top, names in found.items()}


# Sources known by qualified name (HTTP responses, subprocess output, page converters): a call
# of one needs an import of its module.
QUALIFIED_SOURCES = _by_top_module(
    [*(name for name, call in HTTP_CALLS.items() if call.returns_response), *PROCESS_CALLS, *PAGE_CONVERTERS]
)


# The HTTP client classes whose methods return responses: an object of one is made from a name
# the module spells (``httpx.AsyncClient()``, an annotation ``aiohttp.ClientSession``).
CLIENT_CLASSES = tuple(sorted({call.client for call in HTTP_CALLS.values() if call.client and call.returns_response}))


class ModuleNames:
    """What the names of a module (its stdlib tree) tell the catalogue: its imports (anywhere in
    it, bound as ``names.import_bindings`` binds them, relative ones from the module's package),
    the attribute chains on them and its forward references, resolved as the analysis would
    resolve them."""

    def __init__(
        self,
        imports: Iterable[ast.Import | ast.ImportFrom],
        attributes: Iterable[ast.Attribute],
        annotations: Iterable[ast.expr | None],
        module_name: str | None,
        is_package: bool,
    ):
        self.own = module_name
        self.attributes = attributes
        self.annotations = annotations
        relative_to = f"{module_name}.__init__" if is_package and module_name else module_name
        tops = {module_name.partition(".")[0]} if module_name else set()
        originals: dict[str, list[str]] = {}
        bound: dict[str, list[str]] = {}
        for statement in imports:
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    top = alias.name.partition(".")[0]
                    tops.add(top)
                    if alias.asname:
                        originals.setdefault(alias.asname, []).append(alias.name.rpartition(".")[2])
                        bound.setdefault(alias.asname, []).append(alias.name)
                    else:
                        bound.setdefault(top, []).append(top)
                continue
            base = statement.module or ""
            if statement.level:
                base = resolve_relative(statement.level, base, relative_to)
            if statement.module:
                tops.add(statement.module.partition(".")[0])  # resolved or not: either may be meant
            if base:
                tops.add(base.partition(".")[0])
            for alias in statement.names:
                if alias.name == "*":
                    continue
                if alias.asname:
                    originals.setdefault(alias.asname, []).append(alias.name)
                bound.setdefault(alias.asname or alias.name, []).append(f"{base}.{alias.name}" if base else alias.name)
        self.originals = originals  # an alias -> the last names of what it was imported as
        self.bound = bound  # a local name -> the qualified names it is imported as
        # The last names of the sources known by qualified name whose modules are imported:
        # ``get`` after ``import requests``.
        self.qualified = frozenset().union(*(QUALIFIED_SOURCES.get(top, ()) for top in tops))
        # Linting such a module itself (requests' own code): its own functions are those sources.
        self._own_qualified = bool(module_name) and (module_name or "").partition(".")[0] in QUALIFIED_SOURCES
        self._qualified_locals = frozenset(
            local for local, names in bound.items() if any(n.partition(".")[0] in QUALIFIED_SOURCES for n in names)
        )

    def call_names(self, call: ast.Call) -> tuple[str, ...]:
        """The last names the call's qualified name may have: ``c`` of ``a.b.c(...)``; of ``f(...)``,
        ``f`` and what an alias ``f`` was imported as; none for a call of anything else."""
        func = call.func
        if isinstance(func, ast.Attribute):
            return (func.attr,)
        if isinstance(func, ast.Name):
            return (func.id, *self.originals.get(func.id, ()))
        return ()

    def may_call_qualified(self, call: ast.Call) -> bool:
        """Whether the call's qualified name may be that of a source known by one (its last name
        being one): through a name imported from the source's module (``rq.get``,
        ``httpx.Client().get``, ``urlopen``), or on an object of an HTTP client class the
        module names (``client.get`` after ``client = httpx.AsyncClient()``)."""
        if self._own_qualified:
            return True
        root: ast.expr = call.func
        while isinstance(root, (ast.Attribute, ast.Call)):
            root = root.value if isinstance(root, ast.Attribute) else root.func
        return (isinstance(root, ast.Name) and root.id in self._qualified_locals) or self._names_a_client

    @cached_property
    def _names_a_client(self) -> bool:
        return any(
            name == client or name.startswith(f"{client}.")
            for name in map(canonical, self.resolved)
            for client in CLIENT_CLASSES
        )

    @cached_property
    def resolved(self) -> frozenset[str]:
        """The qualified names the module may spell: each name imported, and the attribute
        chains (``web.fetch_page``, ``app.web.Browser``) and forward references
        (``"web.Browser"``) on one."""
        bound = self.bound
        found = {qualname for names in bound.values() for qualname in names}
        chains: list[list[str]] = []
        if bound:
            for node in self.attributes:
                parts = _chain(node)
                if parts is not None and parts[0] in bound:
                    chains.append(parts)
            for text in _forward_references(self.annotations):
                parts = text.split(".")
                if parts[0] in bound and all(part.isidentifier() for part in parts):
                    chains.append(parts)
        for parts in chains:
            rest = ".".join(parts[1:])
            found.update(f"{qualname}.{rest}" if rest else qualname for qualname in bound[parts[0]])
        return frozenset(found)

    def called_modules(self, exists: Callable[[str], bool]) -> set[str]:
        """The modules of the project a call's function may lie in: for each qualified name the
        module spells, and a method of it, the module the analysis looks it up in
        (``untrusted.UntrustedSpec._module_of``): the name less its last part, else (no such
        module: ``exists``, which may raise ``LookupFailed``) less its last two. Names of the
        standard library and of the module itself are left out, as the analysis leaves them."""
        modules: set[str] = set()
        own = self.own
        for qualname in self.resolved:
            if qualname.partition(".")[0] in sys.stdlib_module_names:
                continue
            parts = qualname.split(".")
            for called in (parts, [*parts, ""]):  # ``""``: any method
                if len(called) < 2 or (own and ".".join(called).startswith(f"{own}.")):
                    continue
                try:
                    found = next((m for m in (".".join(called[:-1]), ".".join(called[:-2])) if m and exists(m)), None)
                except LookupFailed:
                    continue  # too large to read: the analysis follows nothing of it
                if found is not None:
                    modules.add(found)
        return modules

    @cached_property
    def class_names(self) -> frozenset[str]:
        """The names by which the module may reach a class of another module: the last parts of
        its imports, its attributes, the parts of its forward references."""
        names = {qualname.rpartition(".")[2] for qualnames in self.bound.values() for qualname in qualnames}
        names.update(node.attr for node in self.attributes)
        names.update(part for text in _forward_references(self.annotations) for part in text.split("."))
        return frozenset(names)


class SourceCatalogue:
    """The catalogue read on the stdlib's tree, with the configured sources (``[tool.designlint.trust]
    sources``, matched by their last name): is there a node a source may be? Errs towards yes."""

    def __init__(self, configured: Iterable[str]):
        self.configured = frozenset(name.rpartition(".")[2] for name in configured)

    def call_is_source(self, call: ast.Call, module: ModuleNames, names: tuple[str, ...]) -> bool:
        """``names``: the call's ``ModuleNames.call_names``."""
        for name in names:
            if name in self.configured or name in RETRIEVAL_METHODS or PAGE_CONVERTER_NAMES.fullmatch(name):
                return True
            if name in FILE_READERS and not call.args and not call.keywords:
                return True
            if name == NODE_CONTENT[0] and any(k.arg == NODE_CONTENT[1] for k in call.keywords):
                return True
            if name in module.qualified and module.may_call_qualified(call):
                return True
        func = call.func
        if isinstance(func, ast.Name):  # the builtins (or a module of that name, imported)
            return "input" in names or ("open" in names and _may_read(call))
        if isinstance(func, ast.Attribute):
            method, owner = func.attr, stdlib_last_name(func.value)
            if method in PAGE_TEXT_METHODS or (method in RUN_METHODS and (owner == "tool" or owner.endswith("_tool"))):
                return True
            return any(method in methods and receiver.search(owner) for receiver, methods, _ in RECEIVER_SOURCES)
        return False

    @staticmethod
    def attribute_is_source(node: ast.Attribute) -> bool:
        attr = node.attr
        return (
            attr == DOCUMENT_ATTRIBUTE
            or attr in PAGE_TEXT_ATTRIBUTES
            or (attr == UPLOAD_ATTRIBUTE[1] and stdlib_last_name(node.value) == UPLOAD_ATTRIBUTE[0])
            or bool(TOOL_NAMES.fullmatch(attr))
        )

    @staticmethod
    def binding_is_source(node: ast.Name) -> bool:
        """A variable named as tool output, given a value."""
        return type(node.ctx) is ast.Store and bool(TOOL_NAMES.fullmatch(node.id))

    @staticmethod
    def parameter_is_source(arg: ast.arg) -> bool:
        """A parameter named as the user's text or tool output, or annotated with a document or upload type."""
        if USER_NAMES.fullmatch(arg.arg) or TOOL_NAMES.fullmatch(arg.arg):
            return True
        if arg.annotation is None:
            return False
        return any(
            (isinstance(n, ast.Name) and n.id in _SOURCE_TYPES)
            or (isinstance(n, ast.Attribute) and n.attr in _SOURCE_TYPES)
            for n in ast.walk(arg.annotation)
        )


_SOURCE_TYPES = DOCUMENT_TYPES | UPLOAD_TYPES


def _may_read(call: ast.Call) -> bool:
    """``open(...)`` with no mode, a mode that may read, or one not written as a literal."""
    mode = next((k.value for k in call.keywords if k.arg == "mode"), None)
    if mode is None and len(call.args) > 1:
        mode = call.args[1]
    if mode is None:
        return True
    if isinstance(mode, ast.Constant):
        return isinstance(mode.value, str) and not set("wax+") & set(mode.value)
    return True


# ``def`` and the name it defines: between them only blanks and backslash-joined lines.
_DEF_NAME = re.compile(r"\bdef(?:[ \t\f]|\\\r?\n)+(\w+)")


@lru_cache(maxsize=1024)
def defined_names(text: str) -> frozenset[str]:
    """The names of the functions and methods a module's ``text`` may define, read from the text
    (a superset: a ``def`` in a string counts too), as ``stdlib_functions`` would find them: a
    module that defines none of the names a file calls has no helper the file may run, and its
    module facts need not be worked out. ``text`` as the project reads it (names normalised)."""
    return frozenset(_DEF_NAME.findall(text))


def stdlib_functions(
    body: list[ast.stmt], owner: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """The defs of a block and of the classes in it (not of a class in a method), also those
    under its compound statements, in source order, labelled as ``summaries.ModuleFunctions``
    finds and labels them."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield f"{owner}{statement.name}", statement
        elif isinstance(statement, ast.ClassDef):
            if not owner:
                yield from stdlib_functions(statement.body, f"{statement.name}.")
        else:
            for block in statement_blocks(statement):
                yield from stdlib_functions(block, owner)


_NOT_ITS_OWN = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)  # analysed on their own


def returns_value(body: list[ast.stmt]) -> bool:
    """Whether a block holds a ``return`` with a value, not counting nested defs and classes
    (what the taint analysis reads a function's result from)."""
    for statement in body:
        if isinstance(statement, ast.Return):
            if statement.value is not None:
                return True
        elif not isinstance(statement, _NOT_ITS_OWN) and any(map(returns_value, statement_blocks(statement))):
            return True
    return False


# -- which helpers of a module may return untrusted content --------------------------------


def _chain(node: ast.Attribute) -> list[str] | None:
    """``["a", "b", "c"]`` for the chain ``a.b.c``; None for ``f().c``."""
    parts = [node.attr]
    value = node.value
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if not isinstance(value, ast.Name):
        return None
    parts.append(value.id)
    parts.reverse()
    return parts


@dataclass(frozen=True)
class HelperReturns:
    """Of a function of another module that returns a value: whether a source of the catalogue
    is in its body (nested functions included), the last names of the calls it makes (a
    configured source among them?), and the labels of the module's helpers it may call, as
    ``summaries.ModuleFunctions.called`` finds them (``helper()``; ``self.m()`` or ``cls.m()``
    in a method: its class's ``m``)."""

    sourced: bool
    calls: frozenset[str]
    reaches: frozenset[str]


@dataclass(frozen=True)
class ModuleReturns:
    """The helpers of a module that may return untrusted content, by their module's stdlib tree:
    as ``untrusted.TRUST_FLOWS`` summarises them (within their module, so a helper that gets its
    content from a third module is not followed), erring towards "may"."""

    helpers: Mapping[str, HelperReturns]  # by label: ``fetch_page``, ``Fetcher.fetch``
    _returning: dict[frozenset[str], frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def returning(self, configured: frozenset[str]) -> frozenset[str]:
        """The labels of the helpers that may return untrusted content, the configured sources
        (last names) counted as sources: a helper calling another of the module's that does
        returns it too."""
        found = self._returning.get(configured)
        if found is None:
            tainted = {label for label, helper in self.helpers.items() if helper.sourced or helper.calls & configured}
            grown = True
            while grown:
                grown = False
                for label, helper in self.helpers.items():
                    if label not in tainted and helper.reaches & tainted:
                        tainted.add(label)
                        grown = True
            found = self._returning[configured] = frozenset(tainted)
        return found


def calls_a_helper(
    labels: Iterable[str],
    calls: Iterable[tuple[str, ...]],
    module: ModuleNames,
) -> bool:
    """Whether one of ``calls`` (each as its ``ModuleNames.call_names``) may run one of the
    helpers ``labels`` of other modules: a function by its name, a method (``Browser.read``)
    by its name where the file names its class too (an import, an attribute ``web.Browser``, a
    forward reference): the analysis reaches a method only through its class's qualified name."""
    functions: set[str] = set()
    methods: dict[str, set[str]] = {}
    for label in labels:
        owner, _, name = label.rpartition(".")
        if owner:
            methods.setdefault(name, set()).add(owner)
        else:
            functions.add(name)
    for names in calls:
        for name in names:
            if name in functions:
                return True
            owners = methods.get(name)
            if owners and owners & module.class_names:
                return True
    return False


def _is_receiver(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def _forward_references(annotations: Iterable[ast.expr | None]) -> Iterator[str]:
    """The strings of the annotations, also inside one (``Optional["httpx.AsyncClient"]``)."""
    for annotation in annotations:
        if annotation is None:
            continue
        for node in ast.walk(annotation):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value.strip()


class TrustReturns(ModuleFact[ModuleReturns]):
    """A module's ``ModuleReturns``, read on its stdlib tree; none for a module absent or the
    running Python cannot parse (nothing of it is followed then)."""

    kind = "trust-returns"
    catalogue = SourceCatalogue(())

    def read(self, name: str, tree: ast.Module) -> dict[str, Any]:
        nodes = nodes_by_type(tree)

        def of(kind: type[Node]) -> list[Node]:
            return cast("list[Node]", nodes.get(kind, []))

        annotations = [
            *(n.annotation for n in of(ast.arg)),
            *(n.annotation for n in of(ast.AnnAssign)),
            *(n.returns for n in of(ast.FunctionDef)),
            *(n.returns for n in of(ast.AsyncFunctionDef)),
        ]
        imports: list[ast.Import | ast.ImportFrom] = [*of(ast.Import), *of(ast.ImportFrom)]
        module = ModuleNames(imports, of(ast.Attribute), annotations, name, is_package=False)
        helpers: dict[str, Any] = {}
        for label, function in stdlib_functions(tree.body):
            if not returns_value(function.body):
                continue
            owner = label.rpartition(".")[0]
            sourced, calls, reaches = self._reading(function, module, owner)
            earlier = helpers.get(label)  # defined twice (a fallback): either may be the one in force
            if earlier is not None:
                sourced = sourced or earlier["sourced"]
                calls, reaches = calls | set(earlier["calls"]), reaches | set(earlier["reaches"])
            helpers[label] = {"sourced": sourced, "calls": sorted(calls), "reaches": sorted(reaches)}
        return helpers

    def _reading(self, function: ast.AST, module: ModuleNames, owner: str) -> tuple[bool, set[str], set[str]]:
        catalogue = self.catalogue
        nodes = nodes_by_type(function)  # the function's own nodes (and its nested ones') by type
        sourced = any(map(catalogue.attribute_is_source, cast("list[ast.Attribute]", nodes.get(ast.Attribute, []))))
        sourced = sourced or any(map(catalogue.binding_is_source, cast("list[ast.Name]", nodes.get(ast.Name, []))))
        calls: set[str] = set()
        reaches: set[str] = set()
        for call in cast("list[ast.Call]", nodes.get(ast.Call, [])):
            names = module.call_names(call)
            calls.update(names)
            sourced = sourced or catalogue.call_is_source(call, module, names)
            func = call.func
            if isinstance(func, ast.Name):
                reaches.add(func.id)
            elif owner and isinstance(func, ast.Attribute) and _is_receiver(func.value):
                reaches.add(f"{owner}.{func.attr}")
        return sourced, calls, reaches

    def unreadable(self, name: str, failure: LookupFailed) -> dict[str, Any]:
        return {}

    def load(self, name: str, value: Any) -> ModuleReturns:
        helpers = {}
        for label, entry in value.items():
            calls, reaches = entry["calls"], entry["reaches"]
            if type(entry["sourced"]) is not bool or not all(type(c) is str for c in (*calls, *reaches)):
                raise TypeError("malformed helper reading")
            helpers[label] = HelperReturns(entry["sourced"], frozenset(calls), frozenset(reaches))
        return ModuleReturns(helpers)


TRUST_RETURNS = TrustReturns()
