"""What an identifier names in authorization code: the words of tenant (scope), role and
superuser checks, extended by ``[tool.designlint.authz]``, matched on an identifier's tokens; and
which check a flag's or a check function's name makes. Without LibCST: the rules read these
names off LibCST's nodes (``authz_checks``), the gates (``designlint.gates.authz``) off the
stdlib's tree. Rule-neutral."""

from __future__ import annotations

import enum
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field


class Kind(enum.Enum):
    SCOPE = "scope check"  # tenant, team, ownership or an ACL: which resources the principal reaches
    ROLE = "role check"
    SUPERUSER = "superuser flag"


TENANT_WORDS = (
    "tenant",
    "org",
    "organization",
    "organisation",
    "workspace",
    "account",
    "project",
    "team",
    "group",
    "space",
)
# Ownership is a scope too: ``doc.owner_id == user.id`` compares the resource's owner with the principal.
OWNER_WORDS = ("owner", "creator", "author", "created_by", "owned_by", "uploaded_by", "ownership")
PRINCIPAL_WORDS = ("user", "principal", "caller", "requester", "actor")
# ACL helpers name the access they test: ``has_access(...)``, ``grants.can_read(...)``, ``is_shared_with``.
ACL_WORDS = ("access", "read", "write", "view", "see", "edit", "share", "shared")
ROLE_WORDS = ("role", "permission", "perm", "scope", "privilege")
SUPERUSER_WORDS = ("superuser", "super_user", "superadmin", "super_admin", "admin", "administrator", "staff", "sudo")
# ``message.role == "user"`` is a chat message's role, not an authorization role.
CHAT_ROLES = frozenset({"user", "assistant", "system", "tool", "function", "developer", "model", "human", "ai"})
# Identifier tokens that make a name read as a yes/no answer (``is_admin``, ``tenant_ok``).
_BOOL_PREFIXES = frozenset({"is", "has", "same", "can", "in", "belongs", "owns"})
_BOOL_SUFFIXES = frozenset(
    {"ok", "match", "matches", "matched", "valid", "allowed", "passed", "mismatch", "mismatched"}
)
_NEGATIVE = frozenset({"mismatch", "mismatched", "different", "cross", "wrong", "foreign"})
# Call names that test rather than fetch (``same_tenant``, ``has_role``; not ``get_tenant``).
_CHECK_PREFIXES = _BOOL_PREFIXES | {"check", "verify", "matches", "validate", "ensure", "require"}
_CHECK_TOKENS = frozenset({"same", "match", "matches", "belongs"})
ID_TOKENS = frozenset({"id", "ids", "uuid", "uuids", "key", "keys", "slug", "pk"})
# Tokens a check's name may hold besides its words: ``is_org_member``, ``has_required_role``.
_FLAG_FILLER = (
    _CHECK_PREFIXES
    | _CHECK_TOKENS
    | _BOOL_SUFFIXES
    | _NEGATIVE
    | ID_TOKENS
    | {
        "to",
        "of",
        "the",
        "user",
        "principal",
        "caller",
        "member",
        "access",
        "required",
        "any",
        "all",
        "current",
        "active",
        "global",
    }
)
# What a tenant check's name says about the tenant beyond mentioning it.
_TENANT_RELATION = (
    (_CHECK_PREFIXES - _BOOL_PREFIXES) | _CHECK_TOKENS | _BOOL_SUFFIXES | _NEGATIVE | {"member", "access", "scoped"}
)
_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


@functools.lru_cache(maxsize=8192)  # the same identifiers, again and again: every check asks
def tokens(identifier: str) -> tuple[str, ...]:
    """``isSuperUser`` -> (is, super, user); ``tenant_ids`` -> (tenant, ids)."""
    return tuple(t.lower() for part in re.split(r"[^A-Za-z0-9]+", identifier) for t in _TOKEN.findall(part))


_MAX_ANSWERS = 50_000


