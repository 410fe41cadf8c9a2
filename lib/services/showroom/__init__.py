"""Showroom services (SPEC M2.3, M2.2): registration and the day sheet, reads, enquiries."""
