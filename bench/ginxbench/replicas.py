"""The fleet of Ginx.SampleBackend replicas every proxy balances over: started directly (not through
Aspire), each on its own loopback port; their /chaos makes one misbehave, their /stats says what
each served."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .probes import http_json, wait_ready
from .processes import Processes


class Fleet:
    def __init__(self, processes: Processes, dll: Path, ports: list[int], work: Path, env: dict[str, str]) -> None:
        self._processes = processes
        self._dll = dll
        self.ports = ports
        self._work = work
        self._env = env
        self._running: dict[int, subprocess.Popen] = {}

    @property
    def names(self) -> list[str]:
        return [self.name(i) for i in range(len(self.ports))]

    @staticmethod
    def name(index: int) -> str:
        return f"backend-{index + 1}"

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def running(self, index: int) -> bool:
        return index in self._running

    def pid(self, index: int) -> int:
        return self._running[index].pid

    def start(self) -> None:
        """Starts every replica that is not running (all of them, at first) and waits until each is ready."""
        stopped = [index for index in range(len(self.ports)) if not self.running(index)]
        for index in stopped:
            self.start_one(index)
        for index in stopped:
            self.wait_ready(index)

    def start_one(self, index: int) -> None:
        """Starts a replica without waiting for it: a restarted replica is ready when it is."""
        self._running[index] = self._processes.start(
            self.name(index),
            ["dotnet", str(self._dll), "--urls", self.url(index), f"--Backend:Name={self.name(index)}"],
            self._work / f"{self.name(index)}.log", cwd=self._dll.parent, env=self._env)

    def wait_ready(self, index: int, poll: float = 0.1) -> None:
        wait_ready(self.name(index), self.url(index) + "/health", self._processes, poll=poll)

    def kill(self, index: int) -> dict:
        """SIGKILLs a replica, as a crash; returns its stats since they were reset."""
        stats = self.stats(index)
        self._processes.kill(self._running.pop(index))
        return stats

    def kill_all(self) -> None:
        for index in list(self._running):
            self.kill(index)

    def set_chaos(self, index: int, chaos: dict | None) -> None:
        if chaos is None:
            http_json(self.url(index) + "/chaos", method="DELETE")
        else:
            http_json(self.url(index) + "/chaos", chaos, method="POST")

    def heal(self) -> None:
        for index in range(len(self.ports)):
            self.set_chaos(index, None)

    def reset_stats(self) -> None:
        for index in range(len(self.ports)):
            http_json(self.url(index) + "/stats", method="DELETE")

    def stats(self, index: int) -> dict:
        """Since its stats were reset (or it started): `served`, the requests it received, errors it
        injected included (attempts: a retried request counts on each replica it reached), and
        `maxInFlight`, the most it held at once."""
        return http_json(self.url(index) + "/stats")
