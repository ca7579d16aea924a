"""The analyses behind DL602 and DL604 (``analysis.retries``, ``analysis.agent_loops``), on
their own: what is a key's name, what is a retry loop, and that they spend their budget."""

from __future__ import annotations

import libcst as cst
import pytest

from designlint.analysis.agent_loops import AgentCalls, bound_of
from designlint.analysis.budget import Budget, GaveUp
from designlint.analysis.names import NameResolver
from designlint.analysis.retries import fresh_keys, is_key_name, is_retry_loop


@pytest.mark.parametrize(
    "name", ["idempotency_key", "Idempotency-Key", "idempotencyKey", "x-idempotency-key", "dedupe_key", "DEDUP_TOKEN"]
)
def test_names_of_an_idempotency_key(name: str):
    assert is_key_name(name)


# The header's name, other ids, and a key's mere mention are not the key.
@pytest.mark.parametrize("name", ["IDEMPOTENCY_KEY_HEADER", "request_id", "idempotent", "dedupe", "cache_key"])
def test_names_that_are_not_an_idempotency_key(name: str):
    assert not is_key_name(name)


def _loop(source: str) -> cst.For | cst.While:
    statement = cst.parse_module(source).body[0]
    assert isinstance(statement, (cst.For, cst.While))
    return statement


@pytest.mark.parametrize(
    "source",
    [
        "for attempt in range(3):\n    try:\n        return send()\n    except OSError:\n        sleep(attempt)\n",
        "while True:\n    try:\n        send()\n    except OSError:\n        continue\n    else:\n        break\n",
        "while True:\n    try:\n        send()\n        break\n    except OSError:\n        pass\n",
    ],
)
def test_a_loop_that_tries_again(source: str):
    assert is_retry_loop(_loop(source))


@pytest.mark.parametrize(
    "source",
    [
        # each item once; giving up on the first failure; no try at all
        "for item in items:\n    try:\n        send(item)\n    except OSError:\n        log(item)\n",
        "for attempt in range(3):\n    try:\n        return send()\n    except OSError:\n        raise\n",
        "while True:\n    if send():\n        break\n",
    ],
)
def test_a_loop_that_does_not_try_again(source: str):
    assert not is_retry_loop(_loop(source))


def test_the_key_analysis_spends_its_budget():
    body = "".join(f"    x{i} = {i}\n" for i in range(50))
    module = cst.parse_module(f"def f():\n{body}    headers = {{'Idempotency-Key': str(uuid4())}}\n")
    names = NameResolver(module, "m")
    with pytest.raises(GaveUp, match="idempotency-key analysis"):
        list(fresh_keys(module.body[0].body, names, Budget(20)))


def test_the_agent_loop_analysis_spends_its_budget():
    body = "".join(f"    x{i} = step({i})\n" for i in range(50))
    module = cst.parse_module(f"while True:\n{body}    reply = llm.invoke(x0)\n")
    loop = module.body[0]
    names = NameResolver(module, "m")
    with pytest.raises(GaveUp, match="agent-loop analysis"):
        AgentCalls(module, names, Budget(20)).in_loop(loop, None)
    with pytest.raises(GaveUp, match="agent-loop analysis"):
        bound_of(loop, [], names, (), Budget(20))
    assert AgentCalls(module, names, Budget(10_000)).in_loop(loop, None) is not None
