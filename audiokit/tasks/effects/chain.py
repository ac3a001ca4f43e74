"""The effect chain: an allowlist of effects as data, chains as JSON, presets and examples.

A chain is JSON: a list of ``{"effect": "<class name>", "params": {...}, "bypass": false}``.
:func:`effects` (also ``EFFECTS``) is the only way from a name to an effect: each entry is an
:class:`EffectSpec` whose constructor keywords are :class:`EffectParam` s, the shared
:class:`audiokit.params.Param` plus where its range comes from and whether it must stay below
Nyquist. The Pedalboard entries live in ``backends/pedalboard.py`` (their defaults read from
Pedalboard itself, never retyped), the neural effect in ``backends/nafx.py``; the table is built
on first use, so importing this module imports neither Pedalboard nor torch.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from audiokit.errors import AudioStudyError
from audiokit.models import load_once
from audiokit.params import Param
from audiokit.tasks.effects.limits import LIMITS

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "effects"
IR_DIR = EXAMPLES / "ir"
PRESETS_FILE = EXAMPLES / "presets.json"
EXAMPLE_CLIP = EXAMPLES / "pluck_loop.flac"
NEURAL = "NeuralTCN"
MAX_EFFECTS = LIMITS.max_effects
MAX_TAIL_S = LIMITS.max_tail_s
# The tail is cut where it falls below this level (-80 dBFS): beyond it there is only silence.
TAIL_FLOOR = 1e-4
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
CHAIN_EXAMPLE = '[{"effect": "Gain", "params": {"gain_db": 6}}]'
DEFAULT_PRESET = "lo-fi"
# The preset file as written (validated when the table is built, see presets()).
_RAW_PRESETS: dict[str, dict[str, Any]] = json.loads(PRESETS_FILE.read_text(encoding="utf-8"))
DEFAULT_CHAIN = json.dumps(_RAW_PRESETS[DEFAULT_PRESET]["chain"], indent=2)

# Parameter-name endings and their units (Pedalboard names its keywords by unit).
_UNITS = (("_hz", " Hz"), ("_rate", " Hz"), ("_ms", " ms"), ("_db", " dB"), ("_seconds", " s"))


@dataclasses.dataclass(frozen=True)
class EffectParam(Param):
    """One constructor keyword of an effect: a :class:`Param` labelled with the keyword itself.

    Attributes:
        source: where the range comes from (Pedalboard's own check, JUCE, physics, ...).
        nyquist: must also stay below half the sample rate.
    """

    source: str = ""
    nyquist: bool = False

    @classmethod
    def number(cls, name: str, low: float, high: float, source: str, **kw: Any) -> EffectParam:
        """A numeric keyword; its unit is read from its name, its default filled in later."""
        unit = next((u for suffix, u in _UNITS if name.endswith(suffix)), "")
        return cls(
            name,
            None,
            label=name,
            minimum=float(low),
            maximum=float(high),
            unit=unit,
            source=source,
            **kw,
        )

    @classmethod
    def choice(cls, name: str, choices: Sequence[str], source: str, **kw: Any) -> EffectParam:
        """A keyword taking one of ``choices`` (an enum member's name, a shipped file)."""
        default = kw.pop("default", None)
        return cls(name, default, label=name, choices=tuple(choices), source=source, **kw)

    @property
    def wide(self) -> bool:
        """A frequency, a range of two decades or more, or a whole number with a thousand or
        more values (a seed): a linear slider cannot set its low end (10 to 20,000 Hz leaves
        tens of hertz per pixel) or one exact value, so the UI takes a typed number."""
        if self.choices:
            return False
        return (
            self.unit == " Hz"
            or (self.minimum > 0 and self.maximum >= 100 * self.minimum)
            or (self.integer and self.maximum - self.minimum >= 1000)
        )


@dataclasses.dataclass(frozen=True)
class EffectSpec:
    """One allowlisted effect: its class (None for the neural one), keywords and summary."""

    name: str
    cls: Any
    params: tuple[EffectParam, ...]
    summary: str

    def param(self, name: str) -> EffectParam | None:
        """The keyword called ``name``, or None."""
        return next((p for p in self.params if p.name == name), None)

    @property
    def defaults(self) -> dict[str, Any]:
        """Every keyword at its default."""
        return {p.name: p.default for p in self.params}


def impulse_responses() -> tuple[str, ...]:
    """Names of the impulse responses shipped in examples/effects/ir."""
    return tuple(sorted(p.name for p in IR_DIR.glob("*.wav")))


@load_once
def effects() -> dict[str, EffectSpec]:
    """Every allowlisted effect by name, in menu order (built once, on first use)."""
    from audiokit.tasks.effects.backends import nafx, pedalboard

    return {**pedalboard.specs(), NEURAL: nafx.spec()}


def __getattr__(name: str) -> Any:
    # ``EFFECTS`` reads like a constant but is built on first use (it imports Pedalboard).
    if name == "EFFECTS":
        return effects()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclasses.dataclass(frozen=True)
class Step:
    """One validated effect of a chain, with every parameter filled in.

    Attributes:
        effect: an allowlisted name (a key of ``effects()``).
        params: every keyword argument, defaults included.
        bypass: kept in the chain but skipped when processing.
    """

    effect: str
    params: dict[str, Any]
    bypass: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The step as chain JSON writes it (``bypass`` only when set)."""
        out: dict[str, Any] = {"effect": self.effect, "params": dict(self.params)}
        if self.bypass:
            out["bypass"] = True
        return out


def parse_chain(chain: str | Sequence[Any] | None) -> list[Step]:
    """Validate a chain given as JSON text or as the decoded list.

    Args:
        chain: ``[{"effect": name, "params": {...}, "bypass": false}, ...]``; empty or
            None is the empty chain.

    Returns:
        The steps, each with all its parameters (defaults filled in).

    Raises:
        AudioStudyError: malformed JSON, unknown effect or parameter, bad value; the
            message names the effect's position and the field.
    """
    if chain is None or (isinstance(chain, str) and not chain.strip()):
        return []
    if isinstance(chain, str) and len(chain) > LIMITS.max_chain_chars:
        raise AudioStudyError(
            f"The chain is {len(chain):,} characters long; the limit is "
            f"{LIMITS.max_chain_chars:,}. A chain of {MAX_EFFECTS} "
            "effects needs far less: remove what is not a chain."
        )
    raw: Any = chain
    if isinstance(chain, str):
        try:
            raw = json.loads(chain)
        except json.JSONDecodeError as exc:
            raise AudioStudyError(
                f"The chain is not valid JSON ({exc.msg} at line {exc.lineno}, column "
                f"{exc.colno}). Write a list such as {CHAIN_EXAMPLE}."
            ) from None
    if not isinstance(raw, list):
        raise AudioStudyError(
            f"The chain must be a JSON list of effects, such as {CHAIN_EXAMPLE}; "
            f"got a {type(raw).__name__}."
        )
    if len(raw) > MAX_EFFECTS:
        raise AudioStudyError(f"The chain has {len(raw)} effects; the limit is {MAX_EFFECTS}.")
    return [_parse_step(item, i) for i, item in enumerate(raw, start=1)]


def _parse_step(item: Any, index: int) -> Step:
    where = f"Effect {index}"
    if not isinstance(item, dict):
        raise AudioStudyError(
            f'{where} must be an object like {{"effect": "Gain", "params": {{"gain_db": 6}}}}.'
        )
    extra = sorted(set(item) - {"effect", "params", "bypass"})
    if extra:
        raise AudioStudyError(
            f"{where} has unknown field(s) {', '.join(map(repr, extra))}; "
            "use 'effect', 'params' and 'bypass'."
        )
    table = effects()
    name = item.get("effect")
    if not isinstance(name, str) or name not in table:
        raise AudioStudyError(
            f"{where}: unknown effect {name!r} in 'effect'. Choose one of: {', '.join(table)}."
        )
    spec = table[name]
    where = f"Effect {index} ({name})"
    params = item.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise AudioStudyError(f"{where}: 'params' must be an object of keyword arguments.")
    unknown = sorted(set(params) - {p.name for p in spec.params})
    if unknown:
        raise AudioStudyError(
            f"{where}: unknown parameter(s) {', '.join(map(repr, unknown))}. {name} takes: "
            f"{', '.join(p.name for p in spec.params) or 'no parameters'}."
        )
    bypass = item.get("bypass", False)
    if not isinstance(bypass, bool):
        raise AudioStudyError(f"{where}: 'bypass' must be true or false, not {bypass!r}.")
    try:
        values = {
            p.name: p.check(params[p.name]) if p.name in params else p.default for p in spec.params
        }
        if name == NEURAL:
            # Each knob is in range, but their product may not be: bound the network's cost.
            from audiokit.tasks.effects.backends import nafx

            nafx.config_for(values).check(values["steer_steps"] if values["steer"] != "none" else 0)
    except AudioStudyError as exc:
        raise AudioStudyError(f"{where}: {exc}") from None
    return Step(name, values, bypass)


def chain_to_json(steps: Sequence[Step]) -> str:
    """The chain as pretty JSON (what the editor shows; parse_chain reads it back)."""
    return json.dumps([s.to_dict() for s in steps], indent=2)


@dataclasses.dataclass(frozen=True)
class ChainParam(Param):
    """The chain as a task parameter: text whose check is the chain's own parser.

    A link or a settings file carries the chain as JSON text; checking it here means a
    malformed chain in a link is left out with the parser's sentence as its note (see
    :func:`audiokit.share.from_query`), never put into the editor. A valid text is kept
    exactly as written; a decoded list (a hand-written settings file) becomes the editor's
    pretty JSON.
    """

    def check(self, value: Any) -> Any:
        if isinstance(value, list):
            return chain_to_json(parse_chain(value))
        text = super().check(value)
        parse_chain(text)
        return text


def check_for_rate(steps: Sequence[Step], sample_rate: int) -> None:
    """Refuse settings that only fail at this sample rate (cutoffs above Nyquist, MP3)."""
    nyquist = sample_rate / 2
    table = effects()
    for i, step in enumerate(steps, start=1):
        if step.bypass:
            continue
        for p in table[step.effect].params:
            if p.nyquist and step.params[p.name] >= nyquist:
                raise AudioStudyError(
                    f"Effect {i} ({step.effect}): '{p.name}' = {step.params[p.name]:g} Hz is "
                    f"not below half the sample rate ({nyquist:g} Hz); lower it."
                )
        if step.effect == "MP3Compressor" and sample_rate not in MP3_RATES:
            raise AudioStudyError(
                f"Effect {i} (MP3Compressor): MP3 cannot encode {sample_rate} Hz audio; it "
                f"takes {', '.join(map(str, MP3_RATES))} Hz."
            )


def groups(steps: Sequence[Step]) -> list[tuple[str, Any]]:
    """Active steps in order: consecutive Pedalboard steps as ("board", [steps]), each neural
    step alone as ("neural", step). One board per run lets Pedalboard compensate latency."""
    out: list[tuple[str, Any]] = []
    for step in steps:
        if step.bypass:
            continue
        if step.effect == NEURAL:
            out.append(("neural", step))
        elif out and out[-1][0] == "board":
            out[-1][1].append(step)
        else:
            out.append(("board", [step]))
    return out


def load_presets(path: Path = PRESETS_FILE) -> dict[str, dict[str, Any]]:
    """Presets from a data file: name -> {"description", "chain"}; each chain validated."""
    with path.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    for name, preset in raw.items():
        try:
            parse_chain(preset["chain"])
        except AudioStudyError as exc:
            raise AudioStudyError(f"Preset '{name}': {exc}") from exc
    return raw


@load_once
def presets() -> dict[str, dict[str, Any]]:
    """The shipped presets (examples/effects/presets.json), validated once."""
    return load_presets()
