"""The "Who spoke when" panel (a sub-tab of Speaker verification): diarization of a recording.

The pipeline lives in :mod:`audiokit.tasks.diarization`; this module holds the handlers,
the views (timeline, table, talk time, learn figure) and :func:`panel`, which lays the panel
out inside the caller's Blocks. The public event ``/diarize`` answers with the segments only;
the result is held on the server for the session (``ui.hold``), and the speaker list, the
learn view, playback and renaming are private steps that work on that held result.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from audiokit import plots, study, ui
from audiokit.audio import format_duration, load_audio, to_gradio
from audiokit.errors import AudioStudyError
from audiokit.tasks import diarization
from audiokit.tasks.diarization import LIMITS, PARAMS, Diarization
from audiokit.tasks.diarization.clustering import DISTANCE_THRESHOLD
from audiokit.tasks.speaker import pca_2d

# The key under which a session's last result is held for the private steps.
HELD = "diarization"
HELD_BADGE = "diarization_badge"
ENGINE = "GE2E voice prints + agglomerative clustering"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "diarization" / "conversation.flac"
COLUMNS = ["start (s)", "end (s)", "speaker", "duration (s)"]
COLOURS = (
    "#2563eb",
    "#dc2626",
    "#16a34a",
    "#9333ea",
    "#ea580c",
    "#0891b2",
    "#db2777",
    "#65a30d",
    "#7c3aed",
    "#b45309",
)
INTRO = (
    "### Who spoke when\n"
    "Upload or record a conversation (up to "
    f"{format_duration(LIMITS.max_duration_s)}). Speech is found by the voice activity detector, "
    "cut into 1.6 s windows, each turned into a GE2E voice print, and windows that sound "
    "alike are grouped into speakers. Give the number of speakers if you know it; 0 lets "
    "the clustering estimate it."
)


# ---------------------------------------------------------------------------------- views
def colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def segment_rows(result: Diarization) -> list[list[Any]]:
    """The segments table: start, end, speaker (display name), duration."""
    return [
        [round(s.start_s, 2), round(s.end_s, 2), result.display(s.speaker), round(s.duration_s, 2)]
        for s in result.segments
    ]


def summary_markdown(result: Diarization) -> str:
    """Speaker count, talk time per speaker and the note, if any."""
    if not result.segments:
        return f"ℹ️ {result.note}" if result.note else "No segments."
    talk = result.talk_time()
    speech = sum(talk.values()) or 1.0
    n = result.num_speakers
    asked = "estimated" if not result.requested else f"{result.requested} asked for"
    lines = [
        f"**{n} speaker{'s' if n > 1 else ''}** ({asked}) in "
        f"{format_duration(result.duration_s)} · {len(result.segments)} segments",
        "",
        "| speaker | talk time | share | turns |",
        "| --- | --- | --- | --- |",
    ]
    for s, seconds in talk.items():
        turns = sum(1 for seg in result.segments if seg.speaker == s)
        lines.append(
            f"| {html.escape(result.display(s))} | {format_duration(seconds)} | "
            f"{seconds / speech:.0%} | {turns} |"
        )
    return "\n".join(lines)


def timeline_html(result: Diarization) -> str:
    """One coloured lane per speaker on the clip's clock (pure HTML, no figure to wait for)."""
    if not result.segments:
        return ""
    duration = max(result.duration_s, 1e-3)
    talk = result.talk_time()
    lanes = []
    for i, s in enumerate(result.speakers):
        name = html.escape(result.display(s))
        blocks = "".join(
            f'<div class="diar-seg" title="{name}: {seg.start_s:.2f}–{seg.end_s:.2f} s" '
            f'style="left:{seg.start_s / duration * 100:.3f}%;'
            f"width:{max(seg.duration_s / duration * 100, 0.15):.3f}%;"
            f'background:{colour(i)}"></div>'
            for seg in result.segments
            if seg.speaker == s
        )
        lanes.append(
            f'<div class="diar-lane"><div class="diar-name" style="color:{colour(i)}">'
            f"{name}<br><small>{format_duration(talk[s])}</small></div>"
            f'<div class="diar-track">{blocks}</div></div>'
        )
    step = _tick_step(duration)
    ticks = "".join(
        f'<span style="left:{t / duration * 100:.3f}%">{format_duration(t)}</span>'
        for t in np.arange(0.0, duration + 1e-9, step)
    )
    return (
        "<style>.diar{font-size:13px}.diar-lane{display:flex;align-items:center;margin:3px 0}"
        ".diar-name{width:120px;flex:none;font-weight:600;line-height:1.1;overflow:hidden}"
        ".diar-track{position:relative;flex:1;height:22px;background:rgba(127,127,127,.12);"
        "border-radius:3px}.diar-seg{position:absolute;top:2px;bottom:2px;border-radius:2px}"
        ".diar-axis{position:relative;margin-left:120px;height:16px;font-size:11px;opacity:.7}"
        ".diar-axis span{position:absolute;transform:translateX(-50%)}</style>"
        f'<div class="diar" role="img" aria-label="Timeline of {len(lanes)} speakers">'
        f'{"".join(lanes)}<div class="diar-axis">{ticks}</div></div>'
    )


