"""The shipped validity of a declaration: 72 hours (POLICY.md §4, "QR at checkpoints")."""

from datetime import date

from django.db import migrations

RULE = {
    "code": "KBYT-72H",
    "hours": 72,
    "valid_from": date(2021, 1, 1),
    "basis": "Mã QR khai báo y tế có giá trị 72 giờ tại chốt kiểm soát (Hà Nội, 2021)",
    "basis_en": "The health-declaration QR is valid for 72 hours at checkpoints (Hà Nội, 2021)",
}


def add_rule(apps, schema_editor):
    ValidityRule = apps.get_model("declarations", "ValidityRule")
    ValidityRule.objects.update_or_create(code=RULE["code"], defaults=RULE)


def remove_rule(apps, schema_editor):
    apps.get_model("declarations", "ValidityRule").objects.filter(code=RULE["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("declarations", "0001_initial")]

    operations = [migrations.RunPython(add_rule, remove_rule)]
