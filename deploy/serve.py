"""``python -m deploy.serve --workers 2 --port 8080`` (``make serve WORKERS=2``): several Streamlit processes behind nginx.

One Streamlit process runs Python on one core (issue 13 L3). This command migrates the database once, makes
sure every process signs login cookies with the same key, starts ``--workers`` ``streamlit run Home.py``
processes on loopback ports, renders ``deploy/nginx/dutydesk.conf.template`` into the run directory and
runs nginx in the foreground in front of them, with sticky sessions and the WebSocket upgrade. SIGTERM and
SIGINT are passed on to every child; when any child dies the others are stopped and the command exits
non-zero, so a service manager (systemd, a container) restarts the whole set.

More machines: run ``--workers-only --worker-address <this host's address>`` on each extra app host, and
name its processes with ``--upstream host:port`` on the host that runs nginx (see docs/operator.md).
Messages are for the operator, in Chinese and English (no Streamlit, no catalog: this runs before the app).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx" / "dutydesk.conf.template"
RUN_DIR = Path(__file__).resolve().parent / "run"
FIRST_WORKER_PORT = 8601
HEALTH_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0
NGINX_USER = "www-data"  # Debian's; only used when started as root (nginx's workers drop to it)
_PR_SET_PDEATHSIG = 1


def say(message: str, *, error: bool = False) -> None:
    print(f"[serve] {message}", file=sys.stderr if error else sys.stdout, flush=True)


@dataclass
class Child:
    name: str
    process: subprocess.Popen


class SetupError(Exception):
    """A reason not to start, already worded for the operator."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="Streamlit processes on this host (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx listens here (default 8080)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="nginx listens on this address (default 127.0.0.1; 0.0.0.0 for the office network)")
    parser.add_argument("--first-port", type=int, default=FIRST_WORKER_PORT,
                        help=f"worker i listens on first-port + i (default {FIRST_WORKER_PORT})")
    parser.add_argument("--worker-address", default="127.0.0.1",
                        help="address the workers bind (default 127.0.0.1; another host's nginx needs a reachable one)")
    parser.add_argument("--upstream", action="append", default=[], metavar="HOST:PORT",
                        help="a Streamlit process on another machine, behind the same nginx (repeat per process)")
    parser.add_argument("--workers-only", action="store_true",
                        help="start the workers without nginx (an extra app host; its nginx runs elsewhere)")
    parser.add_argument("--render", action="store_true", help="print the nginx configuration and exit")
    parser.add_argument("--run-dir", type=Path, default=RUN_DIR,
                        help="nginx's configuration, pid, logs and temporary files (default deploy/run)")
    parser.add_argument("--upstream-header", action="store_true",
                        help="add X-Upstream (the process that answered) to every response, for diagnosis and tests")
    args = parser.parse_args(argv)
    if args.workers < 0 or (args.workers == 0 and not args.upstream):
        parser.error("--workers must be 1 or more (or 0 with --upstream)")
    for item in args.upstream:
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit():
            parser.error(f"--upstream {item!r}: expected HOST:PORT")
    return args


def worker_ports(args: argparse.Namespace) -> list[int]:
    return [args.first_port + i for i in range(args.workers)]


def upstreams(args: argparse.Namespace) -> list[str]:
    local = "127.0.0.1" if args.worker_address in ("0.0.0.0", "::") else args.worker_address
    return [f"{local}:{port}" for port in worker_ports(args)] + list(args.upstream)


def render(*, listen: str, servers: list[str], run_dir: Path, user: str | None = None,
           upstream_header: bool = False, template: Path = TEMPLATE) -> str:
    """The nginx configuration for ``servers`` (``host:port`` each), listening on ``listen``."""
    headers = ['            add_header Set-Cookie $dd_set_sticky always;']
    if upstream_header:
        headers.append('            add_header X-Upstream $upstream_addr always;')
    values = {
        "user": f"user {user};" if user else "# no `user` directive: the workers keep the user that starts nginx",
        "run_dir": str(run_dir.resolve()),
        "listen": listen,
        "servers": "\n".join(f"        server {server} max_fails=1 fail_timeout=5s;" for server in servers),
        "headers": "\n".join(headers),
    }
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError(f"unfilled placeholder in {template}")
    return text


