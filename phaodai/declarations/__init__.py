"""Health declarations (khai báo y tế): the POLICY.md §4 form, valid 72 h, its PD1 QR."""
