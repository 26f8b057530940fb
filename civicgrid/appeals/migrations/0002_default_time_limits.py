"""The default time limits (working days), editable by administrators afterwards."""

from django.db import migrations

DEFAULTS = {
    "consultation": 2,
    "help": 5,
    "complaint": 10,
    "report": 10,
    "suggestion": 15,
}


def forward(apps, schema_editor):
    time_limit = apps.get_model("appeals", "TimeLimit")
    for appeal_type, days in DEFAULTS.items():
        time_limit.objects.get_or_create(
            appeal_type=appeal_type,
            category=None,
            defaults={"sign_for_days": 1, "handling_days": days},
        )


def reverse(apps, schema_editor):
    apps.get_model("appeals", "TimeLimit").objects.filter(category__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