def check_database(url: str, *, workers: int, remote: int) -> list[str]:
    """Warnings for the database these processes will share; a SetupError where they cannot share it."""
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        return []
    if remote:
        raise SetupError("DATABASE_URL 不是 PostgreSQL：其他机器上的进程无法共用这台机器的 SQLite 文件。"
                         "请设置 DATABASE_URL=postgresql://…\n"
                         "        DATABASE_URL is not PostgreSQL: processes on other machines cannot share this "
                         "machine's SQLite file. Set DATABASE_URL=postgresql://…")
    if workers > 1:
        return [f"警告：DATABASE_URL 是 SQLite（{make_url(url).database}）。{workers} 个进程共用一个文件，"
                "写入逐个排队，只适合试用；正式使用多进程请用 PostgreSQL（docs/operator.md）。\n"
                f"        warning: DATABASE_URL is SQLite. {workers} processes share one file and queue for every "
                "write: fine for a trial; for production with several processes use PostgreSQL."]
    return []


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def find_nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)),
                                          None)
    if found is None:
        raise SetupError("找不到 nginx：请安装 Debian 的 nginx（apt-get install nginx-light）。\n"
                         "        nginx not found: install Debian's nginx (apt-get install nginx-light).")
    return found


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the launcher itself is killed, so no worker outlives it."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def start(name: str, command: list[str], env: dict[str, str]) -> Child:
    # A session of its own: a Ctrl-C in the terminal reaches the launcher only, which stops the children in order.
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, preexec_fn=_die_with_parent)
    return Child(name=name, process=process)


def worker_command(port: int, address: str) -> list[str]:
    return [sys.executable, "-m", "lib.launch", "run", "Home.py", "--server.port", str(port),
            "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--logger.hideWelcomeMessage", "true"]  # its URL is not the one to open: the launcher prints nginx's


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_healthy(targets: dict[str, str], children: list[Child], timeout: float = HEALTH_TIMEOUT_S) -> None:
    """Every ``name -> url`` answers its health check; a SetupError if a child dies or time runs out."""
    waiting = dict(targets)
    deadline = time.monotonic() + timeout
    while waiting:
        for child in children:
            if child.process.poll() is not None:
                raise SetupError(f"{child.name} 启动失败 failed to start (exit {child.process.returncode})")
        waiting = {name: url for name, url in waiting.items() if not healthy(url)}
        if waiting and time.monotonic() > deadline:
            raise SetupError(f"{', '.join(waiting)} 在 {timeout:.0f} 秒内未就绪 not healthy within {timeout:.0f} s")
        if waiting:
            time.sleep(0.25)  # polling interval of a bounded health check


def stop_all(children: list[Child], how: signal.Signals = signal.SIGTERM) -> None:
    """Stop nginx first (no new requests), then the workers; kill whatever is still there after the timeout."""
    for child in children:
        if child.process.poll() is None:
            try:
                child.process.send_signal(how)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name} 未及时退出，强制结束 did not stop in time; killed", error=True)
            child.process.kill()
            child.process.wait()


class _Stop(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum, _frame) -> None:
    raise _Stop(signum)


