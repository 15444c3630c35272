"""The one exception the harness raises on purpose."""


class HarnessError(Exception):
    """The harness itself is broken (not a slow proxy): a process died, a check failed, wrk failed."""
