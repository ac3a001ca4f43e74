"""Effects: a chain of Spotify's Pedalboard effects (and a steerable neural one) over a clip.

``run(audio, chain=..., tail_s=...)`` keeps the clip's sample rate and channels and lets
reverb and delay tails ring out. The chain is data (``chain.py``), each engine a backend
(``backends/pedalboard.py``, ``backends/nafx.py``), the loudness meter and the exported
Python snippet modules of their own. Importing this package imports neither Pedalboard nor
torch: the effect table is built on first use (``warm_up`` builds it in the background).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from audiokit.audio import Audio, validate
from audiokit.errors import AudioStudyError
from audiokit.params import Param, check_params, declare
from audiokit.progress import Progress, or_silent, scaled
from audiokit.tasks.effects.backends.nafx import (
    SteerReport,
    TCNConfig,
    neural_effect,
    steer,
)
from audiokit.tasks.effects.backends.pedalboard import make_plugin
from audiokit.tasks.effects.catalog import CATALOG, NAFX
from audiokit.tasks.effects.chain import (
    CHAIN_EXAMPLE,
    DEFAULT_CHAIN,
    DEFAULT_PRESET,
    EXAMPLE_CLIP,
    EXAMPLES,
    IR_DIR,
    MAX_EFFECTS,
    MAX_TAIL_S,
    MP3_RATES,
    NEURAL,
    PRESETS_FILE,
    TAIL_FLOOR,
    ChainParam,
    EffectParam,
    EffectSpec,
    Step,
    chain_to_json,
    check_for_rate,
    effects,
    groups,
    impulse_responses,
    load_presets,
    parse_chain,
    presets,
)
from audiokit.tasks.effects.levels import Levels, format_level, measure_levels
from audiokit.tasks.effects.limits import LIMITS, Limits
from audiokit.tasks.effects.snippet import to_python

PARAMS = declare(
    ChainParam(
        "chain",
        DEFAULT_CHAIN,
        label="Chain (JSON)",
        help='A JSON list of {"effect": <Pedalboard class name>, "params": {...}, '
        '"bypass": false}; empty is the identity.',
        max_chars=LIMITS.max_chain_chars,
    ),
    Param(
        "tail_s",
        2.0,
        label="Tail",
        help="Seconds of silence added for reverb and delay tails; its silent end is cut.",
        minimum=0.0,
        maximum=LIMITS.max_tail_s,
        step=0.5,
        unit=" s",
    ),
)


@dataclasses.dataclass(frozen=True)
class Result:
    """What a chain did to a clip.

    Attributes:
        before: the input.
        after: the output, at the input's rate and channel count, with its tail.
        steps: the validated chain.
        tail_s: the tail actually kept beyond the input's end, in seconds.
        steer_reports: one per steered neural effect.
        receptive_fields_ms: one per neural effect.
    """

    before: Audio
    after: Audio
    steps: tuple[Step, ...]
    tail_s: float
    steer_reports: tuple[SteerReport, ...] = ()
    receptive_fields_ms: tuple[float, ...] = ()

    @property
    def engine(self) -> str:
        """What processed the clip, for the timing badge: "Pedalboard", "Pedalboard + neural
        effect", or "Neural effect" when only the neural effect was active."""
        active = [s for s in self.steps if not s.bypass]
        neural = any(s.effect == NEURAL for s in active)
        if neural and all(s.effect == NEURAL for s in active):
            return "Neural effect"
        return "Pedalboard + neural effect" if neural else "Pedalboard"

    @property
    def chain_length(self) -> str:
        """The chain's length in words: "3 effects", "2 effects (1 bypassed)", "empty chain"."""
        n = len(self.steps)
        if not n:
            return "empty chain"
        bypassed = sum(s.bypass for s in self.steps)
        text = f"{n} effect{'s' if n != 1 else ''}"
        return f"{text} ({bypassed} bypassed)" if bypassed else text


def _stages(steps: Sequence[Step]) -> list[Any]:
    from audiokit.tasks.effects.backends import nafx, pedalboard

    return [
        pedalboard.board(group) if kind == "board" else nafx.stage(group)
        for kind, group in groups(steps)
    ]


