"""Agent loops and their bounds: loops that call a model or dispatch a tool call, and what caps
how often they go round.

Rule-neutral. A loop is an *agent loop* when each iteration calls a model (a call of the client
catalogue in ``analysis.clients``: an SDK client's method, litellm's functions, a LangChain
model's ``invoke``) or dispatches a tool call (``execute_tool_calls(...)``, ``session.call_tool(...)``),
itself or through a function or method of the same module it calls (one call deep). A loop
that waits for outside input each time round (``input()``, ``await queue.get()``) is driven by
its users, not by the model, and is none. Only loops that may go round without
end are asked about: a ``while`` loop, or ``for`` over ``itertools.count()``; a ``for`` over
anything else ends with its iterable.

A loop is *bounded* when it has a bound of its own, in its condition or in a test that leaves it
(``break``, ``return``, ``raise``):

- a counter: a name incremented in the loop (``steps += 1``) compared against anything;
- a comparison naming a step, turn or iteration count, a limit, a deadline or a clock
  (``time.monotonic()``, ``loop.time()``), or a token, usage or cost budget;
- an ordering comparison against a number or a constant (``len(messages) < 50``);
- a call that checks a budget: configured by name, or named so (``usage_limits.check(...)``,
  ``self._charge_budget()``);
- an enclosing deadline (``async with asyncio.timeout(60):``, ``anyio.fail_after``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst

from designlint.analysis.budget import Budget
from designlint.analysis.cancellation import BREAKS, RAISES, RETURNS, outcomes
from designlint.analysis.clients import (
    CHAT_MODEL_METHODS,
    MODEL_CLIENTS,
    MODEL_FUNCTIONS,
    canonical,
    is_client_model_call,
)
from designlint.analysis.names import NameResolver, dotted_name, last_name
from designlint.analysis.summaries import ModuleFunctions, Summaries
from designlint.analysis.syntax import own_nodes
from designlint.analysis.timeouts import DEADLINES

# The last name of a call that runs a tool the model asked for.
TOOL_DISPATCH = re.compile(
    r"_?a?(?:call|execute|run|invoke|dispatch|handle|process)_(?:tools?|function)(?:_?calls?)?|call_tool_async"
)
_INPUT_CALL = re.compile(
    r"input|prompt_async|a?receive\w*|recv\w*|read_?(?:line|message|event)s?|get_(?:user_)?input|wait_for_(?:input|message|user\w*)"
)
# A function of another module named for calling the model: ``get_llm_response``, ``aget_completion``.
_MODEL_HELPER = re.compile(
    r"_?a?(?:get|call|invoke|query|ask|request)_(?:llm|completion|chat_completion)(?:_response)?"
    r"|_?a?(?:call|invoke|query)_model|\w*_chat_completion"
)
_MODEL_RECEIVER = re.compile(r"llm|model|chat|lm$|gpt|claude|gemini|openai|anthropic", re.IGNORECASE)
_MODEL = "calls the model"
_ANALYSIS = "the agent-loop analysis"
ENDLESS_ITERATORS = frozenset({"itertools.count"})
# Words of the names a bound is kept in, matched against each name and attribute of a test.
_BOUND_WORD = re.compile(
    r"step|turn|iter|round|attempt|count|depth|hop|tries|retries|deadline|budget|limit|max|elapsed"
    r"|timeout|time|monotonic|perf_counter|now|token|usage|cost|spent|remaining|quota",
    re.IGNORECASE,
)
# A test's call that asks whether a cap is reached, by its last name.
_BOUND_CALL = re.compile(r"max|limit|budget|deadline|exceed|exhaust|expired|timed_out|remaining|quota", re.IGNORECASE)
# A call that checks a budget or cap, by its dotted name.
# A rate limiter slows a loop down without ending it.
_BUDGET_CHECK = re.compile(
    r"budget|quota|usage_?limit|(?<!rate_)(?<![a-z])limits?(?![a-z])|max_?(?:steps|turns|iterations)"
)
_ORDERING = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
_COMPARING = (*_ORDERING, cst.Equal, cst.NotEqual)
_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*")


@dataclass(frozen=True)
class AgentCall:
    """The call that makes a loop an agent loop: ``call`` in the loop, and what it does, for
    messages (``calls the model (`client.chat.completions.create`)``; through a helper:
    ``calls `self._step`, which calls the model (...)``)."""

    call: cst.Call
    does: str


# The last parts of the catalogue's model calls: what a callee's last name must be to be one.
_MODEL_CALL_NAMES = frozenset(
    {
        *CHAT_MODEL_METHODS,
        *(call.path.rpartition(".")[2] for client in MODEL_CLIENTS.values() for call in client.calls),
        *(name.rpartition(".")[2] for name in MODEL_FUNCTIONS),
    }
)


def may_be_agent_call(callee: str) -> bool:
    """Whether a call whose callee's last name is ``callee`` may call a model or dispatch a tool
    (for gates that have no LibCST tree)."""
    return callee in _MODEL_CALL_NAMES or any(p.fullmatch(callee) for p in (TOOL_DISPATCH, _MODEL_HELPER))


def may_loop_forever(loop: cst.For | cst.While, names: NameResolver) -> bool:
    if isinstance(loop, cst.While):
        return True
    iterated = loop.iter
    return isinstance(iterated, cst.Call) and names.qualify(iterated.func) in ENDLESS_ITERATORS


class AgentCalls:
    """Finds the model calls and tool dispatches of loops in one module, following calls into
    the module's own functions (each summarised once)."""

    def __init__(self, module: cst.Module, names: NameResolver, budget: Budget):
        self.names = names
        self.budget = budget
        self.functions = ModuleFunctions(module)
        self._summaries: Summaries[str] = Summaries(self._summarise)

    def in_loop(self, loop: cst.For | cst.While, scope: cst.FunctionDef | None) -> AgentCall | None:
        """The first call of the loop's body (and condition) that calls a model or dispatches a tool."""
        if waits_for_input(loop.body):
            return None
        roots: list[cst.CSTNode] = [loop.body] + ([loop.test] if isinstance(loop, cst.While) else [])
        return self._first(roots, scope)

    def _first(
        self, roots: Iterable[cst.CSTNode], scope: cst.FunctionDef | None, *, follow: bool = True
    ) -> AgentCall | None:
        """A model call before a tool dispatch (it is what the message names), each found directly
        before through a helper. Helpers are followed one call deep: further down, most of a large
        class is reachable from any loop in it."""
        nodes = [node for root in roots for node in own_nodes(root)]
        self.budget.spend(_ANALYSIS, len(nodes))  # nested loops each read their body: hostile nesting is quadratic
        calls = [node for node in nodes if isinstance(node, cst.Call)]
        found: list[AgentCall] = []
        helpers = []
        for call in calls:
            does = self._direct(call)
            if does is not None:
                found.append(AgentCall(call, does))
                continue
            helper = self.functions.called(call, scope, self.names) if follow else None
            if helper is not None and helper is not scope:
                helpers.append((call, helper))
        if not any(agent.does.startswith(_MODEL) for agent in found):
            for call, helper in helpers:
                inner = self._summaries.of(helper)
                if inner:
                    found.append(AgentCall(call, f"calls `{dotted_name(call.func)}`, which {inner}"))
                    if inner.startswith(_MODEL):
                        break
        return next((a for a in found if _MODEL in a.does), found[0] if found else None)

    def _summarise(self, function: cst.FunctionDef) -> str:
        """What the function itself calls that makes a loop calling it an agent loop, or ""."""
        found = self._first([function.body], function, follow=False)
        return found.does if found is not None else ""

    def _direct(self, call: cst.Call) -> str | None:
        dotted = dotted_name(call.func)
        if dotted is None:
            return None
        if canonical(self.names.qualify(call.func) or "") in MODEL_FUNCTIONS or _model_call(dotted):
            return f"{_MODEL} (`{dotted}`)"
        if _MODEL_HELPER.fullmatch(last_name(call.func)):
            return f"{_MODEL} (`{dotted}`)"
        if TOOL_DISPATCH.fullmatch(last_name(call.func)):
            return f"dispatches tool calls (`{dotted}`)"
        return None


