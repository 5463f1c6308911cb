from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontConfig(AppConfig):
    name = "front"
    verbose_name = _("Seiten")

    def ready(self) -> None:
        # the kinds of jobs of this app (core.jobs), known to the pages and the worker
        from front import export_jobs  # noqa: F401
