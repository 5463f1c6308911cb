"""Council documents (Beschlussvorlagen) and their parts.

A decision proposes positions of the staffing plan (DecisionPosition, in Anlage order) and
other financial items; its Finanzielle Auswirkungen and its Anlage are generated from them by
the costing engine (decisions/selectors.py), never typed in.
"""

from datetime import date
from typing import TypedDict

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.constraints import FieldCheckConstraint
from core.history import history_user
from core.parsing import year_validators
from departments.models import BudgetSection, OrgUnit
from stellenplan.models import Position


class MoneyOptions(TypedDict):
    """The options every money field shares (typed, so `**MONEY` is checked)."""

    max_digits: int
    decimal_places: int


MONEY: MoneyOptions = {"max_digits": 12, "decimal_places": 2}

grdrs_validator = RegexValidator(
    r"^\d{1,4}/\d{4}$",
    message=_("Eine GRDrs-Nummer hat die Form Nummer/Jahr, z. B. 647/2011."),
)


class Decision(models.Model):
    """A Gemeinderatsdrucksache (GRDrs): Beschluss- or Mitteilungsvorlage."""

    class Kind(models.TextChoices):
        RESOLUTION = "beschluss", _("Beschlussvorlage")
        NOTICE = "mitteilung", _("Mitteilungsvorlage")

    class Spelling(models.TextChoices):
        CURRENT = "neu", _("Beschlussvorlage (heutige Rechtschreibung)")
        TRADITIONAL = "alt", _("Beschlußvorlage (Schreibung der Vorlage)")

    class Status(models.TextChoices):
        DRAFT = "entwurf", _("Entwurf")
        SUBMITTED = "eingebracht", _("eingebracht")
        ADOPTED = "beschlossen", _("beschlossen")
        REJECTED = "abgelehnt", _("abgelehnt")
        WITHDRAWN = "zurueckgezogen", _("zurückgezogen")

    class Amendment(models.TextChoices):
        SUPPLEMENT = "ergaenzung", _("Ergänzungsvorlage")
        REPLACEMENT = "austausch", _("Austauschvorlage")

    number = models.CharField(
        _("GRDrs-Nummer"),
        max_length=20,
        blank=True,
        validators=[grdrs_validator],
        help_text=_("Nummer/Jahr, z. B. 647/2011; leer, solange keine Nummer vergeben ist."),
    )
    number_suffix = models.CharField(
        _("Zusatz zur GRDrs-Nummer"),
        max_length=30,
        blank=True,
        editable=False,
        help_text=_(
            "Bei Ergänzungs- und Austauschvorlagen: „Ergänzung“, „Ergänzung 2“, „Austausch“ …; "
            "die Nummer bleibt die der ursprünglichen Vorlage."
        ),
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.RESOLUTION)
    amends = models.ForeignKey(
        "self",
        verbose_name=_("ändert GRDrs"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="amendments",
    )
    amendment_kind = models.CharField(
        _("Art der Änderungsvorlage"),
        max_length=12,
        choices=Amendment.choices,
        blank=True,
        editable=False,
    )
    place = models.CharField(_("Ort"), max_length=100, default="Stuttgart")
    date = models.DateField(_("Datum"))
    file_reference = models.CharField(_("Geschäftszeichen (Gz)"), max_length=100, blank=True)
    project = models.CharField(
        _("Projektzeile"),
        max_length=300,
        blank=True,
        help_text=_("Erste Zeile des Betreffs, z. B. „Projekt Jobcenter – …“."),
    )
    title = models.CharField(_("Betreff"), max_length=300)
    submitted_by = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("einbringende Referate/Ämter"),
        blank=True,
        related_name="submitted_decisions",
    )
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        editable=False,
        help_text=_("Wird nur über eine Statusänderung gesetzt."),
    )
    involved_units = models.TextField(
        _("Beteiligte Dienststellen"),
        blank=True,
        help_text=_(
            "Ämter und Referate, die an der Vorlage mitgewirkt haben (im Druck unter "
            "„Beteiligte Stellen“, wie im Formular der Stadt); nicht die Stellen des Stellenplans."
        ),
    )
    spelling = models.CharField(
        _("Schreibweise im Dokument"),
        max_length=3,
        choices=Spelling.choices,
        default=Spelling.CURRENT,
        help_text=_(
            "Wie das Dokument „Beschlussvorlage“ und „Beschlussantrag“ schreibt; ältere "
            "Vorlagen behalten die Schreibung ihrer Quelle („Beschluß…“)."
        ),
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("geändert am"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(
        excluded_fields=["version", "updated_at"],
        get_user=history_user,
        m2m_fields=[submitted_by],
    )

    class Meta:
        verbose_name = _("Beschlussvorlage")
        verbose_name_plural = _("Beschlussvorlagen")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "number_suffix"],
                condition=~models.Q(number=""),
                name="decision_number_unique",
                violation_error_message="Diese GRDrs-Nummer ist schon vergeben.",
            ),
            models.CheckConstraint(
                condition=(models.Q(amends__isnull=True) & models.Q(amendment_kind=""))
                | (models.Q(amends__isnull=False) & ~models.Q(amendment_kind="")),
                name="decision_amendment_kind",
                violation_error_message="Eine Ergänzungs- oder Austauschvorlage nennt die "
                "Vorlage, die sie ändert.",
            ),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["date"])]
        permissions = [
            (
                "reopen_decision",
                "Kann einen endgültigen Status wieder öffnen und eine Beschlussfassung neu "
                "festhalten",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grdrs_label}: {self.title}"

    @property
    def grdrs_label(self) -> str:
        if not self.number:
            return "GRDrs (ohne Nummer)"
        return f"GRDrs {self.number} {self.number_suffix}".rstrip()

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def document_label(self) -> str:
        """The paper's kind as printed, in the paper's one spelling ("Beschlussvorlage" or
        "Beschlußvorlage")."""
        if self.kind == Decision.Kind.NOTICE:
            return "Mitteilungsvorlage"
        return (
            "Beschlußvorlage"
            if self.spelling == Decision.Spelling.TRADITIONAL
            else "Beschlussvorlage"
        )

    @property
    def proposal_label(self) -> str:
        """The heading of the proposal as printed ("Beschlussantrag:" or "Bericht:")."""
        if self.kind == Decision.Kind.NOTICE:
            return "Bericht:"
        return (
            "Beschlußantrag:"
            if self.spelling == Decision.Spelling.TRADITIONAL
            else "Beschlussantrag:"
        )


EDITABLE_STATUSES = frozenset({Decision.Status.DRAFT, Decision.Status.SUBMITTED})


class Committee(models.Model):
    """A Gremium of the council (Gemeinderat, Ausschuss, Beirat …): the master data the
    Beratungsfolge, the meetings and OParl's Organization read.

    A renamed committee is best a new row (the old one inactive): the papers that went to the
    old one keep printing the name they were sent to.
    """

    class Classification(models.TextChoices):
        MAIN = "hauptorgan", _("Hauptorgan (Gemeinderat)")
        COMMITTEE = "ausschuss", _("Ausschuss")
        SUBCOMMITTEE = "unterausschuss", _("Unterausschuss")
        ADVISORY = "beirat", _("Beirat")
        DISTRICT = "bezirksbeirat", _("Bezirksbeirat")
        OTHER = "sonstiges", _("sonstiges Gremium")

    name = models.CharField(_("Name"), max_length=200)
    short_name = models.CharField(_("Kurzname"), max_length=50, blank=True)
    classification = models.CharField(
        _("Art"), max_length=20, choices=Classification.choices, default=Classification.COMMITTEE
    )
    active = models.BooleanField(
        _("aktiv"),
        default=True,
        help_text=_(
            "Nur aktive Gremien werden für neue Beratungsschritte und Sitzungen angeboten."
        ),
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("geändert am"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version", "updated_at"], get_user=history_user)

    class Meta:
        verbose_name = _("Gremium")
        verbose_name_plural = _("Gremien")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="committee_name_unique",
                violation_error_message="Ein Gremium mit diesem Namen gibt es schon.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """A Sitzung of a committee; its agenda (Tagesordnung) are the consultation steps placed on
    it (``ConsultationStep.meeting`` with their TOP ``agenda_number``)."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("Gremium"), on_delete=models.PROTECT, related_name="meetings"
    )
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"), null=True, blank=True)
    location = models.CharField(_("Ort"), max_length=300, blank=True)
    cancelled = models.BooleanField(_("abgesagt"), default=False)
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("geändert am"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version", "updated_at"], get_user=history_user)

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["start"]), models.Index(fields=["updated_at"])]
        constraints = [
            FieldCheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="meeting_end_after_start",
                field="end",
                violation_error_code="end_before_start",
                violation_error_message="Das Ende der Sitzung darf nicht vor ihrem Beginn liegen.",
            ),
        ]

    def __str__(self) -> str:
        day = timezone.localtime(self.start)
        return f"{self.committee.name}, Sitzung am {day:%d.%m.%Y}"

    @property
    def day(self) -> date:
        """The local date of the meeting (the Sitzungstermin of its agenda items)."""
        return timezone.localtime(self.start).date()


