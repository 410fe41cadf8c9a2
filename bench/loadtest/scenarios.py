"""Who does what in the load test (L1): an office's mix of sessions, each a loop of quick actions.

About 75 % staff (a receptionist registering a visitor and checking them out again, a consultant pressing
「暂离」/「回来」 on the queue board while it refreshes itself, customer service on 我的工单 and a ticket
detail), about 12 % supervisors switching between the KPI dashboard, the tickets board and the audit log,
about 12 % wall TVs on their display link, refreshing at the intervals the server asks for. Everyone
thinks 1–3 s between actions. A run has two phases: every session arrives (logs in, opens its first
page: the morning's login storm, recorded too), then all click together until the deadline or after
``max_actions`` clicks, whichever comes first; only the second phase is the measured load.

An action is one click: the time from sending its ``rerun_script`` to the run's ``script_finished``.
Its outcome is ``error`` for an exception element, the app's incident or outage message, a disconnect
or a timeout; ``refused`` when an action that should confirm (a save, a press) showed an error instead
or no confirmation; ``ok`` otherwise. A business warning on a page (tickets overdue) is not an error.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadtest.protocol import ERROR, SUCCESS, ProtocolError, Run, Session

DEMO_PASSWORD = "demo1234"
LOCALES = Path(__file__).resolve().parents[2] / "lib" / "locales"

# Demo users (lib/demo/office.PEOPLE numbers them u001… in this order).
RECEPTIONISTS = ["u029", "u030", "u031"]  # 前台接待员
CONSULTANTS = [f"u{n:03d}" for n in range(3, 13)]  # 销售顾问 (in today's draw)
CUSTOMER_SERVICE = [f"u{n:03d}" for n in range(16, 22)]  # 客服专员
SUPERVISORS = ["u015", "u001", "u028", "u033", "u032", "u002"]  # 客服部经理, 销售经理, 综合部主管, 值班经理, ...

ROLES = ("receptionist", "consultant", "customer_service", "supervisor", "wall")
ACTIONS = {  # every kind of action, by role: the CI test asserts each was done at least once
    "receptionist": ("login", "visitors.open", "visitors.register", "visitors.tab", "visitors.check_out"),
    "consultant": ("login", "queue.open", "queue.press", "queue.refresh"),
    "customer_service": ("login", "tickets.mine", "tickets.detail"),
    "supervisor": ("login", "kpi.view", "tickets.board", "audit.view"),
    "wall": ("wall.open", "wall.refresh"),
    "floor": ("floor.open", "floor.click"),
}


def mix(n: int) -> list[str]:
    """The roles of ``n`` sessions: 1/8 walls, 1/8 supervisors, the rest staff in three equal parts;
    at least one of each once ``n`` >= 5."""
    walls = max(1, round(n / 8)) if n >= 5 else 0
    supervisors = max(1, round(n / 8)) if n >= 5 else 0
    staff = n - walls - supervisors
    roles = [("receptionist", "consultant", "customer_service")[i % 3] for i in range(staff)]
    return sorted(roles + ["supervisor"] * supervisors + ["wall"] * walls, key=ROLES.index)


def _catalog_texts(key: str) -> list[str]:
    """The fixed part (before the first placeholder) of catalog text ``key`` in every language."""
    found = []
    for folder in LOCALES.iterdir():
        for path in folder.glob("*.json"):
            text = json.loads(path.read_text(encoding="utf-8")).get(key)
            if text:
                found.append(text.split("{")[0])
    return found


FAULT_TEXTS = _catalog_texts("faults.incident") + _catalog_texts("faults.db_unavailable")


@dataclass
class Sample:
    action: str
    seconds: float
    outcome: str  # ok, error, refused
    detail: str = ""
    started: float = 0.0  # time.monotonic() at the click
    phase: str = "work"  # "arrive" (logging in, first page) or "work" (the measured clicking)
    server: str = ""  # the base URL the session talks to


@dataclass
class Recorder:
    """Every click of the run, in the order they finished."""

    samples: list[Sample] = field(default_factory=list)
    phase: str = "arrive"

    def add(self, action: str, seconds: float, outcome: str, detail: str = "", started: float = 0.0,
            server: str = "") -> None:
        self.samples.append(Sample(action, seconds, outcome, detail[:300], started, self.phase, server))


@dataclass
class Plan:
    base_url: str
    max_actions: int
    rng: random.Random
    recorder: Recorder
    deadline: float = 0.0  # time.monotonic(); set when every session has arrived
    think: tuple[float, float] = (1.0, 3.0)
    wall_token: str = ""
    ticket_ids: tuple[int, ...] = ()
    timeout: float = 60.0
    label: str = ""  # unique per session: visitor names


def judge(run: Run, *, confirm: bool) -> tuple[str, str]:
    """An action's outcome from what its run showed (see the module docstring)."""
    if run.exceptions:
        return "error", run.exceptions[0]
    for fmt, body in run.alerts:
        if any(body.startswith(text) for text in FAULT_TEXTS):
            return "error", body
    if confirm:
        errors = [body for fmt, body in run.alerts if fmt == ERROR]
        if errors:
            return "refused", errors[0]
        if not run.toasts and not run.has_alert(SUCCESS):
            return "refused", "no confirmation"
    return "ok", ""


