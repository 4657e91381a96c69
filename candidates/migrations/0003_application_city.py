import django.db.models.deletion
from django.db import migrations, models


def copy_round_city(apps, schema_editor):
    Application = apps.get_model("candidates", "Application")
    VerificationRound = apps.get_model("candidates", "VerificationRound")
    for round_id, city_id in VerificationRound.objects.values_list("pk", "city_id"):
        Application.objects.filter(round_id=round_id).update(city_id=city_id)


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0002_review_support"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="city",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="candidates.city",
            ),
        ),
        migrations.RunPython(copy_round_city, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="application",
            name="city",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="candidates.city",
            ),
        ),
    ]
