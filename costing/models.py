"""Workplace cost tables and reimbursement rules."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import OrgUnit
from stellenplan.models import PayGrade

MONEY = {"max_digits": 12, "decimal_places": 2}


class CostTable(models.Model):
    """E.g. "Rundschreiben Nr. 03/2010 – Kosten eines Arbeitsplatzes", valid from a date."""

    name = models.CharField(_("Bezeichnung"), max_length=200)
    valid_from = models.DateField(_("gültig ab"), unique=True)
    remark = models.TextField(_("Bemerkung"), blank=True)

    class Meta:
        verbose_name = _("Kostentabelle")
        verbose_name_plural = _("Kostentabellen")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.name


class CostRate(models.Model):
    """Full-time annual workplace cost of one pay grade in one table."""

    table = models.ForeignKey(
        CostTable, verbose_name=_("Kostentabelle"), on_delete=models.CASCADE, related_name="rates"
    )
    pay_grade = models.ForeignKey(
        PayGrade, verbose_name=_("Stellenwert"), on_delete=models.PROTECT, related_name="rates"
    )
    annual_cost = models.DecimalField(
        _("Jahreskosten (Vollzeit)"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Gesamtkosten eines Arbeitsplatzes pro Jahr in Euro."),
        **MONEY,
    )
    personnel_cost = models.DecimalField(_("Personalkosten"), null=True, blank=True, **MONEY)
    material_cost = models.DecimalField(_("Sachkosten"), null=True, blank=True, **MONEY)
    it_cost = models.DecimalField(_("IT-Kosten"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("Kostensatz")
        verbose_name_plural = _("Kostensätze")
        ordering = ["table", "pay_grade__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "pay_grade"],
                name="one_rate_per_grade",
                violation_error_message="Für diesen Stellenwert gibt es in dieser Kostentabelle schon einen Kostensatz.",
            ),
            models.CheckConstraint(
                condition=models.Q(annual_cost__gt=0),
                name="rate_positive",
                violation_error_message="Die Jahreskosten müssen größer als 0 sein.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pay_grade.code}: {self.annual_cost} €"


class ReimbursementRule(models.Model):
    """A share of the costs of some org units (with their sub-units) paid by a third party."""

    name = models.CharField(_("Bezeichnung"), max_length=200)
    rate = models.DecimalField(
        _("Erstattungssatz"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Anteil als Dezimalzahl, z. B. 0,848 für 84,8 %."),
    )
    org_units = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("Organisationseinheiten"),
        related_name="reimbursement_rules",
        help_text=_("Gilt jeweils samt allen untergeordneten Einheiten."),
    )
    valid_from = models.DateField(_("gültig ab"))
    valid_to = models.DateField(_("gültig bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Erstattungsregel")
        verbose_name_plural = _("Erstattungsregeln")
        ordering = ["valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__gte=0) & models.Q(rate__lte=1),
                name="rule_rate_range",
                violation_error_message="Der Erstattungssatz muss zwischen 0 und 1 (100 %) liegen.",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="rule_valid_range",
                violation_error_message="„gültig bis“ darf nicht vor „gültig ab“ liegen.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
