"""Side-by-side benchmark of Ginx, nginx and the direct path to one backend.

Starts 3 Ginx.SampleBackend replicas (Release), Ginx.Proxy (Release, its shipped configuration plus a
generated topology) and nginx (round robin over the same replicas, upstream keep-alive), warms each
up, then runs wrk against each with identical threads, connections and duration, in alternating
order, several rounds. Prints a table of medians and writes it, with every raw run, as JSON.
With --aot, the same Ginx.Proxy published as a Native AOT executable runs too, as "ginx-aot"; with
--yarp, YARP alone (bench/PlainYarp) on Ginx's runtime settings, as "yarp": the floor under Ginx's code.

Every process it starts runs in a session of its own and is stopped by its process-group id (its
PID) when the harness ends, however it ends: normally, by an error, or by SIGINT/SIGTERM/SIGHUP.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
WRK_SCRIPT = BENCH_DIR / "wrk-report.lua"
RESULT_MARKER = "GINX-BENCH-RESULT "
REPLICAS = 3


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
TARGETS = ("direct", "nginx", "ginx")
AOT_TARGET = "ginx-aot"  # --aot: Ginx.Proxy as a Native AOT executable, with ginx's arguments and environment
YARP_TARGET = "yarp"  # --yarp: bench/PlainYarp, YARP with none of Ginx's code, on Ginx.Proxy's runtime settings
LABELS = {"direct": "direct", "nginx": "nginx", "ginx": "Ginx", AOT_TARGET: "Ginx AOT", YARP_TARGET: "YARP alone"}
PLAIN_YARP_PROJECT = "bench/PlainYarp"
# What Ginx.Proxy's ProxyRuntimeDefaults sets for itself before the runtime starts (keep the value
# equal to its MaxArraysPerPartition); YARP alone gets it from the harness. The rest of Ginx's
# runtime settings come with its runtimeconfig.json.
GINX_RUNTIME_ENV = {"DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION": "256"}
# Where --aot publishes Ginx.Proxy; outside Ginx.Proxy/bin so it never shadows the JIT build, and
# kept between runs so --no-build can reuse it.
AOT_DIR = BENCH_DIR / "obj" / "ginx-aot"
ZLIB_HEADER = Path("/usr/include/zlib.h")


@dataclass(frozen=True)
class Ratio:
    """A ratio between two targets' medians, reported when both targets run."""
    key: str  # in the JSON summary's "ratios"
    numerator: str
    denominator: str
    metric: str  # a Run field

    def header(self) -> str:
        text = f"{LABELS[self.numerator]}/{LABELS[self.denominator]}"
        return f"p99 {text}" if self.metric == "p99_ms" else text


# In table order within each metric; the first three are all there is without --aot or --yarp.
RATIOS = (
    Ratio("ginx_vs_nginx_requests_per_s", "ginx", "nginx", "requests_per_s"),
    Ratio("ginx_vs_direct_requests_per_s", "ginx", "direct", "requests_per_s"),
    Ratio("ginx_vs_nginx_p99", "ginx", "nginx", "p99_ms"),
    Ratio("ginx_aot_vs_nginx_requests_per_s", AOT_TARGET, "nginx", "requests_per_s"),
    Ratio("ginx_aot_vs_ginx_requests_per_s", AOT_TARGET, "ginx", "requests_per_s"),
    Ratio("ginx_aot_vs_nginx_p99", AOT_TARGET, "nginx", "p99_ms"),
    Ratio("yarp_vs_nginx_requests_per_s", YARP_TARGET, "nginx", "requests_per_s"),
    Ratio("ginx_vs_yarp_requests_per_s", "ginx", YARP_TARGET, "requests_per_s"),
)


class HarnessError(Exception):
    """The harness itself is broken (not a slow proxy): a process died, a check failed, wrk failed."""


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------


