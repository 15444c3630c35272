"""Where the harness finds and writes things."""

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BENCH_DIR.parent
PEERS_DIR = BENCH_DIR / "peers"  # each peer's configuration templates
RESULTS_DIR = BENCH_DIR / "results"
WRK_SCRIPT = BENCH_DIR / "wrk-report.lua"
# Where --aot publishes Ginx.Proxy; outside Ginx.Proxy/bin so it never shadows the JIT build, and
# kept between runs so --no-build can reuse it.
AOT_DIR = BENCH_DIR / "obj" / "ginx-aot"


def shown(path: Path) -> str:
    """A path as the user should see it: relative to the repository when inside it."""
    return str(path.relative_to(REPO_DIR)) if path.is_relative_to(REPO_DIR) else str(path)
