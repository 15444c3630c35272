"""Ginx side by side with nginx, HAProxy, Caddy, YARP alone and the direct path to one backend.

Starts 3 Ginx.SampleBackend replicas (Release) and every proxy over them, each proxy once, serving on
ports of its own each variant it is measured in (configurations: bench/peers/), warms each up, then:

- the classic scenarios (--classic alone; 100-byte and 16 KiB GETs, 64 KiB uploads; a healthy fleet, round robin):
  wrk with identical threads, connections and duration against each proxy and the direct path, in
  an order that rotates every round;
- the uneven fleet (--uneven alone): one replica slow, stalling, flaky, failing or dying; every
  proxy with round robin and its best policies, and over the two healthy replicas alone;
- every replica down (--alldown alone): how fast each proxy answers a dead cluster, and how soon it
  serves again when one replica comes back;
- with --growth (alone): Ginx's requests/s and picks with 3, 100 and 1,000 destinations, and the
  memory of idle keep-alive client connections.

Prints tables of medians, writes them with every raw run as JSON, and SVG charts beside it. With
--aot the same Ginx.Proxy published as a Native AOT executable runs too, as "ginx-aot"; with --yarp,
YARP alone (bench/PlainYarp) on Ginx's runtime settings, as "yarp": the floor under Ginx's code.

Every process it starts runs in a session of its own and is stopped by its process-group id (its
PID) when the harness ends, however it ends: normally, by an error, or by SIGINT/SIGTERM/SIGHUP.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from ginxbench import alldown, charts, classic, growth, report, uneven
from ginxbench.errors import HarnessError
from ginxbench.load import Load, run_wrk
from ginxbench.paths import AOT_DIR, REPO_DIR, RESULTS_DIR, shown
from ginxbench.peers import (AOT, CADDY, GINX_POLICIES, HAPROXY, NGINX, YARP, PeerLauncher, ROUND_ROBIN, StartedPeer,
                             Variant, count_ports, ginx_peer, plan)
from ginxbench.probes import check_spread, check_status_api, http, wait_ready
from ginxbench.processes import Processes, free_ports
from ginxbench.replicas import Fleet
from ginxbench.scenarios import ALL_DOWN_CONNECTIONS, ALL_DOWN_SCENARIO, BAD_REPLICA, FAULTS, REPLICAS, SCENARIOS, UNEVEN_CONNECTIONS, UNEVEN_SCENARIO
from ginxbench.tools import build, dotnet_env, ensure_tools, publish_native

PLAIN_YARP_PROJECT = "bench/PlainYarp"


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="one short round of one classic scenario and one uneven-fleet fault, every proxy: "
                             "checks the harness works, fails only if it breaks")
    parser.add_argument("--classic", action="store_true",
                        help="the classic scenarios alone (the full run has them too), e.g. with --yarp to measure Ginx's cost against its engine")
    parser.add_argument("--uneven", action="store_true", help="the uneven-fleet family alone (the full run has it too)")
    parser.add_argument("--alldown", action="store_true",
                        help="every replica down alone (the full run has it too): answers/s, latency and status codes of "
                             "a dead cluster, then the time to serve again when one replica is back")
    parser.add_argument("--recovery-limit", type=float, default=15, metavar="SECONDS",
                        help="--alldown: how long after a replica is back a proxy may take to serve steadily (default 15: "
                             "nginx waits out its 10 s fail_timeout)")
    parser.add_argument("--growth", action="store_true",
                        help="how cost grows: destinations (3, 100, 1,000) and idle client connections (0, 1,000, 10,000)")
    parser.add_argument("--growth-parts", default=",".join(growth.PARTS), metavar="A,B,…",
                        help=f"which parts of --growth to run (default {','.join(growth.PARTS)})")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per scenario and target (default 3)")
    parser.add_argument("--duration", type=float, default=8, help="seconds of each wrk run (default 8; a dying "
                        "replica's run lasts at least 10)")
    parser.add_argument("--warmup", type=float, default=8, help="seconds of warm-up per target and scenario (default 8)")
    parser.add_argument("--fault-warmup", type=float, default=2,
                        help="uneven fleet: seconds each proxy serves the fleet, fault in force, before each measured "
                             "run, so the run measures how it serves a fleet it has met, not how it forgets the last "
                             "(default 2: one stall period; 0: none)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, nargs="+", default=[64, 256],
                        help="classic scenarios' connections (default: 64 256; the uneven fleet runs at "
                             f"{UNEVEN_CONNECTIONS})")
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--faults", nargs="+", choices=list(FAULTS), default=list(FAULTS),
                        help="the uneven fleet's faults (default: all)")
    parser.add_argument("--ginx-policies", default=",".join(GINX_POLICIES), metavar="A,B,…",
                        help=f"Ginx's policies measured on the uneven fleet besides round robin (default {','.join(GINX_POLICIES)})")
    parser.add_argument("--out", type=Path, help="JSON results file (default: bench/results/<UTC time>.json); "
                        "the charts are written beside it")
    parser.add_argument("--aot", action="store_true",
                        help='also run Ginx.Proxy published as Native AOT, as "ginx-aot" (publishing takes '
                             "about 90 s and needs clang and zlib1g-dev, installed when missing)")
    parser.add_argument("--yarp", action="store_true",
                        help=f'also run YARP alone ({PLAIN_YARP_PROJECT}: no Ginx code, Ginx\'s runtime settings), as '
                             '"yarp": what Ginx\'s own code costs, and the floor it stands on')
    parser.add_argument("--no-build", action="store_true",
                        help=f"use the existing Release builds (and with --aot the native one in {AOT_DIR.relative_to(REPO_DIR)})")
    parser.add_argument("--ginx-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for Ginx (ginx-aot, and YARP alone, which stays on Ginx's settings) "
                             "and not for the backends or the other peers, to try a tuning before shipping it (repeatable)")
    args = parser.parse_args()
    full = not (args.classic or args.uneven or args.alldown or args.growth)
    args.classic = args.classic or full
    args.uneven = args.uneven or full
    args.alldown = args.alldown or full
    if args.smoke:
        args.rounds, args.duration, args.warmup, args.fault_warmup, args.recovery_limit = 1, 2, 1, 1, 3
        args.connections, args.scenarios, args.faults = [64], ["get-100B"], ["slow"]
        args.out = args.out or RESULTS_DIR / "smoke.json.tmp"
    args.growth_parts = {p.strip() for p in args.growth_parts.split(",")} & set(growth.PARTS)
    args.ginx_policies = tuple(p.strip() for p in args.ginx_policies.split(",") if p.strip())
    return args


def main() -> int:
    args = parse_args()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_on_signal)

    processes = Processes()
    work = Path(tempfile.mkdtemp(prefix="ginx-bench-"))
    keep_logs = False  # a failed run keeps its logs where it says they are
    try:
        tools = ensure_tools(args.aot)
        backend_dll = build("Ginx.SampleBackend", args.no_build)
        ginx_builds = {"ginx": build("Ginx.Proxy", args.no_build)}
        if args.aot:
            ginx_builds[AOT.name] = publish_native("Ginx.Proxy", args.no_build)
        plain_yarp = build(PLAIN_YARP_PROJECT, args.no_build) if args.yarp else None

        peers = [NGINX, HAPROXY, CADDY, ginx_peer(args.ginx_policies)] + ([AOT] if args.aot else []) + ([YARP] if args.yarp else [])
        ginx_peers = [p for p in peers if p.name in ginx_builds]
        ports = free_ports(REPLICAS + count_ports(peers) + len(ginx_peers))
        replica_ports, ports = ports[:REPLICAS], ports[REPLICAS:]
        admin_ports = {p.name: ports.pop() for p in ginx_peers}
        variants = plan(peers, REPLICAS, BAD_REPLICA, ports)

        env = dotnet_env()
        fleet = Fleet(processes, backend_dll, replica_ports, work, env)
        fleet.start()
        launcher = PeerLauncher(processes, work, tools, replica_ports, env,
                                dict(item.split("=", 1) for item in args.ginx_env), ginx_builds, plain_yarp)
        started = {p.name: launcher.start(p, variants[p.name], admin_ports.get(p.name)) for p in peers}
        check_peers(started, processes)
        log(f"ready (pids: backends {[fleet.pid(i) for i in range(REPLICAS)]}, "
            + ", ".join(f"{name} {s.process.pid}" for name, s in started.items()) + f"; logs in {work})")

        def load(variant: Variant | None, path_scenario, conns: int, duration: float) -> Load:
            # variant None: the direct path to the first replica.
            url = variant.base if variant else fleet.url(0)
            pid = started[variant.peer.name].process.pid if variant else fleet.pid(0)
            return run_wrk(tools["wrk"], processes, url, path_scenario, conns, args.threads, duration, pid)

        results: dict = {"meta": _meta(args, tools)}
        charts_out: list[tuple[str, str]] = []
        failed_requests = 0
        if args.classic:
            failed_requests = run_classic(args, started, load, results, charts_out)
        if args.uneven:
            run_uneven(args, fleet, started, load, results, charts_out)
        if args.alldown:
            run_alldown(args, fleet, started, load, results, charts_out)
        if args.growth:
            results["growth"] = growth.run(args, started, launcher, tools, processes, log)
            print("\n" + results["growth"]["tables_markdown"] + "\n")

        out = args.out or RESULTS_DIR / (datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ") + ".json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
        log(f"results written to {shown(out)}")
        for name, svg in charts_out:
            path = _chart_path(out, name)
            path.write_text(svg)
            log(f"chart written to {shown(path)}")
        if failed_requests:
            keep_logs = True
            print(f"bench: {failed_requests} requests of the classic scenarios failed (see the runs above): the numbers "
                  f"are not comparable; logs are in {work}", file=sys.stderr)
            return 1
        return 0
    except HarnessError as error:
        keep_logs = True
        print(f"bench: FAILED: {error}\nbench: logs are in {work}", file=sys.stderr)
        for path in sorted(work.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-15:]
            print(f"---- {path.name} (last lines)\n" + "\n".join(tail), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted; stopping everything it started", file=sys.stderr)
        return 130
    finally:
        # A second Ctrl-C must not interrupt the clean-up and leave processes behind.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        processes.stop_all()
        if not keep_logs:
            shutil.rmtree(work, ignore_errors=True)


def check_peers(started: dict[str, StartedPeer], processes: Processes) -> None:
    """Every variant answers every scenario correctly before its speed means anything; the
    round-robin ones reach each of their replicas; Ginx's status API lists its clusters."""
    for peer in started.values():
        for variant in peer.variants:
            wait_ready(variant.key, variant.base + "/health", processes)
            for scenario in SCENARIOS.values():
                body = bytes(i % 251 for i in range(scenario.body_bytes)) if scenario.body_bytes else None
                status, _, reply = http(variant.base + scenario.path, body)
                if status != 200 or len(reply) != scenario.response_bytes or (body is not None and reply != body):
                    raise HarnessError(f"{variant.key} answered {scenario.name} with {status} and {len(reply)} bytes")
            if variant.template == ROUND_ROBIN:
                check_spread(variant.key, variant.base, len(variant.replicas))
            if peer.admin_port is not None:
                check_status_api(variant.key, f"http://127.0.0.1:{peer.admin_port}", variant.config_name, len(variant.replicas))


