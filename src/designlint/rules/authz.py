"""DL1xx: the authorization invariant, tenant AND role, with no implicit superuser bypass
(design category: authorization invariants)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from designlint.analysis.authz_checks import (
    Decision,
    Formula,
    Junction,
    Leaf,
    Violation,
    allow_formula,
    classify,
    decision,
    disjuncts,
    guards,
    is_validator,
    violations,
)
from designlint.analysis.authz_names import Kind, Vocabulary, tokens
from designlint.analysis.denials import Denial, denial_of, plainly_no_reason, sub_expressions
from designlint.analysis.enums import ENUM_CLASSES, EnumInfo, member_fix
from designlint.analysis.strings import literal_string
from designlint.analysis.syntax import child_nodes
from designlint.gates.authz import AuthzOrGate, DenyWithoutReasonGate, SuperuserBypassGate
from designlint.project import LookupFailed
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid

_ALLOWS = (Decision.ALLOW, Decision.ALLOW_BY_RETURNING)


class _AuthzRule(Rule):
    """Reads every boolean expression as an allow condition and reports the ORs of ``kind``."""

    kind: ClassVar[Kind]  # and ``vocabulary``: the gate's
    vocabulary: Vocabulary

    def setup(self) -> None:
        self.reported_tests: set[int] = set()  # ids of the ``if`` tests reported as a bypass

    def visit_If(self, node: cst.If) -> None:
        denies = self.decision(node.body) is Decision.DENY
        self._check(node.test, allows_when_true=not denies)
        if denies:
            self._check_guards(node, disjuncts(self.formula(node.test, allows_when_true=False)))

    def visit_Expr(self, node: cst.Expr) -> None:
        """A validator called as a statement (``ensure_same_team(caller, thread)``) is a scope
        check that denies by raising."""
        call = node.value.expression if isinstance(node.value, cst.Await) else node.value
        check = classify(call, self.vocabulary) if isinstance(call, cst.Call) and is_validator(call) else None
        if check is not None and check.kind is Kind.SCOPE and check.positive:
            self._check_guards(node, (Leaf(call, frozenset({Kind.SCOPE}), call, True),))

    def _check_guards(self, deny: cst.CSTNode, own_parts: tuple[Formula, ...]) -> None:
        """A deny reached only past an earlier test: ``if not user.is_admin:`` around it, or
        ``if user.is_admin: return doc`` before it. Access is granted when that test goes the
        other way or the deny's own check passes, an OR like any other; ``own_parts`` are the
        disjuncts of the latter."""
        for test, holds in guards(self.context.ancestors, deny):
            guard = self.formula(test, allows_when_true=not holds, at=deny)
            either = Junction(True, (*disjuncts(guard), *own_parts), test, test, False)
            for violation in violations(either):
                scope_in_deny = any(violation.tenant is part for part in own_parts)
                bypass_in_deny = any(violation.bypass is part for part in own_parts)  # the deny's own OR
                if (
                    violation.kind is self.kind
                    and scope_in_deny
                    and not bypass_in_deny
                    and id(test) not in self.reported_tests
                ):
                    self.reported_tests.add(id(test))
                    self.report(test, self.skip_message(self.runs_only_when(violation)))

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        if self._is_root(node):
            self._check(node, allows_when_true=True)

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if isinstance(node.operator, cst.Not) and self._is_root(node):
            self._check(node, allows_when_true=True)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in ("any", "all") and self._is_root(node):
            self._check(node, allows_when_true=True)

    def _is_root(self, node: cst.CSTNode) -> bool:
        """Not an operand of an enclosing boolean expression, nor an ``if`` test (read by visit_If)."""
        ancestors = self.context.ancestors
        parent = ancestors[-1] if ancestors else None
        if isinstance(parent, cst.BooleanOperation) or (
            isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not)
        ):
            return False
        if isinstance(parent, cst.If) and parent.test is node:
            return False
        if isinstance(parent, cst.Element) and len(ancestors) >= 4:
            call = ancestors[-4]
            return not (
                isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value in ("any", "all")
            )
        return True

    def decision(self, body: cst.BaseSuite) -> Decision | None:
        """``decision`` of an ``if`` body, once per file: DL101 and DL102 both ask it of every ``if``."""
        return self.context.memo.get((decision, body), lambda: decision(body))

    def formula(self, expr: cst.BaseExpression, allows_when_true: bool, at: cst.CSTNode | None = None) -> Formula:
        """``expr`` read as an allow condition where the walk is (``at``, by default ``expr``
        itself or the ``if`` it tests: a local variable's value is the one assigned so far), once
        per file for the family's rules."""
        return self.context.memo.get(
            (allow_formula, self.vocabulary, expr, allows_when_true, at),
            lambda: allow_formula(expr, allows_when_true, self.vocabulary, self._local_value),
        )

    def _local_value(self, name: str) -> cst.BaseExpression | None:
        """The value ``name`` was last assigned in the enclosing function, so far."""
        scope = self.context.names.scope
        binding = scope.bindings.get(name)
        if scope.node is None or binding is None or not isinstance(binding.node, cst.BaseExpression):
            return None
        return binding.node

    def _check(self, expr: cst.BaseExpression, allows_when_true: bool) -> None:
        for violation in violations(self.formula(expr, allows_when_true)):
            if violation.kind is self.kind:
                deny = None if allows_when_true else self.denies_only_when(violation, whole=violation.anchor is expr)
                self.report(violation.anchor, self.message(violation, deny))

    def source(self, formula_or_node) -> str:
        node = getattr(formula_or_node, "node", formula_or_node)
        text = " ".join(self.context.module.code_for_node(node).split())
        return text if len(text) <= 60 else text[:57] + "..."

    def denies_only_when(self, violation: Violation, whole: bool) -> str:
        """When the deny test (or, for an OR inside it, that part of it) holds, exactly: each
        operand holds, or is false, as written."""
        sides = [(self.source(f.text), not f.allows_if_true) for f in (violation.tenant, violation.bypass)]
        (tenant, tenant_holds), (bypass, bypass_holds) = sides
        if tenant_holds == bypass_holds:
            both = f"`{tenant}` and `{bypass}` {'both hold' if tenant_holds else 'are both false'}"
        else:
            state = {True: "holds", False: "is false"}
            both = f"`{tenant}` {state[tenant_holds]} and `{bypass}` {state[bypass_holds]}"
        return f"denies only when {both}" if whole else f"this part of the deny test holds only when {both}"

    def runs_only_when(self, violation: Violation) -> str:
        """Exactly when the skipped scope check runs: as the guard's operand is written."""
        scope, line = self.source(violation.tenant.text), self.context.line_of(violation.tenant.node)
        bypass = violation.bypass
        state = "is false" if bypass.allows_if_true else "holds"
        return f"the scope check `{scope}` (line {line}) runs only when `{self.source(bypass.text)}` {state}"

    def message(self, violation: Violation, denies_only_when: str | None) -> str:
        """``denies_only_when``: for an ``if`` that denies, when it does (else None)."""
        raise NotImplementedError

    def skip_message(self, runs_only_when: str) -> str:
        raise NotImplementedError


class AuthzOr(AuthzOrGate, _AuthzRule):
    """A scope check (tenant, team, ownership, ACL) OR a role/permission check: either alone
    grants access, where the authorization invariant requires tenant AND role. Read directly,
    through local boolean variables, in ``any([...])``, in deny form (``if not tenant_ok and
    not role_ok: deny``), and as statement order: a scope check reached only when a role
    check fails."""

    code = "DL101"
    name = "authz-or"
    VALID = (
        Valid(
            """
            from fastapi import Depends, HTTPException


            def require_document_access(document, principal=Depends(current_principal)):
                if document.tenant_id != principal.tenant_id or "documents:read" not in principal.scopes:
                    raise HTTPException(status_code=403, detail="forbidden")
                return document


            def can_run_tool(principal, tool) -> bool:
                tenant_ok = tool.workspace_id == principal.workspace_id
                role_ok = principal.has_role("operator") or principal.has_role("maintainer")
                return tenant_ok and role_ok


            def resolve_tenant(request, default_tenant):
                return request.tenant_id or default_tenant
            """
        ),
        Valid(
            """
            def visible(messages, user):
                return [m for m in messages if m.role == "user" or m.org_id == user.org_id]
            """
        ),
        # Words of the project's own vocabulary count only once configured.
        Valid(
            """
            def can_view(user, ledger):
                return ledger.realm_key == user.realm_key or user.is_entitled
            """
        ),
        # Owner or shared-with: two scope checks, a legitimate pair.
        Valid(
            """
            async def open_folder(folder, user, grants):
                if folder.owner_id == user.id or await grants.can_read(user.id, folder):
                    return folder
                raise PermissionError("forbidden")


            def may_read(doc, user):
                return doc.created_by == user.id or has_access(user.id, "read", doc)
            """
        ),
        # A role check alone is no OR of scope and role, nor is a list filtered by team in its query.
        Valid(
            """
            from fastapi import HTTPException
            from sqlmodel import select


            def list_threads(session, caller):
                if caller.role not in ("editor", "viewer"):
                    raise HTTPException(status_code=403)
                return session.exec(select(Thread).where(Thread.team_id == caller.team_id)).all()
            """
        ),
        # Both checks apply to everyone: the role first, then the team.
        Valid(
            """
            from fastapi import HTTPException


            def authorize(caller, project):
                if "maintainer" not in caller.roles:
                    raise HTTPException(status_code=403)
                if project.team_id != caller.team_id:
                    raise HTTPException(status_code=404)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            from fastapi import Depends, HTTPException


            def require_document_access(document, principal=Depends(current_principal)):
                if document.tenant_id != principal.tenant_id and "documents:read" not in principal.scopes:
                    raise HTTPException(status_code=403, detail="forbidden")
                return document
            """,
            line=5,
            column=8,
            message='denies only when `document.tenant_id != principal.tenant_id` and `"documents:read" not in principal.scopes` both hold',
        ),
        Invalid(
            """
            def can_run_tool(principal, tool) -> bool:
                tenant_ok = tool.workspace_id == principal.workspace_id
                role_ok = principal.has_role("operator")
                return tenant_ok or role_ok
            """,
            line=4,
            column=12,
            message="scope check `tenant_ok` OR role check `role_ok`",
        ),
        Invalid(
            """
            def ok(u, d):
                return d.tenant_id == u.tenant_id or has_role(u, 'editor')
            """,
            line=2,
            column=12,
            end_column=63,
            message="scope check `d.tenant_id == u.tenant_id` OR role check `has_role(u, 'editor')`: the authorization invariant requires both",
        ),
        Invalid(
            """
            async def may_invoke(claims, tool):
                return any([claims["org_id"] in tool.org_ids, "tools:invoke" in claims["scopes"]])
            """,
            line=2,
            column=12,
            message='OR role check `"tools:invoke" in claims["scopes"]`',
        ),
        Invalid(
            """
            def can_view(user, ledger):
                return ledger.realm_key == user.realm_key or user.is_entitled
            """,
            config={"authz": {"tenant-names": ["realm"], "role-names": ["entitled"]}},
            line=2,
            column=12,
            message="scope check `ledger.realm_key == user.realm_key` OR role check `user.is_entitled`",
        ),
        Invalid(
            """
            from fastapi import HTTPException


            def require_thread_access(thread, caller):
                if thread.team_id != caller.team_id and caller.role not in ("editor", "owner"):
                    raise HTTPException(status_code=403)
                return thread
            """,
            line=5,
            column=8,
            message='denies only when `thread.team_id != caller.team_id` and `caller.role not in ("editor", "owner")` both hold',
        ),
        Invalid(
            """
            def can_edit(note, principal) -> bool:
                return note.user_id == principal.id or principal.has_role("moderator")
            """,
            line=2,
            column=12,
            message='scope check `note.user_id == principal.id` OR role check `principal.has_role("moderator")`',
        ),
        # Negated as a whole, the deny holds when both checks fail: the message says so.
        Invalid(
            """
            def require_tool_access(principal, tool):
                same_tenant = tool.tenant_id == principal.tenant_id
                has_role = "tools:run" in principal.scopes
                if not (same_tenant or has_role):
                    raise PermissionError("forbidden")
            """,
            line=4,
            column=8,
            message="denies only when `same_tenant` and `has_role` are both false, so the role check alone grants access",
        ),
        # The team check runs only for callers without the role: the role alone lets one through.
        Invalid(
            """
            from fastapi import HTTPException


            def authorize(caller, project):
                if "maintainer" not in caller.roles:
                    if project.team_id != caller.team_id:
                        raise HTTPException(status_code=403)
            """,
            line=5,
            column=8,
            message='the scope check `project.team_id != caller.team_id` (line 6) runs only when `"maintainer" not in caller.roles` holds, so the role check alone grants access',
        ),
        Invalid(
            """
            def require_note_author(note, principal):
                if note.created_by != principal.id and not principal.has_permission("notes:moderate"):
                    raise PermissionError("not the author")
            """,
            line=2,
            column=8,
            message='denies only when `note.created_by != principal.id` holds and `principal.has_permission("notes:moderate")` is false',
        ),
    )

    def message(self, violation: Violation, denies_only_when: str | None) -> str:
        tenant, role = self.source(violation.tenant), self.source(violation.bypass)
        if denies_only_when:
            return f"{denies_only_when}, so the role check alone grants access, whatever the scope: the authorization invariant requires tenant AND role"
        return f"scope check `{tenant}` OR role check `{role}`: the authorization invariant requires both"

    def skip_message(self, runs_only_when: str) -> str:
        return f"{runs_only_when}, so the role check alone grants access, whatever the scope: the authorization invariant requires tenant AND role"


class SuperuserBypass(SuperuserBypassGate, _AuthzRule):
    """An admin/superuser/staff flag that grants access on its own: an ``if`` on the flag that
    allows or returns before the function's scope check (or in a function taking a tenant it
    never checks), a scope check nested under ``if not flag:``, or the flag OR'ed with the
    scope check."""

    code = "DL102"
    name = "superuser-bypass"
    VALID = (
        Valid(
            """
            class DocumentPolicy:
                def can_read(self, user, document) -> bool:
                    if document.org_id != user.org_id:
                        return False
                    if user.is_superuser:
                        return True
                    return "reader" in user.roles
            """
        ),
        Valid(
            """
            def can_manage(user, workspace) -> bool:
                return user.is_staff and workspace.id == user.workspace_id
            """
        ),
        Valid(
            """
            def show_debug_panel(user):
                if user.is_admin:
                    return True
                return False
            """
        ),
        Valid(
            """
            def ok(u, d):
                if u.has_god_mode:
                    return True
                return d.tenant_id == u.tenant_id
            """
        ),
        # An admin-only endpoint with no scope to skip, and one that still holds admins to the team.
        Valid(
            """
            from fastapi import HTTPException


            def reset_graph(caller, graph):
                if not caller.is_superuser:
                    raise HTTPException(status_code=403, detail="superusers only")
                return graph.reset()


            def export_thread(caller, thread):
                if not caller.is_superuser:
                    raise HTTPException(status_code=403)
                if thread.team_id != caller.team_id:
                    raise HTTPException(status_code=404)
                return thread.export()
            """
        ),
        # A list whose query is filtered by tenant: the admin's wider list is not a skipped check.
        Valid(
            """
            from sqlmodel import select


            def list_documents(session, user):
                if user.is_superuser:
                    return session.exec(select(Document)).all()
                return session.exec(select(Document).where(Document.org_id == user.org_id)).all()
            """
        ),
        # Whether the target account is the caller's own is user administration, not ownership.
        Valid(
            """
            from fastapi import HTTPException


            def update_user(user, user_id, target):
                if target.is_superuser and not user.is_superuser and user.id != user_id:
                    raise HTTPException(status_code=403)
            """
        ),
        # "write or admin" is a permission level, not the superuser flag.
        Valid(
            """
            async def user_has_write_access(self, workspace: str, repo_slug: str) -> bool:
                response = await self.get_permissions(workspace, repo_slug)
                for entry in response.get("values", []):
                    if entry.get("permission") in ("write", "admin"):
                        return True
                return False
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            class DocumentPolicy:
                def can_read(self, user, document) -> bool:
                    if user.is_superuser:
                        return True
                    return document.org_id == user.org_id and "reader" in user.roles
            """,
            line=3,
            column=12,
            end_column=29,
            message="superuser flag `user.is_superuser` grants access before the scope check",
        ),
        Invalid(
            """
            def can_manage_workspace(user, workspace) -> bool:
                return user.is_staff or workspace.id == user.workspace_id
            """,
            line=2,
            column=12,
            message="scope check `workspace.id == user.workspace_id` OR superuser flag `user.is_staff`",
        ),
        Invalid(
            """
            def ok(u, d):
                return u.is_superuser or d.org_id == u.org_id
            """,
            line=2,
            column=12,
            message="scope check `d.org_id == u.org_id` OR superuser flag `u.is_superuser`: the flag alone grants access, whatever the scope",
        ),
        Invalid(
            """
            import functools


            def tenant_scoped(func):
                @functools.wraps(func)
                async def wrapper(request, tenant_id, *args, **kwargs):
                    if request.user.is_admin:
                        return await func(request, tenant_id, *args, **kwargs)
                    raise PermissionError(tenant_id)
                return wrapper
            """,
            line=7,
            column=12,
            message="superuser flag `request.user.is_admin` grants access to a tenant's resource without a tenant check",
        ),
        Invalid(
            """
            def require_access(user, doc):
                if doc.tenant_id != user.tenant_id and not user.is_staff:
                    raise PermissionError("forbidden")
            """,
            line=2,
            column=8,
            message="denies only when `doc.tenant_id != user.tenant_id` holds and `user.is_staff` is false, so the superuser flag alone grants access",
        ),
        Invalid(
            """
            def ok(u, d):
                if u.has_god_mode:
                    return True
                return d.tenant_id == u.tenant_id
            """,
            config="""
            [authz]
            superuser-names = ["god_mode"]
            """,
            line=2,
            column=8,
            message="superuser flag `u.has_god_mode` grants access before the scope check",
        ),
        # The early return of the resource skips the owner check below it.
        Invalid(
            """
            from fastapi import HTTPException


            async def get_document(documents, doc_id, caller):
                doc = await documents.get(doc_id)
                if caller.is_admin:
                    return doc
                if doc.owner_id != caller.id:
                    raise HTTPException(status_code=404)
                return doc
            """,
            line=6,
            column=8,
            message="the scope check `doc.owner_id != caller.id` (line 8) runs only when `caller.is_admin` is false, so the superuser flag alone grants access",
        ),
        # A guard that returns for superusers before the owner check.
        Invalid(
            """
            from fastapi import HTTPException


            def ensure_can_administer_share(user, owner_id):
                if getattr(user, "is_superuser", False):
                    return
                if owner_id is not None and owner_id == user.id:
                    return
                raise HTTPException(status_code=403, detail="owner or superuser only")
            """,
            line=5,
            column=8,
            message='superuser flag `getattr(user, "is_superuser", False)` grants access before the scope check',
        ),
        # An admin role through an enum member's value.
        Invalid(
            """
            def can_edit_flow(user, flow) -> bool:
                if user.role == Role.INSTANCE_ADMIN.value:
                    return True
                return flow.user_id == user.id
            """,
            line=2,
            column=8,
            message="superuser flag `user.role == Role.INSTANCE_ADMIN.value` grants access before the scope check",
        ),
        # Admin roles in a tuple.
        Invalid(
            """
            def can_read_thread(caller, thread) -> bool:
                return caller.role in (Role.ADMIN, Role.ADMIN_READONLY) or thread.team_id == caller.team_id
            """,
            line=2,
            column=12,
            message="scope check `thread.team_id == caller.team_id` OR superuser flag `caller.role in (Role.ADMIN, Role.ADMIN_READONLY)`",
        ),
        # Owner or ACL is a legitimate pair; the admin role beside them is the bypass.
        Invalid(
            """
            def open_file(f, u):
                if f.owner_id == u.id or u.role == "admin" or has_access(u, f):
                    return f
                raise PermissionError("forbidden")
            """,
            line=2,
            column=8,
            message='scope check `f.owner_id == u.id` OR superuser flag `u.role == "admin"`',
        ),
        # The deny raises in a nested block; non-admins of another team are the only ones it stops.
        Invalid(
            """
            from fastapi import HTTPException


            def check_thread(caller, thread):
                if not caller.is_admin and thread.team_id != caller.team_id:
                    if thread.visibility != "public":
                        raise HTTPException(status_code=403)
            """,
            line=5,
            column=8,
            message="denies only when `thread.team_id != caller.team_id` holds and `caller.is_admin` is false",
        ),
        # The validator runs only for non-superusers.
        Invalid(
            """
            async def load_space(caller, space):
                if not caller.is_superuser:
                    await ensure_same_space(caller, space)
                return space
            """,
            line=2,
            column=8,
            message="the scope check `ensure_same_space(caller, space)` (line 3) runs only when `caller.is_superuser` is false",
        ),
        # The superuser flag OR an owner check read through local booleans, in deny form.
        Invalid(
            """
            def get_chunks(auth_user, document, chunks):
                is_owner = str(document.owner_id) == str(auth_user.id)
                user_has_access = is_owner or bool(set(auth_user.collection_ids) & set(document.collection_ids))
                if not user_has_access and not auth_user.is_superuser:
                    raise R2RException("Not authorized to access this document's chunks.", 403)
                return chunks
            """,
            line=4,
            column=8,
            message="denies only when `user_has_access` and `auth_user.is_superuser` are both false",
        ),
        # Membership in the principal's own list of collections is the scope.
        Invalid(
            """
            def update_graph(auth_user, collection_id):
                if not auth_user.is_superuser and collection_id not in auth_user.collection_ids:
                    raise R2RException("You do not have access to this collection.", 403)
            """,
            line=2,
            column=8,
            message="denies only when `collection_id not in auth_user.collection_ids` holds and `auth_user.is_superuser` is false",
        ),
        # The scope check is a helper matching the request's user with the job's.
        Invalid(
            """
            def may_resume(current_user, job, request) -> bool:
                if current_user.is_superuser and not serving_end_user_enabled():
                    return True
                return _end_user_matches(resolve_end_user_id(request), job.metadata)
            """,
            line=2,
            column=8,
            message="superuser flag `current_user.is_superuser and not serving_end_user_enabled()` grants access before the scope check",
        ),
        # An ACL helper is the scope check the flag skips.
        Invalid(
            """
            from fastapi import HTTPException


            async def get_folder(user, folder, grants):
                if not user.is_superuser and not await grants.can_read(user.id, folder):
                    raise HTTPException(status_code=404)
                return folder
            """,
            line=5,
            column=8,
            message="denies only when `await grants.can_read(user.id, folder)` and `user.is_superuser` are both false",
        ),
    )

    def visit_If(self, node: cst.If) -> None:
        super().visit_If(node)
        verdict = self.decision(node.body)
        if verdict not in _ALLOWS:
            return
        parts = disjuncts(self.formula(node.test, allows_when_true=True))
        flag = next((p for p in parts if Kind.SUPERUSER in p.grants), None)
        if flag is None or any(Kind.SCOPE in p.grants for p in parts):
            return  # an OR with the scope check is visit_If's (super) finding
        function = next((a for a in reversed(self.context.ancestors) if isinstance(a, cst.FunctionDef)), None)
        if function is None:
            return
        later = list(_nodes_after(function, node))
        tenant_later = any(self._is_tenant_check(n) for n in later)
        raises_later = any(isinstance(n, cst.Raise) for n in later)
        if verdict is Decision.ALLOW_BY_RETURNING and not raises_later:
            return  # a bare return that is not the allow path of a guard that raises
        if tenant_later:
            self.reported_tests.add(id(node.test))
            self.report(
                node.test,
                f"superuser flag `{self.source(flag)}` grants access before the scope check: the authorization invariant requires the scope check for every principal, admins included",
            )
        elif self._takes_tenant(function):
            self.reported_tests.add(id(node.test))
            self.report(
                node.test,
                f"superuser flag `{self.source(flag)}` grants access to a tenant's resource without a tenant check: the authorization invariant requires the scope check for every principal, admins included",
            )

    def _is_tenant_check(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.BaseExpression):
            return False
        check = classify(node, self.vocabulary)
        return check is not None and check.kind is Kind.SCOPE

    def _takes_tenant(self, function: cst.FunctionDef) -> bool:
        params = function.params
        return any(
            Kind.SCOPE in self.vocabulary.subject_kinds(tokens(p.name.value))
            for p in (*params.posonly_params, *params.params, *params.kwonly_params)
        )

    def message(self, violation: Violation, denies_only_when: str | None) -> str:
        tenant, flag = self.source(violation.tenant), self.source(violation.bypass)
        if denies_only_when:
            return f"{denies_only_when}, so the superuser flag alone grants access, whatever the scope: the authorization invariant requires the scope check for every principal"
        return f"scope check `{tenant}` OR superuser flag `{flag}`: the flag alone grants access, whatever the scope; the authorization invariant requires the scope check for every principal"

    def skip_message(self, runs_only_when: str) -> str:
        return f"{runs_only_when}, so the superuser flag alone grants access, whatever the scope: the authorization invariant requires the scope check for every principal, admins included"


def _nodes_after(function: cst.FunctionDef, statement: cst.If) -> Iterator[cst.CSTNode]:
    """The nodes of ``function`` that run after ``statement``'s test fails: its ``else``
    branches and everything following it (nested functions and classes excluded). A call's
    arguments and a comprehension's filter are not entered: ``select(Doc).where(Doc.org_id ==
    user.org_id)`` filters a query, it decides nothing."""
    stack: list[cst.CSTNode] = [function.body]
    after = False
    while stack:
        node = stack.pop()
        if node is statement:
            after = True
            if statement.orelse is not None:
                stack.append(statement.orelse)
            continue
        if after:
            yield node
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and node is not function:
            continue
        if isinstance(node, (cst.Call, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            continue
        stack.extend(reversed(child_nodes(node)))


_DENY_REASONS = {
    "app/authz.py": """
        from dataclasses import dataclass
        from enum import Enum


        class DenyReason(str, Enum):
            TENANT_MISMATCH = "tenant_mismatch"
            ROLE_MISSING = "role_missing"
            TOOL_NOT_ALLOWED = "tool_not_allowed"


        @dataclass(frozen=True)
        class Decision:
            allowed: bool
            reason: DenyReason | None = None
        """
}
_DENY_CONFIG = '[authz]\ndeny-reasons = "app.authz.DenyReason"\n'


class DenyWithoutReason(DenyWithoutReasonGate, Rule):
    """With ``authz.deny-reasons`` naming an enum, a denial that carries none of its members:
    raising a forbidden/denied exception (``PermissionError``, ``*Forbidden*``, ``*Denied*``,
    ``HTTPException`` with status 403) or returning a decision with ``allowed=False``/``allow=False``
    whose arguments hold no member. A raw string that is a member's value gets the member as a
    fix (safe for a str-valued enum the module imports). A denial given a value that is not plainly
    a message or a status (a parameter, a call) is not judged: it may be the reason. Zero-config:
    silent."""

    code = "DL103"
    name = "deny-without-reason"
    VALID = (
        Valid(
            """
            from fastapi import HTTPException

            from app.authz import Decision, DenyReason


            def authorize(principal, tool):
                if tool.tenant_id != principal.tenant_id:
                    raise HTTPException(status_code=403, detail={"reason": DenyReason.TENANT_MISMATCH})
                if tool.name not in principal.allowed_tools:
                    return Decision(allowed=False, reason=DenyReason.TOOL_NOT_ALLOWED)
                return Decision(allowed=True)
            """,
            path="app/dispatch.py",
            config=_DENY_CONFIG,
            files=_DENY_REASONS,
        ),
        Valid(
            """
            from fastapi import HTTPException, status


            def authorize(principal, tool):
                if tool.tenant_id != principal.tenant_id:
                    raise HTTPException(status.HTTP_403_FORBIDDEN, detail="tool belongs to another tenant")
            """
        ),
        Valid(
            """
            from app import authz


            class ToolForbidden(Exception):
                def __init__(self, reason: authz.DenyReason):
                    super().__init__(reason.value)
                    self.reason = reason


            async def check(principal, tool, reason_for):
                reason = authz.DenyReason.ROLE_MISSING
                if not principal.roles:
                    raise ToolForbidden(reason)
                if tool.tenant_id != principal.tenant_id:
                    raise ToolForbidden(reason_for(tool))
                if tool.status == 404:
                    raise HTTPException(404, "no such tool")
            """,
            path="app/dispatch.py",
            config=_DENY_CONFIG,
            files=_DENY_REASONS,
        ),
    )
    INVALID = (
        Invalid(
            """
            from fastapi import HTTPException, status


            def authorize(principal, tool):
                if tool.tenant_id != principal.tenant_id:
                    raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=f"{tool.name}: other tenant")
            """,
            path="app/dispatch.py",
            config=_DENY_CONFIG,
            files=_DENY_REASONS,
            line=6,
            column=15,
            end_column=28,
            message="denial carries no DenyReason member",
        ),
        Invalid(
            """
            from app.authz import Decision, DenyReason


            def authorize(principal, tool) -> Decision:
                if "admin" not in principal.roles:
                    return Decision(allowed=False, reason="role_missing")
                return Decision(allowed=True)
            """,
            path="app/dispatch.py",
            config=_DENY_CONFIG,
            files=_DENY_REASONS,
            line=6,
            column=47,
            end_column=61,
            message='deny reason "role_missing" is a raw string: use DenyReason.ROLE_MISSING',
            expected_fix="""
            from app.authz import Decision, DenyReason


            def authorize(principal, tool) -> Decision:
                if "admin" not in principal.roles:
                    return Decision(allowed=False, reason=DenyReason.ROLE_MISSING)
                return Decision(allowed=True)
            """,
        ),
        Invalid(
            """
            class ToolAccessDenied(Exception):
                pass


            async def run(session, principal, tool):
                async with session.begin():
                    if tool.name not in principal.allowed_tools:
                        message = f"tool {tool.name} is not allowed for {principal.id}"
                        raise ToolAccessDenied(message)
            """,
            path="app/runner.py",
            config=_DENY_CONFIG,
            files=_DENY_REASONS,
            line=9,
            column=19,
            message="denial carries no DenyReason member",
        ),
        Invalid(
            """
            def require_scope(token, scope):
                if scope not in token.scopes:
                    raise PermissionError
            """,
            path="app/auth.py",
            config=_DENY_CONFIG,
            files=_DENY_REASONS,
            line=3,
            column=15,
            message="denial carries no DenyReason member",
        ),
    )

    def setup(self) -> None:
        self.enum: EnumInfo | None = None
        project = self.context.project
        if self.enum_name is not None and project is not None:
            try:
                self.enum = project.fact(ENUM_CLASSES, self.enum_name)
            except LookupFailed:
                pass  # the runner rejects such a config before linting; the API degrades

    def visit_Raise(self, node: cst.Raise) -> None:
        self._check(denial_of(node, self.context.names))

    def visit_Return(self, node: cst.Return) -> None:
        self._check(denial_of(node, self.context.names))

    def _check(self, denial: Denial | None) -> None:
        enum = self.enum
        if denial is None or enum is None:
            return
        if self._carries_member(denial, enum):
            return
        for argument in denial.arguments:
            for node in sub_expressions(argument):
                literal = literal_string(node)
                member = enum.member_for(literal) if literal else None
                if literal is not None and member is not None:
                    self.report(
                        node,
                        f'deny reason "{literal}" is a raw string: use {enum.class_name}.{member}',
                        fix=member_fix(node, enum, member, literal, self.context.names, self.context.module_name),
                    )
                    return
        if all(plainly_no_reason(argument, self.context.names) for argument in denial.arguments):
            self.report(
                denial.callee,
                f"denial carries no {enum.class_name} member ({enum.qualname}): forensics needs an enumerated "
                "deny reason on every denial",
            )

    def _carries_member(self, denial: Denial, enum: EnumInfo) -> bool:
        """A member among its values (``DenyReason.X``, a local or parameter holding one)."""
        for argument in denial.arguments:
            for node in sub_expressions(argument):
                if isinstance(node, (cst.Name, cst.Attribute)) and self._is_member(node, enum):
                    return True
        return False

    def _is_member(self, node: cst.Name | cst.Attribute, enum: EnumInfo) -> bool:
        names = self.context.names
        qualname = names.qualify(node) or ""
        if qualname.startswith(f"{enum.qualname}."):
            return True
        binding = names.binding_of(node) if isinstance(node, cst.Name) else None
        if binding is None:
            return False
        if binding.kind == "instance" and binding.qualname == enum.qualname:
            return True  # a parameter annotated with the enum
        bound = binding.node
        return isinstance(bound, cst.Attribute) and (names.qualify(bound) or "").startswith(f"{enum.qualname}.")


# The config and modules the family's gate cases are linted with: it fires only when configured.
_GATE_CONFIG = '[authz]\ndeny-reasons = "app.authz.DenyReason"\n'
_GATE_FILES = {"app/authz.py": "import enum\n\n\nclass DenyReason(str, enum.Enum):\n    INACTIVE = 'inactive'\n"}
# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL101/DL102: the words of checks in any case and spelling (a key's words apart), both checks
# of a finding in one function (a method, an ``async def`` under a decorator, a helper holding
# the ``or``), in a lambda outside every function, in a decorator; DL103 (linted with _GATE_CONFIG): a denial
# spelt as a bare class, one in an aliased HTTPException, a decision returned (its ``allowed=``
# and ``False`` apart).
GATE_CASES = (
    Gate(
        "def check(user):\n    if not user.active:\n        raise PermissionError\n",
        path="src/app/deny_bare.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    Gate(
        "from fastapi import HTTPException as E\n\n\ndef check(user):\n    if not user.active:\n        raise E(403, 'inactive')\n",
        path="src/app/deny_alias.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    Gate(
        "def can_edit(user, doc):\n    return user.tenantId == doc.tenantId or user.hasRole('editor')\n",
        path="src/app/authz_camel.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    Gate(
        "def can_read(user, doc):\n    if user.isSuperUser:\n        return True\n    return doc.org_id == user.org_id and 'reader' in user.roles\n",
        path="src/app/authz_superuser_first.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    Gate(
        "def allowed(USER, DOC):\n    return USER.IS_STAFF or DOC.TENANT_ID == USER.TENANT_ID\n",
        path="src/app/authz_upper.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    # Scope checks with none of a tenant's words: the principal's own note; a tenant's admin role.
    Gate(
        'def allowed(note, principal):\n    return note.user_id == principal.id or principal.has_role("moderator")\n',
        path="src/app/authz_principal.py",
    ),
    Gate("def ok(u, d):\n    return u.is_org_admin or d.org_id == u.org_id\n", path="src/app/authz_scoped_admin.py"),
    # The flag's name spelt with an escape: its word is in the string's value, not in the text.
    Gate(
        'def can_delete(user, record):\n    return record.tenant_id == user.tenant_id or getattr(user, "is_\\x73uperuser")\n',
        path="src/app/authz_escaped_flag.py",
    ),
    # A role's literal spelt apart in its string's text.
    Gate(
        'def ok(user, doc):\n    return doc.org_id == user.org_id or user.role == "ad" "min"\n',
        path="src/app/authz_role_apart.py",
    ),
    # An owner's key written apart, as a stored document's metadata spells it.
    Gate(
        """
        def may_delete(record, me):
            meta = record.metadata
            return meta["created-by"] == me.id or me.is_admin
        """,
        path="src/app/authz_spaced_key.py",
    ),
    Gate(
        """
        import functools


        def audited(func):
            @functools.wraps(func)
            async def wrapper(*args, **kwargs):
                return await func(*args, **kwargs)

            return wrapper


        class NotePolicy:
            @audited
            async def may_change(self, note, principal) -> bool:
                is_author = note.created_by == principal.id
                return is_author or await self.has_permission(principal, "notes:moderate")
        """,
        path="src/app/authz_method.py",
    ),
    Gate(
        """
        def _allowed(user, doc):
            return user.isAdmin or doc.orgId == user.orgId


        async def fetch(store, doc_id, user):
            doc = await store.get(doc_id)
            if not _allowed(user, doc):
                raise PermissionError(doc_id)
            return doc
        """,
        path="src/app/authz_helper.py",
    ),
    Gate(
        "may_read = lambda user, doc: user.is_superuser or doc.tenant_id == user.tenant_id\n",
        path="src/app/authz_lambda.py",
    ),
    Gate(
        """
        @policy(lambda principal, tool: tool.team_id == principal.team_id or "tools:run" in principal.scopes)
        def run_tool(principal, tool):
            return tool.run()
        """,
        path="src/app/authz_decorator.py",
    ),
    Gate(
        """
        from fastapi import HTTPException as Refused


        def open_ledger(ledger, member):
            if ledger.realmKey != member.realmKey and not member.isEntitled:
                raise Refused(403, "another realm")
            return ledger
        """,
        path="src/app/authz_configured.py",
        config={"authz": {"tenant-names": ["realm"], "role-names": ["entitled"]}},
    ),
    # The scope check in one function, the role check in another: neither rule has an OR to read.
    Gate(
        """
        def same_org(doc, user):
            return doc.org_id == user.org_id


        def is_editor(user):
            return user.role == "editor" or user.role == "reviewer"


        def visible(messages, user):
            return [m for m in messages if m["role"] == "user" or m["org_id"] == user.org_id]
        """,
        path="src/app/authz_apart.py",
        fires=False,
    ),
    Gate(
        """
        from app.authz import DenyReason


        class Decision:
            def __init__(self, allowed, reason=None):
                self.allowed, self.reason = allowed, reason


        async def authorize(principal, tool):
            if tool.name not in principal.allowed_tools:
                return Decision(allowed=False, reason="not allowed")
            return Decision(allowed=True, reason=DenyReason.INACTIVE)
        """,
        path="src/app/deny_decision.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
    Gate(
        """
        def authorize(principal, tool, Decision):
            if tool.name not in principal.tools:
                return Decision(
                    allowed=(  # not granted to this principal
                        False
                    ),
                    reason="not granted",
                )
        """,
        path="src/app/deny_decision_wrapped.py",
        config=_GATE_CONFIG,
        files=_GATE_FILES,
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    # authz.deny-reasons that is no dotted name
    BadConfig(
        '[authz]\ndeny-reasons = "DenyReason"\n',
        "{toml}:2: `authz.deny-reasons`: expected a dotted name such as \"app.errors.ErrorCode\", got 'DenyReason'",
    ),
    # authz.deny-reasons naming a class that is not an enum
    BadConfig(
        '[authz]\n\ndeny-reasons = "app.errors.Plain"\n',
        "{toml}:3: `authz.deny-reasons`: app.errors.Plain is not an enum (its bases are: Exception)",
        files={"app/errors.py": "import os\nos.system('touch EXECUTED')\n\n\nclass Plain(Exception):\n    A = 'A'\n"},
    ),
)
