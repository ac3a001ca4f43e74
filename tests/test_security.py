"""A hostile API caller against the launched app: raw HTTP and gradio_client, on ``/`` and on
every ``/<id>/`` mount. Server files, devices, FIFOs, URLs, compressed bombs, NaN/inf as raw
JSON, nested JSON and wrong types each get the app's own sentence; nothing leaks a path, an
exception name or an object repr; and a normal request still works afterwards."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf

from audiokit import limits, serving
from audiokit.serving import BUSY, FILE_REFUSED, TOO_NESTED
from demos import DEMO_IDS
from tests.conftest import JFK, ROOT

MOUNTS = ["", *(f"/{d}" for d in DEMO_IDS)]
FILE_COMPONENTS = {"audio", "file", "video", "image"}
# What no answer may contain: a Python exception's name, a traceback, an object repr or
# address, a server path.
INTERNALS = re.compile(
    r"Traceback|\b[A-Z]\w*(Error|Exception)\b|0x[0-9a-fA-F]{6,}|<[\w.]+ object"
    r"|/(etc|tmp|work|root|home|usr|proc|dev|var)/"
)


def _config(app_url: str, mount: str) -> dict:
    return httpx.get(f"{app_url.rstrip('/')}{mount}/config", timeout=30).json()


def _join(app_url: str, mount: str, fn_index: int, data: list | None, *, raw: bytes | None = None):
    """Join the queue with raw JSON and wait for the outcome: ('refused'|'error'|'ok', text)."""
    base = f"{app_url.rstrip('/')}{mount}/gradio_api"
    session = uuid.uuid4().hex
    body = (
        raw
        or json.dumps(
            {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None}
        ).encode()
    )
    if raw is not None:
        body = raw.replace(b"SESSION", session.encode())
    r = httpx.post(
        f"{base}/queue/join", content=body, headers={"content-type": "application/json"}, timeout=30
    )
    if r.status_code != 200:
        return "refused", _detail(r)
    event_id = r.json()["event_id"]
    with httpx.stream(
        "GET", f"{base}/queue/data", params={"session_hash": session}, timeout=180
    ) as s:
        for line in s.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("event_id") != event_id or msg.get("msg") != "process_completed":
                continue
            if msg.get("success"):
                return "ok", json.dumps(msg.get("output"))[:2000]
            return "error", str((msg.get("output") or {}).get("error"))
    return "error", "no answer"


def _detail(r: httpx.Response) -> str:
    """A refusal's sentence: the ``detail`` text, or the failed entry of a 422 validation."""
    try:
        detail = r.json().get("detail")
    except ValueError:
        return r.text
    if isinstance(detail, list):
        failed = [d.get("message", "") for d in detail if d.get("is_valid") is False]
        return " ".join(failed) if failed else json.dumps(detail)
    return str(detail)


def _file_inputs(config: dict):
    """(fn_index, dependency, input position, component) for every file input of every event,
    public or private."""
    components = {c["id"]: c for c in config["components"]}
    for dep in config["dependencies"]:
        for pos, cid in enumerate(dep["inputs"]):
            comp = components.get(cid, {})
            if comp.get("type") in FILE_COMPONENTS:
                yield dep["id"], dep, pos, comp


def _defaults(config: dict, dep: dict) -> list:
    components = {c["id"]: c for c in config["components"]}
    values = []
    for cid in dep["inputs"]:
        comp = components.get(cid, {})
        value = comp.get("props", {}).get("value")
        if comp.get("type") in FILE_COMPONENTS:
            value = None
        values.append(value)
    return values


def _file_value(comp: dict, path: str):
    data = {"path": path, "meta": {"_type": "gradio.FileData"}}
    if comp.get("props", {}).get("file_count") in ("multiple", "directory"):
        return [data]
    return data


