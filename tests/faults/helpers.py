"""Fault injection for the outage tests: a connection lost just after COMMIT, a TCP proxy that can be cut."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager

from sqlalchemy import event
from sqlmodel import Session


@contextmanager
def lost_after_commit(model, times: int = 1):
    """The next ``times`` transactions that write a ``model`` row commit, and then the connection "drops":
    the driver's own OperationalError raised after the COMMIT went through, as when the server goes away
    before its reply arrives. Works for any engine of the process (the app's cached one too)."""
    state = {"left": times, "armed": False}
    patched: list[tuple[type, object]] = []

    def after_flush(session, _ctx):
        if any(isinstance(obj, model) for obj in session.new):
            state["armed"] = True
            dialect_class = type(session.get_bind().dialect)
            if not any(cls is dialect_class for cls, _ in patched):
                original = dialect_class.__dict__.get("do_commit")

                def do_commit(self, dbapi_connection, _base=dialect_class.do_commit):
                    _base(self, dbapi_connection)
                    if state["armed"] and state["left"] > 0:
                        state["armed"] = False
                        state["left"] -= 1
                        raise self.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

                patched.append((dialect_class, original))
                dialect_class.do_commit = do_commit

    event.listen(Session, "after_flush", after_flush)
    try:
        yield state
    finally:
        event.remove(Session, "after_flush", after_flush)
        for dialect_class, original in patched:
            if original is None:
                del dialect_class.do_commit
            else:
                dialect_class.do_commit = original


class Proxy:
    """A throwaway TCP proxy on 127.0.0.1 in front of ``target``; ``cut()`` closes it and every connection
    through it (a partition), ``restore()`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() thread on Linux
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
