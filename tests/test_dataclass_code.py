"""The kept code of dataclass methods: the same classes, compiled once, and a bad table never read."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from dataclasses import FrozenInstanceError, InitVar, dataclass, field
from pathlib import Path

import pytest

from designlint import dataclass_code
from designlint.dataclass_code import MethodCode


def classes():
    """Dataclasses of each shape ``@dataclass`` writes methods for."""

    @dataclass(frozen=True, order=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple[str, ...] = ()

    @dataclass
    class Bag:
        items: list[int] = field(default_factory=list)
        scale: InitVar[int] = 1

        def __post_init__(self, scale: int) -> None:
            self.items = [item * scale for item in self.items]

    @dataclass(kw_only=True, slots=True)
    class Options:
        name: str
        level: int = 3

    @dataclass(frozen=True)
    class Child(Point):
        z: int = 9

    return Point, Bag, Options, Child


def behaviour(Point, Bag, Options, Child) -> list:  # the classes, as named in classes()
    point = Point(1, 2, ("a",))
    with pytest.raises(FrozenInstanceError):
        point.x = 5  # type: ignore[misc]
    return [
        repr(point),
        point == Point(1, 2, ("a",)),
        hash(point) == hash(Point(1, 2, ("a",))),
        Point(1) < Point(2),
        Bag([1, 2], 3).items,
        repr(Bag()),
        repr(Options(name="n")),
        Options(name="n") == Options(name="n", level=3),
        repr(Child(1, 2, (), 4)),
        {name: repr(value) for name, value in Point.__init__.__annotations__.items()},
        {name: repr(value) for name, value in Bag.__init__.__annotations__.items()},
        Point.__init__.__code__.co_filename,
        Point.__init__.__defaults__,
    ]


@pytest.fixture
def table(monkeypatch) -> MethodCode:
    """A fresh table as the dataclasses module's exec (whatever this process had before)."""
    installed = MethodCode(None, {})
    monkeypatch.setattr(dataclasses, "exec", installed.exec, raising=False)
    return installed


def test_the_classes_made_with_the_table_behave_as_those_made_without(monkeypatch, table):
    with_table = behaviour(*classes())
    assert table.compiled > 10
    monkeypatch.delattr(dataclasses, "exec")
    assert behaviour(*classes()) == with_table


def test_a_method_text_seen_before_is_not_compiled_again(table, monkeypatch):
    classes()
    compiled = table.compiled
    assert compiled
    calls = []
    monkeypatch.setattr(dataclass_code, "compile", lambda *a, **k: calls.append(a) or compile(*a, **k), raising=False)
    behaviour(*classes())
    assert table.compiled == compiled and calls == []


def test_exec_without_namespaces_uses_the_callers(table):
    table.exec("global KEPT_BY_EXEC\nKEPT_BY_EXEC = 3")
    assert globals().pop("KEPT_BY_EXEC") == 3


@pytest.fixture
def writable(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def saved_table(tmp_path: Path) -> tuple[Path, MethodCode]:
    path = tmp_path / "__pycache__" / "methods.bin"
    table = MethodCode(str(path), {})
    classes_made_by(table)
    table.save()
    return path, table


def classes_made_by(table: MethodCode) -> None:
    saved = vars(dataclasses).get("exec")
    dataclasses.exec = table.exec  # type: ignore[attr-defined]
    try:
        classes()
    finally:
        if saved is None:
            del dataclasses.exec  # type: ignore[attr-defined]
        else:
            dataclasses.exec = saved  # type: ignore[attr-defined]


def test_a_saved_table_is_loaded_and_saves_compiling(tmp_path, writable):
    path, _ = saved_table(tmp_path)
    assert path.is_file()
    again = MethodCode(str(path), dataclass_code.load(str(path)))
    classes_made_by(again)
    assert again.compiled == 0


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one bit of the code changed
        lambda data: data.replace(b"cpython", b"pypy", 1),  # another interpreter's
        lambda data: b"",
        lambda data: data + b"\0" * (dataclass_code.MAX_SIZE + 1),  # planted giant
    ],
)
def test_a_damaged_table_is_not_read(tmp_path, writable, damage):
    path, _ = saved_table(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    assert dataclass_code.load(str(path)) == {}


def test_nothing_is_written_without_bytecode_or_by_a_forked_worker(tmp_path, monkeypatch):
    path = tmp_path / "methods.bin"
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    table = MethodCode(str(path), {})
    classes_made_by(table)
    table.save()
    assert not path.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    table._pid = os.getpid() + 1  # as a forked worker sees the table it inherited
    table.save()
    assert not path.exists()


def test_a_table_that_cannot_be_written_costs_only_speed(tmp_path, writable):
    blocker = tmp_path / "file"
    blocker.write_text("")
    table = MethodCode(str(blocker / "methods.bin"), {})  # its directory is a file
    classes_made_by(table)
    table.save()  # no exception


def test_the_cli_installs_it_and_the_api_does_not():
    script = (
        "import dataclasses, designlint.engine, designlint.runner\n"
        "print('exec' in vars(dataclasses))\n"
        "from designlint import launch\n"
        "launch._compile_dataclasses_once()\n"
        "print(type(dataclasses.exec).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.stdout.split() == ["False", "method"]
