"""The words of a state machine's transitions, shared by the ``[[state-machines]]`` table and
the analysis of machines in code (``analysis.states``): a transition is a ``(source, target)``
pair of state names, ``START`` for the diagram's start (and end) pseudo-state. Plain strings,
no LibCST: the configuration imports this on every run."""

from __future__ import annotations

START = "[*]"
Transition = tuple[str, str]
