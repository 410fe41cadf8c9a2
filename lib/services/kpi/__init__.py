"""KPI services (SPEC M4): rankings, sales import, warning cases, and what they share."""
