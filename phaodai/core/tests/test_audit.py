"""The audit log: entries chain, `verify` names every kind of tampering, PostgreSQL refuses changes."""

import hashlib
import importlib
import itertools
import json
from datetime import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from phaodai.core import audit
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.core.tests.auditing import breaks, run_sql, ticking_clock

PREV = audit.PREV_MISMATCH  # lazy: read in the language active when the test runs
CONTENT = audit.CONTENT_MISMATCH
immutable = importlib.import_module("phaodai.core.migrations.0002_audit_immutable")


def verify(*args: str) -> str:
    """Run `audit verify` and return what it printed (raises CommandError when tampered)."""
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def rehash(entry_id: int, **changes: str) -> tuple[str, list[Any]]:
    """SQL rewriting one entry and recomputing its own hash, as an attacker who knows the algorithm would."""
    entry = AuditEntry.objects.get(pk=entry_id)
    for name, value in changes.items():
        setattr(entry, name, value)
    return "UPDATE core_auditentry SET entry_hash = %s, object_id = %s, prev_hash = %s WHERE id = %s", [
        audit._entry_hash(entry),
        entry.object_id,
        entry.prev_hash,
        entry_id,
    ]


# --- Appending ---------------------------------------------------------------------------------


def test_each_entry_links_to_the_one_before(chain):
    assert chain[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.entry_hash
    assert breaks() == []


def test_entries_read_back_from_the_database_still_match_their_hashes(chain):
    stored = list(AuditEntry.objects.order_by("id"))
    assert [e.entry_hash for e in stored] == [e.entry_hash for e in chain]
    assert all(audit._entry_hash(e) == e.entry_hash for e in stored)


def test_an_entry_records_who_what_where_and_when_but_only_digests_of_the_data(db, ward_officer_bo_de):
    before = {"full_name": "Nguyễn Văn Ân", "phone": "0912345678"}
    after = {"full_name": "Nguyễn Văn Ân", "phone": "0987654321"}
    entry = audit.record(
        actor=ward_officer_bo_de,
        action="people.update",
        object_type="people.person",
        object_id="7f1c",
        unit_path="/01/004/00139/",
        before=before,
        after=after,
        clock=lambda: hanoi(2021, 9, 9, 6, 0),
    )
    stored = AuditEntry.objects.filter(pk=entry.pk).values().get()
    assert stored["actor_id"] == ward_officer_bo_de.pk
    assert stored["actor_username"] == "ward-00139"
    assert stored["before_digest"] == audit.digest(before) != stored["after_digest"] == audit.digest(after)
    flat = json.dumps(stored, default=str, ensure_ascii=False)
    for personal in ("Nguyễn", "0912345678", "0987654321"):
        assert personal not in flat


def test_digests_are_keyed_so_a_short_value_cannot_be_found_by_trying_them_all():
    state = {"phone": "0912345678"}
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":")).encode()
    assert audit.digest(state) != hashlib.sha256(canonical).hexdigest()
    assert audit.digest(state) == audit.digest(dict(reversed(list(state.items()))))
    assert audit.digest({"phone": "0912345679"}) != audit.digest(state)
    assert audit.digest(None) == ""


@pytest.mark.parametrize("object_id", ["001090012345", "0912345678", "+84912345678"])
def test_a_personal_identifier_cannot_be_logged_as_the_object_id(db, object_id):
    with pytest.raises(ValueError, match="primary key"):
        audit.record(actor=None, action="people.update", object_type="people.person", object_id=object_id)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"action": ""},
        {"object_type": ""},
        {"action": "x" * 65},
        {"object_id": "1" * 65},
        {"unit_path": "/" * 65},
    ],
)
def test_an_entry_the_database_would_truncate_or_that_says_nothing_is_refused(db, fields):
    arguments = {"actor": None, "action": "test.write", "object_type": "test.thing", **fields}
    with pytest.raises(ValueError):
        audit.record(**arguments)


def test_a_naive_clock_is_refused(db):
    with pytest.raises(ValueError, match="aware"):
        audit.record(
            actor=None, action="test.write", object_type="test.thing", clock=lambda: datetime(2021, 9, 9)
        )


def test_an_entry_is_rolled_back_with_the_write_it_records(chain):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=None, action="test.write", object_type="test.thing", clock=ticking_clock())
        raise RuntimeError("the write failed")
    assert AuditEntry.objects.count() == len(chain)
    assert breaks() == []


def test_the_model_refuses_to_change_or_delete_an_entry(chain):
    entry = chain[0]
    entry.action = "changed"
    with pytest.raises(RuntimeError, match="cannot be changed"):
        entry.save()
    with pytest.raises(RuntimeError, match="cannot be deleted"):
        entry.delete()


