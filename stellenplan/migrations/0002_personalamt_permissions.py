"""Formerly the role set-up of this app; the roles are now one table in core.roles, synced
after every migrate (core.apps). Kept as a no-op so the migration graph stays the same."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stellenplan", "0001_initial"),
        ("departments", "0002_roles"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
