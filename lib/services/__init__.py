"""Use cases: one function per action, one transaction, an audit row beside every write."""
