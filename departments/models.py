"""Org units of the city administration as a tree, and budget sections (Teilhaushalte)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import FieldCheckConstraint
from core.history import history_user


class BudgetSection(models.Model):
    """A Teilhaushalt (THH), e.g. 290 Jobcenter."""

    number = models.CharField(_("Nummer"), max_length=10, unique=True)
    name = models.CharField(_("Bezeichnung"), max_length=200)

    class Meta:
        verbose_name = _("Teilhaushalt")
        verbose_name_plural = _("Teilhaushalte")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"THH {self.number} {self.name}"


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        REFERAT = "referat", _("Referat")
        AMT = "amt", _("Amt")
        ABTEILUNG = "abteilung", _("Abteilung")
        SACHGEBIET = "sachgebiet", _("Sachgebiet")

    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("Org.einheit"),
        max_length=30,
        unique=True,
        help_text=_("Kürzel wie im Stellenplan, z. B. 10, 10-5.1, 29AL oder WFB."),
    )
    name = models.CharField(_("Bezeichnung"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("übergeordnete Einheit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    budget_section = models.ForeignKey(
        BudgetSection,
        verbose_name=_("Teilhaushalt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="org_units",
        help_text=_("Leer: Teilhaushalt der übergeordneten Einheit."),
    )
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Organisationseinheit")
        verbose_name_plural = _("Organisationseinheiten")
        ordering = ["code"]
        constraints = [
            FieldCheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="orgunit_not_own_parent",
                field="parent",
                violation_error_code="own_parent",
                violation_error_message="Eine Organisationseinheit kann nicht sich selbst übergeordnet sein.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
