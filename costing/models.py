"""Workplace cost tables and reimbursement rules."""

from decimal import Decimal
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import FieldCheckConstraint
from core.formatting import euro
from core.history import history_user
from core.parsing import YEAR_RANGE_TEXT, date_in_year_range
from departments.models import OrgUnit
from stellenplan.models import PayGrade


class MoneyOptions(TypedDict):
    """The options every money field shares (typed, so `**MONEY` is checked)."""

    max_digits: int
    decimal_places: int
    error_messages: dict[str, str]


MONEY: MoneyOptions = {
    "max_digits": 12,
    "decimal_places": 2,
    "error_messages": {
        "max_digits": "Der Betrag ist zu groß (höchstens 9.999.999.999,99 €).",
        "max_whole_digits": "Der Betrag ist zu groß (höchstens 9.999.999.999,99 €).",
        "max_decimal_places": "Der Betrag hat mehr als zwei Nachkommastellen: erlaubt sind "
        "höchstens zwei Nachkommastellen (Cent).",
    },
}

#: (%% because Django fills in the message's parameters)
RULE_RATE_RANGE = "Der Erstattungssatz muss zwischen 0 und 1 (100 %%) liegen."
RULE_RATE_DIGITS = (
    "Der Erstattungssatz ist zu genau: höchstens vier Nachkommastellen als Anteil zwischen 0 "
    "und 1 (z. B. 0,8475 oder 84,75 %%)."
)


class CostTable(models.Model):
    """E.g. "Rundschreiben Nr. 03/2010 – Kosten eines Arbeitsplatzes", valid from a date."""

    name = models.CharField(_("Bezeichnung"), max_length=200)
    valid_from = models.DateField(_("gültig ab"), unique=True)
    remark = models.TextField(_("Bemerkung"), blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Kostentabelle")
        verbose_name_plural = _("Kostentabellen")
        ordering = ["-valid_from"]
        constraints = [
            FieldCheckConstraint(
                condition=date_in_year_range("valid_from"),
                name="costtable_valid_from_year_range",
                field="valid_from",
                violation_error_code="year_range",
                violation_error_message="„gültig ab“ (%(valid_from)s) muss in den Jahren "
                f"{YEAR_RANGE_TEXT} liegen.",
            ),
        ]

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
        help_text=_("Gesamtkosten eines Arbeitsplatzes pro Jahr in Euro."),
        **MONEY,
    )
    personnel_cost = models.DecimalField(_("Personalkosten"), null=True, blank=True, **MONEY)
    material_cost = models.DecimalField(_("Sachkosten"), null=True, blank=True, **MONEY)
    it_cost = models.DecimalField(_("IT-Kosten"), null=True, blank=True, **MONEY)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

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
            FieldCheckConstraint(
                condition=models.Q(annual_cost__gt=0),
                name="rate_positive",
                field="annual_cost",
                violation_error_code="not_positive",
                violation_error_message="Die Jahreskosten müssen größer als 0 sein: der Betrag "
                "muss mindestens 0,01 € sein.",
            ),
            *(
                FieldCheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True})
                    | models.Q(**{f"{name}__gte": 0}),
                    name=f"rate_{name}_not_negative",
                    field=name,
                    violation_error_code="negative",
                    violation_error_message=f"Die {label} dürfen nicht negativ sein.",
                )
                for name, label in [
                    ("personnel_cost", "Personalkosten"),
                    ("material_cost", "Sachkosten"),
                    ("it_cost", "IT-Kosten"),
                ]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pay_grade.code}: {self.annual_cost} €"

    def clean(self) -> None:
        """The components, when given, must add up to the total (a missing one counts 0)."""
        super().clean()
        message = components_mismatch(
            self.annual_cost, self.personnel_cost, self.material_cost, self.it_cost
        )
        if message:
            raise ValidationError({"annual_cost": message}, code="components_sum")


COMPONENT_LABELS = ("Personalkosten", "Sachkosten", "IT-Kosten")


def components_mismatch(
    annual_cost: Decimal | None,
    personnel_cost: Decimal | None,
    material_cost: Decimal | None,
    it_cost: Decimal | None,
) -> str:
    """A German message when the given components do not add up to the total, else ""."""
    components = [
        (label, value)
        for label, value in zip(
            COMPONENT_LABELS, (personnel_cost, material_cost, it_cost), strict=True
        )
        if value is not None
    ]
    if annual_cost is None or not components:
        return ""
    if annual_cost <= 0 or any(value < 0 for _, value in components):
        return ""  # the constraints name these
    total = sum((value for _, value in components), Decimal(0))
    if total == annual_cost:
        return ""
    parts = " + ".join(f"{label} {euro(value, ' ')}" for label, value in components)
    return (
        f"Die Komponenten ergeben {euro(total, ' ')} ({parts}), die Jahreskosten (Vollzeit) "
        f"sind aber {euro(annual_cost, ' ')}: Personal-, Sach- und IT-Kosten müssen zusammen "
        f"die Jahreskosten ergeben (fehlende zählen als 0) oder leer bleiben."
    )


