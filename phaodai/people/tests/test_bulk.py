from dataclasses import replace
from datetime import date

import pytest
from django.db import connection

from phaodai.core.models import AuditEntry
from phaodai.people import services
from phaodai.people.cccd import cccd_index, decrypt_cccd
from phaodai.people.models import Person
from phaodai.people.rules import PersonRow
from phaodai.people.tests.conftest import cccd_for
from phaodai.people.validation import Reason


def _rows(area, n: int, start: int = 0) -> list[PersonRow]:
    return [
        PersonRow(
            cccd=cccd_for(1950 + i % 60, "M" if i % 2 else "F", 100000 + start + i),
            full_name=f"Nguyễn Thị Lan {chr(65 + i % 26)}",
            birth_date=date(1950 + i % 60, 1 + i % 12, 1 + i % 28),
            sex="M" if i % 2 else "F",
            phone="" if i % 3 else "0912345678",
            residence_area_id=area.pk,
            unit_path=area.path,
            chronic_illness=i % 7 == 0,
        )
        for i in range(start, start + n)
    ]


def test_valid_rows_are_inserted_and_bad_rows_reported_with_row_numbers(bo_de_area, phuc_xa_area):
    rows = _rows(bo_de_area, 6)
    rows[1] = replace(rows[1], cccd=rows[1].cccd[:11])  # row 2: 11 digits
    rows[3] = replace(rows[3], full_name="  ")  # row 4
    rows[4] = replace(rows[4], unit_path=phuc_xa_area.path)  # row 5: area is not in that ward
    result = services.bulk_register(rows, batch_size=4)
    assert result.inserted == 3 and result.skipped == 0
    assert [(r.row, r.field, r.reason) for r in result.rejections] == [
        (2, "cccd", Reason.CCCD_LENGTH),
        (4, "full_name", "The full name is missing."),
        (5, "residence_area_id", Reason.AREA_UNKNOWN),
    ]
    assert Person.objects.count() == 3


def test_every_bad_cccd_gets_a_reason_without_personal_values(bo_de_area):
    born = date(2005, 6, 1)
    good = replace(_rows(bo_de_area, 1)[0], birth_date=born, cccd=cccd_for(2005, "F"), sex="F")
    bad = [
        replace(good, cccd=""),
        replace(good, cccd="00108512345A"),
        replace(good, cccd="0010851234567"),
        replace(good, cccd="000085123456"),
        replace(good, cccd=cccd_for(2006, "F")),
        replace(good, cccd=cccd_for(1905, "F")),
        replace(good, cccd=cccd_for(2105, "F")),
        replace(good, cccd=int(good.cccd)),  # type: ignore[arg-type]
        replace(good, cccd=cccd_for(2005, "M")),
        replace(good, phone="0123"),
        replace(good, pregnant=True, sex="M", cccd=cccd_for(2005, "M")),
        replace(good, birth_date="1950-01-01"),  # type: ignore[arg-type]
    ]
    result = services.bulk_register(bad)
    assert [r.reason for r in result.rejections] == [
        Reason.CCCD_MISSING,
        Reason.CCCD_NOT_DIGITS,
        Reason.CCCD_LENGTH,
        Reason.CCCD_PROVINCE,
        Reason.CCCD_BIRTH_YEAR,
        Reason.CCCD_CENTURY,
        Reason.CCCD_FUTURE,
        Reason.CCCD_NUMBER,
        Reason.CCCD_SEX,
        Reason.PHONE,
        "Only a woman can be marked as pregnant.",
        Reason.BIRTH_DATE_TYPE,
    ]
    # no digits of a CCCD, no province code, no birth year in any reason
    values = {"001", "2005", "2006", "1905", "2105", good.cccd[-6:], "0123"}
    assert not any(value in r.reason for r in result.rejections for value in values)
    assert result.inserted == 0
    assert services.bulk_register([good]).inserted == 1  # the base row itself is valid


def test_a_second_run_inserts_nothing(bo_de_area):
    rows = _rows(bo_de_area, 7)
    first = services.bulk_register(rows, batch_size=3)
    second = services.bulk_register(rows, batch_size=3)
    assert (first.inserted, first.skipped) == (7, 0)
    assert (second.inserted, second.skipped, second.rejections) == (0, 7, [])
    assert Person.objects.count() == 7


def test_rows_are_stored_encrypted_normalised_and_findable(bo_de_area):
    row = _rows(bo_de_area, 1)[0]
    services.bulk_register([replace(row, full_name="Nguye\u0302\u0303n  Thi\u0323 Lan")])
    person = Person.objects.get(cccd_index=cccd_index(row.cccd))
    assert person.cccd_ciphertext is not None
    assert decrypt_cccd(bytes(person.cccd_ciphertext)) == row.cccd
    assert (person.full_name, person.name_key) == ("Nguyễn Thị Lan", "nguyen thi lan")
    assert person.unit_path == bo_de_area.path and person.created_at is not None


def test_a_cccd_repeated_within_the_input_is_inserted_once(bo_de_area):
    rows = _rows(bo_de_area, 3)
    result = services.bulk_register([*rows, rows[0], rows[2]], batch_size=10)
    assert (result.inserted, result.skipped) == (3, 2)


def test_one_audit_entry_per_batch_with_the_count_only(bo_de_area):
    services.bulk_register(_rows(bo_de_area, 5), batch_size=2)
    entries = list(AuditEntry.objects.filter(action="people.bulk_register"))
    assert [e.object_id for e in entries] == ["batch-1", "batch-2", "batch-3"]
    assert {e.unit_path for e in entries} == {bo_de_area.path}
    assert all(e.after_digest and not e.before_digest for e in entries)


def test_a_household_must_belong_to_the_area(bo_de_area, bo_de_area_2, household_bo_de):
    rows = _rows(bo_de_area, 2)
    rows[0] = replace(rows[0], household_id=household_bo_de.pk)
    rows[1] = replace(rows[1], household_id=household_bo_de.pk, residence_area_id=bo_de_area_2.pk)
    result = services.bulk_register(rows)
    assert result.inserted == 1
    assert [(r.row, r.field) for r in result.rejections] == [(2, "household_id")]


def test_an_empty_input_does_nothing(db):
    result = services.bulk_register([])
    assert (result.inserted, result.skipped, result.rejections) == (0, 0, [])
    assert not AuditEntry.objects.exists()


@pytest.mark.postgres_only
def test_postgres_copy_skips_registered_cccds_by_replaying_the_batch(bo_de_area, register_in):
    rows = _rows(bo_de_area, 6)
    existing = rows[4]
    register_in(
        cccd=existing.cccd, full_name=existing.full_name, birth_date=existing.birth_date, sex=existing.sex
    )
    result = services.bulk_register(rows, batch_size=4)
    assert (result.inserted, result.skipped) == (5, 1)
    assert Person.objects.count() == 6
    again = services.bulk_register(rows, batch_size=4)
    assert (again.inserted, again.skipped) == (0, 6)


@pytest.mark.postgres_only
def test_postgres_has_the_trigram_index_for_name_search(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'person_name_key_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
