"""Showroom customer rules (SPEC M2.3, M2.2): ownership, the signed day sheet, enquiries."""
