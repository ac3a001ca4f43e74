"""The Pedalboard backend: Spotify's Pedalboard effects as an allowlisted table, and boards.

Every entry names its Pedalboard class explicitly, with the keyword arguments its constructor
takes and their ranges (and where each range comes from). The defaults are read from
Pedalboard itself (a default-constructed instance), never retyped. Pedalboard is imported
inside the functions that need it. A plugin instance holds a lock, so every run builds fresh
plugins: concurrent requests never share one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from audiokit.progress import Progress
from audiokit.tasks.effects.backends import StageOutput
from audiokit.tasks.effects.chain import IR_DIR, EffectParam, EffectSpec, Step, impulse_responses

_n = EffectParam.number
PB = "Pedalboard's own check"
JUCE = "the JUCE class Pedalboard wraps"
HEARING = "audible band, below Nyquist"
_HZ = dict(nyquist=True, step=1.0)


def _table() -> tuple[tuple[str, tuple[EffectParam, ...], str], ...]:
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
                EffectParam.choice("mode", modes, "LadderFilter.Mode"),
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
            (EffectParam.choice("quality", qualities, "Resample.Quality"),),
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
                EffectParam.choice("quality", qualities, "Resample.Quality"),
            ),
            "Down to target_sample_rate and back up: aliasing and lost highs.",
        ),
        (
            "Convolution",
            (
                EffectParam.choice(
                    "impulse_response_filename",
                    impulse_responses(),
                    "impulse responses shipped in examples/effects/ir",
                    default="concert_hall.wav",
                ),
                _n("mix", 0, 1, "dry/wet", step=0.01),
            ),
            "Convolves with a recorded or generated room response.",
        ),
    )


def _pedalboard_default(instance: Any, name: str) -> Any:
    value = getattr(instance, name)
    return value.name if hasattr(value, "name") else round(float(value), 6)


def specs() -> dict[str, EffectSpec]:
    """Every Pedalboard effect of the table, its defaults read from Pedalboard."""
    import pedalboard as pb

    out = {}
    for name, params, summary in _table():
        cls = getattr(pb, name)  # every name of the table is a Pedalboard class
        # Convolution cannot be built without an impulse response: give it the default one.
        instance = cls(str(IR_DIR / params[0].default)) if name == "Convolution" else cls()
        params = tuple(
            p
            if p.default is not None
            else dataclasses.replace(p, default=_pedalboard_default(instance, p.name))
            for p in params
        )
        out[name] = EffectSpec(name, cls, params, summary)
    return out


def _enum(param: str):
    """The Pedalboard enum behind a named choice (LadderFilter modes, resampler qualities)."""
    import pedalboard as pb

    return {"mode": pb.LadderFilter.Mode, "quality": pb.Resample.Quality}.get(param)


def make_plugin(step: Step):
    """A fresh Pedalboard plugin for one step (plugins hold a lock: never share them)."""
    from audiokit.tasks.effects.chain import effects

    spec = effects()[step.effect]
    kwargs = {}
    for name, value in step.params.items():
        if step.effect == "Convolution" and name == "impulse_response_filename":
            value = str(IR_DIR / value)
        elif spec.param(name).choices and _enum(name) is not None:
            value = _enum(name).__members__[value]
        kwargs[name] = value
    return spec.cls(**kwargs)


@dataclasses.dataclass(frozen=True)
class Board:
    """A run of consecutive Pedalboard steps as one board, so Pedalboard compensates each
    plugin's latency (a streaming ``reset=False`` call would delay PitchShift instead)."""

    steps: tuple[Step, ...]

    def process(self, samples: np.ndarray, sample_rate: int, progress: Progress) -> StageOutput:
        import pedalboard as pb

        board = pb.Pedalboard([make_plugin(s) for s in self.steps])
        out = board(samples, sample_rate)
        progress(1.0, "Pedalboard: " + ", ".join(s.effect for s in self.steps))
        return StageOutput(out)


def board(steps: Sequence[Step]) -> Board:
    """The stage for a run of Pedalboard steps."""
    return Board(tuple(steps))


def literal(spec: EffectSpec, name: str, value: Any) -> str:
    """A keyword's value as Python source for the exported snippet."""
    if spec.name == "Convolution" and name == "impulse_response_filename":
        return repr(str(IR_DIR / value))
    if spec.param(name).choices:
        enum = "LadderFilter.Mode" if name == "mode" else "Resample.Quality"
        return f"{enum}.{value}"
    return repr(value)
