from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StellenplanConfig(AppConfig):
    name = "stellenplan"
    verbose_name = _("Stellenplan")
