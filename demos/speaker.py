"""Speaker verification tab: two clips -> similarity score and decision; enrolment; a map.

Every clip goes through the same path: decode, 16 kHz mono, WebRTC VAD trimming, a minimum
of speech, levelling, one embedding from the chosen backend (GE2E and the d-vector embedded;
ECAPA and WavLM from the Hub on demand). The score is the cosine of two embeddings; each
backend owns the threshold that turns it into a decision. Backends and VAD live in
audiokit.engines.speaker.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from audiokit import limits
from audiokit.audio import Audio, load_audio
from audiokit.engines import speaker as engine
from audiokit.engines.speaker import (
    BACKENDS,
    DEFAULT_BACKEND,
    DIFFERENT,
    MAX_DURATION_S,
    MIN_SPEECH_S,
    SAME,
    Enrolment,
    SimilarityMap,
    Verification,
    enrolment_figure,
    verification_figure,
    voiceprint,
)
from audiokit.errors import AudioStudyError
from audiokit.plots import matrix, scatter_map
from audiokit.ui import audio_validator, launch_kwargs, run_event, status_box, user_errors
from demos import diarization

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "speaker"
MAX_CLIPS = limits.SPEAKER_MAX_CLIPS


# ------------------------------------------------------------------------------ pure core
def _threshold(model: str, threshold: float | None) -> float:
    if threshold is None:
        return engine.backend(model).threshold
    t = float(threshold)
    if not -1.0 <= t <= 1.0:
        raise AudioStudyError(f"The threshold is a cosine similarity in [-1, 1], not {t:g}.")
    return t


def verify(
    audio_a: Audio,
    audio_b: Audio,
    *,
    model: str = DEFAULT_BACKEND,
    threshold: float | None = None,
    min_speech_s: float = MIN_SPEECH_S,
) -> Verification:
    """Score whether two clips are spoken by the same person.

    Args:
        audio_a: the first clip, any rate and channels.
        audio_b: the second clip.
        model: a backend id (``ge2e``, ``dvector``, ``ecapa``, ``wavlm``).
        threshold: cosine at or above which the decision is "same"; None for the
            backend's calibrated default.
        min_speech_s: each clip needs this much speech after VAD trimming.

    Raises:
        AudioStudyError: with a sentence the user can act on.
    """
    t = _threshold(model, threshold)
    a = voiceprint(audio_a, model=model, min_speech_s=min_speech_s)
    b = voiceprint(audio_b, model=model, min_speech_s=min_speech_s)
    return Verification(engine.cosine(a.embedding, b.embedding), t, model, a, b)


def enroll(
    enrolment: Sequence[Audio],
    test: Audio,
    *,
    model: str = DEFAULT_BACKEND,
    threshold: float | None = None,
    min_speech_s: float = MIN_SPEECH_S,
) -> Enrolment:
    """Average the voice prints of several clips of one speaker and test a new clip.

    Raises:
        AudioStudyError: no enrolment clips, more than MAX_CLIPS, or any bad clip.
    """
    check_enrolment_count(len(enrolment))
    t = _threshold(model, threshold)
    prints = [voiceprint(a, model=model, min_speech_s=min_speech_s) for a in enrolment]
    probe = voiceprint(test, model=model, min_speech_s=min_speech_s)
    mean = engine.mean_embedding([p.embedding for p in prints])
    enrolled = dataclasses.replace(prints[0], embedding=mean, windows=None)
    pairs = [
        engine.cosine(p.embedding, q.embedding)
        for i, p in enumerate(prints)
        for q in prints[i + 1 :]
    ]
    return Enrolment(
        result=Verification(engine.cosine(mean, probe.embedding), t, model, enrolled, probe),
        names=tuple(p.speech.name for p in prints),
        clip_scores=tuple(engine.cosine(p.embedding, probe.embedding) for p in prints),
        consistency=float(np.mean(pairs)) if pairs else 1.0,
    )


def check_enrolment_count(n: int) -> None:
    """Refuse an enrolment of no clips or of more than MAX_CLIPS (checked before decoding)."""
    if n < 1:
        raise AudioStudyError("Add at least one enrolment clip of the speaker to enrol.")
    if n > MAX_CLIPS:
        raise AudioStudyError(f"Use at most {MAX_CLIPS} enrolment clips, not {n}.")


def check_map_count(n: int) -> None:
    """Refuse a map of fewer than 3 or more than MAX_CLIPS clips (checked before decoding)."""
    if n < 3 or n > MAX_CLIPS:
        raise AudioStudyError(
            f"Give between 3 and {MAX_CLIPS} clips to map (got {n}); "
            "two or three per speaker show the clusters best."
        )


def speaker_group(name: str) -> str:
    """The group a clip is coloured by: its name up to the first ``_``, ``-``, space or digit."""
    head = re.split(r"[_\-\s\d]", name.strip(), maxsplit=1)[0]
    return head or name


def similarity_map(
    clips: Sequence[Audio], *, model: str = DEFAULT_BACKEND, min_speech_s: float = MIN_SPEECH_S
) -> SimilarityMap:
    """Embed several clips and compare every pair.

    Raises:
        AudioStudyError: fewer than 3 or more than MAX_CLIPS clips, or any bad clip.
    """
    check_map_count(len(clips))
    engine.backend(model)
    embeddings = np.stack(
        [voiceprint(c, model=model, min_speech_s=min_speech_s).embedding for c in clips]
    )
    scores = np.clip(embeddings @ embeddings.T, -1.0, 1.0)
    labels: list[str] = []
    for c in clips:
        label, k = c.name, 2
        while label in labels:
            label, k = f"{c.name} ({k})", k + 1
        labels.append(label)
    points, explained = engine.pca_2d(embeddings)
    return SimilarityMap(
        tuple(labels), tuple(speaker_group(c.name) for c in clips), scores, points, explained
    )


def explain(score: float, threshold: float, model: str) -> str:
    """A plain-language reading of a score, its decision and its limits (Markdown)."""
    backend = engine.backend(model)
    margin = score - threshold
    same = margin >= 0
    strength = "clearly" if abs(margin) > 0.1 else "narrowly" if abs(margin) > 0.03 else "barely"
    verdict = (
        f"**{'Same speaker' if same else 'Different speakers'}**: the score {score:.3f} is "
        f"{strength} {'above' if same else 'below'} the threshold {threshold:.2f} "
        f"(margin {margin:+.3f})."
    )
    scale = backend.score_scale
    return (
        f"{verdict}\n\n"
        "**What the score is.** Each clip is turned into a *voice print* (an embedding of "
        f"{backend.embedding_size} numbers) that the model learned to make close for the same "
        "voice and far apart for different voices. The score is the cosine of the angle "
        f"between the two prints: 1 means identical direction. {scale}\n\n"
        f"**The threshold** ({backend.threshold:.2f} by default for this model: "
        f"{backend.threshold_note}) is where you trade false accepts against false rejects; "
        "drag it and watch the decision change.\n\n"
        "**Limits.** It measures how alike two *voices sound* to this model, not who a "
        "person is: relatives, impersonators and voice clones (try a clip from the "
        "Text to speech tab) can score high, while a different microphone, noise, "
        "emotion or a clip of only a second or two pull a true match down. Use it to learn, "
        "never to lock a door."
    )


# -------------------------------------------------------------------------------- adapter
def _files(value: Any) -> list[Any]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [getattr(v, "name", v) for v in items if v]


def _threshold_input(custom_threshold: bool, threshold: float | None) -> float | None:
    return float(threshold) if custom_threshold and threshold is not None else None


@user_errors
def verify_clips(
    audio_a: str,
    audio_b: str,
    model: str = DEFAULT_BACKEND,
    custom_threshold: bool = False,
    threshold: float = BACKENDS[DEFAULT_BACKEND].threshold,
) -> tuple[float, str, str, Verification]:
    """Are two recordings the same speaker?

    Args:
        audio_a: first recording (any common audio format, up to 60 s).
        audio_b: second recording.
        model: "ge2e" or "dvector" (embedded, offline), "ecapa" or "wavlm" (Hugging Face
            Hub, downloaded when first chosen).
        custom_threshold: False uses the model's calibrated threshold; True uses `threshold`.
        threshold: cosine similarity at or above which the clips count as one speaker.

    Returns:
        The similarity score (cosine, a number), the decision ("same speaker" or
        "different speakers") and an explanation (Markdown); the UI also keeps the voice
        prints to draw the learn view after the answer is shown.
    """
    result = verify(
        load_audio(audio_a, max_duration_s=MAX_DURATION_S, name=_stem(audio_a, "A")),
        load_audio(audio_b, max_duration_s=MAX_DURATION_S, name=_stem(audio_b, "B")),
        model=model,
        threshold=_threshold_input(custom_threshold, threshold),
    )
    return (
        round(result.score, 4),
        result.decision,
        explain(result.score, result.threshold, model),
        result,
    )


@user_errors
def learn_view(result: Verification | None) -> Any:
    """Draw what the model saw for the last verification (a second step, off the API)."""
    return verification_figure(result) if result is not None else gr.skip()


def _stem(value: Any, fallback: str) -> str:
    path = value.get("path") if isinstance(value, dict) else value
    stem = Path(str(path)).stem if isinstance(path, (str, Path)) and path else ""
    # Gradio names microphone recordings "audio" or a timestamp; a letter reads better.
    return fallback if not stem or stem == "audio" or stem.isdigit() else stem


@user_errors
def redecide(score: float | None, model: str, threshold: float) -> tuple[Any, str, bool]:
    """Re-apply a dragged threshold to the score already computed (no model run)."""
    if score is None:
        return gr.skip(), gr.skip(), True
    t = _threshold(model, threshold)
    return (SAME if score >= t else DIFFERENT), explain(score, t, model), True


@user_errors
def choose_model(model: str) -> tuple[float, bool, str]:
    """A new model brings its own threshold and card (the old answers are cleared apart)."""
    backend = engine.backend(model)
    return backend.threshold, False, backend.card


@user_errors
def toggle_custom(custom: bool, score: float | None, model: str) -> tuple[Any, Any, Any]:
    """Unticking "custom" puts the model's threshold back and re-applies it."""
    if custom:
        return gr.skip(), gr.skip(), gr.skip()
    t = engine.backend(model).threshold
    if score is None:
        return t, gr.skip(), gr.skip()
    return t, (SAME if score >= t else DIFFERENT), explain(score, t, model)


