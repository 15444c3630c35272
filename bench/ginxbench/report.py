"""Markdown tables and target lines, as printed and as kept in the JSON results."""

from __future__ import annotations

from .classic import LABELS, active_ratios


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def classic_tables(rows: list[dict], targets: list[str]) -> str:
    """Three tables: requests/s, latency, cost; each with Ginx's ratios against the peers."""
    proxies = [t for t in targets if t != "direct"]
    ratios = active_ratios(targets)

    def ratio_cells(row: dict, metric: str) -> list[str]:
        return [f"{row['ratios'][r.key]:.2f}×" for r in ratios if r.metric == metric]

    def ratio_headers(metric: str) -> list[str]:
        return [r.header() + (f" (target {'≤' if r.at_most else '≥'} {r.bound})" if r.bound else "")
                for r in ratios if r.metric == metric]

    first = ["scenario", "conns"]
    throughput = table(
        first + [f"{LABELS[t]} req/s" for t in targets] + ratio_headers("requests_per_s"),
        [[row["scenario"], str(row["connections"])] + [f"{row[t]['requests_per_s']:,.0f}" for t in targets]
         + ratio_cells(row, "requests_per_s") for row in rows])
    names = " / ".join(LABELS[t] for t in proxies)
    latency = table(
        first + [f"p50 {names} (ms)", f"p99 {names} (ms)", f"p99.9 {names} (ms)"] + ratio_headers("p99_ms"),
        [[row["scenario"], str(row["connections"])]
         + [" / ".join(f"{row[t][m]:.2f}" for t in proxies) for m in ("p50_ms", "p99_ms", "p999_ms")]
         + ratio_cells(row, "p99_ms") for row in rows])
    cost = table(
        first + [f"peak RSS {names} (MB)", f"CPU {names} (µs/req)"]
        + ratio_headers("cpu_us_per_request") + ratio_headers("peak_rss_mb"),
        [[row["scenario"], str(row["connections"])]
         + [" / ".join(f"{row[t][m]:.0f}" for t in proxies) for m in ("peak_rss_mb", "cpu_us_per_request")]
         + ratio_cells(row, "cpu_us_per_request") + ratio_cells(row, "peak_rss_mb") for row in rows])
    return f"{throughput}\n\n{latency}\n\n{cost}"


def classic_verdicts(rows: list[dict], targets: list[str]) -> list[str]:
    """Issue #19's cost targets against YARP alone, scenario by scenario."""
    lines = []
    for r in (r for r in active_ratios(targets) if r.bound is not None):
        for row in rows:
            value = row["ratios"][r.key]
            met = value <= r.bound if r.at_most else value >= r.bound
            lines.append(f"{'met    ' if met else 'MISSED '} {r.header()} {'≤' if r.at_most else '≥'} {r.bound}: "
                         f"{value:.2f}× ({row['scenario']}, {row['connections']} connections)")
    return lines


def uneven_tables(summary: dict) -> str:
    """One table per fault, then the limit: each proxy over the healthy two alone."""
    header = ["proxy, policy", "req/s", "p50 (ms)", "p99 (ms)", "p99.9 (ms)", "client errors",
              "share of the bad replica", "most in flight on it", "share per replica"]

    def cells(row: dict) -> list[str]:
        return [row["label"], f"{row['requests_per_s']:,.0f}", f"{row['p50_ms']:.2f}", f"{row['p99_ms']:.2f}",
                f"{row['p999_ms']:.2f}", f"{row['client_errors']:,}", f"{100 * row['bad_replica_share']:.2f} %",
                str(row["bad_replica_max_in_flight"]),
                " / ".join(f"{100 * s:.1f}" for s in row["served_share"]) + " %"]

    parts = [f"**{f['title']}**\n\n" + table(header, [cells(r) for r in f["rows"]]) for f in summary["faults"]]
    if summary["limit"]:
        parts.append("**The limit: each proxy over the two healthy replicas alone**\n\n"
                     + table(header[:6], [cells(r)[:6] for r in summary["limit"]]))
    return "\n\n".join(parts)


def verdict_lines(verdicts: list[dict]) -> list[str]:
    lines = []
    for v in verdicts:
        value = f"{v['value']:,.1f}" if v["unit"] != "errors" else f"{v['value']:,}"
        bound = f"{v['bound']:,.1f}" if v["unit"] != "errors" else f"{v['bound']:,}"
        ratio = f", {v['ratio']:.2f}× the bound" if v["ratio"] is not None else ""
        lines.append(f"{'met    ' if v['met'] else 'MISSED '} {v['fault']:12} Ginx {v['policy']}: {v['target']}: "
                     f"{value} {v['unit']} against {bound} ({v['reference']}{ratio})")
    return lines