def run(
    audio: Audio,
    *,
    chain: str | Sequence[Any] | None = PARAMS["chain"].default,
    tail_s: float = PARAMS["tail_s"].default,
    progress: Progress | None = None,
) -> Result:
    """Run a chain over a clip, keeping its sample rate and channels, tail included.

    The input is padded with ``tail_s`` of silence and processed in one call per engine, so
    reverb and delay tails ring out and Pedalboard compensates each plugin's latency. The
    silent end of the tail (below -80 dBFS) is then cut, never shortening the clip itself.

    Args:
        audio: the clip, at most ``LIMITS.max_duration_s`` long.
        chain: JSON text or the decoded list (see :func:`parse_chain`); checked by its own
            parser, whose sentences name the effect and the field. None or empty: identity.
        tail_s: seconds of room for tails, 0 to ``LIMITS.max_tail_s``.
        progress: called with (fraction done, message).

    Raises:
        AudioStudyError: a bad chain, audio or tail, or a chain that produced NaN.
    """
    report = or_silent(progress)
    steps = parse_chain(chain)
    tail_s = check_params(PARAMS, {"tail_s": tail_s})["tail_s"]
    validate(audio, max_duration_s=LIMITS.max_duration_s)
    sr = audio.sample_rate
    check_for_rate(steps, sr)
    y = np.pad(audio.samples, ((0, 0), (0, round(tail_s * sr))))
    for i, step in enumerate(steps, start=1):
        if step.effect == NEURAL and not step.bypass:
            from audiokit.tasks.effects.backends import nafx

            try:
                nafx.config_for(step.params).check_run(y.shape[1], y.shape[0], sr)
            except AudioStudyError as exc:
                raise AudioStudyError(f"Effect {i} ({NEURAL}): {exc}") from None
    stages = _stages(steps)
    reports, fields = [], []
    for n, stage in enumerate(stages):
        out = stage.process(y, sr, scaled(report, n / len(stages), (n + 1) / len(stages)))
        y = out.samples
        if out.receptive_field_ms is not None:
            fields.append(out.receptive_field_ms)
        if out.steer_report is not None:
            reports.append(out.steer_report)
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
    report(1.0, "Done")
    return Result(
        audio, after, tuple(steps), (end - audio.frames) / sr, tuple(reports), tuple(fields)
    )


def apply_chain(
    audio: Audio,
    chain: str | Sequence[Any] | None,
    *,
    tail_s: float = PARAMS["tail_s"].default,
    progress: Progress | None = None,
) -> Result:
    """:func:`run` with the chain as the second positional argument (the older spelling)."""
    return run(audio, chain=chain, tail_s=tail_s, progress=progress)


def warm_up() -> None:
    """Build the effect table (imports Pedalboard, reads its defaults) and check the presets.

    The neural effect has no weights to load: its network is made from a seed per request.
    """
    presets()


def __getattr__(name: str) -> Any:
    # ``EFFECTS`` reads like a constant but is built on first use (it imports Pedalboard).
    if name == "EFFECTS":
        return effects()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CATALOG",
    "CHAIN_EXAMPLE",
    "DEFAULT_CHAIN",
    "DEFAULT_PRESET",
    "EXAMPLES",
    "EXAMPLE_CLIP",
    "IR_DIR",
    "LIMITS",
    "MAX_EFFECTS",
    "MAX_TAIL_S",
    "MP3_RATES",
    "NAFX",
    "NEURAL",
    "PARAMS",
    "PRESETS_FILE",
    "TAIL_FLOOR",
    "ChainParam",
    "EffectParam",
    "EffectSpec",
    "Levels",
    "Limits",
    "Result",
    "SteerReport",
    "Step",
    "TCNConfig",
    "apply_chain",
    "chain_to_json",
    "check_for_rate",
    "effects",
    "format_level",
    "impulse_responses",
    "load_presets",
    "make_plugin",
    "measure_levels",
    "neural_effect",
    "parse_chain",
    "presets",
    "run",
    "steer",
    "to_python",
    "warm_up",
]
