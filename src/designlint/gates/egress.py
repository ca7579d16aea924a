"""The gates of the egress rules (``designlint.rules.egress``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from designlint.analysis.packages import HTTP_PACKAGES, HTTP_WORDS
from designlint.gates import Gate

if TYPE_CHECKING:
    from designlint.context import FileFacts


class EgressGate(Gate):
    codes = ("DL201", "DL202")

    def could_fire(self, file: FileFacts) -> bool:
        # Not a text prefilter: a client's own package (``requests/api.py``) calls its functions
        # without naming the package. Anywhere else a client is imported by name.
        if (file.module_name or "").split(".")[0] in HTTP_PACKAGES:
            return True
        # The imports first: most files import no client, and the other gates work them out anyway.
        if file.imports is not None and not any(module.split(".")[0] in HTTP_PACKAGES for module in file.imports):
            return False
        return bool(HTTP_WORDS.search(file.text))