class Processes:
    """Every process the harness starts, each in its own session so it can be stopped as a group."""

    def __init__(self) -> None:
        self._started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], log: Path, cwd: Path | None = None,
              env: dict[str, str] | None = None) -> subprocess.Popen:
        with open(log, "wb") as out:
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        self._started.append((name, process))
        return process

    def check_alive(self) -> None:
        for name, process in self._started:
            if process.poll() is not None:
                raise HarnessError(f"{name} (pid {process.pid}) exited with code {process.returncode}")

    def stop_all(self) -> None:
        # Group ids are the PIDs we started (start_new_session), so this reaches nginx's workers too
        # and nothing that is not ours.
        for _, process in reversed(self._started):
            _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, process in reversed(self._started):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"bench: {name} (pid {process.pid}) ignored SIGTERM; killing it", file=sys.stderr)
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()
            # A master that exited may leave members of its group (nginx workers) behind.
            _signal_group(process.pid, signal.SIGKILL)
        self._started.clear()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _raise_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (nginx's master and workers)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    pending.extend(int(child) for child in children.read().split())
            tree.append(current)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return tree


def process_tree_rss_kib(pid: int) -> int:
    """Resident memory of a process tree, in KiB."""
    total = 0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/status", encoding="ascii") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def process_tree_cpu_s(pid: int) -> float:
    """CPU time (user + system) a process tree has used. Unlike req/s it hardly depends on what else
    the box is running, so it is the steadier measure of a proxy's cost per request."""
    ticks = 0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


class PeakRssSampler:
    """Samples a process tree's RSS ten times a second while a load runs, keeping the peak."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._stop = threading.Event()
        self.peak_kib = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.peak_kib = max(self.peak_kib, process_tree_rss_kib(self._pid))
            if self._stop.wait(0.1):
                return


# ---------------------------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------------------------


def run_checked(argv: list[str], **kwargs: object) -> None:
    print("bench: $ " + " ".join(argv), flush=True)
    try:
        subprocess.run(argv, check=True, **kwargs)
    except subprocess.CalledProcessError as error:
        raise HarnessError(f"{' '.join(argv[:3])} … exited with {error.returncode}") from error


def ensure_tools(aot: bool) -> dict[str, str]:
    """Installs wrk and nginx from Debian's packages when they are missing, and for --aot what the
    native link needs: clang and zlib's headers."""
    wanted = {"wrk": "wrk", "nginx": "nginx-light"} | ({"clang": "clang"} if aot else {})
    headers = {ZLIB_HEADER: "zlib1g-dev"} if aot else {}

    def missing() -> list[str]:
        return ([package for tool, package in wanted.items() if which(tool) is None]
                + [package for header, package in headers.items() if not header.exists()])

    if packages := missing():
        if os.geteuid() != 0:
            raise HarnessError(f"missing {', '.join(packages)}: install them (apt-get install {' '.join(packages)})")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run_checked(["apt-get", "update", "-qq"], env=env)
        run_checked(["apt-get", "install", "-y", "-qq", *packages], env=env)
        if packages := missing():
            raise HarnessError(f"{', '.join(packages)} still missing after installing")
    return {tool: str(which(tool)) for tool in wanted}


def which(tool: str) -> str | None:
    # nginx lives in /usr/sbin, which a non-login PATH may leave out.
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/local/sbin")


def build(project: str) -> Path:
    """Builds a project (its folder, relative to the repository) in Release; returns its .dll."""
    run_checked(["dotnet", "build", str(REPO_DIR / project), "-c", "Release", "-nologo", "-v", "q"])
    return _existing(project)


def publish_native(project: str) -> Path:
    print(f"bench: publishing {project} as Native AOT (about 90 s)", flush=True)
    # A fresh directory: a leftover of an earlier publish must not pass for this one.
    shutil.rmtree(AOT_DIR, ignore_errors=True)
    run_checked(["dotnet", "publish", str(REPO_DIR / project), "-c", "Release", "-p:PublishAot=true",
                 "-o", str(AOT_DIR), "-nologo", "-v", "q"])
    return _existing_native(project)


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def dotnet_env() -> dict[str, str]:
    """The environment of the .NET processes: production, no OTLP export, nothing else changed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["ASPNETCORE_ENVIRONMENT"] = "Production"
    env.pop("DOTNET_ENVIRONMENT", None)
    return env


# The configuration section both Ginx and YARP alone read the benchmark's route and cluster from;
# for Ginx it keeps appsettings.json's example cluster out of the benchmark's topology.
PROXY_SECTION = "GinxBench"


def proxy_config_argv(port: int, backend_ports: list[int]) -> list[str]:
    """The listener, and one route to a round-robin cluster over the replicas, in YARP's schema."""
    section = PROXY_SECTION
    argv = ["--urls", f"http://127.0.0.1:{port}",
            f"--{section}:Routes:all:ClusterId=backend",
            f"--{section}:Routes:all:Match:Path={{**catch-all}}",
            f"--{section}:Clusters:backend:LoadBalancingPolicy=RoundRobin"]
    for i, backend_port in enumerate(backend_ports, start=1):
        argv.append(f"--{section}:Clusters:backend:Destinations:backend-{i}:Address=http://127.0.0.1:{backend_port}")
    return argv


def ginx_argv(build: Path, port: int, admin_port: int, backend_ports: list[int]) -> list[str]:
    # A .dll runs on the dotnet host; the Native AOT executable runs by itself, with the same arguments.
    command = ["dotnet", str(build)] if build.suffix == ".dll" else [str(build)]
    # Each Ginx its own admin listener: two on the default (127.0.0.1:9901) would clash.
    return [*command, *proxy_config_argv(port, backend_ports), f"--Ginx:Admin:Urls=http://127.0.0.1:{admin_port}",
            f"--Ginx:ReverseProxySection={PROXY_SECTION}"]


def plain_yarp_argv(build: Path, ginx_build: Path, port: int, backend_ports: list[int]) -> list[str]:
    # On Ginx.Proxy's runtimeconfig.json: the same GC and thread-pool settings, whatever they become.
    return ["dotnet", "exec", "--runtimeconfig", str(ginx_build.with_suffix(".runtimeconfig.json")), str(build),
            *proxy_config_argv(port, backend_ports)]


def nginx_conf(work: Path, port: int, backend_ports: list[int]) -> str:
    """nginx doing what Ginx does: round robin, keep-alive both sides, streaming request bodies,
    X-Forwarded-* headers. Kestrel and YARP keep connections open indefinitely, so nginx's
    per-connection request caps are lifted too."""
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in backend_ports)
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes auto;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-client-body;
  proxy_temp_path {work}/nginx-proxy;
  keepalive_requests 1000000;
  upstream backend {{
{servers}
    keepalive 256;
    keepalive_requests 1000000;
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 0;
    location / {{
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_request_buffering off;
      proxy_buffers 16 8k;
    }}
  }}
}}
"""


def http(url: str, body: bytes | None = None, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        request.add_header("Content-Type", "application/octet-stream")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_ready(name: str, url: str, processes: Processes, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        processes.check_alive()
        try:
            if http(url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise HarnessError(f"{name} did not answer 200 at {url} within {timeout:.0f} s")
        time.sleep(0.2)


def check_target(name: str, base: str, balanced: bool) -> None:
    """Each target must answer every scenario correctly before its speed means anything."""
    for scenario in SCENARIOS.values():
        body = bytes(i % 251 for i in range(scenario.body_bytes)) if scenario.body_bytes else None
        status, _, reply = http(base + scenario.path, body)
        if status != 200 or len(reply) != scenario.response_bytes or (body is not None and reply != body):
            raise HarnessError(f"{name} answered {scenario.name} with {status} and {len(reply)} bytes")
    if balanced:
        replicas = {http(base + "/bytes/1")[1].get("X-Replica") for _ in range(2 * REPLICAS)}
        if len(replicas) != REPLICAS:
            raise HarnessError(f"{name} did not spread requests over {REPLICAS} replicas: saw {sorted(map(str, replicas))}")


def check_status_api(name: str, admin_base: str) -> None:
    """Ginx's status API lists the benchmark's cluster and its replicas: a check that the native
    build, which cannot fall back on reflection, still serializes it."""
    status, _, reply = http(admin_base + "/ginx/status")
    try:
        clusters = json.loads(reply)["clusters"] if status == 200 else []
    except (ValueError, KeyError, TypeError):
        clusters = []
    destinations = [d for c in clusters if c.get("id") == "backend" for d in c.get("destinations", [])]
    if len(destinations) != REPLICAS:
        raise HarnessError(f"{name}'s /ginx/status answered {status} without the {REPLICAS} replicas: {reply[:200]!r}")


# ---------------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    round: int
    scenario: str
    connections: int
    target: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    peak_rss_mb: float  # of the server wrk talks to: the proxy, or for "direct" the one backend
    cpu_us_per_request: float  # of that same server
    errors: dict[str, int] = field(default_factory=dict)


def run_wrk(wrk: str, processes: Processes, url: str, scenario: Scenario, connections: int,
            threads: int, duration: float, rss_pid: int) -> dict:
    """One wrk run; also measures the target's peak RSS and CPU time per request meanwhile."""
    argv = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s", "--timeout", "5s",
            "-s", str(WRK_SCRIPT), url + scenario.path]
    env = dict(os.environ, GINX_BENCH_BODY_BYTES=str(scenario.body_bytes))
    sampler = PeakRssSampler(rss_pid)
    cpu_before = process_tree_cpu_s(rss_pid)
    with sampler:
        process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, text=True)
        try:
            output, _ = process.communicate(timeout=duration + 60)
        finally:
            if process.poll() is None:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()
    processes.check_alive()
    lines = [line for line in output.splitlines() if line.startswith(RESULT_MARKER)]
    if process.returncode != 0 or len(lines) != 1:
        raise HarnessError(f"wrk failed (exit {process.returncode}) on {url}{scenario.path}:\n{output}")
    result = json.loads(lines[0][len(RESULT_MARKER):])
    if result["requests"] == 0:
        raise HarnessError(f"wrk completed no request on {url}{scenario.path}")
    result["cpu_us_per_request"] = (process_tree_cpu_s(rss_pid) - cpu_before) * 1e6 / result["requests"]
    result["peak_rss_mb"] = sampler.peak_kib / 1024
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def active_ratios(targets: tuple[str, ...]) -> list[Ratio]:
    return [r for r in RATIOS if r.numerator in targets and r.denominator in targets]


