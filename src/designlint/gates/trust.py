"""The gates of DL401 (``designlint.rules.trust``)."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from designlint.gates import AllOf, Gate
from designlint.tables.trust import TrustOptions

if TYPE_CHECKING:
    from designlint.context import FileFacts

# Prompt and template names are matched in any case, as PROMPT_VARIABLE and PROMPT_OBJECT are
# (``SYSTEM_PROMPT``, ``QA_TEMPLATE``).
SINK_HINTS = r"messages\s*=|system\w*\s*=|instructions\s*=|(?i:prompt|template)|input\s*=|role['\"]|Message\(|invoke\("
SOURCE_HINTS = (
    r"requests|httpx|aiohttp|urllib|page_content|(?i:retriev)|relevant_documents|Document|NodeWithScore|TextNode|BaseNode|metadata_mode|similarity_search|marginal_relevance|observation"
    r"|(?:tool|function)_(?:output|result|response)|\btool\.|_tool\.|user_(?:input|message|msg|query|question|request|text)"
    r"|\binput\(|\bopen\(|read_text|read_bytes|subprocess|inner_text|text_content|page_source|UploadFile|FileStorage"
    r"|query\(|search\(|get_relevant|get_all\(|get_prompt|read_resource|call_tool|\.content\("
)
# Or a helper of another module of the project may return untrusted content (see ``could_fire``).
IMPORT_HINT = r"\bimport\b"


class UntrustedContentGate(Gate):
    codes = ("DL401",)
    prefilter = AllOf(SINK_HINTS, f"{SOURCE_HINTS}|{IMPORT_HINT}")

    def __init__(self, config):
        super().__init__(config)
        trust = self.options = config.options(TrustOptions)
        extra_sinks = "|".join(re.escape(n.rsplit(".", 1)[-1]) for n in trust.sinks)
        extra_sources = "|".join(re.escape(n.rsplit(".", 1)[-1]) for n in trust.sources)
        sinks = f"{SINK_HINTS}|{extra_sinks}" if extra_sinks else SINK_HINTS
        sources = f"{SOURCE_HINTS}|{extra_sources}" if extra_sources else SOURCE_HINTS
        self.prefilter = AllOf(sinks, f"{sources}|{IMPORT_HINT}")
        self.sources_named = re.compile(sources)

    def could_fire(self, file: FileFacts) -> bool:
        """A source named in the text, or an import of another module of the project: one of
        the file's own top package, or a relative one."""
        if file.tree is None or self.sources_named.search(file.text):
            return True
        top = (file.module_name or "").partition(".")[0]
        return any(module.partition(".")[0] == top for module in file.imports or ()) or any(
            node.level for node in file.nodes_of(ast.ImportFrom)
        )
