"""``python -m lib.demo`` (``make demo``): a fresh database gets the admin and the demo office."""

from lib.demo import main

raise SystemExit(main())
