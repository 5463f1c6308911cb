"""Pay grades and positions: the staffing plan itself."""

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.history import history_user
from core.parsing import YEAR_RANGE_TEXT, date_in_year_range
from departments.models import OrgUnit

FTE_MIN = Decimal("0.01")
FTE_MAX = Decimal("1.00")
FTE_TOO_LARGE = (
    "Die Anzahl der Stellen darf höchstens 1,0 sein; für eine halbe Stelle bitte „0,5“ eingeben."
)
FTE_TOO_PRECISE = (
    "Die Anzahl der Stellen hat mehr als zwei Nachkommastellen: erlaubt sind höchstens zwei "
    "Nachkommastellen, z. B. 0,33 oder 0,5."
)

#: What a KW note without a date means: the form asks for it explicitly, the pages say it.
KW_WITHOUT_DATE = "die nächste frei werdende Stelle dieser Gruppe wird nicht wieder besetzt."


class PayGrade(models.Model):
    """A Stellenwert: Besoldungsgruppe (A 13 hD) or Entgeltgruppe (EG 9)."""

    class StatusGroup(models.TextChoices):
        BEAMTE = "beamte", _("Beamte")
        TARIF = "tarif", _("Tarifbeschäftigte")

    class CareerGroup(models.TextChoices):
        NONE = "", _("—")
        #: Wahlbeamte (Bürgermeister, Beigeordnete) and other Beamte auf Zeit, mostly B grades:
        #: their own block at the head of Teil A (BW Muster), outside the Laufbahngruppen
        TIME = "bz", _("Beamte auf Zeit / Wahlbeamte")
        MD = "mD", _("mittlerer Dienst")
        GD = "gD", _("gehobener Dienst")
        HD = "hD", _("höherer Dienst")

    code = models.CharField(
        _("Stellenwert"),
        max_length=20,
        # unique ignoring case: Meta.constraints (one German message for "A 12" and "a 12")
        help_text=_("Wie im Stellenplan geschrieben, z. B. A 13 hD, A 12, EG 9."),
    )
    status_group = models.CharField(_("Statusgruppe"), max_length=10, choices=StatusGroup.choices)
    career_group = models.CharField(
        _("Laufbahngruppe"), max_length=2, choices=CareerGroup.choices, blank=True, default=""
    )
    sort_order = models.PositiveIntegerField(_("Sortierung"), default=0)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Stellenwert")
        verbose_name_plural = _("Stellenwerte")
        ordering = ["sort_order", "code"]
        constraints = [
            FieldUniqueConstraint(
                Lower("code"),
                name="paygrade_code_unique_ignoring_case",
                field="code",
                violation_error_code="code_taken",
                violation_error_message="Den Stellenwert „%(code)s“ gibt es schon (Groß- und "
                "Kleinschreibung zählen dabei nicht).",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Position(models.Model):
    """One line of the staffing plan: a (share of a) position in an org unit."""

    #: How the history names a field and its values where "ja"/"nein" reads wrong
    #: (core.history): "Befristung: unbefristet → befristet", as on the position's page.
    HISTORY_WORDS: ClassVar[dict[str, tuple[str, dict[Any, str]]]] = {
        "fixed_term": ("Befristung", {True: "befristet", False: "unbefristet"}),
    }

    class Note(models.TextChoices):
        NONE = "", _("—")
        KW = "KW", _("KW (künftig wegfallend)")
        KU = "KU", _("KU (künftig umzuwandeln)")

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("Org.einheit"), on_delete=models.PROTECT, related_name="positions"
    )
    number = models.CharField(
        _("Stellennummer"),
        max_length=30,
        blank=True,
        default="",
        help_text=_("Optional; wenn angegeben, eindeutig, z. B. 29-1/0815."),
    )
    pay_grade = models.ForeignKey(
        PayGrade, verbose_name=_("Stellenwert"), on_delete=models.PROTECT, related_name="positions"
    )
    fte = models.DecimalField(
        _("Anzahl der Stellen"),
        max_digits=3,
        decimal_places=2,
        # The range is checked by the constraints below; the field's own digit checks by code.
        error_messages={
            "max_digits": FTE_TOO_LARGE,
            "max_whole_digits": FTE_TOO_LARGE,
            "max_decimal_places": FTE_TOO_PRECISE,
        },
        help_text=_("Stellenanteil zwischen 0,01 und 1,0, z. B. 0,5."),
    )
    title = models.CharField(_("Funktionsbezeichnung"), max_length=200)
    task_heading = models.CharField(
        _("Überschrift der Aufgabenbeschreibung"),
        max_length=300,
        blank=True,
        help_text=_('Fortsetzung von "1,0 Stelle in A 10 für …" in der Anlage.'),
    )
    note = models.CharField(
        _("Stellenvermerk"), max_length=2, choices=Note.choices, blank=True, default=""
    )
    note_date = models.DateField(_("Datum des Vermerks"), null=True, blank=True)
    ku_target_grade = models.ForeignKey(
        PayGrade,
        verbose_name=_("Zielgruppe des ku-Vermerks"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ku_positions",
        help_text=_("Nur bei KU: die Besoldungs- oder Entgeltgruppe, in die umgewandelt wird."),
    )
    start_date = models.DateField(_("Beginn"))
    end_date = models.DateField(_("Ende"), null=True, blank=True)
    fixed_term = models.BooleanField(
        _("befristet"), default=False, help_text=_("Nicht angekreuzt: unbefristete Stelle.")
    )
    tasks = models.TextField(_("Aufgaben"), blank=True)
    justification = models.TextField(_("Begründung"), blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Stelle")
        verbose_name_plural = _("Stellen")
        ordering = ["org_unit__code", "id"]
        constraints = [
            FieldUniqueConstraint(
                fields=["number"],
                condition=~models.Q(number=""),
                name="position_number_unique",
                field="number",
                violation_error_code="number_taken",
                violation_error_message="Die Stellennummer „%(number)s“ ist schon an eine "
                "andere Stelle vergeben.",
            ),
            FieldCheckConstraint(
                condition=models.Q(fte__gt=0),
                name="position_fte_positive",
                field="fte",
                violation_error_code="fte_not_positive",
                violation_error_message="Die Anzahl der Stellen muss größer als 0 sein.",
            ),
            FieldCheckConstraint(
                condition=models.Q(fte__lte=1),
                name="position_fte_at_most_one",
                field="fte",
                violation_error_code="fte_above_one",
                violation_error_message=FTE_TOO_LARGE,
            ),
            FieldCheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="position_start_before_end",
                field="end_date",
                violation_error_code="end_before_start",
                violation_error_message="Das Ende (%(end_date)s) darf nicht vor dem Beginn "
                "(%(start_date)s) liegen.",
            ),
            FieldCheckConstraint(
                condition=models.Q(note_date__isnull=True) | ~models.Q(note=""),
                name="position_note_date_needs_note",
                field="note_date",
                violation_error_code="note_date_without_note",
                violation_error_message="Ein Datum des Vermerks setzt einen Stellenvermerk "
                "(KW oder KU) voraus.",
            ),
            FieldCheckConstraint(
                condition=date_in_year_range("start_date"),
                name="position_start_date_year_range",
                field="start_date",
                violation_error_code="year_range",
                violation_error_message="Der Beginn (%(start_date)s) muss in den Jahren "
                f"{YEAR_RANGE_TEXT} liegen.",
            ),
            FieldCheckConstraint(
                condition=date_in_year_range("end_date", nullable=True),
                name="position_end_date_year_range",
                field="end_date",
                violation_error_code="year_range",
                violation_error_message="Das Ende (%(end_date)s) muss in den Jahren "
                f"{YEAR_RANGE_TEXT} liegen.",
            ),
            FieldCheckConstraint(
                condition=date_in_year_range("note_date", nullable=True),
                name="position_note_date_year_range",
                field="note_date",
                violation_error_code="year_range",
                violation_error_message="Das Datum des Vermerks (%(note_date)s) muss in den "
                f"Jahren {YEAR_RANGE_TEXT} liegen.",
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.org_unit.code} {self.pay_grade.code} {self.title}"

    @staticmethod
    def fixed_term_for(end_date: datetime.date | None, fixed_term: bool) -> bool:
        """Befristet: an end date makes a position befristet (the one place of this rule;
        ``clean()`` applies it, so every service, form and import saves it that way)."""
        return fixed_term or end_date is not None

    def clean(self) -> None:
        """An end date makes the position befristet. A ku note names the grade it converts
        to; no other position names one."""
        super().clean()
        self.fixed_term = self.fixed_term_for(self.end_date, self.fixed_term)
        if self.note == self.Note.KU and self.ku_target_grade_id is None:
            raise ValidationError(
                {
                    "ku_target_grade": "Ein ku-Vermerk (künftig umzuwandeln) braucht die "
                    "Zielgruppe, in die die Stelle umgewandelt wird, z. B. A 9 oder EG 8."
                }
            )
        if self.note != self.Note.KU and self.ku_target_grade_id is not None:
            raise ValidationError(
                {
                    "ku_target_grade": "Eine Zielgruppe gibt es nur beim ku-Vermerk: bitte "
                    "„KU“ als Stellenvermerk wählen oder die Zielgruppe leeren."
                }
            )
        if self.ku_target_grade_id is not None and self.ku_target_grade_id == self.pay_grade_id:
            raise ValidationError(
                {
                    "ku_target_grade": "Die Zielgruppe des ku-Vermerks muss eine andere sein "
                    "als der Stellenwert der Stelle."
                }
            )


class ImportBatch(models.Model):
    """One Excel import: the uploaded file while it waits for confirmation (preview), then the
    attributed record of what it saved, which can be undone while its rows are untouched.

    Kept in the database (not in a process), so that any app server can confirm a preview.
    ``data_token`` is the data version (``core.dataversion``) the preview was computed at: a
    confirmation at another token checks the file again instead of applying the old preview.
    """

    class Kind(models.TextChoices):
        POSITIONS = "positions", _("Stellen")
        COST_TABLE = "cost_table", _("Kostentabelle")

    class Status(models.TextChoices):
        PENDING = "pending", _("Vorschau, nicht gespeichert")
        APPLIED = "applied", _("gespeichert")
        UNDONE = "undone", _("rückgängig gemacht")
        DISCARDED = "discarded", _("verworfen")

    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hochgeladen von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)
    file_name = models.CharField(_("Dateiname"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 der Datei"), max_length=64)
    #: The file itself, only while the import waits for confirmation (emptied afterwards).
    file_content = models.BinaryField(_("Datei"), blank=True, default=b"")
    options = models.JSONField(_("Optionen"), default=dict, blank=True)
    data_token = models.CharField(_("Datenstand der Vorschau"), max_length=64, blank=True)
    #: What the preview showed (counts and the rows to create, change and warn about).
    preview = models.JSONField(_("Vorschau"), default=dict, blank=True)
    created = models.PositiveIntegerField(_("neu"), default=0)
    updated = models.PositiveIntegerField(_("geändert"), default=0)
    unchanged = models.PositiveIntegerField(_("unverändert"), default=0)
    applied_at = models.DateTimeField(_("gespeichert am"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rückgängig gemacht von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("rückgängig gemacht am"), null=True, blank=True)
    #: The one object an applied import created, if it made one (a cost-table import: the
    #: table), of whatever app the importer belongs to: a generic reference, so that this app
    #: does not point up to the apps that import into it. No database foreign key: undoing the
    #: import deletes the object and the batch keeps the record of it (``target`` is then None).
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("Art des Ergebnisses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target_id = models.PositiveBigIntegerField(_("ID des Ergebnisses"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")

    class Meta:
        verbose_name = _("Import")
        verbose_name_plural = _("Importe")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_type__isnull=True, target_id__isnull=True)
                | models.Q(target_type__isnull=False, target_id__isnull=False),
                name="import_batch_target_complete",
                violation_error_message="Das Ergebnis eines Imports braucht Art und ID.",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_kind_display()}, {self.file_name})"


class ImportBatchItem(models.Model):
    """One object an applied import created or changed, to undo it: the row of the file, the
    version the import left it at, and ``values`` (per field, as JSON): for a change the values
    before it, for a created cost table or rate the values as imported (to see later changes
    even where a write does not count versions)."""

    class Action(models.TextChoices):
        CREATED = "created", _("neu angelegt")
        UPDATED = "updated", _("geändert")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    action = models.CharField(_("Aktion"), max_length=10, choices=Action.choices)
    model = models.CharField(_("Modell"), max_length=40, default="stellenplan.position")
    object_id = models.PositiveBigIntegerField(_("ID"))
    row = models.PositiveIntegerField(_("Zeile"), null=True, blank=True)
    label = models.CharField(_("Bezeichnung"), max_length=300, blank=True)
    version_after = models.PositiveIntegerField(_("Version nach dem Import"))
    values = models.JSONField(_("Werte"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Zeile eines Imports")
        verbose_name_plural = _("Zeilen eines Imports")
        ordering = ["batch", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.model} {self.object_id}"


# --- Personalbedarfsberechnung ---------------------------------------------------------------


class WorkingTime(models.Model):
    """Jahresarbeitszeit and Verteilzeit of one full-time worker: per status group and weekly
    hours, valid from a date on, with the source of the figures (maintained by the Personalamt)."""

    status_group = models.CharField(
        _("Statusgruppe"), max_length=10, choices=PayGrade.StatusGroup.choices
    )
    weekly_hours = models.DecimalField(
        _("Wochenarbeitszeit (Stunden)"), max_digits=4, decimal_places=2
    )
    valid_from = models.DateField(_("gültig ab"))
    annual_hours = models.DecimalField(
        _("Jahresarbeitszeit (Stunden)"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Netto-Jahresarbeitszeit einer Vollzeitkraft in Stunden, z. B. 1.590."),
    )
    distribution_percent = models.DecimalField(
        _("Verteilzeitzuschlag (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        help_text=_(
            "Zuschlag auf gemessene Bearbeitungszeiten ohne Verteilzeit, z. B. 10 "
            "(5 % persönlich + 5 % sachlich, Organisationshandbuch)."
        ),
    )
    source = models.TextField(_("Quelle"))
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Jahresarbeitszeit")
        verbose_name_plural = _("Jahresarbeitszeiten")
        ordering = ["status_group", "weekly_hours", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_group", "weekly_hours", "valid_from"],
                name="working_time_unique",
                violation_error_message="Für diese Statusgruppe und Wochenarbeitszeit gibt es "
                "ab diesem Datum schon eine Jahresarbeitszeit.",
            ),
            FieldCheckConstraint(
                condition=models.Q(weekly_hours__gt=0) & models.Q(weekly_hours__lte=60),
                name="working_time_weekly_hours_range",
                field="weekly_hours",
                violation_error_code="weekly_hours_range",
                violation_error_message="Die Wochenarbeitszeit (%(weekly_hours)s Stunden) muss "
                "größer als 0 und höchstens 60 Stunden sein.",
            ),
            FieldCheckConstraint(
                condition=models.Q(annual_hours__gt=0),
                name="working_time_annual_hours_positive",
                field="annual_hours",
                violation_error_code="annual_hours_not_positive",
                violation_error_message="Die Jahresarbeitszeit (%(annual_hours)s Stunden) muss "
                "größer als 0 sein.",
            ),
            FieldCheckConstraint(
                condition=models.Q(distribution_percent__gte=0)
                & models.Q(distribution_percent__lt=100),
                name="working_time_distribution_range",
                field="distribution_percent",
                violation_error_code="distribution_range",
                violation_error_message="Der Verteilzeitzuschlag (%(distribution_percent)s %%) "
                "muss mindestens 0 und kleiner als 100 %% sein.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_status_group_display()}, {self.weekly_hours.normalize():f} h/Woche, "
            f"ab {self.valid_from:%d.%m.%Y}"
        )


class NeedCalculation(models.Model):
    """A Personalbedarfsberechnung for one position or a group of positions."""

    title = models.CharField(_("Bezeichnung"), max_length=200)
    positions = models.ManyToManyField(
        Position, verbose_name=_("Stellen"), related_name="need_calculations"
    )
    status_group = models.CharField(
        _("Statusgruppe"),
        max_length=10,
        choices=PayGrade.StatusGroup.choices,
        blank=True,
        default="",
        help_text=_("Für die Jahresarbeitszeit der analytischen Methode."),
    )
    weekly_hours = models.DecimalField(
        _("Wochenarbeitszeit (Stunden)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Für die Jahresarbeitszeit der analytischen Methode, z. B. 39."),
    )
    parameter_date = models.DateField(
        _("Stichtag der Jahresarbeitszeit"),
        null=True,
        blank=True,
        help_text=_("Es gilt die zu diesem Tag gültige Jahresarbeitszeit."),
    )
    source = models.TextField(_("Quelle"), blank=True)
    remarks = models.TextField(_("Bemerkungen"), blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(
        excluded_fields=["version"], get_user=history_user, m2m_fields=[positions]
    )

    class Meta:
        verbose_name = _("Bedarfsberechnung")
        verbose_name_plural = _("Bedarfsberechnungen")
        ordering = ["title", "id"]
        constraints = [
            FieldCheckConstraint(
                condition=models.Q(weekly_hours__isnull=True) | models.Q(weekly_hours__gt=0),
                name="need_calculation_weekly_hours_positive",
                field="weekly_hours",
                violation_error_code="weekly_hours_not_positive",
                violation_error_message="Die Wochenarbeitszeit (%(weekly_hours)s Stunden) muss "
                "größer als 0 sein.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NeedLine(models.Model):
    """One task of a Bedarfsberechnung, computed by one method."""

    class Method(models.TextChoices):
        ANALYTIC = "analytisch", _("analytisch (Fallzahl × Bearbeitungszeit)")
        RATIO = "schluessel", _("Betreuungsschlüssel (Fallzahl ÷ Schlüssel)")
        PROPORTIONAL = "kennzahl", _("Kennzahl (vorhandene Stellen × neue ÷ bisherige Fälle)")
        STATED = "angabe", _("Angabe ohne Herleitung")

    calculation = models.ForeignKey(
        NeedCalculation,
        verbose_name=_("Bedarfsberechnung"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    order = models.PositiveIntegerField(_("Reihenfolge"), default=1)
    task = models.CharField(_("Aufgabe"), max_length=300)
    method = models.CharField(_("Methode"), max_length=12, choices=Method.choices)
    cases = models.DecimalField(
        _("Fallzahl"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    minutes_min = models.DecimalField(
        _("Bearbeitungszeit (Minuten, von)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Mittlere Bearbeitungszeit je Fall in Minuten."),
    )
    minutes_max = models.DecimalField(
        _("Bearbeitungszeit (Minuten, bis)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Nur bei einer Spanne, z. B. 60 bis 120 Minuten."),
    )
    add_distribution_time = models.BooleanField(
        _("Verteilzeitzuschlag aufschlagen"),
        default=False,
        help_text=_("Ankreuzen, wenn die Bearbeitungszeiten keine Verteilzeit enthalten."),
    )
    ratio = models.DecimalField(
        _("Betreuungsschlüssel (Fälle je Stelle)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("z. B. 150 für 1 : 150."),
    )
    existing_fte = models.DecimalField(
        _("vorhandene Stellen"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    existing_cases = models.DecimalField(
        _("bisherige Fallzahl"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    stated_fte = models.DecimalField(
        _("angegebene Stellen"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    source = models.TextField(_("Quelle"), blank=True)
    remarks = models.TextField(_("Bemerkungen"), blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Zeile der Bedarfsberechnung")
        verbose_name_plural = _("Zeilen der Bedarfsberechnung")
        ordering = ["calculation", "order", "id"]
        constraints = [
            FieldCheckConstraint(
                condition=models.Q(cases__isnull=True) | models.Q(cases__gte=0),
                name="need_line_cases_not_negative",
                field="cases",
                violation_error_code="cases_negative",
                violation_error_message="Die Fallzahl (%(cases)s) darf nicht negativ sein.",
            ),
            FieldCheckConstraint(
                condition=~models.Q(method="analytisch") | models.Q(cases__isnull=False),
                name="need_line_analytic_cases",
                field="cases",
                violation_error_code="analytic_cases",
                violation_error_message="Die analytische Methode braucht eine Fallzahl.",
            ),
            FieldCheckConstraint(
                condition=~models.Q(method="analytisch")
                | (models.Q(minutes_min__isnull=False) & models.Q(minutes_min__gt=0)),
                name="need_line_analytic_minutes",
                field="minutes_min",
                violation_error_code="analytic_minutes",
                violation_error_message="Die analytische Methode braucht eine mittlere "
                "Bearbeitungszeit größer als 0 Minuten (eingegeben: %(minutes_min)s).",
            ),
            FieldCheckConstraint(
                condition=models.Q(minutes_max__isnull=True)
                | models.Q(minutes_max__gte=models.F("minutes_min")),
                name="need_line_minutes_range",
                field="minutes_max",
                violation_error_code="minutes_range",
                violation_error_message="Die Bearbeitungszeit „bis“ (%(minutes_max)s Minuten) "
                "darf nicht kleiner als „von“ (%(minutes_min)s Minuten) sein.",
            ),
            FieldCheckConstraint(
                condition=~models.Q(method="schluessel")
                | (
                    models.Q(cases__isnull=False)
                    & models.Q(ratio__isnull=False)
                    & models.Q(ratio__gt=0)
                ),
                name="need_line_ratio",
                field="ratio",
                violation_error_code="ratio_missing",
                violation_error_message="Die Methode Betreuungsschlüssel braucht eine Fallzahl "
                "und einen Schlüssel größer als 0 (eingegeben: %(ratio)s).",
            ),
            FieldCheckConstraint(
                condition=~models.Q(method="kennzahl")
                | (
                    models.Q(cases__isnull=False)
                    & models.Q(existing_fte__isnull=False)
                    & models.Q(existing_fte__gt=0)
                    & models.Q(existing_cases__isnull=False)
                    & models.Q(existing_cases__gt=0)
                ),
                name="need_line_proportional",
                field="existing_cases",
                violation_error_code="proportional_missing",
                violation_error_message="Die Kennzahl-Methode braucht die neue Fallzahl, die "
                "vorhandenen Stellen (%(existing_fte)s) und die bisherige Fallzahl "
                "(%(existing_cases)s), beide größer als 0.",
            ),
            FieldCheckConstraint(
                condition=~models.Q(method="angabe")
                | (models.Q(stated_fte__isnull=False) & models.Q(stated_fte__gt=0)),
                name="need_line_stated",
                field="stated_fte",
                violation_error_code="stated_missing",
                violation_error_message="Eine Angabe ohne Herleitung braucht die angegebenen "
                "Stellen, größer als 0 (eingegeben: %(stated_fte)s).",
            ),
        ]

    def __str__(self) -> str:
        return self.task


class StaffingPlan(models.Model):
    """The Stellenplan of one budget year or a double budget ("Stellenplan 2012/2013").

    Part of the Haushaltsplan (§ 1 GemHVO BW), adopted with the Haushaltssatzung. A draft
    ("Entwurf") shows live figures; an adopted plan ("beschlossen") is printed and compared from
    its frozen record (StaffingPlanRecord), never from live data. A new draft starts from the last
    adopted plan (``based_on``) plus the changes since.
    """

    class Status(models.TextChoices):
        DRAFT = "entwurf", _("Entwurf")
        ADOPTED = "beschlossen", _("beschlossen")

    first_year = models.PositiveSmallIntegerField(_("erstes Haushaltsjahr"), unique=True)
    last_year = models.PositiveSmallIntegerField(
        _("letztes Haushaltsjahr"),
        help_text=_("Gleich dem ersten Jahr, beim Doppelhaushalt das Folgejahr."),
    )
    status = models.CharField(
        _("Status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    adopted_on = models.DateField(
        _("Datum der Haushaltssatzung"),
        null=True,
        blank=True,
        help_text=_("Tag, an dem der Gemeinderat die Haushaltssatzung beschlossen hat."),
    )
    grdrs = models.CharField(_("GRDrs"), max_length=30, blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("Grundlage (Vorjahresplan)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
    )
    explanation_threshold_fte = models.DecimalField(
        _("Erläuterungspflicht ab einer Veränderung von (Stellen)"),
        max_digits=7,
        decimal_places=4,
        default=Decimal("1"),
        help_text=_(
            "Veränderungen je Besoldungs- oder Entgeltgruppe gegenüber dem Vorjahr, deren Betrag "
            "diesen Wert übersteigt, brauchen eine Erläuterung, bevor der Plan beschlossen wird."
        ),
    )
    remarks = models.TextField(_("Vorbemerkungen"), blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Stellenplan")
        verbose_name_plural = _("Stellenpläne")
        ordering = ["-first_year"]
        permissions = [("adopt_staffingplan", "Stellenplan als beschlossen festhalten")]
        constraints = [
            FieldCheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year"))
                & models.Q(last_year__lte=models.F("first_year") + 1),
                name="staffing_plan_one_or_two_years",
                field="last_year",
                violation_error_code="plan_years",
                violation_error_message="Ein Stellenplan gilt für ein Jahr oder einen "
                "Doppelhaushalt: das letzte Jahr (%(last_year)s) muss das erste Jahr "
                "(%(first_year)s) oder das Folgejahr sein.",
            ),
            FieldCheckConstraint(
                condition=~models.Q(status="beschlossen") | models.Q(adopted_on__isnull=False),
                name="staffing_plan_adopted_has_date",
                field="adopted_on",
                violation_error_code="adopted_without_date",
                violation_error_message="Ein beschlossener Stellenplan braucht das Datum der "
                "Haushaltssatzung.",
            ),
        ]

    def __str__(self) -> str:
        return f"Stellenplan {self.label}"

    @property
    def label(self) -> str:
        if self.last_year == self.first_year:
            return str(self.first_year)
        return f"{self.first_year}/{self.last_year}"

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


class PlanExplanation(models.Model):
    """Erläuterung of a difference to the previous year, per plan year and pay grade."""

    plan = models.ForeignKey(StaffingPlan, on_delete=models.CASCADE, related_name="explanations")
    year = models.PositiveSmallIntegerField(_("Haushaltsjahr"))
    pay_grade = models.ForeignKey(
        PayGrade, verbose_name=_("Stellenwert"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("Erläuterung"))
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Erläuterung zum Stellenplan")
        verbose_name_plural = _("Erläuterungen zum Stellenplan")
        ordering = ["plan", "year", "pay_grade__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "pay_grade"],
                name="plan_explanation_unique",
                violation_error_message="Für diese Gruppe und dieses Jahr gibt es schon eine "
                "Erläuterung.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.year} {self.pay_grade}"


class StaffingPlanRecord(models.Model):
    """An adopted Stellenplan as adopted: figures, Erläuterungen, 30-June snapshot and output.

    Written in the adoption's transaction and never changed; a correction adds a record with
    the next sequence number (as decisions.AdoptedRecord). The occupation figure ("besetzt am
    30.06. des Vorjahres") is stored here as a snapshot so that later occupation edits cannot
    change an adopted plan.
    """

    plan = models.ForeignKey(StaffingPlan, on_delete=models.PROTECT, related_name="records")
    sequence = models.PositiveIntegerField(_("Fassung"))
    recorded_at = models.DateTimeField(_("festgehalten am"), auto_now_add=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("festgehalten von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("Grund"), max_length=300, blank=True)
    document = models.JSONField(
        _("Inhalt des Stellenplans"),
        help_text=_("Zeilen je Jahr und Gruppe, Teilstellenpläne, Veränderungsnachweis (JSON)."),
    )
    pdf = models.BinaryField(_("PDF"), blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 des PDF"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("festgehaltener Stellenplan")
        verbose_name_plural = _("festgehaltene Stellenpläne")
        ordering = ["plan", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "sequence"],
                name="staffing_plan_record_sequence_unique",
                violation_error_message="Diese Fassung des Stellenplans gibt es schon.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}, Fassung {self.sequence}"


class PositionChange(models.Model):
    """One change of the staffing plan, by type, with its effective date and its authority.

    Every change names what authorised it: a council paper (``grdrs``, e.g. "647/2011") or a
    Stellenplan (``plan``). The before/after fields hold what the change did; foreign keys are
    kept nullable (SET_NULL) with the codes copied into ``summary`` so that a change stays
    readable when a unit or position is deleted later.
    """

    class Kind(models.TextChoices):
        CREATE = "schaffung", _("Schaffung")
        ABOLISH = "streichung", _("Streichung")
        UPGRADE = "hebung", _("Hebung")
        DOWNGRADE = "abwertung", _("Abwertung")
        TRANSFER = "umsetzung", _("Umsetzung")
        SHARE = "anteil", _("Änderung des Stellenanteils")
        NOTE_ADD = "vermerk_an", _("Anbringung eines kw-/ku-Vermerks")
        NOTE_EXTEND = "vermerk_verl", _("Verlängerung eines kw-/ku-Vermerks")
        NOTE_REMOVE = "vermerk_weg", _("Wegfall eines kw-/ku-Vermerks")
        AUTHORISATION = "ermaechtigung", _("Ermächtigung außerhalb des Stellenplans")

    kind = models.CharField(_("Art"), max_length=14, choices=Kind.choices)
    in_advance = models.BooleanField(
        _("im Vorgriff"),
        default=False,
        help_text=_("Schaffung im Vorgriff auf den nächsten Stellenplan."),
    )
    effective_date = models.DateField(_("wirksam ab"))
    end_date = models.DateField(
        _("befristet bis"),
        null=True,
        blank=True,
        help_text=_("Bei einer Ermächtigung außerhalb des Stellenplans: ihr Ende."),
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("Stelle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    org_unit_before = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Org.einheit vorher"),
    )
    org_unit_after = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Org.einheit nachher"),
    )
    pay_grade_before = models.ForeignKey(
        PayGrade,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Stellenwert vorher"),
    )
    pay_grade_after = models.ForeignKey(
        PayGrade,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Stellenwert nachher"),
    )
    fte_before = models.DecimalField(
        _("Stellen vorher"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    fte_after = models.DecimalField(
        _("Stellen nachher"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    note_before = models.CharField(
        _("Vermerk vorher"), max_length=2, choices=Position.Note.choices, blank=True, default=""
    )
    note_after = models.CharField(
        _("Vermerk nachher"), max_length=2, choices=Position.Note.choices, blank=True, default=""
    )
    note_date_after = models.DateField(_("Datum des Vermerks nachher"), null=True, blank=True)
    ku_target_grade = models.ForeignKey(
        PayGrade,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Zielgruppe (ku)"),
    )
    grdrs = models.CharField(_("GRDrs"), max_length=30, blank=True, help_text=_("z. B. 647/2011"))
    plan = models.ForeignKey(
        StaffingPlan,
        verbose_name=_("Stellenplan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
    )
    explanation = models.TextField(_("Erläuterung"), blank=True)
    from_adoption = models.BooleanField(
        _("aus dem Beschluss übernommen"),
        default=False,
        help_text=_(
            "Beim Beschluss der GRDrs geschrieben (nicht von Hand erfasst); wird die Vorlage "
            "wieder geöffnet, wird die Änderung zurückgenommen."
        ),
    )
    summary = models.CharField(
        _("Kurzfassung"),
        max_length=300,
        blank=True,
        help_text=_("Einheit, Stellenwert und Anteil in Worten, wie bei der Änderung."),
    )
    recorded_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erfasst von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Stellenplanänderung")
        verbose_name_plural = _("Stellenplanänderungen")
        ordering = ["effective_date", "id"]
        constraints = [
            FieldCheckConstraint(
                condition=~models.Q(grdrs="") | models.Q(plan__isnull=False),
                name="position_change_has_authority",
                field="grdrs",
                violation_error_code="no_authority",
                violation_error_message="Jede Änderung braucht ihre Grundlage: eine GRDrs "
                "(z. B. 647/2011) oder einen Stellenplan.",
            ),
            FieldCheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("effective_date")),
                name="position_change_end_after_start",
                field="end_date",
                violation_error_code="end_before_start",
                violation_error_message="Das Ende (%(end_date)s) darf nicht vor dem Tag der "
                "Wirksamkeit (%(effective_date)s) liegen.",
            ),
        ]
        indexes = [models.Index(fields=["grdrs"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ab {self.effective_date:%d.%m.%Y}: {self.summary}"


class Occupation(models.Model):
    """Which share of a position is filled, from when to when (Stellenbesetzung).

    Internal data: no names, never published, never exported to an API. It only feeds the
    "tatsächlich besetzt am 30.06. des Vorjahres" column, which an adopted plan stores as a
    snapshot.
    """

    #: never in the change log every user reads (core.history.historical_models)
    INTERNAL_HISTORY = True

    position = models.ForeignKey(
        Position, verbose_name=_("Stelle"), on_delete=models.CASCADE, related_name="occupations"
    )
    fte = models.DecimalField(_("besetzter Anteil"), max_digits=5, decimal_places=4)
    start_date = models.DateField(_("besetzt ab"))
    end_date = models.DateField(_("besetzt bis"), null=True, blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Stellenbesetzung")
        verbose_name_plural = _("Stellenbesetzungen")
        ordering = ["position", "start_date"]
        constraints = [
            FieldCheckConstraint(
                condition=models.Q(fte__gt=0) & models.Q(fte__lte=1),
                name="occupation_fte_range",
                field="fte",
                violation_error_code="fte_range",
                violation_error_message="Der besetzte Anteil (%(fte)s) muss größer als 0 und "
                "höchstens 1,0 sein.",
            ),
            FieldCheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="occupation_end_after_start",
                field="end_date",
                violation_error_code="end_before_start",
                violation_error_message="„besetzt bis“ (%(end_date)s) darf nicht vor „besetzt "
                "ab“ (%(start_date)s) liegen.",
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.position_id}: {self.fte} ab {self.start_date:%d.%m.%Y}"


class PreviousYearFigure(models.Model):
    """Vorjahreszahlen: a city's adopted figures of the year before its first plan in the tool.

    Per year (the Vorjahr, e.g. 2011 for the Stellenplan 2012), Amt (top-level unit) and
    Besoldungs-/Entgeltgruppe: the Stellen of the adopted Stellenplan of that year and the
    positions actually filled on 30 June of it, as the Personalamt types them from its last
    printed plan. Schaffungen im Vorgriff made during that year are not part of them: the plan
    document adds those from the recorded PositionChanges (README "Vorjahreszahlen"). Used
    only where no adopted plan of that year exists (its record wins).
    """

    year = models.PositiveSmallIntegerField(_("Jahr"))
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("Amt"), on_delete=models.PROTECT, related_name="+"
    )
    pay_grade = models.ForeignKey(
        PayGrade, verbose_name=_("Stellenwert"), on_delete=models.PROTECT, related_name="+"
    )
    fte = models.DecimalField(_("Stellen"), max_digits=9, decimal_places=4)
    occupied = models.DecimalField(
        _("besetzt am 30.06."), max_digits=9, decimal_places=4, null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("erfasst am"), auto_now=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erfasst von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Vorjahreszahl")
        verbose_name_plural = _("Vorjahreszahlen")
        ordering = ["year", "org_unit__code", "-pay_grade__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "org_unit", "pay_grade"],
                name="previous_year_figure_unique",
                violation_error_message="Für dieses Jahr, Amt und diese Gruppe gibt es schon "
                "eine Vorjahreszahl.",
            ),
            FieldCheckConstraint(
                condition=models.Q(fte__gte=0),
                name="previous_year_figure_fte_not_negative",
                field="fte",
                violation_error_code="fte_negative",
                violation_error_message="Die Stellen (%(fte)s) dürfen nicht negativ sein.",
            ),
            FieldCheckConstraint(
                condition=models.Q(occupied__isnull=True)
                | (models.Q(occupied__gte=0) & models.Q(occupied__lte=models.F("fte"))),
                name="previous_year_figure_occupied_range",
                field="occupied",
                violation_error_code="occupied_range",
                violation_error_message="„besetzt am 30.06.“ (%(occupied)s) muss zwischen 0 "
                "und den Stellen (%(fte)s) liegen.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.org_unit} {self.pay_grade}: {self.fte}"


class TraineeCount(models.Model):
    """Nachwuchskräfte of a plan year (annex of the Stellenplan, § 5 (3) GemHVO BW): Beamtinnen
    und Beamte im Vorbereitungsdienst (Anwärter) and Auszubildende per training, entered by the
    Personalamt. Persons, not positions: they are never counted as Stellen."""

    class Category(models.TextChoices):
        CANDIDATES = "anwaerter", _("Beamtinnen und Beamte im Vorbereitungsdienst (Anwärter)")
        APPRENTICES = "azubi", _("Auszubildende")
        OTHER = "sonstige", _("Praktikantinnen und Praktikanten, Volontariat")

    year = models.PositiveSmallIntegerField(_("Haushaltsjahr"))
    category = models.CharField(_("Art"), max_length=10, choices=Category.choices)
    training = models.CharField(
        _("Ausbildung"),
        max_length=200,
        help_text=_("z. B. Inspektoranwärter/-innen (gehobener Verwaltungsdienst)"),
    )
    number = models.PositiveIntegerField(_("Anzahl im Haushaltsjahr"))
    number_previous = models.PositiveIntegerField(_("Anzahl im Vorjahr"), null=True, blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"], get_user=history_user)

    class Meta:
        verbose_name = _("Nachwuchskräfte")
        verbose_name_plural = _("Nachwuchskräfte")
        ordering = ["year", "category", "training"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "category", "training"],
                name="trainee_count_unique",
                violation_error_message="Diese Ausbildung ist für dieses Jahr schon erfasst.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.training}: {self.number}"
