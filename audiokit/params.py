"""Parameters as data: each one declared once, with its default, range or choices, step, unit
and help text. The UI builds its widgets from a :class:`Param` (``ui.control``), ``run()``
checks against it, and the API docs and shared-settings links read it, so a default or a
range is never typed twice. No Gradio here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from audiokit.errors import AudioStudyError


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter of a task's ``run()``.

    Attributes:
        name: the keyword ``run()`` takes.
        default: the value used when none is given.
        label: what the UI calls it.
        help: one sentence for the UI's info line and the API docs.
        minimum, maximum: inclusive range of a number.
        step: the UI's slider step.
        unit: shown after the number (" dB", " s", " Hz").
        choices: the allowed values of a choice (a dropdown or radio in the UI).
        integer: whole numbers only.
        max_chars: the longest a text may be (text parameters).
    """

    name: str
    default: Any
    label: str = ""
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    unit: str = ""
    choices: tuple[Any, ...] = ()
    integer: bool = False
    max_chars: int | None = None

    @property
    def kind(self) -> str:
        """'choice', 'bool', 'text' or 'number': which widget and which check."""
        if self.choices:
            return "choice"
        if isinstance(self.default, bool):
            return "bool"
        if isinstance(self.default, str):
            return "text"
        return "number"

    @property
    def title(self) -> str:
        """The label, or the name in words."""
        return self.label or self.name.replace("_", " ").capitalize()

    def check(self, value: Any) -> Any:
        """The value in the type ``run()`` uses, or an :class:`AudioStudyError` naming it."""
        field = f"'{self.title}'"
        if value is None and self.default is None:
            return None  # an optional setting left unset (a model's own threshold)
        kind = self.kind
        if kind == "choice":
            if value not in self.choices:
                shown = ", ".join(str(c) for c in self.choices)
                raise AudioStudyError(f"{field} must be one of {shown}, not {value!r:.60}.")
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise AudioStudyError(f"{field} must be true or false, not {value!r:.60}.")
            return value
        if kind == "text":
            if not isinstance(value, str):
                raise AudioStudyError(f"{field} must be text.")
            if self.max_chars is not None and len(value) > self.max_chars:
                raise AudioStudyError(
                    f"{field} is {len(value):,} characters; at most {self.max_chars:,} are taken."
                )
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise AudioStudyError(f"{field} must be a number, not {value!r:.60}.")
        if not math.isfinite(value):
            raise AudioStudyError(f"{field} must be a finite number, not {value}.")
        if self.integer and value != int(value):
            raise AudioStudyError(f"{field} must be a whole number, not {value:g}.")
        low = -math.inf if self.minimum is None else self.minimum
        high = math.inf if self.maximum is None else self.maximum
        if not low <= value <= high:
            raise AudioStudyError(
                f"{field} must be between {low:g} and {high:g}{self.unit}, not {value:g}."
            )
        return int(value) if self.integer else float(value)


def check_params(params: Mapping[str, Param], values: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared parameter checked, with its default where ``values`` has none.

    Raises:
        AudioStudyError: a value out of range, of the wrong type, or a name not declared.
    """
    unknown = sorted(set(values) - set(params))
    if unknown:
        raise AudioStudyError(
            f"Unknown setting {unknown[0]!r:.40}; the settings are {', '.join(params)}."
        )
    return {
        name: p.check(values[name]) if name in values else p.default for name, p in params.items()
    }


def declare(*params: Param) -> dict[str, Param]:
    """A task's ``PARAMS``: the parameters in order, by name."""
    return {p.name: p for p in params}
