from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """Development tools: the city generator (`generate_city`) and the benchmarks.

    No models, no URLs. Installed only with DJANGO_DEBUG=1 or STELLENPLAN_DEVTOOLS=1
    (stellenplan/settings.py), never in plain production.
    """

    name = "bench"
    verbose_name = _("Entwicklungswerkzeuge")
