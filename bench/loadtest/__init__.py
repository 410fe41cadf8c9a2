"""`make loadtest` (issue 13, L1): Duty Desk under N concurrent sessions over Streamlit's WebSocket protocol."""
