"""Verification and enrolment: one or more clips of a speaker against a test clip.

Verification is enrolment with one clip: the enrolled print is the (re-normalised) mean of
the enrolment clips' prints, and the score is its cosine with the test clip's print.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from audiokit.audio import Audio
from audiokit.errors import AudioStudyError
from audiokit.progress import Progress, or_silent
from audiokit.tasks.speaker.catalog import backend
from audiokit.tasks.speaker.settings import LIMITS
from audiokit.tasks.speaker.voiceprints import Voiceprint, cosine, mean_embedding, voiceprint

SAME, DIFFERENT = "same speaker", "different speakers"


@dataclasses.dataclass(frozen=True)
class Result:
    """The outcome of comparing enrolment clips (one or several) with a test clip.

    Attributes:
        score: cosine of the enrolled print and the test clip's print.
        threshold: the threshold the decision used (the model's own unless one was given).
        model: the backend id.
        enrolled: the enrolled print; with several clips, the averaged embedding (its
            ``speech`` is the first clip's and it has no per-window prints).
        test: the test clip's print.
        names: the enrolment clips' names.
        clip_scores: each enrolment clip alone against the test clip.
        consistency: mean cosine between the enrolment clips (1.0 with a single clip).
    """

    score: float
    threshold: float
    model: str
    enrolled: Voiceprint
    test: Voiceprint
    names: tuple[str, ...]
    clip_scores: tuple[float, ...]
    consistency: float

    @property
    def same(self) -> bool:
        return self.score >= self.threshold

    @property
    def decision(self) -> str:
        return SAME if self.same else DIFFERENT


def decision(score: float, threshold: float) -> str:
    """ "same speaker" at or above the threshold, else "different speakers"."""
    return SAME if score >= threshold else DIFFERENT


def check_enrolment_count(n: int) -> None:
    """Refuse an enrolment of no clips or of more than LIMITS.max_clips (before decoding)."""
    if n < 1:
        raise AudioStudyError("Add at least one enrolment clip of the speaker to enrol.")
    if n > LIMITS.max_clips:
        raise AudioStudyError(f"Use at most {LIMITS.max_clips} enrolment clips, not {n}.")


def score_enrolment(
    enrol: Sequence[Audio],
    test: Audio,
    *,
    model: str,
    threshold: float | None,
    min_speech_s: float,
    progress: Progress | None = None,
) -> Result:
    """Embed the enrolment clips and the test clip, and score them (values already checked)."""
    check_enrolment_count(len(enrol))
    report = or_silent(progress)
    t = backend(model).threshold if threshold is None else threshold
    clips = [*enrol, test]
    prints = []
    for i, clip in enumerate(clips):
        report(i / len(clips), f"Voice print of {clip.name}")
        prints.append(voiceprint(clip, model=model, min_speech_s=min_speech_s))
    *enrolled, probe = prints
    report(1.0, "Scored")
    if len(enrolled) == 1:
        (one,) = enrolled
        score = cosine(one.embedding, probe.embedding)
        return Result(score, t, model, one, probe, (one.speech.name,), (score,), 1.0)
    mean = mean_embedding([p.embedding for p in enrolled])
    pairs = [
        cosine(p.embedding, q.embedding) for i, p in enumerate(enrolled) for q in enrolled[i + 1 :]
    ]
    return Result(
        score=cosine(mean, probe.embedding),
        threshold=t,
        model=model,
        enrolled=dataclasses.replace(enrolled[0], embedding=mean, windows=None),
        test=probe,
        names=tuple(p.speech.name for p in enrolled),
        clip_scores=tuple(cosine(p.embedding, probe.embedding) for p in enrolled),
        consistency=float(np.mean(pairs)),
    )