@user_errors
def enroll_clips(
    enrolment: list[str],
    test_audio: str,
    model: str = DEFAULT_BACKEND,
    custom_threshold: bool = False,
    threshold: float = BACKENDS[DEFAULT_BACKEND].threshold,
) -> tuple[float, str, str, Any]:
    """Enrol a speaker from several clips (averaged voice print) and test a new clip.

    Args:
        enrolment: one to twelve recordings of the speaker to enrol.
        test_audio: the recording to test against the enrolled voice.
        model: "ge2e", "dvector", "ecapa" or "wavlm".
        custom_threshold: False uses the model's calibrated threshold.
        threshold: the threshold used when `custom_threshold` is True.

    Returns:
        The score of the averaged print against the test clip, the decision, a summary
        (Markdown) and a bar chart of every enrolment clip against the test clip.
    """
    paths = _files(enrolment)
    check_enrolment_count(len(paths))
    clips = [load_audio(p, max_duration_s=MAX_DURATION_S, name=_stem(p, "enrol")) for p in paths]
    test = load_audio(test_audio, max_duration_s=MAX_DURATION_S, name=_stem(test_audio, "test"))
    result = enroll(
        clips, test, model=model, threshold=_threshold_input(custom_threshold, threshold)
    )
    r = result.result
    best = max(result.clip_scores)
    summary = (
        f"Enrolled **{len(result.names)}** clip(s); they agree with each other at "
        f"{result.consistency:.3f} on average. The best single clip scores {best:.3f}; the "
        f"averaged print scores **{r.score:.3f}**. Averaging smooths out what one clip got "
        "wrong (a word, a cough, the room), so the averaged print is usually steadier than "
        "any one clip.\n\n" + explain(r.score, r.threshold, model)
    )
    return round(r.score, 4), r.decision, summary, enrolment_figure(result)


