"""The servers of a load run (L1): started here on free loopback ports, or found by their port, and sampled.

Servers started here run ``streamlit run`` from the repository root (so ``.streamlit/config.toml``
applies to Duty Desk and to the floor page alike), log to files under the run's folder, and are
stopped by their own process id at the end. Servers already running (``--servers``) are found through
``/proc/net/tcp``: the process holding the listening socket of the URL's port (on 127.0.0.1).
CPU and memory come from ``/proc/<pid>/stat`` and ``/proc/<pid>/status``, sampled every second.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def loopback_only(url: str) -> str:
    """The URL, if it is http on a loopback address; the load test sends traffic nowhere else."""
    parsed = urlparse(url)
    if parsed.scheme != "http" or parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"--servers takes http://127.0.0.1:PORT addresses only, not {url}")
    return url.rstrip("/")


@dataclass
class Server:
    url: str
    pid: int | None
    log: Path | None = None
    process: subprocess.Popen | None = None

    def tracebacks(self) -> int | None:
        """Tracebacks in its log (incidents are logged with theirs); None when we do not have its log."""
        if self.log is None or not self.log.exists():
            return None
        return self.log.read_text(encoding="utf-8", errors="replace").count("Traceback (most recent call last)")


def start(script: str, *, env: dict[str, str], folder: Path, name: str) -> Server:
    """``streamlit run script`` on a free port; waits for its health check (60 s at most)."""
    port = free_port()
    log = folder / f"{name}.log"
    cmd = [sys.executable, "-m", "lib.launch", "run", script, "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(url=f"http://127.0.0.1:{port}", pid=process.pid, log=log, process=process)
    wait_healthy(server)
    return server


def wait_healthy(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise SystemExit(f"server {server.url} exited; see {server.log}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server {server.url} not healthy after {timeout:.0f} s")


def stop(server: Server) -> None:
    """Stop a server we started, by its own process id (never by name)."""
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def pid_listening(port: int) -> int | None:
    """The process holding the listening TCP socket on ``port`` (via /proc), or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "0A":  # 0A: LISTEN
                inodes.add(parts[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None


def external(url: str, pid: int | None = None) -> Server:
    url = loopback_only(url)
    port = urlparse(url).port or 80
    server = Server(url=url, pid=pid or pid_listening(port))
    wait_healthy(server, timeout=10)
    return server


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def rss_mb(pid: int) -> float | None:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20
    except OSError:
        return None


@dataclass
class Usage:
    """One process's CPU and memory over the run."""

    cpu_start: float | None = None
    cpu_end: float | None = None
    peak_percent: float = 0.0
    rss_start: float | None = None
    rss_end: float | None = None
    rss_peak: float = 0.0
    seconds: float = 0.0

    @property
    def cpu(self) -> float | None:
        return None if self.cpu_start is None or self.cpu_end is None else self.cpu_end - self.cpu_start

    @property
    def mean_percent(self) -> float | None:
        cpu = self.cpu
        return None if cpu is None or not self.seconds else 100 * cpu / self.seconds


@dataclass
class Sampler:
    """Samples the servers' CPU and RSS every ``interval`` seconds in a thread, from start() to stop()."""

    pids: dict[str, int]  # label -> pid
    interval: float = 1.0
    usage: dict[str, Usage] = field(default_factory=dict)

    def start(self) -> None:
        self._stop = threading.Event()
        self._began = time.monotonic()
        for label, pid in self.pids.items():
            self.usage[label] = Usage(cpu_start=cpu_seconds(pid), rss_start=rss_mb(pid))
        self._last = {label: (self._began, u.cpu_start) for label, u in self.usage.items()}
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        now = time.monotonic()
        for label, pid in self.pids.items():
            usage, cpu, rss = self.usage[label], cpu_seconds(pid), rss_mb(pid)
            then, cpu_then = self._last[label]
            if cpu is not None and cpu_then is not None and now > then:
                usage.peak_percent = max(usage.peak_percent, 100 * (cpu - cpu_then) / (now - then))
            if rss is not None:
                usage.rss_peak = max(usage.rss_peak, rss)
            self._last[label] = (now, cpu)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        end = time.monotonic()
        for label, pid in self.pids.items():
            usage = self.usage[label]
            usage.cpu_end, usage.rss_end, usage.seconds = cpu_seconds(pid), rss_mb(pid), end - self._began