@dataclass(frozen=True)
class Vocabulary:
    """The built-in words, extended by ``[tool.designlint.authz]``; each word a token sequence."""

    tenant: tuple[tuple[str, ...], ...]
    role: tuple[tuple[str, ...], ...]
    superuser: tuple[tuple[str, ...], ...]
    # (question, identifier's tokens) -> kinds: each question tries every word at every token.
    _answers: dict[tuple[str, tuple[str, ...]], frozenset[Kind]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def _answer(self, question: str, parts: tuple[str, ...], work_out: Callable[[], set[Kind]]) -> frozenset[Kind]:
        key = (question, parts)
        known = self._answers.get(key)
        if known is None:
            if len(self._answers) >= _MAX_ANSWERS:  # a long run meets ever new identifiers
                self._answers.clear()
            known = self._answers[key] = frozenset(work_out())
        return known

    @classmethod
    def extended(
        cls, tenant_names: Iterable[str] = (), role_names: Iterable[str] = (), superuser_names: Iterable[str] = ()
    ) -> Vocabulary:
        """The built-in words and these."""

        def words(defaults: tuple[str, ...], extra: Iterable[str]) -> tuple[tuple[str, ...], ...]:
            return tuple(dict.fromkeys(tokens(w) for w in (*defaults, *extra) if tokens(w)))

        return cls(
            words(TENANT_WORDS, tenant_names), words(ROLE_WORDS, role_names), words(SUPERUSER_WORDS, superuser_names)
        )

    def pattern(self, kind: Kind) -> str:
        """A regex alternative matching, in source text, a word every check of ``kind`` shows
        (``_shown_words``), its tokens joined as an identifier joins them (``created_by``,
        ``createdBy``)."""
        return "|".join(r"_?".join(re.escape(t) for t in word) for word in self._shown_words(kind))

    def spaced_patterns(self, kind: Kind) -> tuple[str, ...]:
        """Regexes matching, in lower-cased source text, the words of ``pattern`` of more than
        one token written apart as a string may hold them (``"created-by"``, ``"Super User"``:
        ``tokens`` splits on anything but a letter or a digit); each opens with a literal. Not
        for a word holding a word of one token (``super_admin``: ``admin`` is found already)."""
        words = self._shown_words(kind)
        single = {word[0] for word in words if len(word) == 1}
        return tuple(
            r"[^a-z0-9]+".join(re.escape(t) for t in word) for word in words if len(word) > 1 and not single & set(word)
        )

    def _shown_words(self, kind: Kind) -> tuple[tuple[str, ...], ...]:
        """A scope's words, also an owner's, a principal's (``note.user_id == principal.id``), an
        ACL's or a matching word; a role's, also a superuser's (``is_org_admin``, a role in the tenant)."""
        words = {Kind.SCOPE: self.tenant, Kind.ROLE: self.role + self.superuser, Kind.SUPERUSER: self.superuser}[kind]
        if kind is Kind.SCOPE:
            scope_words = (*OWNER_WORDS, *PRINCIPAL_WORDS, *ACL_WORDS, *sorted(_CHECK_TOKENS))
            words = (*words, *(tokens(w) for w in scope_words))
        return words

    def _words(self) -> Iterator[tuple[Kind, tuple[str, ...]]]:
        for kind, words in ((Kind.SCOPE, self.tenant), (Kind.ROLE, self.role), (Kind.SUPERUSER, self.superuser)):
            for word in words:
                yield kind, word

    def kinds_named(self, parts: tuple[str, ...]) -> frozenset[Kind]:
        """Kinds with a word anywhere in the identifier (``platform_admin`` names the admin role)."""
        return self._answer("named", parts, lambda: self._kinds_named(parts))

    def _kinds_named(self, parts: tuple[str, ...]) -> set[Kind]:
        return {kind for kind, word in self._words() if any(True for _ in _occurrences(parts, word))}

    def subject_kinds(self, parts: tuple[str, ...]) -> frozenset[Kind]:
        """Kinds whose word is what the identifier is about: it ends it, or precedes a final id
        token (``tenant_id``, ``org``, ``user_roles``; not ``workspace_persistence``)."""
        return self._answer("subject", parts, lambda: self._subject_kinds(parts))

    def _subject_kinds(self, parts: tuple[str, ...]) -> set[Kind]:
        found = set()
        for kind, word in self._words():
            for start in _occurrences(parts, word):
                end = start + len(word)
                if end == len(parts) or (end == len(parts) - 1 and parts[-1] in ID_TOKENS):
                    found.add(kind)
        return found

    def flag_kinds(self, parts: tuple[str, ...]) -> frozenset[Kind]:
        """Kinds named by an identifier made only of their words and yes/no vocabulary
        (``same_tenant``, ``has_role``, ``is_superuser``; not ``can_reuse_workspace``)."""
        return self._answer("flag", parts, lambda: self._flag_kinds(parts))

    def _flag_kinds(self, parts: tuple[str, ...]) -> set[Kind]:
        found: set[Kind] = set()
        covered: set[int] = set()
        for kind, word in self._words():
            for start in _occurrences(parts, word):
                found.add(kind)
                covered.update(range(start, start + len(word)))
        if all(i in covered or part in _FLAG_FILLER for i, part in enumerate(parts)):
            return found
        return set()


def _occurrences(parts: tuple[str, ...], word: tuple[str, ...]) -> Iterator[int]:
    """Where ``word`` occurs in ``parts`` as a run of tokens; a plural ``s`` on its last token counts."""
    n = len(word)
    for i in range(len(parts) - n + 1):
        window = parts[i : i + n]
        if window[:-1] == word[:-1] and window[-1] in (word[-1], word[-1] + "s"):
            yield i


# -- checks by their names ------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    kind: Kind
    positive: bool  # True when the expression is true on success (``==``), False on failure (``!=``)


def callee_check(callee: str, vocabulary: Vocabulary, values: Callable[[], list[str]]) -> Check | None:
    """The check a call of ``callee`` makes by its name (``has_role``, ``same_tenant``,
    ``grants.can_read``), if any; ``values``, the literals it is given, tell a role check from
    a superuser's (``has_role(user, "admin")``)."""
    parts = tokens(callee)
    # ``user_can_see_share(...)`` asks about its principal, as ``can_see_share(...)`` would.
    verb = parts[1:] if len(parts) > 2 and parts[0] in PRINCIPAL_WORDS else parts
    if not verb or not (verb[0] in _CHECK_PREFIXES or _CHECK_TOKENS & set(verb)):
        return None
    kinds = vocabulary.flag_kinds(parts)
    positive = not (_NEGATIVE & set(parts))
    if kinds == {Kind.SUPERUSER}:
        return Check(Kind.SUPERUSER, positive)
    return _by_kinds(parts, kinds, positive, lambda: role_or_superuser(values(), vocabulary))


def flag_check(identifier: str, vocabulary: Vocabulary) -> Check | None:
    """The check a yes/no name makes (``is_superuser``, ``tenant_ok``, ``user_has_access``), if any."""
    parts = tokens(identifier)
    if not parts:
        return None
    # ``is_owner``, ``tenant_ok``; ``user_has_access`` asks about its principal. (Asked first:
    # most names are no yes/no answer, and their words need not be looked for.)
    boolean = (
        parts[0] in _BOOL_PREFIXES
        or parts[-1] in _BOOL_SUFFIXES
        or (len(parts) > 2 and parts[0] in PRINCIPAL_WORDS and parts[1] in _BOOL_PREFIXES)
    )
    if not boolean:
        return None
    kinds = vocabulary.flag_kinds(parts)
    if kinds == {Kind.SUPERUSER}:
        return Check(Kind.SUPERUSER, True)
    return _by_kinds(parts, kinds, not (_NEGATIVE & set(parts)), lambda: Kind.ROLE)


def _by_kinds(parts: tuple[str, ...], kinds: frozenset[Kind], positive: bool, role: Callable[[], Kind]) -> Check | None:
    """The check a call's or a flag's name makes by the kinds of its words: an owner or an ACL,
    a tenant (or a scoped admin), or a role (a superuser's, else the one ``role`` says)."""
    if not kinds and _names_owner_or_acl(parts):
        return Check(Kind.SCOPE, positive)
    if Kind.SCOPE in kinds and Kind.ROLE not in kinds:
        return _tenant_or_scoped_admin(parts, kinds, positive)
    if Kind.ROLE in kinds and Kind.SCOPE not in kinds:
        return Check(Kind.SUPERUSER if Kind.SUPERUSER in kinds else role(), positive)
    return None


def _tenant_or_scoped_admin(parts: tuple[str, ...], kinds: frozenset[Kind], positive: bool) -> Check | None:
    """``is_org_admin`` is an admin of the tenant, a role inside it; ``same_tenant`` is a tenant
    check, but ``has_project`` or ``in_workspace`` only say that there is one."""
    if Kind.SUPERUSER in kinds:
        return Check(Kind.ROLE, positive)
    if _TENANT_RELATION & set(parts):
        return Check(Kind.SCOPE, positive)
    return None


def chat_roles_only(values: list[str]) -> bool:
    """Literals a role is compared with that are all a chat message's roles (``m.role == "user"``)."""
    return bool(values) and all(CHAT_ROLES & set(tokens(value)) for value in values)


def role_or_superuser(values: list[str], vocabulary: Vocabulary) -> Kind:
    """A role check against ``"admin"`` (or only admin roles: ``(Role.ADMIN, Role.ADMIN_READONLY)``)
    is the superuser bypass; against a tenant's admin role, or ``("write", "admin")``, it is not."""
    if values and all(vocabulary.kinds_named(tokens(value)) == {Kind.SUPERUSER} for value in values):
        return Kind.SUPERUSER
    return Kind.ROLE


OWNER_TOKENS = tuple(tokens(w) for w in OWNER_WORDS)
PRINCIPAL_TOKENS = tuple(tokens(w) for w in PRINCIPAL_WORDS)
_ACL_TOKENS = frozenset(ACL_WORDS)


def is_identity(parts: tuple[str, ...], words: tuple[tuple[str, ...], ...]) -> bool:
    """The identifier ends with one of ``words``, or with one and an id token (``owner_id``, ``user``)."""
    core = parts[:-1] if parts and parts[-1] in ID_TOKENS else parts
    return any(core[len(core) - len(word) :] == word for word in words if len(core) >= len(word))


def _names_owner_or_acl(parts: tuple[str, ...]) -> bool:
    """A check's name made of ownership or access words and yes/no vocabulary: ``is_owner``,
    ``has_access``, ``can_read``, ``user_has_write_access``, ``verify_ownership``; or one that
    matches a principal or owner (``end_user_matches``, ``same_owner``)."""
    pairs = set(itertools.pairwise(parts))
    identities = {word[-1] for word in OWNER_TOKENS + PRINCIPAL_TOKENS}
    if any((a, b) in pairs or (b, a) in pairs for a in identities for b in _CHECK_TOKENS):
        return True
    owner = any(True for word in OWNER_TOKENS for _ in _occurrences(parts, word))
    acl = bool(_ACL_TOKENS & set(parts))
    filler = _FLAG_FILLER | _ACL_TOKENS | {t for word in OWNER_TOKENS for t in word} | set(PRINCIPAL_WORDS)
    return (owner or acl) and all(part in filler for part in parts)


# -- denials ----------------------------------------------------------------------------

# The exceptions that deny access (``denials.denial_of``), and the words a file that raises one holds.
DENIAL_EXCEPTION = re.compile(r"PermissionError|_?[A-Z]\w*(?:Forbidden|Denied)\w*")
DENIAL_WORDS = "PermissionError|Forbidden|Denied|HTTPException"
# What a file returning a decision with ``allowed=False`` holds, both somewhere: anything may
# stand between the keyword and its value (brackets, a comment, a line break).
DECISION_WORDS = ("allow", "False")
