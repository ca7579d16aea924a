"""``designlint init``: the engineering design written from the inventory, and the configuration
told where it is.

The document comes from ``template.md`` with each table filled from ``inventory``. The
configuration is edited as text, so its comments and layout stay: one ``design = "..."`` line
is inserted, and the result is parsed to prove that it says what it said before, plus that key.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from designlint.config import ConfigError, find_config_file
from designlint.design.inventory import Found, Inventory
from designlint.fixes import NotWritten, write_fixed_file
from designlint.reading import MAX_CONFIG_SIZE, TooLarge, read_regular_file
from designlint.reporters.escape import printable

DEFAULT_DOCUMENT = Path("docs") / "engineering-design.md"
MAX_LISTED = 20  # prompt sinks listed by place; the rest are counted
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_DESIGNLINT_TABLE = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*designlint[ \t]*\][ \t]*(?:#.*)?$", re.MULTILINE)
_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)
_INVENTORIED = "Inventoried by `designlint init`, to be reviewed:"


def render_design(inventory: Inventory, title: str) -> str:
    """The engineering design for ``inventory``: every table it can fill, filled."""
    template = resources.files("designlint.design").joinpath("template.md").read_text(encoding="utf-8")
    values = {"title": _text(title), "files": str(inventory.files), **_error_codes(inventory)}
    values.update(_order(inventory))
    values.update(_authorization(inventory))
    values.update(_trust(inventory))
    values.update(_egress(inventory))
    values.update(_observability(inventory))
    values.update(_adapters(inventory))
    document = _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)
    return re.sub(r"\n{3,}", "\n\n", document)


def _error_codes(inventory: Inventory) -> dict[str, str]:
    codes = inventory.error_codes
    if inventory.error_enum is not None:
        note = f"The members of `{inventory.error_enum}`, the error-code enum of `[tool.designlint.errors] codes`."
        binding = f'\n```toml designlint\n[errors]\ncodes = "{inventory.error_enum}"\n```\n'
    elif codes:
        note = f"{_INVENTORIED} the error codes the code uses as raw strings; name an enum to hold them."
        binding = ""
    else:
        note = "<!-- designlint init found no error code: list the codes tool calls fail with. -->"
        binding = ""
    rows = [_row(_code(found.name), f"TODO (used at {_uses(found)})" if found.first else "TODO", "") for found in codes]
    return {"error_codes_note": note, "error_codes": "\n".join(rows), "error_codes_binding": binding}


def _order(inventory: Inventory) -> dict[str, str]:
    note = (
        "The order designlint holds dispatchers to today (`[tool.designlint.order]`, else its default), "
        "to be reviewed: each stage, then the functions that perform it (none named: designlint's "
        "built-in spellings, such as `check_permission` for `authorize`)."
    )
    items = (
        f"{number}. {' — '.join(filter(None, (_code(stage), ', '.join(_code(call) for call in calls))))}"
        for number, (stage, calls) in enumerate(inventory.stages, 1)
    )
    return {"order_note": note, "order": "\n".join(items)}


def _authorization(inventory: Inventory) -> dict[str, str]:
    """The words of ``[tool.designlint.authz]``, as the labelled items the design reads them from."""
    authz = inventory.authz
    labelled = (
        ("Tenant scope", authz.tenant_names),
        ("Roles", authz.role_names),
        ("Superuser flags", authz.superuser_names),
    )
    items = [f"- {label}: {', '.join(_code(word) for word in words)}" for label, words in labelled if words]
    return {"authorization": "\n".join(items)}


def _trust(inventory: Inventory) -> dict[str, str]:
    if inventory.sanitizers:
        note = (
            f"{_INVENTORIED} the configured sanitizers and the functions named as one (`tag_untrusted`, `sanitize_*`)."
        )
    else:
        note = "<!-- designlint init found no sanitizer: name the function that labels untrusted content. -->"
    sinks = inventory.prompt_sinks
    listed = [
        f"- `{_text(str(sink.place))}`: {_text(sink.content)} enters {_text(sink.sink)}" for sink in sinks[:MAX_LISTED]
    ]
    if len(sinks) > MAX_LISTED:
        listed.append(f"- and {len(sinks) - MAX_LISTED} more")
    sink_text = (
        "\nUntrusted content enters a prompt untagged today (`designlint check` reports each, DL401):\n\n"
        + "\n".join(listed)
        + "\n"
        if sinks
        else ""
    )
    return {
        "sanitizers_note": note,
        "sanitizers": "\n".join(_row(_code(name), "") for name in inventory.sanitizers),
        "prompt_sinks": sink_text,
    }


def _egress(inventory: Inventory) -> dict[str, str]:
    if inventory.hosts:
        note = f"{_INVENTORIED} the hosts the code contacts today (those on a configured allowlist, if it has one)."
    else:
        note = "<!-- designlint init found no host the code names: list the hosts it may reach. -->"
    return {"hosts_note": note, "hosts": "\n".join(_row(_code(found.name), _uses(found)) for found in inventory.hosts)}


def _observability(inventory: Inventory) -> dict[str, str]:
    if inventory.spans or inventory.metrics:
        note = f"{_INVENTORIED} the spans and metrics the code creates (OpenTelemetry, Prometheus)."
    else:
        note = "<!-- designlint init found no span or metric: name those every tool call emits. -->"
    units = dict(inventory.metric_units)
    return {
        "spans_note": note,
        "spans": "\n".join(_row(_code(found.name), "") for found in inventory.spans),
        "metrics": "\n".join(
            _row(_code(found.name), _code(units[found.name]) if found.name in units else "", "")
            for found in inventory.metrics
        ),
    }


def _adapters(inventory: Inventory) -> dict[str, str]:
    if inventory.adapters:
        note = (
            f"{_INVENTORIED} the modules that import agent frameworks or model SDKs today, each as an adapter "
            "(those under configured adapter globs, if there are any): move the imports of any other module "
            "behind an adapter and delete its row."
        )
    else:
        note = "<!-- designlint init found no framework import: name the adapter modules of each framework. -->"
    rows = (
        _row(", ".join(_code(name) for name in module.frameworks), _code(module.module_glob))
        for module in inventory.adapters
    )
    return {"adapters_note": note, "adapters": "\n".join(rows)}


def _uses(found: Found) -> str:
    assert found.first is not None, "only found things are listed by their place"
    more = f" and {found.count - 1} more" if found.count > 1 else ""
    return f"`{_text(str(found.first))}`{more}"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _code(value: str) -> str:
    """``value`` as a code span in a table cell."""
    return f"`{_text(value)}`"


def _text(value: str) -> str:
    """``value`` on one line, in a table cell: ``|`` escaped, backticks (which would end a code
    span) and control characters shown as escapes."""
    return printable(value).replace("`", "'").replace("|", "\\|")


# -- the configuration -------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigEdit:
    """What telling the configuration where the document is did."""

    path: Path  # the config file
    created: bool = False
    already: str | None = None  # the ``design`` it already had (nothing was changed)


def add_design_key(root: Path, document: Path) -> ConfigEdit:
    """Set ``design`` to ``document`` in the configuration that applies to ``root``: its
    ``designlint.toml`` or ``pyproject.toml`` (a ``[tool.designlint]`` table added if it has none),
    else a new ``designlint.toml``. A ``design`` already set is left as it is. Raises
    ``ConfigError`` when the file cannot be read, parsed or written."""
    config_file = find_config_file(root)
    if config_file is None:
        config_file = root / "pyproject.toml" if (root / "pyproject.toml").is_file() else root / "designlint.toml"
    in_pyproject = config_file.name == "pyproject.toml"
    value = Path(_relative(document, config_file.parent)).as_posix()
    line = f"design = {_toml_string(value)}"
    if not config_file.exists():
        config_file.write_text(line + "\n", encoding="utf-8")
        return ConfigEdit(config_file, created=True)
    original = _read(config_file)
    before = _designlint_keys(original, config_file, in_pyproject)
    if "design" in before:
        return ConfigEdit(config_file, already=str(before["design"]))
    edited = _with_line(original, line, in_pyproject)
    try:
        after = _designlint_keys(edited, config_file, in_pyproject)
    except ConfigError:
        after = None
    if after != {**before, "design": value}:  # the text held something the insertion misread
        raise ConfigError(f"cannot add `{line}` safely: add it by hand", path=str(config_file))
    try:
        write_fixed_file(config_file, original.encode("utf-8"), edited.encode("utf-8"), config_file.parent)
    except NotWritten as exc:
        raise ConfigError(f"cannot write the file: {exc}", path=str(config_file)) from None
    return ConfigEdit(config_file)


def _with_line(text: str, line: str, in_pyproject: bool) -> str:
    """``text`` with ``line`` first in designlint's table: after ``[tool.designlint]`` in a
    pyproject.toml (appended with the table when it has none), before the first table of a
    designlint.toml."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if in_pyproject:
        header = _DESIGNLINT_TABLE.search(text)
        if header is None:
            separator = "" if not text or text.endswith("\n") else newline
            return f"{text}{separator}{newline}[tool.designlint]{newline}{line}{newline}"
        end = header.end()
        return f"{text[:end]}{newline}{line}{text[end:]}"
    first_table = _TABLE_HEADER.search(text)
    at = first_table.start() if first_table else len(text)
    head = text[:at]
    separator = "" if not head or head.endswith("\n") else newline
    return f"{head}{separator}{line}{newline}{text[at:]}"


