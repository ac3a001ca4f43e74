"""Blind mode, a small listening test: the two sides of a comparison as X and Y.

A :class:`Trial` hides which side is X and which is Y (in random order, so the listener cannot
learn that X is always A); the listener picks the better one, and only then are the names
revealed. A :class:`Tally` counts the picks of a session: how often each voice (with its
settings) was preferred, and how often the first player (X) was, since listeners favour the
first thing they hear. Pure functions, no Gradio: the tab keeps both in the session.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping

SLOTS = ("X", "Y")


@dataclasses.dataclass(frozen=True)
class Trial:
    """One blind comparison.

    Attributes:
        labels: side name ("A", "B") -> what it was (voice and settings).
        x: the side played as X (the other one is Y).
        picked: the slot the listener picked ("X" or "Y"), None until then.
    """

    labels: Mapping[str, str]
    x: str
    picked: str | None = None

    def side(self, slot: str) -> str:
        """The side ("A" or "B") behind a slot ("X" or "Y")."""
        if slot not in SLOTS:
            raise ValueError(f"slot must be X or Y, not {slot!r}")
        other = next(s for s in self.labels if s != self.x)
        return self.x if slot == "X" else other


@dataclasses.dataclass(frozen=True)
class Tally:
    """The picks of one session.

    Attributes:
        trials: how many trials were decided.
        first: how many times the listener picked X (the player on the left).
        picked: label -> how many times it was preferred.
        heard: label -> in how many decided trials it took part.
    """

    trials: int = 0
    first: int = 0
    picked: Mapping[str, int] = dataclasses.field(default_factory=dict)
    heard: Mapping[str, int] = dataclasses.field(default_factory=dict)


def deal(label_a: str, label_b: str, *, rng: random.Random | None = None) -> Trial:
    """A new trial: A and B as X and Y in a random order (``rng`` for a repeatable one)."""
    x = (rng or random.SystemRandom()).choice(("A", "B"))
    return Trial({"A": label_a, "B": label_b}, x)


def pick(trial: Trial | None, slot: str, tally: Tally) -> tuple[Trial | None, Tally]:
    """The listener prefers ``slot``: the trial is decided and counted, once.

    A trial already decided keeps its first answer and the tally does not change, so a
    second click cannot count twice; without a trial nothing changes.
    """
    if trial is None or trial.picked is not None:
        return trial, tally
    decided = dataclasses.replace(trial, picked=slot)
    winner = trial.labels[decided.side(slot)]
    picked = dict(tally.picked)
    picked[winner] = picked.get(winner, 0) + 1
    heard = dict(tally.heard)
    for label in set(trial.labels.values()):
        heard[label] = heard.get(label, 0) + 1
    first = tally.first + (slot == "X")
    return decided, Tally(tally.trials + 1, first, picked, heard)


def reveal_markdown(trial: Trial | None) -> str:
    """After the pick: which side was behind X and Y, and which one was preferred."""
    if trial is None:
        return "Run a comparison first: then listen to X and Y and pick the better one."
    if trial.picked is None:
        return "Listen to X and Y, then pick the one that sounds better: the names follow."
    lines = []
    for slot in SLOTS:
        side = trial.side(slot)
        mark = " ✔ your pick" if slot == trial.picked else ""
        lines.append(f"**{slot}** was model **{side}**: {trial.labels[side]}{mark}")
    if len(set(trial.labels.values())) == 1:
        lines.append("Both sides had the same voice and settings: any preference is chance.")
    return "  \n".join(lines)


def tally_markdown(tally: Tally) -> str:
    """The session's running tally: each voice's picks, and how often X (heard first) won."""
    if not tally.trials:
        return "No blind trials decided yet in this session."
    rows = sorted(tally.heard, key=lambda label: (-tally.picked.get(label, 0), label))
    lines = [f"**Your blind tally** ({tally.trials} trial{'s' * (tally.trials != 1)}):"]
    lines += [
        f"- {label}: preferred {tally.picked.get(label, 0)} of {tally.heard[label]}"
        for label in rows
    ]
    lines.append(
        f"- X (the left player) was picked {tally.first} of {tally.trials}: far from half "
        "over many trials suggests an order bias rather than a difference."
    )
    return "\n".join(lines)


__all__ = ["SLOTS", "Tally", "Trial", "deal", "pick", "reveal_markdown", "tally_markdown"]