@pytest.fixture(scope="module")
def foreign_paths(tmp_path_factory, app_url):
    """Server paths a caller must never get read: system files, the app's source, a device,
    FIFOs (outside and inside Gradio's cache), a folder, a traversal, a URL."""
    folder = tmp_path_factory.mktemp("foreign")
    fifo = folder / "pipe.wav"
    os.mkfifo(fifo)
    wav = folder / "outside.wav"
    sf.write(wav, np.zeros(1600, dtype=np.float32), 16000)
    # A FIFO next to a real upload, inside the server's cache: the path is allowed, the kind
    # of file is not (reading it would block forever).
    uploaded = _upload(app_url, JFK)
    cache_fifo = Path(uploaded).parent / "planted.wav"
    os.mkfifo(cache_fifo)
    return [
        "/etc/passwd",
        str(ROOT / "app.py"),
        "/dev/zero",
        str(fifo),
        str(cache_fifo),
        str(wav),
        "/proc/self/environ",
        str(Path(uploaded).parent),
        str(Path(uploaded).parent / ".." / ".." / ".." / "etc" / "passwd"),
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "/nonexistent/secret.wav",
    ]


def _upload(app_url: str, path: Path, mount: str = "") -> str:
    with path.open("rb") as f:
        r = httpx.post(
            f"{app_url.rstrip('/')}{mount}/gradio_api/upload",
            files={"files": (path.name, f)},
            timeout=60,
        )
    r.raise_for_status()
    return r.json()[0]


def _uploaded(app_url: str, path: Path, mount: str = "") -> dict:
    return {
        "path": _upload(app_url, path, mount),
        "orig_name": path.name,
        "meta": {"_type": "gradio.FileData"},
    }


def _assert_sentence(outcome: tuple[str, str], expected: str | re.Pattern, where: str) -> None:
    kind, text = outcome
    assert kind in ("refused", "error"), f"{where}: accepted ({text[:200]})"
    if isinstance(expected, str):
        assert text == expected, f"{where}: {text!r}"
    else:
        assert expected.search(text), f"{where}: {text!r}"
    assert not INTERNALS.search(text), f"{where}: leaks internals: {text!r}"


def test_every_file_input_refuses_server_files_on_every_mount(app_url, foreign_paths):
    """Public and private events alike, on / and on each mount, through the raw queue API.

    Every probe gets the same sentence, so an answer says nothing about which server files
    exist; none of them is read, copied into the cache or served back."""
    checked = 0
    for mount in MOUNTS:
        config = _config(app_url, mount)
        probes = foreign_paths if mount == "" else foreign_paths[:5]
        for fn_index, dep, pos, comp in _file_inputs(config):
            for path in probes:
                data = _defaults(config, dep)
                data[pos] = _file_value(comp, path)
                outcome = _join(app_url, mount, fn_index, data)
                _assert_sentence(outcome, FILE_REFUSED, f"{mount or '/'} fn {fn_index} {path}")
                checked += 1
    assert checked > 100


def test_named_endpoints_refuse_server_files_through_the_call_route(app_url):
    base = app_url.rstrip("/")
    passwd = {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}
    for mount in MOUNTS:
        info = httpx.get(f"{base}{mount}/gradio_api/info", timeout=30).json()
        for api_name, endpoint in info["named_endpoints"].items():
            params = endpoint["parameters"]
            for i, p in enumerate(params):
                if p["component"] not in ("Audio", "File"):
                    continue
                data = [q.get("parameter_default") for q in params]
                data[i] = [passwd] if "List" in str(p.get("python_type")) else passwd
                r = httpx.post(f"{base}{mount}/gradio_api/call{api_name}", json={"data": data})
                if r.status_code == 200:
                    event = r.json()["event_id"]
                    text = httpx.get(
                        f"{base}{mount}/gradio_api/call{api_name}/{event}", timeout=60
                    ).text
                    assert "event: error" in text, f"{mount}{api_name}: {text[:300]}"
                    message = json.loads(text.split("data:", 1)[1])["error"]
                else:
                    assert r.status_code == 422, r.text
                    message = _detail(r)
                assert message == FILE_REFUSED, f"{mount}{api_name}: {message!r}"


