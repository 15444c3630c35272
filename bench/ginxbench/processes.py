"""Every process the harness starts, each in a session of its own so it is stopped as a group (nginx's
and HAProxy's workers included) by its PID, however the harness ends; and what those processes cost."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .errors import HarnessError


class Processes:
    """The processes started so far. Thread-safe: the dying-replica fault kills and restarts one
    from a timer while wrk runs."""

    def __init__(self) -> None:
        self._started: list[tuple[str, subprocess.Popen]] = []
        self._lock = threading.Lock()

    def start(self, name: str, argv: list[str], log: Path, cwd: Path | None = None,
              env: dict[str, str] | None = None) -> subprocess.Popen:
        # Appending: a replica restarted on the same log keeps what its first life wrote.
        with open(log, "ab") as out:
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        with self._lock:
            self._started.append((name, process))
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL, as a crash: no chance to finish what it is doing. It is no longer expected alive."""
        with self._lock:
            self._started = [(n, p) for n, p in self._started if p is not process]
        signal_group(process.pid, signal.SIGKILL)
        process.wait()

    def check_alive(self) -> None:
        with self._lock:
            started = list(self._started)
        for name, process in started:
            if process.poll() is not None:
                raise HarnessError(f"{name} (pid {process.pid}) exited with code {process.returncode}")

    def stop_all(self) -> None:
        with self._lock:
            started, self._started = list(self._started), []
        # Group ids are the PIDs we started (start_new_session), so this reaches workers too and
        # nothing that is not ours.
        for _, process in reversed(started):
            signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, process in reversed(started):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"bench: {name} (pid {process.pid}) ignored SIGTERM; killing it", file=sys.stderr)
                signal_group(process.pid, signal.SIGKILL)
                process.wait()
            # A master that exited may leave members of its group (workers) behind.
            signal_group(process.pid, signal.SIGKILL)


def signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_checked(argv: list[str], **kwargs: object) -> None:
    print("bench: $ " + " ".join(argv), flush=True)
    try:
        subprocess.run(argv, check=True, **kwargs)
    except subprocess.CalledProcessError as error:
        raise HarnessError(f"{' '.join(argv[:3])} … exited with {error.returncode}") from error


def which(tool: str) -> str | None:
    # nginx and haproxy live in /usr/sbin, which a non-login PATH may leave out.
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/local/sbin")


def free_ports(count: int) -> list[int]:
    """Free loopback ports, all from one call: ports from two calls may coincide, the first ones
    being free again once returned."""
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