def _tick_step(duration: float) -> float:
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600):
        if duration / step <= 10:
            return float(step)
    return 600.0


def speaker_choices(result: Diarization | None) -> list[str]:
    """The speaker ids for the dropdown: stable handles, whatever names they are given."""
    return [] if result is None else list(result.speakers)


def _chosen(result: Diarization, speaker_id: str | None) -> str:
    # Gradio 6.31 shows a value set together with new choices but sends None until the user
    # picks one (checked here): None is the speaker the dropdown shows, the first.
    return speaker_id or (result.speakers[0] if result.speakers else "")


def learn_markdown(result: Diarization) -> str:
    """How the speaker count was chosen, and what the figure shows."""
    if not result.segments:
        return result.note
    n = result.embeddings.shape[0]
    return (
        f"{result.how}\n\n"
        f"**What the figure shows.** Top left: the {n} voice prints (one per 1.6 s window, "
        "256 numbers each) squeezed to 2-D by PCA, coloured by the speaker they ended up in "
        "and joined in time order; each voice should be its own cloud. Top right: the cosine "
        "similarity of every pair of windows, in time order, as the clustering saw it: "
        "bright blocks are stretches of one voice, and a voice that comes back lights up the "
        "same rows again. Bottom: the distance of each merge of the agglomerative "
        "clustering; merges below the dashed line joined windows of one voice, and the "
        "ones above it would have joined different voices."
    )


