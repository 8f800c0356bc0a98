"""Signed passes: the HCERT-style QR codec (`PD1:`, EU `HC1:`), signing keys, trust lists, rule bundles."""
