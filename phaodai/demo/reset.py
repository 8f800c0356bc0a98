"""Start the demo over: drop every table of the default database so migrations rebuild it."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection


def drop_all_tables() -> int:
    """Drop every table (the schema, reference units and audit log go too); returns how many."""
    quote = connection.ops.quote_name
    cascade = " CASCADE" if connection.vendor == "postgresql" else ""
    # SQLite checks foreign keys on DROP TABLE unless they are switched off (outside a transaction).
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(table)}{cascade}")
    # Content type ids are about to be reissued by migrate.
    ContentType.objects.clear_cache()
    return len(tables)
