"""The uneven fleet: three replicas, one of them slow, stalling, flaky, failing or dying; every proxy
with round robin and with its best policies, and over the two healthy replicas alone (the limit a
perfect balancer approaches). What each replica served comes from its own /stats."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass
from typing import Callable

from .load import Load
from .peers import Variant
from .replicas import Fleet
from .scenarios import (BAD_REPLICA, DYING_MIN_DURATION_S, KILL_AFTER_S, RESTART_AFTER_S, Fault,
                        UNEVEN_CONNECTIONS, UNEVEN_SCENARIO)

LIMIT = "healthy-two"  # the runs over the healthy replicas alone, once a round
# After a dying replica is back, the peers with active health checks (HAProxy's best) take two
# checks of a second each to see it: the next run starts after them, so none starts with it missing.
SETTLE_AFTER_RESTART_S = 2.5

# One wrk run against a variant: (variant, duration in seconds) -> what it measured.
LoadRunner = Callable[[Variant, float], Load]


@dataclass
class FleetRun:
    round: int
    fault: str  # a FAULTS name, or LIMIT
    target: str  # Variant.key
    load: Load
    served: list[int]  # requests (attempts) each replica received during the run
    max_in_flight: list[int]  # the most each replica held at once during the run


def run(fleet: Fleet, variants: list[Variant], limits: list[Variant], faults: list[Fault], rounds: int,
        duration: float, warmup: float, load: LoadRunner, log: Callable[[str], None]) -> list[FleetRun]:
    """Every variant over the healthy two, then under each fault, for each round. Before each measured
    run the variant serves the fleet as it is for `warmup` seconds, unmeasured: a variant's last run
    was a minute and more of other variants ago, under another fault, and without it a run measures
    how a proxy forgets that (every estimate a minute old) as much as how it serves this fault."""
    runs: list[FleetRun] = []
    width = max(len(v.key) for v in variants + limits)

    def measure(n: int, fault: Fault | None, variant: Variant) -> None:
        if warmup > 0:
            load(variant, warmup)
        fleet.reset_stats()  # after the warm-up: the shares are the measured run's
        if fault is not None and fault.dies:
            result, stats = _dying_run(fleet, variant, max(duration, DYING_MIN_DURATION_S), load)
        else:
            result = load(variant, duration)
            stats = [fleet.stats(i) for i in range(len(fleet.ports))]
        served = [s["served"] for s in stats]
        total = sum(served) or 1
        run_ = FleetRun(n, fault.name if fault else LIMIT, variant.key, result, served, [s["maxInFlight"] for s in stats])
        runs.append(run_)
        log(f"round {n} {run_.fault:12} {variant.key:{width}} {result.requests_per_s:>8,.0f} req/s  p50 {result.p50_ms:7.2f}  "
            f"p99 {result.p99_ms:7.2f}  p99.9 {result.p999_ms:7.2f} ms  errors {result.client_errors:>5}  "
            f"served {' / '.join(f'{100 * s / total:4.1f}' for s in served)} %")

    for n in range(1, rounds + 1):
        fleet.heal()
        for variant in _rotated(limits, n):
            measure(n, None, variant)
        for fault in faults:
            fleet.heal()
            if fault.chaos is not None:
                fleet.set_chaos(BAD_REPLICA, fault.chaos)
            for variant in _rotated(variants, n):
                measure(n, fault, variant)
        fleet.heal()
    return runs


def _rotated(items: list[Variant], round_: int) -> list[Variant]:
    """Each round starts with a different target, so drift on a shared box favours none."""
    first = (round_ - 1) % len(items)
    return items[first:] + items[:first]


def _dying_run(fleet: Fleet, variant: Variant, duration: float, load: LoadRunner) -> tuple[Load, list[dict]]:
    """SIGKILLs the bad replica KILL_AFTER_S into the run and restarts it RESTART_AFTER_S later on the
    same port; what it served is what it counted before dying plus what it counted since."""
    before_death: list[dict] = []
    failures: list[BaseException] = []

    def guarded(action: Callable[[], None]) -> Callable[[], None]:
        def run_() -> None:
            try:
                action()
            except BaseException as error:  # reported on the main thread, below
                failures.append(error)
        return run_

    timers = [threading.Timer(KILL_AFTER_S, guarded(lambda: before_death.append(fleet.kill(BAD_REPLICA)))),
              threading.Timer(KILL_AFTER_S + RESTART_AFTER_S, guarded(lambda: fleet.start_one(BAD_REPLICA)))]
    for timer in timers:
        timer.start()
    try:
        result = load(variant, duration)
    finally:
        for timer in timers:
            timer.join()
    if failures:
        raise failures[0]
    fleet.wait_ready(BAD_REPLICA)
    time.sleep(SETTLE_AFTER_RESTART_S)
    stats = [fleet.stats(i) for i in range(len(fleet.ports))]
    for dead in before_death:
        stats[BAD_REPLICA] = {"served": stats[BAD_REPLICA]["served"] + dead["served"],
                              "maxInFlight": max(stats[BAD_REPLICA]["maxInFlight"], dead["maxInFlight"])}
    return result, stats


def summarise(runs: list[FleetRun], variants: list[Variant], limits: list[Variant], faults: list[Fault]) -> dict:
    """Medians over the rounds (errors: the sum), and each replica's share of all the rounds' requests."""
    def row(variant: Variant, fault: str) -> dict:
        mine = [r for r in runs if r.fault == fault and r.target == variant.key]
        served = [sum(r.served[i] for r in mine) for i in range(len(mine[0].served))]
        total = sum(served) or 1
        return {
            "target": variant.key, "label": variant.label, "peer": variant.peer.name, "policy": variant.policy,
            "requests_per_s": statistics.median(r.load.requests_per_s for r in mine),
            "p50_ms": statistics.median(r.load.p50_ms for r in mine),
            "p99_ms": statistics.median(r.load.p99_ms for r in mine),
            "p999_ms": statistics.median(r.load.p999_ms for r in mine),
            "client_errors": sum(r.load.client_errors for r in mine),
            "cpu_us_per_request": statistics.median(r.load.cpu_us_per_request for r in mine),
            "served_share": [s / total for s in served],
            "bad_replica_share": served[BAD_REPLICA] / total,
            "bad_replica_max_in_flight": max(r.max_in_flight[BAD_REPLICA] for r in mine),
            "rounds": len(mine),
        }

    return {
        "scenario": UNEVEN_SCENARIO.path, "connections": UNEVEN_CONNECTIONS, "bad_replica": BAD_REPLICA,
        "limit": [row(v, LIMIT) for v in limits],
        "faults": [{"fault": f.name, "title": f.title, "rows": [row(v, f.name) for v in variants]} for f in faults],
    }


def evaluate(summary: dict, faults: list[Fault]) -> list[dict]:
    """The targets of issue #19, per Ginx policy of the best kind: met or not, and by how much."""
    by_fault = {f["fault"]: f["rows"] for f in summary["faults"]}
    limit = next((r for r in summary["limit"] if r["peer"] == "ginx"), None)
    verdicts = []
    for fault in faults:
        rows = by_fault[fault.name]
        ginx = [r for r in rows if r["peer"] == "ginx" and r["policy"] != "RoundRobin"]
        peers = [r for r in rows if r["peer"] not in ("ginx", "ginx-aot", "yarp")]
        for mine in ginx:
            if fault.p99_target and peers:
                best_peer = min(peers, key=lambda r: r["p99_ms"])
                verdicts.append(_verdict(fault, mine, "p99 ≤ 0.5× the best peer's", mine["p99_ms"],
                                         0.5 * best_peer["p99_ms"], f"{best_peer['label']} {best_peer['p99_ms']:.1f} ms",
                                         "ms", lower_is_better=True))
            if limit is not None:
                verdicts.append(_verdict(fault, mine, "req/s ≥ 0.9× Ginx over the healthy two alone",
                                         mine["requests_per_s"], 0.9 * limit["requests_per_s"],
                                         f"{limit['requests_per_s']:,.0f} req/s", "req/s", lower_is_better=False))
            if fault.no_errors_target:
                verdicts.append(_verdict(fault, mine, "0 client-visible errors", mine["client_errors"], 0,
                                         "0", "errors", lower_is_better=True))
    return verdicts


def _verdict(fault: Fault, row: dict, target: str, value: float, bound: float, reference: str, unit: str,
             lower_is_better: bool) -> dict:
    met = value <= bound if lower_is_better else value >= bound
    return {"fault": fault.name, "policy": row["policy"], "target": target, "value": value, "bound": bound,
            "reference": reference, "unit": unit, "met": met,
            "ratio": (value / bound if bound else None)}
