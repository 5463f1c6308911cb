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
    # 14 models (with the adopted records of issue 11, the stored public renderings of
    # issue 21 and the Gremien and Sitzungen of issue 22), each with its history model but the
    # status log, the adopted records and the renderings, whose rows are never edited by hand
    assert len([m for m in models if not m.startswith("historical")]) == 14
    assert granted == expected


def test_it_gives_the_reopen_right_only_to_the_leitung(db):
    leitung = Group.objects.get(name="Sitzungsdienst-Leitung")
    assert set(leitung.permissions.values_list("codename", flat=True)) == {"reopen_decision"}
    assert not Group.objects.get(name="Sitzungsdienst").permissions.filter(
        codename="reopen_decision"
    )


def test_it_gives_other_roles_no_decision_rights(db):
    for name in ["Personalamt", "Kämmerei"]:
        rights = Group.objects.get(name=name).permissions.filter(
            content_type__app_label="decisions"
        )
        assert not rights.exists()