def _model_call(dotted: str) -> bool:
    """A model call of the catalogue by its dotted name: an SDK client's method by its path, or
    LangChain's method names (``invoke``, ``stream``) on a receiver named for a model (``self.llm``,
    ``chat_model``): on anything else (a graph node's ``stream``, a chain's ``invoke``) they run
    more than one model call, with caps of their own."""
    if is_client_model_call(dotted):
        return True
    receiver, _, method = dotted.rpartition(".")
    return method in CHAT_MODEL_METHODS and _MODEL_RECEIVER.search(receiver.rpartition(".")[2]) is not None


def waits_for_input(body: cst.CSTNode) -> bool:
    """Each iteration waits for input from outside (``input()``, ``await queue.get()``,
    ``await websocket.receive_json()``): a server or chat loop, driven by its users, not by
    the model's output."""
    for node in own_nodes(body):
        if isinstance(node, cst.Call):
            if _INPUT_CALL.fullmatch(last_name(node.func)):
                return True
        elif (
            isinstance(node, cst.Await)
            and isinstance(node.expression, cst.Call)
            and last_name(node.expression.func) == "get"
            and not node.expression.args
        ):
            return True  # a queue's
    return False


def bound_of(
    loop: cst.For | cst.While,
    ancestors: Sequence[cst.CSTNode],
    names: NameResolver,
    checks: Sequence[str],
    budget: Budget,
) -> bool:
    """Whether the loop has a bound of its own (see the module's docstring); ``checks`` are the
    configured budget functions."""
    if _under_deadline(ancestors, names):
        return True
    counters = _incremented(loop.body)
    tests: list[cst.BaseExpression] = [loop.test] if isinstance(loop, cst.While) else []
    for node in own_nodes(loop.body):
        budget.spend(_ANALYSIS)
        if (isinstance(node, cst.If) and _leaves(node)) or isinstance(node, cst.Assert):
            tests.append(node.test)
        elif isinstance(node, cst.Call) and _checks_budget(node, names, checks):
            return True
    return any(_bounds(test, counters) for test in tests)


