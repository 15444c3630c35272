"""The classic scenarios: one request shape at a time over the healthy fleet, every proxy with round
robin and the direct path to one replica, several rounds in an order that rotates."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Callable

from .load import Load

# The classic targets, in table order: each peer's round-robin variant over the three replicas.
TARGETS = ("direct", "nginx", "haproxy", "caddy", "ginx", "ginx-aot", "yarp")
LABELS = {"direct": "direct", "nginx": "nginx", "haproxy": "HAProxy", "caddy": "Caddy", "ginx": "Ginx",
          "ginx-aot": "Ginx AOT", "yarp": "YARP alone"}


@dataclass(frozen=True)
class Ratio:
    """A ratio between two targets' medians, reported when both targets run."""
    key: str  # in the JSON summary's "ratios"
    numerator: str
    denominator: str
    metric: str  # a Load field
    bound: float | None = None  # issue #19's target for it, if any
    at_most: bool = True  # the target is an upper bound (else a lower one)

    def header(self) -> str:
        text = f"{LABELS[self.numerator]}/{LABELS[self.denominator]}"
        return {"p99_ms": f"p99 {text}", "cpu_us_per_request": f"CPU {text}", "peak_rss_mb": f"RSS {text}"}.get(self.metric, text)


def _ratio(numerator: str, denominator: str, metric: str, bound: float | None = None, at_most: bool = True) -> Ratio:
    return Ratio(f"{numerator}_vs_{denominator}_{metric}".replace("-", "_"), numerator, denominator, metric, bound, at_most)


# Ginx against every peer, and the native build and YARP alone against what they are compared with.
RATIOS = (
    *(_ratio("ginx", peer, "requests_per_s") for peer in ("nginx", "haproxy", "caddy", "direct")),
    _ratio("ginx", "yarp", "requests_per_s", 0.97, at_most=False),
    _ratio("ginx-aot", "nginx", "requests_per_s"),
    _ratio("ginx-aot", "ginx", "requests_per_s"),
    _ratio("yarp", "nginx", "requests_per_s"),
    *(_ratio("ginx", peer, "p99_ms") for peer in ("nginx", "haproxy", "caddy", "yarp")),
    _ratio("ginx-aot", "nginx", "p99_ms"),
    _ratio("ginx", "yarp", "cpu_us_per_request", 1.05),
    _ratio("ginx", "yarp", "peak_rss_mb", 1.1),
)


@dataclass
class ClassicRun:
    round: int
    scenario: str
    connections: int
    target: str
    load: Load


def run(targets: list[str], scenarios: list[str], connections: list[int], rounds: int, duration: float,
        load: Callable[[str, str, int, float], Load], log: Callable[[str], None]) -> list[ClassicRun]:
    runs: list[ClassicRun] = []
    width = max(map(len, targets))
    for n in range(1, rounds + 1):
        # Each round starts with a different target, so drift on a shared box favours none.
        first = (n - 1) % len(targets)
        order = targets[first:] + targets[:first]
        for scenario in scenarios:
            for conns in connections:
                for target in order:
                    result = load(target, scenario, conns, duration)
                    runs.append(ClassicRun(n, scenario, conns, target, result))
                    log(f"round {n} {scenario:16} c={conns:<4} {target:{width}} {result.requests_per_s:>10,.0f} req/s "
                        f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  p99.9 {result.p999_ms:7.2f} ms  "
                        f"rss {result.peak_rss_mb:4.0f} MB  cpu {result.cpu_us_per_request:5.1f} µs/req"
                        + (f"  ERRORS {result.errors}" if result.errors else ""))
    return runs


def active_ratios(targets: list[str]) -> list[Ratio]:
    return [r for r in RATIOS if r.numerator in targets and r.denominator in targets]


def summarise(runs: list[ClassicRun], scenarios: list[str], connections: list[int], targets: list[str]) -> list[dict]:
    rows = []
    for scenario in scenarios:
        for conns in connections:
            row: dict = {"scenario": scenario, "connections": conns}
            mine = [r for r in runs if r.scenario == scenario and r.connections == conns]
            for target in targets:
                loads = [r.load for r in mine if r.target == target]
                row[target] = {
                    "requests_per_s": statistics.median(x.requests_per_s for x in loads),
                    "p50_ms": statistics.median(x.p50_ms for x in loads),
                    "p99_ms": statistics.median(x.p99_ms for x in loads),
                    "p999_ms": statistics.median(x.p999_ms for x in loads),
                    "peak_rss_mb": max(x.peak_rss_mb for x in loads),
                    "cpu_us_per_request": statistics.median(x.cpu_us_per_request for x in loads),
                    "errors": sum(x.client_errors for x in loads),
                    "rounds": len(loads),
                }

            # Ratios are taken within a round (its runs are minutes apart at most), then the median.
            def ratio(r: Ratio) -> float:
                values = []
                for n in sorted({x.round for x in mine}):
                    a = [getattr(x.load, r.metric) for x in mine if x.target == r.numerator and x.round == n]
                    b = [getattr(x.load, r.metric) for x in mine if x.target == r.denominator and x.round == n]
                    if a and b and b[0] > 0:
                        values.append(a[0] / b[0])
                return statistics.median(values) if values else float("nan")

            row["ratios"] = {r.key: ratio(r) for r in active_ratios(targets)}
            rows.append(row)
    return rows