class ConsultationStep(models.Model):
    """One row of the Beratungsfolge: which committee deals with the paper, why, when, and
    after the meeting with which result.

    Placed on a meeting (``meeting``, with its TOP ``agenda_number``) the step is an item of
    that meeting's agenda; ``meeting_date`` is then the meeting's day (kept in sync by the
    services), before that a planned date. The deciding step (``authoritative``) is the one
    "zur Beschlussfassung"; its result moves the paper's status (decisions/council.py). A step
    "vertagt" keeps its meeting and result; the paper continues in a new step
    (``postponed_from``) placed on a later meeting.
    """

    class Purpose(models.TextChoices):
        CONSULTATION = "beratung", _("Beratung")
        PRELIMINARY = "vorberatung", _("Vorberatung")
        RESOLUTION = "beschlussfassung", _("Beschlussfassung")
        NOTING = "kenntnisnahme", _("Kenntnisnahme")

    class Result(models.TextChoices):
        APPROVED = "zugestimmt", _("zugestimmt")
        APPROVED_AMENDED = "geaendert", _("mit Änderungen zugestimmt")
        REJECTED = "abgelehnt", _("abgelehnt")
        POSTPONED = "vertagt", _("vertagt")
        NOTED = "kenntnis", _("zur Kenntnis genommen")
        NO_VOTE = "ohne_votum", _("ohne Votum weitergeleitet")

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="consultation_steps"
    )
    order = models.PositiveIntegerField(_("Reihenfolge"), default=1)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("Vorlage an (Gremium)"),
        on_delete=models.PROTECT,
        related_name="consultation_steps",
    )
    purpose = models.CharField(_("zur"), max_length=20, choices=Purpose.choices)
    public = models.BooleanField(_("öffentlich"), default=True)
    meeting_date = models.DateField(_("Sitzungstermin"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("Sitzung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    agenda_number = models.CharField(
        _("TOP"),
        max_length=12,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{1,3}(\.\d{1,3}){0,3}$",
                message=_("Ein Tagesordnungspunkt hat die Form 5 oder 5.1."),
            )
        ],
    )
    result = models.CharField(_("Ergebnis"), max_length=20, choices=Result.choices, blank=True)
    result_date = models.DateField(_("Datum des Ergebnisses"), null=True, blank=True)
    result_note = models.TextField(
        _("Bemerkung zum Ergebnis"),
        blank=True,
        help_text=_("z. B. die Änderungen bei „mit Änderungen zugestimmt“."),
    )
    votes_yes = models.PositiveIntegerField(_("Ja-Stimmen"), null=True, blank=True)
    votes_no = models.PositiveIntegerField(_("Nein-Stimmen"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("Enthaltungen"), null=True, blank=True)
    postponed_from = models.OneToOneField(
        "self",
        verbose_name=_("vertagt aus"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="postponed_to",
    )
    updated_at = models.DateTimeField(_("geändert am"), default=timezone.now, editable=False)

    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("Beratungsschritt")
        verbose_name_plural = _("Beratungsfolge")
        ordering = ["decision", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agenda_number"],
                condition=~models.Q(agenda_number=""),
                name="agenda_number_unique_in_meeting",
                violation_error_message="Diesen TOP gibt es in der Sitzung schon.",
            ),
            FieldCheckConstraint(
                condition=models.Q(agenda_number="") | models.Q(meeting__isnull=False),
                name="agenda_number_needs_meeting",
                field="agenda_number",
                violation_error_code="no_meeting",
                violation_error_message="Einen TOP hat ein Beratungsschritt erst auf einer "
                "Sitzung.",
            ),
            FieldCheckConstraint(
                condition=models.Q(result="") | models.Q(meeting__isnull=False),
                name="result_needs_meeting",
                field="result",
                violation_error_code="no_meeting",
                violation_error_message="Ein Ergebnis hat ein Beratungsschritt erst nach seiner "
                "Sitzung: bitte zuerst auf eine Tagesordnung setzen.",
            ),
            FieldCheckConstraint(
                condition=(models.Q(result="") & models.Q(result_date__isnull=True))
                | (~models.Q(result="") & models.Q(result_date__isnull=False)),
                name="result_with_date",
                field="result_date",
                violation_error_code="result_date",
                violation_error_message="Ergebnis und Datum des Ergebnisses gehören zusammen: "
                "bitte beide angeben oder beide leer lassen.",
            ),
        ]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"{self.committee} ({self.get_purpose_display()})"

    @property
    def session_kind(self) -> str:
        return "öffentlich" if self.public else "nicht öffentlich"

    @property
    def authoritative(self) -> bool:
        """The deciding body's step (OParl ``Consultation.authoritative``)."""
        return self.purpose == ConsultationStep.Purpose.RESOLUTION

    @property
    def agenda_label(self) -> str:
        """The TOP as ALLRIS prints it: "Ö 5" (öffentlich) or "N 2" (nicht öffentlich)."""
        if not self.agenda_number:
            return ""
        return f"{'Ö' if self.public else 'N'} {self.agenda_number}"


class ProposalPoint(models.Model):
    """A numbered point of the Beschlussantrag (Markdown)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="proposal_points")
    order = models.PositiveIntegerField(_("Ziffer"), default=1)
    text = models.TextField(_("Text"), help_text=_("Markdown: Listen, **fett**, Tabellen."))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("Ziffer des Beschlussantrags")
        verbose_name_plural = _("Beschlussantrag")
        ordering = ["decision", "order", "id"]

    def __str__(self) -> str:
        return f"Ziffer {self.order}"


class ReasonSection(models.Model):
    """A numbered section or sub-section of the Begründung (number "3" or "3.1")."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="reason_sections")
    order = models.PositiveIntegerField(_("Reihenfolge"), default=1)
    number = models.CharField(
        _("Nummer"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d+(\.\d+)*$", message=_("Eine Abschnittsnummer hat die Form 3 oder 3.1.")
            )
        ],
    )
    heading = models.CharField(_("Überschrift"), max_length=300)
    text = models.TextField(_("Text"), blank=True, help_text=_("Markdown."))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("Abschnitt der Begründung")
        verbose_name_plural = _("Begründung")
        ordering = ["decision", "order", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}".strip()

    @property
    def level(self) -> int:
        """1 for a section ("3"), 2 for a sub-section ("3.1"), …"""
        return self.number.count(".") + 1 if self.number else 1


