"""The top-level packages of the outbound clients (``clients``) and of the deadlines
(``timeouts``), and the text that may name an HTTP client: what the gates ask of a file's
imports without importing those catalogues, which import LibCST. ``tests/test_gates.py`` holds
these to the catalogues."""

from __future__ import annotations

import re

# Every HTTP client of ``clients``, under any spelling: a file that imports none of them has
# none to call.
HTTP_PACKAGES = frozenset(
    {"aiohttp", "http", "httpx", "httpx2", "requests", "urllib", "urllib2", "urllib3", "websockets"}
)
# Text that may name one of them. No word boundaries: Python's re is three times slower on a
# leading ``\b``; ``http`` only as a word and not in "http://".
HTTP_WORDS = re.compile(r"requests|httpx|aiohttp|urllib|websockets|http\b(?!s?:)")
# Every model client and function of ``clients``: a file importing none of them calls them only
# through names the catalogue does not know.
MODEL_PACKAGES = frozenset(
    {"anthropic", "cohere", "google", "groq", "langchain_openai", "litellm", "mistralai", "openai"}
)
# The deadlines of ``timeouts``: their packages, and the last part of their names.
DEADLINE_PACKAGES = frozenset({"anyio", "asyncio"})
DEADLINE_NAMES = frozenset({"fail_after", "move_on_after", "timeout", "wait_for"})
