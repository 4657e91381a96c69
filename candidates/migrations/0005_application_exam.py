import django.db.models.deletion
from django.db import migrations, models


def copy_roster_exam(apps, schema_editor):
    Application = apps.get_model("candidates", "Application")
    RosterEntry = apps.get_model("candidates", "RosterEntry")
    for exam_id in RosterEntry.objects.values_list("exam_id", flat=True).distinct():
        Application.objects.filter(roster_entry__exam_id=exam_id).update(exam_id=exam_id)


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0004_queue_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="exam",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="candidates.exam",
            ),
        ),
        migrations.RunPython(copy_roster_exam, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="application",
            name="exam",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="candidates.exam",
            ),
        ),
    ]
