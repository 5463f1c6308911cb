from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.jobs import JobError, prune_jobs


class Command(BaseCommand):
    help = (
        "Löscht erledigte und fehlgeschlagene Aufträge (Meine Aufträge) samt ihren Dateien, die "
        "vor mehr als --days Tagen endeten (Vorgabe: JOB_KEEP_DAYS). Wartende und laufende "
        "Aufträge bleiben. Die Einträge der Warteschlange löscht prune_db_task_results."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Aufträge, die vor mehr als so vielen Tagen endeten (Vorgabe: "
            f"{settings.JOB_KEEP_DAYS})",
        )

    def handle(self, *args, days: int | None, **options) -> None:
        keep = int(settings.JOB_KEEP_DAYS) if days is None else days
        try:
            deleted = prune_jobs(older_than_days=keep)
        except JobError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{deleted} Aufträge gelöscht, die vor mehr als {keep} Tagen endeten.")