def _round_robin_all(peer: StartedPeer) -> Variant:
    return next(v for v in peer.variants if v.template == ROUND_ROBIN and not v.healthy_only)


def run_classic(args, started: dict[str, StartedPeer], load, results: dict, charts_out: list) -> int:
    targets = [t for t in classic.TARGETS if t == "direct" or t in started]
    by_target = {t: (_round_robin_all(started[t]) if t != "direct" else None) for t in targets}

    def classic_load(target: str, scenario: str, conns: int, duration: float) -> Load:
        return load(by_target[target], SCENARIOS[scenario], conns, duration)

    for target in targets:
        for scenario in args.scenarios:
            log(f"warm-up {target} {scenario}")
            classic_load(target, scenario, max(args.connections), args.warmup)
    runs = classic.run(targets, args.scenarios, args.connections, args.rounds, args.duration, classic_load, log)
    rows = classic.summarise(runs, args.scenarios, args.connections, targets)
    tables = report.classic_tables(rows, targets)
    verdicts = report.classic_verdicts(rows, targets)
    print("\n" + tables + "\n\n" + "\n".join(verdicts) + "\n")
    results["classic"] = {"summary": rows, "tables_markdown": tables, "targets": verdicts,
                          "runs": [{**r.__dict__, "load": r.load.__dict__} for r in runs]}
    panels = [(f"{row['scenario']}, {row['connections']} connections",
               [charts.LatencyRow(classic.LABELS[t], row[t]["p50_ms"], row[t]["p99_ms"], row[t]["p999_ms"]) for t in targets])
              for row in rows]
    charts_out.append(("classic-latency", charts.latency_chart(
        "Classic scenarios: client latency, round robin over a healthy fleet",
        f"medians over {args.rounds} rounds of {args.duration:g} s, wrk -t{args.threads}; log scale", panels)))
    # Timeouts are slowness, which the numbers already show; anything else is a broken set-up.
    return sum(n for r in runs for kind, n in r.load.errors.items() if kind != "timeout")


