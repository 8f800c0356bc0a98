"""On PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE of the crossing log and its failed rules.

As for the audit log (core 0002), the only way through is the DBA's maintenance switch
`SET LOCAL phaodai.audit_purge = 'on'` for a retention purge; the application never sets it. SQLite
has no such triggers (the models guard it).
"""

from django.db import migrations

TABLES = ("checkpoints_crossing", "checkpoints_crossingfailure")

FUNCTION = """
CREATE OR REPLACE FUNCTION phaodai_crossings_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('phaodai.audit_purge', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the crossing log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'A retention purge by a DBA sets phaodai.audit_purge = ''on'' for its transaction.';
END;
$$;
"""

# Statement-level, so even a statement that matches no row is refused and TRUNCATE is covered too.
TRIGGERS = """
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION phaodai_crossings_append_only();
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION phaodai_crossings_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
"""


# params=None: the SQL holds literal % signs that must not be read as placeholders.
def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(TRIGGERS.format(table=table), params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP.format(table=table), params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS phaodai_crossings_append_only();", params=None)


class Migration(migrations.Migration):
    dependencies = [("checkpoints", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
