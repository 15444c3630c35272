"""One wrk run (bench/wrk-report.lua reports it as one JSON line), with the server's peak RSS and its
CPU time per request measured meanwhile."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from dataclasses import dataclass, field

from .errors import HarnessError
from .paths import WRK_SCRIPT
from .processes import PeakRssSampler, Processes, process_tree_cpu_s, signal_group
from .scenarios import Scenario

RESULT_MARKER = "GINX-BENCH-RESULT "


@dataclass
class Load:
    """What one wrk run measured."""
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    p999_ms: float
    peak_rss_mb: float  # of the server wrk talks to: the proxy, or for "direct" the one backend
    cpu_us_per_request: float  # of that same server
    errors: dict[str, int] = field(default_factory=dict)  # only the kinds that happened

    @property
    def client_errors(self) -> int:
        """What a client saw fail: answers of 400 or more, and socket errors (timeouts included)."""
        return sum(self.errors.values())


def run_wrk(wrk: str, processes: Processes, url: str, scenario: Scenario, connections: int,
            threads: int, duration: float, server_pid: int) -> Load:
    argv = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s", "--timeout", "5s",
            "-s", str(WRK_SCRIPT), url + scenario.path]
    env = dict(os.environ, GINX_BENCH_BODY_BYTES=str(scenario.body_bytes))
    sampler = PeakRssSampler(server_pid)
    cpu_before = process_tree_cpu_s(server_pid)
    with sampler:
        process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, text=True)
        try:
            output, _ = process.communicate(timeout=duration + 60)
        finally:
            if process.poll() is None:
                signal_group(process.pid, signal.SIGKILL)
                process.wait()
    processes.check_alive()
    lines = [line for line in output.splitlines() if line.startswith(RESULT_MARKER)]
    if process.returncode != 0 or len(lines) != 1:
        raise HarnessError(f"wrk failed (exit {process.returncode}) on {url}{scenario.path}:\n{output}")
    result = json.loads(lines[0][len(RESULT_MARKER):])
    if result["requests"] == 0:
        raise HarnessError(f"wrk completed no request on {url}{scenario.path}")
    return Load(
        requests_per_s=result["requests"] / (result["duration_us"] / 1e6),
        p50_ms=result["p50_us"] / 1000, p99_ms=result["p99_us"] / 1000, p999_ms=result["p999_us"] / 1000,
        peak_rss_mb=sampler.peak_kib / 1024,
        cpu_us_per_request=(process_tree_cpu_s(server_pid) - cpu_before) * 1e6 / result["requests"],
        errors={k: v for k, v in result["errors"].items() if v})
