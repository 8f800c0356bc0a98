from django.db import migrations


class Migration(migrations.Migration):
    """The trace table's index on (level, person) goes: no query needs it (the places' lists go by path
    and level, the clusters by root case or cluster, and the reads by level alone are scans anyway), and
    every row the derivation writes maintained it (decision record 0035)."""

    dependencies = [
        ("cases", "0005_trace_rows_without_constraints"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="tracelevel", name="trace_level"),
    ]
