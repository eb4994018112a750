"""The HomeStretch load benchmark: every main page at 1,000 and 100,000 visits, on SQLite and,
given a URL, on PostgreSQL. Prints a report and writes it to bench/RESULTS.md.

    .venv/bin/python bench/load.py [--database-url postgresql+psycopg://.../empty_db]
                                   [--sizes 1k 100k] [--seconds 3] [--renders 30]

For each database and size it seeds the data set once (bench/seed.py; SQLite into a cache file
under bench/.cache/, PostgreSQL into a schema of its own, bench_1k or bench_100k, of a database
that is otherwise empty), then measures on it:

* in-process, with the Flask test client: the SQL statements each page runs and its median
  server time over about 30 renders;
* through gunicorn (4 workers, 127.0.0.1, REQUEST_LOG=0), logged in as each role: `wrk -t2 -c16`
  for a few seconds per page (after 16 unmeasured views at once, so each worker has seen it),
  with /healthz runs in between, giving req/s, the ratio to the nearest /healthz runs, p50,
  p99 and bytes;
* bookings: twenty aides tapping "Book" on one slot at once (exactly one may win, nobody may
  see a 5xx), and aides booking different slots side by side (bookings per second).

The data sets are reseeded when the models or the seed change, or on a new day; SQLite is
measured on a copy of the cached file, so runs never change the cache.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, inspect, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.schema import CreateIndex, CreateTable  # noqa: E402

from bench import pages as bench_pages  # noqa: E402
from bench import report, serve  # noqa: E402
from bench.seed import PASSWORD, SIZES, password_hash, seed_database  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.scheduling.models import HELD, Visit  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
RACERS = 20
DISJOINT_PER_AIDE = 5
HEALTHZ_EVERY = 3


def fingerprint(dialect, shape) -> str:
    """Changes when the tables, the seed or the shape change, and every day (visits ahead
    must stay ahead)."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        digest.update(str(CreateTable(table).compile(dialect=dialect)).encode())
        for index in sorted(table.indexes, key=lambda index: index.name or ""):
            digest.update(str(CreateIndex(index).compile(dialect=dialect)).encode())
    digest.update((ROOT / "bench" / "seed.py").read_bytes())
    digest.update(repr(shape).encode())
    digest.update(datetime.now(UTC).date().isoformat().encode())
    return digest.hexdigest()[:16]


def make_app(url: str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": serve.SECRET_KEY,
            "REQUEST_LOG": False,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        }
    )


def _seed_into(url: str, size: str) -> dict:
    app = make_app(url)
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        world = seed_database(db.engine, SIZES[size], datetime.now(UTC), password_hash())
        print(f"  seeded {size} in {time.perf_counter() - started:.0f} s: {world.counts}")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    return world.as_dict()


def prepare_sqlite(size: str) -> tuple[str, dict]:
    """A fresh working copy of the cached SQLite data set (seeded first if need be)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cache, meta = CACHE / f"sqlite-{size}.sqlite", CACHE / f"sqlite-{size}.json"
    from sqlalchemy.dialects import sqlite

    wanted = fingerprint(sqlite.dialect(), SIZES[size])
    known = json.loads(meta.read_text()) if meta.exists() and cache.exists() else {}
    if known.get("fingerprint") != wanted:
        print(f"seeding the {size} data set into {cache.relative_to(ROOT)}")
        for stale in CACHE.glob(f"sqlite-{size}.*"):
            stale.unlink()
        world = _seed_into(f"sqlite:///{cache}", size)
        engine = create_engine(f"sqlite:///{cache}")
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
        engine.dispose()
        meta.write_text(json.dumps({"fingerprint": wanted, "world": world}))
        known = {"world": world}
    work = CACHE / f"run-sqlite-{size}.sqlite"
    for old in CACHE.glob(f"run-sqlite-{size}.sqlite*"):
        old.unlink()
    shutil.copyfile(cache, work)
    return f"sqlite:///{work}", known["world"]


def _schema_url(base_url: str, schema: str) -> str:
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def check_postgres_is_empty(base_url: str) -> None:
    """Refuse a database that holds anything but our own bench_* schemas."""
    engine = create_engine(base_url)
    try:
        tables = inspect(engine).get_table_names(schema="public")
    finally:
        engine.dispose()
    if tables:
        sys.exit(
            f"{make_url(base_url).database} is not empty (public has {len(tables)} tables); "
            "give the benchmark an empty database of its own."
        )


def prepare_postgres(base_url: str, size: str) -> tuple[str, dict]:
    """The data set in schema bench_<size> of the benchmark's database (seeded if need be)."""
    from sqlalchemy.dialects import postgresql

    schema = f"bench_{size}"
    wanted = fingerprint(postgresql.dialect(), SIZES[size])
    engine = create_engine(base_url)
    with engine.begin() as connection:
        known = None
        if inspect(connection).has_table("bench_seed", schema=schema):
            known = connection.execute(
                text(f"SELECT world FROM {schema}.bench_seed WHERE fingerprint = :f"),
                {"f": wanted},
            ).scalar()
        if known is None:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = _schema_url(base_url, schema)
    if known is None:
        print(f"seeding the {size} data set into PostgreSQL schema {schema}")
        world = _seed_into(url, size)
        with engine.begin() as connection:
            connection.execute(
                text(f"CREATE TABLE {schema}.bench_seed (fingerprint text, world text)")
            )
            connection.execute(
                text(f"INSERT INTO {schema}.bench_seed VALUES (:f, :w)"),
                {"f": wanted, "w": json.dumps(world)},
            )
        known = json.dumps(world)
    engine.dispose()
    return url, json.loads(known)


