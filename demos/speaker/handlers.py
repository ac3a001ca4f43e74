"""Handlers of the Speaker tab: Gradio values -> audiokit.tasks.speaker -> Gradio values.

The public handlers (named as their endpoints: verify, speaker_enroll, speaker_matrix,
verify_compare) return only the answer and hold the task's Result for this session; the
private ``draw_*`` and ``*_badge`` steps draw the learn views and timing badges from what was
held, never decoding the input again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gradio as gr

from audiokit import ui
from audiokit.audio import load_audio
from audiokit.tasks import speaker as task
from demos.speaker import views

DEFAULT_MODEL = task.PARAMS["model"].default
# Model B of Compare A/B: the other embedded model, so the compare runs offline as it opens.
DEFAULT_MODEL_B = "dvector"
DEFAULT_THRESHOLD = task.BACKENDS[DEFAULT_MODEL].threshold
MAX_S = task.LIMITS.max_duration_s


def _files(value: Any) -> list[Any]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [getattr(v, "name", v) for v in items if v]


def _stem(value: Any, fallback: str) -> str:
    path = value.get("path") if isinstance(value, dict) else value
    stem = Path(str(path)).stem if isinstance(path, (str, Path)) and path else ""
    # Gradio names microphone recordings "audio" or a timestamp; a letter reads better.
    return fallback if not stem or stem == "audio" or stem.isdigit() else stem


def _threshold(custom_threshold: bool, threshold: float | None) -> float | None:
    """The threshold run() gets: the slider's when "custom" is ticked, else the model's."""
    return threshold if custom_threshold and threshold is not None else None


@ui.user_errors
def verify(
    audio_a: str,
    audio_b: str,
    model: str = DEFAULT_MODEL,
    custom_threshold: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    request: gr.Request = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> tuple[float, str, str]:
    """Are two recordings the same speaker?

    Args:
        audio_a: first recording (any common audio format, up to 60 s, at least 1 s of
            speech).
        audio_b: second recording.
        model: "ge2e" or "dvector" (embedded, offline), "ecapa" or "wavlm" (Hugging Face
            Hub, downloaded when first chosen).
        custom_threshold: False uses the model's calibrated threshold; True uses `threshold`.
        threshold: cosine similarity, -1 to 1, at or above which the clips count as one
            speaker (only with `custom_threshold`).

    Returns:
        The similarity score (cosine, -1 to 1), the decision ("same speaker" or
        "different speakers") and an explanation (Markdown).
    """
    clips = (
        load_audio(audio_a, max_duration_s=MAX_S, name=_stem(audio_a, "A")),
        load_audio(audio_b, max_duration_s=MAX_S, name=_stem(audio_b, "B")),
    )
    start = time.perf_counter()
    result = task.run(
        *clips,
        model=model,
        threshold=_threshold(custom_threshold, threshold),
        progress=ui.progress_bridge(progress),
    )
    seconds = time.perf_counter() - start
    ui.hold("speaker", result, request)
    ui.hold("speaker_badge", views.badge(model, seconds, clips), request)
    return (
        round(result.score, 4),
        result.decision,
        views.explain(result.score, result.threshold, result.model),
    )


@ui.user_errors
def speaker_enroll(
    enrolment: list[str],
    test_audio: str,
    model: str = DEFAULT_MODEL,
    custom_threshold: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    request: gr.Request = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> tuple[float, str, str]:
    """Enrol a speaker from several clips (averaged voice print) and test a new clip.

    Args:
        enrolment: one to twelve recordings of the speaker to enrol (each up to 60 s).
        test_audio: the recording to test against the enrolled voice.
        model: "ge2e", "dvector", "ecapa" or "wavlm".
        custom_threshold: False uses the model's calibrated threshold.
        threshold: cosine, -1 to 1, used when `custom_threshold` is True.

    Returns:
        The score of the averaged print against the test clip (cosine), the decision and
        a summary (Markdown).
    """
    paths = _files(enrolment)
    task.check_enrolment_count(len(paths))
    clips = [load_audio(p, max_duration_s=MAX_S, name=_stem(p, "enrol")) for p in paths]
    test = load_audio(test_audio, max_duration_s=MAX_S, name=_stem(test_audio, "test"))
    start = time.perf_counter()
    result = task.run(
        clips,
        test,
        model=model,
        threshold=_threshold(custom_threshold, threshold),
        progress=ui.progress_bridge(progress),
    )
    seconds = time.perf_counter() - start
    ui.hold("speaker_enroll", result, request)
    ui.hold("speaker_enroll_badge", views.badge(model, seconds, [*clips, test]), request)
    return round(result.score, 4), result.decision, views.enrolment_summary(result)


@ui.user_errors
def speaker_matrix(
    clips: list[str],
    model: str = DEFAULT_MODEL,
    request: gr.Request = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> tuple[dict[str, Any], str]:
    """Compare 3 to 12 clips at once: every pairwise similarity of their voice prints.

    Args:
        clips: the recordings (each up to 60 s); clips whose file names share a prefix
            before "_", "-" or a digit (e.g. anna_1.wav, anna_2.wav) count as one speaker.
        model: "ge2e", "dvector", "ecapa" or "wavlm".

    Returns:
        The similarity matrix (a table of cosines, a row and a column per clip) and a
        summary (Markdown): scores within and across name groups, each clip's nearest voice.
    """
    paths = _files(clips)
    task.check_map_count(len(paths))
    audios = [load_audio(p, max_duration_s=MAX_S, name=_stem(p, "clip")) for p in paths]
    m = task.similarity_map(audios, model=model, progress=ui.progress_bridge(progress))
    ui.hold("speaker_matrix", m, request)
    return views.map_table(m), views.map_summary(m)


@ui.user_errors
def verify_compare(
    audio_a: str,
    audio_b: str,
    model_a: str = DEFAULT_MODEL,
    model_b: str = DEFAULT_MODEL_B,
    request: gr.Request = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> tuple[float, str, str, float, str, str, str]:
    """Compare two models on the same pair: each scores it against its own threshold.

    Model A runs first, then model B (one after the other); both are loaded before either
    is timed. The same model on both sides is allowed.

    Args:
        audio_a: the enrolment recording (any common audio format, up to 60 s, at least 1 s
            of speech).
        audio_b: the recording to test against it.
        model_a: "ge2e" or "dvector" (embedded, offline), "ecapa" or "wavlm" (Hugging Face
            Hub, downloaded when first chosen; offline and not downloaded, the answer is a
            sentence naming the embedded alternative).
        model_b: the second model, from the same list.

    Returns:
        For model A: the score (cosine, -1 to 1), the decision ("same speaker" or "different
        speakers") against A's own threshold and its timing (Markdown: engine, device,
        seconds, real-time factor); the same three for model B; and a summary (Markdown):
        each score against its threshold, the margins, and whether the models agree.
    """
    clips = (
        load_audio(audio_a, max_duration_s=MAX_S, name=_stem(audio_a, "A")),
        load_audio(audio_b, max_duration_s=MAX_S, name=_stem(audio_b, "B")),
    )
    c = task.compare(
        *clips, a={"model": model_a}, b={"model": model_b}, progress=ui.progress_bridge(progress)
    )
    ui.hold("speaker_compare", c, request)
    return (
        round(c.a.score, 4),
        c.a.decision,
        views.side_badge(c, "a"),
        round(c.b.score, 4),
        c.b.decision,
        views.side_badge(c, "b"),
        views.compare_summary(c),
    )


# ---------------------------------------------------------------- private follow-ups
def verification_badge(request: gr.Request) -> Any:
    """The timing badge of this session's last verification."""
    badge = ui.held("speaker_badge", request)
    return badge if badge is not None else gr.skip()


