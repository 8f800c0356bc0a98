"""Bulk imports of large CSV/XLSX files (lab results, dose records, area lists): file checks, a streaming
row reader, the batch job runner with its resume cursor, and the rejection report."""
