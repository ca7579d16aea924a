"""``designlint design show``: the effective contract, each value with where it came from."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable
from pathlib import Path

from designlint.config import Config
from designlint.design.contract import Contract, Datum, Where
from designlint.options import table_name


def describe_contract(config: Config, contract: Contract, documents: Iterable[Path], cwd: Path) -> str:
    shown = [os.path.relpath(document, cwd) for document in documents]
    source = os.path.relpath(config.path, cwd) if config.path is not None else "none"
    lines = [f"Design documents: {', '.join(shown) or 'none found'}", f"Configuration file: {source}"]
    by_table: dict[str, list[str]] = {}
    for setting in contract.settings:
        if setting.dotted in config.configured:
            note = f"# set in {source}, which wins; the document says {_value(setting.value)} at {_places(setting.sources)}"
            value = _configured(config, setting.table, setting.key)
        else:
            note = f"# {_places(setting.sources)}"
            value = _value(setting.value)
        by_table.setdefault(setting.table, []).append(f"{setting.key} = {value}  {note}")
    for table, assignments in sorted(by_table.items()):
        lines += ["", f"[{table}]", *assignments]
    if contract.data:
        lines += ["", "# Read but filling no option (a diagram no [[state-machines]] entry binds to an enum):"]
        lines += [_datum(datum) for datum in contract.data]
    if contract.problems:
        lines += [
            "",
            f"# {len(contract.problems)} problems reading the documents (DL012): run `designlint design check`",
        ]
    return "\n".join(lines) + "\n"


def _configured(config: Config, table: str, key: str) -> str:
    options = next((o for o in config.tables if table_name(type(o)) == table), None)
    value = getattr(options, key.replace("-", "_"), None) if options is not None else None
    return _value(list(value) if isinstance(value, tuple) else value)


def _value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_table)


def _table(value: object) -> object:
    """A configured entry of an array of tables (a ``MachineOptions``), as its keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not a TOML value")


def _places(sources: tuple[Where, ...]) -> str:
    """``a.md:9, :10, :11``: each place once, the path said when it changes."""
    parts, previous = [], None
    for where in dict.fromkeys(sources):
        parts.append(f":{where.line}" if where.path == previous else str(where))
        previous = where.path
    return ", ".join(parts)


def _datum(datum: Datum) -> str:
    details = f" ({', '.join(datum.details)})" if datum.details else ""
    return f"# {datum.kind}: {datum.name}{details}  {datum.where}"
