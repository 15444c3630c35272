"""How cost grows with work (--growth): Ginx's requests/s and each policy's pick with 3, 100 and 1,000
destinations, and the resident memory of Ginx and its peers holding 0, 1,000 and 10,000 idle
keep-alive client connections."""

from __future__ import annotations

import json
import selectors
import socket
import statistics
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

from .errors import HarnessError
from .load import run_wrk
from .peers import BEST, ROUND_ROBIN, PeerLauncher, StartedPeer, Variant
from .processes import Processes, free_ports, process_tree_rss_kib
from .probes import wait_ready
from .report import table
from .scenarios import UNEVEN_CONNECTIONS, UNEVEN_SCENARIO
from .tools import build

DESTINATIONS = (3, 100, 1000)
IDLE_CONNECTIONS = (0, 1000, 10000)
BENCHMARKS_PROJECT = "bench/Ginx.Benchmarks"
# Connections opened at once: more would overflow the peers' listen backlogs (511-512) and wait on
# SYN retransmits.
CONNECT_BATCH = 250
REQUEST = b"GET /bytes/100 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
# How long connections stay idle before a peer's memory is read. Idle is the state measured, not the
# moment after the burst that opened them: Ginx compacts its heap once it has been quiet for a
# period (Ginx:IdleCompaction, 5 s, looked at every 5 s), which production's idle connections, open
# for minutes, always see. nginx, HAProxy and Caddy read within 2 KiB a connection of what they did
# after 2 s.
IDLE_SETTLE_S = 12


PARTS = ("picks", "destinations", "idle")


def run(args, started: dict[str, StartedPeer], launcher: PeerLauncher, tools: dict[str, str], processes: Processes,
        log: Callable[[str], None]) -> dict:
    picks = measure_picks(args, launcher.work, log) if "picks" in args.growth_parts else []
    destinations = measure_destinations(args, started, launcher, tools, processes, log) if "destinations" in args.growth_parts else []
    idle = measure_idle_connections(started, log) if "idle" in args.growth_parts else []
    return {"picks": picks, "destinations": destinations, "idle_connections": idle,
            "tables_markdown": tables(picks, destinations, idle)}


