"""The proxies measured, each configured from its templates in bench/peers/ and started once, serving
every variant it is measured in (a policy over some of the replicas) on a loopback port of its own."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import HarnessError
from .paths import PEERS_DIR, REPO_DIR
from .processes import Processes

# What Ginx.Proxy's ProxyRuntimeDefaults sets for itself before the runtime starts (keep the value
# equal to its MaxArraysPerPartition); YARP alone gets it from the harness. The rest of Ginx's
# runtime settings come with its runtimeconfig.json.
GINX_RUNTIME_ENV = {"DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION": "256"}
PROXY_SECTION = "GinxBench"  # the configuration section Ginx and YARP alone read routes and clusters from
ROUND_ROBIN, BEST = "round-robin", "best"  # the two kinds of template


@dataclass(frozen=True)
class Peer:
    name: str
    label: str
    round_robin: str  # what the peer calls round robin
    best: tuple[str, ...] = ()  # its policies for an uneven fleet (best.* template)
    uneven: bool = True  # measured on the uneven fleet (YARP alone and the native build are not)
    templates: str = ""  # the folder of bench/peers/ its templates are in, when not its name


DIRECT = "direct"  # the first replica itself, no proxy: the classic scenarios' physical limit
NGINX = Peer("nginx", "nginx", "round robin", ("least_conn",))
HAPROXY = Peer("haproxy", "HAProxy", "roundrobin", ("leastconn",))
CADDY = Peer("caddy", "Caddy", "round_robin", ("least_conn",))
GINX_POLICIES = ("PeakEwma", "WeightedLeastRequests")  # the default of --ginx-policies


def ginx_peer(policies: tuple[str, ...]) -> Peer:
    return Peer("ginx", "Ginx", "RoundRobin", policies)


AOT = Peer("ginx-aot", "Ginx AOT", "RoundRobin", uneven=False, templates="ginx")
YARP = Peer("yarp", "YARP alone", "RoundRobin", uneven=False, templates="ginx")


@dataclass(frozen=True)
class Variant:
    """One thing measured: a peer balancing with one policy over some replicas, on its own port."""
    peer: Peer
    policy: str
    template: str  # ROUND_ROBIN or BEST
    replicas: tuple[int, ...]  # indices into the fleet
    port: int
    healthy_only: bool = False  # over the healthy replicas alone: the limit a perfect balancer approaches
    tag: str = ""  # tells apart variants of one policy otherwise alike (--growth's cluster sizes)

    @property
    def key(self) -> str:
        return f"{self.peer.name}/{self.policy}" + ("/healthy" if self.healthy_only else "") + (f"/{self.tag}" if self.tag else "")

    @property
    def label(self) -> str:
        return f"{self.peer.label} {self.policy}" + (" (healthy two alone)" if self.healthy_only else "")

    @property
    def config_name(self) -> str:
        """The name of its upstream, backend or cluster in the peer's configuration."""
        return re.sub(r"[^A-Za-z0-9]+", "_", f"{self.policy}_{'healthy' if self.healthy_only else 'all'}{self.tag}").lower()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def plan(peers: list[Peer], replicas: int, bad_replica: int, ports: list[int]) -> dict[str, list[Variant]]:
    """Every variant of every peer, each on one of `ports` (which must be enough: see count_ports)."""
    free = iter(ports)
    everything = tuple(range(replicas))
    healthy = tuple(i for i in everything if i != bad_replica)
    planned = {}
    for peer in peers:
        variants = [Variant(peer, peer.round_robin, ROUND_ROBIN, everything, next(free))]
        if peer.uneven:
            variants += [Variant(peer, policy, BEST, everything, next(free)) for policy in peer.best]
            variants.append(Variant(peer, peer.round_robin, ROUND_ROBIN, healthy, next(free), healthy_only=True))
        planned[peer.name] = variants
    return planned


def count_ports(peers: list[Peer]) -> int:
    return sum(1 + ((len(p.best) + 1) if p.uneven else 0) for p in peers)


def ginx_retry_on() -> str:
    """Ginx's RetryOn for its best variants: what nginx's proxy_next_upstream names there, http_500
    included if this Ginx knows it (older builds reject the key, so the harness reads the source)."""
    knows_500 = any('"http_500"' in path.read_text(errors="replace") for path in (REPO_DIR / "Ginx.Proxy").rglob("*.cs"))
    return "error, timeout" + (", http_500" if knows_500 else "") + ", http_502, http_503, http_504"