def _under_deadline(ancestors: Sequence[cst.CSTNode], names: NameResolver) -> bool:
    for ancestor in ancestors:
        if isinstance(ancestor, cst.With):
            for item in ancestor.items:
                call = item.item
                if isinstance(call, cst.Call) and canonical(names.qualify(call.func) or "") in DEADLINES:
                    return True
    return False


def _leaves(node: cst.If) -> bool:
    """An ``if`` whose branch can leave the loop."""
    ways = outcomes(node.body.body)
    orelse = node.orelse
    if isinstance(orelse, cst.Else):
        ways |= outcomes(orelse.body.body)
    return bool(ways & {BREAKS, RETURNS, RAISES})


def _incremented(body: cst.CSTNode) -> set[str]:
    """Names and attributes counted up or down in the loop: ``steps += 1``, ``self.turn = self.turn + 1``."""
    counted = set()
    for node in own_nodes(body):
        if isinstance(node, cst.AugAssign) and isinstance(node.operator, (cst.AddAssign, cst.SubtractAssign)):
            name = dotted_name(node.target)
        elif (
            isinstance(node, cst.Assign)
            and len(node.targets) == 1
            and isinstance(node.value, cst.BinaryOperation)
            and isinstance(node.value.operator, (cst.Add, cst.Subtract))
        ):
            name = dotted_name(node.targets[0].target)
            if name is None or dotted_name(node.value.left) != name:
                continue
        else:
            continue
        if name is not None:
            counted.add(name)
    return counted


def _bounds(test: cst.BaseExpression, counters: set[str]) -> bool:
    for node in own_nodes(test):
        if isinstance(node, cst.Call) and _BOUND_CALL.search(last_name(node.func)):
            return True  # ``if has_reached_max_iterations(...)``, ``if deadline.expired():``
        if not isinstance(node, cst.Comparison):
            continue
        for target in node.comparisons:
            if not isinstance(target.operator, _COMPARING):
                continue
            sides = (node.left, target.comparator)
            if any(_mentions_bound(side, counters) for side in sides):
                return True
            if isinstance(target.operator, _ORDERING) and any(_is_constant(side) for side in sides):
                return True
    return False


def _mentions_bound(side: cst.BaseExpression, counters: set[str]) -> bool:
    for node in own_nodes(side):
        if isinstance(node, (cst.Name, cst.Attribute)) and dotted_name(node) in counters:
            return True
        if isinstance(node, cst.Name) and _BOUND_WORD.search(node.value):
            return True
        if isinstance(node, cst.Attribute) and _BOUND_WORD.search(node.attr.value):
            return True
    return False


def _is_constant(side: cst.BaseExpression) -> bool:
    return isinstance(side, (cst.Integer, cst.Float)) or (
        isinstance(side, (cst.Name, cst.Attribute)) and _CONSTANT.fullmatch(last_name(side)) is not None
    )


def _checks_budget(call: cst.Call, names: NameResolver, checks: Sequence[str]) -> bool:
    if checks and names.function_matches(call.func, checks):
        return True
    dotted = dotted_name(call.func)
    return dotted is not None and _BUDGET_CHECK.search(dotted.lower()) is not None