def enrolment_badge(request: gr.Request) -> Any:
    """The timing badge of this session's last enrolment."""
    badge = ui.held("speaker_enroll_badge", request)
    return badge if badge is not None else gr.skip()


@ui.user_errors
def draw_verification(request: gr.Request) -> Any:
    """The learn view of this session's last verification."""
    result = ui.held("speaker", request)
    return views.verification_figure(result) if result is not None else gr.skip()


@ui.user_errors
def draw_enrolment(request: gr.Request) -> Any:
    """The bar chart of this session's last enrolment."""
    result = ui.held("speaker_enroll", request)
    return views.enrolment_figure(result) if result is not None else gr.skip()


@ui.user_errors
def draw_map(request: gr.Request) -> tuple[Any, Any]:
    """The heatmap and PCA map of this session's last comparison of many clips."""
    m = ui.held("speaker_matrix", request)
    return views.map_figures(m) if m is not None else (gr.skip(), gr.skip())


@ui.user_errors
def redecide(score: float | None, model: str, threshold: float) -> tuple[Any, str, bool]:
    """Re-apply a dragged threshold to the score already computed (no model run)."""
    if score is None:
        return gr.skip(), gr.skip(), True
    t = task.PARAMS["threshold"].check(threshold)
    return task.decision(score, t), views.explain(score, t, model), True


@ui.user_errors
def choose_model(model: str) -> tuple[float, bool, str]:
    """A new model brings its own threshold and card (the old answers are cleared apart)."""
    return task.backend(model).threshold, False, views.card(model)


@ui.user_errors
def toggle_custom(custom: bool, score: float | None, model: str) -> tuple[Any, Any, Any]:
    """Unticking "custom" puts the model's threshold back and re-applies it."""
    if custom:
        return gr.skip(), gr.skip(), gr.skip()
    t = task.backend(model).threshold
    if score is None:
        return t, gr.skip(), gr.skip()
    return t, task.decision(score, t), views.explain(score, t, model)