@user_errors
def map_clips(clips: list[str], model: str = DEFAULT_BACKEND) -> tuple[Any, Any, str]:
    """Compare 3 to 12 clips at once: a similarity matrix and a 2-D map of the voice prints.

    Args:
        clips: the recordings; clips whose file names share a prefix before "_", "-" or a
            digit (e.g. anna_1.wav, anna_2.wav) get one colour.
        model: "ge2e", "dvector", "ecapa" or "wavlm".

    Returns:
        The similarity heatmap, the PCA map and a summary (Markdown).
    """
    paths = _files(clips)
    check_map_count(len(paths))
    audios = [load_audio(p, max_duration_s=MAX_DURATION_S, name=_stem(p, "clip")) for p in paths]
    m = similarity_map(audios, model=model)
    heat = matrix(m.scores, labels=m.labels, title="Cosine similarity of voice prints")
    share = m.explained.sum() * 100
    pca = scatter_map(
        m.points,
        labels=m.labels,
        groups=m.groups,
        title=f"Voice prints after PCA ({share:.0f} % of the variance in 2-D)",
    )
    return heat, pca, _map_summary(m, model)


def _map_summary(m: SimilarityMap, model: str) -> str:
    n = len(m.labels)
    off = ~np.eye(n, dtype=bool)
    groups = np.array(m.groups)
    same = (groups[:, None] == groups[None, :]) & off
    lines = []
    if same.any() and (off & ~same).any():
        lines.append(
            f"Mean score within a name group **{m.scores[same].mean():.3f}**, across groups "
            f"**{m.scores[off & ~same].mean():.3f}** (threshold "
            f"{engine.backend(model).threshold:.2f})."
        )
    nearest = np.where(off, m.scores, -np.inf).argmax(axis=1)
    pairs = ", ".join(f"{m.labels[i]} → {m.labels[j]}" for i, j in enumerate(nearest))
    lines.append(f"Nearest voice of each clip: {pairs}.")
    lines.append(
        "Clips of one speaker should form a bright block in the matrix and a cluster on the "
        "map. PCA keeps only the two directions of largest spread, so distances on the map "
        "are approximate; the matrix has the exact scores."
    )
    return "\n\n".join(lines)


