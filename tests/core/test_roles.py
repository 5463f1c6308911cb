"""The roles table in core.roles and its sync after migrate."""

from django.contrib.auth.models import Group

from core.roles import ROLES, sync_roles


def perms(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_it_gives_each_role_exactly_its_table_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    assert perms("Kämmerei") == {
        f"costing.{a}_{m}"
        for a in ("add", "change", "delete", "view")
        for m in ("costtable", "costrate", "reimbursementrule", "payadjustment")
    }
    personalamt = perms("Personalamt")
    assert "stellenplan.change_position" in personalamt
    assert "stellenplan.view_paygrade" in personalamt
    assert "stellenplan.change_paygrade" not in personalamt
    assert "departments.change_orgunit" in personalamt
    assert "decisions.change_decision" in perms("Sitzungsdienst")
    assert not any(p.startswith("costing.") for p in perms("Sitzungsdienst"))


def test_it_is_idempotent_and_repairs_a_changed_group(db):
    before = {name: perms(name) for name in ROLES}
    kaemmerei = Group.objects.get(name="Kämmerei")
    kaemmerei.permissions.clear()
    Group.objects.filter(name="Sitzungsdienst").delete()
    sync_roles()
    sync_roles()
    assert {name: perms(name) for name in ROLES} == before
    assert Group.objects.filter(name__in=ROLES).count() == len(ROLES)
