"""The chain as a notebook-ready Python snippet that reproduces the app's output."""

from __future__ import annotations

from collections.abc import Sequence

from audiokit.tasks.effects.chain import NEURAL, TAIL_FLOOR, Step, effects, groups

NEURAL_IMPORT = "from audiokit.tasks.effects import neural_effect  # this app's package"


def to_python(steps: Sequence[Step], *, tail_s: float = 2.0, input_path: str = "input.wav") -> str:
    """A Python snippet with pedalboard that reproduces ``run``'s output.

    Args:
        steps: the validated chain.
        tail_s: the same tail as the app, in seconds.
        input_path: the file the snippet reads.
    """
    from audiokit.tasks.effects.backends.pedalboard import literal

    table = effects()
    imports = {"Pedalboard"}
    body = []
    for kind, group in groups(steps):
        if kind == "neural":
            args = ", ".join(f"{k}={v!r}" for k, v in group.params.items())
            body.append(f"y, _ = neural_effect(y, sample_rate, {args})")
            continue
        lines = []
        for step in group:
            spec = table[step.effect]
            imports.add(step.effect)
            if any(p.choices and p.name in ("mode", "quality") for p in spec.params):
                imports.add("Resample" if step.effect != "LadderFilter" else "LadderFilter")
            args = ", ".join(f"{k}={literal(spec, k, v)}" for k, v in step.params.items())
            lines.append(f"    {step.effect}({args}),")
        body.append("y = Pedalboard([\n" + "\n".join(lines) + "\n])(y, sample_rate)")
    bypassed = [s.effect for s in steps if s.bypass]
    head = [
        "import numpy as np",
        "import soundfile as sf",
        f"from pedalboard import {', '.join(sorted(imports))}",
    ]
    if any(s.effect == NEURAL and not s.bypass for s in steps):
        head.append(NEURAL_IMPORT)
    return "\n".join(
        [
            *head,
            "",
            f'audio, sample_rate = sf.read("{input_path}", dtype="float32", always_2d=True)',
            "# channels first, plus room for reverb and delay tails",
            f"y = np.pad(audio.T, ((0, 0), (0, round({float(tail_s)!r} * sample_rate))))",
            *([f"# bypassed: {', '.join(bypassed)}"] if bypassed else []),
            *body,
            f"loud = np.flatnonzero(np.abs(y).max(axis=0) > {TAIL_FLOOR!r})  # cut silent tail",
            "y = y[:, : max(audio.shape[0], loud[-1] + 1 if loud.size else 0)]",
            'sf.write("output.wav", y.T, sample_rate)',
            "",
        ]
    )
