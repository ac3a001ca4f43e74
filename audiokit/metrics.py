"""Standard metrics the tabs report and the tests assert: WER with its alignment, SI-SDR."""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata

import numpy as np

from audiokit.errors import AudioStudyError

_NON_WORD = re.compile(r"[^\w\s']+")
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Lower case, no punctuation, single spaces: the usual footing for WER."""
    text = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    text = _NON_WORD.sub(" ", text).replace("'", "")
    return _SPACES.sub(" ", text).strip()


@dataclasses.dataclass(frozen=True)
class WordAlignment:
    """One step of the alignment: ``op`` is equal, substitute, delete or insert."""

    op: str
    reference: str
    hypothesis: str


@dataclasses.dataclass(frozen=True)
class WerResult:
    """Word error rate with its counts and the word-by-word alignment."""

    wer: float
    substitutions: int
    deletions: int
    insertions: int
    hits: int
    alignment: tuple[WordAlignment, ...]

    @property
    def reference_words(self) -> int:
        return self.substitutions + self.deletions + self.hits


def word_error_rate(reference: str, hypothesis: str) -> WerResult:
    """WER of ``hypothesis`` against ``reference`` after :func:`normalize_text`.

    Raises:
        AudioStudyError: when the reference has no words.
    """
    import jiwer

    ref, hyp = normalize_text(reference), normalize_text(hypothesis)
    if not ref:
        raise AudioStudyError("The reference text has no words to compare against.")
    ref_words, hyp_words = ref.split(), hyp.split()
    if not hyp_words:
        ops = tuple(WordAlignment("delete", w, "") for w in ref_words)
        return WerResult(1.0, 0, len(ref_words), 0, 0, ops)
    out = jiwer.process_words(ref, hyp)
    steps: list[WordAlignment] = []
    for chunk in out.alignments[0]:
        r = ref_words[chunk.ref_start_idx : chunk.ref_end_idx]
        h = hyp_words[chunk.hyp_start_idx : chunk.hyp_end_idx]
        if chunk.type == "equal":
            steps += [WordAlignment("equal", a, b) for a, b in zip(r, h, strict=True)]
        elif chunk.type == "substitute":
            steps += [WordAlignment("substitute", a, b) for a, b in zip(r, h, strict=True)]
        elif chunk.type == "delete":
            steps += [WordAlignment("delete", a, "") for a in r]
        else:
            steps += [WordAlignment("insert", "", b) for b in h]
    return WerResult(
        float(out.wer), out.substitutions, out.deletions, out.insertions, out.hits, tuple(steps)
    )


def alignment_html(result: WerResult) -> str:
    """The alignment as inline HTML: substitutions, insertions and deletions highlighted."""
    styles = {
        "substitute": "background:#fde68a;padding:0 2px;border-radius:3px",
        "insert": "background:#bbf7d0;padding:0 2px;border-radius:3px",
        "delete": "background:#fecaca;text-decoration:line-through;padding:0 2px;border-radius:3px",
    }
    words = []
    for step in result.alignment:
        if step.op == "equal":
            words.append(html.escape(step.hypothesis))
        elif step.op == "substitute":
            # Both words in the text, not only in a tooltip (touch screens have no hover).
            words.append(
                f'<span style="{styles["substitute"]}" title="said: {html.escape(step.reference)}">'
                f'<s class="wer-ref">{html.escape(step.reference)}</s> → '
                f"{html.escape(step.hypothesis)}</span>"
            )
        elif step.op == "insert":
            words.append(f'<span style="{styles["insert"]}">{html.escape(step.hypothesis)}</span>')
        else:
            words.append(f'<span style="{styles["delete"]}">{html.escape(step.reference)}</span>')
    summary = (
        f"<b>WER {result.wer:.1%}</b> ({result.substitutions} substituted, "
        f"{result.deletions} deleted, {result.insertions} inserted, of "
        f"{result.reference_words} reference words)"
    )
    legend = (
        f'<span style="{styles["substitute"]}"><s>said</s> → heard</span> '
        f'<span style="{styles["insert"]}">insertion</span> '
        f'<span style="{styles["delete"]}">deletion</span>'
    )
    return f"<div>{summary}<br>{legend}<p>{' '.join(words)}</p></div>"


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Scale-invariant signal-to-distortion ratio in dB (Le Roux et al., 2019).

    Both signals are mean-removed; no time alignment is searched, so a delayed estimate
    scores badly, as it should.

    Raises:
        AudioStudyError: different lengths, or a silent reference.
    """
    est = np.asarray(estimate, dtype=np.float64).ravel()
    ref = np.asarray(reference, dtype=np.float64).ravel()
    if est.shape != ref.shape:
        raise AudioStudyError(
            f"SI-SDR needs signals of equal length ({est.size} vs {ref.size} samples)."
        )
    # A constant reference is silent once its mean is removed; test the samples, since the
    # removed mean leaves rounding noise (1e-32), not an exact zero.
    silent = ref.size == 0 or float(np.ptp(ref)) == 0.0
    est = est - est.mean()
    ref = ref - ref.mean()
    energy = float(np.dot(ref, ref))
    if silent or energy == 0.0:
        raise AudioStudyError("The reference is silent, so SI-SDR is undefined.")
    target = (float(np.dot(est, ref)) / energy) * ref
    noise = est - target
    noise_energy = float(np.dot(noise, noise))
    if noise_energy == 0.0:
        return float("inf")
    return 10.0 * np.log10(float(np.dot(target, target)) / noise_energy)
