"""Record classes read by parsing (analysis.records): which classes are records, their fields
(inherited and nested ones), when they may hold fields not listed, and the fact's round trip
through the results cache."""

from __future__ import annotations

import ast
import json
import textwrap

import pytest

from designlint.analysis.records import RECORD_CLASSES, RecordInfo, record_in
from designlint.project import LookupFailed, Project

MODULE = textwrap.dedent(
    """
    from dataclasses import dataclass
    from typing import ClassVar, Optional, TypedDict

    from pydantic import BaseModel, ConfigDict

    from app.base import Remote


    @dataclass
    class Outcome:
        code: str
        duration_ms: float


    @dataclass
    class Base:
        trace_id: str


    @dataclass
    class Event(Base):
        KIND: ClassVar[str] = "tool"
        principal: str
        result: Optional[Outcome] = None
        later: "Outcome | None" = None


    class Loose(BaseModel):
        model_config = ConfigDict(extra="allow")
        trace_id: str


    class Payload(TypedDict, total=False):
        run_id: str


    class FromElsewhere(Remote):
        call_id: str


    class Built:
        trace_id: str

        def __init__(self, trace_id):
            self.trace_id = trace_id


    class Empty:
        pass
    """
)
TREE = ast.parse(MODULE)


def _names(record: RecordInfo | None) -> list[str]:
    assert record is not None
    return [name for name, _ in record.fields]


def test_fields_come_from_the_class_and_its_bases_in_the_module():
    event = record_in(TREE, "Event")
    assert _names(event) == ["trace_id", "principal", "result", "later"]  # ClassVar is no field
    assert event is not None and not event.open
    nested = dict(event.fields)
    assert _names(nested["result"]) == ["code", "duration_ms"]  # Optional[Outcome]
    assert _names(nested["later"]) == ["code", "duration_ms"]  # a string annotation, X | None
    assert nested["principal"] is None


@pytest.mark.parametrize(
    ("name", "fields", "is_open"),
    [("Loose", ["trace_id"], True), ("Payload", ["run_id"], False), ("FromElsewhere", ["call_id"], True)],
    ids=["pydantic extra=allow", "TypedDict", "a base from another module"],
)
def test_records_that_may_hold_more_than_they_list(name: str, fields: list[str], is_open: bool):
    record = record_in(TREE, name)
    assert _names(record) == fields
    assert record is not None and record.open is is_open


@pytest.mark.parametrize("name", ["Built", "Empty", "Missing"])
def test_classes_that_are_no_records(name: str):
    assert record_in(TREE, name) is None


def test_the_fact_reads_the_module_and_survives_the_cache():
    project = Project.from_sources({"app.events": MODULE})
    event = project.fact(RECORD_CLASSES, "app.events.Event")
    assert _names(event) == ["trace_id", "principal", "result", "later"]
    stored = json.loads(json.dumps(RECORD_CLASSES.compute("app.events.Event", {"app.events": MODULE})))
    assert RECORD_CLASSES.load("app.events.Event", stored) == event
    with pytest.raises(LookupFailed, match="is not a record class"):
        project.fact(RECORD_CLASSES, "app.events.Built")
    with pytest.raises(LookupFailed, match="not found"):
        project.fact(RECORD_CLASSES, "app.missing.Event")
