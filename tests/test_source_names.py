"""Names as Python reads them (NFKC, PEP 3131): what the rules analyse, position for position."""

import pytest

from designlint import lint_source
from designlint.project import Project
from designlint.source import as_python_reads_names


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("ｒｅｑｕｅｓｔｓ.get(url)\n", "requests.get(url)\n"),
        ("import ｈｔｔｐｘ as h\n", "import httpx as h\n"),
        (
            "x = 'ｒｅｑｕｅｓｔｓ'  # ｒｅｑｕｅｓｔｓ\n",
            "x = 'ｒｅｑｕｅｓｔｓ'  # ｒｅｑｕｅｓｔｓ\n",
        ),  # strings, comments: as written
        ("ｉｍｐｏｒｔ = 1\n", "ｉｍｐｏｒｔ = 1\n"),  # its form is a keyword: no parser would read it
        ("ﬁle = 1\n", "ﬁle = 1\n"),  # its form is longer (``file``): the columns after it would move
        ("名前 = 1\n", "名前 = 1\n"),  # in that form already
        ("x = (ｙ\n", "x = (ｙ\n"),  # does not tokenize: left to the parsers
        ("ascii_only = 1\n", "ascii_only = 1\n"),
    ],
)
def test_names_are_read_in_nfkc_form_where_every_position_stays(written: str, read: str):
    assert as_python_reads_names(written) == read


def test_fullwidth_names_reach_the_rules_and_their_positions_are_the_written_ones():
    code = 'import ｒｅｑｕｅｓｔｓ\n\n\ndef fetch():\n    return ｒｅｑｕｅｓｔｓ.get("https://api.example.com")\n'
    found = {(d.code, d.start.row, d.start.column) for d in lint_source(code.encode(), "app/fetch.py")}
    assert ("DL601", 5, 12) in found  # the call, where it is written


def test_a_module_of_the_project_is_read_as_python_reads_its_names():
    helper = {
        "app.web": "import ｒｅｑｕｅｓｔｓ\n\ndef fetch_page(url):\n    return ｒｅｑｕｅｓｔｓ.get(url, timeout=5).text\n"
    }
    code = "from app.web import fetch_page\n\n\ndef ask(llm, url):\n    return llm.invoke(f'Summarize: {fetch_page(url)}')\n"
    assert Project.from_sources(helper).source("app.web") is not None
    found = [
        d for d in lint_source(code.encode(), "app/agent.py", project=Project.from_sources(helper)) if d.code == "DL401"
    ]
    assert found, "the helper's requests.get(...).text reaches the prompt"