def test_gradio_client_cannot_send_a_server_path(client):
    """gradio_client uploads files of its own machine, but passes on a FileData without
    ``meta`` and URLs as they are: the server refuses both."""
    from gradio_client import handle_file

    for value in (
        {"path": "/etc/passwd"},
        {"path": str(ROOT / "app.py"), "meta": {"_type": "other"}},
        handle_file("http://169.254.169.254/latest/meta-data/x.wav"),
    ):
        with pytest.raises(Exception) as error:
            client.predict(value, "[]", 2.0, api_name="/apply_effects")
        assert FILE_REFUSED in str(error.value), value
        assert "400" not in str(error.value)


def test_a_fifo_or_dev_zero_does_not_freeze_the_server(app_url, foreign_paths):
    """While FIFO and device probes are answered, every route keeps answering at once."""
    config = _config(app_url, "/effects")
    fn_index, dep, pos, comp = next(_file_inputs(config))
    for path in ("/dev/zero", foreign_paths[3], foreign_paths[4], "/dev/urandom"):
        data = _defaults(config, dep)
        data[pos] = _file_value(comp, path)
        start = time.monotonic()
        _assert_sentence(_join(app_url, "/effects", fn_index, data), FILE_REFUSED, path)
        assert time.monotonic() - start < 20
        assert httpx.get(app_url, timeout=10).status_code == 200


def _value_cases(config: dict):
    """(fn_index, dependency, position, bad value, label) for every slider, number, radio,
    dropdown, checkbox and textbox input of every public event."""
    components = {c["id"]: c for c in config["components"]}
    for dep in config["dependencies"]:
        if dep.get("api_visibility", "public") != "public" or not dep.get("api_name"):
            continue
        for pos, cid in enumerate(dep["inputs"]):
            comp = components.get(cid, {})
            kind, props = comp.get("type"), comp.get("props", {})
            if kind == "slider":
                bad = [props["minimum"] - 1, props["maximum"] + 1e30, "fast", True, [1]]
            elif kind == "checkbox":
                bad = ["yes", 2]
            elif kind in ("radio", "dropdown") and not props.get("allow_custom_value"):
                bad = ["hack", 7, {"a": 1}]
            elif kind == "textbox":
                bad = [123, ["nested", ["list"]]]
            elif kind == "number":
                bad = ["x"]
            else:
                continue
            for value in bad:
                yield dep["id"], dep, pos, value, props.get("label")


def test_bad_values_get_a_sentence_naming_what_is_allowed(app_url):
    allowed = re.compile(r"must be|must not|takes at most|Choose|choose|one of")
    checked = 0
    for mount in MOUNTS:
        config = _config(app_url, mount)
        for fn_index, dep, pos, value, label in _value_cases(config):
            data = _defaults(config, dep)
            data[pos] = value
            outcome = _join(app_url, mount, fn_index, data)
            _assert_sentence(outcome, allowed, f"{mount or '/'} {dep['api_name']} {label}={value}")
            checked += 1
    assert checked > 80


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_nan_and_inf_as_raw_json_get_the_range_sentence(app_url, literal):
    config = _config(app_url, "")
    dep = next(d for d in config["dependencies"] if d.get("api_name") == "apply_effects")
    data = _defaults(config, dep)
    data[0] = _uploaded(app_url, JFK)
    data[2] = "TAIL"
    body = json.dumps(
        {"data": data, "fn_index": dep["id"], "session_hash": "SESSION", "event_data": None}
    ).encode()
    body = body.replace(b'"TAIL"', literal)
    _assert_sentence(
        _join(app_url, "", dep["id"], None, raw=body),
        re.compile("must be a number from 0"),
        str(literal),
    )


