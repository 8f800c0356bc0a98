"""Travel permits (giấy đi đường): organisations, staff lists, approvals, issue as PD1, revocation."""