def summarise(runs: list[Run], scenarios: list[str], connections: list[int], targets: tuple[str, ...]) -> list[dict]:
    rows = []
    for scenario in scenarios:
        for conns in connections:
            row: dict = {"scenario": scenario, "connections": conns}
            by_target = {t: [r for r in runs if r.scenario == scenario and r.connections == conns and r.target == t]
                         for t in targets}
            for target, target_runs in by_target.items():
                row[target] = {
                    "requests_per_s": median([r.requests_per_s for r in target_runs]),
                    "p50_ms": median([r.p50_ms for r in target_runs]),
                    "p99_ms": median([r.p99_ms for r in target_runs]),
                    "peak_rss_mb": max(r.peak_rss_mb for r in target_runs),
                    "cpu_us_per_request": median([r.cpu_us_per_request for r in target_runs]),
                    "errors": sum(sum(r.errors.values()) for r in target_runs),
                    "rounds": len(target_runs),
                }
            # Ratios are taken within a round (its runs are minutes apart at most), then the median.
            rounds = sorted({r.round for r in runs})

            def ratio(numerator: str, denominator: str, metric: str) -> float:
                values = []
                for n in rounds:
                    a = [getattr(r, metric) for r in by_target[numerator] if r.round == n]
                    b = [getattr(r, metric) for r in by_target[denominator] if r.round == n]
                    if a and b and b[0] > 0:
                        values.append(a[0] / b[0])
                return median(values)

            row["ratios"] = {r.key: ratio(r.numerator, r.denominator, r.metric) for r in active_ratios(targets)}
            rows.append(row)
    return rows


