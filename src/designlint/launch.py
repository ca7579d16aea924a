"""The ``designlint`` command's entry point. ``--version``, ``rules`` and ``rule CODE`` (with
``--output-format``) only show what the package ships, so they are answered here from the rule
pages, without importing click or the catalogue's parser (each costs several times the
interpreter's start-up); ``lsp`` starts the language server without either. A ``check``
command line that ``designlint.check_args`` reads as click would goes straight to the command
(``designlint.commands``), without click. Everything else, and any form of these this does not
read exactly as click would (help, an unknown code, a page the simple reader declines, a flag
click must check), goes to ``designlint.cli``.
"""

from __future__ import annotations

import os
import sys

from designlint import pages
from designlint._version import __version__

_FORMATS = ("text", "json")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    if os.environ.get("_DESIGNLINT_COMPLETE"):  # click's shell completion reads no argv: click's
        args = []
    if args == ["lsp"]:  # the language server's start-up is the editor's wait: no click, no CLI
        _compile_dataclasses_once()
        from designlint.integrations.lsp import serve

        serve()
        return
    try:
        text = _answer(args)
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
            sys.exit(0)
    except BrokenPipeError:  # the reader of our output went away (| head), as the CLI does
        sys.stdout = None  # nothing more is written at exit
        sys.exit(1)
    _compile_dataclasses_once()
    if args[:1] == ["check"]:
        from designlint.check_args import read_check_args

        params = read_check_args(args[1:], os.environ)
        if params is not None:
            from designlint.commands import run_check

            run_check(params)
    from designlint.cli import main as cli_main

    cli_main(args, prog_name="designlint")


def _compile_dataclasses_once() -> None:
    """Before LibCST's ~200 dataclasses and ours are made: their methods' code from the last run."""
    from designlint import dataclass_code

    dataclass_code.install()


def _answer(args: list[str]) -> str | None:
    """What designlint.cli would print for ``args``, or None if it must run."""
    if args == ["--version"]:
        return f"designlint, version {__version__}\n"
    if not args or args[0] not in ("rules", "rule"):
        return None
    parsed = _output_format(args[1:])
    if parsed is None:
        return None
    output_format, positional = parsed
    if args[0] == "rules":
        return None if positional else _rules(output_format)
    if len(positional) != 1:
        return None
    page = _page(positional[0].upper())
    if page is None:
        return None
    if output_format == "json":
        import json

        return json.dumps(page, indent=2) + "\n"
    return (
        f"# {page['code']} {page['name']}\n\nCategory: {page['category']}\nFix: {page['fix']}\n\n"
        f"{page['summary']}.\n\n{page['explanation']}"
    )


def _output_format(args: list[str]) -> tuple[str, list[str]] | None:
    """The ``--output-format`` (default text) and the other arguments, or None for anything
    but that one option given at most once and plain arguments."""
    output_format, positional = None, []
    rest = iter(args)
    for arg in rest:
        if arg.startswith("--output-format="):
            value: str | None = arg.partition("=")[2]
        elif arg == "--output-format":
            value = next(rest, None)
        elif arg.startswith("-"):
            return None
        else:
            positional.append(arg)
            continue
        if output_format is not None or value not in _FORMATS:
            return None
        output_format = value
    return output_format or "text", positional


def _rules(output_format: str) -> str | None:
    directory = pages.catalogue_dir()
    codes = sorted(name[:-3] for name in os.listdir(directory) if name.startswith("DL") and name.endswith(".md"))
    docs = [_page(code) for code in codes]
    if any(doc is None for doc in docs):
        return None
    if output_format == "json":
        import json

        return json.dumps(docs, indent=2) + "\n"
    return "".join(f"{doc['code']}  {doc['name']:<36} {doc['summary']}\n" for doc in docs if doc is not None)


def _page(code: str) -> dict | None:
    """One rule as ``designlint rule --output-format json`` shows it, or None (no such page, or
    one the simple reader declines)."""
    if not (len(code) == 5 and code.startswith("DL") and code[2:].isdigit() and code[2:].isascii()):
        return None
    try:
        with open(os.path.join(pages.catalogue_dir(), f"{code}.md"), encoding="utf-8") as page:
            split = pages.split_page(page.read())
    except (OSError, UnicodeDecodeError):
        return None
    meta = pages.simple_front_matter(split[0]) if split else None
    if split is None or meta is None:
        return None
    fields = {key: meta.get(key) for key in ("code", "name", "category", "summary")}
    fix, options = meta.get("fix", "none"), meta.get("options", [])
    if not all(isinstance(value, str) for value in (*fields.values(), fix)) or not isinstance(options, list):
        return None
    return {
        **fields,
        "fix": fix,
        "options": options,
        "url": pages.DOCS_URL.format(code=fields["code"]),
        "explanation": split[1].strip() + "\n",
    }