class ReimbursementRule(models.Model):
    """A share of the costs of some org units (with their sub-units) paid by a third party."""

    name = models.CharField(_("Bezeichnung"), max_length=200)
    rate = models.DecimalField(
        _("Erstattungssatz"),
        max_digits=5,
        decimal_places=4,
        # The range is the constraint below; the field's own digit checks by their code.
        error_messages={
            "max_digits": RULE_RATE_DIGITS,
            "max_whole_digits": RULE_RATE_RANGE,
            "max_decimal_places": RULE_RATE_DIGITS,
        },
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
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(
        excluded_fields=["version"], get_user=history_user, m2m_fields=[org_units]
    )

    class Meta:
        verbose_name = _("Erstattungsregel")
        verbose_name_plural = _("Erstattungsregeln")
        ordering = ["valid_from", "name"]
        constraints = [
            FieldCheckConstraint(
                condition=models.Q(rate__gte=0) & models.Q(rate__lte=1),
                name="rule_rate_range",
                field="rate",
                violation_error_code="out_of_range",
                violation_error_message=RULE_RATE_RANGE,
            ),
            FieldCheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="rule_valid_range",
                field="valid_to",
                violation_error_code="end_before_start",
                violation_error_message="„gültig bis“ (%(valid_to)s) darf nicht vor „gültig ab“ "
                "(%(valid_from)s) liegen.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PayAdjustment(models.Model):
    """A dated pay round (Tarifrunde or Besoldungsanpassung) of one status group, used by the
    five-year projection (costing.projection).

    Applied on its date in this order: the fixed amount (Sockelbetrag), then the percentage,
    then the minimum increase (the whole increase of the round is at least this amount). The
    amounts are € per month of a full-time worker, as the agreements state them; on the annual
    rates of a cost table they count twelve times (200 €/Monat = 2.400 €/Jahr), on the
    personnel component where the rate has one, else on the whole rate.
    """

    class Status(models.TextChoices):
        AGREED = "vereinbart", _("vereinbart")
        ASSUMED = "annahme", _("Annahme")

    name = models.CharField(_("Bezeichnung"), max_length=200)
    status_group = models.CharField(
        _("Statusgruppe"), max_length=10, choices=PayGrade.StatusGroup.choices
    )
    effective_date = models.DateField(
        _("wirksam ab"),
        help_text=_("Gilt ab dem ersten Monat, an dessen Ersten sie wirksam ist."),
    )
    base_amount = models.DecimalField(
        _("Sockelbetrag (€ je Monat, Vollzeit)"),
        default=Decimal("0.00"),
        help_text=_("Fester Betrag je Monat einer Vollzeitkraft, z. B. 200; 0 ohne Sockel."),
        **MONEY,
    )
    percent = models.DecimalField(
        _("Erhöhung in %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Prozentuale Erhöhung nach dem Sockel, z. B. 5,5."),
    )
    minimum_amount = models.DecimalField(
        _("Mindestbetrag (€ je Monat, Vollzeit)"),
        default=Decimal("0.00"),
        help_text=_("Mindesterhöhung der ganzen Runde je Monat einer Vollzeitkraft; 0: keine."),
        **MONEY,
    )
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices)
    source = models.TextField(_("Quelle"))
    note = models.TextField(_("Bemerkung"), blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Besoldungs-/Tarifanpassung")
        verbose_name_plural = _("Besoldungs-/Tarifanpassungen")
        ordering = ["status_group", "effective_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_group", "effective_date"],
                name="one_pay_adjustment_per_group_and_date",
                violation_error_message="Für diese Statusgruppe gibt es zu diesem Datum schon "
                "eine Anpassung.",
            ),
            FieldCheckConstraint(
                condition=date_in_year_range("effective_date"),
                name="payadjustment_effective_date_year_range",
                field="effective_date",
                violation_error_code="year_range",
                violation_error_message="„wirksam ab“ (%(effective_date)s) muss in den Jahren "
                f"{YEAR_RANGE_TEXT} liegen.",
            ),
            *(
                FieldCheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 0}),
                    name=f"payadjustment_{name}_not_negative",
                    field=name,
                    violation_error_code="negative",
                    violation_error_message=f"{label} (%({name})s) darf nicht negativ sein.",
                )
                for name, label in [
                    ("base_amount", "Der Sockelbetrag"),
                    ("percent", "Die Erhöhung in %%"),
                    ("minimum_amount", "Der Mindestbetrag"),
                ]
            ),
            FieldCheckConstraint(
                condition=models.Q(percent__lte=100),
                name="payadjustment_percent_at_most_100",
                field="percent",
                violation_error_code="too_large",
                violation_error_message="Die Erhöhung (%(percent)s %%) darf höchstens 100 %% "
                "betragen.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_date:%d.%m.%Y})"