def run_uneven(args, fleet: Fleet, started: dict[str, StartedPeer], load, results: dict, charts_out: list) -> None:
    measured = [v for s in started.values() if s.peer.uneven for v in s.variants if not v.healthy_only]
    limits = [v for s in started.values() for v in s.variants if v.healthy_only]
    faults = [FAULTS[name] for name in args.faults]

    def fleet_load(variant: Variant, duration: float) -> Load:
        return load(variant, UNEVEN_SCENARIO, UNEVEN_CONNECTIONS, duration)

    # Every variant's first requests (the JIT's, the connection pools') before any is measured.
    for variant in measured + limits:
        fleet_load(variant, args.warmup if variant.template == ROUND_ROBIN and not variant.healthy_only else 1)
    log(f"warmed up {len(measured) + len(limits)} variants")
    runs = uneven.run(fleet, measured, limits, faults, args.rounds, args.duration, args.fault_warmup, fleet_load, log)
    summary = uneven.summarise(runs, measured, limits, faults)
    verdicts = uneven.evaluate(summary, faults)
    tables = report.uneven_tables(summary)
    lines = report.verdict_lines(verdicts)
    print("\n" + tables + "\n\n" + "\n".join(lines) + "\n")
    results["uneven"] = {"summary": summary, "tables_markdown": tables, "targets": verdicts, "target_lines": lines,
                         "runs": [{**r.__dict__, "load": r.load.__dict__} for r in runs]}
    subtitle = (f"GET {UNEVEN_SCENARIO.path}, wrk -t{args.threads} -c{UNEVEN_CONNECTIONS}, medians over {args.rounds} "
                f"round(s) of {args.duration:g} s; the bad replica is {fleet.name(BAD_REPLICA)}")
    latency_panels = [(f["title"], [charts.LatencyRow(r["label"], r["p50_ms"], r["p99_ms"], r["p999_ms"]) for r in f["rows"]])
                      for f in summary["faults"]]
    if summary["limit"]:
        latency_panels.append(("the limit: over the two healthy replicas alone",
                               [charts.LatencyRow(r["label"], r["p50_ms"], r["p99_ms"], r["p999_ms"]) for r in summary["limit"]]))
    charts_out.append(("uneven-latency", charts.latency_chart(
        "Uneven fleet: client latency per proxy and policy", subtitle + "; log scale", latency_panels)))
    charts_out.append(("uneven-shares", charts.share_chart(
        "Uneven fleet: the share of requests each replica received", subtitle + "; retries count on each replica tried",
        [f"{name} (the bad one)" if i == BAD_REPLICA else name for i, name in enumerate(fleet.names)],
        [(f["title"], [charts.ShareRow(r["label"], r["served_share"]) for r in f["rows"]]) for f in summary["faults"]])))