class DecisionReference(models.Model):
    """Another GRDrs this one refers to (e.g. 156/2011)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="references")
    number = models.CharField(_("GRDrs-Nummer"), max_length=20, validators=[grdrs_validator])
    note = models.CharField(_("Bemerkung"), max_length=300, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("Bezug auf andere GRDrs")
        verbose_name_plural = _("Bezüge auf andere GRDrs")
        ordering = ["decision", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "number"],
                name="decision_reference_unique",
                violation_error_message="Auf diese GRDrs wird schon verwiesen.",
            ),
        ]

    def __str__(self) -> str:
        return f"GRDrs {self.number}"


class DecisionPosition(models.Model):
    """A position the decision proposes, in the order of the Anlage."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="position_links")
    position = models.ForeignKey(
        Position,
        verbose_name=_("Stelle"),
        on_delete=models.PROTECT,
        related_name="decision_links",
    )
    order = models.PositiveIntegerField(_("Reihenfolge"), default=1)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("verknüpfte Stelle")
        verbose_name_plural = _("verknüpfte Stellen")
        ordering = ["decision", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "position"],
                name="decision_position_unique",
                violation_error_message="Diese Stelle ist mit der Beschlussvorlage schon verknüpft.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.position}"


class FinancialItem(models.Model):
    """Another cost of the decision, e.g. a service contract, per year from a start year."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="financial_items")
    order = models.PositiveIntegerField(_("Reihenfolge"), default=1)
    description = models.CharField(_("Bezeichnung"), max_length=300)
    budget_section = models.ForeignKey(
        BudgetSection,
        verbose_name=_("Teilhaushalt"),
        on_delete=models.PROTECT,
        related_name="decision_items",
    )
    account_area = models.CharField(
        _("Amtsbereich"), max_length=200, blank=True, help_text=_("z. B. 1007130 – Boten-, …")
    )
    account_group = models.CharField(
        _("Kontengruppe"), max_length=200, blank=True, help_text=_("z. B. 440 – Sonstige …")
    )
    annual_amount = models.DecimalField(
        _("Betrag pro Jahr (EUR)"), validators=[MinValueValidator(0)], **MONEY
    )
    start_year = models.PositiveIntegerField(_("ab Jahr"), validators=year_validators)
    end_year = models.PositiveIntegerField(
        _("bis Jahr"), null=True, blank=True, validators=year_validators
    )
    charged_to = models.ForeignKey(
        BudgetSection,
        verbose_name=_("weiterverrechnet an"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charged_decision_items",
        help_text=_("Teilhaushalt, an den die Kosten per interner Leistungsverrechnung gehen."),
    )
    cost_type = models.CharField(_("Kostenart der Verrechnung"), max_length=100, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("sonstige finanzielle Auswirkung")
        verbose_name_plural = _("sonstige finanzielle Auswirkungen")
        ordering = ["decision", "order", "id"]
        constraints = [
            FieldCheckConstraint(
                condition=models.Q(annual_amount__gte=0),
                name="financial_item_amount_not_negative",
                field="annual_amount",
                violation_error_code="negative",
                violation_error_message="Der Betrag darf nicht negativ sein.",
            ),
            FieldCheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="financial_item_years",
                field="end_year",
                violation_error_code="end_before_start",
                violation_error_message="„bis Jahr“ darf nicht vor „ab Jahr“ liegen.",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def applies_to(self, year: int) -> bool:
        return self.start_year <= year and (self.end_year is None or year <= self.end_year)


class Signatory(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="signatories")
    order = models.PositiveIntegerField(_("Reihenfolge"), default=1)
    name = models.CharField(_("Name"), max_length=200)
    office = models.CharField(_("Amtsbezeichnung"), max_length=200)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("Unterzeichner/-in")
        verbose_name_plural = _("Unterzeichner/-innen")
        ordering = ["decision", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name}, {self.office}"


class Annex(models.Model):
    """An Anlage. A generated one prints the linked positions' tables and task descriptions."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="annexes")
    number = models.PositiveIntegerField(_("Nummer"), default=1)
    title = models.CharField(_("Titel"), max_length=300)
    generated = models.BooleanField(
        _("aus den verknüpften Stellen erzeugen"),
        default=True,
        help_text=_("Stellentabellen je Amt und Aufgabenbeschreibungen der Stellen."),
    )
    intro = models.TextField(_("Vorbemerkung"), blank=True, help_text=_("Markdown."))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("Anlage")
        verbose_name_plural = _("Anlagen")
        ordering = ["decision", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "number"],
                name="annex_number_unique",
                violation_error_message="Eine Anlage mit dieser Nummer gibt es schon.",
            ),
        ]

    def __str__(self) -> str:
        return f"Anlage {self.number}: {self.title}"


