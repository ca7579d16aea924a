"""DL1xx: the authorization invariant, tenant AND role, with no implicit superuser bypass
(design category: authorization invariants)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from designlint.analysis.authz_checks import (
    Decision,
    Formula,
    Kind,
    Violation,
    Vocabulary,
    allow_formula,
    classify,
    decision,
    disjuncts,
    tokens,
    violations,
)
from designlint.rules.base import AllOf, Rule
from designlint.rules.cases import Invalid, Valid

_ALLOWS = (Decision.ALLOW, Decision.ALLOW_BY_RETURNING)


class _AuthzRule(Rule):
    """Reads every boolean expression as an allow condition and reports the ORs of ``kind``."""

    kind: Kind

    def __init__(self, config):
        super().__init__(config)
        options = config.authz
        self.vocabulary = Vocabulary.extended(options.tenant_names, options.role_names, options.superuser_names)
        # Such an OR needs a word of a tenant check and one of ``kind`` somewhere in the file.
        tenant, bypass = self.vocabulary.pattern(Kind.TENANT), self.vocabulary.pattern(self.kind)
        self.prefilter = AllOf(tenant.lower(), bypass.lower(), ignore_case=True)

    def visit_If(self, node: cst.If) -> None:
        denies = decision(node.body) is Decision.DENY
        self._check(node.test, allows_when_true=not denies)

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

    def formula(self, expr: cst.BaseExpression, allows_when_true: bool) -> Formula:
        return allow_formula(expr, allows_when_true, self.vocabulary, self._local_value)

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
                self.report(violation.anchor, self.message(violation, deny_form=not allows_when_true))

    def source(self, formula_or_node) -> str:
        node = getattr(formula_or_node, "node", formula_or_node)
        text = " ".join(self.context.module.code_for_node(node).split())
        return text if len(text) <= 60 else text[:57] + "..."

    def message(self, violation: Violation, deny_form: bool) -> str:
        raise NotImplementedError


class AuthzOr(_AuthzRule):
    """A tenant-scope check OR a role/permission check: either alone grants access, where the
    authorization invariant requires tenant AND role. Read directly, through local boolean
    variables, in ``any([...])`` and in deny form (``if not tenant_ok and not role_ok: deny``)."""

    code = "DL101"
    name = "authz-or"
    kind = Kind.ROLE
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
            message="tenant check `tenant_ok` OR role check `role_ok`",
        ),
        Invalid(
            """
            def ok(u, d):
                return d.tenant_id == u.tenant_id or has_role(u, 'editor')
            """,
            line=2,
            column=12,
            end_column=63,
            message="tenant check `d.tenant_id == u.tenant_id` OR role check `has_role(u, 'editor')`: the authorization invariant requires both",
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
            message="tenant check `ledger.realm_key == user.realm_key` OR role check `user.is_entitled`",
        ),
    )

    def message(self, violation: Violation, deny_form: bool) -> str:
        tenant, role = self.source(violation.tenant), self.source(violation.bypass)
        if deny_form:
            return f"denies only when `{tenant}` and `{role}` both hold, so the role check alone grants access across tenants: the authorization invariant requires tenant AND role"
        return f"tenant check `{tenant}` OR role check `{role}`: the authorization invariant requires both"


class SuperuserBypass(_AuthzRule):
    """An admin/superuser/staff flag that grants access on its own: an ``if`` on the flag that
    allows before the function's tenant check (or in a function taking a tenant it never
    checks), or the flag OR'ed with the tenant check."""

    code = "DL102"
    name = "superuser-bypass"
    kind = Kind.SUPERUSER
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
            message="superuser flag `user.is_superuser` grants access before the tenant check",
        ),
        Invalid(
            """
            def can_manage_workspace(user, workspace) -> bool:
                return user.is_staff or workspace.id == user.workspace_id
            """,
            line=2,
            column=12,
            message="tenant check `workspace.id == user.workspace_id` OR superuser flag `user.is_staff`",
        ),
        Invalid(
            """
            def ok(u, d):
                return u.is_superuser or d.org_id == u.org_id
            """,
            line=2,
            column=12,
            message="tenant check `d.org_id == u.org_id` OR superuser flag `u.is_superuser`: the flag alone grants access across tenants",
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
            message="denies only when `doc.tenant_id != user.tenant_id` and `not user.is_staff` both hold, so the superuser flag alone grants access",
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
            message="superuser flag `u.has_god_mode` grants access before the tenant check",
        ),
    )

    def visit_If(self, node: cst.If) -> None:
        super().visit_If(node)
        verdict = decision(node.body)
        if verdict not in _ALLOWS:
            return
        parts = disjuncts(self.formula(node.test, allows_when_true=True))
        flag = next((p for p in parts if Kind.SUPERUSER in p.grants), None)
        if flag is None or any(Kind.TENANT in p.grants for p in parts):
            return  # an OR with the tenant check is visit_If's (super) finding
        function = next((a for a in reversed(self.context.ancestors) if isinstance(a, cst.FunctionDef)), None)
        if function is None:
            return
        later = list(_nodes_after(function, node))
        tenant_later = any(self._is_tenant_check(n) for n in later)
        raises_later = any(isinstance(n, cst.Raise) for n in later)
        if verdict is Decision.ALLOW_BY_RETURNING and not raises_later:
            return  # a bare return that is not the allow path of a guard that raises
        if tenant_later:
            self.report(
                node.test,
                f"superuser flag `{self.source(flag)}` grants access before the tenant check: the authorization invariant requires the tenant check for every principal, admins included",
            )
        elif self._takes_tenant(function):
            self.report(
                node.test,
                f"superuser flag `{self.source(flag)}` grants access to a tenant's resource without a tenant check: the authorization invariant requires the tenant check for every principal, admins included",
            )

    def _is_tenant_check(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.BaseExpression):
            return False
        check = classify(node, self.vocabulary)
        return check is not None and check.kind is Kind.TENANT

    def _takes_tenant(self, function: cst.FunctionDef) -> bool:
        params = function.params
        return any(
            Kind.TENANT in self.vocabulary.subject_kinds(tokens(p.name.value))
            for p in (*params.posonly_params, *params.params, *params.kwonly_params)
        )

    def message(self, violation: Violation, deny_form: bool) -> str:
        tenant, flag = self.source(violation.tenant), self.source(violation.bypass)
        if deny_form:
            return f"denies only when `{tenant}` and `{flag}` both hold, so the superuser flag alone grants access across tenants: the authorization invariant requires the tenant check for every principal"
        return f"tenant check `{tenant}` OR superuser flag `{flag}`: the flag alone grants access across tenants; the authorization invariant requires the tenant check for every principal"


def _nodes_after(function: cst.FunctionDef, statement: cst.If) -> Iterator[cst.CSTNode]:
    """The nodes of ``function`` that run after ``statement``'s test fails: its ``else``
    branches and everything following it (nested functions and classes excluded)."""
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
        stack.extend(reversed(node.children))
