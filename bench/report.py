"""bench/RESULTS.md from a benchmark run: the machine, every page's numbers, the targets."""

import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
BOARD_PAGES = ("board", "board_filtered", "board_deep")
#: The goal for every main page at 100k visits (HomeStretch issue 11).
MAX_STATEMENTS = 8
MAX_SERVER_MS_SQLITE = 5.0
MIN_RATIO = 0.25
MAX_P99_MS = 100.0
MAX_BOARD_GROWTH = 1.5


def machine() -> str:
    """nproc, CPU model and memory, as this machine reports them."""
    model, memory = "unknown CPU", "unknown memory"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB memory"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {model}, {memory}"


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def _run(runs, database, size):
    return next((r for r in runs if r["database"] == database and r["size"] == size), None)


def targets(runs) -> list[dict]:
    """One row per page: each target met or not, with the number it was judged on."""
    rows = []
    for page in PAGES:
        row = {"page": page.name}
        for database in ("sqlite", "postgresql"):
            big, small = _run(runs, database, "100k"), _run(runs, database, "1k")
            if big is None:
                continue
            render = big["renders"][page.key]
            load = big["pages"][page.key]
            row[f"{database} statements"] = (
                f"{render['statements']}",
                render["statements"] <= MAX_STATEMENTS,
            )
            if small is not None:
                few = small["renders"][page.key]["statements"]
                row[f"{database} same count"] = (
                    f"{few} / {render['statements']}",
                    few == render["statements"],
                )
            if database == "sqlite":
                row["sqlite ms"] = (
                    f"{render['server_ms']:.1f}",
                    render["server_ms"] <= MAX_SERVER_MS_SQLITE,
                )
            row[f"{database} ratio"] = (f"{load['ratio']:.3f}", load["ratio"] >= MIN_RATIO)
            p99 = load["load"]["p99_ms"]
            errors = load["load"]["bad_status"] + load["load"]["socket_errors"]
            row[f"{database} p99"] = (
                f"{p99:.0f}" + (f" ({errors} errors)" if errors else ""),
                p99 < MAX_P99_MS and errors == 0,
            )
            if page.key in BOARD_PAGES and small is not None:
                growth = render["server_ms"] / small["renders"][page.key]["server_ms"]
                row[f"{database} board growth"] = (f"{growth:.1f}x", growth <= MAX_BOARD_GROWTH)
        rows.append(row)
    return rows


