"""A short run of benchmarks/bench_load.py: concurrent clients over every tab, with bursts,
cancels and disconnects, against a server of its own. No failures, no truncated download,
the temp folder cleaned while idle and gone after SIGTERM, memory bounded."""

from __future__ import annotations

import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_load


def test_a_short_load_round_is_clean():
    result = bench_load.main(
        [
            "--clients", "2", "--rounds", "3", "--max-seconds", "240",
            "--idle-s", "45", "--cache-age-s", "30", "--name", "load-test",
            "--cancel-every", "1", "--clip-s", "3",
        ]
    )  # fmt: skip
    assert result["failures"] == []
    assert result["truncated"] == 0, result["truncated_where"]
    assert result["downloads"] > 20
    assert result["requests"] >= 2 * 3 * 9 * 0.8
    assert result["cancelled"] >= 2 and result["disconnected"] >= 2
    assert result["alive"]
    assert result["stop_s"] < 10  # SIGTERM still stops the server promptly
    (_before, after, idle, gone) = result["tmp"]
    assert idle[0] < after[0], "old uploads and outputs were not removed while idle"
    # The server's Gradio cache (uploads, outputs, downloads) is removed whole at shutdown.
    assert not [p for p in result["left_after_shutdown"] if "audiostudy-gradio" in p]
    assert gone[1] < 0.1, result["left_after_shutdown"]
    rss_before, _rss_after, rss_idle = result["rss"]
    assert rss_idle < rss_before + 1500
