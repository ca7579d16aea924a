"""Each rule family's gates, declared without the family: ``gates/<family>.py`` holds, for the
rules of ``rules/<family>.py``, their text ``prefilter`` and, when it needs nothing of the
family, their ``could_fire`` on the stdlib's tree. These modules import neither LibCST nor a
rule, so the engine asks them first and imports a family only for a file where one of its
gates passes (``designlint.rules.GATES``).

A rule class inherits its gate class (``class RawStringErrorCode(ErrorsGate, Rule)``): the
gates are written once, and a rule may only narrow them further (a ``could_fire`` of its own
that needs the family's analysis, asked once the family is imported). ``tests/test_gates.py``
holds each family's gates to its rules."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

if TYPE_CHECKING:
    from designlint.config import Config
    from designlint.context import FileFacts

T = TypeVar("T")


class Words:
    """A pattern that is an alternation of plain words (``tenant|created_?by|[Aa]udit``: letters,
    digits, ``_``, a character made optional with ``?``, a class of such characters), searched as
    the strings it matches, each with ``in``: C's substring search, several times faster than
    re's scan of an alternation whose words start with letters it cannot skip ahead for. It
    matches where the regex would (``words_of`` gives no ``Words`` for any other pattern)."""

    def __init__(self, words: tuple[str, ...]):
        self.words = words

    def search(self, text: str) -> bool:
        return any(word in text for word in self.words)


# One item of a plain word: a letter, digit or ``_``, or a class of them (``[Aa]``), optionally followed by ``?``.
_WORD_ITEM = re.compile(r"(?:(\w)|\[(\w+)\])(\?)?", re.ASCII)
# Beyond this many strings, the regex is kept (``a?b?c?...`` doubles them with each ``?``).
_MAX_WORDS = 64


def words_of(pattern: str) -> Words | None:
    """``pattern`` as ``Words`` when it is an alternation of plain words; None otherwise."""
    words: list[str] = []
    for alternative in pattern.split("|"):
        spelled = [""]
        position = 0
        while position < len(alternative):
            item = _WORD_ITEM.match(alternative, position)
            if item is None:
                return None
            single, group, optional = item.groups()
            characters = [single] if single else list(group)
            if optional:
                characters.append("")
            spelled = [start + character for start in spelled for character in characters]
            if len(spelled) + len(words) > _MAX_WORDS:
                return None
            position = item.end()
        words.extend(spelled)
    return Words(tuple(dict.fromkeys(words)))


def _searcher(pattern: str | AllOf | AnyOf) -> Words | re.Pattern[str] | AllOf | AnyOf:
    if not isinstance(pattern, str):
        return pattern  # a prefilter of its own: ``AnyOf("Denied", AllOf("allow", "False"))``
    return words_of(pattern) or re.compile(pattern)


class AllOf:
    """A prefilter that needs every one of its patterns somewhere in the text. Separate
    searches are several times faster than one regex of lookaheads (``\\A(?=.*a)(?=.*b)``),
    and with ``ignore_case`` the text is lowercased once rather than matched case-insensitively
    (Python's re is slow on long case-insensitive alternations); the patterns must then be
    written in lower case. A pattern of plain words is searched as ``Words``."""

    def __init__(self, *patterns: str | AllOf | AnyOf, ignore_case: bool = False):
        self.patterns = tuple(_searcher(p) for p in patterns)
        self.ignore_case = ignore_case

    def search(self, text: str) -> bool:
        if self.ignore_case:
            text = lowered(text)
        return all(p.search(text) for p in self.patterns)


class AnyOf:
    """A prefilter that needs one of its patterns in the text. Separate searches beat one
    alternation when each pattern starts with a literal or a character set: Python's re scans
    ahead for those only when they start the whole pattern. A pattern of plain words is
    searched as ``Words``."""

    def __init__(self, *patterns: str | AllOf | AnyOf):
        self.patterns = tuple(_searcher(p) for p in patterns)

    def search(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


def _last_answer_kept(work_out: Callable[[str], T]) -> Callable[[str], T]:
    """``work_out`` with its last answer kept: the prefilters of a file ask about its text in
    turn. The text and its answer are held as one pair, replaced whole (threads may lint)."""
    kept: list[tuple[str, T] | None] = [None]

    def answer(text: str) -> T:
        last = kept[0]
        if last is None or last[0] is not text:
            last = kept[0] = (text, work_out(text))
        return last[1]

    return answer


@_last_answer_kept
def lowered(text: str) -> str:
    """``text.lower()``."""
    return text.lower()


class Gate:
    """The gates of the rules ``codes`` (all of them, or a rule, inherit it), built once per
    configuration."""

    codes: ClassVar[tuple[str, ...]] = ()  # of the rules of the family these are the gates of
    # A regex searched in the file's text: when it does not match, the rules cannot fire on
    # that file and are not run (and a file no rule needs is not parsed at all). A class
    # attribute an instance may override, from its configuration.
    prefilter: re.Pattern[str] | AllOf | AnyOf | None = None

    def __init__(self, config: Config):
        self.config = config

    def could_fire(self, file: FileFacts) -> bool:
        """Asked before LibCST parses the file, after ``prefilter`` matched: False when the rules
        cannot fire on it (they are then neither run nor, if no other rule runs, parsed). Must
        err on the side of True, which is the default."""
        return True


# -- words a string's value spells but its text does not -------------------------------------

# What may hide a word inside a string's text: an escape that may stand for a letter (``\x63``,
# ``\u0063``, ``\N{...}``, octal) or a backslash joining lines; adjoining strings that part a
# word between letters (``"co" "de"``, empty strings and line breaks between), or with a comment
# between them. Each search starts at a backslash or a quote, which re scans for fast.
_ESCAPED = re.compile(r"\\(?:[xuUN0-7]|\r?\n)")
_ADJOINING = re.compile(r"['\"](?<=\w['\"])(?:[\s\\]|[rRuUbBfF]{0,2}(?:''|\"\"))*[rRuUbBfF]{0,2}['\"]\w")
# A comment between adjoining strings: on the first's line, the second opening the next line
# (one comment line: a run of them would be rescanned from every quote before it).
_COMMENTED = re.compile(r"['\"](?<=\w['\"])(?:[\s\\]|[rRuUbBfF]{0,2}(?:''|\"\"))*#[^\n]*\n\s*[rRuUbBfF]{0,2}['\"]\w")
# One pass, left to right, over what may hold a ``#`` that opens no comment: every string
# (triple-quoted first, escapes skipped) is kept, and every comment dropped.
_COMMENT = re.compile(
    r"""('''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|#[^\n]*""",
    re.DOTALL,
)
_CONTINUATION = re.compile(r"\\\r?\n")
# A closing quote, then spaces, line breaks and empty strings, then an opening quote: what
# adjoining strings leave between their values. Each alternative of the loop opens differently,
# and none repeats another's text, so a run is matched one way.
_JUNCTION = re.compile(r"['\"](?:\s|[rRuUbBfF]{0,2}(?:''|\"\"))*[rRuUbBfF]{0,2}['\"]")
_ESCAPE = re.compile(
    r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|N\{([A-Za-z0-9 -]{1,100})\}|([0-7]{1,3}))"
)


def _unescaped(match: re.Match[str]) -> str:
    hexadecimal = match[1] or match[2] or match[3]
    try:
        if hexadecimal:
            return chr(int(hexadecimal, 16))
        if match[4]:
            return unicodedata.lookup(match[4])
        return chr(int(match[5], 8))
    except (ValueError, KeyError):  # past the last code point, an unknown name: the text as written
        return match[0]


def _joined(text: str, without_comments: bool) -> str:
    if without_comments:
        text = _COMMENT.sub(r"\1", text)
    text = _JUNCTION.sub("", _CONTINUATION.sub("", text))
    return _ESCAPE.sub(_unescaped, text) if "\\" in text else text


@_last_answer_kept
def joined(text: str) -> tuple[str, ...]:
    """Where ``text`` may part a word inside a string's text, the text with that taken out
    (adjoining strings joined, backslashes joining lines dropped, escapes spelt as the
    characters they stand for), also without its comments where one may stand between
    adjoining strings; none elsewhere. A superset of what strings spell, to search beside the
    text."""
    answer: tuple[str, ...] = ()
    if _ESCAPED.search(text) or _ADJOINING.search(text):
        answer = (_joined(text, False),)
    if _COMMENTED.search(text):
        answer = (*answer, _joined(text, True))
    return answer


@_last_answer_kept
def lowered_joined(text: str) -> tuple[str, ...]:
    """``joined(text)``, lowercased (the case-blind prefilters ask in turn)."""
    return tuple(part.lower() for part in joined(text))


class Spelt(AnyOf):
    """A prefilter that searches ``pattern`` in the text and in what its strings spell
    (``joined``): a word read from a string's value (a key, a module name, a logger's) is
    found however its text spells it. With ``ignore_case``, both are lowercased (``pattern``
    written in lower case)."""

    def __init__(self, pattern: str | AllOf | AnyOf, *, ignore_case: bool = False):
        super().__init__(pattern)
        self.ignore_case = ignore_case

    def search(self, text: str) -> bool:
        [pattern] = self.patterns
        if pattern.search(lowered(text) if self.ignore_case else text):
            return True
        return any(map(pattern.search, lowered_joined(text) if self.ignore_case else joined(text)))
