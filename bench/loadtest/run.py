"""`make loadtest`: N browser sessions over Streamlit's WebSocket protocol against Duty Desk, the floor beside (L1).

    .venv/bin/python -m bench.loadtest --n 40 --seconds 90 --db sqlite --workers 1
    .venv/bin/python -m bench.loadtest --db postgres --pg-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m bench.loadtest --servers http://127.0.0.1:8080 --database-url postgresql://...

By default the run seeds its own database (a SQLite file in the work folder, or a fresh PostgreSQL
database ``dutydesk_load`` on the ``--pg-url`` server), starts ``--workers`` Streamlit processes of
Duty Desk on free loopback ports (sessions spread round-robin) and one of the floor page, warms each
page once, then drives N sessions of the office's mix and N sessions of the floor page at the same
time, for ``--seconds`` (and at most ``--max-actions`` clicks per session). ``--servers`` drives
servers already running instead (their database, ``--database-url``, is seeded when it is empty,
else given a display link for the TVs); one proxy URL with several ``--pids`` (``make serve``: nginx in front of
its processes) samples each process, and the CPU per click is theirs together. Exit status 1 when any click failed (``--fail-on-error``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path

from bench.loadtest import report, scenarios, seed, servers
from bench.loadtest.protocol import ProtocolError, Session

RESULTS = servers.ROOT / "bench" / "results"
WARM_PAGES = ("visitors", "queue", "my-tickets", "ticket", "kpi", "ticket-board", "audit")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40, help="concurrent sessions (and as many on the floor page)")
    parser.add_argument("--seconds", type=float, default=90, help="how long the sessions click")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="Streamlit processes to start for Duty Desk")
    parser.add_argument("--servers", default="", help="drive these running servers instead (URL1,URL2)")
    parser.add_argument("--pids", default="", help="with --servers: the server processes to sample (PID1,PID2)")
    parser.add_argument("--database-url", default="", help="with --servers: their database (default DATABASE_URL)")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL")
                        or "postgresql://postgres@127.0.0.1:5432/postgres", help="PostgreSQL server for --db postgres")
    parser.add_argument("--pg-name", default="dutydesk_load", help="the database created (dropped first) there")
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--no-floor", action="store_true", help="skip the one-button page")
    parser.add_argument("--max-actions", type=int, default=500, help="clicks per session at most")
    parser.add_argument("--think", default="1,3", help="think time between clicks, seconds MIN,MAX")
    parser.add_argument("--timeout", type=float, default=60, help="seconds a click may take before it is an error")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--workdir", default="", help="logs and the SQLite file (default bench/results/loadtest)")
    parser.add_argument("--json", default="", help="write the result here instead of bench/results/")
    parser.add_argument("--fail-on-error", action="store_true", help="exit 1 when any click failed or was refused")
    args = parser.parse_args(argv)
    if args.n < 1 or args.seconds <= 0 or args.workers < 1 or args.max_actions < 1:
        parser.error("--n, --seconds, --workers and --max-actions must be positive")
    return args


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=servers.ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip() or "?"
    except OSError:
        return "?"


def ticket_ids(url: str) -> tuple[int, ...]:
    from sqlalchemy import text

    from db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text("SELECT id FROM ticket ORDER BY id LIMIT 50")).scalars())
    finally:
        engine.dispose()


def prepare_existing(url: str) -> seed.Seeded:
    """A database other servers run on: seeded when empty, else a display link for the TVs is added."""
    from db.engine import make_engine
    from db.migrate import upgrade
    from lib.services import accounts, display

    engine = make_engine(url)
    try:
        upgrade(engine)  # what the app does on its first run anyway
        if accounts.needs_first_run(engine):
            engine.dispose()
            return seed.seed(url)
        admin = accounts.load_actor(engine, "admin")
        if admin is None:
            raise SystemExit("the servers' database has no 'admin' user: load it with `make demo`")
        _, token = display.create_link(engine, actor=admin, label="压测大屏")
        return seed.Seeded(url=url, wall_token=token, staff=0)
    finally:
        engine.dispose()


async def warm(url: str, token: str) -> None:
    """Each page the sessions use, opened once before the clock starts (imports, first queries)."""
    if not token:  # the floor page
        session = Session(url)
        await session.open()
        await session.close()
        return
    wall = Session(url)
    await wall.open(query=f"token={token}", page_name="wall")
    await wall.close()
    session = Session(url)
    await session.open()
    form = {session.widget("login_user").id: "admin", session.widget("login_password").id: seed.ADMIN_PASSWORD,
            session.widget("FormSubmitter:login_form").id: True}
    await session.rerun(form)
    for page in WARM_PAGES:
        await session.goto(page, query="id=1" if page == "ticket" else "")
    await session.close()


async def drive(args, app_urls: list[str], floor_url: str | None, seeded: seed.Seeded, tickets: tuple[int, ...],
                recorder: scenarios.Recorder, sampler: servers.Sampler) -> None:
    """Every session arrives (staggered over a few seconds), then all click for ``--seconds``, sampled."""
    low, high = (float(v) for v in args.think.split(","))
    rng = random.Random(args.seed)
    actors = []
    counts: dict[str, int] = {}
    for i, role in enumerate(scenarios.mix(args.n)):
        plan = scenarios.Plan(base_url=app_urls[i % len(app_urls)], max_actions=args.max_actions,
                              rng=random.Random(rng.random()), recorder=recorder, think=(low, high),
                              wall_token=seeded.wall_token, ticket_ids=tickets, timeout=args.timeout, label=f"{i}")
        actors.append(scenarios.actor_for(role, counts.get(role, 0), plan))
        counts[role] = counts.get(role, 0) + 1
    if floor_url:
        for i in range(args.n):
            plan = scenarios.Plan(base_url=floor_url, max_actions=args.max_actions, rng=random.Random(rng.random()),
                                  recorder=recorder, think=(low, high), timeout=args.timeout)
            actors.append(scenarios.Floor(plan))

    async def arrive(actor, delay):
        await asyncio.sleep(delay)
        await actor.arrive()

    stagger = min(3.0, args.seconds / 5)  # people do not all log in at the same millisecond
    try:
        await asyncio.wait_for(asyncio.gather(*[arrive(a, rng.uniform(0, stagger)) for a in actors]),
                               stagger + 3 * args.timeout + 30)
        recorder.phase = "work"
        deadline = time.monotonic() + args.seconds
        for actor in actors:
            actor.plan.deadline = deadline
        sampler.start()
        try:
            await asyncio.wait_for(asyncio.gather(*[a.work() for a in actors]), args.seconds + args.timeout + 30)
        finally:
            sampler.stop()
    finally:
        for actor in actors:
            await actor.session.close()


def run(args: argparse.Namespace) -> dict:
    work = Path(args.workdir) if args.workdir else RESULTS / "loadtest"
    work.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now().astimezone()
    loadavg = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    pg_created = ""
    started_servers: list[servers.Server] = []
    try:
        if args.servers:
            urls = [servers.loopback_only(u) for u in args.servers.split(",") if u.strip()]
            pids = [int(p) for p in args.pids.split(",") if p.strip()]
            app = [servers.external(u, pids[i] if i < len(pids) else None) for i, u in enumerate(urls)]
            if len(urls) == 1 and len(pids) > 1:  # several processes behind one proxy (make serve): sample each
                app = [servers.Server(url=urls[0], pid=pid) for pid in pids]
            database = args.database_url or os.environ.get("DATABASE_URL", "")
            if not database:
                raise SystemExit("--servers needs --database-url (or DATABASE_URL): the database those servers use")
            seeded = prepare_existing(database)
            db_label = database.split(":", 1)[0]
        else:
            if args.db == "sqlite":
                url = seed.sqlite_url(work / "dutydesk_load.db")
            else:
                url = pg_created = seed.fresh_pg_database(args.pg_url, args.pg_name)
            _say(f"seeding {args.db} …")
            seeded = seed.seed(url)
            db_label = args.db
            env = {"DATABASE_URL": seeded.url, "DUTYDESK_COOKIE_KEY": secrets.token_urlsafe(48)}
            _say(f"starting {args.workers} app server(s) …")
            for i in range(args.workers):
                started_servers.append(servers.start("Home.py", env=env, folder=work, name=f"app-{i}"))
            app = list(started_servers)
        floor = None
        if not args.no_floor:
            floor = servers.start(str(Path("bench") / "loadtest" / "floor_app.py"), env={}, folder=work, name="floor")
            started_servers.append(floor)
        tickets = ticket_ids(seeded.url)
        _say("warming each page up …")

        async def warm_all():
            await asyncio.gather(*[warm(url, seeded.wall_token) for url in dict.fromkeys(s.url for s in app)],
                                 *([warm(floor.url, "")] if floor else []))

        try:
            asyncio.run(warm_all())
        except ProtocolError as exc:
            raise SystemExit(f"warm-up failed: {exc} (see the server logs in {work})") from exc
        before = {s.url: s.tracebacks() for s in started_servers}
        behind_proxy = len({s.url for s in app}) < len(app)
        labels = {(f"app {i} (pid {s.pid}, behind {s.url})" if behind_proxy else f"app {i} ({s.url})"): s
                  for i, s in enumerate(app)}
        if floor:
            labels[f"floor ({floor.url})"] = floor
        sampler = servers.Sampler({label: s.pid for label, s in labels.items() if s.pid})
        recorder = scenarios.Recorder()
        _say(f"warmed up; {args.n} sessions arrive, then click for {args.seconds:.0f} s …")
        asyncio.run(drive(args, list(dict.fromkeys(s.url for s in app)), floor.url if floor else None, seeded, tickets, recorder,
                          sampler))
        tracebacks = {}
        for label, s in labels.items():
            count = s.tracebacks()
            tracebacks[label] = None if count is None else count - (before.get(s.url) or 0)
    finally:
        for server in started_servers:
            servers.stop(server)
        if pg_created and not args.keep_db:
            seed.drop_pg_database(pg_created)

    app_samples = [s for s in recorder.samples if not s.action.startswith("floor.")]
    floor_samples = [s for s in recorder.samples if s.action == report.FLOOR_ACTION]
    app_work = [s for s in app_samples if s.phase == "work"]  # the clicks the sampled CPU was spent on
    actions = report.action_rows(app_samples)
    all_clicks = report.action_rows([scenarios.Sample("all app clicks (measured phase)", s.seconds, s.outcome)
                                     for s in app_work])
    floor_row = report.action_rows(floor_samples)
    server_rows = []
    for label, s in labels.items():
        # behind one proxy the clicks cannot be told apart per process: those rows show no clicks of their own,
        # and the CPU per click is the processes' CPU together over all the clicks (app_cpc below)
        clicks = sum(1 for sample in (floor_samples if s is floor else app_work) if sample.server == s.url)
        if s is not floor and behind_proxy:
            clicks = 0
        usage = sampler.usage.get(label) or servers.Usage()
        server_rows.append(report.usage_row(label, usage, clicks, tracebacks[label]))
    app_cpu = [sampler.usage[lb].cpu for lb, s in labels.items() if s is not floor and lb in sampler.usage]
    floor_cpu = sampler.usage[next(lb for lb, s in labels.items() if s is floor)].cpu if floor and floor.pid else None
    app_cpc = (1000 * sum(app_cpu) / len(app_work)) if app_cpu and None not in app_cpu and app_work else None
    floor_cpc = (1000 * floor_cpu / len(floor_samples)) if floor_cpu is not None and floor_samples else None
    errors = [f"{s.action}: {s.detail}" for s in recorder.samples if s.outcome == "error"]
    refusals = [f"{s.action}: {s.detail}" for s in recorder.samples if s.outcome == "refused"]
    server_tracebacks = sum(v or 0 for v in tracebacks.values())
    if server_tracebacks:
        errors.append(f"{server_tracebacks} traceback(s) in the server logs under {work}")
    result = {
        "config": {"n": args.n, "seconds": args.seconds, "db": db_label, "workers": len(app),
                   "servers": [s.url for s in app], "floor": floor.url if floor else None, "think": args.think,
                   "max_actions": args.max_actions, "mix": {r: scenarios.mix(args.n).count(r) for r in scenarios.ROLES},
                   "started_at": started.isoformat(timespec="seconds"), "loadavg": loadavg, "cpus": os.cpu_count(),
                   "streamlit": _streamlit_version(), "commit": _git_commit()},
        "actions": actions,
        "all_clicks": all_clicks[0] if all_clicks else {"action": "all app clicks (measured phase)", "count": 0, "p50_ms": None,
                                                        "p95_ms": None, "max_ms": None, "errors": 0, "refused": 0},
        "floor": floor_row[0] if floor_row else None,
        "servers": server_rows,
        "totals": {"clicks": len(app_work), "errors": len(errors), "refused": len(refusals),
                   "server_tracebacks": server_tracebacks, "app_cpu_per_click_ms": app_cpc,
                   "floor_cpu_per_click_ms": floor_cpc,
                   "cpu_ratio": (app_cpc / floor_cpc) if app_cpc and floor_cpc else None},
        "errors": errors[:50],
        "refusals": refusals[:50],
    }
    return result


_T0 = time.monotonic()


def _say(text: str) -> None:
    print(f"[{time.monotonic() - _T0:5.1f} s] {text}", file=sys.stderr, flush=True)


def _streamlit_version() -> str:
    from importlib.metadata import version

    return version("streamlit")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    result = run(args)
    text = report.markdown(result)
    print(text)
    if args.json:  # a test's run: its own file only, bench/results/ keeps the last real run
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"loadtest_{result['config']['db']}_n{args.n}_w{result['config']['workers']}_{stamp}"
        for path in (RESULTS / f"{name}.json", RESULTS / "loadtest_latest.json"):
            path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        (RESULTS / "loadtest_latest.md").write_text(text, encoding="utf-8")
        print(f"written: bench/results/{name}.json (and loadtest_latest.json / .md)", file=sys.stderr)
    failed = result["totals"]["errors"] or result["totals"]["refused"]
    return 1 if args.fail_on_error and failed else 0
