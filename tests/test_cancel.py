"""Cancel and disconnect stop the work: the cooperative check, and the launched app."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from audiokit import cancel

SENTENCE = "The quick brown fox jumps over the lazy dog near the quiet river bank today."
LONG_TEXT = " ".join([SENTENCE] * 60)  # 60 sentences, ~4,600 characters


def test_check_raises_once_the_run_should_stop():
    stop = {"now": False}
    with cancel.watching(lambda: stop["now"]):
        cancel.check()
        stop["now"] = True
        time.sleep(cancel._CHECK_EVERY_S * 1.5)
        with pytest.raises(cancel.Cancelled, match="cancelled"):
            cancel.check()
    cancel.check()  # outside a watched run: never stops


def test_checks_are_throttled():
    calls = []
    with cancel.watching(lambda: calls.append(1) or False):
        for _ in range(1000):
            cancel.check()
    assert len(calls) == 1


def test_a_checked_callback_checks_then_calls():
    seen = []
    with cancel.watching(lambda: True):
        callback = cancel.checking(seen.append)
        with pytest.raises(cancel.Cancelled):
            callback(0.5)
    assert seen == []
    assert cancel.checking(None) is None


def _synthesize_body(config: dict, text: str, session: str) -> dict:
    dep = next(d for d in config["dependencies"] if d.get("api_name") == "synthesize")
    components = {c["id"]: c for c in config["components"]}
    data = [components[i].get("props", {}).get("value") for i in dep["inputs"]]
    data[0] = text
    return {"data": data, "fn_index": dep["id"], "session_hash": session}


def _start_long_run(base: str, config: dict):
    """Join a 60-sentence synthesis and read its stream until a few sentences are done.

    Returns the open stream, the event, and the seconds one sentence takes here."""
    session = uuid.uuid4().hex
    body = _synthesize_body(config, LONG_TEXT, session)
    event_id = httpx.post(f"{base}/queue/join", json=body, timeout=30).json()["event_id"]
    http = httpx.Client(timeout=120)
    stream = http.stream("GET", f"{base}/queue/data", params={"session_hash": session})
    response = stream.__enter__()
    started = None
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue
        msg = json.loads(line[5:])
        if msg.get("msg") == "process_starts":
            started = time.monotonic()
        if msg.get("msg") == "progress" and started is not None:
            fraction = (msg.get("progress_data") or [{}])[0].get("progress") or 0.0
            done = round(fraction * LONG_TEXT.count(SENTENCE))
            if done >= 3:
                per_sentence = (time.monotonic() - started) / done
                return http, stream, session, body["fn_index"], event_id, per_sentence
        assert msg.get("msg") != "process_completed", "the long run ended early"
    raise AssertionError("no progress")


def _short_run_seconds(base: str, config: dict) -> float:
    session = uuid.uuid4().hex
    start = time.monotonic()
    body = _synthesize_body(config, "Hello there.", session)
    event_id = httpx.post(f"{base}/queue/join", json=body, timeout=30).json()["event_id"]
    with httpx.stream(
        "GET", f"{base}/queue/data", params={"session_hash": session}, timeout=180
    ) as s:
        for line in s.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("event_id") == event_id and msg.get("msg") == "process_completed":
                    assert msg["success"], msg
                    return time.monotonic() - start
    raise AssertionError("no answer")


@pytest.mark.parametrize("how", ["cancel", "disconnect"])
def test_a_cancelled_or_abandoned_synthesis_frees_the_queue_soon(app_url, output_dir, how):
    """TTS runs one at a time per event: a short run queued behind a long one that was
    cancelled (or whose client left) finishes long before the long one would have."""
    base = f"{app_url.rstrip('/')}/tts/gradio_api"
    config = httpx.get(f"{app_url.rstrip('/')}/tts/config", timeout=30).json()
    stops_before = _stops(output_dir)
    http, stream, session, fn_index, event_id, per_sentence = _start_long_run(base, config)
    remaining_s = per_sentence * 55
    if how == "cancel":
        start = time.monotonic()
        http.post(
            f"{base}/cancel",
            json={"session_hash": session, "fn_index": fn_index, "event_id": event_id},
        )
        cancel_s = time.monotonic() - start
        stream.__exit__(None, None, None)
        http.close()
        # /cancel waits for the worker thread: it returns once the work has stopped.
        assert cancel_s < max(3.0, 0.3 * remaining_s), (cancel_s, remaining_s)
    else:
        stream.__exit__(None, None, None)
        http.close()
    # The server says the work stopped (its worker thread raised at the next progress
    # report), long before the 55 remaining sentences could have been spoken.
    deadline = time.monotonic() + max(10.0, 3 * per_sentence)
    while _stops(output_dir) == stops_before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _stops(output_dir) == stops_before + 1, "the abandoned synthesis kept running"
    short_s = _short_run_seconds(base, config)
    assert short_s < max(4.0, 0.4 * remaining_s), (short_s, remaining_s)


def _stops(output_dir) -> int:
    """How often the launched app (conftest's app_url, which logs here) stopped a run."""
    log = (output_dir / "app-server.log").read_text(errors="replace")
    return log.count("Stopped synthesize: its client went away")
