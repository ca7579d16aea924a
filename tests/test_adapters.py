"""The analysis behind DL301/DL302 (module globs and names; astroid stays safe and lazy). The
rules' own cases are on their classes in ``designlint.rules.adapters``."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from designlint.analysis.clients import CHAT_MODEL_CLASSES, MODEL_CLIENTS, MODEL_FUNCTIONS
from designlint.analysis.frameworks import FRAMEWORKS, named_after
from designlint.analysis.modules import module_glob_matches, module_parts
from designlint.gates.adapters import Frameworks
from designlint.tables.adapters import AdaptersOptions

# -- which modules are adapters ---------------------------------------------------------


def test_every_model_client_the_client_catalogue_knows_is_a_framework_of_dl301():
    frameworks = Frameworks(AdaptersOptions())
    for qualname in (*MODEL_CLIENTS, *MODEL_FUNCTIONS, *CHAT_MODEL_CLASSES):
        assert frameworks.match(qualname), qualname


def test_a_module_is_named_after_a_framework_by_whole_words_of_its_entry():
    for framework in FRAMEWORKS:
        for package in framework.packages:
            for word in framework.words:
                assert named_after(["app", "providers", f"{word}_client"], package)
                assert named_after(["app", f"azure_{word}", "chat"], package)
                assert not named_after(["app", "providers", f"{word}ish"], package)
    assert named_after(["app", "ocr", "mistral"], "mistralai")
    assert named_after(["chainlit", "langchain", "callbacks"], "langchain_classic")
    assert not named_after(["app", "llm", "openai"], "anthropic")
    # A package the catalogue does not know is spelt by its own last part.
    assert named_after(["app", "acme_llm_gateway"], "corp.acme_llm")


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
