"""Every replica down (issue #18, part 5): how fast each proxy answers when nothing behind it accepts a
connection, and how soon it serves again once one replica is back.

Each round kills every replica, then for each variant (each proxy's round robin over the three, and
Ginx's best policies) runs wrk against the dead cluster, then restarts one replica while a few probe
clients keep asking the proxy, and times the proxy's first 200 and the start of its steady 200s from
the moment the replica answers its own /health. The replica is killed again before the next variant."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from .classic import LABELS
from .load import Load
from .peers import ROUND_ROBIN, Variant
from .probes import http
from .replicas import Fleet
from .report import table as markdown
from .scenarios import ALL_DOWN_CONNECTIONS, ALL_DOWN_MIN_DURATION_S, ALL_DOWN_SCENARIO, BAD_REPLICA

PEERS = ("nginx", "haproxy", "caddy")  # what Ginx's ratios are taken against: their round robin
# Issue #18's targets, per Ginx variant.
P50_BOUND_MS = 2.0
NGINX_RATIO_BOUND = 0.5
RECOVERY_BOUND_S = 1.0
PROBE_CLIENTS = 2  # sequential clients asking the proxy while the replica comes back
BEFORE_RESTART_S = 1.0  # the probes' look at the dead cluster: the status codes it answers
STEADY_FOR_S = 1.0  # 200s steady: every probe answered 200 for this long
POLL_S = 0.01  # how often the harness asks the restarted replica whether it is ready

# One wrk run against a variant: (variant, duration in seconds) -> what it measured.
LoadRunner = Callable[[Variant, float], Load]


@dataclass
class Recovery:
    statuses_down: dict[str, int]  # what the probes got while every replica was down ("error": no answer)
    first_200_s: float | None  # from the replica being ready to the proxy's first 200 (0: before the harness saw it ready)
    steady_200_s: float | None  # from the replica being ready to the first of the steady 200s
    statuses_back: dict[str, int] = field(default_factory=dict)  # what the probes got from its restart on


@dataclass
class AllDownRun:
    round: int
    target: str  # Variant.key
    load: Load
    recovery: Recovery


def variants_of(started: dict, smoke: bool) -> list[Variant]:
    """Each peer's round robin over every replica; Ginx's best policies too, except in a smoke run."""
    return [v for s in started.values() for v in s.variants
            if not v.healthy_only and (v.template == ROUND_ROBIN or (s.peer.name == "ginx" and not smoke))]


def run(fleet: Fleet, variants: list[Variant], rounds: int, duration: float, warmup: float, recovery_limit: float,
        load: LoadRunner, log: Callable[[str], None]) -> list[AllDownRun]:
    runs: list[AllDownRun] = []
    width = max(len(v.key) for v in variants)
    # A proxy that retries a refused connection after a pause (HAProxy's round robin: 1 s, 3 times)
    # answers nothing in a shorter run, warm-up included.
    duration = max(duration, ALL_DOWN_MIN_DURATION_S)
    fleet.kill_all()
    try:
        # Each proxy finds out its replicas are gone, and its JIT settles on that path, before it is measured.
        for variant in variants:
            load(variant, max(warmup, ALL_DOWN_MIN_DURATION_S))
        for n in range(1, rounds + 1):
            first = (n - 1) % len(variants)
            for variant in variants[first:] + variants[:first]:
                result = load(variant, duration)
                recovery = _recover(fleet, variant, recovery_limit)
                runs.append(AllDownRun(n, variant.key, result, recovery))
                log(f"round {n} all down {variant.key:{width}} {result.requests_per_s:>8,.0f} answers/s  "
                    f"p50 {result.p50_ms:7.2f}  p99 {result.p99_ms:7.2f} ms  {_codes(recovery.statuses_down)}; "
                    f"one back: first 200 after {_seconds(recovery.first_200_s, recovery_limit)} s, steady after "
                    f"{_seconds(recovery.steady_200_s, recovery_limit)} s")
    finally:
        fleet.start()
    return runs


class _Probes:
    """Clients asking a variant one request after another while the block runs, noting each answer."""

    def __init__(self, variant: Variant) -> None:
        self._url = variant.base + ALL_DOWN_SCENARIO.path
        self._answers: list[tuple[float, str]] = []  # (when the answer came, its status; "error": none)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._clients = [threading.Thread(target=self._ask, daemon=True) for _ in range(PROBE_CLIENTS)]

    def __enter__(self) -> _Probes:
        for client in self._clients:
            client.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for client in self._clients:
            client.join()

    def answers(self) -> list[tuple[float, str]]:
        with self._lock:
            return sorted(self._answers)

    def _ask(self) -> None:
        while not self._stop.is_set():
            try:
                status = str(http(self._url, timeout=5)[0])
            except OSError:
                status = "error"
            with self._lock:
                self._answers.append((time.monotonic(), status))


def _recover(fleet: Fleet, variant: Variant, limit: float) -> Recovery:
    """Probes the proxy while one replica restarts; kills that replica again before returning."""
    try:
        with _Probes(variant) as probes:
            time.sleep(BEFORE_RESTART_S)
            restarted = time.monotonic()
            fleet.start_one(BAD_REPLICA)
            fleet.wait_ready(BAD_REPLICA, poll=POLL_S)
            ready = time.monotonic()
            deadline = ready + limit + STEADY_FOR_S
            while time.monotonic() < deadline:
                steady = _steady_since(probes.answers(), restarted)
                if steady is not None and time.monotonic() - steady >= STEADY_FOR_S:
                    break
                time.sleep(0.05)
    finally:
        if fleet.running(BAD_REPLICA):
            fleet.kill(BAD_REPLICA)

    answers = probes.answers()
    # The proxy may serve a moment before the harness's poll sees the replica ready: counted from the restart.
    down = [status for at, status in answers if at < restarted]
    back = [(at, status) for at, status in answers if at >= restarted]
    first = next((at for at, status in back if status == "200"), None)
    steady = _steady_since(answers, restarted)
    # Steady only if it held STEADY_FOR_S before the probes stopped.
    if steady is not None and answers[-1][0] - steady < STEADY_FOR_S:
        steady = None
    return Recovery(dict(Counter(down)), None if first is None else max(0.0, first - ready),
                    None if steady is None else max(0.0, steady - ready), dict(Counter(s for _, s in back)))


def _steady_since(answers: list[tuple[float, str]], restarted: float) -> float | None:
    """When the run of 200s that lasts to the last answer began, if it began after the restart."""
    since = None
    for at, status in answers:
        if status != "200" or at < restarted:
            since = None
        elif since is None:
            since = at
    return since


def summarise(runs: list[AllDownRun], variants: list[Variant], recovery_limit: float) -> dict:
    """Medians over the rounds (recovery: the slowest round), and Ginx's ratios against each peer's
    round robin, taken within each round."""
    peers = {v.peer.name: v.key for v in variants if v.peer.name in PEERS and v.template == ROUND_ROBIN}

    def row(variant: Variant) -> dict:
        mine = [r for r in runs if r.target == variant.key]
        statuses: Counter = Counter()
        for r in mine:
            statuses.update(r.recovery.statuses_down)
        firsts = [r.recovery.first_200_s for r in mine]
        steadies = [r.recovery.steady_200_s for r in mine]
        result = {
            "target": variant.key, "label": variant.label, "peer": variant.peer.name, "policy": variant.policy,
            "answers_per_s": statistics.median(r.load.requests_per_s for r in mine),
            "p50_ms": statistics.median(r.load.p50_ms for r in mine),
            "p99_ms": statistics.median(r.load.p99_ms for r in mine),
            "p999_ms": statistics.median(r.load.p999_ms for r in mine),
            "cpu_us_per_request": statistics.median(r.load.cpu_us_per_request for r in mine),
            "socket_errors": sum(n for r in mine for kind, n in r.load.errors.items() if kind != "status"),
            "statuses_down": dict(statuses),
            # The slowest round; None when a round never got there within the limit.
            "first_200_s": None if None in firsts else max(firsts),
            "steady_200_s": None if None in steadies else max(steadies),
            "rounds": len(mine),
        }
        if variant.peer.name == "ginx":
            result["ratios"] = {peer: {"answers_per_s": _ratio(runs, variant.key, key, "requests_per_s"),
                                       "p50_ms": _ratio(runs, variant.key, key, "p50_ms")}
                                for peer, key in peers.items()}
        return result

    return {"scenario": ALL_DOWN_SCENARIO.path, "connections": ALL_DOWN_CONNECTIONS, "restarted": BAD_REPLICA,
            "recovery_limit_s": recovery_limit, "rows": [row(v) for v in variants]}


def _ratio(runs: list[AllDownRun], mine: str, theirs: str, metric: str) -> float:
    values = []
    for n in sorted({r.round for r in runs}):
        a = [getattr(r.load, metric) for r in runs if r.target == mine and r.round == n]
        b = [getattr(r.load, metric) for r in runs if r.target == theirs and r.round == n]
        if a and b and b[0] > 0:
            values.append(a[0] / b[0])
    return statistics.median(values) if values else float("nan")


def evaluate(summary: dict) -> list[dict]:
    """Issue #18's three targets, per Ginx variant: met or not, and by how much."""
    rows = summary["rows"]
    nginx = next((r for r in rows if r["peer"] == "nginx" and r["policy"] == "round robin"), None)
    verdicts = []
    for mine in (r for r in rows if r["peer"] == "ginx"):
        verdicts.append(_verdict(mine, f"p50 ≤ {P50_BOUND_MS:g} ms", mine["p50_ms"], P50_BOUND_MS, "ms", True))
        if nginx is not None:
            verdicts.append(_verdict(mine, f"answers/s ≥ {NGINX_RATIO_BOUND}× nginx's",
                                     mine["ratios"]["nginx"]["answers_per_s"], NGINX_RATIO_BOUND, "×", False,
                                     f"nginx {nginx['answers_per_s']:,.0f}/s, Ginx {mine['answers_per_s']:,.0f}/s"))
        first = mine["first_200_s"]
        verdicts.append(_verdict(mine, f"first 200 ≤ {RECOVERY_BOUND_S:g} s after a replica is back",
                                 float("inf") if first is None else first, RECOVERY_BOUND_S, "s", True))
    return verdicts


