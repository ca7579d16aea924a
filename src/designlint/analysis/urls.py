"""The URLs among static string values: their scheme and host, whether they are relative.

A value is read as far as it is known (see ``strings.StaticValue``): ``f"https://{region}.example.net/"``
names some subdomain of example.net, ``"/v1/" + path`` is relative whatever ``path`` is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from designlint.analysis.names import last_name

if TYPE_CHECKING:
    from designlint.analysis.strings import StaticValue

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_HOST_END = re.compile(r"[/?#]")
_PATH_NAME = re.compile(r"_*(?:\w+_)?(?:path|route)")


@dataclass(frozen=True)
class UrlHost:
    """The host a URL names: exactly (``api.example.com``), or by a known suffix only
    (``https://{region}.example.net/`` -> ``example.net`` with ``exact=False``)."""

    host: str
    exact: bool = True
    port: int | None = None

    def __str__(self) -> str:
        name = self.host if self.exact else f"*.{self.host}"
        return f"{name}:{self.port}" if self.port is not None else name


def url_origin(value: StaticValue) -> str | None:
    """``scheme://host[:port]`` when the known prefix spells it out completely, else None."""
    prefix = value.prefix
    match = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", prefix)
    if match is None or (match.end() == len(prefix) and not value.complete):
        return None
    return match.group(0)


def is_absolute_url(value: StaticValue) -> bool:
    """The known prefix starts with a scheme (``https:``) or ``//``."""
    return bool(_SCHEME.match(value.prefix)) or value.prefix.startswith("//")


def is_relative_url(value: StaticValue) -> bool:
    """Known to be a path (``/v1/items``, ``items/{id}``): no scheme and no ``//`` host, and not
    possibly the start of one (``"http" + rest`` is not known to be relative)."""
    prefix = value.prefix
    if not prefix or is_absolute_url(value):
        return False
    could_be_scheme = re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", prefix) or prefix == "/"
    return value.complete or not could_be_scheme


def url_host(value: StaticValue) -> UrlHost | None:
    """The host of an absolute URL, when it is known (exactly or by its suffix)."""
    prefix = value.prefix
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", prefix)
    if scheme is None:
        return None
    return _host_in((prefix[scheme.end() :], *value.parts[_leading_known(value) :]))


def host_of(value: StaticValue) -> UrlHost | None:
    """The host of ``host[:port][/path]`` (what follows ``scheme://``, or an http.client host)."""
    return _host_in(value.parts)


def _host_in(parts: tuple[str | cst.CSTNode, ...]) -> UrlHost | None:
    authority: list[str | cst.CSTNode] = []
    for part in parts:
        if isinstance(part, str):
            end = _HOST_END.search(part)
            if end is not None:
                authority.append(part[: end.start()])
                break
        elif authority and _names_a_path(part):
            break  # f"https://github.com{path}": a piece named as a path starts the path
        authority.append(part)
    else:
        if not parts or not isinstance(parts[-1], str):
            return None  # the host may go on in the unknown tail
    if all(isinstance(part, str) for part in authority):
        return _parse_authority("".join(authority))  # type: ignore[arg-type]  # all() above: every piece is a str
    tail = authority[-1]
    return _suffix_host(tail) if isinstance(tail, str) else None


def _names_a_path(node: cst.CSTNode) -> bool:
    name = last_name(node).lower()
    return bool(_PATH_NAME.fullmatch(name))


def _suffix_host(tail: str) -> UrlHost | None:
    """``.example.net`` after an unknown piece: the host is some subdomain of example.net."""
    parsed = _parse_authority(tail.lstrip("."))
    if not tail.startswith(".") or parsed is None or "." not in parsed.host:
        return None
    return UrlHost(parsed.host, exact=False, port=parsed.port)


def _parse_authority(authority: str) -> UrlHost | None:
    host = authority.rpartition("@")[2]
    port = None
    if host.startswith("["):  # [::1]:8080
        close = host.find("]")
        host, after = host[1:close], host[close + 1 :]
        if after.startswith(":") and after[1:].isdigit():
            port = int(after[1:])
    elif ":" in host:
        host, _, port_text = host.partition(":")
        if not port_text.isdigit():
            return None
        port = int(port_text)
    host = host.lower().rstrip(".")
    if not host or not re.fullmatch(r"[a-z0-9_.:-]+", host):
        return None
    return UrlHost(host, True, port)


def _leading_known(value: StaticValue) -> int:
    count = 0
    for part in value.parts:
        if not isinstance(part, str):
            break
        count += 1
    return count
