"""Compare A/B: the same mixture through two methods (or one method twice, with other
settings), one after the other, each scored against the same optional reference and timed.

``compare(audio, a={"method": "denoise"}, b={"method": "rnnoise"}, reference=clean)`` checks
both sides' settings and the reference before running either, so a mistake in B costs no
run of A.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from audiokit.audio import Audio, validate
from audiokit.errors import AudioStudyError
from audiokit.metrics import si_sdr
from audiokit.params import check_params
from audiokit.progress import Progress, or_silent, scaled
from audiokit.tasks.separation.backends.sepformer import sepformer_model
from audiokit.tasks.separation.catalog import engine_name
from audiokit.tasks.separation.metrics import check_reference_duration
from audiokit.tasks.separation.pipeline import run
from audiokit.tasks.separation.result import Result
from audiokit.tasks.separation.settings import LIMITS, METHOD_SETTING, PARAMS

# What the tab's Method B starts at: the other embedded denoiser, against DeepFilterNet3.
DEFAULT_B = "rnnoise"


@dataclasses.dataclass(frozen=True)
class Side:
    """One side of a comparison.

    Attributes:
        settings: the side's checked settings: ``method`` and the one setting it reads.
        result: what ``run()`` returned.
        seconds: wall time of that ``run()`` call.
    """

    settings: dict[str, Any]
    result: Result
    seconds: float

    @property
    def method(self) -> str:
        return self.settings["method"]

    @property
    def engine(self) -> str:
        """The model's name (DeepFilterNet3, RNNoise, ...), for the timing badge."""
        return engine_name(self.method, self.settings.get("sepformer_model", ""))

    @property
    def rtf(self) -> float:
        """Real-time factor: seconds of processing per second of audio."""
        return self.seconds / self.result.mixture.duration_s

    @property
    def si_sdr_db(self) -> float | None:
        """The best stem's SI-SDR against the reference, if one was given."""
        return self.result.score.si_sdr_db if self.result.score is not None else None

    @property
    def si_sdri_db(self) -> float | None:
        """SI-SDR improvement over the unprocessed mixture, if a reference was given."""
        return self.result.score.improvement_db if self.result.score is not None else None


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Both sides of a compare on the same mixture, and how they differ.

    Attributes:
        a: method A's side.
        b: method B's side.
        agreement_db: SI-SDR of B's primary stem against A's: how alike the two outputs are
            (no reference needed); None when A's primary stem is silent.
    """

    a: Side
    b: Side
    agreement_db: float | None

    @property
    def mixture(self) -> Audio:
        return self.a.result.mixture

    @property
    def si_sdri_difference_db(self) -> float | None:
        """B's SI-SDRi minus A's (positive: B separated better), when a reference was given."""
        if self.a.si_sdri_db is None or self.b.si_sdri_db is None:
            return None
        return self.b.si_sdri_db - self.a.si_sdri_db


def side_settings(side: dict[str, Any], name: str) -> dict[str, Any]:
    """A side's settings checked against ``PARAMS``, reduced to the method and what it reads.

    Raises:
        AudioStudyError: not a mapping, an unknown setting, or a value out of range.
    """
    if not isinstance(side, dict):
        raise AudioStudyError(f"Side {name} must be a dict of settings, such as {{'method': …}}.")
    checked = check_params(PARAMS, side)
    setting = METHOD_SETTING[checked["method"]]
    return {"method": checked["method"]} | ({setting: checked[setting]} if setting else {})


def compare(
    audio: Audio,
    *,
    a: dict[str, Any],
    b: dict[str, Any],
    reference: Audio | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Separate one mixture with A, then with B, and score both against the same reference.

    Args:
        audio: the mixture, any rate, mono or stereo.
        a: method A's ``run()`` keywords, e.g. ``{"method": "denoise", "atten_lim_db": 12}``;
            settings the method does not read are checked, then left out.
        b: method B's, likewise (the same as A's is allowed: it measures the run-to-run time).
        reference: the clean primary source, for SI-SDR and SI-SDRi of both (optional).
        progress: called with (fraction done, text); A reports 0 to 0.5, B 0.5 to 1.

    Raises:
        AudioStudyError: a side's setting unknown or out of range, the mixture too long for
            either method, a reference of another length, SepFormer not available.
    """
    sides = {"A": side_settings(a, "A"), "B": side_settings(b, "B")}
    validate(audio, max_duration_s=min(LIMITS.for_method(s["method"]) for s in sides.values()))
    if reference is not None:
        check_reference_duration(reference.duration_s, audio.duration_s)
    for settings in sides.values():
        if settings["method"] == "sepformer":  # offline and not cached: say so before A runs
            or_silent(progress)(0.0, f"loading {settings['sepformer_model']}")
            sepformer_model(settings["sepformer_model"])
    done = []
    for k, (name, settings) in enumerate(sides.items()):
        step = scaled(progress, k / 2, (k + 1) / 2)
        began = time.perf_counter()
        result = run(
            audio,
            **settings,
            reference=reference,
            progress=lambda f, text, name=name, step=step: step(f, f"{name}: {text}"),
        )
        done.append(Side(settings, result, time.perf_counter() - began))
    return Comparison(*done, agreement_db=_agreement(done[0].result, done[1].result))


def _agreement(a: Result, b: Result) -> float | None:
    try:
        return si_sdr(b.primary.mono(), a.primary.mono())
    except AudioStudyError:  # A's primary stem is silent: nothing to agree with
        return None
