"""DL301/DL302: the framework adapter boundary, and the astroid inference behind DL302."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from designlint.analysis.modules import module_glob_matches, module_parts
from designlint.config import Config
from designlint.engine import lint_source
from designlint.rules.adapters import AdaptersOptions


def findings(source: str, path: str, config: Config | None = None, code: str | None = None) -> list[tuple[int, str]]:
    found = [(d.start.row, d.code) for d in lint_source(textwrap.dedent(source), path, config or Config())]
    return [f for f in found if code is None or f[1] == code]


def adapters_config(**options) -> Config:
    return Config(tables=(AdaptersOptions(**options),))


# -- which modules are adapters ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "is_adapter"),
    [
        ("src/app/adapters/openai_chat.py", True),
        ("app/adapter/__init__.py", True),
        ("app/llm/openai_adapter.py", True),
        ("app/adapters.py", True),
        ("app/tools/search.py", False),
        ("app/readapters/x.py", False),
        ("app/llm/adapterish.py", False),
    ],
)
def test_adapter_modules_by_convention(path, is_adapter):
    expected = [] if is_adapter else [(1, "DL301")]
    assert findings("import openai\n", path, code="DL301") == expected


def test_configured_globs_replace_the_convention():
    config = adapters_config(modules=("app.gateways.*",))
    assert findings("import openai\n", "src/app/gateways/chat.py", config) == []
    assert findings("import openai\n", "src/app/gateways/chat/client.py", config) == []
    assert findings("import openai\n", "src/app/adapters/chat.py", config) == [(1, "DL301")]


def test_module_globs():
    assert module_glob_matches(("app.adapters.*",), "app.adapters.openai")
    assert module_glob_matches(("app.adapters.*",), "app.adapters.openai.chat")  # a parent package matches
    assert not module_glob_matches(("app.adapters.*",), "app.adapters")
    assert module_glob_matches(("app.**.llm",), "app.core.llm")
    assert module_glob_matches(("llm",), "app.llm.client")  # no dot: any one part
    assert not module_glob_matches(("app.llm",), "other.app.llm")


def test_module_parts_guess_names_for_paths_that_are_no_package_path():
    assert module_parts("src/app/x.py", "app.x") == ["app", "x"]
    assert module_parts("../corpus/langchain-core/langchain_core/messages/__init__.py", None) == [
        "langchain_core",
        "messages",
    ]
    assert module_parts("my-script.py", None) == []


# -- DL301 ------------------------------------------------------------------------------


def test_every_kind_of_import_outside_an_adapter():
    source = """\
        import importlib
        from typing import TYPE_CHECKING
        import openai as oai
        from google import genai, auth
        from langchain_core.messages import HumanMessage
        if TYPE_CHECKING:
            from anthropic.types import Message
        try:
            import litellm
        except ImportError:
            litellm = None

        def load():
            import llama_index.core
            __import__("cohere")
            return importlib.import_module("mistralai")
        """
    assert findings(source, "app/tools/search.py") == [
        (3, "DL301"),
        (4, "DL301"),
        (5, "DL301"),
        (7, "DL301"),
        (9, "DL301"),
        (14, "DL301"),
        (15, "DL301"),
        (16, "DL301"),
    ]


def test_framework_names_match_on_dotted_boundaries_only():
    source = """\
        import openai_compat
        import langchain_text_splitters_extra
        from google import auth
        from app.adapters import openai_chat
        import importlib
        importlib.import_module(".openai", package="app")
        """
    assert findings(source, "app/tools/search.py") == []


def test_frameworks_replaced_and_extended():
    source = "import openai\nimport acme_llm\n"
    assert findings(source, "app/x.py", adapters_config(extend_frameworks=("acme_llm",))) == [
        (1, "DL301"),
        (2, "DL301"),
    ]
    assert findings(source, "app/x.py", adapters_config(frameworks=("acme_llm",))) == [(2, "DL301")]


def test_a_framework_importing_itself_is_not_reported_but_a_project_module_named_like_it_is():
    assert findings("from openai.types import Model\n", "openai/resources/models.py") == []
    assert findings("import openai\n", "src/app/llm/openai.py") == [(1, "DL301")]
    # A file outside the root: its package is guessed from the path.
    assert (
        findings("from langchain_core.utils import x\n", "../corpus/langchain-core/langchain_core/tools/base.py") == []
    )


def test_files_without_a_framework_name_are_not_run():
    assert findings("import requests\n", "app/x.py") == []


# -- DL302 ------------------------------------------------------------------------------

ADAPTER = "src/app/adapters/openai_chat.py"


def test_annotations_that_name_framework_types():
    source = """\
        from typing import Optional, Literal, Annotated
        import openai
        from openai.types.chat import ChatCompletion as Raw
        Client = openai.AsyncOpenAI

        def a(x: Optional[Raw]) -> str: ...
        def b() -> "openai.OpenAI": ...
        def c() -> list[Raw] | None: ...
        def d() -> Client: ...
        def e(provider: Literal["openai"], note: Annotated[str, "openai"]) -> str: ...
        def _private(x: Raw) -> Raw: ...
        class _Hidden:
            def run(self) -> Raw: ...
        class Public:
            def run(self) -> Raw: ...
            def _helper(self) -> Raw: ...
            def __call__(self, raw: Raw) -> str: ...
        def outer() -> str:
            def inner() -> Raw: ...
            return ""
        """
    assert findings(source, ADAPTER) == [
        (6, "DL302"),
        (7, "DL302"),
        (8, "DL302"),
        (9, "DL302"),
        (15, "DL302"),
        (17, "DL302"),
    ]


def test_returned_framework_objects():
    source = """\
        import openai
        from app.models import Completion

        _client = openai.OpenAI()

        def client():
            return _client

        def completion(prompt):
            return _client.chat.completions.create(model="m", messages=[])

        def text(prompt):
            response = _client.chat.completions.create(model="m", messages=[])
            return response.choices[0].message.content

        def as_dict(prompt):
            return _client.chat.completions.create(model="m", messages=[]).model_dump()

        def converted(prompt) -> Completion:
            response = _client.chat.completions.create(model="m", messages=[])
            return Completion(text=response.choices[0].message.content)

        class Chat:
            def __init__(self, client: openai.AsyncOpenAI | None = None):
                self._client = client or openai.AsyncOpenAI()

            async def raw(self):
                result = await self._client.models.list()
                return result

            async def names(self):
                return [m.id for m in await self._client.models.list()]

            def client(self):
                return self._client
        """
    assert findings(source, ADAPTER) == [(7, "DL302"), (10, "DL302"), (24, "DL302"), (29, "DL302"), (35, "DL302")]


def test_helper_results_placed_by_astroid():
    source = """\
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

        def _build():
            return openai.OpenAI()

        def client():
            make = _build
            return make()

        def unknown():
            return somewhere_else()
        """
    assert findings(source, ADAPTER) == [(10, "DL302"), (20, "DL302")]


def test_dl302_only_in_adapter_modules():
    assert findings("import openai\ndef client() -> openai.OpenAI: ...\n", "app/tools/x.py", code="DL302") == []


# -- astroid stays safe and lazy ----------------------------------------------------------


def run_isolated(script: str, cwd) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], cwd=cwd, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_astroid_is_not_loaded_for_files_that_do_not_ask(tmp_path):
    out = run_isolated(
        """\
        import sys
        from designlint.engine import lint_source
        lint_source("import openai\\n", "app/tools/x.py")
        lint_source("import openai\\ndef client() -> openai.OpenAI: ...\\n", "app/adapters/x.py")
        print("astroid" in sys.modules)
        """,
        tmp_path,
    )
    assert out == "False"


def test_astroid_never_imports_the_linted_project_or_extensions(tmp_path):
    # Modules next to the linted file (and on sys.path via the cwd) that would leave a mark if imported.
    (tmp_path / "helpers.py").write_text(
        "open('imported-helpers', 'w').close()\ndef make():\n    import openai\n    return openai.OpenAI()\n"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("open('imported-app', 'w').close()\n")
    adapter = """\
        import mmap
        import openai
        from helpers import make
        from app import thing

        def _ask() -> openai.OpenAI:
            return openai.OpenAI()

        build, mapped, other_thing = make, mmap.mmap, thing

        def client():
            c = build()
            return c

        def other():
            return mapped(-1, 1)

        def third():
            return other_thing()
        """
    script = """\
        import sys
        from designlint.engine import lint_source
        before = set(sys.modules)
        assert "astroid" not in before
        diagnostics = lint_source(ADAPTER_SOURCE, "app/adapters/x.py")
        import astroid
        looked_up = set(astroid.MANAGER.astroid_cache) & {"helpers", "app", "mmap", "openai"}
        imported = {m.split(".")[0] for m in set(sys.modules) - before} & {"helpers", "app", "mmap", "openai"}
        print(sorted(looked_up), sorted(imported))
        print([(d.start.row, d.code) for d in diagnostics])
        """
    out = run_isolated(script.replace("ADAPTER_SOURCE", repr(textwrap.dedent(adapter))), tmp_path).splitlines()
    assert out[0] == "[] []"  # astroid looked up no module: nothing of the project, no extension, no framework
    assert out[1] == "[]"  # `make` lies outside the file: astroid may not look, so it cannot tell
    assert not (tmp_path / "imported-helpers").exists() and not (tmp_path / "imported-app").exists()
