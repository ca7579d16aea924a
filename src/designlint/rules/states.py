"""DL8xx: the design's state machines held in code (design category: state machines): the
transitions a path writes (DL801), who writes the state (DL802), the states code spells
(DL803) and the machines code declares (DL804).

A machine is declared in ``[[tool.designlint.state-machines]]``: its states are the members
of an enum of the project, read by parsing it (never importing), its transitions
``"A -> B"`` strings. With no machine declared the family has nothing to check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import cast

import libcst as cst

from designlint.analysis.enums import ENUM_CLASSES
from designlint.analysis.modules import module_glob_matches, module_parts
from designlint.analysis.names import dotted_name
from designlint.analysis.states import (
    START,
    CodeMachine,
    Machine,
    PriorStates,
    Transition,
    Write,
    added_transitions,
    assignment_writes,
    call_writes,
    enum_member,
    field_of,
    is_machine_class,
    owners_holding_members,
    state_of,
    statemachine_class,
    transitions_machine,
)
from designlint.diagnostics import Applicability
from designlint.fixes import NodeFix, Replace
from designlint.gates.states import MachineDriftGate, MachineGate
from designlint.project import LookupFailed, Project
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid
from designlint.tables.states import MachineOptions

# -- the cases' machine ---------------------------------------------------------------------

_STATES_MODULE = """
from enum import Enum