class StatusChange(models.Model):
    """Who changed a decision's status, to what, and on which date."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("bisheriger Status"), max_length=20, choices=Decision.Status.choices, blank=True
    )
    to_status = models.CharField(_("neuer Status"), max_length=20, choices=Decision.Status.choices)
    date = models.DateField(_("Datum"))
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geändert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision_status_changes",
    )
    comment = models.CharField(_("Bemerkung"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("erfasst am"), default=timezone.now)

    class Meta:
        verbose_name = _("Statusänderung")
        verbose_name_plural = _("Statusänderungen")
        ordering = ["decision", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_to_status_display()} am {self.date:%d.%m.%Y}"


class AdoptedRecord(models.Model):
    """What was decided, frozen when the decision became "beschlossen".

    The figures and the Anlage as the detail page shows them (JSON, Decimals as strings), the
    cost table, rates and reimbursement rules used (id, version, last history entry), the
    linked positions as they were, and the printed PDF with its SHA-256. Records are never
    changed: a correction or a new adoption after reopening adds a record with the next
    sequence number; the newest one of an adopted decision is the one shown and printed.
    """

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="adopted_records")
    sequence = models.PositiveIntegerField(_("Fassung"))
    adopted_on = models.DateField(_("beschlossen am"))
    status_change = models.ForeignKey(
        StatusChange,
        verbose_name=_("Statusänderung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_records",
    )
    recorded_at = models.DateTimeField(_("festgehalten am"), default=timezone.now)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("festgehalten von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_decision_records",
    )
    reason = models.CharField(
        _("Grund"),
        max_length=300,
        blank=True,
        help_text=_("Leer bei der Beschlussfassung; Pflicht bei einer neuen Fassung."),
    )
    document = models.JSONField(_("Finanzen und Anlage"), encoder=DjangoJSONEncoder)
    positions = models.JSONField(_("verknüpfte Stellen"), encoder=DjangoJSONEncoder)
    sources = models.JSONField(_("Kostentabellen und Erstattungsregeln"), encoder=DjangoJSONEncoder)
    pdf = models.BinaryField(_("PDF"))
    pdf_sha256 = models.CharField(_("SHA-256 des PDF"), max_length=64)

    class Meta:
        verbose_name = _("festgehaltene Beschlussfassung")
        verbose_name_plural = _("festgehaltene Beschlussfassungen")
        ordering = ["decision", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "sequence"],
                name="adopted_record_sequence_unique",
                violation_error_message="Diese Fassung der Beschlussfassung gibt es schon.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision.grdrs_label}, beschlossen am {self.adopted_on:%d.%m.%Y}"


class PublicRendering(models.Model):
    """The PDF of a public paper, or of one of its generated Anlagen, as last rendered.

    Not a record: derived data, replaced when the paper changes (decisions/public_pdf.py).
    ``source_sha256`` is the SHA-256 of the HTML the PDF was rendered from, so the stored PDF
    is the paper's current one exactly when the HTML of now hashes the same, whatever changed
    (the paper, its parts, a linked position, a cost table). One row per paper and part; the
    row is also the lock concurrent renderers of that part queue on (``claimed_at``).
    """

    MAIN = 0

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="public_renderings"
    )
    annex_number = models.PositiveIntegerField(
        _("Anlage"), default=MAIN, help_text=_("0: die Vorlage selbst.")
    )
    source_sha256 = models.CharField(_("SHA-256 des HTML"), max_length=64, blank=True)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    pdf_sha256 = models.CharField(_("SHA-256 des PDF"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("erzeugt am"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("zuletzt gesperrt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("gespeichertes öffentliches PDF")
        verbose_name_plural = _("gespeicherte öffentliche PDFs")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "annex_number"],
                name="public_rendering_part_unique",
                violation_error_message="Für diesen Teil der Vorlage gibt es schon ein PDF.",
            ),
        ]

    def __str__(self) -> str:
        part = "Vorlage" if self.annex_number == self.MAIN else f"Anlage {self.annex_number}"
        return f"{self.decision.grdrs_label}, {part}"
