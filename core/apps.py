from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Grundlagen")

    def ready(self) -> None:
        # Once per migrate (and flush): everything that lives in the database but not in a
        # migration of its own.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="core.after_migrate")


def after_migrate(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from core.dataversion import install_triggers
    from core.roles import sync_roles

    install_triggers(using)
    sync_roles(using)
