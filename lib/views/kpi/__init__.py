"""KPI page pieces (SPEC M4): sales, ledger, warning cases and shared formatting."""
