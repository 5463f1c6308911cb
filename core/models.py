"""Models of core: only the data version (see core.dataversion)."""

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