class Actor:
    """One session's loop; subclasses say how it logs in and what its next action is."""

    role = ""
    refresh_action = ""  # the name of its fragments' timer reruns, if it keeps them

    def __init__(self, plan: Plan, user: str = "") -> None:
        self.plan, self.user = plan, user
        self.session = Session(plan.base_url, timeout=plan.timeout)
        self.actions = 0
        self.broken = False
        self.next_refresh: dict[str, float] = {}

    async def act(self, name: str, call: Callable[[], Awaitable[Run]], *, confirm: bool = False) -> Run | None:
        """Time one click and record its outcome; a protocol failure is an error and ends nothing else."""
        self.actions += 1
        started = time.monotonic()
        try:
            run = await call()
        except ProtocolError as exc:
            self.plan.recorder.add(name, time.monotonic() - started, "error", f"{self.user}: {exc}", started,
                                   self.plan.base_url)
            self.broken = True  # a late answer would be taken for the next click's: this tab is done
            return None
        outcome, detail = judge(run, confirm=confirm)
        self.plan.recorder.add(name, run.seconds, outcome, f"{self.user}: {detail}" if detail else "", started,
                               self.plan.base_url)
        return run

    def more(self) -> bool:
        return not self.broken and time.monotonic() < self.plan.deadline and self.actions < self.plan.max_actions

    async def start(self) -> bool:
        """Open the app and log in; False when that failed (recorded)."""
        run = await self.act("login", self._login, confirm=True)
        return run is not None and judge(run, confirm=True)[0] == "ok" and bool(self.session.pages)

    async def _login(self) -> Run:
        s = self.session
        opened = await s.open()
        form = {s.widget("login_user").id: self.user, s.widget("login_password").id: DEMO_PASSWORD,
                s.widget("FormSubmitter:login_form").id: True}
        logged = await s.rerun(form)
        logged.seconds += opened.seconds
        # The login happens in the button's callback and the same run draws the role's menu: its 退出登录
        # button is the confirmation (the page itself says nothing about the login).
        if s.find(key="dd_logout_button"):
            logged.alerts.append((SUCCESS, "menu with 退出登录"))
        return logged

    async def step(self) -> None:
        raise NotImplementedError

    async def arrive(self) -> bool:
        """Log in and open the first page (recorded); False when that failed. The socket stays open."""
        self.arrived = await self.start()
        return self.arrived

    async def work(self) -> None:
        """Click until the deadline (or ``max_actions``), then close the socket."""
        try:
            if not getattr(self, "arrived", False):
                return
            self.actions = 0
            self._schedule_refresh(first=True)
            while self.more():
                await self._think()
                if not self.more():
                    break
                due = [fid for fid, at in self.next_refresh.items() if at <= time.monotonic()]
                if due and self.refresh_action:
                    fid = due[0]
                    await self.act(self.refresh_action, lambda: self.session.rerun(fragment_id=fid))
                    self.next_refresh[fid] = time.monotonic() + self.session.fragments.get(fid, 60.0)
                else:
                    try:
                        await self.step()
                    except ProtocolError as exc:  # the page lacks the widget this step needs: an error too
                        self.actions += 1
                        self.plan.recorder.add(f"{self.role}.step", 0.0, "error", f"{self.user}: {exc}",
                                               time.monotonic(), self.plan.base_url)
                self._schedule_refresh()
        finally:
            await self.session.close()

    def _schedule_refresh(self, first: bool = False) -> None:
        """A fragment's timer: TVs and boards were opened at different times, so the first refresh of each
        comes at a random point within its interval; then every interval, like the browser's timer."""
        for fid, interval in self.session.fragments.items():
            if fid not in self.next_refresh:
                phase = self.plan.rng.uniform(0.2, 0.8) if first else 1.0
                self.next_refresh[fid] = time.monotonic() + interval * phase
        for fid in list(self.next_refresh):
            if fid not in self.session.fragments:
                del self.next_refresh[fid]

    async def _think(self) -> None:
        pause = self.plan.rng.uniform(*self.plan.think)
        if self.refresh_action and self.next_refresh:
            pause = min(pause, max(0.0, min(self.next_refresh.values()) - time.monotonic()))
        await asyncio.sleep(max(0.0, min(pause, self.plan.deadline - time.monotonic())))