def _verdict(row: dict, target: str, value: float, bound: float, unit: str, at_most: bool, reference: str = "") -> dict:
    return {"policy": row["policy"], "target": target, "value": value, "bound": bound, "unit": unit,
            "met": value <= bound if at_most else value >= bound, "reference": reference}


def table(summary: dict) -> str:
    ginx_rows = [r for r in summary["rows"] if r["peer"] == "ginx"]
    peers = [p for p in PEERS if any(r["peer"] == p for r in summary["rows"])]
    limit = summary["recovery_limit_s"]
    header = ["proxy, policy", "answers/s", "p50 (ms)", "p99 (ms)", "status codes (all down)", "socket errors",
              "one back: first 200 (s)", "steady 200s (s)"]
    rows = [[r["label"], f"{r['answers_per_s']:,.0f}", f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}",
             _codes(r["statuses_down"]), f"{r['socket_errors']:,}", _seconds(r["first_200_s"], limit),
             _seconds(r["steady_200_s"], limit)] for r in summary["rows"]]
    ratios = markdown(["Ginx policy"] + [f"answers/s ÷ {LABELS[p]}'s" for p in peers] + [f"p50 ÷ {LABELS[p]}'s" for p in peers],
                      [[r["policy"]] + [f"{r['ratios'][p]['answers_per_s']:.2f}×" for p in peers]
                       + [f"{r['ratios'][p]['p50_ms']:.2f}×" for p in peers] for r in ginx_rows])
    return markdown(header, rows) + "\n\n" + ratios


def verdict_lines(verdicts: list[dict]) -> list[str]:
    lines = []
    for v in verdicts:
        unit = v["unit"] if v["unit"] == "×" else " " + v["unit"]
        value = "not seen" if v["value"] == float("inf") else f"{v['value']:,.2f}{unit}"
        reference = f" ({v['reference']})" if v["reference"] else ""
        lines.append(f"{'met    ' if v['met'] else 'MISSED '} all down Ginx {v['policy']}: {v['target']}: "
                     f"{value} against {v['bound']:g}{unit}{reference}")
    return lines


def _codes(statuses: dict[str, int]) -> str:
    total = sum(statuses.values()) or 1
    return (", ".join(f"{code} {100 * n / total:.0f} %" for code, n in sorted(statuses.items(), key=lambda kv: -kv[1]))
            or f"none within {BEFORE_RESTART_S:g} s")


def _seconds(value: float | None, limit: float) -> str:
    return f"> {limit:g}" if value is None else f"{value:.2f}"