def render(
    runs,
    elapsed_s: float,
    args,
    postgres_version: str | None,
    load: tuple[float, float] | None = None,
) -> str:
    now = datetime.now(UTC)
    out = [
        "# HomeStretch load benchmark",
        "",
        f"Run on {now:%Y-%m-%d %H:%M} UTC at commit {_commit()} by `make bench` "
        f"(`bench/load.py`, {elapsed_s / 60:.1f} minutes in all).",
        "",
        f"- Machine: {machine()}; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {postgres_version}" if postgres_version else "")
        + ".",
        (
            f"- Load average (1 minute) {load[0]:.2f} when the run started and {load[1]:.2f} "
            "when it ended (the benchmark's own load included). "
            if load
            else "- "
        )
        + "Anything else running on the machine makes every timing noisier: compare ratios to "
        "`/healthz` from the same run rather than raw numbers.",
        "- Data: `bench/seed.py`; 1k = 10 patients, 3 aides, 1,000 visits; 100k = 1,000 "
        "patients, 300 aides, 100,000 visits (a year of history, open and booked slots "
        "ahead), with circles, routines, medications, reports, reviews, audit rows, "
        "notifications, home logs, covers and payments. PostgreSQL was ANALYZEd after "
        "seeding; SQLite was not (as in production).",
        f"- In-process: the Flask test client, statements counted with "
        f"`before_cursor_execute` (writes in brackets), median of up to {args.renders} renders. "
        f"Under load: gunicorn with 4 workers on 127.0.0.1, `wrk -t2 -c16 -d{args.seconds:g}s` "
        "per page after 16 unmeasured views at once, `/healthz` every 3 pages; the "
        "ratio compares a page's req/s with the `/healthz` runs just before and after it.",
        "",
        "## Targets at 100k visits",
        "",
        f"At most {MAX_STATEMENTS} statements, the same count at 1k and 100k, at most "
        f"{MAX_SERVER_MS_SQLITE:g} ms on SQLite, at least {MIN_RATIO}x `/healthz`, p99 under "
        f"{MAX_P99_MS:g} ms at 16 connections (with no errors), the board at 100k no more than "
        f"{MAX_BOARD_GROWTH}x its time at 1k.",
        "",
    ]
    rows = targets(runs)
    columns = []
    for row in rows:
        for key in row:
            if key != "page" and key not in columns:
                columns.append(key)
    out.append("| page | " + " | ".join(columns) + " |")
    out.append("|---" * (len(columns) + 1) + "|")
    met = total = 0
    for row in rows:
        cells = []
        for key in columns:
            if key not in row:
                cells.append("")
                continue
            value, ok = row[key]
            cells.append(f"{value} {_mark(ok)}")
            total += 1
            met += bool(ok)
        out.append(f"| {row['page']} | " + " | ".join(cells) + " |")
    out += ["", f"**{met} of {total} targets met.**", ""]

    for database in ("sqlite", "postgresql"):
        chosen = [run for run in runs if run["database"] == database]
        if not chosen:
            continue
        out += [f"## {'SQLite' if database == 'sqlite' else 'PostgreSQL'}: every page", ""]
        out.append(
            "| page | visits | statements | server ms | req/s | ratio | p50 ms | p99 ms "
            "| KB | non-2xx |"
        )
        out.append("|---" * 10 + "|")
        for page in PAGES:
            for run in chosen:
                render_ = run["renders"][page.key]
                load = run["pages"][page.key]
                wrk = load["load"]
                writes = f" (+{render_['writes']})" if render_["writes"] else ""
                out.append(
                    f"| {page.name} | {run['size']} | {render_['statements']}{writes} | "
                    f"{render_['server_ms']:.1f} | {wrk['rps']:.0f} | {load['ratio']:.3f} | "
                    f"{wrk['p50_ms']:.1f} | {wrk['p99_ms']:.0f} | "
                    f"{wrk['bytes_per_request'] / 1024:.1f} | "
                    f"{wrk['bad_status'] + wrk['socket_errors']} |"
                )
        for run in chosen:
            rates = ", ".join(f"{h['rps']:.0f}" for h in run["healthz"])
            out.append("")
            out.append(f"`/healthz` req/s at {run['size']}: {rates}.")
        out.append("")

    out += [
        "## Booking through gunicorn",
        "",
        "| database | visits | race: aides on one slot | booked | refused (409) | 5xx "
        "| disjoint: aides x slots | booked | bookings/s | p50 ms | p99 ms | 5xx |",
        "|---" * 12 + "|",
    ]
    for run in runs:
        race, spread = run["contention"], run["disjoint"]
        out.append(
            f"| {run['database']} | {run['size']} | {race['aides']} | {race['booked']} | "
            f"{race['refused']} | {race['server_errors'] + race['crashes']} | "
            f"{spread['aides']} x {spread['attempts'] // max(spread['aides'], 1)} | "
            f"{spread['booked']} | {spread['rate']:.1f} | {spread['p50_ms']:.0f} | "
            f"{spread['p99_ms']:.0f} | {spread['server_errors'] + spread['crashes']} |"
        )
    out += [
        "",
        "The race must end with exactly one booking and no 5xx (at 1k there are only 3 aides "
        "to race). Disjoint bookings: each aide books slots of their own one after another, "
        "all aides at once.",
        "",
    ]
    return "\n".join(out)
