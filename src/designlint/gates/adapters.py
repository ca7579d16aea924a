"""The gates of the adapter-boundary rules (``designlint.rules.adapters``): a file that names
no framework cannot import one. Each rule narrows this with where the file stands (an
adapter module, test code), which the family works out."""

from __future__ import annotations

import functools
import re

from designlint.analysis.frameworks import FRAMEWORK_PACKAGES
from designlint.gates import Gate, Spelt
from designlint.tables.adapters import AdaptersOptions

# One prefilter for a list: the rules of the family (each with its own ``Frameworks``) then share
# it, and the engine searches it once a file.
_spelt = functools.lru_cache(maxsize=16)(Spelt)

# The built-in list, matched by module prefix on dotted boundaries: "openai" covers "openai.types.chat".
DEFAULT_FRAMEWORKS = FRAMEWORK_PACKAGES


class Frameworks:
    """The framework module names in force for the adapter options."""

    def __init__(self, options: AdaptersOptions):
        base = DEFAULT_FRAMEWORKS if options.frameworks is None else options.frameworks
        self.names = tuple(dict.fromkeys((*base, *options.extend_frameworks)))
        self.rank = {name: index for index, name in enumerate(self.names)}
        # A file that names no framework (by the last part of its dotted name) cannot import one.
        words = sorted({name.rsplit(".", 1)[-1] for name in self.names})
        # Also as a string spells it: ``importlib.import_module("open" "ai")``.
        self.prefilter = _spelt(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b" if words else r"(?!)")

    def match(self, qualname: str | None) -> str | None:
        """The framework ``qualname`` belongs to (``openai.types.Chat`` -> ``openai``), else None;
        of several (``google``, ``google.genai``), the first listed. Each dotted prefix of the
        name is looked up: a file's every import is asked, against some 40 names."""
        if not qualname:
            return None
        rank = self.rank
        found: str | None = None
        end = 0
        while end != -1:
            end = qualname.find(".", end + 1)
            prefix = qualname if end == -1 else qualname[:end]
            if prefix in rank and (found is None or rank[prefix] < rank[found]):
                found = prefix
        return found


class BoundaryGate(Gate):
    codes = ("DL301", "DL302")

    def __init__(self, config):
        super().__init__(config)
        self.options = config.options(AdaptersOptions)
        self.frameworks = Frameworks(self.options)
        self.prefilter = self.frameworks.prefilter