def measure_picks(args, work: Path, log: Callable[[str], None]) -> list[dict]:
    """One pick of every policy (bench/Ginx.Benchmarks, in process, a short job): the median time, which
    other work on a shared box disturbs less than the mean, and the bytes allocated."""
    dll = build(BENCHMARKS_PROJECT, args.no_build)
    artifacts = work / "picks"
    argv = ["dotnet", str(dll), "--filter", "*PickDestinationBenchmarks*", "--inProcess", "--warmupCount", "2",
            "--iterationCount", "7", "--iterationTime", "150", "--exporters", "json", "--artifacts", str(artifacts)]
    log("picks: " + " ".join(argv[2:]))
    with open(work / "picks.log", "wb") as out:
        if subprocess.run(argv, cwd=dll.parent, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
            raise HarnessError(f"{BENCHMARKS_PROJECT} failed: see {work / 'picks.log'}")
    reports = sorted((artifacts / "results").glob("*.json"))
    if not reports:
        raise HarnessError(f"{BENCHMARKS_PROJECT} wrote no JSON report in {artifacts}")
    picks = []
    for benchmark in json.loads(reports[-1].read_text())["Benchmarks"]:
        size = int(benchmark["Parameters"].split("=")[1])
        picks.append({"policy": benchmark["Method"], "destinations": size, "median_ns": benchmark["Statistics"]["Median"],
                      "allocated_bytes": benchmark.get("Memory", {}).get("BytesAllocatedPerOperation")})
    return picks


def measure_destinations(args, started: dict[str, StartedPeer], launcher: PeerLauncher, tools: dict[str, str],
                         processes: Processes, log: Callable[[str], None]) -> list[dict]:
    """Ginx's requests/s with each policy over clusters of 3, 100 and 1,000 destinations: distinct
    destination ids whose addresses take the three replicas in turn, served by a Ginx of its own."""
    ginx = started["ginx"].peer
    policies = (ginx.round_robin, *ginx.best)
    ports = free_ports(len(policies) * len(DESTINATIONS) + 1)
    variants = [Variant(ginx, policy, ROUND_ROBIN if policy == ginx.round_robin else BEST, tuple(range(size)),
                        ports.pop(), tag=f"_{size}")
                for size in DESTINATIONS for policy in policies]
    cycled = [launcher.replica_ports[i % len(launcher.replica_ports)] for i in range(max(DESTINATIONS))]
    big = replace(launcher, replica_ports=cycled).start(ginx, variants, admin_port=ports.pop())
    for variant in variants:
        wait_ready(variant.key, variant.base + "/health", processes)

    def load(variant: Variant, duration: float):
        return run_wrk(tools["wrk"], processes, variant.base, UNEVEN_SCENARIO, UNEVEN_CONNECTIONS, args.threads,
                       duration, big.process.pid)

    # The process's first load warms the JIT up; each later cluster needs only its own connections.
    for n, variant in enumerate(variants):
        load(variant, args.warmup if n == 0 else min(args.warmup, 2))
    results: dict[str, list] = {v.key: [] for v in variants}
    for n in range(args.rounds):
        # Each round starts with a different cluster, so drift on a shared box favours none.
        for variant in variants[n % len(variants):] + variants[:n % len(variants)]:
            result = load(variant, args.duration)
            results[variant.key].append(result)
            log(f"round {n + 1} destinations {len(variant.replicas):>5} {variant.policy:24} {result.requests_per_s:>8,.0f} req/s  "
                f"p99 {result.p99_ms:6.2f} ms  cpu {result.cpu_us_per_request:5.1f} µs/req")
    rows = [{"policy": v.policy, "destinations": len(v.replicas),
             "requests_per_s": statistics.median(r.requests_per_s for r in results[v.key]),
             "p99_ms": statistics.median(r.p99_ms for r in results[v.key]),
             "cpu_us_per_request": statistics.median(r.cpu_us_per_request for r in results[v.key])}
            for v in variants]
    processes.kill(big.process)
    return rows


def measure_idle_connections(started: dict[str, StartedPeer], log: Callable[[str], None]) -> list[dict]:
    """Each peer's resident memory (its whole process tree) holding 0, 1,000 and 10,000 idle
    keep-alive client connections, each of which has made one request."""
    rows = []
    for name, peer in started.items():
        if not peer.peer.uneven:  # Ginx, nginx, HAProxy and Caddy; the native build and YARP alone are not the point
            continue
        variant = next(v for v in peer.variants if v.template == ROUND_ROBIN and not v.healthy_only)
        held: list[socket.socket] = []
        try:
            baseline = None
            for level in IDLE_CONNECTIONS:
                held += _open_idle(variant.port, level - len(held))
                rss = _settled_rss_kib(peer.process.pid)
                baseline = rss if baseline is None else baseline
                per_connection = (rss - baseline) * 1024 / len(held) if held else None
                log(f"idle connections {name:8} {len(held):>6}: rss {rss / 1024:7.1f} MB"
                    + (f", {per_connection / 1024:.1f} KiB per connection" if per_connection is not None else ""))
                rows.append({"peer": name, "label": peer.peer.label, "level": level, "connections": len(held), "rss_mb": rss / 1024,
                             "bytes_per_connection": per_connection})
        finally:
            for s in held:
                s.close()
    return rows


def _open_idle(port: int, count: int) -> list[socket.socket]:
    """Opens `count` connections, sends one request on each and reads its answer, in batches; returns
    those answered (a peer at its connection limit, HAProxy's maxconn, leaves the rest waiting)."""
    opened: list[socket.socket] = []
    for start in range(0, count, CONNECT_BATCH):
        batch = [socket.socket() for _ in range(min(CONNECT_BATCH, count - start))]
        for s in batch:
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
        answered = _exchange(batch)
        for s in batch:
            if s not in answered:
                s.close()
        opened += answered
        if len(answered) < len(batch):
            break
    return opened


def _exchange(batch: list[socket.socket], timeout: float = 10) -> set[socket.socket]:
    selector = selectors.DefaultSelector()
    received = {s: b"" for s in batch}
    for s in batch:
        selector.register(s, selectors.EVENT_WRITE)
    pending, answered = set(batch), set()
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for key, events in selector.select(timeout=0.5):
            s = key.fileobj
            if events & selectors.EVENT_WRITE:
                s.send(REQUEST)
                selector.modify(s, selectors.EVENT_READ)
                continue
            chunk = s.recv(65536)
            received[s] += chunk
            _, separator, body = received[s].partition(b"\r\n\r\n")
            if not chunk or (separator and len(body) >= UNEVEN_SCENARIO.response_bytes):
                selector.unregister(s)
                pending.discard(s)
                if chunk:
                    answered.add(s)
    selector.close()
    return answered


def _settled_rss_kib(pid: int) -> int:
    """The median of a few samples once the connections have been idle IDLE_SETTLE_S."""
    time.sleep(IDLE_SETTLE_S)
    samples = []
    for _ in range(5):
        samples.append(process_tree_rss_kib(pid))
        time.sleep(0.2)
    return int(statistics.median(samples))


def tables(picks: list[dict], destinations: list[dict], idle: list[dict]) -> str:
    sizes = DESTINATIONS
    policies = list(dict.fromkeys(p["policy"] for p in picks))
    pick_rows = []
    for policy in policies:
        cells = [policy]
        for size in sizes:
            found = [p for p in picks if p["policy"] == policy and p["destinations"] == size]
            cells.append(f"{found[0]['median_ns']:.1f} ns, {found[0]['allocated_bytes'] or 0} B" if found else "–")
        pick_rows.append(cells)
    pick_table = table(["policy (one pick)"] + [f"{s:,} destinations" for s in sizes], pick_rows)
    ginx_policies = list(dict.fromkeys(r["policy"] for r in destinations))
    throughput_table = table(
        ["Ginx policy"] + [f"{s:,} destinations (req/s, CPU µs/req)" for s in sizes],
        [[policy] + [next((f"{r['requests_per_s']:,.0f}, {r['cpu_us_per_request']:.0f}" for r in destinations
                           if r["policy"] == policy and r["destinations"] == s), "–") for s in sizes]
         for policy in ginx_policies])
    peers = list(dict.fromkeys(r["label"] for r in idle))
    idle_table = table(
        ["peer"] + [f"{c:,} idle connections: RSS (MB), per connection" for c in IDLE_CONNECTIONS],
        [[label] + [next((f"{r['rss_mb']:.1f}" + (f", {r['bytes_per_connection'] / 1024:.1f} KiB"
                                                  if r["bytes_per_connection"] is not None else "")
                          + (f" (at its limit, {r['connections']:,})" if r["connections"] != level else "")
                          for r in idle if r["label"] == label and r["level"] == level), "–") for level in IDLE_CONNECTIONS]
         for label in peers])
    return f"{pick_table}\n\n{throughput_table}\n\n{idle_table}"