class ApprovalState(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    ARCHIVED = "archived"
"""
_FILES = {"app/approvals/states.py": _STATES_MODULE}
_MACHINE = """
[[state-machines]]
name = "approval"
states = "app.approvals.states.ApprovalState"
transitions = ["[*] -> PENDING", "PENDING -> APPROVED", "PENDING -> REJECTED", "PENDING -> EXPIRED"]
"""
_OWNED = _MACHINE + 'owners = ["app.approvals.service.*", "app.jobs.expire_stale"]\n'


class _MachineRule(MachineGate, Rule):
    """The family's common part: the declared machines, their enums read from the project."""

    def setup(self) -> None:
        # The family's rules ask the same of one file: the first to set up answers for all.
        self.machines = self.context.memo.get(
            (_machines, self.declared), lambda: _machines(self.declared, self.context.project)
        )

    def holds_state(self, owner: str | None, machine: Machine) -> bool:
        """Whether the function being walked shows ``owner``'s field holding a member of the
        machine's enum: what makes a string written to it or compared with it the machine's."""
        return owner is not None and owner in self._holding(machine)

    def _holding(self, machine: Machine) -> set[str]:
        context = self.context
        scope = next((a for a in reversed(context.ancestors) if isinstance(a, cst.FunctionDef)), context.module)
        return context.memo.get(
            (owners_holding_members, scope, machine),
            lambda: owners_holding_members(scope, machine, context.names.qualify, context.module_name),
        )

    def state(self, node: cst.CSTNode, machine: Machine):
        return state_of(node, machine, self.context.names.qualify, self.context.module_name)


def _machines(
    declared: tuple[MachineOptions, ...], project: Project | None
) -> tuple[tuple[MachineOptions, Machine], ...]:
    """The declared machines whose enum the project holds, each with its ``Machine``."""
    if project is None:
        return ()
    machines = []
    for options in declared:
        try:
            enum = project.fact(ENUM_CLASSES, options.states)
        except LookupFailed:
            continue  # the runner rejects such a config before linting; the API degrades
        machines.append((options, Machine(options.name, enum, options.fields, frozenset(options.pairs))))
    return tuple(machines)


class IllegalTransition(_MachineRule):
    """A state written to the field where the path already knows the prior state (a guard, a
    ``match`` case, an ``assert``, an earlier write, a query's filter) and the design declares
    no transition from it to the state written. Where the prior state is unknown: silent."""

    code = "DL801"
    name = "illegal-transition"

    VALID = (
        Valid(
            """
            from app.approvals.states import ApprovalState


            def approve(request):
                if request.status != ApprovalState.PENDING:
                    raise ValueError("only a pending request can be approved")
                request.status = ApprovalState.APPROVED
            """,
            config=_MACHINE,
            files=_FILES,
        ),
        # The prior state is unknown: a path that knows nothing reports nothing.
        Valid(
            """
            from app.approvals.states import ApprovalState


            def approve(request):
                request.status = ApprovalState.APPROVED
            """,
            config=_MACHINE,
            files=_FILES,
        ),
        # The guard's branch returned: after it, the state is not EXPIRED.
        Valid(
            """
            from app.approvals.states import ApprovalState as S


            async def decide(request, approved: bool):
                if request.status == S.EXPIRED:
                    return
                request.status = S.APPROVED if approved else S.REJECTED
            """,
            config=_MACHINE,
            files=_FILES,
        ),
        # Reloaded between the guard and the write: what the guard said no longer holds.
        Valid(
            """
            from app.approvals import states


            async def approve(session, request):
                if request.status == states.ApprovalState.EXPIRED:
                    await session.refresh(request)
                    request.status = states.ApprovalState.APPROVED
            """,
            config=_MACHINE,
            files=_FILES,
        ),
        Valid(
            """
            from sqlalchemy import update

            from app.approvals.states import ApprovalState
            from app.models import Approval


            async def approve(session, approval_id):
                await session.execute(
                    update(Approval)
                    .where(Approval.id == approval_id, Approval.status == ApprovalState.PENDING)
                    .values(status=ApprovalState.APPROVED)
                )
            """,
            config=_MACHINE,
            files=_FILES,
        ),
        # Each time round the loop the state is new: the write of the last round says nothing.
        Valid(
            """
            from app.approvals.states import ApprovalState


            def retry_all(requests):
                for request in requests:
                    request.status = ApprovalState.PENDING
                    request.status = ApprovalState.APPROVED if request.ok else ApprovalState.REJECTED
            """,
            config=_MACHINE.replace('"PENDING -> EXPIRED"', '"PENDING -> EXPIRED", "REJECTED -> PENDING"'),
            files=_FILES,
        ),
    )
    INVALID = (
        Invalid(
            """
            from app.approvals.states import ApprovalState


            def approve(request):
                if request.status == ApprovalState.EXPIRED:
                    request.status = ApprovalState.APPROVED
            """,
            config=_MACHINE,
            files=_FILES,
            line=6,
            column=26,
            message="illegal transition EXPIRED -> APPROVED of the approval machine (the state is known from line 5)",
        ),
        Invalid(
            """
            from app.approvals.states import ApprovalState


            async def resolve(request, approved: bool):
                match request.status:
                    case ApprovalState.PENDING:
                        request.status = ApprovalState.APPROVED if approved else ApprovalState.REJECTED
                    case ApprovalState.REJECTED | ApprovalState.EXPIRED:
                        request.status = ApprovalState.APPROVED
            """,
            config=_MACHINE,
            files=_FILES,
            line=9,
            column=30,
            message="illegal transition REJECTED or EXPIRED -> APPROVED",
        ),
        # A string that is a member's value is that member; an assert says the prior state.
        Invalid(
            """
            def reopen(request):
                assert request.status in ("rejected", "expired")
                request.status = "pending"
            """,
            path="app/admin.py",
            config=_MACHINE,
            files=_FILES,
            line=3,
            column=22,
            message="illegal transition REJECTED or EXPIRED -> PENDING",
        ),
        Invalid(
            """
            import dataclasses

            from app.approvals.states import ApprovalState


            def expire_then_approve(request):
                request.status = ApprovalState.EXPIRED
                return dataclasses.replace(request, status=ApprovalState.APPROVED)
            """,
            config=_MACHINE,
            files=_FILES,
            line=8,
            column=48,
            message="illegal transition EXPIRED -> APPROVED",
        ),
        Invalid(
            """
            from sqlalchemy import update

            from app.approvals.states import ApprovalState
            from app.models import Approval


            async def approve(session, approval_id):
                await session.execute(
                    update(Approval)
                    .where(Approval.id == approval_id)
                    .where(Approval.status.in_([ApprovalState.REJECTED, ApprovalState.EXPIRED]))
                    .values(status=ApprovalState.APPROVED)
                )
            """,
            config=_MACHINE,
            files=_FILES,
            line=12,
            column=24,
            message="illegal transition REJECTED or EXPIRED -> APPROVED",
        ),
        Invalid(
            """
            from app.approvals.states import ApprovalState
            from app.models import Approval


            def reopen_expired():
                Approval.objects.filter(status=ApprovalState.EXPIRED).update(status=ApprovalState.PENDING)
            """,
            config=_MACHINE,
            files=_FILES,
            line=6,
            column=73,
            message="illegal transition EXPIRED -> PENDING",
        ),
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        for _, machine in self.machines:
            if not machine.transitions:
                continue
            paths = PriorStates(machine, self.context.names.qualify, self.context.module_name)
            for transit in paths.of(node):
                order = [name for name, _ in machine.enum.members]
                illegal = sorted(
                    (
                        source
                        for source in transit.prior
                        if source != transit.target and (source, transit.target) not in machine.transitions
                    ),
                    key=order.index,
                )
                if not illegal:
                    continue
                allowed = sorted(pair for pair in machine.transitions if pair[0] in illegal)
                self.report(
                    transit.write.value,
                    f"illegal transition {' or '.join(illegal)} -> {transit.target} of the {machine.name} machine"
                    f" (the state is known from line {self.context.line_of(transit.because)}): the design declares"
                    " no such transition"
                    + (f"; it allows {', '.join(f'{a} -> {b}' for a, b in allowed)}" if allowed else ""),
                )


class TransitionOutsideOwner(_MachineRule):
    """With ``owners`` declared, a state written to the field anywhere else: transitions go
    through the functions the design names, not all over the codebase."""

    code = "DL802"
    name = "transition-outside-owner"

    VALID = (
        Valid(
            """
            from app.approvals.states import ApprovalState


            class ApprovalService:
                def approve(self, request):
                    request.status = ApprovalState.APPROVED
            """,
            path="app/approvals/service.py",
            config=_OWNED,
            files=_FILES,
        ),
        Valid(
            """
            from app.approvals.states import ApprovalState


            def expire_stale(requests):
                for request in requests:
                    request.status = ApprovalState.EXPIRED
            """,
            path="app/jobs.py",
            config=_OWNED,
            files=_FILES,
        ),
        # Without owners, anyone may write it; a status that is no state of the machine is not its field.
        Valid(
            """
            from app.approvals.states import ApprovalState


            def approve(request, response):
                request.status = ApprovalState.APPROVED
            """,
            path="app/api/routes.py",
            config=_MACHINE,
            files=_FILES,
        ),
        Valid(
            """
            def record(response, job, subscription):
                response.status = 204
                job.status = compute_status(job)
                subscription.status = "expired"  # a value of ApprovalState, but nothing ties it to the machine
            """,
            path="app/api/routes.py",
            config=_OWNED,
            files=_FILES,
        ),
    )
    INVALID = (
        Invalid(
            """
            from fastapi import APIRouter

            from app.approvals.states import ApprovalState

            router = APIRouter()


            @router.post("/approvals/{approval_id}/approve")
            async def approve(approval_id: str, repo=Depends(get_repo)):
                approval = await repo.get(approval_id)
                approval.status = ApprovalState.APPROVED
                await repo.save(approval)
            """,
            path="app/api/routes.py",
            config=_OWNED,
            files=_FILES,
            line=11,
            column=5,
            message="approval.status is written outside the owners of the approval machine",
        ),
        Invalid(
            """
            from sqlalchemy import update

            from app.approvals.states import ApprovalState
            from app.models import Approval


            async def expire(session):
                await session.execute(update(Approval).values({"status": ApprovalState.EXPIRED}))
            """,
            path="app/maintenance.py",
            config=_OWNED,
            files=_FILES,
            line=8,
            column=52,
            message='"status" is written outside the owners of the approval machine',
        ),
        Invalid(
            """
            from app.approvals.states import ApprovalState


            def reject(request):
                if request.status == ApprovalState.PENDING:
                    request.status = "rejected"
            """,
            path="app/jobs.py",
            config=_OWNED,
            files=_FILES,
            line=6,
            column=9,
            message="app.jobs.reject",
        ),
    )

    def visit_Assign(self, node: cst.Assign) -> None:
        self._check(assignment_writes(node, self._fields))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._check(assignment_writes(node, self._fields))

    def visit_Call(self, node: cst.Call) -> None:
        for _, machine in self.machines:
            self._check(call_writes(node, machine, self.context.names.qualify, self.context.module_name))

    @property
    def _fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(field for _, machine in self.machines for field in machine.fields))

    def _check(self, writes: Iterator[Write]) -> None:
        for write in writes:
            for declared, machine in self.machines:
                if not declared.owners or write.field not in machine.fields:
                    continue
                state = self.state(write.value, machine)
                if state is None or state.member is None:
                    continue  # not a state of this machine: another object's status
                if state.literal is not None and write.owner is not None and not self.holds_state(write.owner, machine):
                    continue  # a string that is some member's value, on an object nothing ties to the machine
                function = self._function()
                if not module_glob_matches(declared.owners, function):
                    spelt = self.context.module.code_for_node(write.spelt)
                    self.report(
                        write.spelt,
                        f"{spelt} is written outside the owners of the {machine.name} machine (in {function}):"
                        f" its transitions go through {', '.join(declared.owners)}",
                    )
                    return

    def _function(self) -> str:
        """The qualified name of the function being walked (the module's, outside any)."""
        module = self.context.module_name or ".".join(module_parts(self.context.relpath, None))
        names = [a.name.value for a in self.context.ancestors if isinstance(a, (cst.FunctionDef, cst.ClassDef))]
        return ".".join([module, *names]) if module else ".".join(names)


class UnknownState(_MachineRule):
    """A string assigned to or compared with the field that is no member's value (``"aproved"``),
    or a member the declared transitions never mention (a state the design never had). A
    string that is a member's name or its value in another case gets a fix: the member (unsafe,
    since it changes what the code does: the comparison that never held now may)."""

    code = "DL803"
    name = "unknown-state"

    VALID = (
        Valid(
            """
            from app.approvals.states import ApprovalState


            def is_open(request):
                return request.status in (ApprovalState.PENDING, "approved")
            """,
            config=_MACHINE,
            files=_FILES,
        ),
        # The enum's own definition, and a file that does not use the machine's enum.
        Valid(_STATES_MODULE, path="app/approvals/states.py", config=_MACHINE, files=_FILES),
        Valid(
            """
            def finished(job):
                return job.status == "done"
            """,
            config=_MACHINE,
            files=_FILES,
        ),
        # A Docker container's status, in a file that uses the enum for another object.
        Valid(
            """
            from app.approvals.states import ApprovalState


            def resume(container, request):
                if container.status == "paused":
                    container.unpause()
                return request.status == ApprovalState.PENDING
            """,
            config=_MACHINE,
            files=_FILES,
        ),
    )
    INVALID = (
        Invalid(
            """
            from app.approvals.states import ApprovalState


            def is_done(request):
                return request.status == "aproved" or request.status == ApprovalState.REJECTED
            """,
            config=_MACHINE,
            files=_FILES,
            line=5,
            column=30,
            message='"aproved" is no state of the approval machine (values of ApprovalState: pending, approved,',
        ),
        Invalid(
            """
            from app.approvals.states import ApprovalState


            def approve(request):
                if request.status == ApprovalState.PENDING:
                    request.status = "APPROVED"
            """,
            config=_MACHINE,
            files=_FILES,
            line=6,
            column=26,
            message='"APPROVED" is no state of the approval machine',
            expected_fix="""
            from app.approvals.states import ApprovalState


            def approve(request):
                if request.status == ApprovalState.PENDING:
                    request.status = ApprovalState.APPROVED
            """,
            unsafe_fix=True,
        ),
        Invalid(
            """
            from app.approvals import states


            def archive(request):
                match request.status:
                    case states.ApprovalState.PENDING:
                        raise ValueError("still pending")
                    case "Expired":
                        request.archived = True
            """,
            config=_MACHINE,
            files=_FILES,
            line=8,
            column=14,
            message='"Expired" is no state',
            expected_fix="""
            from app.approvals import states


            def archive(request):
                match request.status:
                    case states.ApprovalState.PENDING:
                        raise ValueError("still pending")
                    case states.ApprovalState.EXPIRED:
                        request.archived = True
            """,
            unsafe_fix=True,
        ),
        Invalid(
            """
            from app.approvals.states import ApprovalState


            def archive(request):  # one finding for the file, at the first use
                if request.status != ApprovalState.ARCHIVED:
                    request.status = ApprovalState.ARCHIVED
            """,
            config=_MACHINE,
            files=_FILES,
            line=5,
            column=26,
            message="ApprovalState.ARCHIVED is a state no declared transition of the approval machine mentions",
        ),
    )

    def setup(self) -> None:
        super().setup()
        # A string is judged only in a file that uses the machine's enum: elsewhere a
        # ``.status`` may well be another object's.
        self.spelling = {
            machine.name: local for _, machine in self.machines if (local := self._enum_spelling(machine)) is not None
        }
        self.reported_members: set[tuple[str, str]] = set()  # (machine, member) reported in this file

    def visit_Assign(self, node: cst.Assign) -> None:
        for _, machine in self.machines:
            for write in assignment_writes(node, machine.fields):
                self._check_string(write.value, machine, write.owner)

    def visit_Call(self, node: cst.Call) -> None:
        for _, machine in self.machines:
            for write in call_writes(node, machine, self.context.names.qualify, self.context.module_name):
                self._check_string(write.value, machine, write.owner)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        operands = [node.left, *(target.comparator for target in node.comparisons)]
        for _, machine in self.machines:
            compared = next((found for o in operands if (found := field_of(o, machine.fields))), None)
            if compared is None:
                continue
            for operand in operands:
                elements = operand.elements if isinstance(operand, (cst.Tuple, cst.List, cst.Set)) else ()
                for value in [operand, *(element.value for element in elements)]:
                    self._check_string(value, machine, compared[0])

    def visit_Match(self, node: cst.Match) -> None:
        for _, machine in self.machines:
            matched = field_of(node.subject, machine.fields)
            if matched is None:
                continue
            for case in node.cases:
                alternatives = case.pattern.patterns if isinstance(case.pattern, cst.MatchOr) else (case.pattern,)
                for alternative in alternatives:
                    pattern = alternative.pattern if isinstance(alternative, cst.MatchOrElement) else alternative
                    if isinstance(pattern, cst.MatchValue):
                        self._check_string(pattern.value, machine, matched[0])

    def visit_Attribute(self, node: cst.Attribute) -> None:
        for _, machine in self.machines:
            if not machine.transitions or self._inside_enum(machine):
                continue
            member = enum_member(node, machine.enum, self.context.names.qualify, self.context.module_name)
            if (
                member is not None
                and member not in machine.mentioned
                and (machine.name, member) not in self.reported_members
            ):
                self.reported_members.add((machine.name, member))
                self.report(
                    node,
                    f"{machine.enum.class_name}.{member} is a state no declared transition of the {machine.name}"
                    " machine mentions: a state the design never had (declare its transitions, or remove it)",
                )

    def _check_string(self, node: cst.CSTNode, machine: Machine, owner: str | None) -> None:
        """``owner``: the object whose field the string is written to or compared with (None: an
        ORM call's rows). Its field must be seen holding a member of the enum in the same function."""
        local = self.spelling.get(machine.name)
        state = self.state(node, machine)
        if local is None or state is None or state.literal is None or state.member is not None:
            return
        if owner is not None and not self.holds_state(owner, machine):
            return  # nothing says this object's field is the machine's (``container.status == "exited"``)
        if any(other.member_valued(state.literal) for _, other in self.machines if other is not machine):
            return  # another machine's state, in a field of the same name
        values = ", ".join(str(value) for _, value in machine.enum.members)
        member = machine.closest_member(state.literal)
        fix = None
        if member is not None:
            replace = Replace(node, f"{local}.{member}")
            fix = NodeFix(f"Replace with {local}.{member}", (replace,), Applicability.UNSAFE)
        self.report(
            node,
            f'"{state.literal}" is no state of the {machine.name} machine (values of {machine.enum.class_name}:'
            f" {values}): a misspelt state never matches"
            + (f"; did you mean {machine.enum.class_name}.{member}?" if member else ""),
            fix=fix,
        )

    def _enum_spelling(self, machine: Machine) -> str | None:
        """How this file names the machine's enum: its import, or its class in its own module."""
        local = self.context.names.imported_as(machine.enum.qualname)
        if local is None and self.context.module_name == machine.enum.qualname.rpartition(".")[0]:
            local = machine.enum.class_name
        return local

    def _inside_enum(self, machine: Machine) -> bool:
        return self.context.module_name == machine.enum.qualname.rpartition(".")[0] and any(
            isinstance(a, cst.ClassDef) and a.name.value == machine.enum.class_name for a in self.context.ancestors
        )


class MachineDrift(MachineDriftGate, _MachineRule):
    """A machine declared in code (``transitions``' ``Machine(states=..., transitions=[...])``
    and ``add_transition(...)``, a python-statemachine ``StateMachine`` or ``StateChart`` with ``State(...)`` and
    ``a.to(b)``) whose states are the members of a declared machine's enum, and which has a
    transition the design does not declare or lacks one it does. Read by parsing, never by
    importing; one finding per differing transition."""

    code = "DL804"
    name = "machine-drift"

    VALID = (
        Valid(
            """
            from transitions import Machine


            class Approval:
                def __init__(self):
                    self.machine = Machine(
                        model=self,
                        states=["pending", "approved", "rejected", "expired"],
                        initial="pending",
                        transitions=[
                            {"trigger": "approve", "source": "pending", "dest": "approved"},
                            {"trigger": "reject", "source": "pending", "dest": "rejected"},
                        ],
                    )
                    self.machine.add_transition("expire", "pending", "expired")
            """,
            config=_MACHINE,
            files=_FILES,
        ),
        # A machine of other states is not the design's.
        Valid(
            """
            from transitions import Machine

            machine = Machine(states=["idle", "running"], initial="idle", transitions=[["start", "idle", "running"]])
            """,
            config=_MACHINE,
            files=_FILES,
        ),
        Valid(
            """
            from statemachine import State, StateMachine


            class ApprovalFlow(StateMachine):
                pending = State(initial=True)
                approved = State(final=True)
                rejected = State(final=True)
                expired = State(final=True)

                approve = pending.to(approved)
                reject = pending.to(rejected)
                expire = expired.from_(pending)
            """,
            config=_MACHINE,
            files=_FILES,
        ),
    )
    INVALID = (
        Invalid(
            """
            from transitions.extensions.asyncio import AsyncMachine

            from app.approvals.states import ApprovalState

            TRANSITIONS = [
                ["approve", ApprovalState.PENDING, ApprovalState.APPROVED],
                ["reject", ApprovalState.PENDING, ApprovalState.REJECTED],
                ["expire", ApprovalState.PENDING, ApprovalState.EXPIRED],
            ]


            def build(model):
                machine = AsyncMachine(model, states=ApprovalState, initial=ApprovalState.PENDING, transitions=TRANSITIONS)
                machine.add_transition("reopen", ApprovalState.REJECTED, ApprovalState.PENDING)
                return machine
            """,
            config=_MACHINE,
            files=_FILES,
            line=14,
            column=5,
            message="REJECTED -> PENDING, declared here, is no transition of the approval machine",
        ),
        Invalid(
            """
            from statemachine import State, StateMachine


            class ApprovalFlow(StateMachine):
                pending = State(initial=True)
                approved = State(final=True)
                rejected = State(final=True)
                expired = State(final=True)

                approve = pending.to(approved)
                reject = pending.to(rejected)
            """,
            config=_MACHINE,
            files=_FILES,
            line=4,
            column=7,
            message="the approval machine's transition PENDING -> EXPIRED is missing here",
        ),
        # python-statemachine 3's ``StateChart`` base, imported under another name.
        Invalid(
            """
            import statemachine as sm


            class ApprovalChart(sm.StateChart):
                pending = sm.State(initial=True)
                approved = sm.State(final=True)
                rejected = sm.State(final=True)
                expired = sm.State(final=True)

                approve = pending.to(approved)
                decide = pending.to(rejected) | pending.to(expired) | rejected.to(pending)
            """,
            config=_MACHINE,
            files=_FILES,
            line=11,
            column=59,
            message="REJECTED -> PENDING, declared here, is no transition of the approval machine",
        ),
    )

    def setup(self) -> None:
        super().setup()
        self.built: list[tuple[str | None, CodeMachine]] = []  # with the name the machine is assigned to
        self.added: list[tuple[str | None, cst.Call]] = []

    def visit_Call(self, node: cst.Call) -> None:
        if is_machine_class(self.context.names.qualify(node.func)):
            parent = self.context.ancestors[-1] if self.context.ancestors else None
            receiver = None
            if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
                receiver = dotted_name(parent.targets[0].target)
            self.built.append((receiver, transitions_machine(node, _spelling, self._value_of)))
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in ("add_transition", "add_transitions"):
            self.added.append((dotted_name(node.func.value), node))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if any((self.context.names.qualify(base.value) or "").startswith("statemachine.") for base in node.bases):
            self.built.append((None, statemachine_class(node, _spelling)))

    def leave_Module(self, original_node: cst.Module) -> None:
        for code_machine in self._code_machines():
            for _, machine in self.machines:
                spellings = code_machine.spellings()
                if machine.transitions and spellings and all(machine.member_spelt(s) for s in spellings):
                    self._compare(code_machine, machine)
                    break

    def _code_machines(self) -> list[CodeMachine]:
        """Each machine built, with the transitions added to the name it is assigned to; the
        additions to a name built nowhere here a machine of their own."""
        machines: dict[object, CodeMachine] = {}
        for receiver, built in self.built:
            machines[receiver if receiver is not None else id(built)] = built
        for receiver, call in self.added:
            known = machines.get(receiver)
            states = known.states if known is not None else None
            added = tuple(added_transitions(call, states, _spelling, self._value_of))
            if known is None:
                machines[receiver] = CodeMachine(call, None, added)
            else:
                machines[receiver] = replace(known, transitions=known.transitions + added)
        return list(machines.values())

    def _value_of(self, name: cst.Name) -> cst.BaseExpression | None:
        binding = self.context.names.binding_of(name)
        value = binding.node if binding is not None and binding.kind == "value" else None
        return value if isinstance(value, cst.BaseExpression) else None

    def _compare(self, code_machine: CodeMachine, machine: Machine) -> None:
        declared: dict[Transition, cst.CSTNode] = {}
        for source, target, where in code_machine.transitions:
            pair = (source if source == START else machine.member_spelt(source), machine.member_spelt(target))
            declared.setdefault(cast(Transition, pair), where)
        for state, where in code_machine.finals:
            declared.setdefault((cast(str, machine.member_spelt(state)), START), where)
        design = set(machine.transitions)
        if not any(source == START for source, _ in declared):
            design = {pair for pair in design if pair[0] != START}  # the code names no initial state
        if not code_machine.finals:
            design = {pair for pair in design if pair[1] != START}
        elif not any(target == START for _, target in design):
            declared = {pair: where for pair, where in declared.items() if pair[1] != START}
        for (source, target), where in declared.items():
            if (source, target) not in design:
                self.report(
                    where,
                    f"{source} -> {target}, declared here, is no transition of the {machine.name} machine:"
                    " the code's machine has drifted from the design (declare it there, or remove it here)",
                )
        for source, target in sorted(design - declared.keys()):
            self.report(
                code_machine.built,
                f"the {machine.name} machine's transition {source} -> {target} is missing here: the code's"
                " machine has drifted from the design",
            )


def _spelling(node: cst.CSTNode) -> str | None:
    """A state spelt as a name or an enum member (``ApprovalState.PENDING``: ``PENDING``)."""
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else None


# The config and modules the family's gate cases are linted with: it fires only when configured.
_GATE_CONFIG = (
    '[[state-machines]]\nname = "approval"\nstates = "app.approvals.states.ApprovalState"\n'
    'transitions = ["[*] -> PENDING", "PENDING -> APPROVED", "PENDING -> REJECTED"]\n'
    'owners = ["app.approvals.service.*"]\n'
)
_GATE_FILES = {
    "app/approvals/states.py": "import enum\n\n\nclass ApprovalState(str, enum.Enum):\n"
    "    PENDING = 'pending'\n    APPROVED = 'approved'\n    REJECTED = 'rejected'\n"
    "    EXPIRED = 'expired'\n    ARCHIVED = 'archived'\n"
}
# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL801-DL804 (linted with _GATE_CONFIG): an aliased enum, a module import, a library's alias.
GATE_CASES = (
    Gate(
        "from app.approvals.states import ApprovalState as AS\n\n\ndef f(r):\n    if r.status == AS.EXPIRED:\n        r.status = AS.APPROVED\n",
        path="src/app/states_alias.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    Gate(
        "from app.approvals import states\n\n\nasync def f(r):\n    return r.state in ('pending', 'aproved') or r.state == states.ApprovalState.EXPIRED\n",
        path="src/app/states_module.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    Gate(
        "import app.approvals.states as s\n\nARCHIVED = s.ApprovalState.ARCHIVED\n",
        path="src/app/states_unmentioned.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    Gate(
        "import transitions as t\n\nm = t.Machine(states=['pending', 'approved'], initial='pending', transitions=[['go', 'pending', 'approved'], ['back', 'approved', 'pending']])\n",
        path="src/app/states_machine.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    # An extension of the machine, by a name of its own.
    Gate(
        "from transitions.extensions import GraphMachine as FSM\n\nm = FSM(states=['pending', 'approved'], initial='pending', transitions=[['go', 'pending', 'approved'], ['back', 'approved', 'pending']])\n",
        path="src/app/states_machine_extension.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    Gate(
        "def build():\n    from statemachine import State, StateMachine as SM\n\n    class Flow(SM):\n        pending = State(initial=True)\n        approved = State()\n        go = pending.to(approved)\n\n    return Flow\n",
        path="src/app/states_class_in_function.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    # state-machines transition naming no member of the enum
    BadConfig(
        '[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\ntransitions = ["[*] -> PENDING", "PENDING -> APROVED"]\n',
        "{toml}:4: `state-machines[0].transitions`: 'APROVED' is not a member of app.approvals.ApprovalState (its members: PENDING, APPROVED, EXPIRED)",
        files={
            "app/approvals.py": "import enum\n\n\nclass ApprovalState(enum.Enum):\n    PENDING = 'pending'\n    APPROVED = 'approved'\n    EXPIRED = 'expired'\n"
        },
    ),
    # state-machines states enum that cannot be found
    BadConfig(
        '[[state-machines]]\nname = "approval"\nstates = "app.approvals.Missing"\n',
        "{toml}:3: `state-machines[0].states`: class 'Missing' not found in module 'app.approvals'",
        files={
            "app/approvals.py": "import enum\n\n\nclass ApprovalState(enum.Enum):\n    PENDING = 'pending'\n    APPROVED = 'approved'\n    EXPIRED = 'expired'\n"
        },
    ),
    # state-machines states naming a class that is not an enum
    BadConfig(
        '[[state-machines]]\nname = "approval"\nstates = "app.errors.Plain"\ntransitions = ["[*] -> A"]\n',
        "{toml}:3: `state-machines[0].states`: app.errors.Plain is not an enum (its bases are: Exception)",
        files={"app/errors.py": "import os\nos.system('touch EXECUTED')\n\n\nclass Plain(Exception):\n    A = 'A'\n"},
    ),
    # state-machines transition that is not one
    BadConfig(
        '[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\ntransitions = ["PENDING => APPROVED"]\n',
        '{toml}:4: `state-machines[0].transitions`: expected a transition "SOURCE -> TARGET" between members of the states enum ("[*] -> PENDING" from the start), got \'PENDING => APPROVED\'',
        files={
            "app/approvals.py": "import enum\n\n\nclass ApprovalState(enum.Enum):\n    PENDING = 'pending'\n    APPROVED = 'approved'\n    EXPIRED = 'expired'\n"
        },
    ),
    # state-machines transition from the start to the start
    BadConfig(
        '[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\ntransitions = ["[*] -> [*]"]\n',
        "{toml}:4: `state-machines[0].transitions`: expected a member on one side, got '[*] -> [*]'",
        files={
            "app/approvals.py": "import enum\n\n\nclass ApprovalState(enum.Enum):\n    PENDING = 'pending'\n    APPROVED = 'approved'\n    EXPIRED = 'expired'\n"
        },
    ),
    # state-machines machine without its states
    BadConfig(
        '[[state-machines]]\nname = "approval"\n', "{toml}:1: `state-machines[0].states`: required option missing"
    ),
    # state-machines second machine of the same name
    BadConfig(
        '[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\n\n[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\n',
        "{toml}:6: `state-machines[1].name`: expected each machine's name once, got 'approval' twice",
        files={
            "app/approvals.py": "import enum\n\n\nclass ApprovalState(enum.Enum):\n    PENDING = 'pending'\n    APPROVED = 'approved'\n    EXPIRED = 'expired'\n"
        },
    ),
    # state-machines unknown option
    BadConfig(
        '[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\nfields = ["status"]\n',
        "{toml}:4: `state-machines[0].fields`: unknown option (expected one of: name, states, field, transitions, owners)",
        files={
            "app/approvals.py": "import enum\n\n\nclass ApprovalState(enum.Enum):\n    PENDING = 'pending'\n    APPROVED = 'approved'\n    EXPIRED = 'expired'\n"
        },
    ),
    # state-machines owner that is not a dotted name
    BadConfig(
        '[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\nowners = ["app/approvals/service.py"]\n',
        '{toml}:4: `state-machines[0].owners`: expected a dotted function name such as "app.approvals.service.approve" or a module glob such as "app.approvals.*", got \'app/approvals/service.py\'',
        files={
            "app/approvals.py": "import enum\n\n\nclass ApprovalState(enum.Enum):\n    PENDING = 'pending'\n    APPROVED = 'approved'\n    EXPIRED = 'expired'\n"
        },
    ),
    # state-machines as a table, not an array of tables
    BadConfig(
        '[state-machines]\nname = "approval"\n', "{toml}:1: `state-machines`: expected an array of tables, got a table"
    ),
)