def markdown_table(rows: list[dict], targets: tuple[str, ...]) -> str:
    proxies = [t for t in targets if t != "direct"]
    ratios = active_ratios(targets)
    rps_ratios = [r for r in ratios if r.metric == "requests_per_s"]
    p99_ratios = [r for r in ratios if r.metric == "p99_ms"]
    names = " / ".join(LABELS[t] for t in proxies)
    header = ("| scenario | conns | " + "".join(f"{LABELS[t]} req/s | " for t in targets)
              + "".join(f"{r.header()} | " for r in rps_ratios)
              + f"p50 {names} (ms) | p99 {names} (ms) | " + "".join(f"{r.header()} | " for r in p99_ratios)
              + f"peak RSS {names} (MB) | CPU {names} (µs/req) |")
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for row in rows:
        def per_proxy(metric: str, digits: int) -> str:
            return " / ".join(f"{row[t][metric]:.{digits}f}" for t in proxies)

        def times(selected: list[Ratio]) -> str:
            return "".join(f"{row['ratios'][r.key]:.2f}× | " for r in selected)

        lines.append(
            f"| {row['scenario']} | {row['connections']} | "
            + "".join(f"{row[t]['requests_per_s']:,.0f} | " for t in targets) + times(rps_ratios)
            + f"{per_proxy('p50_ms', 2)} | {per_proxy('p99_ms', 2)} | " + times(p99_ratios)
            + f"{per_proxy('peak_rss_mb', 0)} | {per_proxy('cpu_us_per_request', 0)} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="one short round of one scenario: checks the harness works, fails only if it breaks")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per scenario and target (default 3)")
    parser.add_argument("--duration", type=float, default=8, help="seconds of each wrk run (default 8)")
    parser.add_argument("--warmup", type=float, default=8, help="seconds of warm-up per target and scenario (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, nargs="+", default=[64, 256], help="default: 64 256")
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--out", type=Path, help="JSON results file (default: bench/results/<UTC time>.json)")
    parser.add_argument("--aot", action="store_true",
                        help=f'also run Ginx.Proxy published as Native AOT, as "{AOT_TARGET}" (publishing takes '
                             "about 90 s and needs clang and zlib1g-dev, installed when missing)")
    parser.add_argument("--yarp", action="store_true",
                        help=f'also run YARP alone ({PLAIN_YARP_PROJECT}: no Ginx code, Ginx\'s runtime settings), as '
                             f'"{YARP_TARGET}": what Ginx\'s own code costs, and the floor it stands on')
    parser.add_argument("--no-build", action="store_true",
                        help=f"use the existing Release builds (and with --aot the native one in {AOT_DIR.relative_to(REPO_DIR)})")
    parser.add_argument("--ginx-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for Ginx (ginx-aot, and YARP alone, which stays on Ginx's settings) and not for "
                             "the backends or nginx, to try a tuning before shipping it (repeatable)")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.duration, args.warmup = 1, 2, 1
        args.connections, args.scenarios = [64], ["get-100B"]
        args.out = args.out or BENCH_DIR / "results" / "smoke.json.tmp"
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
        backend_dll = build("Ginx.SampleBackend") if not args.no_build else _existing("Ginx.SampleBackend")
        # Each Ginx target and the build it runs: the JIT build, and with --aot the native executable.
        ginx_builds = {"ginx": build("Ginx.Proxy") if not args.no_build else _existing("Ginx.Proxy")}
        if args.aot:
            ginx_builds[AOT_TARGET] = publish_native("Ginx.Proxy") if not args.no_build else _existing_native("Ginx.Proxy")
        plain_yarp = None
        if args.yarp:
            plain_yarp = build(PLAIN_YARP_PROJECT) if not args.no_build else _existing(PLAIN_YARP_PROJECT)
        targets = TARGETS + ((AOT_TARGET,) if args.aot else ()) + ((YARP_TARGET,) if args.yarp else ())
        proxies = [target for target in targets if target != "direct"]

        # In one call: ports from two calls may coincide, the first ones being free again once returned.
        ports = iter(free_ports(REPLICAS + 2 + 2 * len(ginx_builds)))
        backend_ports = [next(ports) for _ in range(REPLICAS)]
        nginx_port = next(ports)
        yarp_port = next(ports)
        ginx_ports = {target: (next(ports), next(ports)) for target in ginx_builds}  # public, admin
        env = dotnet_env()
        backends = []
        for i, port in enumerate(backend_ports, start=1):
            backends.append(processes.start(
                f"backend-{i}", ["dotnet", str(backend_dll), "--urls", f"http://127.0.0.1:{port}", f"--Backend:Name=backend-{i}"],
                work / f"backend-{i}.log", cwd=backend_dll.parent, env=env))
        tuning = dict(item.split("=", 1) for item in args.ginx_env)
        ginx_env = {**env, **tuning}
        servers = {"direct": backends[0]}
        for target, ginx_build in ginx_builds.items():
            servers[target] = processes.start(target, ginx_argv(ginx_build, *ginx_ports[target], backend_ports),
                                              work / f"{target}.log", cwd=ginx_build.parent, env=ginx_env)
        if plain_yarp is not None:
            servers[YARP_TARGET] = processes.start(
                YARP_TARGET, plain_yarp_argv(plain_yarp, ginx_builds["ginx"], yarp_port, backend_ports),
                work / f"{YARP_TARGET}.log", cwd=plain_yarp.parent, env={**env, **GINX_RUNTIME_ENV, **tuning})
        conf = work / "nginx.conf"
        conf.write_text(nginx_conf(work, nginx_port, backend_ports))
        servers["nginx"] = processes.start(
            "nginx", [tools["nginx"], "-p", str(work), "-c", str(conf), "-e", str(work / "nginx-error.log")],
            work / "nginx.log")

        bases = {"direct": f"http://127.0.0.1:{backend_ports[0]}", "nginx": f"http://127.0.0.1:{nginx_port}"}
        bases |= {target: f"http://127.0.0.1:{port}" for target, (port, _) in ginx_ports.items()}
        bases[YARP_TARGET] = f"http://127.0.0.1:{yarp_port}"
        rss_pids = {target: servers[target].pid for target in targets}
        for i, port in enumerate(backend_ports, start=1):
            wait_ready(f"backend-{i}", f"http://127.0.0.1:{port}/health", processes)
        for target in proxies:
            wait_ready(target, bases[target] + "/health", processes)
        for target in targets:
            check_target(target, bases[target], balanced=target != "direct")
        for target, (_, admin_port) in ginx_ports.items():
            check_status_api(target, f"http://127.0.0.1:{admin_port}")
        pids = ", ".join(f"{target} {rss_pids[target]}" for target in proxies)
        print(f"bench: ready (pids: backends {[b.pid for b in backends]}, {pids}; logs in {work})", flush=True)

        def load(target: str, scenario: str, conns: int, duration: float) -> dict:
            return run_wrk(tools["wrk"], processes, bases[target], SCENARIOS[scenario], conns, args.threads,
                           duration, rss_pids[target])

        for target in targets:
            for scenario in args.scenarios:
                print(f"bench: warm-up {target} {scenario}", flush=True)
                load(target, scenario, max(args.connections), args.warmup)

        runs: list[Run] = []
        width = max(map(len, targets))
        for n in range(1, args.rounds + 1):
            # Each round starts with a different target, so drift on a shared box favours none.
            first = (n - 1) % len(targets)
            order = targets[first:] + targets[:first]
            for scenario in args.scenarios:
                for conns in args.connections:
                    for target in order:
                        result = load(target, scenario, conns, args.duration)
                        run = Run(n, scenario, conns, target,
                                  result["requests"] / (result["duration_us"] / 1e6),
                                  result["p50_us"] / 1000, result["p99_us"] / 1000,
                                  result["peak_rss_mb"], result["cpu_us_per_request"],
                                  {k: v for k, v in result["errors"].items() if v})
                        runs.append(run)
                        print(f"bench: round {n} {scenario:16} c={conns:<4} {target:{width}} {run.requests_per_s:>10,.0f} req/s "
                              f"p50 {run.p50_ms:7.2f} ms  p99 {run.p99_ms:7.2f} ms  rss {run.peak_rss_mb:4.0f} MB  "
                              f"cpu {run.cpu_us_per_request:5.1f} µs/req"
                              + (f"  ERRORS {run.errors}" if run.errors else ""), flush=True)

        rows = summarise(runs, args.scenarios, args.connections, targets)
        table = markdown_table(rows, targets)
        print("\n" + table + "\n")
        # Timeouts are slowness, which the numbers already show; anything else is a broken set-up.
        errors = sum(n for r in runs for kind, n in r.errors.items() if kind != "timeout")

        out = args.out or BENCH_DIR / "results" / (datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ") + ".json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({
            "meta": _meta(args, tools),
            "summary": rows,
            "table_markdown": table,
            "runs": [r.__dict__ for r in runs],
        }, indent=2) + "\n")
        print(f"bench: results written to {out.relative_to(REPO_DIR) if out.is_relative_to(REPO_DIR) else out}")
        if errors:
            keep_logs = True
            print(f"bench: {errors} requests failed (see the runs above): the numbers are not comparable; "
                  f"logs are in {work}", file=sys.stderr)
            return 1
        return 0
    except HarnessError as error:
        keep_logs = True
        print(f"bench: FAILED: {error}\nbench: logs are in {work}", file=sys.stderr)
        for log in sorted(work.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-15:]
            print(f"---- {log.name} (last lines)\n" + "\n".join(tail), file=sys.stderr)
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


def _existing(project: str) -> Path:
    dlls = glob.glob(str(REPO_DIR / project / "bin" / "Release" / "*" / f"{Path(project).name}.dll"))
    if len(dlls) != 1:
        raise HarnessError(f"expected one Release build of {project}, found {dlls or 'none'}: run without --no-build")
    return Path(dlls[0])


def _existing_native(project: str) -> Path:
    native = AOT_DIR / project
    if not native.is_file():
        raise HarnessError(f"no Native AOT build of {project} in {AOT_DIR}: run without --no-build")
    # Without PublishAot, publish leaves a .dll and an apphost by that name, which is not what --aot measures.
    if (AOT_DIR / f"{project}.dll").exists():
        raise HarnessError(f"{AOT_DIR} holds a JIT build of {project}, not a Native AOT one: is PublishAot still on?")
    return native


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
        "wrk": output([tools["wrk"], "-v"]),
        "rounds": args.rounds, "duration_s": args.duration, "warmup_s": args.warmup,
        "threads": args.threads, "connections": args.connections, "scenarios": args.scenarios,
        "smoke": args.smoke, "aot": args.aot, "yarp": args.yarp, "ginx_env": args.ginx_env,
    }


if __name__ == "__main__":
    sys.exit(main())