# ------------------------------------------------------------------------------------- UI
def _example(name: str) -> str:
    return str(EXAMPLES / f"{name}.wav")


ALL_EXAMPLES = ("jfk_1", "jfk_2", "jfk_3", "lj_1", "lj_2", "piper_1", "piper_2", "piper_3")
INTRO = (
    "### Speaker verification\n"
    "Are two recordings the same voice? Each clip is trimmed to its speech, turned into a "
    "*voice print* (an embedding) and the two prints are compared by cosine similarity. "
    "Two embedded models run offline (GE2E and a d-vector encoder: compare them on the same "
    "clips); ECAPA-TDNN and WavLM load from the Hub when chosen. Clips: up to "
    f"{MAX_DURATION_S:.0f} s, at least {MIN_SPEECH_S:g} s of speech."
)


def model_choices() -> list[tuple[str, str]]:
    """The model dropdown: embedded models first; Hub models that cannot be had say so."""
    return [(engine.menu_label(b), b.id) for b in BACKENDS.values()]


def _score_box(label: str) -> gr.Number:
    # gradio 6.31's Number draws an empty value as "0", which reads as a real score: the box
    # stays hidden until a run has a score to show.
    return gr.Number(label=label, precision=4, visible=False)


def _show_score() -> gr.Number:
    return gr.Number(visible=True)


