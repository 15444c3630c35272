"""Plain HTTP calls the harness makes itself: readiness, correctness checks, chaos and stats."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from .errors import HarnessError
from .processes import Processes


def http(url: str, body: bytes | None = None, timeout: float = 5, method: str | None = None,
         content_type: str = "application/octet-stream") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method or ("POST" if body is not None else "GET"))
    if body is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def http_json(url: str, payload: object | None = None, method: str = "GET") -> object:
    """A JSON call that must succeed."""
    body = json.dumps(payload).encode() if payload is not None else None
    status, _, reply = http(url, body, method=method, content_type="application/json")
    if status != 200:
        raise HarnessError(f"{method} {url} answered {status}: {reply[:200]!r}")
    return json.loads(reply)


def wait_ready(name: str, url: str, processes: Processes, timeout: float = 90, poll: float = 0.1) -> None:
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
        time.sleep(poll)


def check_spread(name: str, base: str, replicas: int) -> None:
    """A balanced target must reach every replica it is given (round robin reaches them in turn)."""
    # Header names in any case: HAProxy sends them in lower case.
    seen = {_header(http(base + "/bytes/1")[1], "X-Replica") for _ in range(4 * replicas)}
    if len(seen) != replicas:
        raise HarnessError(f"{name} did not spread requests over {replicas} replicas: saw {sorted(map(str, seen))}")


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def check_status_api(name: str, admin_base: str, cluster: str, replicas: int) -> None:
    """Ginx's status API lists a cluster and its replicas: a check that the native build, which
    cannot fall back on reflection, still serializes it."""
    status, _, reply = http(admin_base + "/ginx/status")
    try:
        clusters = json.loads(reply)["clusters"] if status == 200 else []
    except (ValueError, KeyError, TypeError):
        clusters = []
    destinations = [d for c in clusters if c.get("id") == cluster for d in c.get("destinations", [])]
    if len(destinations) != replicas:
        raise HarnessError(f"{name}'s /ginx/status answered {status} without the {replicas} replicas of "
                           f"{cluster}: {reply[:200]!r}")
