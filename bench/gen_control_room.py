"""Bench history for the control room's duty log (issue 16, seed 004 D2, D12; lib/domain/registers/control_room.py).

The duty log grows fastest of the control-room registers: a page every 15 minutes (the video browse noted in the
log, 「每15分钟对视频进行一次浏览」), 96 a day, ``PER_YEAR`` = 35,040 a year on the post 中控室 (scale 10: ten years,
about 350,000 pages), recorded on submit and numbered gap-free in the post's stream as the service leaves them.
Rows go in by executemany through ``bench.generate`` (no service calls).

Standalone, it times the register list of the duty log (30 and 366 days), the handover page's 24-hour duty log and
the dues the inbox reads, at two scales on a SQLite file of its own:

    .venv/bin/python -m bench.gen_control_room --compare 1,10
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
from collections.abc import Iterator

from sqlalchemy import func, select

from bench.generate import Context, Row, generator
from db.models import OrgUnit, User
from db.models_registers import RegisterCounter, register_table

REGISTER = "cr_duty_log"
POST = "中控室"
EVERY_MIN = 15
PER_YEAR = 365 * 24 * 60 // EVERY_MIN  # 35,040
PAGE_DAYS = 30
T = register_table(REGISTER)
COUNTER = RegisterCounter.__table__
ABNORMAL = ("3号泵异响", "配电柜温度偏高", "监控画面 12 号探头黑屏,已报弱电班", "B1 烟感报警,误报已复位")


def _slots(ctx: Context, day: dt.date) -> list[float]:
    """Minutes after local midnight of the day's pages (today only up to now)."""
    end = 24 * 60
    if day == ctx.today:
        local = ctx.now.astimezone(ctx.tz)
        end = local.hour * 60 + local.minute
    return [float(m) for m in range(0, end, EVERY_MIN)]


