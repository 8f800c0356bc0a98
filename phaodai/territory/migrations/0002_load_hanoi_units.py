"""Loads Hà Nội's 1 + 30 + 579 real units (reference data every installation needs)."""

from django.db import migrations


def load_units(apps, schema_editor):
    from phaodai.core.text import search_key
    from phaodai.territory.units import hanoi_units

    Unit = apps.get_model("territory", "Unit")
    ids: dict[str, int] = {}
    for row in hanoi_units():
        unit = Unit.objects.create(
            code=row.code,
            level=row.level,
            parent_id=ids[row.parent_code] if row.parent_code else None,
            path=row.path,
            name=row.name,
            full_name=row.full_name,
            name_en=row.name_en,
            full_name_en=row.full_name_en,
            code_name=row.code_name,
            unit_type=row.unit_type,
            unit_type_en=row.unit_type_en,
            name_key=search_key(row.full_name),
        )
        ids[row.code] = unit.pk


def unload_units(apps, schema_editor):
    Unit = apps.get_model("territory", "Unit")
    for level in ("ward", "district", "city"):
        Unit.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(load_units, unload_units)]
