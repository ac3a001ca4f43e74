"""Effect chains: an allowlisted table of Pedalboard effects, JSON chains, processing, code.

A chain is JSON: a list of ``{"effect": "<class name>", "params": {...}, "bypass": false}``.
:data:`EFFECTS` is the only way from a name to a class: every entry names its Pedalboard
class explicitly, with the keyword arguments its constructor takes and their ranges. The
defaults are read from Pedalboard itself (a default-constructed instance), never retyped.
The neural effect (``NeuralTCN``, see :mod:`audiokit.engines.nafx`) is one more entry.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from audiokit import limits
from audiokit.errors import AudioStudyError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "effects"
IR_DIR = EXAMPLES / "ir"
PRESETS_FILE = EXAMPLES / "presets.json"
NEURAL = "NeuralTCN"
MAX_EFFECTS = limits.EFFECTS_MAX_EFFECTS
MAX_TAIL_S = limits.EFFECTS_MAX_TAIL_S
# The tail is cut where it falls below this level (-80 dBFS): beyond it there is only silence.
TAIL_FLOOR = 1e-4
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
ProgressFn = Callable[[float, str], None]


# Parameter-name endings and their units (Pedalboard names its keywords by unit).
_UNITS = (("_hz", " Hz"), ("_rate", " Hz"), ("_ms", " ms"), ("_db", " dB"), ("_seconds", " s"))


@dataclasses.dataclass(frozen=True)
class Param:
    """One constructor keyword argument and its allowed values.

    Attributes:
        name: the keyword, exactly as the Pedalboard constructor spells it.
        minimum, maximum: inclusive numeric range (None for choices).
        choices: allowed names for enum-like and file parameters.
        integer: whole numbers only.
        step: slider step in the UI.
        default: read from Pedalboard (or the neural effect's signature).
        source: where the range comes from.
        nyquist: must also stay below half the sample rate.
    """

    name: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    integer: bool = False
    step: float | None = None
    default: Any = None
    source: str = ""
    nyquist: bool = False

    def check(self, value: Any, where: str) -> Any:
        """The value as the constructor takes it, or an error naming the field."""
        field = f"{where}: '{self.name}'"
        if self.choices:
            if not isinstance(value, str) or value not in self.choices:
                raise AudioStudyError(
                    f"{field} must be one of {', '.join(self.choices)}, not {value!r}."
                )
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise AudioStudyError(f"{field} must be a number, not {value!r}.")
        if not math.isfinite(value):
            raise AudioStudyError(f"{field} must be a finite number, not {value}.")
        if self.integer and value != int(value):
            raise AudioStudyError(f"{field} must be a whole number, not {value}.")
        if not self.minimum <= value <= self.maximum:
            raise AudioStudyError(
                f"{field} must be between {self.minimum:g} and {self.maximum:g}, not {value:g}."
            )
        return int(value) if self.integer else float(value)

    @property
    def unit(self) -> str:
        """The unit the keyword names (' Hz', ' ms', ' dB', ' s'), or ''."""
        for suffix, unit in _UNITS:
            if self.name.endswith(suffix):
                return unit
        return ""

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
    """One allowlisted effect: its class, parameters and a one-line description."""

    name: str
    cls: Any
    params: tuple[Param, ...]
    summary: str

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}


def impulse_responses() -> tuple[str, ...]:
    """Names of the impulse responses shipped in examples/effects/ir."""
    return tuple(sorted(p.name for p in IR_DIR.glob("*.wav")))


def _n(name: str, lo: float, hi: float, source: str, **kw: Any) -> Param:
    return Param(name, float(lo), float(hi), source=source, **kw)


PB = "Pedalboard's own check"
JUCE = "the JUCE class Pedalboard wraps"
HEARING = "audible band, below Nyquist"
_HZ = dict(nyquist=True, step=1.0)


def _table() -> tuple[tuple[str, tuple[Param, ...], str], ...]:
    """(class name, params, summary) per effect, in menu order."""
    import pedalboard as pb

    modes = tuple(pb.LadderFilter.Mode.__members__)
    qualities = tuple(pb.Resample.Quality.__members__)
    return (
        (
            "Reverb",
            (
                _n("room_size", 0, 1, PB, step=0.01),
                _n("damping", 0, 1, PB, step=0.01),
                _n("wet_level", 0, 1, PB, step=0.01),
                _n("dry_level", 0, 1, PB, step=0.01),
                _n("width", 0, 1, PB, step=0.01),
                _n("freeze_mode", 0, 1, PB, step=0.01),
            ),
            "Freeverb: a room of parallel comb and all-pass filters.",
        ),
        (
            "Delay",
            (
                _n("delay_seconds", 0, 30, PB, step=0.01),
                _n("feedback", 0, 1, PB, step=0.01),
                _n("mix", 0, 1, PB, step=0.01),
            ),
            "Echoes: the signal again after delay_seconds, fed back.",
        ),
        (
            "Chorus",
            (
                _n("rate_hz", 0, 99, JUCE, step=0.1),
                _n("depth", 0, 1, JUCE, step=0.01),
                _n("centre_delay_ms", 1, 99, JUCE, step=0.5),
                _n("feedback", -0.95, 0.95, JUCE + " (kept below ±1 for stability)", step=0.01),
                _n("mix", 0, 1, JUCE, step=0.01),
            ),
            "A modulated short delay: doubled, shimmering voices.",
        ),
        (
            "Phaser",
            (
                _n("rate_hz", 0, 99, JUCE, step=0.1),
                _n("depth", 0, 1, JUCE, step=0.01),
                _n("centre_frequency_hz", 20, 20000, HEARING, **_HZ),
                _n("feedback", -0.95, 0.95, JUCE + " (kept below ±1 for stability)", step=0.01),
                _n("mix", 0, 1, JUCE, step=0.01),
            ),
            "Six all-pass stages swept by an LFO: moving notches.",
        ),
        (
            "Distortion",
            (_n("drive_db", 0, 60, "60 dB already squares any signal", step=0.5),),
            "tanh waveshaping: y = tanh(x · 10^(drive_db/20)).",
        ),
        (
            "Compressor",
            (
                _n("threshold_db", -60, 0, "dBFS", step=0.5),
                _n("ratio", 1, 50, JUCE + " (ratio ≥ 1)", step=0.5),
                _n("attack_ms", 0.1, 500, "physical", step=0.1),
                _n("release_ms", 1, 5000, "physical", step=1),
            ),
            "Turns loud parts down above threshold_db by ratio.",
        ),
        (
            "Limiter",
            (
                _n("threshold_db", -60, 0, "dBFS", step=0.5),
                _n("release_ms", 1, 5000, "physical", step=1),
            ),
            "Two compressors, make-up gain and a hard clip at 0 dBFS.",
        ),
        (
            "NoiseGate",
            (
                _n("threshold_db", -100, 0, "dBFS", step=0.5),
                _n("ratio", 1, 50, JUCE + " (ratio ≥ 1)", step=0.5),
                _n("attack_ms", 0.1, 500, "physical", step=0.1),
                _n("release_ms", 1, 5000, "physical", step=1),
            ),
            "Mutes what falls below threshold_db (an expander at low ratios).",
        ),
        (
            "Gain",
            (_n("gain_db", -60, 40, "-60 dB is near silence, +40 dB clips any real signal"),),
            "A volume control in decibels.",
        ),
        (
            "HighpassFilter",
            (_n("cutoff_frequency_hz", 10, 20000, HEARING, **_HZ),),
            "First order: -3 dB at the cutoff, 6 dB per octave below.",
        ),
        (
            "LowpassFilter",
            (_n("cutoff_frequency_hz", 10, 20000, HEARING, **_HZ),),
            "First order: -3 dB at the cutoff, 6 dB per octave above.",
        ),
        (
            "LadderFilter",
            (
                Param("mode", choices=modes, source="LadderFilter.Mode"),
                _n("cutoff_hz", 10, 20000, HEARING, **_HZ),
                _n("resonance", 0, 1, PB, step=0.01),
                _n("drive", 1, 100, JUCE + " (drive ≥ 1)", step=0.1),
            ),
            "The Moog ladder: 12 or 24 dB/octave, resonant, driven.",
        ),
        *(
            (
                name,
                (
                    _n("cutoff_frequency_hz", 10, 20000, HEARING, **_HZ),
                    _n("gain_db", -36, 36, "equaliser range", step=0.5),
                    _n("q", 0.05, 20, "Q > 0 (Pedalboard); 20 is a narrow notch", step=0.01),
                ),
                summary,
            )
            for name, summary in (
                ("PeakFilter", "A bell: boosts or cuts around the cutoff."),
                ("LowShelfFilter", "Boosts or cuts everything below the cutoff."),
                ("HighShelfFilter", "Boosts or cuts everything above the cutoff."),
            )
        ),
        (
            "PitchShift",
            (_n("semitones", -72, 72, PB, step=0.5),),
            "Rubber Band pitch shift, duration unchanged.",
        ),
        (
            "Bitcrush",
            (_n("bit_depth", 1, 32, PB + " (at least 1 bit)", step=0.5),),
            "Quantises to bit_depth bits: lo-fi noise.",
        ),
        (
            "Clipping",
            (_n("threshold_db", -60, 0, "dBFS", step=0.5),),
            "Hard clip at threshold_db.",
        ),
        (
            "GSMFullRateCompressor",
            (Param("quality", choices=qualities, source="Resample.Quality"),),
            "The 2G mobile phone codec (resampled to 8 kHz inside).",
        ),
        (
            "MP3Compressor",
            (_n("vbr_quality", 0, 9.99, PB + " (0 best, below 10)", step=0.1),),
            "LAME MP3 encoding and decoding, real-time.",
        ),
        (
            "Resample",
            (
                _n("target_sample_rate", 1000, 96000, "1 kHz to 96 kHz", step=1),
                Param("quality", choices=qualities, source="Resample.Quality"),
            ),
            "Down to target_sample_rate and back up: aliasing and lost highs.",
        ),
        (
            "Convolution",
            (
                Param(
                    "impulse_response_filename",
                    choices=impulse_responses(),
                    default="concert_hall.wav",
                    source="impulse responses shipped in examples/effects/ir",
                ),
                _n("mix", 0, 1, "dry/wet", step=0.01),
            ),
            "Convolves with a recorded or generated room response.",
        ),
    )


def _pedalboard_default(instance: Any, name: str) -> Any:
    value = getattr(instance, name)
    return value.name if hasattr(value, "name") else round(float(value), 6)


def _neural_spec() -> EffectSpec:
    import inspect

    from audiokit.engines import nafx

    defaults = inspect.signature(nafx.neural_effect).parameters
    bound = (
        f" (together: receptive field ≤ {nafx.MAX_RECEPTIVE_FIELD:,} samples, "
        f"≤ {nafx.MAX_WEIGHTS:,} weights)"
    )
    params = (
        _n("seed", 0, 9999, "any seed", integer=True, step=1),
        _n("depth", 1, 8, f"blocks{bound}", integer=True, step=1),
        _n("kernel_size", 2, 31, f"taps{bound}", integer=True, step=1),
        _n("dilation_growth", 1, 12, f"growth per block{bound}", integer=True, step=1),
        _n("channels", 1, 64, f"width, cost grows with its square{bound}", integer=True, step=1),
        _n("gain_db", -24, 24, "output gain", step=0.5),
        _n("mix", 0, 1, "dry/wet", step=0.01),
        Param("steer", choices=nafx.STEER_TARGETS, source="target made with Pedalboard"),
        _n(
            "steer_steps",
            0,
            400,
            f"Adam steps (steps × cost per step ≤ {nafx.MAX_STEER_COST:.0e} multiply-adds)",
            integer=True,
            step=10,
        ),
    )
    params = tuple(dataclasses.replace(p, default=defaults[p.name].default) for p in params)
    return EffectSpec(
        NEURAL, None, params, "A random temporal convolutional network, optionally steered."
    )


def _build_specs() -> dict[str, EffectSpec]:
    import pedalboard as pb

    specs = {}
    classes = {
        "Reverb": pb.Reverb,
        "Delay": pb.Delay,
        "Chorus": pb.Chorus,
        "Phaser": pb.Phaser,
        "Distortion": pb.Distortion,
        "Compressor": pb.Compressor,
        "Limiter": pb.Limiter,
        "NoiseGate": pb.NoiseGate,
        "Gain": pb.Gain,
        "HighpassFilter": pb.HighpassFilter,
        "LowpassFilter": pb.LowpassFilter,
        "LadderFilter": pb.LadderFilter,
        "PeakFilter": pb.PeakFilter,
        "LowShelfFilter": pb.LowShelfFilter,
        "HighShelfFilter": pb.HighShelfFilter,
        "PitchShift": pb.PitchShift,
        "Bitcrush": pb.Bitcrush,
        "Clipping": pb.Clipping,
        "GSMFullRateCompressor": pb.GSMFullRateCompressor,
        "MP3Compressor": pb.MP3Compressor,
        "Resample": pb.Resample,
        "Convolution": pb.Convolution,
    }
    for name, params, summary in _table():
        cls = classes[name]
        # Convolution cannot be built without an impulse response: give it the default one.
        instance = cls(str(IR_DIR / params[0].default)) if name == "Convolution" else cls()
        params = tuple(
            p
            if p.default is not None
            else dataclasses.replace(p, default=_pedalboard_default(instance, p.name))
            for p in params
        )
        specs[name] = EffectSpec(name, cls, params, summary)
    specs[NEURAL] = _neural_spec()
    return specs


EFFECTS: dict[str, EffectSpec] = _build_specs()


def _enum(effect: str, param: str):
    """The Pedalboard enum behind a named choice (LadderFilter modes, resampler qualities)."""
    import pedalboard as pb

    if param == "mode":
        return pb.LadderFilter.Mode
    return pb.Resample.Quality if param == "quality" else None


@dataclasses.dataclass(frozen=True)
class Step:
    """One validated effect of a chain, with every parameter filled in.

    Attributes:
        effect: an allowlisted name (a key of EFFECTS).
        params: every keyword argument, defaults included.
        bypass: kept in the chain but skipped when processing.
    """

    effect: str
    params: dict[str, Any]
    bypass: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"effect": self.effect, "params": dict(self.params)}
        if self.bypass:
            out["bypass"] = True
        return out


CHAIN_EXAMPLE = '[{"effect": "Gain", "params": {"gain_db": 6}}]'


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
    if isinstance(chain, str) and len(chain) > limits.EFFECTS_MAX_CHAIN_CHARS:
        raise AudioStudyError(
            f"The chain is {len(chain):,} characters long; the limit is "
            f"{limits.EFFECTS_MAX_CHAIN_CHARS:,}. A chain of {limits.EFFECTS_MAX_EFFECTS} "
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
    name = item.get("effect")
    if not isinstance(name, str) or name not in EFFECTS:
        raise AudioStudyError(
            f"{where}: unknown effect {name!r} in 'effect'. Choose one of: {', '.join(EFFECTS)}."
        )
    spec = EFFECTS[name]
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
    values = {
        p.name: p.check(params[p.name], where) if p.name in params else p.default
        for p in spec.params
    }
    if name == NEURAL:
        # Each knob is in range, but their product may not be: bound the network's cost.
        try:
            _tcn_config(values).check(values["steer_steps"] if values["steer"] != "none" else 0)
        except AudioStudyError as exc:
            raise AudioStudyError(f"{where}: {exc}") from None
    return Step(name, values, bypass)


def _tcn_config(params: dict[str, Any]):
    from audiokit.engines import nafx

    return nafx.TCNConfig(**{f.name: params[f.name] for f in dataclasses.fields(nafx.TCNConfig)})


def chain_to_json(steps: Sequence[Step]) -> str:
    """The chain as pretty JSON (what the editor shows; parse_chain reads it back)."""
    return json.dumps([s.to_dict() for s in steps], indent=2)


def check_for_rate(steps: Sequence[Step], sample_rate: int) -> None:
    """Refuse settings that only fail at this sample rate (cutoffs above Nyquist, MP3)."""
    nyquist = sample_rate / 2
    for i, step in enumerate(steps, start=1):
        if step.bypass:
            continue
        spec = EFFECTS[step.effect]
        for p in spec.params:
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


def make_plugin(step: Step):
    """A fresh Pedalboard plugin for one step (plugins hold a lock: never share them)."""
    spec = EFFECTS[step.effect]
    kwargs = {}
    for name, value in step.params.items():
        enum = _enum(step.effect, name) if spec.param(name).choices else None
        if step.effect == "Convolution" and name == "impulse_response_filename":
            value = str(IR_DIR / value)
        elif enum is not None:
            value = enum.__members__[value]
        kwargs[name] = value
    return spec.cls(**kwargs)


def stages(steps: Sequence[Step]) -> list[tuple[str, Any]]:
    """Runs of Pedalboard steps as one fresh board each; the neural effect's params alone."""
    import pedalboard as pb

    return [
        ("board", pb.Pedalboard([make_plugin(s) for s in group]))
        if kind == "board"
        else ("neural", group.params)
        for kind, group in _groups(steps)
    ]


def _groups(steps: Sequence[Step]) -> list[tuple[str, Any]]:
    """Active steps in order: consecutive Pedalboard steps in one list, the neural step alone."""
    groups: list[tuple[str, Any]] = []
    for step in steps:
        if step.bypass:
            continue
        if step.effect == NEURAL:
            groups.append(("neural", step))
        elif groups and groups[-1][0] == "board":
            groups[-1][1].append(step)
        else:
            groups.append(("board", [step]))
    return groups


@dataclasses.dataclass(frozen=True)
class ChainResult:
    """What a chain did to a clip.

    Attributes:
        before: the input.
        after: the output, at the input's rate and channel count, with its tail.
        steps: the validated chain.
        tail_s: the tail actually kept beyond the input's end.
        steer_reports: one per steered neural effect.
        receptive_fields_ms: one per neural effect.
    """

    before: Any
    after: Any
    steps: tuple[Step, ...]
    tail_s: float
    steer_reports: tuple[Any, ...] = ()
    receptive_fields_ms: tuple[float, ...] = ()


def apply_chain(
    audio,
    chain: str | Sequence[Any] | None,
    *,
    tail_s: float = 2.0,
    max_duration_s: float | None = None,
    progress: ProgressFn | None = None,
) -> ChainResult:
    """Run a chain over a clip, keeping its sample rate and channels, tail included.

    The input is padded with ``tail_s`` of silence and processed in one call, so reverb and
    delay tails ring out and Pedalboard compensates each plugin's latency (a streaming
    ``reset=False`` call would delay latent plugins such as PitchShift instead). The silent
    end of the tail (below -80 dBFS) is then cut, never shortening the clip itself.

    Args:
        audio: an ``audiokit.audio.Audio``.
        chain: JSON text or list (see parse_chain).
        tail_s: seconds of room for tails, 0 to MAX_TAIL_S.
        max_duration_s: longer input is refused.
        progress: called with (fraction, description) while a neural effect steers.

    Raises:
        AudioStudyError: bad chain, audio or tail, or a chain that produced NaN.
    """
    from audiokit.audio import Audio, validate
    from audiokit.engines import nafx

    steps = parse_chain(chain)
    if isinstance(tail_s, bool) or not isinstance(tail_s, (int, float)):
        raise AudioStudyError(f"'tail_s' must be a number of seconds, not {tail_s!r}.")
    if not (math.isfinite(tail_s) and 0 <= tail_s <= MAX_TAIL_S):
        raise AudioStudyError(f"'tail_s' must be between 0 and {MAX_TAIL_S:g} s, not {tail_s}.")
    validate(audio, max_duration_s=max_duration_s)
    sr = audio.sample_rate
    check_for_rate(steps, sr)
    y = np.pad(audio.samples, ((0, 0), (0, round(tail_s * sr))))
    for i, step in enumerate(steps, start=1):
        if step.effect == NEURAL and not step.bypass:
            try:
                _tcn_config(step.params).check_run(y.shape[1], y.shape[0], sr)
            except AudioStudyError as exc:
                raise AudioStudyError(f"Effect {i} ({NEURAL}): {exc}") from None
    reports, fields = [], []
    for kind, stage in stages(steps):
        if kind == "board":
            y = stage(y, sr)
        else:
            y, report = nafx.neural_effect(y, sr, **stage, progress=progress)
            fields.append(_tcn_config(stage).receptive_field_ms(sr))
            if report is not None:
                reports.append(report)
    # A float64 sum is finite exactly when every sample is, without a boolean temporary.
    if not math.isfinite(float(np.sum(y, dtype=np.float64))):
        raise AudioStudyError(
            "The chain produced NaN or infinite samples; lower feedback, resonance or gain "
            "settings and try again."
        )
    # Only the padding can be cut, so only the padding is scanned.
    loud = np.flatnonzero(np.abs(y[:, audio.frames :]).max(axis=0, initial=0.0) > TAIL_FLOOR)
    end = audio.frames + (int(loud[-1]) + 1 if loud.size else 0)
    after = Audio(y[:, :end].astype(np.float32, copy=False), sr, f"{audio.name}-fx")
    return ChainResult(
        audio, after, tuple(steps), (end - audio.frames) / sr, tuple(reports), tuple(fields)
    )


@dataclasses.dataclass(frozen=True)
class Levels:
    """Loudness and peaks of a clip.

    Attributes:
        lufs: integrated loudness (ITU-R BS.1770, pyloudnorm); ``-inf`` for silence, None
            when the clip is shorter than one 400 ms gating block.
        sample_peak_db: largest sample, dBFS (``-inf`` for silence).
        true_peak_db: largest peak between samples (4x oversampled), dBTP.
    """

    lufs: float | None
    sample_peak_db: float
    true_peak_db: float


def _db(value: float) -> float:
    return 20.0 * math.log10(value) if value > 0 else float("-inf")


def measure_levels(audio) -> Levels:
    """Integrated loudness, sample peak and true peak of an ``Audio``."""
    import warnings

    import pyloudnorm
    from scipy.signal import resample_poly

    x = audio.samples
    lufs: float | None = None
    if audio.duration_s >= 0.4:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyloudnorm warns on clipping; we report peaks
            lufs = float(pyloudnorm.Meter(audio.sample_rate).integrated_loudness(x.T))
    true_peak = float(np.abs(resample_poly(x, 4, 1, axis=1)).max()) if x.any() else 0.0
    return Levels(lufs, _db(float(np.abs(x).max())), _db(max(true_peak, float(np.abs(x).max()))))


def format_level(value: float | None, unit: str) -> str:
    """``-23.04 -> '-23.0 LUFS'``, silence as ``-∞``, too short as 'n/a'."""
    if value is None:
        return "n/a (shorter than 0.4 s)"
    if math.isinf(value):
        return f"-∞ {unit} (silence)"
    return f"{value:+.1f} {unit}"


def _literal(spec: EffectSpec, name: str, value: Any) -> str:
    if spec.name == "Convolution" and name == "impulse_response_filename":
        return repr(str(IR_DIR / value))
    if spec.param(name).choices:
        enum = "LadderFilter.Mode" if name == "mode" else "Resample.Quality"
        return f"{enum}.{value}"
    return repr(value)


def to_python(steps: Sequence[Step], *, tail_s: float = 2.0, input_path: str = "input.wav") -> str:
    """A notebook-ready Python snippet that reproduces apply_chain's output.

    Args:
        steps: the validated chain.
        tail_s: the same tail as the app.
        input_path: the file the snippet reads.
    """
    imports = {"Pedalboard"}
    body = []
    for kind, group in _groups(steps):
        if kind == "neural":
            args = ", ".join(f"{k}={v!r}" for k, v in group.params.items())
            body.append(f"y, _ = neural_effect(y, sample_rate, {args})")
            continue
        lines = []
        for step in group:
            spec = EFFECTS[step.effect]
            imports.add(step.effect)
            if any(p.choices and p.name in ("mode", "quality") for p in spec.params):
                imports.add("Resample" if step.effect != "LadderFilter" else "LadderFilter")
            args = ", ".join(f"{k}={_literal(spec, k, v)}" for k, v in step.params.items())
            lines.append(f"    {step.effect}({args}),")
        body.append("y = Pedalboard([\n" + "\n".join(lines) + "\n])(y, sample_rate)")
    bypassed = [s.effect for s in steps if s.bypass]
    head = [
        "import numpy as np",
        "import soundfile as sf",
        f"from pedalboard import {', '.join(sorted(imports))}",
    ]
    if any(s.effect == NEURAL and not s.bypass for s in steps):
        head.append("from audiokit.engines.nafx import neural_effect  # this app's package")
    return "\n".join(
        [
            *head,
            "",
            f'audio, sample_rate = sf.read("{input_path}", dtype="float32", always_2d=True)',
            "# channels first, plus room for reverb and delay tails",
            f"y = np.pad(audio.T, ((0, 0), (0, round({float(tail_s)!r} * sample_rate))))",
            *([f"# bypassed: {', '.join(bypassed)}"] if bypassed else []),
            *body,
            f"loud = np.flatnonzero(np.abs(y).max(axis=0) > {TAIL_FLOOR!r})  # cut silent tail",
            "y = y[:, : max(audio.shape[0], loud[-1] + 1 if loud.size else 0)]",
            'sf.write("output.wav", y.T, sample_rate)',
            "",
        ]
    )


def load_presets(path: Path = PRESETS_FILE) -> dict[str, dict[str, Any]]:
    """Presets from the data file: name -> {"description", "chain"}; each chain validated."""
    with path.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    for name, preset in raw.items():
        try:
            parse_chain(preset["chain"])
        except AudioStudyError as exc:
            raise AudioStudyError(f"Preset '{name}': {exc}") from exc
    return raw
