"""The summary follows its person, and the registry gets the index coverage counts residents with.

Why these live here, on the registry's table, and not in the people app: they exist only for
vaccination's coverage (decision 0022, docs/benchmarks.md "vaccination_coverage").

- A trigger on people_person copies a changed residence ward path or birth date onto the person's
  vaccination_summary row, whatever wrote it (the people services, the admin, SQL), in the same
  transaction: the summary's copies are exact, so coverage reads its numerators off the summary alone.
  Inserts need nothing (a new person has no summary yet). PostgreSQL and SQLite both, so the tests on
  SQLite prove it. On SQLite a later people migration that rebuilds the table drops it: the test
  test_summary_follows_a_person_who_moves fails then, and this migration's SQL must be run again.
- An index on people_person (unit_path, birth_date): coverage's denominators (adults per ward and age
  band) are an index-only scan of it rather than a read of the registry's wide rows.
"""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION vaccination_summary_follows_person() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE vaccination_summary SET unit_path = NEW.unit_path, birth_date = NEW.birth_date
        WHERE person_id = NEW.id;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER vaccination_summary_follows_person AFTER UPDATE OF unit_path, birth_date ON people_person FOR EACH ROW
    WHEN (OLD.unit_path IS DISTINCT FROM NEW.unit_path OR OLD.birth_date IS DISTINCT FROM NEW.birth_date)
    EXECUTE FUNCTION vaccination_summary_follows_person()
    """,
    # varchar_pattern_ops: a district's coverage filters the paths by prefix (LIKE '/01/004/%').
    "CREATE INDEX IF NOT EXISTS vaccination_person_ward_birth ON people_person (unit_path varchar_pattern_ops, birth_date)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS vaccination_person_ward_birth",
    "DROP TRIGGER IF EXISTS vaccination_summary_follows_person ON people_person",
    "DROP FUNCTION IF EXISTS vaccination_summary_follows_person()",
]
SQLITE = [
    """
    CREATE TRIGGER IF NOT EXISTS vaccination_summary_follows_person AFTER UPDATE OF unit_path, birth_date ON people_person
    FOR EACH ROW WHEN OLD.unit_path IS NOT NEW.unit_path OR OLD.birth_date IS NOT NEW.birth_date
    BEGIN
        UPDATE vaccination_summary SET unit_path = NEW.unit_path, birth_date = NEW.birth_date
        WHERE person_id = NEW.id;
    END
    """,
    "CREATE INDEX IF NOT EXISTS vaccination_person_ward_birth ON people_person (unit_path, birth_date)",
]
SQLITE_REVERSE = [
    "DROP INDEX IF EXISTS vaccination_person_ward_birth",
    "DROP TRIGGER IF EXISTS vaccination_summary_follows_person",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_provisional_contacts"),
        ("vaccination", "0002_summary_residence"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