def run_alldown(args, fleet: Fleet, started: dict[str, StartedPeer], load, results: dict, charts_out: list) -> None:
    variants = alldown.variants_of(started, args.smoke)

    def dead_load(variant: Variant, duration: float) -> Load:
        return load(variant, ALL_DOWN_SCENARIO, ALL_DOWN_CONNECTIONS, duration)

    runs = alldown.run(fleet, variants, args.rounds, args.duration, args.warmup, args.recovery_limit, dead_load, log)
    summary = alldown.summarise(runs, variants, args.recovery_limit)
    verdicts = alldown.evaluate(summary)
    tables = alldown.table(summary)
    lines = alldown.verdict_lines(verdicts)
    print("\n" + tables + "\n\n" + "\n".join(lines) + "\n")
    results["alldown"] = {"summary": summary, "tables_markdown": tables, "targets": verdicts, "target_lines": lines,
                          "runs": [{"round": r.round, "target": r.target, "load": r.load.__dict__,
                                    "recovery": r.recovery.__dict__} for r in runs]}
    charts_out.append(("alldown-latency", charts.latency_chart(
        "Every replica down: how fast each proxy answers a dead cluster",
        f"GET {ALL_DOWN_SCENARIO.path}, wrk -t{args.threads} -c{ALL_DOWN_CONNECTIONS}, medians over {args.rounds} "
        f"round(s) of {args.duration:g} s; log scale",
        [("every replica refusing connections",
          [charts.LatencyRow(r["label"], r["p50_ms"], r["p99_ms"], r["p999_ms"]) for r in summary["rows"]])])))