def render(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if left := re.findall(r"\{\{\w+\}\}", text):
        raise HarnessError(f"{template}: no value for {', '.join(sorted(set(left)))}")
    return text


def _template(peer: Peer, kind: str) -> Path:
    folder = PEERS_DIR / (peer.templates or peer.name)
    return next(folder.glob(f"{kind}.*"))


def _servers(peer: Peer, variant: Variant, replica_ports: list[int]) -> str:
    ports = [(f"backend-{i + 1}", replica_ports[i]) for i in variant.replicas]
    if peer.name == "nginx":
        # nginx's defaults, written out where the template says what they do.
        options = " max_fails=1 fail_timeout=10s" if variant.template == BEST else ""
        return "\n".join(f"    server 127.0.0.1:{port}{options};" for _, port in ports)
    if peer.name == "haproxy":
        return "\n".join(f"  server {name} 127.0.0.1:{port}" for name, port in ports)
    if peer.name == "caddy":
        return " ".join(f"127.0.0.1:{port}" for _, port in ports)
    return "\n".join(f"--{PROXY_SECTION}:Clusters:{variant.config_name}:Destinations:{name}:Address=http://127.0.0.1:{port}"
                     for name, port in ports)


def _variant_text(peer: Peer, variant: Variant, replica_ports: list[int]) -> str:
    servers = _servers(peer, variant, replica_ports)
    return render(_template(peer, variant.template), {
        "name": variant.config_name, "port": str(variant.port), "servers": servers, "destinations": servers,
        "policy": variant.policy, "retry_on": ginx_retry_on()})


def _args(text: str) -> list[str]:
    """A .args template: one argument a line, # comments and blank lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@dataclass
class StartedPeer:
    peer: Peer
    process: subprocess.Popen
    variants: list[Variant]
    admin_port: int | None = None  # Ginx's admin listener
    config: Path | None = None


@dataclass
class PeerLauncher:
    """Starts each peer with its variants over the fleet's replicas."""
    processes: Processes
    work: Path
    tools: dict[str, str]
    replica_ports: list[int]
    dotnet_env: dict[str, str]
    tuning: dict[str, str]  # --ginx-env: for Ginx and YARP alone, which stays on Ginx's settings
    ginx_builds: dict[str, Path] = field(default_factory=dict)  # "ginx", "ginx-aot" -> the build
    plain_yarp: Path | None = None

    def start(self, peer: Peer, variants: list[Variant], admin_port: int | None = None) -> StartedPeer:
        body = "\n".join(_variant_text(peer, v, self.replica_ports) for v in variants)
        if peer.name in ("nginx", "haproxy", "caddy"):
            main = _template(peer, "main")
            config = self.work / f"{peer.name}{main.suffix or '.conf'}"
            user = "user root root;" if os.geteuid() == 0 else ""
            config.write_text(render(main, {"work": str(self.work), "user": user, "variants": body}))
            argv, env = self._native_peer(peer, config)
            process = self.processes.start(peer.name, argv, self.work / f"{peer.name}.log", cwd=self.work, env=env)
            return StartedPeer(peer, process, variants, config=config)
        urls = ";".join(v.base for v in variants)
        if peer.name == YARP.name:
            ginx = self.ginx_builds["ginx"]
            # On Ginx.Proxy's runtimeconfig.json: the same GC and thread-pool settings, whatever they become.
            argv = ["dotnet", "exec", "--runtimeconfig", str(ginx.with_suffix(".runtimeconfig.json")), str(self.plain_yarp),
                    f"--urls={urls}", *_args(body)]
            env = {**self.dotnet_env, **GINX_RUNTIME_ENV, **self.tuning}
            process = self.processes.start(peer.name, argv, self.work / "yarp.log", cwd=self.plain_yarp.parent, env=env)
            return StartedPeer(peer, process, variants)
        build = self.ginx_builds[peer.name]
        # A .dll runs on the dotnet host; the Native AOT executable runs by itself, with the same arguments.
        command = ["dotnet", str(build)] if build.suffix == ".dll" else [str(build)]
        main = render(_template(peer, "main"), {"urls": urls, "admin_port": str(admin_port)})
        argv = [*command, *_args(main), *_args(body)]
        process = self.processes.start(peer.name, argv, self.work / f"{peer.name}.log", cwd=build.parent,
                                       env={**self.dotnet_env, **self.tuning})
        return StartedPeer(peer, process, variants, admin_port=admin_port)

    def _native_peer(self, peer: Peer, config: Path) -> tuple[list[str], dict[str, str] | None]:
        tool = self.tools[peer.name]
        if peer.name == "nginx":
            return [tool, "-p", str(self.work), "-c", str(config), "-e", str(self.work / "nginx-error.log")], None
        if peer.name == "haproxy":
            return [tool, "-db", "-f", str(config)], None  # -db: in the foreground
        # Caddy keeps its state under $HOME or XDG_*: in the run's own directory.
        env = dict(os.environ, HOME=str(self.work), XDG_DATA_HOME=str(self.work / "caddy-data"),
                   XDG_CONFIG_HOME=str(self.work / "caddy-config"))
        return [tool, "run", "--config", str(config), "--adapter", "caddyfile"], env
