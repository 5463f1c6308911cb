from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StellenplanConfig(AppConfig):
    name = "stellenplan"
    verbose_name = _("Stellenplan")

    def ready(self) -> None:
        # the kinds of jobs of this app (core.jobs), known to the pages and the worker
        from stellenplan import adoption_jobs, import_jobs, plan_jobs  # noqa: F401