# --- Verifying: every kind of tampering is named ---------------------------------------------------


def test_an_edited_entry_is_named(chain):
    run_sql([("UPDATE core_auditentry SET object_id = %s WHERE id = %s", ["999", chain[2].pk])])
    assert breaks() == [(chain[2].pk, CONTENT)]


def test_an_edited_entry_whose_hash_was_recomputed_breaks_the_link_to_the_next(chain):
    run_sql([rehash(chain[2].pk, object_id="999")])
    assert breaks() == [(chain[3].pk, PREV)]


def test_a_deleted_entry_is_named_by_the_one_after_it(chain):
    run_sql([("DELETE FROM core_auditentry WHERE id = %s", [chain[2].pk])])
    assert breaks() == [(chain[3].pk, PREV)]


def test_deleting_the_first_entry_is_detected(chain):
    run_sql([("DELETE FROM core_auditentry WHERE id = %s", [chain[0].pk])])
    assert breaks() == [(chain[1].pk, PREV)]


def test_reordered_entries_are_named(chain):
    a, b = chain[1].pk, chain[2].pk
    run_sql(
        [
            ("UPDATE core_auditentry SET id = %s WHERE id = %s", [-1, a]),
            ("UPDATE core_auditentry SET id = %s WHERE id = %s", [a, b]),
            ("UPDATE core_auditentry SET id = %s WHERE id = %s", [b, -1]),
        ]
    )
    assert breaks() == [(a, PREV), (b, PREV), (chain[3].pk, PREV)]


def test_an_inserted_entry_is_named_by_the_one_after_it(chain):
    # Make room after the second entry, then slip in a forged entry with a correctly computed hash.
    run_sql([("UPDATE core_auditentry SET id = id + 1000000 WHERE id > %s", [chain[1].pk])])
    forged = AuditEntry(
        pk=chain[1].pk + 1,
        at=chain[1].at,
        action="people.update",
        object_type="people.person",
        object_id="42",
        prev_hash=chain[1].entry_hash,
    )
    forged.entry_hash = audit._entry_hash(forged)
    forged.save(force_insert=True)
    assert breaks() == [(chain[2].pk + 1000000, PREV)]


def test_removing_the_newest_entries_shows_only_against_an_anchor(chain):
    head = chain[-1]
    run_sql([("DELETE FROM core_auditentry WHERE id = %s", [head.pk])])
    # The chain alone cannot tell a truncated log from a shorter one ...
    assert breaks() == []
    # ... but the head printed by an earlier verify can.
    assert audit.check_anchor(head.pk, head.entry_hash) == audit.ChainBreak(head.pk, audit.ANCHOR_MISSING)


def test_a_rewritten_chain_shows_only_against_an_anchor(chain):
    # An attacker edits the second entry and recomputes every hash from there on.
    changes: dict[str, str] = {"object_id": "999"}
    for entry in chain[1:]:
        sql, params = rehash(entry.pk, **changes)
        run_sql([(sql, params)])
        changes = {"prev_hash": params[0]}
    assert breaks() == []
    head = chain[-1]
    assert audit.check_anchor(head.pk, head.entry_hash) == audit.ChainBreak(head.pk, audit.ANCHOR_MISMATCH)
    assert audit.check_anchor(chain[0].pk, chain[0].entry_hash) is None


def test_after_a_retention_purge_the_chain_verifies_from_the_recorded_start(chain):
    run_sql([("DELETE FROM core_auditentry WHERE id <= %s", [chain[1].pk])])
    assert breaks() == [(chain[2].pk, PREV)]
    assert list(audit.verify_chain(start=chain[1].entry_hash)) == []


# --- The `audit verify` command ----------------------------------------------------------------


def test_verify_reports_an_intact_chain_and_its_head(chain):
    out = verify()
    assert "Checked 5 entries: the chain is intact." in out
    assert f"Head: {chain[-1].pk}:{chain[-1].entry_hash}" in out


def test_verify_of_an_empty_log_is_intact(db):
    assert "Checked 0 entries: the chain is intact." in verify()


def test_verify_names_each_break_and_fails(chain):
    run_sql(
        [
            ("UPDATE core_auditentry SET action = %s WHERE id = %s", ["x", chain[1].pk]),
            ("DELETE FROM core_auditentry WHERE id = %s", [chain[3].pk]),
        ]
    )
    out = StringIO()
    with pytest.raises(
        CommandError, match=r"Checked 4 entries: the audit log was tampered with \(2 breaks\)"
    ) as e:
        call_command("audit", "verify", stdout=out)
    assert e.value.returncode == 1
    assert out.getvalue().splitlines() == [f"Entry {chain[1].pk}: {CONTENT}", f"Entry {chain[4].pk}: {PREV}"]


