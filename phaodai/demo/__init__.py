"""The seeded, reproducible Hà Nội demo behind `phaodai demo`."""
