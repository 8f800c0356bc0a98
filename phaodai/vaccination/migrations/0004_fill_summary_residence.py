"""Copy each summarised person's residence ward path and birth date onto their summary (data only)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Summary = apps.get_model("vaccination", "Summary")
    person = Person.objects.filter(pk=OuterRef("person_id"))
    Summary.objects.update(
        unit_path=Subquery(person.values("unit_path")[:1]),
        birth_date=Subquery(person.values("birth_date")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("vaccination", "0003_summary_follows_person")]

    # Backwards: the columns go with 0002; nothing to undo here.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