def _zh(key: str) -> str:
    """Catalog text ``key`` in zh_CN (the demo users' language): a tab is chosen by its label."""
    for path in (LOCALES / "zh_CN").glob("*.json"):
        text = json.loads(path.read_text(encoding="utf-8")).get(key)
        if text:
            return text
    raise KeyError(key)


ON_SITE_TAB, REGISTER_TAB = _zh("visitor.tab_on_site"), _zh("visitor.tab_register")


class Receptionist(Actor):
    """前台: registers a visitor (the check-in form), opens 在场访客, checks that visitor out there (T17), and
    goes back to 登记."""

    role = "receptionist"
    tab = REGISTER_TAB  # the tab the server has open for this session (the page opens on 登记)

    async def open_tab(self, label: str) -> None:
        """A click on a tab of the visitors page: its lists run only while it is open (issue 13 L2)."""
        s = self.session
        if await self.act("visitors.tab", lambda: s.rerun({s.widget("v_tabs").id: label})) is not None:
            self.tab = label

    async def start(self) -> bool:
        self.count = 0
        self.on_site: list[str] = []
        return await super().start() and await self.act("visitors.open", lambda: self.session.goto("visitors")) is not None

    async def step(self) -> None:
        s = self.session
        if self.on_site:
            name = self.on_site[0]
            if self.tab != ON_SITE_TAB:
                await self.open_tab(ON_SITE_TAB)
                return  # the check-out is the next click
            found = s.find(key_prefix="out_", near=name, enabled=True)
            if found:
                run = await self.act("visitors.check_out", lambda: s.rerun({found[0].id: True}), confirm=True)
                if run is not None:
                    self.on_site.pop(0)
                return
            self.on_site.pop(0)  # not on this page's list (any more): register the next one
        if self.tab != REGISTER_TAB:  # back to 登记 for the next check-in, as at the desk
            await self.open_tab(REGISTER_TAB)
            return
        self.count += 1
        name = f"压测{self.plan.label}-{self.count}"
        form = {s.widget("v_name").id: name, s.widget("v_purpose").id: "压测来访",
                s.widget("FormSubmitter:v_form").id: True}
        run = await self.act("visitors.register", lambda: s.rerun(form), confirm=True)
        if run is not None and judge(run, confirm=True)[0] == "ok":
            self.on_site.append(name)


