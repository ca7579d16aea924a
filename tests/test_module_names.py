"""A module's name comes from the package structure on disk, never from the working directory:
the same files with the same configuration give the same findings from any directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from designlint.project import Project
from designlint.runner import Options, lint_paths


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize(
    ("files", "module", "expected"),
    [
        # A package under a project root.
        (
            {"proj/pyproject.toml": "", "proj/acme/__init__.py": "", "proj/acme/tools.py": ""},
            "proj/acme/tools.py",
            "acme.tools",
        ),
        (
            {"proj/.git/HEAD": "", "proj/acme/__init__.py": "", "proj/acme/api/__init__.py": ""},
            "proj/acme/api/__init__.py",
            "acme.api",
        ),
        # A src/ layout, with or without a config beside src/.
        (
            {"proj/src/acme/__init__.py": "", "proj/src/acme/proxy/__init__.py": "", "proj/src/acme/proxy/app.py": ""},
            "proj/src/acme/proxy/app.py",
            "acme.proxy.app",
        ),
        # A stub-only package.
        (
            {"proj/setup.py": "", "proj/acme/__init__.pyi": "", "proj/acme/types.pyi": ""},
            "proj/acme/types.pyi",
            "acme.types",
        ),
        # Namespace packages (no __init__.py) between the project's root and a package.
        (
            {"proj/setup.cfg": "", "proj/acme/agents/__init__.py": "", "proj/acme/agents/loop.py": ""},
            "proj/acme/agents/loop.py",
            "acme.agents.loop",
        ),
        # A hyphenated checkout folder is never part of a name.
        (
            {
                "acme-proxy/acme/__init__.py": "",
                "acme-proxy/acme/proxy/__init__.py": "",
                "acme-proxy/acme/proxy/app.py": "",
            },
            "acme-proxy/acme/proxy/app.py",
            "acme.proxy.app",
        ),
        # No project root above: only __init__.py files make the package (an unpacked wheel).
        ({"wheels/r2r/core/__init__.py": "", "wheels/r2r/core/base.py": ""}, "wheels/r2r/core/base.py", "core.base"),
        # A script beside the project's config, and one in no package at all.
        ({"proj/pyproject.toml": "", "proj/manage.py": ""}, "proj/manage.py", "manage"),
        ({"proj/pyproject.toml": "", "proj/my-script.py": ""}, "proj/my-script.py", None),
    ],
)
def test_module_names_come_from_the_package_structure(tmp_path, files, module, expected):
    _write(tmp_path, files)
    project = Project.from_root(tmp_path)
    assert project.module_name_of(str(tmp_path / module)) == expected


def test_directories_above_an_unanchored_package_are_reported_as_possible_namespaces(tmp_path):
    _write(
        tmp_path,
        {"llama-index-core/llama_index/core/__init__.py": "", "llama-index-core/llama_index/core/agent.py": ""},
    )
    project = Project.from_root(tmp_path)
    agent = str(tmp_path / "llama-index-core/llama_index/core/agent.py")
    assert project.module_name_of(agent) == "core.agent"
    assert project.unanchored_parents(agent) == ("llama_index",)
    _write(tmp_path, {"proj/pyproject.toml": "", "proj/acme/__init__.py": "", "proj/acme/x.py": ""})
    assert project.unanchored_parents(str(tmp_path / "proj/acme/x.py")) == ()


def test_relative_paths_name_the_same_module_as_absolute_ones(tmp_path, monkeypatch):
    _write(tmp_path, {"proj/pyproject.toml": "", "proj/acme/__init__.py": "", "proj/acme/tools.py": ""})
    monkeypatch.chdir(tmp_path / "proj" / "acme")
    assert Project.from_root(tmp_path).module_name_of("tools.py") == "acme.tools"


# A project that imports its own package and frameworks, in a checkout folder no import can
# name, with no designlint configuration: linted from the folder, from its parent and from
# inside the package.
PROJECT = {
    "pyproject.toml": "[project]\nname = 'acme-proxy'\n",
    "acme/__init__.py": "",
    "acme/proxy/__init__.py": "from acme.proxy.routes import route\n",
    "acme/proxy/routes.py": (
        "import requests\nfrom acme.proxy import helpers\nfrom .helpers import clean\nimport openai\n\n"
        "def route(url):\n    return requests.get(url, timeout=5)\n"
    ),
    "acme/proxy/helpers.py": "def clean(x):\n    return x\n",
    "acme/adapters/__init__.py": "",
    "acme/adapters/llm.py": "import openai\n\ndef complete(client, prompt):\n    return client.chat.completions.create(model='m', messages=[])\n",
    # A module named after the framework it imports is not part of that framework, but it is
    # its adapter (zero-config) for that framework only.
    "acme/proxy/openai.py": "import openai\nimport anthropic\n",
    # A cross-module fact: the metric's name is a constant kept in another module.
    "acme/proxy/names.py": 'TOOL_CALLS = "acme.tool_calls_total"\n',
    "acme/proxy/metrics.py": (
        "from opentelemetry import metrics\nfrom .names import TOOL_CALLS\n\n"
        "meter = metrics.get_meter(__name__)\ncalls = meter.create_counter(name=TOOL_CALLS)\n"
    ),
}


def _findings_from(cwd: Path, target: Path) -> list[tuple]:
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        result = lint_paths([os.path.relpath(target, cwd)], Options(use_cache=False, jobs=1))
    finally:
        os.chdir(previous)
    return sorted((str((cwd / d.path).resolve()), d.code, d.start, d.message) for d in result.diagnostics)


def test_the_same_files_give_the_same_findings_from_any_working_directory(tmp_path):
    root = tmp_path / "acme-proxy"
    _write(root, PROJECT)
    target = root / "acme"
    from_root = _findings_from(root, target)
    assert from_root == _findings_from(tmp_path, target)
    assert from_root == _findings_from(root / "acme" / "proxy", target)
    codes = [code for _, code, _, _ in from_root]
    # The package's own imports are not frameworks; openai outside the adapters is, in
    # routes.py, and anthropic in the module named after openai.
    assert codes.count("DL301") == 2, from_root
    assert {Path(path).name for path, code, _, _ in from_root if code == "DL301"} == {"routes.py", "openai.py"}
    assert all("acme.proxy" in message for _, code, _, message in from_root if code == "DL301")
    # The constant is found in its module from every directory, the project's parent included.
    assert [Path(path).name for path, code, _, _ in from_root if code == "DL902"] == ["metrics.py"]


def test_each_sub_project_of_a_monorepo_imports_its_own_modules(tmp_path):
    """Two services, each its own project with an ``app.names``: linted together from the
    repository's root, each file's import means its own sub-project's module."""
    for service, name in (("billing", "billing.charges_total"), ("search", "search.queries")):
        _write(
            tmp_path / service,
            {
                "pyproject.toml": "",
                "app/__init__.py": "",
                "app/names.py": f'METRIC = "{name}"\n',
                "app/metrics.py": (
                    "from opentelemetry import metrics\nfrom app.names import METRIC\n\n"
                    "counter = metrics.get_meter('x').create_counter(METRIC)\n"
                ),
            },
        )
    findings = _findings_from(tmp_path, tmp_path)
    assert [(Path(path).parent.parent.name, code) for path, code, _, _ in findings] == [("billing", "DL902")]
    assert "billing.charges_total" in findings[0][3]