def _hide_score() -> gr.Number:
    return gr.Number(value=None, visible=False)


def _clear_outputs(kinds: tuple[str, ...]) -> list[Any]:
    """Cleared values for result components: a hidden empty score, empty text, no figure."""
    return [
        _hide_score() if kind == "score" else ("" if kind == "text" else None) for kind in kinds
    ]


def _private(**kwargs: Any) -> dict[str, Any]:
    return {"api_visibility": "private", "queue": False, "show_progress": "hidden", **kwargs}


def _verification(api_prefix: str) -> None:
    """The verification block: model and threshold, then three sub-tabs.

    Their names are short enough for one row on a 390 px phone (with "Two recordings" the
    tab bar pushed the page to 426 px).
    """
    default = BACKENDS[DEFAULT_BACKEND]
    with gr.Row(equal_height=True):
        model = gr.Dropdown(
            model_choices(),
            value=DEFAULT_BACKEND,
            label="Model",
            info="embedded models run offline; Hub models download when first chosen",
            allow_custom_value=True,  # the core checks the allowlist (see asr.py)
            scale=3,
            # Wide enough for a model's name: on a phone it takes a row of its own.
            min_width=330,
        )
        custom = gr.Checkbox(
            False,
            label="Custom threshold",
            info="off: the model's calibrated one",
            scale=1,
            min_width=170,
        )
        threshold = gr.Slider(
            0.0, 1.0, value=default.threshold, step=0.01, label="Threshold", scale=2
        )
    with gr.Tabs():
        with gr.Tab("Two clips"):
            with gr.Row():
                audio_a = gr.Audio(
                    _example("jfk_1"),
                    type="filepath",
                    label="Recording A",
                    sources=["upload", "microphone"],
                )
                audio_b = gr.Audio(
                    _example("jfk_3"),
                    type="filepath",
                    label="Recording B",
                    sources=["upload", "microphone"],
                )
            run = gr.Button("Verify", variant="primary")
            verify_status = status_box()
            with gr.Row():
                score = _score_box("Similarity score (cosine)")
                decision = gr.Textbox(label="Decision", interactive=False)
            explanation = gr.Markdown()
            gr.Examples(
                [
                    [_example(a), _example(b)]
                    for a, b in (
                        ("jfk_1", "jfk_3"),
                        ("jfk_1", "lj_1"),
                        ("lj_1", "lj_2"),
                        ("jfk_2", "piper_1"),
                        ("piper_1", "piper_3"),
                    )
                ],
                [audio_a, audio_b],
                label="Pairs (JFK, LJ Speech reader, Piper voice)",
            )
            with gr.Accordion("What the model sees", open=False):
                learn = gr.Plot(show_label=False)
                card = gr.Markdown(default.card)
        with gr.Tab("Enrolment"):
            with gr.Row():
                enrol_files = gr.File(
                    [_example("jfk_1"), _example("jfk_2")],
                    file_count="multiple",
                    file_types=["audio"],
                    label=f"Enrolment clips of speaker A (1 to {MAX_CLIPS})",
                )
                test_audio = gr.Audio(
                    _example("jfk_3"),
                    type="filepath",
                    label="Test recording",
                    sources=["upload", "microphone"],
                )
            run_enrol = gr.Button("Enrol and test", variant="primary")
            enrol_status = status_box()
            with gr.Row():
                enrol_score = _score_box("Score of the averaged print")
                enrol_decision = gr.Textbox(label="Decision", interactive=False)
            enrol_plot = gr.Plot(show_label=False)
            enrol_summary = gr.Markdown()
        with gr.Tab("Many clips"):
            many = gr.File(
                [_example(n) for n in ALL_EXAMPLES],
                file_count="multiple",
                file_types=["audio"],
                label=f"3 to {MAX_CLIPS} clips (name them speaker_1.wav, speaker_2.wav, ...)",
            )
            run_map = gr.Button("Compare all", variant="primary")
            map_status = status_box()
            with gr.Row():
                heatmap = gr.Plot(show_label=False)
                pca = gr.Plot(show_label=False)
            map_summary = gr.Markdown()
    settings = [model, custom, threshold]
    last = gr.State()

    # Two clips: the public answer, then (private) the score box and the learn view. A new
    # run first hides the old score (run_event empties it, which Number would draw as "0")
    # and the old figure.
    run.click(lambda: (_hide_score(), None), None, [score, learn], **_private())
    verified = run_event(
        run.click,
        verify_clips,
        [audio_a, audio_b, *settings],
        [score, decision, explanation, last],
        status=verify_status,
        api_name=f"{api_prefix}verify",
        validator=audio_validator(max_duration_s=MAX_DURATION_S, audio_inputs=2),
    )
    verified.success(_show_score, None, score, **_private())
    verified.success(
        learn_view,
        last,
        learn,
        api_name=f"{api_prefix}speaker_learn",
        api_visibility="private",
        show_progress="minimal",
    )
    run_enrol.click(_hide_score, None, enrol_score, **_private())
    enrolled = run_event(
        run_enrol.click,
        enroll_clips,
        [enrol_files, test_audio, *settings],
        [enrol_score, enrol_decision, enrol_summary, enrol_plot],
        status=enrol_status,
        api_name=f"{api_prefix}speaker_enroll",
        validator=audio_validator(max_duration_s=MAX_DURATION_S, audio_inputs=2),
    )
    enrolled.success(_show_score, None, enrol_score, **_private())
    run_event(
        run_map.click,
        map_clips,
        [many, model],
        [heatmap, pca, map_summary],
        status=map_status,
        api_name=f"{api_prefix}speaker_matrix",
        validator=audio_validator(max_duration_s=MAX_DURATION_S),
    )

    # Another model: its threshold and card, and every answer of the old model cleared.
    model.change(
        choose_model,
        model,
        [threshold, custom, card],
        api_name=f"{api_prefix}speaker_model",
        **_private(),
    )
    results = {
        score: "score",
        decision: "text",
        explanation: "text",
        learn: "figure",
        enrol_score: "score",
        enrol_decision: "text",
        enrol_summary: "text",
        enrol_plot: "figure",
        heatmap: "figure",
        pca: "figure",
        map_summary: "text",
    }
    model.change(
        lambda: _clear_outputs(tuple(results.values())),
        None,
        list(results),
        api_name=f"{api_prefix}speaker_model_clear",
        **_private(),
    )
    custom.input(
        toggle_custom,
        [custom, score, model],
        [threshold, decision, explanation],
        api_name=f"{api_prefix}speaker_custom",
        **_private(),
    )
    threshold.input(
        redecide,
        [score, model, threshold],
        [decision, explanation, custom],
        api_name=f"{api_prefix}speaker_threshold",
        **_private(),
    )


def build(*, api_prefix: str = "") -> gr.Blocks:
    """The Speaker verification tab; ``api_prefix`` keeps embedded copies' endpoints apart.

    The layout is one ``gr.Tabs``: "Verification" (two recordings, enrolment, many clips)
    here, and further speaker tasks each as one more ``gr.Tab`` beside it, built by a
    function of their own like :func:`_verification`.
    """
    with gr.Blocks() as demo:
        gr.Markdown(INTRO)
        # One Tab per speaker task: another task adds its own gr.Tab beside this one.
        with gr.Tabs():
            with gr.Tab("Verification", id="verification"):
                _verification(api_prefix)
            with gr.Tab("Who spoke when", id="diarization"):
                diarization.panel(api_prefix=api_prefix)
    return demo


if __name__ == "__main__":
    build().queue(default_concurrency_limit=1).launch(**launch_kwargs())
