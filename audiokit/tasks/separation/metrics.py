"""How well a separation did: SI-SDR and its improvement (SI-SDRi) against a clean reference,
and the effective mask, the share of each time-frequency bin each stem received."""

from __future__ import annotations

import dataclasses

import numpy as np

from audiokit.audio import Audio, format_duration
from audiokit.errors import AudioStudyError
from audiokit.metrics import si_sdr
from audiokit.tasks.separation.backends.common import fit_length, stft_settings

# A reference is the clean source of this very mixture: its length may differ only by
# what a re-export adds (encoder padding), not by whole words.
REFERENCE_LENGTH_TOLERANCE_S = 0.1


@dataclasses.dataclass(frozen=True)
class ReferenceScore:
    """SI-SDR of the best-matching stem and of the unprocessed mixture, against a reference.

    Attributes:
        stem: name of the stem that matches the reference best.
        si_sdr_db: that stem's SI-SDR in dB.
        mixture_si_sdr_db: the mixture's SI-SDR against the same reference.
    """

    stem: str
    si_sdr_db: float
    mixture_si_sdr_db: float

    @property
    def improvement_db(self) -> float:
        """SI-SDR improvement (SI-SDRi): what the separation gained over doing nothing."""
        return self.si_sdr_db - self.mixture_si_sdr_db


def check_reference_duration(reference_s: float, mixture_s: float) -> None:
    """Refuse a reference that cannot be the clean source of this mixture, before any work.

    Raises:
        AudioStudyError: the lengths differ by more than :data:`REFERENCE_LENGTH_TOLERANCE_S`.
    """
    if abs(reference_s - mixture_s) > REFERENCE_LENGTH_TOLERANCE_S:
        raise AudioStudyError(
            f"The reference is {format_duration(reference_s)} long but the mixture is "
            f"{format_duration(mixture_s)}: upload the clean source of this very mixture, "
            "with the same start and length."
        )


def score_stems(
    mixture: np.ndarray, stems: dict[str, np.ndarray], reference: np.ndarray, *, sample_rate: int
) -> ReferenceScore:
    """SI-SDR of each stem against a reference, keeping the best match (mono, same rate).

    The best match, because a speaker separator does not know which speaker is "first".

    Raises:
        AudioStudyError: the reference is not as long as the mixture, or silent.
    """
    check_reference_duration(reference.size / sample_rate, mixture.size / sample_rate)
    reference = fit_length(reference, mixture.size)
    best_db, best_name = max((si_sdr(stem, reference), name) for name, stem in stems.items())
    return ReferenceScore(best_name, best_db, si_sdr(mixture, reference))


def score_against_reference(
    mixture: Audio, stems: tuple[tuple[str, Audio], ...], reference: Audio
) -> ReferenceScore:
    """:func:`score_stems` on clips: mono mixes, the reference at the mixture's rate.

    Raises:
        AudioStudyError: the reference is not as long as the mixture, or silent.
    """
    return score_stems(
        mixture.mono(),
        {name: audio.mono() for name, audio in stems},
        reference.for_model(mixture.sample_rate),
        sample_rate=mixture.sample_rate,
    )


def effective_mask(primary: np.ndarray, secondary: np.ndarray, sample_rate: int) -> np.ndarray:
    """The share of each time-frequency bin's magnitude that went to the primary stem.

    Computed from the stems themselves, so it is comparable across methods: for HPSS and
    REPET-SIM it is (almost) the soft mask they applied; for DeepFilterNet and SepFormer,
    whose masks live in ERB bands or a learned space, it is what those masks amounted to.

    Returns:
        ``(bins, frames)`` in [0, 1]; NaN where both stems are more than 60 dB below the
        loudest bin (nothing audible to share). At most ~1500 frames, for display.
    """
    import librosa

    n_fft, hop = stft_settings(sample_rate)
    hop = max(hop, primary.size // 1500)
    a, b = (np.abs(librosa.stft(x, n_fft=n_fft, hop_length=hop)) for x in (primary, secondary))
    total = a + b
    audible = total > max(float(total.max()) * 1e-3, 1e-8)
    return np.divide(a, total, out=np.full_like(a, np.nan), where=audible)
