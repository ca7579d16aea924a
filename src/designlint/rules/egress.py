"""DL2xx: the network egress policy (design category: network egress policy).

Every outbound HTTP call of a known client names its destination: a host that must be on
``[tool.designlint.egress] allow`` (DL201), or a dynamic URL that must pass one of the
configured ``guards`` first (DL202).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from designlint.analysis.clients import HTTP_CALLS, HTTP_CLIENTS, HTTP_PACKAGES, HTTP_WORDS, HttpCall, canonical
from designlint.analysis.guards import passed_guard
from designlint.analysis.names import dotted_name
from designlint.analysis.strings import StaticValue, static_values
from designlint.analysis.urls import UrlHost, host_of, is_relative_url, url_host
from designlint.rules.base import Rule

if TYPE_CHECKING:
    from designlint.engine import FileFacts


LOOPBACK = re.compile(r"localhost|127(?:\.\d{1,3}){3}|::1|0\.0\.0\.0")
# Guards recognised by name when [tool.designlint.egress] guards is not set.
DEFAULT_GUARD = re.compile(
    r"(?:validate|check|ensure|require|assert|verify|guard)_\w*(?:url|host|egress|allowed|domain)\w*|is_(?:allowed|safe)_\w*"
)


def host_allowed(host: UrlHost, allow: tuple[str, ...]) -> bool:
    """Exact entries match the host; ``*.suffix`` entries match its subdomains. An entry with
    a port matches that port only."""
    for entry in allow:
        name, _, port = entry.lower().partition(":")
        if port and int(port) != host.port:
            continue
        if name.startswith("*."):
            suffix = name[2:]
            if host.host.endswith("." + suffix) or (not host.exact and host.host == suffix):
                return True
        elif host.exact and host.host == name:
            return True
    return False


class _EgressRule(Rule):
    def could_fire(self, file: FileFacts) -> bool:
        # Not a text prefilter: a client's own package (``requests/api.py``) calls its functions
        # without naming the package. Anywhere else a client is imported by name.
        if (file.module_name or "").split(".")[0] in HTTP_PACKAGES:
            return True
        if not HTTP_WORDS.search(file.text):
            return False
        return file.imports is None or any(module.split(".")[0] in HTTP_PACKAGES for module in file.imports)

    def visit_Call(self, node: cst.Call) -> None:
        qualname = self.context.names.qualify(node.func)
        if qualname is None:
            return
        qualname = canonical(qualname)
        call = HTTP_CALLS.get(qualname)
        if call is not None and call.destination is not None:
            argument = call.destination.of(node)
            if argument is None or self._sent_on_request_object(call, argument):
                return
            # Each URL a loop over a literal sequence sends to (``for url in URLS``) is checked.
            for value in static_values(argument, self.context.names):
                if call.host_only or not self._names_only_a_path(node, value):
                    self.check(argument, value, qualname, call.host_only)
        elif (client := HTTP_CLIENTS.get(qualname)) is not None and client.base_url is not None:
            base_url = client.base_url.of(node)
            if base_url is not None:
                for value in static_values(base_url, self.context.names):
                    self.check(base_url, value, qualname, host_only=False)

    def check(self, argument: cst.CSTNode, value: StaticValue, api: str, host_only: bool) -> None:
        """Report on the destination ``argument`` (whose static value is ``value``) of a call to ``api``."""
        raise NotImplementedError

    def _sent_on_request_object(self, call: HttpCall, argument: cst.CSTNode) -> bool:
        """``urlopen(req)`` with ``req = Request(url)``: the URL was checked at ``Request``."""
        if call.request_class is None:
            return False
        made_by = argument.func if isinstance(argument, cst.Call) else None
        names = self.context.names
        qualname = names.qualify(made_by) if made_by is not None else None
        binding = names.binding_of(argument)
        if binding is not None and binding.kind == "instance":
            qualname = binding.qualname
        return canonical(qualname or "") == call.request_class

    def _names_only_a_path(self, call: cst.Call, value: StaticValue) -> bool:
        """A relative URL, or a dynamic one on a client made with a ``base_url``: it adds a path, not a host."""
        if is_relative_url(value):
            return True
        if not isinstance(call.func, cst.Attribute) or url_host(value) is not None:
            return False
        receiver = call.func.value
        binding = self.context.names.binding_of(receiver)
        made = binding.node if binding is not None and binding.kind == "instance" else receiver
        if not isinstance(made, cst.Call):
            return False
        client = HTTP_CLIENTS.get(canonical(self.context.names.qualify(made.func) or ""))
        return client is not None and client.base_url is not None and client.base_url.of(made) is not None


class EgressHostNotAllowed(_EgressRule):
    code = "DL201"
    name = "egress-host-not-allowed"

    def check(self, argument: cst.CSTNode, value: StaticValue, api: str, host_only: bool) -> None:
        host = host_of(value) if host_only else url_host(value)
        if host is None or LOOPBACK.fullmatch(host.host):
            return
        allow = self.config.egress.allow
        if allow is None:
            self.report(
                argument,
                f'outbound HTTP to "{host}" ({api}): no egress allowlist is configured; list the hosts this code may reach in [tool.designlint.egress] allow',
            )
        elif not host_allowed(host, allow):
            self.report(
                argument, f'outbound HTTP to "{host}" ({api}): the host is not on [tool.designlint.egress] allow'
            )


class EgressUnguardedUrl(_EgressRule):
    code = "DL202"
    name = "egress-unguarded-url"

    def check(self, argument: cst.CSTNode, value: StaticValue, api: str, host_only: bool) -> None:
        names = self.context.names
        if (host_of(value) if host_only else url_host(value)) is not None:
            return
        source = value.first_unknown
        if source is None:
            return  # fully known, but not a URL with a host (e.g. "" or a bad literal)
        ancestors = self.context.ancestors
        # The guard may check the unknown piece (``base``) or the whole URL built from it (``url``).
        if passed_guard(source, argument, ancestors, names, self._is_guard) or (
            source is not argument and passed_guard(argument, argument, ancestors, names, self._is_guard)
        ):
            return
        shown = self.context.module.code_for_node(source).strip()
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        what = "host" if host_only else "URL"
        guards = self.config.egress.guards
        if guards:
            remedy = f"call one of [tool.designlint.egress] guards ({', '.join(guards)}) on it first"
        else:
            remedy = "pass it through an egress guard first and name the guard in [tool.designlint.egress] guards"
        self.report(
            argument,
            f"outbound HTTP to a dynamic {what} from `{shown}` ({api}) that did not pass an egress guard: {remedy}",
        )

    def _is_guard(self, call: cst.Call) -> bool:
        guards = self.config.egress.guards
        if guards:
            return self.context.names.function_matches(call.func, guards)
        callee = dotted_name(call.func)
        return callee is not None and DEFAULT_GUARD.fullmatch(callee.rpartition(".")[2]) is not None
