# exposure_high_day carries low_id (INCLUDE, PostgreSQL; SQLite builds it as before), so that reading a
# person's links from the high end is index-only, as from the low end (exposure_once_per_pair_day):
# tracing reads links from both ends, in the rebuild and around every new case or contact.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_trace_root_case_one_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="exposure",
            name="exposure_high_day",
        ),
        migrations.AddIndex(
            model_name="exposure",
            index=models.Index(fields=["high", "exposed_on"], include=("low",), name="exposure_high_day"),
        ),
    ]
