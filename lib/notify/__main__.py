"""``python -m lib.notify --once``: one sweep (for cron); without ``--once``, sweep every interval."""

from __future__ import annotations

import argparse
import logging
import time

from db.engine import make_engine
from db.migrate import upgrade
from lib.notify.sweeper import sweep_once
from lib.notify.worker import DEFAULT_SECONDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.notify")
    parser.add_argument("--once", action="store_true", help="run one sweep and exit")
    parser.add_argument("--every", type=int, default=DEFAULT_SECONDS, help="seconds between sweeps")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    engine = make_engine()
    upgrade(engine)
    while True:
        result = sweep_once(engine)
        print(result if result.swept else "another app server holds the sweeper lease; nothing done", flush=True)
        if args.once:
            return 0
        time.sleep(args.every)


if __name__ == "__main__":
    raise SystemExit(main())
