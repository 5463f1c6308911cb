# Written by hand: data only.

from django.db import migrations


def end_date_makes_fixed_term(apps, schema_editor):
    """Positions saved with an end but not befristet (by a path that skipped Position.clean())
    are befristet, as every page and export already showed them; their history stays as it
    was recorded."""
    Position = apps.get_model("stellenplan", "Position")
    Position.objects.filter(end_date__isnull=False, fixed_term=False).update(fixed_term=True)


class Migration(migrations.Migration):

    dependencies = [
        ('stellenplan', '0010_import_batch_target'),
    ]

    operations = [
        # Backwards nothing to undo: which positions were saved inconsistently is not kept.
        migrations.RunPython(end_date_makes_fixed_term, migrations.RunPython.noop),
    ]
