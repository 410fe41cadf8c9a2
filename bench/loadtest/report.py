"""The load run's figures (L1): per action count, p50, p95, max, errors; servers' CPU and RSS; markdown and JSON."""

from __future__ import annotations

import math
from collections import defaultdict

from bench.loadtest.scenarios import Sample
from bench.loadtest.servers import Usage

FLOOR_ACTION = "floor.click"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def action_rows(samples: list[Sample]) -> list[dict]:
    """One row per action, in the order they first happened; latencies of every click, failed ones too."""
    by_action: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_action[sample.action].append(sample)
    rows = []
    for action, group in by_action.items():
        seconds = [s.seconds for s in group]
        rows.append({"action": action, "phase": group[0].phase, "count": len(group), "p50_ms": round(1000 * percentile(seconds, 50), 1),
                     "p95_ms": round(1000 * percentile(seconds, 95), 1), "max_ms": round(1000 * max(seconds), 1),
                     "errors": sum(s.outcome == "error" for s in group),
                     "refused": sum(s.outcome == "refused" for s in group)})
    return rows


def usage_row(label: str, usage: Usage, clicks: int, tracebacks: int | None) -> dict:
    cpu = usage.cpu
    return {"server": label, "cpu_s": None if cpu is None else round(cpu, 2),
            "cpu_mean_pct": None if usage.mean_percent is None else round(usage.mean_percent, 1),
            "cpu_peak_pct": round(usage.peak_percent, 1),
            "rss_start_mb": None if usage.rss_start is None else round(usage.rss_start, 1),
            "rss_end_mb": None if usage.rss_end is None else round(usage.rss_end, 1),
            "rss_peak_mb": round(usage.rss_peak, 1), "clicks": clicks,
            "cpu_per_click_ms": None if cpu is None or not clicks else round(1000 * cpu / clicks, 1),
            "tracebacks": tracebacks}


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def markdown(result: dict) -> str:
    cfg, floor = result["config"], result.get("floor")
    floor_p95 = floor["p95_ms"] if floor else None
    lines = [f"## make loadtest: N={cfg['n']}, {cfg['seconds']} s, {cfg['db']}, "
             f"{len(cfg['servers'])} app server(s), floor {'beside it' if floor else 'off'}",
             "",
             f"{cfg['started_at']} · load average before {cfg['loadavg']} · {cfg['cpus']} cores · "
             f"streamlit {cfg['streamlit']} · {cfg['commit']}",
             "",
             "Arriving: each session logs in and opens its first page, staggered; then all click together "
             "for the measured phase. Latency is click to `script_finished`.",
             "",
             "| action | count | p50 ms | p95 ms | max ms | errors | refused | floor p95 ms | p95 ÷ floor |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in result["actions"] + [result["all_clicks"]]:
        ratio = "—" if not floor_p95 or row["p95_ms"] is None else f"{row['p95_ms'] / floor_p95:.1f}×"
        name = f"{row['action']} (arriving)" if row.get("phase") == "arrive" else row["action"]
        lines.append(f"| {name} | {row['count']} | {_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | "
                     f"{_ms(row['max_ms'])} | {row['errors']} | {row['refused']} | {_ms(floor_p95)} | {ratio} |")
    if floor:
        lines.append(f"| *floor: one-button page* | {floor['count']} | {_ms(floor['p50_ms'])} | "
                     f"{_ms(floor['p95_ms'])} | {_ms(floor['max_ms'])} | {floor['errors']} | {floor['refused']} | | |")
    lines += ["", "| server | CPU s | CPU % mean | CPU % peak | RSS MB start → end (peak) | clicks | CPU ms / click | "
                  "tracebacks |", "|---|---:|---:|---:|---|---:|---:|---:|"]
    for row in result["servers"]:
        lines.append(f"| {row['server']} | {row['cpu_s'] if row['cpu_s'] is not None else '—'} | "
                     f"{row['cpu_mean_pct'] if row['cpu_mean_pct'] is not None else '—'} | {row['cpu_peak_pct']} | "
                     f"{_ms(row['rss_start_mb'])} → {_ms(row['rss_end_mb'])} ({_ms(row['rss_peak_mb'])}) | "
                     f"{row['clicks']} | {_ms(row['cpu_per_click_ms'])} | "
                     f"{'—' if row['tracebacks'] is None else row['tracebacks']} |")
    totals = result["totals"]
    lines += ["", f"**{totals['errors']} errors**, {totals['refused']} refused; app CPU per click "
                  f"{_ms(totals['app_cpu_per_click_ms'])} ms vs floor {_ms(totals['floor_cpu_per_click_ms'])} ms"
                  + (f" ({totals['cpu_ratio']:.1f}×)" if totals.get("cpu_ratio") else "") + "."]
    for kind in ("errors", "refusals"):
        if result[kind]:
            lines += ["", f"First {kind}:"] + [f"- {item}" for item in result[kind][:10]]
    return "\n".join(lines) + "\n"
