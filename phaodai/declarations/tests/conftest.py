"""Declarations' fixtures: a pass-signing key, a valid declaration as typed, a frozen Hà Nội clock."""

from datetime import datetime
from typing import Any

import pytest
import time_machine

from phaodai.core.clock import hanoi
from phaodai.declarations.rules import QUESTIONS
from phaodai.declarations.services import DeclarationInput
from phaodai.passes import services as passes

NOW = hanoi(2021, 9, 9, 7, 30)
CCCD = "001085012345"  # Hà Nội, male, born 1985


def at(moment: datetime) -> Any:
    return lambda: moment


def all_no() -> dict[str, bool]:
    return dict.fromkeys(QUESTIONS, False)


def typed(**changes: Any) -> DeclarationInput:
    """Nguyễn Văn An of Bồ Đề, no symptom, no exposure, acknowledged."""
    fields: dict[str, Any] = {
        "full_name": "Nguyễn Văn An",
        "id_kind": "cccd",
        "id_number": CCCD,
        "birth_year": 1985,
        "gender": "M",
        "nationality": "Việt Nam",
        "province": "001",
        "ward": "00139",
        "house": "12 ngõ 45 Nguyễn Văn Cừ",
        "phone": "0912345678",
        "answers": all_no(),
        "acknowledged": True,
    }
    fields.update(changes)
    return DeclarationInput(**fields)


def form_data(**changes: Any) -> dict[str, Any]:
    """The same declaration as the page posts it."""
    data: dict[str, Any] = {
        "full_name": "Nguyễn Văn An",
        "id_kind": "cccd",
        "id_number": CCCD,
        "birth_year": "1985",
        "gender": "M",
        "nationality": "Việt Nam",
        "province": "001",
        "ward": "00139",
        "house": "12 ngõ 45 Nguyễn Văn Cừ",
        "phone": "0912345678",
        "acknowledged": "on",
        **{f"q_{code}": "no" for code in QUESTIONS},
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def api_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "full_name": "Nguyễn Văn An",
        "id_kind": "cccd",
        "id_number": CCCD,
        "birth_year": 1985,
        "gender": "M",
        "province": "001",
        "ward": "00139",
        "house": "12 ngõ 45 Nguyễn Văn Cừ",
        "phone": "0912345678",
        "answers": all_no(),
        "acknowledged": True,
    }
    body.update(changes)
    return body


def make_pass_key(city_commander: Any, when: datetime = NOW) -> Any:
    return passes.rotate_key(
        by=city_commander,
        purpose="passes",
        label="Khóa ký khai báo y tế",
        pass_types=["declaration"],
        clock=at(when),
    )


@pytest.fixture
def pass_key(city_commander):
    return make_pass_key(city_commander)


@pytest.fixture
def frozen():
    """Pages and the API read the real clock: hold it at 07:30 on 9/9/2021 in Hà Nội."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
