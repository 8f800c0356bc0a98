"""The shipped checkpoint list (data/hanoi_checkpoints_2021.csv): 22 gateways and 33 district checkpoints."""

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from phaodai.core.clock import HANOI

DATA = Path(__file__).resolve().parent / "data" / "hanoi_checkpoints_2021.csv"


@dataclass(frozen=True)
class CheckpointRow:
    code: str
    kind: str
    name: str
    name_en: str
    road: str
    unit_code: str
    ward_code: str
    other_side_code: str
    neighbouring_province: str
    active_from: datetime


def shipped_checkpoints(path: Path = DATA) -> list[CheckpointRow]:
    """The rows of the shipped list, in file order (times are Hà Nội wall-clock times)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            CheckpointRow(
                **{name: value.strip() for name, value in row.items() if name != "active_from"},
                active_from=datetime.fromisoformat(row["active_from"]).replace(tzinfo=HANOI),
            )
            for row in csv.DictReader(handle)
        ]
