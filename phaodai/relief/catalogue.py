"""The relief items, as data (data/items.json): codes, Vietnamese and English names, units of measure.

`sync_items` loads them (the initial migration calls it; the demo may call it again): an item is
found by its code and its names updated, never deleted, so the ledger's rows keep their item.
"""

import json
from pathlib import Path
from typing import Any

ITEMS_FILE = Path(__file__).parent / "data" / "items.json"


def item_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ITEMS_FILE.read_text(encoding="utf-8"))
    return rows


def sync_items(model: Any) -> int:
    """Create or update every item of the file in `model` (the Item model, or its historical copy)."""
    made = 0
    for position, row in enumerate(item_rows(), start=1):
        _item, created = model.objects.update_or_create(
            code=row["code"], defaults={**{k: v for k, v in row.items() if k != "code"}, "position": position}
        )
        made += int(created)
    return made