def in_process(url: str, world: dict, renders: int) -> tuple[bench_pages.Targets, dict]:
    """Statements and median server time of every page, with the Flask test client."""
    app = make_app(url)
    with app.app_context():
        targets = bench_pages.targets_for(world, datetime.now(UTC))
    clients = {
        role: bench_pages.log_in(app, bench_pages.email_for(role, targets), PASSWORD)
        for role in bench_pages.ROLES
    }
    clients[None] = app.test_client()
    results = {}
    for page in bench_pages.PAGES:
        results[page.key] = bench_pages.measure(
            app, clients[page.role], page.path(targets), renders
        )
        print(
            f"  {page.name:32} {results[page.key].status} "
            f"{results[page.key].statements:3} statements  {results[page.key].server_ms:7.1f} ms"
        )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return targets, results


def _racing_slots(url: str, world: dict) -> tuple[int, list[dict], list[list[int]]]:
    """One open slot two days or more ahead, the aides free then, and for each of them a few
    other open slots that clash with nothing they hold."""
    app = make_app(url)
    now = datetime.now(UTC)
    with app.app_context():
        candidates = db.session.execute(
            select(Visit.id, Visit.starts_at, Visit.ends_at)
            .where(Visit.status == "open", Visit.starts_at > now + timedelta(days=2))
            .order_by(Visit.starts_at, Visit.id)
            .limit(3000)
        ).all()
        aide_ids = [aide["id"] for aide in world["aides"]]
        held = db.session.execute(
            select(Visit.aide_id, Visit.starts_at, Visit.ends_at).where(
                Visit.aide_id.in_(aide_ids), Visit.status.in_(HELD), Visit.ends_at > now
            )
        ).all()
        db.session.remove()
        db.engine.dispose()
    busy = {aide_id: [] for aide_id in aide_ids}
    for aide_id, starts_at, ends_at in held:
        busy[aide_id].append((starts_at, ends_at))

    def free(aide_id, starts_at, ends_at):
        return all(e <= starts_at or s >= ends_at for s, e in busy[aide_id])

    race_id, race_start, race_end = candidates[0]
    racers = [a for a in world["aides"] if free(a["id"], race_start, race_end)][:RACERS]
    for aide in racers:  # any of them may win the race, so none plans around that slot
        busy[aide["id"]].append((race_start, race_end))
    taken = {race_id}
    plans = []
    for aide in racers:
        mine = []
        for visit_id, starts_at, ends_at in candidates[1:]:
            if len(mine) == DISJOINT_PER_AIDE:
                break
            if visit_id in taken or not free(aide["id"], starts_at, ends_at):
                continue
            mine.append(visit_id)
            taken.add(visit_id)
            busy[aide["id"]].append((starts_at, ends_at))
        plans.append(mine)
    return race_id, racers, plans


