"""The gates of DL401 (``designlint.rules.trust``)."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from designlint.analysis.untrusted_sources import (
    TRUST_RETURNS,
    ModuleNames,
    SourceCatalogue,
    calls_a_helper,
    defined_names,
)
from designlint.gates import AllOf, Gate
from designlint.tables.trust import TrustOptions

if TYPE_CHECKING:
    from designlint.context import FileFacts

# Prompt and template names are matched in any case, as PROMPT_VARIABLE and PROMPT_OBJECT are
# (``SYSTEM_PROMPT``, ``QA_TEMPLATE``); a builder named for messages (``to_messages(``); every
# method of PROMPT_FIRST_METHODS (``astream(``, ``apredict(``).
# The names' tails are bounded: ``\w*`` before a literal is quadratic on a run of the word
# (``systemsystem...``), each start scanning the rest of the run.
SINK_HINTS = r"messages\s*=|messages\w{0,40}\(|system\w{0,40}\s*=|instructions\s*=|(?i:prompt|template)|input\s*=|role['\"]|Message\(|invoke\(|stream\(|predict\("
SOURCE_HINTS = (
    r"requests|httpx|aiohttp|urllib|page_content|(?i:retriev)|relevant_documents|Document|NodeWithScore|TextNode|BaseNode|metadata_mode|similarity_search|marginal_relevance|observation"
    r"|(?:tool|function)_(?:output|result|response)|\btool\.|_tool\.|user_(?:input|message|msg|query|question|request|text)"
    r"|\binput\(|\bopen\(|read_text|read_bytes|subprocess|inner_text|text_content|page_source|UploadFile|FileStorage"
    r"|query\(|search\(|get_relevant|get_all\(|get_prompt|read_resource|call_tool|\.content\("
)
# Or a helper of another module of the project may return untrusted content, or put a
# parameter into a prompt (see ``could_fire``).
IMPORT_HINT = r"\bimport\b"


class UntrustedContentGate(Gate):
    codes = ("DL401",)
    prefilter = AllOf(f"{SINK_HINTS}|{IMPORT_HINT}", f"{SOURCE_HINTS}|{IMPORT_HINT}")

    def __init__(self, config):
        super().__init__(config)
        trust = self.options = config.options(TrustOptions)
        extra_sinks = "|".join(re.escape(n.rsplit(".", 1)[-1]) for n in trust.sinks)
        extra_sources = "|".join(re.escape(n.rsplit(".", 1)[-1]) for n in trust.sources)
        sinks = f"{SINK_HINTS}|{extra_sinks}" if extra_sinks else SINK_HINTS
        sources = f"{SOURCE_HINTS}|{extra_sources}" if extra_sources else SOURCE_HINTS
        self.prefilter = AllOf(f"{sinks}|{IMPORT_HINT}", f"{sources}|{IMPORT_HINT}")
        self.sinks = re.compile(sinks)
        self.catalogue = SourceCatalogue(trust.sources)

    def could_fire(self, file: FileFacts) -> bool:
        """A sink may be in the file (its text hints at one) or in another module of the
        project it calls (a helper putting a parameter into a prompt: that module's text hints
        at one); and a source may be in
        it: a call or attribute of the catalogue, a configured source, a variable or parameter
        named or annotated as one, or a call of a helper of another module of the project that
        may return untrusted content (``TRUST_RETURNS``)."""
        if file.tree is None:
            return True
        project = file.project
        module = called = None
        if not self.sinks.search(file.text):  # the prefilter passed on an import
            if project is None:
                return False
            module = self._names(file)
            called = module.called_modules(lambda name: project.source(name) is not None)
            # The rule reads a helper's prompt parameters in the helper's own module (not through
            # a re-export or a third module), so that module's text must hint at a sink.
            if not any(self.sinks.search(project.source(name) or "") for name in called):
                return False
        catalogue = self.catalogue
        if any(map(catalogue.attribute_is_source, file.nodes_of(ast.Attribute))):
            return True
        if any(map(catalogue.binding_is_source, file.nodes_of(ast.Name))):
            return True
        if any(map(catalogue.parameter_is_source, file.nodes_of(ast.arg))):
            return True
        module = module or self._names(file)
        calls = [(call, module.call_names(call)) for call in file.nodes_of(ast.Call)]
        if any(catalogue.call_is_source(call, module, names) for call, names in calls):
            return True
        if project is None or not module.bound:
            return False
        helpers: set[str] = set()
        if called is None:
            called = module.called_modules(lambda name: project.source(name) is not None)
        call_names = {name for _, names in calls for name in names}
        for name in called:
            # A helper the file may run is one it calls by the name of its ``def``: a module
            # defining none of those names is not read (its TRUST_RETURNS parses it).
            if not call_names.isdisjoint(defined_names(project.source(name) or "")):
                helpers |= project.fact(TRUST_RETURNS, name).returning(catalogue.configured)
        return bool(helpers) and calls_a_helper(helpers, (names for _, names in calls), module)

    @staticmethod
    def _names(file: FileFacts) -> ModuleNames:
        is_package = file.relpath.rpartition("/")[2] in ("__init__.py", "__init__.pyi")
        annotations = [
            *(arg.annotation for arg in file.nodes_of(ast.arg)),
            *(node.annotation for node in file.nodes_of(ast.AnnAssign)),
            *(node.returns for node in file.nodes_of(ast.FunctionDef)),
            *(node.returns for node in file.nodes_of(ast.AsyncFunctionDef)),
        ]
        return ModuleNames(
            file.nodes_of(ast.Import, ast.ImportFrom),
            list(file.nodes_of(ast.Attribute)),
            annotations,
            file.module_name,
            is_package,
        )
