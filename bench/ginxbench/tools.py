"""What the benchmark runs on: the peers' binaries, from Debian's packages, and the .NET builds."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from .errors import HarnessError
from .paths import AOT_DIR, REPO_DIR
from .processes import run_checked, which

# Each tool the harness runs and the Debian package it comes in.
PEER_PACKAGES = {"wrk": "wrk", "nginx": "nginx-light", "haproxy": "haproxy", "caddy": "caddy"}
ZLIB_HEADER = Path("/usr/include/zlib.h")


def ensure_tools(aot: bool) -> dict[str, str]:
    """Installs wrk and the peers from Debian's packages when they are missing and the harness runs as
    root (otherwise names the packages and stops), and for --aot what the native link needs: clang and
    zlib's headers. Returns each tool's path."""
    wanted = PEER_PACKAGES | ({"clang": "clang"} if aot else {})
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


def build(project: str, no_build: bool) -> Path:
    """Builds a project (its folder, relative to the repository) in Release; returns its .dll."""
    if not no_build:
        run_checked(["dotnet", "build", str(REPO_DIR / project), "-c", "Release", "-nologo", "-v", "q"])
    dlls = glob.glob(str(REPO_DIR / project / "bin" / "Release" / "*" / f"{Path(project).name}.dll"))
    if len(dlls) != 1:
        raise HarnessError(f"expected one Release build of {project}, found {dlls or 'none'}: run without --no-build")
    return Path(dlls[0])


def publish_native(project: str, no_build: bool) -> Path:
    if not no_build:
        print(f"bench: publishing {project} as Native AOT (about 90 s)", flush=True)
        # A fresh directory: a leftover of an earlier publish must not pass for this one.
        shutil.rmtree(AOT_DIR, ignore_errors=True)
        run_checked(["dotnet", "publish", str(REPO_DIR / project), "-c", "Release", "-p:PublishAot=true",
                     "-o", str(AOT_DIR), "-nologo", "-v", "q"])
    native = AOT_DIR / project
    if not native.is_file():
        raise HarnessError(f"no Native AOT build of {project} in {AOT_DIR}: run without --no-build")
    # Without PublishAot, publish leaves a .dll and an apphost by that name, which is not what --aot measures.
    if (AOT_DIR / f"{project}.dll").exists():
        raise HarnessError(f"{AOT_DIR} holds a JIT build of {project}, not a Native AOT one: is PublishAot still on?")
    return native


def dotnet_env() -> dict[str, str]:
    """The environment of the .NET processes: production, no OTLP export, nothing else changed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["ASPNETCORE_ENVIRONMENT"] = "Production"
    env.pop("DOTNET_ENVIRONMENT", None)
    return env