def test_deeply_nested_json_gets_a_sentence(app_url):
    config = _config(app_url, "")
    dep = next(d for d in config["dependencies"] if d.get("api_name") == "effects_preset")
    nested: object = "x"
    for _ in range(200):
        nested = [nested]
    outcome = _join(app_url, "", dep["id"], [nested])
    _assert_sentence(outcome, re.compile(re.escape(TOO_NESTED) + "|must be one of"), "nested")
    # Deeper than Python's JSON parser goes: refused without a traceback in the answer.
    body = b'{"data": [' + b"[" * 5000 + b"]" * 5000 + b'], "fn_index": 0, "session_hash": "s"}'
    r = httpx.post(
        f"{app_url.rstrip('/')}/gradio_api/queue/join",
        content=body,
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert r.status_code >= 400
    assert not INTERNALS.search(r.text)


def test_a_compressed_bomb_is_refused_before_decoding(client, tmp_path):
    """40 s of 192 kHz 8-channel silence: a 60 KB FLAC that decodes to 61 M samples."""
    from gradio_client import handle_file

    bomb = tmp_path / "bomb.flac"
    block = np.zeros((192_000, 8), dtype=np.int16)
    with sf.SoundFile(bomb, "w", 192_000, 8, subtype="PCM_16") as f:
        for _ in range(40):
            f.write(block)
    assert bomb.stat().st_size < 200_000
    with pytest.raises(Exception, match=r"decodes to 61,440,000 samples .* at most 46,080,000"):
        client.predict(handle_file(str(bomb)), "[]", 2.0, api_name="/apply_effects")
    fast = tmp_path / "fast.wav"
    sf.write(fast, np.zeros((1000, 1), dtype=np.int16), 384_000 * 2)
    with pytest.raises(Exception, match=r"sample rate is 768,000 Hz; this app takes at most"):
        client.predict(handle_file(str(fast)), "[]", 2.0, api_name="/apply_effects")


def test_the_upload_limit_is_set_on_every_mount(app_url):
    for mount in MOUNTS:
        assert _config(app_url, mount)["max_file_size"] == limits.MAX_UPLOAD_BYTES


def test_an_upload_over_the_limit_is_refused(monkeypatch):
    """The same mount code with a 10 kB limit, in-process: an 11 kB upload is refused."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from audiokit import ui

    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 10_000)
    server = FastAPI()
    with serving.ServedBlocks() as blocks:
        gr.Audio(type="filepath")
    gr.mount_gradio_app(server, blocks.queue(), path="/x", **ui.launch_kwargs())
    with TestClient(server) as http:
        small = http.post("/x/gradio_api/upload", files={"files": ("a.wav", b"0" * 9_000)})
        big = http.post("/x/gradio_api/upload", files={"files": ("b.wav", b"0" * 11_000)})
    assert small.status_code == 200
    assert big.status_code == 413
    assert not INTERNALS.search(big.text)


def test_after_every_bad_input_a_normal_request_still_works(client, app_url):
    from gradio_client import Client, handle_file

    audio, _snippet = client.predict(
        handle_file(str(JFK)),
        '[{"effect": "Gain", "params": {"gain_db": -6}}]',
        0.0,
        api_name="/apply_effects",
    )
    out, rate = sf.read(audio)
    assert rate == 16000 and abs(len(out) / rate - 11.0) < 0.1
    alone = Client(f"{app_url.rstrip('/')}/effects/", verbose=False)
    chain, _ = alone.predict("telephone", api_name="/effects_preset")
    assert "HighpassFilter" in chain


def test_a_full_queue_answers_busy(app_url):
    """The cap per event: more waiting requests than QUEUE_MAX_PER_EVENT get BUSY at once."""
    config = _config(app_url, "/separation")
    dep = next(d for d in config["dependencies"] if d.get("api_name") == "separate")
    data = _defaults(config, dep)
    data[0] = _uploaded(app_url, JFK, "/separation")
    base = f"{app_url.rstrip('/')}/separation/gradio_api"
    answers = []
    sessions = []
    for _ in range(limits.QUEUE_MAX_PER_EVENT + 4):
        session = uuid.uuid4().hex
        sessions.append(session)
        body = {"data": data, "fn_index": dep["id"], "session_hash": session}
        answers.append(httpx.post(f"{base}/queue/join", json=body, timeout=30))
    busy = [a for a in answers if a.status_code == 503]
    assert busy, [a.status_code for a in answers]
    assert all(a.json()["detail"] == BUSY for a in busy)
    # Let the accepted ones go: close their sessions so the queue drains.
    for a, session in zip(answers, sessions, strict=True):
        if a.status_code == 200:
            httpx.post(
                f"{base}/cancel",
                json={
                    "session_hash": session,
                    "fn_index": dep["id"],
                    "event_id": a.json()["event_id"],
                },
                timeout=60,
            )