class Consultant(Actor):
    """销售顾问 on 展厅排队: presses 暂离 or 回来 (whichever is enabled); the board refreshes itself (T7)."""

    role = "consultant"
    refresh_action = "queue.refresh"

    async def start(self) -> bool:
        """Today's draw pins some consultants to a post (no 暂离/回来 of their own): such a session logs in
        as the next consultant instead, as a person at the desk would hand the tablet over."""
        first = CONSULTANTS.index(self.user) if self.user in CONSULTANTS else 0
        for attempt in range(len(CONSULTANTS)):
            if attempt:
                await self.session.close()
                self.session = Session(self.plan.base_url, timeout=self.plan.timeout)
                self.user = CONSULTANTS[(first + attempt) % len(CONSULTANTS)]
            if not (await super().start()
                    and await self.act("queue.open", lambda: self.session.goto("queue")) is not None):
                return False
            if self._buttons() is not None:
                return True
        return False

    def _buttons(self):
        s = self.session
        if not s.find(key_prefix="q_me_"):
            return None
        return s.find(key_prefix="q_me_step_away_", enabled=True) or s.find(key_prefix="q_me_back_", enabled=True)

    async def step(self) -> None:
        s = self.session
        buttons = self._buttons()
        if not buttons:
            self.plan.recorder.add("queue.press", 0.0, "refused", f"{self.user}: no 暂离/回来 button", time.monotonic(),
                                   self.plan.base_url)
            self.actions += 1
            await self.act("queue.open", lambda: s.goto("queue"))
            return
        await self.act("queue.press", lambda: s.rerun({buttons[0].id: True}), confirm=True)


class CustomerService(Actor):
    """客服专员: 我的工单, then a ticket's detail page by its number, by turns."""

    role = "customer_service"

    async def step(self) -> None:
        s = self.session
        if self.actions % 2 == 1 and self.plan.ticket_ids:
            number = self.plan.rng.choice(self.plan.ticket_ids)
            await self.act("tickets.detail", lambda: s.goto("ticket", query=f"id={number}"))
        else:
            await self.act("tickets.mine", lambda: s.goto("my-tickets"))


class Supervisor(Actor):
    """A supervisor switching between the KPI dashboard, the tickets board and the audit log."""

    role = "supervisor"
    PAGES = (("kpi.view", "kpi"), ("tickets.board", "ticket-board"), ("audit.view", "audit"))

    async def step(self) -> None:
        name, path = self.PAGES[self.actions % len(self.PAGES)]
        await self.act(name, lambda: self.session.goto(path))


class Wall(Actor):
    """A TV on its display link: opens the wall once, then only its fragments' timers rerun (SPEC 4.7)."""

    role = "wall"
    refresh_action = "wall.refresh"

    async def start(self) -> bool:
        run = await self.act("wall.open", lambda: self.session.open(query=f"token={self.plan.wall_token}",
                                                                    page_name="wall"))
        return run is not None

    async def step(self) -> None:
        return None  # a TV has no buttons: it waits for its next refresh

    async def _think(self) -> None:
        if not self.next_refresh:
            await asyncio.sleep(max(0.0, self.plan.deadline - time.monotonic()))
            return
        wait = min(self.next_refresh.values()) - time.monotonic()
        await asyncio.sleep(max(0.0, min(wait, self.plan.deadline - time.monotonic())))


class Floor(Actor):
    """The one-button page (floor_app.py): what Streamlit itself costs per click."""

    role = "floor"

    async def start(self) -> bool:
        return await self.act("floor.open", lambda: self.session.open()) is not None

    async def step(self) -> None:
        s = self.session
        await self.act("floor.click", lambda: s.rerun({s.widget("press").id: True}))


ACTORS = {cls.role: cls for cls in (Receptionist, Consultant, CustomerService, Supervisor, Wall, Floor)}
USERS = {"receptionist": RECEPTIONISTS, "consultant": CONSULTANTS, "customer_service": CUSTOMER_SERVICE,
         "supervisor": SUPERVISORS, "wall": [""], "floor": [""]}


def actor_for(role: str, index: int, plan: Plan) -> Actor:
    """The ``index``-th session of ``role``; users are shared round-robin once a role has more sessions
    than demo users (a person with two tabs)."""
    users = USERS[role]
    return ACTORS[role](plan, users[index % len(users)])
