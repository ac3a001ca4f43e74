"""The neural backend: steerable neural audio effects (Steinmetz & Reiss, 2021), torch on CPU.

One job in one module (a little over 400 lines): the network, its cost bounds, steering,
running it, and its entry in the effect table.

A randomly initialised temporal convolutional network (TCN) already *is* an audio effect:
stacked dilated 1-D convolutions with PReLU activations filter and distort the signal in
ways set by the seed and the architecture. Steering runs a few Adam steps so that the
network imitates a target effect, made on the spot with Pedalboard from a training clip;
the loss is measured on a held-back clip the network never trained on.

Paper: https://arxiv.org/abs/2112.02926 · original demo: github.com/csteinmetz1/steerable-nafx
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from audiokit.errors import AudioStudyError
from audiokit.progress import Progress
from audiokit.tasks.effects.backends import StageOutput
from audiokit.tasks.effects.chain import EXAMPLE_CLIP, NEURAL, EffectParam, EffectSpec, Step
from audiokit.tasks.effects.limits import LIMITS

STEER_TARGETS = ("none", "compressor", "reverb", "distortion", "delay")
TRAINING_CLIP = EXAMPLE_CLIP
PAPER_URL = "https://arxiv.org/abs/2112.02926"

# Steering trains on short crops: long enough for the receptive field, short enough that one
# Adam step takes tens of milliseconds on two cores.
_CROP_FRAMES = 8192
_BATCH = 2
_LEARNING_RATE = 3e-3
# Inference runs in chunks so a minute of stereo audio never builds one huge activation.
_CHUNK_FRAMES = 1 << 16
_CACHE_SIZE = 8


# The cost bounds live with every other limit (audiokit/limits.py, AUDIOSTUDY_NAFX_*).
MAX_RECEPTIVE_FIELD = LIMITS.nafx_max_receptive_field
MAX_WEIGHTS = LIMITS.nafx_max_weights
MAX_STEER_COST = LIMITS.nafx_max_steer_cost
MAX_RUN_COST = LIMITS.nafx_max_run_cost


@dataclasses.dataclass(frozen=True)
class TCNConfig:
    """The architecture and the seed of one random network.

    Attributes:
        seed: initialises the weights (same seed, same effect).
        depth: number of dilated convolution blocks.
        kernel_size: taps per convolution.
        dilation_growth: block ``i`` has dilation ``dilation_growth ** i``.
        channels: hidden channels per block.
    """

    seed: int = 42
    depth: int = 4
    kernel_size: int = 13
    dilation_growth: int = 10
    channels: int = 16

    @property
    def receptive_field(self) -> int:
        """How many input samples one output sample depends on (itself included)."""
        return 1 + sum((self.kernel_size - 1) * self.dilation_growth**i for i in range(self.depth))

    @property
    def parameter_count(self) -> int:
        """Trainable weights: per block a convolution with bias, a PReLU and a 1x1 residual."""
        total = 0
        for i in range(self.depth):
            c_in = 1 if i == 0 else self.channels
            last = i == self.depth - 1
            c_out = 1 if last else self.channels
            total += c_out * c_in * self.kernel_size + c_out + c_out * c_in
            total += 0 if last else c_out
        return total

    def receptive_field_ms(self, sample_rate: int) -> float:
        """The receptive field in milliseconds at ``sample_rate``."""
        return 1000.0 * self.receptive_field / sample_rate

    @property
    def step_cost(self) -> int:
        """Multiply-adds (weights x samples) of one steering step's forward pass."""
        return _BATCH * (_CROP_FRAMES + self.receptive_field - 1) * self.parameter_count

    def check(self, steer_steps: int = 0) -> None:
        """Refuse a network (or a steering run) too big for one request, naming the limit.

        Raises:
            AudioStudyError: receptive field, weight count or steering cost over its limit.
        """
        for name in ("depth", "kernel_size", "dilation_growth", "channels"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise AudioStudyError(
                    f"The neural effect's '{name}' must be a whole number of at least 1, "
                    f"not {value!r}."
                )
        if isinstance(steer_steps, bool) or not isinstance(steer_steps, int) or steer_steps < 0:
            raise AudioStudyError(
                f"'steer_steps' must be a whole number of at least 0, not {steer_steps!r}."
            )
        rf = self.receptive_field
        if rf > MAX_RECEPTIVE_FIELD:
            raise AudioStudyError(
                f"The neural effect's receptive field would be {rf:,} samples "
                f"({rf / 44100:.2f} s at 44.1 kHz); the limit is {MAX_RECEPTIVE_FIELD:,} "
                f"samples ({MAX_RECEPTIVE_FIELD / 44100:.2f} s). Lower depth, kernel_size "
                "or dilation_growth."
            )
        weights = self.parameter_count
        if weights > MAX_WEIGHTS:
            raise AudioStudyError(
                f"The neural effect would have {weights:,} weights; the limit is "
                f"{MAX_WEIGHTS:,}. Lower channels (the cost grows with its square), "
                "kernel_size or depth."
            )
        cost = steer_steps * self.step_cost
        if cost > MAX_STEER_COST:
            most = int(MAX_STEER_COST // self.step_cost)
            raise AudioStudyError(
                f"Steering this network for {steer_steps} steps would cost {cost:.1e} "
                f"multiply-adds; the limit is {MAX_STEER_COST:.1e} (about a minute on two "
                f"cores). Use at most {most} steps with it, or fewer channels, a smaller "
                "kernel_size or a shorter receptive field."
            )

    def check_run(self, frames: int, channels: int, sample_rate: int) -> None:
        """Refuse running the network over more audio than one request may cost."""
        cost = (frames + self.receptive_field - 1) * channels * self.parameter_count
        if cost > MAX_RUN_COST:
            seconds = MAX_RUN_COST / (channels * self.parameter_count) / sample_rate
            raise AudioStudyError(
                f"Running a neural effect of {self.parameter_count:,} weights over "
                f"{frames / sample_rate:.1f} s of {channels}-channel audio would cost "
                f"{cost:.1e} multiply-adds; the limit is {MAX_RUN_COST:.1e}. Use at most "
                f"{seconds:.1f} s of audio with it, or lower its channels or kernel_size."
            )


@dataclasses.dataclass(frozen=True)
class SteerReport:
    """What steering did, for the Learn view.

    Attributes:
        target: the effect steered toward.
        train_loss: loss per Adam step on training crops.
        heldout_before: loss on the held-back clip with the random weights.
        heldout_after: the same after steering.
    """

    target: str
    train_loss: tuple[float, ...]
    heldout_before: float
    heldout_after: float


def _torch():
    import torch

    from audiokit.models import cpu_threads

    # Keep the intra-op pool to this machine's cores; oversubscription slows every tab.
    if torch.get_num_threads() != cpu_threads():
        torch.set_num_threads(cpu_threads())
    return torch


def build_tcn(config: TCNConfig):
    """The random network for ``config``: deterministic weights from its seed."""
    torch = _torch()
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, c_in: int, c_out: int, dilation: int, last: bool) -> None:
            super().__init__()
            self.conv = nn.Conv1d(c_in, c_out, config.kernel_size, dilation=dilation)
            self.act = nn.Identity() if last else nn.PReLU(c_out)
            self.res = nn.Conv1d(c_in, c_out, 1, bias=False)

        def forward(self, x):
            y = self.act(self.conv(x))
            # The convolution has no padding, so the residual is cropped to its causal end.
            return y + self.res(x)[..., -y.shape[-1] :]

    class TCN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            blocks = []
            for i in range(config.depth):
                c_in = 1 if i == 0 else config.channels
                last = i == config.depth - 1
                c_out = 1 if last else config.channels
                blocks.append(Block(c_in, c_out, config.dilation_growth**i, last))
            self.blocks = nn.Sequential(*blocks)

        def forward(self, x):
            return self.blocks(x)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = TCN()
    return model.eval()


def _run(model, samples: np.ndarray, receptive_field: int) -> np.ndarray:
    """Causal inference over (channels, frames), each channel on its own, in chunks."""
    torch = _torch()
    context = receptive_field - 1
    x = np.pad(samples.astype(np.float32), ((0, 0), (context, 0)))
    outs = []
    with torch.inference_mode():
        for start in range(0, samples.shape[1], _CHUNK_FRAMES):
            stop = min(start + _CHUNK_FRAMES, samples.shape[1])
            chunk = torch.from_numpy(np.ascontiguousarray(x[:, start : stop + context]))
            outs.append(model(chunk[:, None, :])[:, 0, :].numpy())
    return np.concatenate(outs, axis=1)


def _target_board(target: str):
    """The Pedalboard effect that makes the steering targets."""
    import pedalboard as pb

    boards = {
        "compressor": [pb.Compressor(threshold_db=-30, ratio=8, attack_ms=1, release_ms=80)],
        "reverb": [pb.Reverb(room_size=0.5, wet_level=0.4, dry_level=0.6)],
        "distortion": [pb.Distortion(drive_db=24), pb.Gain(gain_db=-10)],
        "delay": [pb.Delay(delay_seconds=0.08, feedback=0.3, mix=0.4)],
    }
    return pb.Pedalboard(boards[target])


def _clips(sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and held-back clips (mono, at ``sample_rate``): the two ends of one recording."""
    from audiokit.audio import load_audio

    mono = load_audio(TRAINING_CLIP).for_model(sample_rate)
    split = int(mono.size * 0.7)
    return mono[:split], mono[split:]


def _loss(torch, y, t):
    """L1 on the waveform plus L1 on log-magnitude spectra: level and timbre both count."""
    window = torch.hann_window(1024)
    spec_y = torch.stft(y, 1024, 256, window=window, return_complex=True).abs()
    spec_t = torch.stft(t, 1024, 256, window=window, return_complex=True).abs()
    log_l1 = (torch.log(spec_y + 1e-5) - torch.log(spec_t + 1e-5)).abs().mean()
    return (y - t).abs().mean() + 0.1 * log_l1


def steer(
    config: TCNConfig,
    *,
    target: str,
    sample_rate: int,
    steps: int,
    progress: Progress | None = None,
):
    """Train a copy of the random network toward a Pedalboard effect.

    Args:
        config: the network.
        target: one of ``STEER_TARGETS`` other than ``"none"``.
        sample_rate: the rate the network will run at (dilations are counted in samples).
        steps: Adam steps.
        progress: called with (fraction done, description).

    Returns:
        (model, SteerReport).
    """
    if target not in STEER_TARGETS or target == "none":
        raise AudioStudyError(f"'steer' must be one of {', '.join(STEER_TARGETS)}, not {target!r}.")
    config.check(steps)
    torch = _torch()
    model = build_tcn(config)
    board = _target_board(target)
    train, heldout = _clips(sample_rate)
    train_target = board(train[None, :], sample_rate)[0]
    heldout_target = board(heldout[None, :], sample_rate)[0]
    rf = config.receptive_field

    def heldout_loss() -> float:
        y = _run(model, heldout[None, :], rf)[0]
        return float(_loss(torch, torch.from_numpy(y), torch.from_numpy(heldout_target)))

    before = heldout_loss()
    rng = np.random.default_rng(config.seed)
    padded = np.pad(train, (rf - 1, 0))
    optimiser = torch.optim.Adam(model.parameters(), lr=_LEARNING_RATE)
    model.train()
    losses = []
    crop = min(_CROP_FRAMES, train.size)
    for step in range(steps):
        starts = rng.integers(0, train.size - crop + 1, size=_BATCH)
        x = np.stack([padded[s : s + crop + rf - 1] for s in starts])[:, None, :]
        t = np.stack([train_target[s : s + crop] for s in starts])
        y = model(torch.from_numpy(x))[:, 0, :]
        loss = _loss(torch, y, torch.from_numpy(t))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        if progress:
            progress((step + 1) / steps, f"Steering toward {target}: step {step + 1}/{steps}")
    model.eval()
    return model, SteerReport(target, tuple(losses), before, heldout_loss())


_cache: OrderedDict[tuple, tuple] = OrderedDict()
_cache_lock = threading.Lock()


def _model_for(
    config: TCNConfig, steer_target: str, steer_steps: int, sample_rate: int, progress
) -> tuple:
    """The (model, report) for these settings; steered networks are kept for reuse."""
    if steer_target == "none" or steer_steps == 0:
        return build_tcn(config), None
    key = (config, steer_target, steer_steps, sample_rate)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = steer(
        config, target=steer_target, sample_rate=sample_rate, steps=steer_steps, progress=progress
    )
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def neural_effect(
    samples: np.ndarray,
    sample_rate: int,
    *,
    seed: int = 42,
    depth: int = 4,
    kernel_size: int = 13,
    dilation_growth: int = 10,
    channels: int = 16,
    gain_db: float = 0.0,
    mix: float = 1.0,
    steer: str = "none",
    steer_steps: int = 0,
    progress: Progress | None = None,
) -> tuple[np.ndarray, SteerReport | None]:
    """Process (channels, frames) float32 audio with a random, optionally steered, TCN.

    Args:
        samples: float32 (channels, frames); each channel is processed on its own.
        sample_rate: Hz.
        seed, depth, kernel_size, dilation_growth, channels: the network (see TCNConfig).
        gain_db: output gain after the network.
        mix: 0 = dry only, 1 = network only.
        steer: target effect, or "none" for the raw random network.
        steer_steps: Adam steps toward the target (0 = not steered).
        progress: called with (fraction, description) while steering.

    Returns:
        (processed float32 samples of the same shape, SteerReport or None).

    Raises:
        AudioStudyError: a network, a steering run or an amount of audio over the limits
            (MAX_RECEPTIVE_FIELD, MAX_WEIGHTS, MAX_STEER_COST, MAX_RUN_COST).
    """
    config = TCNConfig(seed, depth, kernel_size, dilation_growth, channels)
    config.check(steer_steps if steer != "none" else 0)
    config.check_run(samples.shape[1], samples.shape[0], sample_rate)
    model, report = _model_for(config, steer, steer_steps, sample_rate, progress)
    wet = _run(model, samples, config.receptive_field)
    if report is None:
        # A random network's level is arbitrary: match the input's peak so the mix is fair.
        peak_in, peak_out = float(np.abs(samples).max()), float(np.abs(wet).max())
        wet = wet * (peak_in / peak_out) if peak_out > 0 else wet
    gain = math.pow(10.0, gain_db / 20.0)
    out = (1.0 - mix) * samples + mix * gain * wet
    return out.astype(np.float32), report


def config_for(params: dict[str, Any]) -> TCNConfig:
    """The network of a NeuralTCN step's parameters."""
    return TCNConfig(**{f.name: params[f.name] for f in dataclasses.fields(TCNConfig)})


@dataclasses.dataclass(frozen=True)
class Neural:
    """One neural step as a stage of the chain."""

    params: dict[str, Any]

    def process(self, samples: np.ndarray, sample_rate: int, progress: Progress) -> StageOutput:
        y, report = neural_effect(samples, sample_rate, **self.params, progress=progress)
        progress(1.0, "Neural effect")
        return StageOutput(y, report, config_for(self.params).receptive_field_ms(sample_rate))


def stage(step: Step) -> Neural:
    """The stage for one neural step."""
    return Neural(dict(step.params))


def spec() -> EffectSpec:
    """The neural effect's entry in the effect table; defaults from :func:`neural_effect`."""
    n = EffectParam.number
    defaults = inspect.signature(neural_effect).parameters
    bound = (
        f" (together: receptive field ≤ {MAX_RECEPTIVE_FIELD:,} samples, ≤ {MAX_WEIGHTS:,} weights)"
    )
    params = (
        n("seed", 0, 9999, "any seed", integer=True, step=1),
        n("depth", 1, 8, f"blocks{bound}", integer=True, step=1),
        n("kernel_size", 2, 31, f"taps{bound}", integer=True, step=1),
        n("dilation_growth", 1, 12, f"growth per block{bound}", integer=True, step=1),
        n("channels", 1, 64, f"width, cost grows with its square{bound}", integer=True, step=1),
        n("gain_db", -24, 24, "output gain", step=0.5),
        n("mix", 0, 1, "dry/wet", step=0.01),
        EffectParam.choice("steer", STEER_TARGETS, "target made with Pedalboard"),
        n(
            "steer_steps",
            0,
            400,
            f"Adam steps (steps × cost per step ≤ {MAX_STEER_COST:.0e} multiply-adds)",
            integer=True,
            step=10,
        ),
    )
    params = tuple(dataclasses.replace(p, default=defaults[p.name].default) for p in params)
    return EffectSpec(
        NEURAL, None, params, "A random temporal convolutional network, optionally steered."
    )
