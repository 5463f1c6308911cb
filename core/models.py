"""Models of core: the data version (see core.dataversion) and jobs (see core.jobs)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row whose token changes on every write to the data the cost figures depend on.

    The token is set by database triggers (core.dataversion.install_triggers), never by Python
    code; caches of computed figures are keyed by it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(_("Token"), max_length=64)

    class Meta:
        verbose_name = _("Datenstand")
        verbose_name_plural = _("Datenstände")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1),
                name="dataversion_single_row",
                violation_error_message="Es gibt nur einen Datenstand.",
            ),
        ]

    def __str__(self) -> str:
        return self.token


class Job(models.Model):
    """Long work of one person that runs outside the request, as a task (core.jobs).

    ``kind`` names what it does (registered by the app that does it), ``params`` its input as
    JSON. While it runs, the worker reports ``done`` of ``total`` and the ``step``; at the end it
    holds what the page shows (``result``, JSON), maybe a file for its owner to download, or
    the German message of its failure. The file is kept in the database, like everything of
    the application (several app servers, one backup; results are a few MB and pruned with
    the job): ``result_file`` is only ever served to the owner.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("läuft")
        SUCCEEDED = "succeeded", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    kind = models.CharField(_("Art"), max_length=50)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Auftraggeber"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    params = models.JSONField(_("Eingaben"), default=dict, blank=True)
    # an uploaded file the job works on (an import), kept until the job is deleted
    input_file = models.BinaryField(_("Eingabedatei"), null=True, blank=True)
    done = models.PositiveIntegerField(_("erledigt"), default=0)
    total = models.PositiveIntegerField(_("insgesamt"), default=0)
    step = models.CharField(_("Schritt"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    started_at = models.DateTimeField(_("begonnen"), null=True, blank=True)
    reported_at = models.DateTimeField(_("letzte Meldung"), null=True, blank=True)
    finished_at = models.DateTimeField(_("beendet"), null=True, blank=True)
    result = models.JSONField(_("Ergebnis"), default=dict, blank=True)
    result_file = models.BinaryField(_("Ergebnisdatei"), null=True, blank=True)
    result_file_name = models.CharField(_("Dateiname"), max_length=200, blank=True)
    result_content_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    error = models.TextField(_("Fehlermeldung"), blank=True)
    task_result_id = models.CharField(_("Task-ID"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("Auftrag")
        verbose_name_plural = _("Aufträge")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total=0) | models.Q(done__lte=models.F("total")),
                name="job_done_at_most_total",
                violation_error_message="Ein Auftrag kann nicht mehr erledigt haben als insgesamt.",
            ),
        ]

    def __str__(self) -> str:
        return f"Auftrag {self.pk} ({self.kind})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def has_file(self) -> bool:
        return bool(self.result_file_name)
