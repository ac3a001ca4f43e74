"""Diarization error rate, with ``pyannote.metrics`` (imported only when scoring)."""

from __future__ import annotations

from collections.abc import Sequence

from audiokit.tasks.diarization.result import Diarization

# pyannote's collar: 0.125 s each side of a reference boundary is not scored.
DER_COLLAR_S = 0.25


def der(
    reference: Sequence[tuple[float, float, str]],
    hypothesis: Sequence[tuple[float, float, str]] | Diarization,
    *,
    collar_s: float = DER_COLLAR_S,
) -> dict[str, float]:
    """Diarization error rate with ``pyannote.metrics`` (speaker mapping by the Hungarian
    method; ``collar_s`` in all, half each side of every reference boundary, not scored).

    Returns:
        ``der`` and its parts as fractions of the reference speech: ``missed``,
        ``false_alarm``, ``confusion``; and ``total`` (seconds of reference speech).
    """
    from pyannote.core import Annotation, Timeline
    from pyannote.core import Segment as Span
    from pyannote.metrics.diarization import DiarizationErrorRate

    if isinstance(hypothesis, Diarization):
        hypothesis = [(s.start_s, s.end_s, s.speaker) for s in hypothesis.segments]

    def annotation(turns):
        out = Annotation()
        for i, (a, b, who) in enumerate(turns):
            out[Span(float(a), float(b)), i] = who
        return out

    metric = DiarizationErrorRate(collar=collar_s, skip_overlap=False)
    ref, hyp = annotation(reference), annotation(hypothesis)
    # Scored from 0 to the last turn of either: pauses and missed tails count.
    end = max([0.0, *(float(t[1]) for t in reference), *(float(t[1]) for t in hypothesis)])
    uem = Timeline([Span(0.0, end)]) if end > 0 else None
    parts = metric(ref, hyp, uem=uem, detailed=True)
    total = parts["total"] or 1.0
    return {
        "der": float(parts["diarization error rate"]),
        "missed": parts["missed detection"] / total,
        "false_alarm": parts["false alarm"] / total,
        "confusion": parts["confusion"] / total,
        "total": float(parts["total"]),
    }
