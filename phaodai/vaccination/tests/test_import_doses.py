"""Dose imports end to end on small files: doses and summaries, idempotence, corrections, the schedule,
bad cells, jurisdiction, the matching queue, both date formats, workbooks, Vietnamese headers, resume."""

from datetime import date, datetime
from typing import Any

import pytest

from phaodai.core.bulk import runner
from phaodai.core.models import AuditEntry, ImportJob, ImportRejection
from phaodai.people.cccd import cccd_index
from phaodai.vaccination import dose_import, services, services_imports
from phaodai.vaccination.models import Dose, DoseCorrection, Summary, UnmatchedDose
from phaodai.vaccination.tests.conftest import CLOCK, cccd_for
from phaodai.vaccination.tests.test_import_support import (
    counts,
    csv_bytes,
    expect,
    import_file,
    reasons,
    report_lines,
    row,
    run,
    start,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def cccd(serial: int) -> str:
    """The CCCD the `resident` fixture gives (born 02/03/1985, male)."""
    return cccd_for("M", date(1985, 3, 2), serial)


def summary_of(person: Any) -> tuple[date, date | None] | None:
    return Summary.objects.filter(person=person).values_list("first_dose_on", "completed_on").first()


def doses_of(person: Any) -> list[tuple[Any, ...]]:
    return list(
        Dose.objects.filter(person=person)
        .order_by("dose_number")
        .values_list("dose_number", "product__code", "lot", "given_on", "site", "vaccinator", "updated_at")
    )


def test_doses_are_recorded_at_the_residents_ward_with_their_schedule_and_summary(
    health_worker_bo_de: Any, resident: Any
) -> None:
    an, binh = resident(1), resident(2)
    data = csv_bytes(
        [
            row(cccd(1), given="02/08/2021"),
            row(cccd(1), number=2, given="2021-08-23"),
            row(cccd(2), product="AstraZeneca", lot="ABV5811", given="2021-09-01", site="", vaccinator=""),
        ]
    )
    job = import_file(health_worker_bo_de, data)
    assert job.status == ImportJob.Status.DONE
    assert counts(job) == expect(rows=3, accepted=3)
    first, second = Dose.objects.filter(person=an).order_by("dose_number")
    assert (first.path, first.completes_series, first.next_due_on) == (an.unit_path, False, date(2021, 8, 23))
    assert second.completes_series and second.next_due_on is None
    assert second.recorded_by_id == health_worker_bo_de.pk
    astra = Dose.objects.get(person=binh)
    assert (astra.product.code, astra.site, astra.next_due_on) == ("astrazeneca", "", date(2021, 10, 27))
    assert summary_of(an) == (date(2021, 8, 2), date(2021, 8, 23))
    assert summary_of(binh) == (date(2021, 9, 1), None)
    # The services' own summary of each person agrees with the set-wise one.
    for person in (an, binh):
        kept = summary_of(person)
        services.summarise(person)
        assert summary_of(person) == kept


def test_the_same_file_twice_changes_nothing(health_worker_bo_de: Any, resident: Any) -> None:
    people = [resident(n) for n in range(1, 4)]
    rows = [row(cccd(n), given="02/08/2021") for n in range(1, 4)]
    rows += [row(cccd(1), number=2, given="30/08/2021"), row(cccd(99)), row("1.2E+11")]
    data = csv_bytes(rows)
    first = import_file(health_worker_bo_de, data)
    before = [doses_of(p) for p in people], list(Summary.objects.values_list("person_id", "updated_at"))
    queue = list(UnmatchedDose.objects.values_list("pk", "updated_at"))
    second = import_file(health_worker_bo_de, data)
    assert counts(first) == expect(rows=6, accepted=4, unmatched=1, rejected=1)
    assert counts(second) == expect(rows=6, duplicates=5, rejected=1)
    assert (
        [doses_of(p) for p in people],
        list(Summary.objects.values_list("person_id", "updated_at")),
    ) == before
    assert list(UnmatchedDose.objects.values_list("pk", "updated_at")) == queue
    assert not DoseCorrection.objects.exists()


def test_a_changed_dose_is_a_correction_kept_in_history(health_worker_bo_de: Any, resident: Any) -> None:
    an = resident(1)
    import_file(
        health_worker_bo_de,
        csv_bytes(
            [row(cccd(1), given="02/08/2021", lot="FF2589"), row(cccd(1), number=2, given="30/08/2021")]
        ),
    )
    job = import_file(
        health_worker_bo_de,
        csv_bytes(
            [
                row(cccd(1), given="01/08/2021", lot="FG3527", vaccinator="Bác sĩ Trần Thu"),
                row(cccd(1), number=2, given="30/08/2021", site=""),  # a blank site keeps the stored one
            ]
        ),
    )
    assert counts(job) == expect(rows=2, corrected=1, duplicates=1)
    dose = Dose.objects.get(person=an, dose_number=1)
    assert (dose.lot, dose.given_on, dose.vaccinator) == ("FG3527", date(2021, 8, 1), "Bác sĩ Trần Thu")
    assert dose.next_due_on == date(2021, 8, 22)  # recomputed from the corrected day
    history = DoseCorrection.objects.get(dose=dose)
    assert (history.lot_before, history.lot_after) == ("FF2589", "FG3527")
    assert (history.given_on_before, history.given_on_after) == (date(2021, 8, 2), date(2021, 8, 1))
    assert (history.vaccinator_before, history.site_after) == ("Lê Thị Hoa", "Trạm Y tế phường Bồ Đề")
    assert history.import_job_id == job.pk and history.corrected_by_id == health_worker_bo_de.pk
    assert summary_of(an) == (date(2021, 8, 1), date(2021, 8, 30))
    assert AuditEntry.objects.filter(action="vaccination.dose.corrected", object_id=str(dose.pk)).count() == 1


def test_a_correction_that_would_break_a_later_dose_is_refused(
    health_worker_bo_de: Any, resident: Any
) -> None:
    an = resident(1)
    import_file(
        health_worker_bo_de,
        csv_bytes([row(cccd(1), given="02/08/2021"), row(cccd(1), number=2, given="23/08/2021")]),
    )
    stored = doses_of(an)
    job = import_file(
        health_worker_bo_de,
        csv_bytes([row(cccd(1), given="10/08/2021"), row(cccd(1), given="25/08/2021", lot="X1")]),
    )
    assert counts(job) == expect(rows=2, rejected=2)
    lines = report_lines(job)[1:]
    assert [line[:3] for line in lines] == [
        ["2", "given_on", "breaks_later_dose"],
        ["3", "given_on", "after_later_dose"],
    ]
    assert "dose 2" in lines[0][3] and "21 days" in lines[0][3]
    assert doses_of(an) == stored and not DoseCorrection.objects.exists()


def test_doses_that_contradict_the_schedule_are_refused_with_the_reason(
    health_worker_bo_de: Any, resident: Any
) -> None:
    for n in range(1, 5):
        resident(n)
    data = csv_bytes(
        [
            row(cccd(1), given="02/08/2021"),
            row(cccd(1), number=2, given="12/08/2021"),  # 10 days after a Pfizer dose 1: 21 needed
            row(cccd(2), number=3, given="01/09/2021"),  # Pfizer has two doses
            row(cccd(3), number=2, given="01/09/2021"),  # no dose 1
            row(cccd(4), given="16/10/2021"),  # tomorrow
            row(cccd(2), product="astrazeneca", given="01/07/2021"),
            row(cccd(2), product="moderna", number=2, given="01/09/2021"),  # may not follow AstraZeneca
            row(cccd(4), given="02/08/2012"),  # 2012 for 2021: before any vaccine
        ]
    )
    job = import_file(health_worker_bo_de, data)
    assert counts(job) == expect(rows=8, accepted=2, rejected=6)
    lines = report_lines(job)[1:]
    assert [line[:3] for line in lines] == [
        ["3", "given_on", "interval_too_short"],
        ["4", "dose_number", "beyond_series"],
        ["5", "dose_number", "previous_dose_missing"],
        ["6", "given_on", "in_the_future"],
        ["8", "product", "not_interchangeable"],
        ["9", "given_on", "before_vaccines"],
    ]
    assert "at least 21 days" in lines[0][3]
    assert "Comirnaty (Pfizer-BioNTech) has 2 doses" in lines[1][3]


def test_each_bad_cell_is_reported_with_its_column_and_no_value(
    health_worker_bo_de: Any, resident: Any
) -> None:
    resident(1)
    data = csv_bytes(
        [
            row("1.23457E+11"),
            row("00108500001"),
            row(cccd(1), product="Covaxin", lot=""),
            row(cccd(1), number="two", given="31/09/2021"),
            row(cccd(1), number="0", given=""),
            row(cccd(1), born="1990-01-01"),
            row(cccd(1), lot="L" * 41, name="N" * 151),
            row("", given="2021-13-01"),
        ]
    )
    job = import_file(health_worker_bo_de, data)
    assert counts(job) == expect(rows=8, rejected=8)
    assert reasons(job) == [
        ["2", "cccd", "cccd_scientific"],
        ["3", "cccd", "cccd_leading_zero_lost"],
        ["4", "lot", "lot_missing"],
        ["4", "product", "product_unknown"],
        ["5", "dose_number", "dose_number_format"],
        ["5", "given_on", "given_on_format"],
        ["6", "dose_number", "dose_number_format"],
        ["6", "given_on", "given_on_missing"],
        ["7", "birth_date", "birth_date_not_cccd"],
        ["8", "full_name", "full_name_too_long"],
        ["8", "lot", "lot_too_long"],
        ["9", "cccd", "cccd_missing"],
        ["9", "given_on", "given_on_format"],
    ]
    text = "\n".join(",".join(line) for line in report_lines(job))
    for value in ("1.23457E+11", "00108500001", "Covaxin", "31/09/2021", "1990", "LLLL", cccd(1)):
        assert value not in text
    assert not Dose.objects.exists() and not UnmatchedDose.objects.exists()


def test_a_resident_outside_the_uploaders_units_is_refused_without_saying_who(
    health_worker_bo_de: Any, resident: Any
) -> None:
    resident(1)
    outsider = resident(5, area="phuc_xa", name="Phạm Thị Xa")
    job = import_file(health_worker_bo_de, csv_bytes([row(cccd(1)), row(cccd(5), name="Phạm Thị Xa")]))
    assert counts(job) == expect(rows=2, accepted=1, rejected=1)
    [line] = report_lines(job)[1:]
    assert line[:3] == ["3", "cccd", "out_of_scope"]
    assert "Xa" not in line[3] and "Phúc" not in line[3]
    assert not Dose.objects.filter(person=outsider).exists() and not UnmatchedDose.objects.exists()


def test_a_birth_date_is_checked_against_the_registry(health_worker_bo_de: Any, resident: Any) -> None:
    resident(1)
    job = import_file(
        health_worker_bo_de, csv_bytes([row(cccd(1), born="03/03/1985"), row(cccd(1), born="1985-03-02")])
    )
    assert counts(job) == expect(rows=2, accepted=1, rejected=1)
    assert reasons(job) == [["2", "birth_date", "birth_date_mismatch"]]


def test_persons_not_found_wait_in_the_queue_encrypted_until_a_ward_matches_them(
    health_worker_bo_de: Any, resident: Any
) -> None:
    data = csv_bytes(
        [row(cccd(9), name="Lê Thị Hoa", given="02/08/2021"), row(cccd(9), number=2, given="30/08/2021")]
    )
    first = import_file(health_worker_bo_de, data)
    assert counts(first) == expect(rows=2, unmatched=2)
    waiting = UnmatchedDose.objects.order_by("dose_number")
    entry = waiting[0]
    assert (entry.full_name, entry.row_number, entry.path) == ("Lê Thị Hoa", 2, "/01/004/00139/")
    assert cccd(9).encode() not in bytes(entry.cccd_ciphertext)
    assert entry.cccd_index == cccd_index(cccd(9))
    assert counts(import_file(health_worker_bo_de, data)) == expect(rows=2, duplicates=2)
    changed = import_file(
        health_worker_bo_de, csv_bytes([row(cccd(9), name="Lê Thị Hoa", lot="FG3527", given="02/08/2021")])
    )
    assert counts(changed) == expect(rows=1, unmatched=1)
    assert waiting.count() == 2 and waiting[0].lot == "FG3527"
    # Registered since: matching records every waiting dose of the CCCD, in order.
    person = resident(9)
    assert services_imports.match_unmatched(by=health_worker_bo_de, unmatched=entry, clock=CLOCK) == 2
    assert [d[:4] for d in doses_of(person)] == [
        (1, "pfizer", "FG3527", date(2021, 8, 2)),
        (2, "pfizer", "FF2589", date(2021, 8, 30)),
    ]
    assert summary_of(person) == (date(2021, 8, 2), date(2021, 8, 30))
    assert set(waiting.values_list("status", flat=True)) == {"matched"}
    assert not UnmatchedDose.objects.filter(dose__isnull=True).exists()
    with pytest.raises(services_imports.AlreadyResolved):
        services_imports.match_unmatched(by=health_worker_bo_de, unmatched=entry, clock=CLOCK)


def test_a_file_may_list_a_persons_doses_in_any_order(health_worker_bo_de: Any, resident: Any) -> None:
    resident(1)
    job = import_file(
        health_worker_bo_de,
        csv_bytes([row(cccd(1), number=2, given="30/08/2021"), row(cccd(1), given="02/08/2021")]),
    )
    assert counts(job) == expect(rows=2, accepted=2)


def test_both_date_formats_and_iso_times_are_read(health_worker_bo_de: Any, resident: Any) -> None:
    people = [resident(n) for n in range(1, 4)]
    given = ["01/09/2021", "2021-09-01", "2021-09-01T07:30:00+07:00"]
    job = import_file(
        health_worker_bo_de, csv_bytes([row(cccd(n), given=g) for n, g in enumerate(given, start=1)])
    )
    assert job.accepted == 3
    assert {Dose.objects.get(person=p).given_on for p in people} == {date(2021, 9, 1)}


def test_a_workbook_imports_like_a_csv(health_worker_bo_de: Any, resident: Any) -> None:
    an = resident(1)
    rows = [
        row(cccd(1), product="Moderna", lot=3002187, given=datetime(2021, 8, 2), born=datetime(1985, 3, 2)),
        row(cccd(1), product="moderna", lot="3002190", number=2, given="2021-08-30"),
        row(1085000002),  # a CCCD Excel stored as a number
    ]
    job = import_file(health_worker_bo_de, xlsx_bytes(rows), name="mui-tiem.xlsx")
    assert counts(job) == expect(rows=3, accepted=2, rejected=1)
    assert reasons(job) == [["4", "cccd", "cccd_number"]]
    assert [d[:4] for d in doses_of(an)] == [
        (1, "moderna", "3002187", date(2021, 8, 2)),
        (2, "moderna", "3002190", date(2021, 8, 30)),
    ]


def test_a_vietnamese_header_is_read(health_worker_bo_de: Any, resident: Any) -> None:
    an = resident(1)
    header = [
        "Số CCCD",
        "Họ và tên",
        "Ngày sinh",
        "Vắc xin",
        "Số lô",
        "Mũi",
        "Ngày tiêm",
        "Điểm tiêm",
        "Người tiêm",
    ]
    job = import_file(health_worker_bo_de, csv_bytes([row(cccd(1), product="Vero Cell")], header=header))
    assert job.accepted == 1 and Dose.objects.get(person=an).product.code == "sinopharm"


class Killed(Exception):
    pass


class DiesAfter(dose_import.DoseImport):
    """The import, killed after `batches` committed batches (a worker dying, a database restart)."""

    def __init__(self, batches: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.left = batches

    def write_batch(self, job: Any, rows: Any) -> Any:
        if self.left == 0:
            raise Killed()
        self.left -= 1
        return super().write_batch(job, rows)


def test_a_killed_import_resumes_after_its_last_committed_batch(
    health_worker_bo_de: Any, resident: Any
) -> None:
    for n in range(1, 16):
        resident(n)
    rows = []
    for n in range(1, 16):
        rows += [row(cccd(n), given="02/08/2021"), row(cccd(n), number=2, given="30/08/2021")]
    rows += [row(cccd(40)), row("1.2E+11"), row(cccd(41), number=2)]
    data = csv_bytes(rows)
    expected = counts(import_file(health_worker_bo_de, data, batch_size=10))
    summaries = sorted(Summary.objects.values_list("person_id", "first_dose_on", "completed_on"))
    Summary.objects.all().delete()
    Dose.objects.all().delete()
    UnmatchedDose.objects.all().delete()

    job = start(health_worker_bo_de, data)
    with pytest.raises(Killed):
        runner.run(job.pk, DiesAfter(2, clock=CLOCK), batch_size=10, clock=CLOCK)
    job.refresh_from_db()
    assert (job.status, job.committed_rows, job.rows) == ("failed", 21, 20)
    resumed = run(job, batch_size=10)
    assert counts(resumed) == expected == expect(rows=33, accepted=30, unmatched=1, rejected=2)
    assert resumed.status == "done" and resumed.attempts == 2
    assert Dose.objects.count() == 30 and UnmatchedDose.objects.count() == 1
    assert sorted(Summary.objects.values_list("person_id", "first_dose_on", "completed_on")) == summaries
    assert ImportRejection.objects.filter(job=job).count() == 2


def test_the_bulk_dose_service_records_set_wise_and_retries_change_nothing(
    health_worker_bo_de: Any, resident: Any, product: Any
) -> None:
    people = [resident(n) for n in range(1, 4)]
    pfizer = product("pfizer")
    entries = [
        services_imports.DoseEntry(p, pfizer, number, on, "FF2589", "Trạm Y tế", "Lê Thị Hoa")
        for p in people
        for number, on in ((1, date(2021, 8, 2)), (2, date(2021, 8, 30)))
    ]
    entries.append(
        services_imports.DoseEntry(people[0], pfizer, 3, date(2021, 9, 30), "FF2589", "Trạm", "Hoa")
    )
    done = services_imports.record_doses(by=health_worker_bo_de, doses=entries, clock=CLOCK)
    assert (done.accepted, done.rejected, [r.reason for r in done.rejections]) == (6, 1, ["beyond_series"])
    assert all(summary_of(p) == (date(2021, 8, 2), date(2021, 8, 30)) for p in people)
    again = services_imports.record_doses(by=health_worker_bo_de, doses=entries[:6], clock=CLOCK)
    assert (again.accepted, again.duplicates) == (0, 6)


def test_the_bulk_dose_service_refuses_a_person_outside_the_users_units(
    health_worker_bo_de: Any, resident: Any, product: Any
) -> None:
    from phaodai.core.errors import OutOfScope

    outsider = resident(5, area="phuc_xa")
    entry = services_imports.DoseEntry(outsider, product("pfizer"), 1, date(2021, 8, 2), "L1", "Trạm", "Hoa")
    with pytest.raises(OutOfScope):
        services_imports.record_doses(by=health_worker_bo_de, doses=[entry], clock=CLOCK)
    assert not Dose.objects.exists()


def test_matching_to_another_cccd_than_the_files_needs_the_officer_to_say_it_was_wrong(
    health_worker_bo_de: Any, resident: Any
) -> None:
    from phaodai.core.errors import InvalidInput

    import_file(health_worker_bo_de, csv_bytes([row(cccd(9), given="02/08/2021")]))
    entry = UnmatchedDose.objects.get()
    person = resident(3)
    with pytest.raises(InvalidInput, match="differs from the one in the file"):
        services_imports.match_unmatched(by=health_worker_bo_de, unmatched=entry, cccd=cccd(3), clock=CLOCK)
    assert not Dose.objects.exists()
    services_imports.match_unmatched(
        by=health_worker_bo_de, unmatched=entry, cccd=cccd(3), file_cccd_wrong=True, clock=CLOCK
    )
    assert [d[:4] for d in doses_of(person)] == [(1, "pfizer", "FF2589", date(2021, 8, 2))]
    audit = AuditEntry.objects.get(action="vaccination.unmatched.match")
    assert audit.object_id == str(entry.pk)
