"""On PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE of the audit log (decision 0005).

The only way through is the maintenance switch `SET LOCAL phaodai.audit_purge = 'on'`, for a DBA's
retention purge; the application never sets it. SQLite has no such triggers (the model guards it).
"""

from django.db import migrations

# Statement-level, so even a statement that matches no row is refused and TRUNCATE is covered too.
CREATE = """
CREATE OR REPLACE FUNCTION phaodai_audit_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('phaodai.audit_purge', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'A retention purge by a DBA sets phaodai.audit_purge = ''on'' for its transaction.';
END;
$$;

CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION phaodai_audit_immutable();

CREATE TRIGGER core_auditentry_no_truncate
    BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION phaodai_audit_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS phaodai_audit_immutable();
"""


# params=None: the SQL holds literal % signs that must not be read as placeholders.
def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
