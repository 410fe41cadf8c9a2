"""``make bench``: realistic history at a chosen scale, then page and bare-SQL timings (see README.md)."""
