"""DL3xx: the framework adapter boundary (design category: framework adapter pattern).

Agent frameworks and model SDKs change fast; the design keeps each of them behind an adapter
module that converts its objects to the project's own types. DL301 finds framework imports
outside adapter modules, DL302 adapter functions that hand framework objects to their callers.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from designlint.analysis.frameworks import framework_words, named_after
from designlint.analysis.inference import FileInference
from designlint.analysis.modules import module_glob_matches, module_parts
from designlint.analysis.names import Binding, dotted_name, last_name
from designlint.analysis.strings import literal_string
from designlint.analysis.summaries import ModuleFunctions
from designlint.analysis.syntax import child_nodes
from designlint.gates.adapters import BoundaryGate
from designlint.parsing import ParseRefused, parse_expression
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid

if TYPE_CHECKING:
    from designlint.context import FileFacts


ADAPTER_PACKAGES = frozenset({"adapters", "adapter"})
# Test code drives and fakes the frameworks it tests against: no boundary to keep there.
TEST_PACKAGES = frozenset({"tests", "test", "testing"})
DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "__import__"})
# Methods of framework objects whose results are plain data, not framework objects.
CONVERSIONS = frozenset({"model_dump", "model_dump_json", "dict", "json", "to_dict", "to_json", "to_string", "decode"})


def is_adapter_module(parts: list[str], patterns: tuple[str, ...] | None) -> bool:
    """Whether a module is named as an adapter of every framework: under a configured glob when
    globs are configured (None: they are not); else by convention, a part named
    ``adapters``/``adapter`` or a module file named ``*_adapter.py``."""
    if not parts:
        return False
    if patterns is not None:
        return module_glob_matches(patterns, ".".join(parts))
    return any(part in ADAPTER_PACKAGES for part in parts) or parts[-1].endswith("_adapter")


def is_test_module(parts: list[str]) -> bool:
    """A module of a ``tests``/``test``/``testing`` package, ``conftest``, ``test_*`` or ``*_test``."""
    name = parts[-1] if parts else ""
    return (
        any(part in TEST_PACKAGES for part in parts)
        or name == "conftest"
        or name.startswith("test_")
        or name.endswith("_test")
    )


def declares_adapter_class(tree: ast.Module | cst.Module | None) -> bool:
    """Whether a module defines, at its top level, a class named ``*Adapter`` that extends no
    other ``*Adapter`` (``logging.LoggerAdapter``, requests' ``HTTPAdapter``: those adapt a
    library's own machinery, not a framework). Reads the stdlib's tree or LibCST's."""
    if isinstance(tree, ast.Module):
        classes = [
            (node.name, [ast.unparse(base) for base in node.bases])
            for node in tree.body
            if isinstance(node, ast.ClassDef)
        ]
    elif isinstance(tree, cst.Module):
        classes = [
            (node.name.value, [dotted_name(arg.value) or "" for arg in node.bases])
            for node in tree.body
            if isinstance(node, cst.ClassDef)
        ]
    else:
        return False
    return any(
        name.endswith("Adapter") and not any(base.endswith("Adapter") for base in bases) for name, bases in classes
    )


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
    in_adapter: bool  # named as an adapter of every framework (see ``is_adapter_module``)
    # Zero-config only (no ``adapters.modules``), what DL301 also takes for an adapter: test
    # code, a module declaring an ``*Adapter`` class, a module named after the framework.
    # DL302 does not hold these guesses to the boundary: the project names its adapters first.
    is_test: bool
    declares_adapter: bool
    by_name: bool

    def adapts(self, framework: str) -> bool:
        """Whether ``framework`` may be imported here: in an adapter module, in test code, or in
        a module named after that framework (``providers/openai.py``, ``chainlit/langchain/``)."""
        if self.in_adapter or self.is_test or self.declares_adapter:
            return True
        return self.by_name and named_after(self.parts, framework)


class _BoundaryRule(BoundaryGate, Rule):
    """What both rules need: the framework list and where the linted file stands."""

    def place_of(
        self, relpath: str, module_name: str | None, parents: tuple[str, ...], tree: ast.Module | cst.Module | None
    ) -> Place:
        parts = module_parts(relpath, module_name)
        patterns = self.options.modules
        zero_config = patterns is None
        return Place(
            parts,
            parents,
            module_name is None,
            is_adapter_module(parts, patterns),
            is_test=zero_config and is_test_module(parts),
            declares_adapter=zero_config and declares_adapter_class(tree),
            by_name=zero_config,
        )

    def file_place(self, file: FileFacts) -> Place:
        return self.place_of(file.relpath, file.module_name, file.module_parents, file.tree)

    def setup(self) -> None:
        context = self.context
        self.place = self.place_of(context.relpath, context.module_name, context.module_parents, context.module)

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


_IMPORTS_OPENAI = """
import openai

client = openai.OpenAI()
"""
_GATEWAYS = '[adapters]\nmodules = ["app.gateways.*"]'


class FrameworkImportOutsideAdapter(_BoundaryRule):
    """An import of an agent framework or model SDK (on dotted boundaries: ``openai.types``,
    not ``openai_compat``) outside an adapter module, type-checking imports, imports in
    functions and ``importlib.import_module("...")`` included."""

    code = "DL301"
    name = "framework-import-outside-adapter"
    VALID = (
        Valid(
            """
            from app.adapters.retrieval import search_documents
            from app.models import Document


            def search(query: str) -> list[Document]:
                return search_documents(query)
            """,
            path="app/tools/search.py",
        ),
        Valid(
            """
            import openai

            from app.models import Completion


            async def complete(client: "Chat", prompt: str) -> Completion:
                return Completion(text=prompt)


            class Chat:
                def __init__(self, api_key: str):
                    self._client = openai.AsyncOpenAI(api_key=api_key)
            """,
            path="app/adapters/openai_chat.py",
        ),
        # Adapter modules by convention: a package named adapters/adapter, or *_adapter.py.
        Valid(_IMPORTS_OPENAI, path="src/app/adapters/openai_chat.py"),
        Valid(_IMPORTS_OPENAI, path="app/adapter/__init__.py"),
        Valid(_IMPORTS_OPENAI, path="app/llm/openai_adapter.py"),
        Valid(_IMPORTS_OPENAI, path="app/adapters.py"),
        # Configured globs replace the convention; a parent package's glob covers its subpackages.
        Valid(_IMPORTS_OPENAI, path="src/app/gateways/chat.py", config=_GATEWAYS),
        Valid(_IMPORTS_OPENAI, path="src/app/gateways/chat/client.py", config=_GATEWAYS),
        Valid(
            """
            import openai_compat
            import langchain_text_splitters_extra
            from google import auth
            from app.adapters import openai_chat
            import importlib
            importlib.import_module(".openai", package="app")
            """,
            path="app/tools/search.py",
        ),
        # Zero-config, a module or package named after the framework it imports is its adapter:
        # provider registries, integrations packages, backends, a ``*_client`` module.
        Valid(_IMPORTS_OPENAI, path="src/app/llm/openai.py"),
        Valid(
            """
            from anthropic import AsyncAnthropic
            from anthropic.types import Message

            from app.llm.base import CompletionProvider


            class AnthropicCompletionProvider(CompletionProvider):
                def __init__(self, config):
                    self.client = AsyncAnthropic(api_key=config.api_key)
            """,
            path="app/providers/llm/anthropic_provider.py",
        ),
        Valid(
            """
            from langchain_core.callbacks import AsyncCallbackHandler
            from langchain_core.outputs import LLMResult


            class Tracer(AsyncCallbackHandler):
                async def on_llm_end(self, response: LLMResult, **kwargs) -> None:
                    await self.emit(response.llm_output)
            """,
            path="app/integrations/langchain/callbacks.py",
        ),
        Valid("from langchain_classic.callbacks.base import BaseCallbackHandler\n", path="app/langchain/tracer.py"),
        Valid(
            "from mistralai import Mistral\nfrom mistralai.models import OCRResponse\n",
            path="app/backends/ocr/mistral.py",
        ),
        Valid(
            """
            from google import genai
            from google.genai import types as genai_types


            def client(api_key: str) -> genai.Client:
                return genai.Client(api_key=api_key, http_options=genai_types.HttpOptions(timeout=30_000))
            """,
            path="app/providers/gemini_client.py",
        ),
        Valid("from google.genai import types\n", path="app/providers/vertexai/converters.py"),
        Valid("from llama_index.core.callbacks import CBEventType\n", path="app/llama_index/callbacks.py"),
        # A module that declares an adapter class is an adapter (an OpenAI-compatible vendor).
        Valid(
            """
            from openai import AsyncOpenAI

            from app.providers.mixins import OpenAIMixin


            class WatsonXInferenceAdapter(OpenAIMixin):
                def client(self) -> AsyncOpenAI:
                    return AsyncOpenAI(base_url=self.config.url, api_key=self.config.api_key)
            """,
            path="app/providers/remote/watsonx/watsonx.py",
        ),
        # A module implementing a framework's interface (a callback handler) is its adapter.
        Valid(
            """
            from langchain_classic.callbacks.base import AsyncCallbackHandler
            from langchain_core.agents import AgentAction

            from app.api.schemas import ChatResponse


            class StreamingCallbackHandler(AsyncCallbackHandler):
                async def on_agent_action(self, action: AgentAction, **kwargs) -> None:
                    await self.socket.emit(ChatResponse(message=action.log))
            """,
            path="app/api/v1/callback.py",
        ),
        # Test code fakes and drives the frameworks.
        Valid(
            """
            from unittest import mock

            import openai
            import pytest


            @pytest.fixture
            def fake_client():
                with mock.patch.object(openai.resources.chat.Completions, "create") as create:
                    yield create
            """,
            path="tests/test_chat.py",
        ),
        Valid(_IMPORTS_OPENAI, path="src/app/conftest.py"),
        Valid("import ollama\n\nollama.Client = FakeClient\n", path="app/testing/recorder.py"),
        Valid(_IMPORTS_OPENAI, path="app/chat/chat_test.py"),
        # A framework's own modules import it freely, also from a checkout outside the root.
        Valid("from openai.types import Model\n", path="openai/resources/models.py"),
        Valid("from langchain_core.utils import x\n", path="../corpus/langchain-core/langchain_core/tools/base.py"),
        Valid("import requests\n\nrequests.get('https://api.example.com')\n", path="app/x.py"),
        Valid(_IMPORTS_OPENAI, path="app/x.py", config={"adapters": {"frameworks": ["acme_llm"]}}),
    )
    INVALID = (
        Invalid(
            """
            from langchain_core.documents import Document


            def search(query: str) -> list[Document]:
                return []
            """,
            path="app/tools/search.py",
            line=1,
            column=1,
            message="langchain_core",
        ),
        Invalid(
            """
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from openai.types.chat import ChatCompletion


            def summarise(completion: "ChatCompletion") -> str:
                return completion.choices[0].message.content
            """,
            path="app/tools/summarise.py",
            line=4,
            column=5,
            message="openai",
        ),
        Invalid(
            """
            import importlib
            from typing import TYPE_CHECKING
            import openai as oai
            """,
            path="app/tools/search.py",
            line=3,
            column=8,
            message="openai",
        ),
        Invalid(
            "from google import genai, auth\n", path="app/tools/search.py", line=1, column=20, message="google.genai"
        ),
        Invalid(
            """
            from langchain_core.messages import HumanMessage


            def as_message(text: str):
                return HumanMessage(content=text)
            """,
            path="app/tools/search.py",
            line=1,
            column=1,
            end_column=49,
            message="framework module `langchain_core.messages` imported outside an adapter module (in `app.tools.search`)",
        ),
        Invalid(
            """
            from __future__ import annotations

            import typing

            if typing.TYPE_CHECKING:
                from anthropic.types import Message


            def text_of(message: Message) -> str:
                return message.content[0].text
            """,
            path="app/tools/search.py",
            line=6,
            column=5,
            message="`anthropic.types`",
        ),
        Invalid(
            """
            try:
                import litellm
            except ImportError:
                litellm = None
            """,
            path="app/tools/search.py",
            line=2,
            column=12,
            message="litellm",
        ),
        Invalid(
            """
            def load():
                import llama_index.core
                return llama_index.core.VectorStoreIndex
            """,
            path="app/tools/search.py",
            line=2,
            column=12,
            message="llama_index",
        ),
        Invalid(
            """
            def load():
                return __import__("cohere")
            """,
            path="app/tools/search.py",
            line=2,
            column=12,
            message="cohere",
        ),
        Invalid(
            """
            import importlib


            def load(name):
                return importlib.import_module("mistralai")
            """,
            path="app/tools/search.py",
            line=5,
            column=12,
            message="mistralai",
        ),
        # Not adapters: a name that only contains the word.
        Invalid(_IMPORTS_OPENAI, path="app/readapters/x.py", line=1, column=8, message="openai"),
        Invalid(_IMPORTS_OPENAI, path="app/llm/adapterish.py", line=1, column=8, message="openai"),
        # Configured globs replace the convention.
        Invalid(_IMPORTS_OPENAI, path="src/app/adapters/chat.py", config=_GATEWAYS, line=1, column=8, message="openai"),
        # A module named after one framework is not the adapter of another.
        Invalid("import anthropic\n", path="src/app/llm/openai.py", line=1, column=8, message="anthropic"),
        # A word inside a longer one names nothing; a ``providers`` package alone is no adapter.
        Invalid(_IMPORTS_OPENAI, path="app/llm/openaiish.py", line=1, column=8, message="openai"),
        Invalid(
            """
            import litellm


            class CompletionProvider:
                async def complete(self, request):
                    try:
                        return await self._complete(request)
                    except litellm.AuthenticationError:
                        raise ProviderAuthError(self.name) from None
            """,
            path="app/base/providers/llm.py",
            line=1,
            column=8,
            message="litellm",
        ),
        Invalid(
            """
            import logging

            import litellm

            litellm.suppress_debug_info = True


            class RequestLoggerAdapter(logging.LoggerAdapter):
                def process(self, msg, kwargs):
                    return msg, kwargs
            """,
            path="app/utils/logger.py",
            line=3,
            column=8,
            message="litellm",
        ),
        Invalid(
            """
            class OpenAIAdapterConfig:
                pass


            def make():
                from openai import OpenAI
                return OpenAI()
            """,
            path="app/settings.py",
            line=6,
            column=5,
            message="openai",
        ),
        Invalid(
            """
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from langchain_classic.callbacks.base import BaseCallbackHandler


            class Tracer:
                def get_langchain_callback(self) -> "BaseCallbackHandler | None":
                    return None
            """,
            path="app/services/tracing/langwatch.py",
            line=4,
            column=5,
            message="`langchain_classic.callbacks.base` imported under TYPE_CHECKING",
        ),
        # Only the framework subclassed: another one imported beside it is reported.
        Invalid(
            """
            import litellm
            from langchain_core.callbacks.base import BaseCallbackHandler


            class Handler(BaseCallbackHandler):
                pass
            """,
            path="app/api/v1/callback.py",
            line=1,
            column=8,
            message="litellm",
        ),
        # Configured globs replace every zero-config default: names, tests, declared classes.
        Invalid(_IMPORTS_OPENAI, path="src/app/llm/openai.py", config=_GATEWAYS, line=1, column=8, message="openai"),
        Invalid(_IMPORTS_OPENAI, path="tests/test_chat.py", config=_GATEWAYS, line=1, column=8, message="openai"),
        Invalid(
            "import openai\n\nclass ChatAdapter:\n    pass\n",
            path="app/chat.py",
            config=_GATEWAYS,
            line=1,
            column=8,
            message="openai",
        ),
        # An empty list: no module is an adapter.
        Invalid(
            _IMPORTS_OPENAI,
            path="app/adapters/openai_chat.py",
            config="[adapters]\nmodules = []",
            line=1,
            column=8,
            message="openai",
        ),
        Invalid(
            "import acme_llm\n",
            path="app/x.py",
            config={"adapters": {"extend-frameworks": ["acme_llm"]}},
            line=1,
            column=8,
            message="acme_llm",
        ),
        Invalid(
            "import openai\nimport acme_llm\n",
            path="app/x.py",
            config={"adapters": {"frameworks": ["acme_llm"]}},
            line=2,
            column=8,
            message="acme_llm",
        ),
    )

    def could_fire(self, file: FileFacts) -> bool:
        # Most files naming a framework only mention it, or import their own framework: the
        # stdlib's tree, already built, tells from its import statements alone.
        place = self.file_place(file)
        if place.in_adapter or place.is_test or place.declares_adapter:
            return False
        if file.imports is None or "import_module" in file.text or "__import__" in file.text:
            return True
        return any(
            (framework := self.foreign_framework(module, place)) and not place.adapts(framework)
            for module in file.imports
        )

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._check(alias, dotted_name(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
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
        if not node.args or short not in ("import_module", "__import__"):
            return
        names = self.context.names
        callee = names.qualify(node.func)
        if callee is None and isinstance(node.func, cst.Name) and names.lookup(node.func.value) is None:
            callee = node.func.value  # a builtin: ``__import__``
        if callee in DYNAMIC_IMPORTS:
            self._check(node, literal_string(node.args[0].value))

    def setup(self) -> None:
        super().setup()
        self.implemented: frozenset[tuple[str, ...]] = (
            self._implemented_frameworks() if self.place.by_name else frozenset()
        )

    def _implemented_frameworks(self) -> frozenset[tuple[str, ...]]:
        """The frameworks a top-level class here subclasses a class of (a LangChain callback
        handler, a llama-index chat store): such a module is that framework's adapter."""
        names = self.context.names
        found = set()
        for statement in self.context.module.body:
            if isinstance(statement, cst.ClassDef):
                for base in statement.bases:
                    framework = self.foreign_framework(names.qualify(base.value))
                    if framework is not None:
                        found.add(framework_words(framework))  # the family: langchain_classic and _core
        return frozenset(found)

    def _check(self, node: cst.CSTNode, module: str | None) -> None:
        framework = self.foreign_framework(module)
        if framework is None or framework_words(framework) in self.implemented or self.place.adapts(framework):
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

    framework_attrs: dict[str, str] = field(default_factory=dict)  # attribute -> framework qualname
    deferred: list[tuple[cst.CSTNode, _Function, str, cst.BaseExpression]] = field(default_factory=list)


_ADAPTER = "src/app/adapters/openai_chat.py"


class FrameworkTypeLeak(_BoundaryRule):
    """A public function of an adapter module that hands framework objects to its callers: a
    framework type in its annotations, or a framework object returned (a client, an SDK
    response, a helper's result as astroid places it, within the file only)."""

    code = "DL302"
    name = "framework-type-leak"
    VALID = (
        Valid(
            """
            from openai import AsyncOpenAI
            from openai.types.chat import ChatCompletion

            from app.models import Completion


            class Chat:
                def __init__(self, api_key: str):
                    self._client = AsyncOpenAI(api_key=api_key)

                async def complete(self, prompt: str) -> Completion:
                    response = await self._request(prompt)
                    return Completion(text=response.choices[0].message.content or "", model=response.model)

                async def _request(self, prompt: str) -> ChatCompletion:
                    return await self._client.chat.completions.create(model="gpt-4o-mini", messages=[])
            """,
            path="app/adapters/openai_chat.py",
        ),
        # Private functions and classes, nested functions, literals that only name a framework.
        Valid(
            """
            from typing import Literal, Annotated
            from openai.types.chat import ChatCompletion as Raw

            def e(provider: Literal["openai"], note: Annotated[str, "openai"]) -> str: ...
            def _private(x: Raw) -> Raw: ...
            class _Hidden:
                def run(self) -> Raw: ...
            class Public:
                def _helper(self) -> Raw: ...
            def outer() -> str:
                def inner() -> Raw: ...
                return ""
            """,
            path=_ADAPTER,
        ),
        # Converted values leave the adapter; the framework objects stay inside.
        Valid(
            """
            import openai
            from app.models import Completion

            _client = openai.OpenAI()

            def text(prompt):
                response = _client.chat.completions.create(model="m", messages=[])
                return response.choices[0].message.content

            def as_dict(prompt):
                return _client.chat.completions.create(model="m", messages=[]).model_dump()

            def converted(prompt) -> Completion:
                response = _client.chat.completions.create(model="m", messages=[])
                return Completion(text=response.choices[0].message.content)

            class Chat:
                async def names(self):
                    return [m.id for m in await openai.AsyncOpenAI().models.list()]

            def unknown():
                return somewhere_else()
            """,
            path=_ADAPTER,
        ),
        Valid("import openai\n\ndef client() -> openai.OpenAI: ...\n", path="app/tools/x.py"),
        # Zero-config guesses (test code, modules named after a framework, ``*Adapter`` classes)
        # silence DL301 only: DL302 holds the modules the project or the convention names.
        Valid("import openai\n\ndef client() -> openai.OpenAI: ...\n", path="tests/test_chat.py"),
        Valid(
            """
            from openai import AsyncOpenAI
            from openai.types import CreateEmbeddingResponse


            class OpenAIEmbeddingProvider:
                def __init__(self, api_key: str):
                    self.client = AsyncOpenAI(api_key=api_key)

                async def embed(self, texts: list[str]) -> CreateEmbeddingResponse:
                    return await self.client.embeddings.create(model="text-embedding-3-small", input=texts)
            """,
            path="app/providers/embeddings/openai.py",
        ),
    )
    INVALID = (
        Invalid(
            """
            from openai import AsyncOpenAI
            from openai.types.chat import ChatCompletion


            class Chat:
                def __init__(self, api_key: str):
                    self._client = AsyncOpenAI(api_key=api_key)

                async def complete(self, prompt: str) -> ChatCompletion:
                    return await self._client.chat.completions.create(model="gpt-4o-mini", messages=[])
            """,
            path="app/adapters/openai_chat.py",
            line=9,
            column=46,
            end_column=60,
            message="public adapter function `Chat.complete` exposes the framework type `openai.types.chat.ChatCompletion` to its callers (return annotation)",
        ),
        Invalid(
            """
            import openai

            _client = openai.OpenAI()


            def client():
                return _client
            """,
            path="app/adapters/openai_chat.py",
            line=7,
            column=5,
            message="`client`",
        ),
        Invalid(
            """
            from typing import Optional
            from openai.types.chat import ChatCompletion as Raw

            def first(x: Optional[Raw]) -> str: ...
            """,
            path=_ADAPTER,
            line=4,
            column=23,
            message="`first` exposes the framework type `openai.types.chat.ChatCompletion` to its callers (parameter `x`)",
        ),
        Invalid(
            'import openai\n\ndef make() -> "openai.OpenAI": ...\n',
            path=_ADAPTER,
            line=3,
            column=15,
            message="`openai.OpenAI`",
        ),
        Invalid(
            """
            from openai.types.chat import ChatCompletion as Raw

            def history() -> list[Raw] | None: ...
            """,
            path=_ADAPTER,
            line=3,
            column=23,
            message="`openai.types.chat.ChatCompletion` to its callers (return annotation)",
        ),
        Invalid(
            """
            import openai
            Client = openai.AsyncOpenAI

            def make() -> Client: ...
            """,
            path=_ADAPTER,
            line=4,
            column=15,
            message="`openai.AsyncOpenAI`",
        ),
        Invalid(
            """
            from openai.types.chat import ChatCompletion as Raw

            class Public:
                def run(self) -> Raw: ...
            """,
            path=_ADAPTER,
            line=4,
            column=22,
            message="`Public.run`",
        ),
        Invalid(
            """
            from openai.types.chat import ChatCompletion as Raw

            class Public:
                def __call__(self, raw: Raw) -> str: ...
            """,
            path=_ADAPTER,
            line=4,
            column=29,
            message="`Public.__call__`",
        ),
        Invalid(
            """
            import openai

            _client = openai.OpenAI()

            def completion(prompt):
                return _client.chat.completions.create(model="m", messages=[])
            """,
            path=_ADAPTER,
            line=6,
            column=5,
            message="`completion`",
        ),
        Invalid(
            """
            import openai

            class Chat:
                def __init__(self, client: openai.AsyncOpenAI | None = None):
                    self._client = client or openai.AsyncOpenAI()
            """,
            path=_ADAPTER,
            line=4,
            column=32,
            message="`openai.AsyncOpenAI`",
        ),
        Invalid(
            """
            import openai

            class Chat:
                def __init__(self):
                    self._client = openai.AsyncOpenAI()

                async def raw(self):
                    result = await self._client.models.list()
                    return result
            """,
            path=_ADAPTER,
            line=9,
            column=9,
            message="`Chat.raw`",
        ),
        Invalid(
            """
            import openai

            class Chat:
                def __init__(self):
                    self._client = openai.AsyncOpenAI()

                def client(self):
                    return self._client
            """,
            path=_ADAPTER,
            line=8,
            column=9,
            message="`Chat.client`",
        ),
        # astroid places the helper a call goes to, within this file.
        Invalid(
            """
            import openai

            class _Base:
                def _ask(self) -> openai.types.chat.ChatCompletion:
                    return openai.OpenAI().chat.completions.create(model="m", messages=[])

            class Chat(_Base):
                def answer(self):
                    response = self._ask()
                    return response

                def text(self):
                    return self._ask().choices[0].message.content
            """,
            path=_ADAPTER,
            line=10,
            column=9,
            message="`Chat.answer`",
        ),
        Invalid(
            """
            import openai

            def _build():
                return openai.OpenAI()

            def client():
                make = _build
                return make()
            """,
            path=_ADAPTER,
            line=8,
            column=5,
            message="`client`",
        ),
    )

    def could_fire(self, file: FileFacts) -> bool:
        return self.file_place(file).in_adapter

    def setup(self) -> None:
        super().setup()
        self.in_adapter = self.place.in_adapter
        self.classes: list[_ClassFacts] = []
        self.functions: list[_Function | None] = []  # for each enclosing def: its summary, or None
        self.summaries: dict[str, _Function] = {}
        self.module_functions = ModuleFunctions(self.context.module)

    # -- where the boundary is ---------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        top_level = not self.functions and not self.classes
        self.classes.append(_ClassFacts())
        if self.in_adapter and top_level:
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
        # Module-level functions and methods of module-level classes have summaries; nested ones do not.
        known = self.module_functions.get(node) if self.in_adapter else None
        function = _Function(known.label, known.public) if known is not None else None
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
                parsed = parse_expression(text) if text else None
            except (cst.ParserSyntaxError, ParseRefused):
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
        for child in child_nodes(expr):
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
        if framework is None or qualname is None:  # no framework without a name; the check narrows the type
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
        if self.in_adapter and self.classes and self.functions:
            self._record_attribute(node, class_body=False)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.in_adapter and self.classes and self.functions:
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


# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL301: imports in every kind of block, aliases, dynamic imports, ``from pkg import module``;
# DL302 in an adapter module.
GATE_CASES = (
    Gate("try:\n    import openai\nexcept ImportError:\n    openai = None\n", path="src/app/try_import.py"),
    Gate("try: import openai\nexcept ImportError: pass\n", path="src/app/one_line_try.py"),
    Gate("import os; import anthropic as claude\n", path="src/app/semicolon.py"),
    Gate(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from langchain_core.messages import AIMessage\n",
        path="src/app/type_checking.py",
    ),
    Gate(
        "class Agent:\n    async def run(self):\n        with open('x') as f:\n            from openai import AsyncOpenAI\n        return AsyncOpenAI\n",
        path="src/app/in_method.py",
    ),
    Gate(
        "def pick(kind):\n    match kind:\n        case 'a':\n            import anthropic\n            return anthropic\n",
        path="src/app/in_match.py",
    ),
    Gate(
        "for name in ('x',):\n    while True:\n        import litellm\n        break\nelse:\n    import groq\n",
        path="src/app/in_loop.py",
    ),
    Gate(
        "import importlib\nllm = importlib.import_module('openai')\nalso = __import__('cohere')\n",
        path="src/app/dynamic.py",
    ),
    # The module's name spelt apart in its string's text.
    Gate(
        "import importlib\nllm = importlib.import_module('open' 'ai')\nalso = __import__('\\x63ohere')\n",
        path="src/app/dynamic_apart.py",
    ),
    Gate("from google import genai\n", path="src/app/from_package.py"),
    Gate("# we used to call openai here\nNAME = 'openai'\n", path="src/app/mention_only.py", fires=False),
    Gate("from .openai import client\n", path="src/app/relative.py", fires=False),
    Gate("type Alias = int\nimport openai\n", path="src/app/newer_syntax.py"),
    # Zero-config adapters: named after one framework, importing another; a framework subclass.
    Gate("import openai\nimport anthropic\n", path="src/app/llm/openai.py"),
    Gate("import openai\n", path="src/app/providers/openai_client.py", fires=False),
    Gate(
        "from langchain_core.callbacks import BaseCallbackHandler\n\n\nclass Handler(BaseCallbackHandler):\n    pass\n",
        path="src/app/api/callback.py",
        fires=False,
    ),
    Gate(
        "from openai import OpenAI\nfrom openai.types.chat import ChatCompletion\n\n\ndef ask(prompt: str) -> ChatCompletion:\n    return OpenAI().chat.completions.create(model='m', messages=[])\n",
        path="src/app/adapters/llm.py",
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    BadConfig(
        '[adapters]\nmodules = "app.adapters.*"\n',
        "{toml}:2: `adapters.modules`: expected a list of strings, got a string 'app.adapters.*'",
    ),
)
