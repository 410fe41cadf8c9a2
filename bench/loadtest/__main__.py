"""``python -m bench.loadtest`` (``make loadtest``): see :mod:`bench.loadtest.run`."""

from bench.loadtest.run import main

raise SystemExit(main())
