"""Loads Hà Nội's 1 + 30 + 579 real units (reference data every installation needs)."""

from django.db import migrations


def load_units(apps, schema_editor):
    from phaodai.territory.units import ensure_units

    ensure_units(apps.get_model("territory", "Unit"), using=schema_editor.connection.alias)


def unload_units(apps, schema_editor):
    Unit = apps.get_model("territory", "Unit")
    for level in ("ward", "district", "city"):
        Unit.objects.using(schema_editor.connection.alias).filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(load_units, unload_units)]