def _chart_path(out: Path, name: str) -> Path:
    # smoke.json.tmp -> smoke-uneven-latency.svg.tmp (ignored by git); 2026….json -> 2026…-uneven-latency.svg
    temporary = out.suffix == ".tmp"
    stem = Path(out.stem).stem if temporary else out.stem
    return out.with_name(f"{stem}-{name}.svg" + (".tmp" if temporary else ""))


def _raise_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _meta(args: argparse.Namespace, tools: dict[str, str]) -> dict:
    def output(argv: list[str]) -> str:
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=REPO_DIR)
            return (result.stdout + result.stderr).strip().splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            return "?"

    return {
        "utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git_commit": output(["git", "rev-parse", "HEAD"]),
        "cpus": os.cpu_count(),
        "dotnet": output(["dotnet", "--version"]),
        "nginx": output([tools["nginx"], "-v"]),
        "haproxy": output([tools["haproxy"], "-v"]),
        "caddy": output([tools["caddy"], "version"]),
        "wrk": output([tools["wrk"], "-v"]),
        "rounds": args.rounds, "duration_s": args.duration, "warmup_s": args.warmup,
        "fault_warmup_s": args.fault_warmup,
        "threads": args.threads, "connections": args.connections, "scenarios": args.scenarios,
        "families": [f for f in ("classic", "uneven", "alldown", "growth") if getattr(args, f)],
        "faults": args.faults, "ginx_policies": list(args.ginx_policies),
        "recovery_limit_s": args.recovery_limit, "smoke": args.smoke, "aot": args.aot, "yarp": args.yarp, "ginx_env": args.ginx_env,
    }


if __name__ == "__main__":
    sys.exit(main())