def _reopen(url: str, visit_ids: list[int]) -> None:
    """Put the benchmark's booked slots back on the board, as they were seeded."""
    app = make_app(url)
    with app.app_context():
        db.session.execute(
            update(Visit)
            .where(Visit.id.in_(visit_ids))
            .values(status="open", aide_id=None, booked_at=None)
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def under_load(url: str, world: dict, targets, seconds: float, log: Path) -> dict:
    """wrk on every page through gunicorn, /healthz in between, then the booking rounds."""
    race_id, racers, plans = _racing_slots(url, world)
    server = serve.Server(url, log)
    try:
        browsers = {
            role: serve.Browser(server.port).log_in(bench_pages.email_for(role, targets), PASSWORD)
            for role in bench_pages.ROLES
        }
        for browser in browsers.values():
            browser.csrf_token()  # settle the session cookie before wrk shares it
        healthz, loads, statuses = [], {}, {}
        healthz.append(serve.run_wrk(server.url("/healthz"), None, seconds))
        for number, page in enumerate(bench_pages.PAGES, start=1):
            browser = browsers.get(page.role) or serve.Browser(server.port)
            statuses[page.key] = browser.request("GET", page.path(targets))[0]
            address, cookie = server.url(page.path(targets)), browser.cookie_header()
            serve.warm_up(browser, page.path(targets))  # p99 is the page's, not a first view
            loads[page.key] = (len(healthz) - 1, serve.run_wrk(address, cookie, seconds))
            print(
                f"  {page.name:32} {loads[page.key][1].rps:7.0f} req/s  "
                f"p99 {loads[page.key][1].p99_ms:6.0f} ms"
            )
            if number % HEALTHZ_EVERY == 0 or number == len(bench_pages.PAGES):
                healthz.append(serve.run_wrk(server.url("/healthz"), None, seconds))
        aides = []
        for aide in racers:
            browser = serve.Browser(server.port).log_in(aide["email"], PASSWORD)
            aides.append((browser, browser.csrf_token()))
        race = serve.contention(aides, race_id)
        spread = serve.disjoint(aides, plans)
    finally:
        server.stop()
        # PostgreSQL keeps its data set from run to run: the slots booked here go back on the
        # board, or the next run would find fewer free slots and aides to race.
        _reopen(url, [race_id, *(visit_id for plan in plans for visit_id in plan)])
    pages = {}
    for key, (before, load) in loads.items():
        near = [healthz[before].rps, healthz[min(before + 1, len(healthz) - 1)].rps]
        pages[key] = {
            "load": asdict(load),
            "http_status": statuses[key],
            "ratio": load.rps / max(sum(near) / len(near), 1e-9),
        }
    return {
        "healthz": [asdict(run) for run in healthz],
        "pages": pages,
        "contention": {**asdict(race), "aides": len(aides)},
        "disjoint": {**asdict(spread), "aides": len(aides), "rate": spread.rate},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an EMPTY PostgreSQL database to measure too")
    parser.add_argument("--sizes", nargs="+", default=["1k", "100k"], choices=list(SIZES))
    parser.add_argument("--seconds", type=float, default=3, help="length of each wrk run")
    parser.add_argument("--renders", type=int, default=30, help="in-process renders per page")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")
    databases = [] if args.no_sqlite else ["sqlite"]
    if args.database_url:
        check_postgres_is_empty(args.database_url)
        databases.append("postgresql")
    if not databases:
        sys.exit("Nothing to measure: give --database-url, or leave out --no-sqlite.")

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    runs = []
    CACHE.mkdir(parents=True, exist_ok=True)
    for database in databases:
        for size in args.sizes:
            print(f"\n== {database}, {size} visits")
            if database == "sqlite":
                url, world = prepare_sqlite(size)
            else:
                url, world = prepare_postgres(args.database_url, size)
            targets, renders = in_process(url, world, args.renders)
            load = under_load(url, world, targets, args.seconds, CACHE / "gunicorn.log")
            runs.append(
                {
                    "database": database,
                    "size": size,
                    "visits": SIZES[size].visits,
                    "renders": {key: asdict(value) for key, value in renders.items()},
                    **load,
                }
            )
            if database == "sqlite":
                for work in CACHE.glob(f"run-sqlite-{size}.sqlite*"):
                    work.unlink()
    elapsed = time.perf_counter() - started
    (CACHE / "results.json").write_text(json.dumps(runs, indent=1))
    markdown = report.render(
        runs,
        elapsed,
        args,
        postgres_version=_pg_version(args),
        load=(load_before, os.getloadavg()[0]),
    )
    args.out.write_text(markdown)
    print("\n" + markdown)
    print(f"written to {args.out} in {elapsed / 60:.1f} minutes")


def _pg_version(args) -> str | None:
    if not args.database_url:
        return None
    engine = create_engine(args.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()


if __name__ == "__main__":
    os.environ.setdefault("REQUEST_LOG", "0")
    main()
