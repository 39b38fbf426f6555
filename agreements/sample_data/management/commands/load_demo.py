from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agreements.sample_data.demo import create_demo_users, load_demo


class Command(BaseCommand):
    help = (
        "Load the founding case (Deep C and Hai An District Police, 2023) as demo data: "
        "only what is missing is created; rows that exist are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="Also create one account per role (admin, Deep C staff, HEZA official).",
        )

    def handle(self, *args, with_users=False, **options):
        if with_users and not settings.DEBUG:
            raise CommandError(
                "--with-users creates accounts with known roles: "
                "it runs only with DJANGO_DEBUG=true."
            )
        load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded: the Deep C founding case (existing rows left as they are)."
            )
        )
        if with_users:
            created = create_demo_users()
            for username, password in created:
                self.stdout.write(f"  created user {username!r} with password {password!r}")
            if not created:
                self.stdout.write(
                    "  Demo users already exist; reset a password with "
                    "`python manage.py changepassword <username>`."
                )
