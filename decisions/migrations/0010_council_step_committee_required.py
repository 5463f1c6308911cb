import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("decisions", "0009_council_committee_names_to_rows")]

    operations = [
        migrations.RemoveField(model_name="consultationstep", name="committee_name"),
        migrations.RemoveField(model_name="historicalconsultationstep", name="committee_name"),
        migrations.AlterField(
            model_name="consultationstep",
            name="committee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultation_steps",
                to="decisions.committee",
                verbose_name="Vorlage an (Gremium)",
            ),
        ),
    ]
