"""Figures shared by the tabs: waveform, spectrograms, matrices, scatter maps, curves.

Built on ``matplotlib.figure.Figure`` (no pyplot state), so requests on different threads
never draw into each other's figures. ``gr.Plot`` accepts the figures as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from audiokit.audio import Audio

WIDTH_IN = 8.0
ROW_IN = 2.4
CMAP = "magma"


def figure(width_in: float = WIDTH_IN, height_in: float = ROW_IN):
    """An empty figure in the house format, for a tab's own layout of axes."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), dpi=100, layout="constrained")


def _figure(rows: int = 1, height_in: float = ROW_IN, width_in: float = WIDTH_IN):
    fig = figure(width_in, height_in * rows)
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    return fig, axes


def _envelope(x: np.ndarray, points: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Min/max per bucket: draws hours of audio with a few thousand points."""
    if x.size <= 2 * points:
        return x, x
    n = x.size // points * points
    buckets = x[:n].reshape(points, -1)
    return buckets.min(axis=1), buckets.max(axis=1)


def waveform(audio: Audio, *, title: str = "Waveform"):
    """Amplitude against time, one trace per channel."""
    fig, (ax,) = _figure()
    colours = ("#2563eb", "#dc2626", "#16a34a", "#9333ea")
    for ch in range(audio.channels):
        low, high = _envelope(audio.samples[ch])
        t = np.linspace(0.0, audio.duration_s, low.size)
        label = f"ch {ch + 1}" if audio.channels > 1 else None
        ax.fill_between(t, low, high, color=colours[ch % 4], alpha=0.6, lw=0.6, label=label)
    ax.set(xlim=(0, max(audio.duration_s, 1e-3)), ylim=(-1.05, 1.05), title=title)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("amplitude")
    if audio.channels > 1:
        ax.legend(loc="upper right", fontsize=8)
    return fig


def spectrogram_db(
    signal: np.ndarray, sample_rate: int, *, kind: str = "mel", n_fft: int = 1024
) -> tuple[np.ndarray, float]:
    """Power spectrogram in dB (max 0) and the hop length in seconds.

    Args:
        signal: mono samples.
        sample_rate: Hz.
        kind: ``"mel"`` (80 bands, as Whisper and most TTS see audio) or ``"linear"``.
        n_fft: FFT size at 16 kHz; scaled with the rate so frames span the same time.
    """
    import librosa

    n_fft = int(2 ** np.ceil(np.log2(n_fft * sample_rate / 16000)))
    hop = n_fft // 4
    # A single display never needs more than ~2000 frames; long inputs get a longer hop.
    hop = max(hop, int(np.ceil(signal.size / 2000)))
    if kind == "mel":
        spec = librosa.feature.melspectrogram(
            y=signal, sr=sample_rate, n_fft=n_fft, hop_length=hop, n_mels=80
        )
    elif kind == "linear":
        spec = np.abs(librosa.stft(signal, n_fft=n_fft, hop_length=hop)) ** 2
    else:
        raise ValueError(f"kind must be 'mel' or 'linear', not {kind!r}")
    return librosa.power_to_db(spec, ref=np.max(spec) if spec.any() else 1.0, top_db=80), (
        hop / sample_rate
    )


def _draw_spectrogram(ax, signal: np.ndarray, sample_rate: int, kind: str, title: str):
    import librosa.display

    db, hop_s = spectrogram_db(signal, sample_rate, kind=kind)
    hop = round(hop_s * sample_rate)
    image = librosa.display.specshow(
        db,
        sr=sample_rate,
        hop_length=hop,
        x_axis="time",
        y_axis="mel" if kind == "mel" else "hz",
        ax=ax,
        cmap=CMAP,
        vmin=-80,
        vmax=0,
    )
    ax.set_title(title)
    return image


def spectrogram(
    audio: Audio,
    *,
    kind: str = "mel",
    title: str | None = None,
    marks: Sequence[tuple[float, str]] = (),
):
    """Log-power spectrogram of the channel mix, optionally with labelled time marks.

    Args:
        audio: the clip.
        kind: ``"mel"`` or ``"linear"``.
        title: defaults to the kind.
        marks: ``(time_s, label)`` pairs drawn as vertical lines (e.g. phoneme boundaries).
    """
    fig, (ax,) = _figure(height_in=3.0)
    image = _draw_spectrogram(
        ax, audio.mono(), audio.sample_rate, kind, title or f"{kind.capitalize()} spectrogram"
    )
    fig.colorbar(image, ax=ax, format="%+2.0f dB", pad=0.01)
    top = ax.get_ylim()[1]
    for time_s, label in marks:
        ax.axvline(time_s, color="white", lw=0.5, alpha=0.6)
        if label:
            ax.text(time_s, top, label, color="white", fontsize=7, va="top", ha="left")
    return fig


def compare_spectrograms(clips: Sequence[tuple[str, Audio]], *, kind: str = "mel"):
    """Stacked spectrograms on one shared colour scale (mixture and stems, before/after)."""
    fig, axes = _figure(rows=len(clips), height_in=2.2)
    image = None
    for ax, (label, clip) in zip(axes, clips, strict=True):
        image = _draw_spectrogram(ax, clip.mono(), clip.sample_rate, kind, label)
    if image is not None:
        fig.colorbar(image, ax=list(axes), format="%+2.0f dB", pad=0.01)
    return fig


def matrix(
    values: np.ndarray,
    *,
    labels: Sequence[str],
    title: str,
    vmin: float | None = None,
    vmax: float | None = None,
):
    """A labelled square heatmap with the values written in the cells."""
    n = len(labels)
    size = min(8.0, 2.5 + 0.5 * n)
    fig, (ax,) = _figure(height_in=size, width_in=size + 1.0)
    image = ax.imshow(values, cmap="viridis", vmin=vmin, vmax=vmax)
    ax.set_xticks(range(n), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(n), labels, fontsize=8)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=7, color="w")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, pad=0.01)
    return fig


def scatter_map(points: np.ndarray, *, labels: Sequence[str], groups: Sequence[str], title: str):
    """2-D points coloured by group, each labelled (e.g. speaker embeddings after PCA).

    Each label takes the free spot around its point that overlaps the fewest labels and
    points already placed and stays inside the axes (see :func:`_place_labels`); the
    legend sits outside the axes so that it covers no point.
    """
    fig, (ax,) = _figure(height_in=4.5, width_in=6.5)
    for group in dict.fromkeys(groups):
        idx = [i for i, g in enumerate(groups) if g == group]
        ax.scatter(points[idx, 0], points[idx, 1], s=50, label=group)
    # Room around the cloud for the labels of the outermost points.
    for axis, set_lim in ((0, ax.set_xlim), (1, ax.set_ylim)):
        lo, hi = float(points[:, axis].min()), float(points[:, axis].max())
        pad = max(hi - lo, 1e-6) * 0.25
        set_lim(lo - pad, hi + pad)
    ax.set(title=title, xlabel="component 1", ylabel="component 2")
    fig.legend(loc="outside right upper", fontsize=8, title="name prefix", title_fontsize=8)
    _place_labels(ax, points, labels)
    return fig


# Candidate spots around a point: eight directions (right and left first), each at five
# distances in points; the farther ones get a leader line back to their point.
_DIRECTIONS = (
    ((1, 0), "left", "center"),
    ((-1, 0), "right", "center"),
    ((0, 1), "center", "bottom"),
    ((0, -1), "center", "top"),
    ((0.7, 0.7), "left", "bottom"),
    ((-0.7, 0.7), "right", "bottom"),
    ((0.7, -0.7), "left", "top"),
    ((-0.7, -0.7), "right", "top"),
)
_LABEL_SPOTS = tuple(
    ((dx * r, dy * r), ha, va) for r in (7, 14, 22, 32, 44) for (dx, dy), ha, va in _DIRECTIONS
)


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _place_labels(ax, points: np.ndarray, labels: Sequence[str], fontsize: float = 8) -> None:
    """Annotate each point where its label overlaps least with what is already drawn.

    Greedy over the points, each choosing among :data:`_LABEL_SPOTS`: the cost is the area
    shared with earlier labels and with the markers, plus (heavily) any part outside the
    axes, plus a price per point of distance, so the nearest free spot wins and a label
    grazing a neighbour's marker beats a long leader line. Labels are clipped to
    the axes, so nothing spills past the plot.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    fig = ax.figure
    FigureCanvasAgg(fig)
    # Lay the figure out once and keep it: a later draw would re-run the layout and move the
    # axes under labels placed for the old positions.
    fig.canvas.draw()
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    radius = 4.0 * fig.dpi / 72.0  # a marker of s=50 has a radius of about 4 points
    xy = ax.transData.transform(points)
    markers = [Bbox.from_extents(x - radius, y - radius, x + radius, y + radius) for x, y in xy]
    placed: list = []
    for i, ((x, y), label) in enumerate(zip(points, labels, strict=True)):
        best = None
        for offset, ha, va in _LABEL_SPOTS:
            distance = float(np.hypot(*offset))
            text = ax.annotate(
                label,
                (x, y),
                xytext=offset,
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                annotation_clip=False,
                arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "0.55", "shrinkB": 4}
                if distance > 10
                else None,
            )
            text.update_positions(renderer)
            box = Text.get_window_extent(text, renderer)  # the words, without the leader
            inside = _overlap(box, frame)
            outside = box.width * box.height - inside
            # A little margin, so that neighbouring labels do not touch; two labels on top
            # of each other are worse than a label over someone else's marker.
            padded = box.padded(1.5)
            crowding = 10 * sum(_overlap(padded, t) for t in placed) + sum(
                _overlap(padded, m) for j, m in enumerate(markers) if j != i
            )
            cost = outside * 100 + crowding + distance * 3
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, text, box)
            else:
                text.remove()
        best[1].set_clip_on(True)
        placed.append(best[2])


def curve(ys: Sequence[float], *, title: str, xlabel: str, ylabel: str, log_y: bool = False):
    """A single line (e.g. a loss curve)."""
    fig, (ax,) = _figure(height_in=2.6, width_in=6.0)
    ax.plot(np.arange(1, len(ys) + 1), ys, color="#2563eb")
    if log_y:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    return fig
