import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

# username -> role group (None: superuser)
DEMO_ACCOUNTS = {
    "personalamt": "Personalamt",
    "kaemmerei": "Kämmerei",
    "sitzungsdienst": "Sitzungsdienst",
    "admin": None,
}


class Command(BaseCommand):
    help = "Legt die Demo-Konten an (nur mit DJANGO_DEBUG=1) und gibt ihre Passwörter aus."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password", help="ein Passwort für alle Konten (sonst je ein zufälliges)"
        )

    def handle(self, *args, password: str | None = None, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo-Konten werden nur mit DJANGO_DEBUG=1 angelegt.")
        self.stdout.write("Demo-Konten (Benutzername / Passwort):")
        for username, role in DEMO_ACCOUNTS.items():
            user, _ = User.objects.get_or_create(username=username)
            secret = password or secrets.token_urlsafe(9)
            user.set_password(secret)
            user.is_staff = role is None
            user.is_superuser = role is None
            user.save()
            if role:
                group, _ = Group.objects.get_or_create(name=role)
                user.groups.set([group])
            self.stdout.write(f"  {username:<15} {secret}   ({role or 'Administrator'})")
