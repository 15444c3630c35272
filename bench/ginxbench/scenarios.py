"""What is measured: the classic scenarios (one request shape over a healthy fleet) and the uneven
fleet's faults (one replica of three misbehaving)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    body_bytes: int  # > 0: a POST of that many bytes
    response_bytes: int


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("get-100B", "/bytes/100", 0, 100),
        Scenario("get-16KiB", "/bytes/16384", 0, 16384),
        Scenario("post-64KiB-echo", "/echo", 65536, 65536),
    )
}

REPLICAS = 3
BAD_REPLICA = 0  # backend-1 misbehaves; backend-2 and backend-3 are the healthy two
UNEVEN_SCENARIO = SCENARIOS["get-100B"]
UNEVEN_CONNECTIONS = 64  # a load the healthy fleet serves comfortably
ALL_DOWN_SCENARIO = SCENARIOS["get-100B"]  # every replica stopped: what answers a client gets, how fast
ALL_DOWN_CONNECTIONS = 64
ALL_DOWN_MIN_DURATION_S = 5.0  # HAProxy's round robin answers a dead cluster after 3 s (3 retries, 1 s apart)


@dataclass(frozen=True)
class Fault:
    name: str
    title: str
    chaos: dict | None  # the bad replica's POST /chaos
    dies: bool = False  # SIGKILLed during the run, restarted 5 s later
    p99_target: bool = False  # Ginx's best p99 ≤ 0.5× the best peer's
    no_errors_target: bool = False  # 0 client-visible errors for Ginx


FAULTS = {
    f.name: f
    for f in (
        Fault("slow", "a. slow replica: +50 ms on every answer", {"latencyMs": 50}, p99_target=True),
        Fault("stalling", "b. stalling replica: a 300 ms pause every 2 s, as a GC pause",
              {"stallMs": 300, "stallEveryMs": 2000}, p99_target=True),
        Fault("flaky-503", "c. flaky replica: 503 to 20 % of requests", {"errorRate": 0.2, "errorStatus": 503},
              no_errors_target=True),
        Fault("failing-500", "c. failing replica: 500 at once to every request", {"errorRate": 1, "errorStatus": 500},
              no_errors_target=True),
        Fault("dying", "d. dying replica: SIGKILL mid-run, restarted 5 s later", None, dies=True, no_errors_target=True),
    )
}
# The dying replica: killed this long into its run, restarted this long after, and the run lasts at
# least until it has served again for a while.
KILL_AFTER_S = 2.0
RESTART_AFTER_S = 5.0
DYING_MIN_DURATION_S = 10.0