def learn_figure(result: Diarization):
    """Voice prints over time in 2-D, the affinity matrix, and the merge distances."""
    fig = plots.figure(plots.WIDTH_IN + 1.5, 7.2)
    grid = fig.add_gridspec(2, 2, height_ratios=(3, 2))
    labels = result.labels
    ax = fig.add_subplot(grid[0, 0])
    if result.embeddings.shape[0] >= 2:
        points, explained = pca_2d(result.embeddings)
        ax.plot(points[:, 0], points[:, 1], color="#94a3b8", lw=0.5, alpha=0.6, zorder=1)
        for i, s in enumerate(result.speakers):
            mine = labels == i
            ax.scatter(
                points[mine, 0],
                points[mine, 1],
                s=18,
                color=colour(i),
                label=result.display(s),
                zorder=2,
            )
        ax.legend(fontsize=7, loc="best")
        ax.set_title(
            f"Voice prints of 1.6 s windows, PCA ({explained.sum():.0%} of the variance)",
            fontsize=9,
        )
    ax.set(xlabel="component 1", ylabel="component 2")
    ax = fig.add_subplot(grid[0, 1])
    affinity = result.affinity
    image = ax.imshow(affinity, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    fig.colorbar(image, ax=ax, pad=0.01, label="cosine")
    ax.set(xlabel="window, in time order", ylabel="window, in time order")
    ax.set_title("What the clustering saw: window × window similarity", fontsize=9)
    ax = fig.add_subplot(grid[1, :])
    merges = result.merges
    if merges.size:
        shown = merges[-min(30, merges.size) :]
        x = np.arange(merges.size - shown.size + 1, merges.size + 1)
        ax.bar(
            x,
            shown,
            color=["#dc2626" if d > DISTANCE_THRESHOLD else "#64748b" for d in shown],
        )
        ax.axhline(DISTANCE_THRESHOLD, color="#111827", ls="--", lw=1, label="stopping distance")
        ax.legend(fontsize=7, loc="upper left")
    ax.set(xlabel="merge number (last merges)", ylabel="cosine distance")
    ax.set_title(
        "Agglomerative clustering: how far apart were the two groups joined at each merge?",
        fontsize=9,
    )
    return fig


# ------------------------------------------------------------------------------- handlers
Answer = tuple[list[dict[str, Any]], str, str, list[list[Any]], list[str]]


def _answer(result: Diarization, badge: str = "") -> Answer:
    files = diarization.write_downloads(result, folder=ui.download_dir())
    return (
        result.to_json_segments(),
        summary_markdown(result) + (f"\n\n{badge}" if badge else ""),
        timeline_html(result),
        segment_rows(result),
        [str(p) for p in files],
    )


@ui.user_errors
def diarize(
    audio: str | None,
    num_speakers: float | None = 0,
    request: gr.Request | None = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> Answer:
    """Who spoke when: split a recording into speaker turns.

    Args:
        audio: the recording (wav, flac, mp3, ogg/opus, m4a/aac), 1 s to 30 minutes.
        num_speakers: how many people speak, a whole number from 1 to 10; 0 (or none)
            estimates it.

    Returns:
        The segments as a list of {start, end, speaker} (seconds, "Speaker 1" numbered by
        first appearance); a summary with each speaker's talk time (Markdown); the timeline
        (HTML); the segments table (start s, end s, speaker, duration s); the RTTM and JSON
        downloads.
    """
    requested = diarization.check_num_speakers(num_speakers)
    clip = load_audio(audio, max_duration_s=LIMITS.max_duration_s, name=_stem(audio))
    started = time.perf_counter()
    result = diarization.run(clip, num_speakers=requested, progress=ui.progress_bridge(progress))
    seconds = time.perf_counter() - started
    badge = study.timing_badge(ENGINE, seconds, clip.duration_s)
    ui.hold(HELD, result, request)
    ui.hold(HELD_BADGE, badge, request)
    return _answer(result, badge)


def _stem(value: Any) -> str:
    path = value.get("path") if isinstance(value, dict) else value
    stem = Path(str(path)).stem if isinstance(path, (str, Path)) and path else ""
    return "recording" if not stem or stem == "audio" or stem.isdigit() else stem


@ui.user_errors
def draw(request: gr.Request) -> tuple[Any, Any, str]:
    """The speaker list and the learn view, drawn from the held result after the answer."""
    result: Diarization | None = ui.held(HELD, request)
    if result is None:
        return gr.skip(), gr.skip(), ""
    choices = speaker_choices(result)
    first = choices[0] if choices else None
    figure = learn_figure(result) if result.segments else None
    return gr.Dropdown(choices=choices, value=first), figure, learn_markdown(result)


@ui.user_errors
def redraw(request: gr.Request) -> Any:
    """The learn figure again after a rename, so its legend carries the new name."""
    result: Diarization | None = ui.held(HELD, request)
    return learn_figure(result) if result is not None and result.segments else gr.skip()


def _held(request: gr.Request, then: str) -> Diarization:
    result = ui.held(HELD, request)
    if result is None:
        raise AudioStudyError(f"Run “Who spoke when?” first; then {then}.")
    return result


@ui.user_errors
def rename_speaker(speaker_id: str | None, name: str, request: gr.Request) -> Answer:
    """Give a speaker a name; the table, timeline, summary and downloads carry it."""
    result = _held(request, "name the speakers it found")
    result = diarization.rename(result, _chosen(result, speaker_id), name)
    ui.hold(HELD, result, request)
    return _answer(result, ui.held(HELD_BADGE, request) or "")


@ui.user_errors
def play_speaker(audio: str | None, speaker_id: str | None, request: gr.Request):
    """One speaker's turns back to back (int16, clipped here)."""
    result = _held(request, "play a speaker's turns")
    clip = load_audio(audio, max_duration_s=LIMITS.max_duration_s)
    return to_gradio(diarization.speaker_audio(clip, result, _chosen(result, speaker_id)))


def _check_count(audio: Any, num_speakers: Any) -> list[dict]:
    """Pre-queue checks: the file's length, and the count (API callers skip the widget)."""
    results = ui.audio_validator(max_duration_s=LIMITS.max_duration_s)(audio)
    try:
        diarization.check_num_speakers(num_speakers)
        problem = ""
    except AudioStudyError as exc:
        problem = str(exc)
    return [*results, gr.validate(not problem, problem)]


# ------------------------------------------------------------------------------------ UI
def _count_box() -> gr.Number:
    # Not ui.control (a slider for a bounded Param): API callers send None for "not given",
    # which a slider refuses, and the serving guard would answer a bad count with a slider's
    # sentence before the validator gives the task's ("... or 0 to estimate it").
    param = PARAMS["num_speakers"]
    return gr.Number(
        param.default,
        label=f"{param.title} (0 = estimate, up to {param.maximum:g})",
        info=param.help,
        step=param.step,
    )


def panel() -> None:
    """Lay the panel out inside the current Blocks (a sub-tab of Speaker verification)."""
    gr.Markdown(INTRO)
    with gr.Row():
        audio = gr.Audio(
            str(EXAMPLE) if EXAMPLE.is_file() else None,
            type="filepath",
            sources=["upload", "microphone"],
            label="Conversation",
            scale=3,
        )
        with gr.Column(scale=1):
            count = _count_box()
            run = gr.Button("Who spoke when?", variant="primary")
    status = ui.status_box()
    summary = gr.Markdown()
    timeline = gr.HTML()
    with gr.Row():
        table = gr.Dataframe(headers=COLUMNS, label="Segments", max_height=300, scale=3)
        with gr.Column(scale=2):
            files = gr.File(label="Downloads: RTTM and JSON", file_count="multiple")
            segments = gr.JSON(label="Segments as JSON", open=False)
    with gr.Row(equal_height=True):
        who = gr.Dropdown([], label="Speaker (by number)", scale=2)
        new_name = gr.Textbox(label="Name", placeholder="e.g. Anna", max_length=40, scale=2)
        rename = gr.Button("Rename", scale=1)
        play = gr.Button("Play this speaker's turns", scale=1)
    player = gr.Audio(label="The speaker's turns, back to back", interactive=False)
    with gr.Accordion("Learn: how the voices were told apart", open=False):
        learn_plot = gr.Plot(show_label=False)
        learn_text = gr.Markdown()
    answer = [segments, summary, timeline, table, files]
    ui.run_event(
        run.click,
        diarize,
        [audio, count],
        answer,
        status=status,
        held=(HELD, HELD_BADGE),
        api_name="diarize",
        validator=_check_count,
    ).success(draw, None, [who, learn_plot, learn_text], **ui.PRIVATE)
    rename.click(rename_speaker, [who, new_name], answer, **ui.PRIVATE).success(
        redraw, None, learn_plot, **ui.PRIVATE
    )
    play.click(play_speaker, [audio, who], player, **ui.PRIVATE)


def build() -> gr.Blocks:
    """The panel alone, as its own app."""
    with gr.Blocks() as demo:
        panel()
    return demo


if __name__ == "__main__":
    ui.launch_alone(build)
