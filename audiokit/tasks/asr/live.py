"""Live transcription of a microphone: the embedded tiny.en re-reads the recent window every
second in one background thread; older text settles, so the window stays short."""

from __future__ import annotations

import concurrent.futures
import dataclasses

import numpy as np

from audiokit.audio import Audio, is_silent, resample
from audiokit.tasks.asr.catalog import SAMPLE_RATE
from audiokit.tasks.asr.embedded import embedded_whisper

LIVE_WINDOW_S = 15.0
LIVE_TAIL_S = 3.0
LIVE_STEP_S = 1.0
# One decoder thread for every live session: two cores cannot run more than one at a time.
_live_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="asr-live")


@dataclasses.dataclass(frozen=True)
class LiveDecode:
    """One re-read of the live window: what settled, the partial guess, and where to cut."""

    committed: str
    partial: str
    cut: int  # samples at the front of the window that are settled and can go


def decode_window(
    buffer: np.ndarray, sample_rate: int, *, committed: str, final: bool = False
) -> LiveDecode:
    """Transcribe the live window; when full (or ``final``), settle the older segments.

    Segments that ended more than ``LIVE_TAIL_S`` before the window's end are committed and
    their audio cut, so the words being spoken keep some context.
    """
    duration_s = buffer.size / sample_rate
    if buffer.size < sample_rate // 4 or is_silent(Audio(buffer[np.newaxis], sample_rate)):
        keep_s = 0.0 if final else LIVE_TAIL_S
        return LiveDecode(committed, "", max(0, buffer.size - int(keep_s * sample_rate)))
    pieces, _ = embedded_whisper().transcribe(
        resample(buffer, sample_rate, SAMPLE_RATE),
        language="en",
        beam_size=1,
        condition_on_previous_text=False,
    )
    segments = [(s.end, s.text.strip()) for s in pieces]
    if not (final or duration_s >= LIVE_WINDOW_S):
        return LiveDecode(committed, " ".join(t for _, t in segments), 0)
    settled = segments if final else [s for s in segments if s[0] <= duration_s - LIVE_TAIL_S]
    if settled and not final:
        cut_s = settled[-1][0]
    else:  # final, or one segment still running at the window's end: settle it whole
        settled, cut_s = segments, duration_s - (0.0 if segments or final else LIVE_TAIL_S)
    text = " ".join([committed, *(t for _, t in settled)]).strip()
    rest = " ".join(t for _, t in segments[len(settled) :])
    return LiveDecode(text, rest, min(buffer.size, int(cut_s * sample_rate)))


class LiveTranscriber:
    """Streaming transcription for one microphone session.

    Gradio sends 0.1 s chunks and skips chunks while the handler is busy, so :meth:`feed`
    must return at once: it only appends audio, and every ``LIVE_STEP_S`` of new audio it
    starts a re-read of the recent window in a background thread. The buffer stays at the
    microphone's rate and is resampled whole at each decode (resampling 0.1 s chunks one by
    one would put a filter transient at every chunk edge).

    Args:
        background: decode in the shared thread (the app); False decodes inline (tests).
    """

    def __init__(self, *, background: bool = True) -> None:
        self.background = background
        self.committed = ""
        self.partial = ""
        self.sample_rate = 0
        self.buffer = np.zeros(0, np.float32)
        self.undecoded_s = 0.0
        self._running: concurrent.futures.Future | None = None

    @property
    def text(self) -> str:
        return " ".join([self.committed, self.partial]).strip()

    @property
    def buffer_s(self) -> float:
        return self.buffer.size / self.sample_rate if self.sample_rate else 0.0

    def _apply(self, result: LiveDecode) -> None:
        self.committed, self.partial = result.committed, result.partial
        # Audio that arrived during the decode sits after the snapshot, so cutting the
        # front by the snapshot's settled samples is still right.
        self.buffer = self.buffer[result.cut :]

    def _collect(self, wait: bool) -> None:
        if self._running is not None and (wait or self._running.done()):
            result, self._running = self._running.result(), None
            self._apply(result)

    def feed(self, chunk: Audio) -> str:
        """Append a chunk; returns the text to show now (committed + partial)."""
        if self.sample_rate and chunk.sample_rate != self.sample_rate:
            self.finish()  # a new device or rate: settle what we have, start afresh
        if not self.sample_rate or not self.buffer.size:
            self.sample_rate = chunk.sample_rate
        self.buffer = np.concatenate([self.buffer, chunk.mono()])
        self.undecoded_s += chunk.duration_s
        self._collect(wait=False)
        if self._running is None and self.undecoded_s >= LIVE_STEP_S:
            self.undecoded_s = 0.0
            args = (self.buffer.copy(), self.sample_rate)
            if self.background:
                self._running = _live_pool.submit(decode_window, *args, committed=self.committed)
            else:
                self._apply(decode_window(*args, committed=self.committed))
        return self.text

    def finish(self) -> str:
        """Wait for the running decode, then settle everything that is left."""
        self._collect(wait=True)
        if self.buffer.size:
            self._apply(
                decode_window(self.buffer, self.sample_rate, committed=self.committed, final=True)
            )
        self.partial, self.undecoded_s = "", 0.0
        return self.text
