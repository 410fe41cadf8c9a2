"""Use cases: one function per action, one transaction, an audit row beside every write."""

from lib.services import limits as _limits  # noqa: F401  (every flush checks text against its column, R4)
