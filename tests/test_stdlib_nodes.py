"""One walk of the stdlib tree for all gates (``FileFacts.nodes_of``): the same nodes as ``ast.walk``."""

from __future__ import annotations

import ast
import textwrap
from collections import Counter

from designlint.analysis.stdlib_nodes import nodes_by_type
from designlint.context import FileFacts

SOURCE = textwrap.dedent(
    '''
    import asyncio as aio
    from . import helpers
    from .tools import run as go


    @decorate(flag=True)
    class Agent(Base, metaclass=Meta):
        """Doc."""

        async def loop(self, prompt: str, *, retries: int = 3) -> dict[str, int]:
            global STATE
            while True:
                async with aio.timeout(5) as scope, lock:
                    response = await go(model="m", messages=[{"role": "user", "content": f"{prompt!r:>10}"}])
                try:
                    value = {k: v for k, v in response.items() if v is not None} or [*rest]
                except* (ValueError, TypeError) as exc:
                    raise RuntimeError() from exc
                match response:
                    case {"done": True, **others} | [_, *_]:
                        break
                    case Point(x=0) if (y := x) > 1:
                        continue
                for i in range(retries):
                    lambda a, /, b=1, **kw: (yield a)
    '''
)


def test_every_node_ast_walk_yields_is_indexed_by_its_exact_type():
    tree = ast.parse(SOURCE)
    index = nodes_by_type(tree)
    assert {kind: len(nodes) for kind, nodes in index.items()} == Counter(type(node) for node in ast.walk(tree))
    walked = {id(node) for node in ast.walk(tree)}
    assert {id(node) for nodes in index.values() for node in nodes} == walked


def test_a_gate_asks_for_the_nodes_of_several_types_and_a_file_without_a_tree_has_none():
    facts = FileFacts("app/agent.py", "app.agent", SOURCE, ast.parse(SOURCE))
    relative = [node.module or "" for node in facts.nodes_of(ast.ImportFrom) if node.level]
    assert sorted(relative) == ["", "tools"]
    loops = list(facts.nodes_of(ast.While, ast.For, ast.AsyncFor))
    assert sorted(type(loop).__name__ for loop in loops) == ["For", "While"]
    assert list(FileFacts("bad.py", "bad", "def (:", None).nodes_of(ast.Call)) == []
