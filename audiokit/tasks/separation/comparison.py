"""The three denoisers measured on the same noisy speech: the figures
``benchmarks/bench_separation.py`` writes, and the one Markdown table that the README and the
learn view both show."""

from __future__ import annotations

import json
from pathlib import Path

from audiokit.tasks.separation.catalog import DENOISERS

DENOISER_FIGURES = (
    Path(__file__).resolve().parents[3] / "examples" / "separation" / "denoiser_benchmark.json"
)


def load_denoiser_figures(path: Path = DENOISER_FIGURES) -> dict | None:
    """The benchmark's measured comparison of the denoisers, or None if it was never run."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def denoiser_table(figures: dict) -> str:
    """SI-SDRi per noise and SNR, and RTF, of every denoiser, as one Markdown table.

    The README's table and the learn view's are this same text.
    """
    titles = {m: figures["methods"][m] for m in DENOISERS}
    lines = [
        "| noise, SNR | " + " | ".join(titles[m] for m in DENOISERS) + " |",
        "| --- |" + " ---: |" * len(DENOISERS),
    ]
    for case in figures["cases"]:
        gains = " | ".join(f"{case['si_sdri_db'][m]:+.1f} dB" for m in DENOISERS)
        lines.append(f"| {case['noise']}, {case['snr_db']:g} dB | {gains} |")
    mean = " | ".join(f"**{figures['mean_si_sdri_db'][m]:+.1f} dB**" for m in DENOISERS)
    lines.append(f"| **mean SI-SDRi** | {mean} |")
    rtf = " | ".join(f"{figures['rtf'][m]:.3f}" for m in DENOISERS)
    lines.append(f"| RTF (CPU time ÷ duration) | {rtf} |")
    return "\n".join(lines)
