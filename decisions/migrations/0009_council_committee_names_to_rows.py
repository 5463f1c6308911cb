"""Every committee name of the Beratungsfolge (steps and their history) becomes a Committee
row with exactly that name (surrounding spaces dropped), so every paper prints the same name
as before. Its Art is guessed from the name (Gemeinderat: Hauptorgan; …beirat; Unterausschuss;
else Ausschuss) and can be corrected on the page "Gremien". Names only found in the history
(steps deleted since) become inactive committees."""

from django.db import migrations


def classification_of(name: str) -> str:
    lowered = name.lower()
    if lowered == "gemeinderat" or lowered.startswith("gemeinderat "):
        return "hauptorgan"
    if lowered.startswith("bezirksbeirat"):
        return "bezirksbeirat"
    if "beirat" in lowered:
        return "beirat"
    if lowered.startswith("unterausschuss"):
        return "unterausschuss"
    if "ausschuss" in lowered:
        return "ausschuss"
    return "sonstiges"


def names_to_rows(apps, schema_editor):
    Committee = apps.get_model("decisions", "Committee")
    Step = apps.get_model("decisions", "ConsultationStep")
    HistoricalStep = apps.get_model("decisions", "HistoricalConsultationStep")
    current = {name.strip() for name in Step.objects.values_list("committee_name", flat=True)}
    past = {name.strip() for name in HistoricalStep.objects.values_list("committee_name", flat=True)}
    ids = {}
    for name in sorted(current | past):
        committee, _ = Committee.objects.get_or_create(
            name=name,
            defaults={"classification": classification_of(name), "active": name in current},
        )
        ids[name] = committee.pk
    for model in (Step, HistoricalStep):
        for raw in model.objects.values_list("committee_name", flat=True).distinct():
            model.objects.filter(committee_name=raw).update(committee_id=ids[raw.strip()])


def rows_to_names(apps, schema_editor):
    Committee = apps.get_model("decisions", "Committee")
    names = dict(Committee.objects.values_list("pk", "name"))
    for model_name in ("ConsultationStep", "HistoricalConsultationStep"):
        model = apps.get_model("decisions", model_name)
        for pk, name in names.items():
            model.objects.filter(committee_id=pk).update(committee_name=name)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0008_council_committee_meeting")]

    operations = [migrations.RunPython(names_to_rows, rows_to_names)]