def test_verify_checks_anchors_and_a_start(chain):
    head = chain[-1]
    assert "intact" in verify("--anchor", f"{head.pk}:{head.entry_hash}")
    run_sql([("DELETE FROM core_auditentry WHERE id = %s", [head.pk])])
    with pytest.raises(CommandError) as e:
        verify("--anchor", f"{head.pk}:{head.entry_hash}")
    assert e.value.returncode == 1
    run_sql([("DELETE FROM core_auditentry WHERE id = %s", [chain[0].pk])])
    assert "Checked 3 entries: the chain is intact." in verify("--start", chain[0].entry_hash)


@pytest.mark.parametrize("args", [[], ["verify", "--anchor", "12"], ["verify", "--start", "abc"], ["purge"]])
def test_verify_refuses_bad_arguments(db, args):
    with pytest.raises(CommandError):
        call_command("audit", *args)


def test_the_command_exits_0_when_intact(chain, capsys):
    execute_from_command_line(["phaodai", "audit", "verify"])
    assert "intact" in capsys.readouterr().out


def test_the_command_exits_1_when_tampered(chain, capsys):
    run_sql([("UPDATE core_auditentry SET action = %s WHERE id = %s", ["x", chain[0].pk])])
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["phaodai", "audit", "verify"])
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert f"Entry {chain[0].pk}:" in captured.out
    assert "tampered" in captured.err


# --- PostgreSQL: the triggers ------------------------------------------------------------------


def production_condition() -> None:
    """Switch off the test database's purge default for this transaction, as in production."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL phaodai.audit_purge = 'off'")


def refused(sql: str, params: list[Any] | None = None) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        ("UPDATE core_auditentry SET action = 'x'", "UPDATE"),
        ("UPDATE core_auditentry SET action = 'x' WHERE false", "UPDATE"),
        ("DELETE FROM core_auditentry", "DELETE"),
        ("TRUNCATE core_auditentry", "TRUNCATE"),
    ],
)
def test_postgresql_refuses_update_delete_and_truncate(chain, sql, operation):
    production_condition()
    message = refused(sql)
    assert f"append-only: {operation}" in message
    assert breaks() == []
    assert AuditEntry.objects.count() == len(chain)


@pytest.mark.postgres_only
def test_postgresql_refuses_orm_bulk_changes_too(chain):
    production_condition()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=chain[0].pk).update(action="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=chain[0].pk).delete()
    assert AuditEntry.objects.count() == len(chain)


@pytest.mark.postgres_only
def test_postgresql_still_appends(chain):
    production_condition()
    audit.record(actor=None, action="test.write", object_type="test.thing", clock=ticking_clock())
    assert breaks() == []


@pytest.mark.postgres_only
def test_with_the_maintenance_switch_a_superuser_can_tamper_and_verify_detects_it(chain):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the test database user is not a superuser")
        production_condition()
        cursor.execute("SET LOCAL phaodai.audit_purge = 'on'")
        cursor.execute("UPDATE core_auditentry SET object_id = '999' WHERE id = %s", [chain[2].pk])
    assert breaks() == [(chain[2].pk, CONTENT)]
    with pytest.raises(CommandError) as e:
        verify()
    assert e.value.returncode == 1


@pytest.mark.postgres_only
def test_the_test_database_lets_pytest_django_flush_the_log(chain):
    # The conftest sets this per database, for every new session; this connection was opened after.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('phaodai.audit_purge', true)")
        assert cursor.fetchone()[0] == "on"
    flush = connection.ops.sql_flush(no_style(), [AuditEntry._meta.db_table])
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in flush:
            cursor.execute(sql)
        assert not AuditEntry.objects.exists()
        transaction.set_rollback(True)
    production_condition()
    assert "TRUNCATE" in refused(flush[0])


@pytest.mark.postgres_only
def test_the_migration_reverses_cleanly(chain):
    def triggers() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = 'core_auditentry'::regclass AND NOT tgisinternal"
            )
            return {name for (name,) in cursor.fetchall()}

    production_condition()
    assert triggers() == {"core_auditentry_append_only", "core_auditentry_no_truncate"}
    # DDL is transactional on PostgreSQL: the test's rollback restores the triggers.
    with connection.schema_editor(atomic=False) as editor:
        immutable.drop_triggers(None, editor)
        assert triggers() == set()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [chain[0].pk])
        immutable.create_triggers(None, editor)
    assert triggers() == {"core_auditentry_append_only", "core_auditentry_no_truncate"}
    assert "append-only" in refused("DELETE FROM core_auditentry")