def _designlint_keys(text: str, path: Path, in_pyproject: bool) -> dict[str, Any]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=str(path)) from None
    table = document.get("tool", {}).get("designlint", {}) if in_pyproject else document
    return table if isinstance(table, dict) else {}


def project_title(root: Path) -> str:
    """The project's name in its pyproject.toml, else its directory's."""
    try:
        name = tomllib.loads(_read(root / "pyproject.toml")).get("project", {}).get("name")
    except (ConfigError, tomllib.TOMLDecodeError, AttributeError):
        name = None
    return name if isinstance(name, str) and name else root.absolute().name


def _read(path: Path) -> str:
    try:
        return read_regular_file(path, MAX_CONFIG_SIZE).decode("utf-8")
    except (OSError, TooLarge) as exc:
        raise ConfigError(f"cannot read the config file: {exc}", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("the config file is not valid UTF-8", path=str(path)) from None


def _relative(path: Path, start: Path) -> str:
    return os.path.relpath(path.absolute(), start.absolute())


def _toml_string(value: str) -> str:
    """A TOML basic string holding ``value``."""
    escaped = "".join(
        f"\\u{ord(char):04x}" if ord(char) < 0x20 or char == "\x7f" else "\\" + char if char in '"\\' else char
        for char in value
    )
    return f'"{escaped}"'