def _ignore_signals() -> None:
    """A second Ctrl-C or SIGTERM must not interrupt the orderly stop."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def supervise(children: list[Child], poll_s: float = 0.2) -> int:
    """Wait until a signal arrives (pass it on: exit 0) or a child dies (stop the rest: exit 1)."""
    try:
        while True:
            for child in children:
                code = child.process.poll()
                if code is not None:
                    say(f"{child.name} 已退出（代码 {code}），停止其余进程 exited (code {code}); stopping the rest",
                        error=True)
                    stop_all([c for c in children if c is not child])
                    return 1
            time.sleep(poll_s)
    except _Stop as stop:
        _ignore_signals()
        say(f"收到 {signal.Signals(stop.signum).name}，正在停止 received {signal.Signals(stop.signum).name}; stopping")
        stop_all(children, signal.SIGTERM)
        return 0


def prepare_run_dir(run_dir: Path) -> str | None:
    """Create the run directory; the nginx ``user`` when started as root (its workers drop privileges)."""
    for sub in ("logs", "tmp"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(NGINX_USER)
    except KeyError:
        entry = pwd.getpwnam("nobody")
    os.chown(run_dir / "tmp", entry.pw_uid, entry.pw_gid)
    return entry.pw_name


def shared_environment() -> dict[str, str]:
    """The environment of every worker: one cookie key and one Streamlit cookie secret for all of them.

    The key is the app's own (``lib.auth.cookie_key``: the variable, else ``.streamlit/secrets.toml``,
    generated once here rather than raced by N processes at start), read in a child process: importing
    the app outside a Streamlit runtime fills the launcher's log with Streamlit's bare-mode warnings.
    """
    found = subprocess.run([sys.executable, "-c", "from lib.auth import cookie_key; print(cookie_key())"],
                           cwd=ROOT, capture_output=True, text=True, check=False)
    if found.returncode != 0 or not found.stdout.strip():
        reason = (found.stderr.strip().splitlines() or ["?"])[-1]
        raise SetupError(f"Cookie 密钥不可用 the cookie key is unusable: {reason}")
    env = dict(os.environ)
    env["DUTYDESK_COOKIE_KEY"] = found.stdout.strip().splitlines()[-1]
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_urlsafe(32))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def migrate(url: str) -> None:
    from db.engine import make_engine
    from db.migrate import upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
    except Exception as exc:  # noqa: BLE001 - an unreachable database is the operator's to fix, not a traceback
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SetupError(f"数据库迁移失败 migrating the database failed: {first}") from exc
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_dir = args.run_dir.resolve()
    listen = f"{args.host}:{args.port}"
    if args.render:
        print(render(listen=listen, servers=upstreams(args), run_dir=run_dir, upstream_header=args.upstream_header))
        return 0

    from db.engine import database_url

    children: list[Child] = []
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        url = database_url()
        for warning in check_database(url, workers=args.workers, remote=len(args.upstream)):
            say(warning, error=True)
        nginx = None if args.workers_only else find_nginx()
        busy = [port for port in worker_ports(args) if not port_is_free(args.worker_address, port)]
        if nginx and not port_is_free(args.host, args.port):
            busy.append(args.port)
        if busy:
            raise SetupError(f"端口已被占用 ports in use: {', '.join(map(str, busy))}")
        env = shared_environment()
        say("迁移数据库 migrating the database")
        migrate(url)
        for i, port in enumerate(worker_ports(args), start=1):
            children.append(start(f"worker {i} (:{port})", worker_command(port, args.worker_address), env))
        local = "127.0.0.1" if args.worker_address in ("0.0.0.0", "::") else args.worker_address
        wait_healthy({c.name: f"http://{local}:{p}" for c, p in zip(children, worker_ports(args))}, children)
        if nginx:
            user = prepare_run_dir(run_dir)
            conf = run_dir / "nginx.conf"
            conf.write_text(render(listen=listen, servers=upstreams(args), run_dir=run_dir, user=user,
                                   upstream_header=args.upstream_header), encoding="utf-8")
            children.insert(0, start("nginx", [nginx, "-p", str(run_dir), "-c", str(conf)], env))
            wait_healthy({"nginx": f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"},
                         children)
            say(f"就绪 ready: http://{listen}  ({args.workers} 个进程 processes"
                + (f" + {len(args.upstream)} upstream" if args.upstream else "") + f"; 日志 logs {run_dir / 'logs'})")
        else:
            say(f"就绪 ready: {args.workers} 个进程 processes on {args.worker_address}:"
                + ",".join(map(str, worker_ports(args))))
        return supervise(children)
    except _Stop:
        _ignore_signals()
        stop_all(children)
        return 0
    except SetupError as exc:
        _ignore_signals()
        say(str(exc), error=True)
        stop_all(children)
        return 1
    except BaseException:
        _ignore_signals()
        stop_all(children)
        raise


if __name__ == "__main__":
    raise SystemExit(main())
