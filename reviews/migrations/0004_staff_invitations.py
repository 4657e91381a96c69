import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Invitations serve reviewers too: the HR invitation becomes a staff invitation with an
    optional city, and a reviewer may or may not handle fail confirmations and appeals."""

    dependencies = [
        ("candidates", "0020_result_notice"),
        ("reviews", "0003_roster_facts"),
    ]

    operations = [
        migrations.AddField(
            model_name="cityreviewer",
            name="handles_second_checks",
            field=models.BooleanField(default=True, verbose_name="可处理不通过复核和申辩"),
        ),
        migrations.RenameModel(old_name="EmployerInvitation", new_name="StaffInvitation"),
        migrations.AlterField(
            model_name="staffinvitation",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invitations",
                to="candidates.organisation",
            ),
        ),
        migrations.AddField(
            model_name="staffinvitation",
            name="city",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="candidates.city",
            ),
        ),
        migrations.AddField(
            model_name="staffinvitation",
            name="handles_second_checks",
            field=models.BooleanField(default=True),
        ),
    ]
