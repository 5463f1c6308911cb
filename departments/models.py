"""Org units of the city administration as a tree, and budget sections (Teilhaushalte)."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
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
    """A unit of the administration; the tree is Referat > Amt > Abteilung > Sachgebiet.

    Rules held by the database (each with a German message at its field):

    - a Referat is a top-level unit (it has no parent);
    - an Amt may be top-level (an Amt without Referat, e.g. 10 Haupt- und Personalamt) or
      below a Referat;
    - an Abteilung or a Sachgebiet needs a parent (it has no Teilhaushalt of its own and is
      counted with the Amt above it);
    - no unit is its own parent; that no longer cycle forms is ensured by the services, which
      check and change the parent under one lock (``departments.services``);
    - codes are unique ignoring case ("WFB" and "wfb" cannot both exist).

    Which kind may sit below which (e.g. an Amt below a Sachgebiet) is not enforced: the
    costing rolls positions up to the nearest Amt whatever lies between.
    """

    class Kind(models.TextChoices):
        REFERAT = "referat", _("Referat")
        AMT = "amt", _("Amt")
        ABTEILUNG = "abteilung", _("Abteilung")
        SACHGEBIET = "sachgebiet", _("Sachgebiet")

    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("Org.einheit"),
        max_length=30,
        db_index=True,
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
            FieldCheckConstraint(
                condition=models.Q(parent__isnull=False)
                | ~models.Q(kind__in=["abteilung", "sachgebiet"]),
                name="orgunit_below_amt_has_parent",
                field="parent",
                violation_error_code="parent_required",
                violation_error_message="Eine Einheit der Art „%(kind)s“ liegt unterhalb eines "
                "Amtes: bitte die übergeordnete Einheit angeben.",
            ),
            FieldCheckConstraint(
                condition=models.Q(parent__isnull=True) | ~models.Q(kind="referat"),
                name="orgunit_referat_top_level",
                field="parent",
                violation_error_code="referat_has_parent",
                violation_error_message="Ein Referat ist eine oberste Einheit: die übergeordnete "
                "Einheit muss leer bleiben.",
            ),
            FieldUniqueConstraint(
                Lower("code"),
                name="orgunit_code_unique_ignoring_case",
                field="code",
                violation_error_code="code_taken",
                violation_error_message="Das Kürzel „%(code)s“ ist schon vergeben (Groß- und "
                "Kleinschreibung zählen dabei nicht).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
