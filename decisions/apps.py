from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Beschlussvorlagen")

    def ready(self) -> None:
        from costing.usage import register_table_usage
        from decisions.usage import cost_table_usage

        register_table_usage(cost_table_usage)
        # the kinds of jobs of this app (core.jobs), known to the pages and the worker
        from decisions import adoption_jobs  # noqa: F401
