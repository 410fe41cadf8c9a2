"""Complaint and service-request services (SPEC M3): writes, reads, and the row/domain map."""
