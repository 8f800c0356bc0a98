"""Payments are written when paid (decision record 0031): the rows a payment list made "due" before any
money moved carry nothing the approved line does not, so they go; the line reads as unpaid again."""

from django.db import migrations, models


def drop_due_payments(apps, schema_editor):
    apps.get_model("welfare", "Payment").objects.filter(status="due").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("welfare", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_due_payments, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="payment",
            name="status",
            field=models.CharField(
                choices=[("paid", "Paid"), ("reconciled", "Reconciled")], default="paid", max_length=10
            ),
        ),
    ]
