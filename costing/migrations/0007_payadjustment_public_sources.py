"""The citations of the pay adjustments of the reference data, readable for the public (issue
23): source and date, without the internal notes on how they were checked. Only texts still as
the reference data wrote them are changed (a clerk's own wording stays)."""

from django.db import migrations

PUBLIC_SOURCES = {
    "TVöD-VKA, Tarifeinigung 2023: ab 01.03.2024 Sockelbetrag 200 €, danach 5,5 %, Erhöhung mindestens 340 € monatlich [geprüft über mehrere Gewerkschaftsseiten; DOMAIN.md §4].": (
        "TVöD-VKA, Tarifeinigung vom 22.04.2023: ab 01.03.2024 Sockelbetrag 200 €, danach 5,5 %, Erhöhung mindestens 340 € monatlich."
    ),
    "TVöD-VKA, Tarifeinigung 2025: ab 01.04.2025 3,0 %, mindestens 110 € monatlich [geprüft über mehrere Gewerkschaftsseiten; DOMAIN.md §4].": (
        "TVöD-VKA, Tarifeinigung vom 06.04.2025: ab 01.04.2025 3,0 %, mindestens 110 € monatlich."
    ),
    "TVöD-VKA, Tarifeinigung 2025: ab 01.05.2026 2,8 % (Laufzeit bis 31.03.2027) [geprüft über mehrere Gewerkschaftsseiten; DOMAIN.md §4].": (
        "TVöD-VKA, Tarifeinigung vom 06.04.2025: ab 01.05.2026 2,8 % (Laufzeit bis 31.03.2027)."
    ),
    "Besoldungsanpassung Baden-Württemberg: ab 01.11.2024 Sockelbetrag 200 € [sekundär zitiert, mit dem Gesetzblatt zu bestätigen; DOMAIN.md §4].": (
        "Besoldungsanpassung Baden-Württemberg 2024/2025 (Übertragung des TV-L-Abschlusses vom 09.12.2023): ab 01.11.2024 Sockelbetrag 200 €."
    ),
    "Besoldungsanpassung Baden-Württemberg: ab 01.02.2025 5,5 % [sekundär zitiert, mit dem Gesetzblatt zu bestätigen; DOMAIN.md §4].": (
        "Besoldungsanpassung Baden-Württemberg 2024/2025 (Übertragung des TV-L-Abschlusses vom 09.12.2023): ab 01.02.2025 5,5 %."
    ),
}


def forwards(apps, schema_editor):
    PayAdjustment = apps.get_model("costing", "PayAdjustment")
    for old, new in PUBLIC_SOURCES.items():
        PayAdjustment.objects.filter(source=old).update(source=new)


def backwards(apps, schema_editor):
    PayAdjustment = apps.get_model("costing", "PayAdjustment")
    for old, new in PUBLIC_SOURCES.items():
        PayAdjustment.objects.filter(source=new).update(source=old)


class Migration(migrations.Migration):
    dependencies = [("costing", "0006_payadjustment")]

    operations = [migrations.RunPython(forwards, backwards)]
