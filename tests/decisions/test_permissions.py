"""The Sitzungsdienst gets every right on the decisions models, none on their history tables."""

from django.apps import apps
from django.contrib.auth.models import Group
from simple_history.models import HistoricalChanges


def test_it_gives_the_sitzungsdienst_all_rights_on_every_decisions_model(db):
    granted = set(
        Group.objects.get(name="Sitzungsdienst")
        .permissions.filter(content_type__app_label="decisions")
        .values_list("codename", flat=True)
    )
    models = [
        m._meta.model_name
        for m in apps.get_app_config("decisions").get_models()
        if not issubclass(m, HistoricalChanges)
    ]
    expected = {f"{a}_{m}" for a in ["add", "change", "delete", "view"] for m in models}
    assert len(models) == 10
    assert granted == expected


def test_it_gives_other_roles_no_decision_rights(db):
    for name in ["Personalamt", "Kämmerei"]:
        rights = Group.objects.get(name=name).permissions.filter(
            content_type__app_label="decisions"
        )
        assert not rights.exists()