@generator("control_room")
def control_room(ctx: Context) -> Iterator[list[Row]]:
    """A duty-log page every 15 minutes for ``scale`` years (the last day up to now), one in fifty abnormal."""
    operators = ctx.staff[:6] or ctx.desk
    wanted = round(PER_YEAR * ctx.scale)
    first_day = max(0, len(ctx.days) - 1 - wanted // (24 * 60 // EVERY_MIN))
    number = 0
    for index, day in enumerate(ctx.days):
        rows: list[Row] = []
        if index >= first_day:
            for minute in _slots(ctx, day):
                at = ctx.at(day, minute)
                who = operators[(index * 2 + (minute >= 8 * 60) + (minute >= 17 * 60)) % len(operators)]
                odd = ctx.rng.random() < 0.02
                number += 1
                rows.append((T, {
                    "id": ctx.new_id(T), "no": number, "stream": POST, "state": "recorded", "version": 1,
                    "supersedes_id": None, "superseded_by_id": None, "created_by_id": who.id, "department_id": None,
                    "created_at": at, "submitted_at": at, "decided_at": at, "locked_at": at, "updated_at": at,
                    "due_at": None, "chain": [], "step_no": 0, "step_title": None, "reason": "", "idem_key": None,
                    "post": POST, "occurred_at": at, "shift": "day" if 8 * 60 <= minute < 17 * 60 else "night",
                    "type": "abnormal" if odd else "other",
                    "description": ctx.rng.choice(ABNORMAL) if odd else "视频浏览一次,运行正常",
                    "action": "已报告当班领导" if odd else None, "reported_to": None, "reported_at": None,
                    "auto_cleared_at": None, "closed_at": None,
                    "responsible_shift": "day" if 8 * 60 <= minute < 17 * 60 else "night"}))
        if index == len(ctx.days) - 1 and number:
            rows.append((COUNTER, {"register": REGISTER, "stream": POST, "last": number}))
        yield rows


# ---- standalone: the duty log's list, the handover's 24 hours and the dues at two scales -------------------

def measure(scale: float, runs: int, reuse: bool, directory: str = "", database_url: str = "",
            keep: bool = False) -> dict:
    """Every figure as wall ms (``<name>_ms``) and CPU ms of this process (``<name>_cpu_ms``), with the load
    average before and after. ``page_<n>d``: the real page, 登记簿 → 中控室 → 值班记录 as an admin, through
    AppTest as ``bench/run.py`` times pages (its list over the last ``n`` days)."""
    os.environ.setdefault("DUTYDESK_COOKIE_KEY", secrets.token_urlsafe(48)[:48])
    os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
    from bench.standalone import load_average, median_ms, module_target, shows_rows
    from db.engine import session_scope
    from lib.i18n import translate
    from lib.services import handover
    from lib.services import registers as R
    from lib.services.base import fresh_actor, utcnow
    from lib.services.settings import office_zone_now

    engine, seconds, drop = module_target("control_room", scale, reuse=reuse, marker=T, directory=directory,
                                          database_url=database_url)
    try:
        with session_scope(engine) as session:
            total = session.execute(select(func.count()).select_from(T)).scalar_one()
            admin = session.execute(select(User).where(User.role == "admin")).scalars().first()
            actor = fresh_actor(session, admin)
            post = session.execute(select(OrgUnit.id).where(OrgUnit.kind == "post", OrgUnit.name == POST)).scalar()
            if post is None:  # the demo office has the post; a bare office gets it
                unit = OrgUnit(kind="post", name=POST, min_staff=1)
                session.add(unit)
                session.flush()
                post = unit.id
        _, today = office_zone_now(engine)
        month = R.Query(first=today - dt.timedelta(days=PAGE_DAYS), last=today)
        year = R.Query(first=today - dt.timedelta(days=365), last=today)

        def listing(query):
            return lambda: R.list_entries(engine, actor=actor, register=REGISTER, query=query)

        out = {"scale": scale, "backend": engine.dialect.name, "pages": total, "generated_s": seconds,
               "load_before": load_average()}
        from bench.run import PAGES, Target, _use, page_name, time_page
        _use(Target(engine.dialect.name, engine.url.render_as_string(hide_password=False)))
        spec = next(p for p in PAGES if page_name(p) == "registers")
        tab = {"rg.tabs": translate("registers.family.control_room", "zh_CN"), "rg.family.control_room": REGISTER}
        for days, first in ((PAGE_DAYS, month.first), (366, year.first)):
            state = dict(tab) if days == PAGE_DAYS else {**tab, f"rg.{REGISTER}.dates": (first, today)}
            page = time_page(spec, runs, state=state, check=shows_rows(REGISTER))
            if page.error:
                raise SystemExit(f"duty-log page failed: {page.error}")
            out[f"page_{days}d_ms"], out[f"page_{days}d_cpu_ms"] = page.ms, page.cpu_ms
        out["list_30d_ms"], out["list_30d_cpu_ms"] = median_ms(listing(month), runs)
        out["list_366d_ms"], out["list_366d_cpu_ms"] = median_ms(listing(year), runs)
        out["handover_log_24h_ms"], out["handover_log_24h_cpu_ms"] = median_ms(
            lambda: handover.log(engine, actor=actor, post_id=post), runs)
        out["open_dues_ms"], out["open_dues_cpu_ms"] = median_ms(lambda: R.open_dues(engine, utcnow()), runs)
        out["load_after"] = load_average()
    finally:
        engine.dispose()
        if not keep:
            drop()
    return out


def verdict(small: dict, large: dict, key: str, limit_ms: float = 150, ratio_limit: float = 1.3) -> tuple[bool, str]:
    """The issue's bar on ``key`` (and its CPU twin): under ``limit_ms`` at the larger scale and within
    ``ratio_limit`` × the smaller scale's, on wall time AND on CPU time."""
    parts, ok = [], True
    for kind, k in (("wall", f"{key}_ms"), ("CPU", f"{key}_cpu_ms")):
        ratio = large[k] / small[k] if small[k] else float("nan")
        fast, flat = large[k] < limit_ms, ratio <= ratio_limit
        ok = ok and fast and flat
        parts.append(f"{kind} {large[k]:.1f} ms ({'<' if fast else '≥'} {limit_ms:g}), ×{ratio:.2f} "
                     f"({'≤' if flat else '>'} {ratio_limit:g}) → {'pass' if fast and flat else 'FAIL'}")
    return ok, "; ".join(parts)


def interleave(scales: list[float], runs: int, directory: str) -> int:
    """The duty-log page (30 and 366 days) on the SQLite files of ``scales`` (made by an earlier run), timed
    in turns."""
    os.environ.setdefault("DUTYDESK_COOKIE_KEY", secrets.token_urlsafe(48)[:48])
    os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
    from bench.standalone import interleaved_page, load_average, shows_rows
    from db.engine import ROOT, make_engine
    from lib.i18n import translate
    from lib.services.settings import office_zone_now

    folder = directory or str(ROOT / "bench" / "results")
    urls = [f"sqlite:///{folder}/control_room_s{s:g}.db" for s in scales]
    probe = make_engine(urls[0])
    _, today = office_zone_now(probe)
    probe.dispose()
    tab = {"rg.tabs": translate("registers.family.control_room", "zh_CN"), "rg.family.control_room": REGISTER}
    for days in (PAGE_DAYS, 366):
        state = tab if days == PAGE_DAYS else {**tab, f"rg.{REGISTER}.dates": (today - dt.timedelta(days=365), today)}
        before = load_average()
        rows = interleaved_page("pages/registers.py", urls, runs, state=state, check=shows_rows(REGISTER))
        print(f"duty-log page, {days} days, {runs} runs in turns, load average {before} before, "
              f"{load_average()} after")
        for scale, row in zip(scales, rows, strict=True):
            print(f"  scale {scale:g}: {row}")
        if len(rows) == 2 and not any(r["problem"] for r in rows):
            small, large = ({"page_ms": r["ms"], "page_cpu_ms": r["cpu_ms"]} for r in rows)
            ok, detail = verdict(small, large, "page")
            print(f"  {detail} → {'PASS' if ok else 'FAIL'} (target < 150 ms and ≤ 1.3×, on wall and on CPU)")
    return 0


def main(argv: list[str] | None = None) -> int:
    from bench.standalone import add_target_args

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", default="1,10", help="two scales, e.g. 1,10 (or one scale)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--interleave", action="store_true",
                        help="only the page, on the SQLite files an earlier run left in --dir, timed in turns")
    add_target_args(parser)
    args = parser.parse_args(argv)
    if args.interleave:
        return interleave([float(s) for s in args.compare.split(",")], args.runs, args.dir)
    results = []
    for s in args.compare.split(","):
        result = measure(float(s), args.runs, args.reuse, args.dir, args.database_url, args.keep)
        print(result, flush=True)
        results.append(result)
    if len(results) == 2:
        small, large = results
        print(f"{'':<22} {'scale ' + format(small['scale'], 'g'):>21} {'scale ' + format(large['scale'], 'g'):>21}"
              "   wall ×   CPU ×")
        for key in [k for k in small if k.endswith("_ms") and not k.endswith("_cpu_ms")]:
            cpu = key[:-3] + "_cpu_ms"
            ratio = large[key] / small[key] if small[key] else float("nan")
            cpu_ratio = large[cpu] / small[cpu] if small.get(cpu) else float("nan")
            print(f"{key[:-3]:<22} {small[key]:>9.1f} (CPU {small[cpu]:>6.1f}) {large[key]:>9.1f} (CPU {large[cpu]:>6.1f})"
                  f"   ×{ratio:.2f}   ×{cpu_ratio:.2f}")
        for key, what in (("list_30d", "duty log list (service), 30 days"), ("page_30d", "duty log page, 30 days")):
            ok, detail = verdict(small, large, key)
            print(f"{what} at {large['pages']:,} pages vs {small['pages']:,}: {detail} → {'PASS' if ok else 'FAIL'}"
                  " (target < 150 ms and ≤ 1.3×, on wall and on CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
