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
            for account in created:
                self.stdout.write(
                    f"  created user {account.username!r} with password {account.password!r}"
                )
                if account.two_factor_key:
                    self.stdout.write(
                        "    two-factor sign-in: add this key to an authenticator app "
                        f"(time-based): {account.two_factor_key}\n"
                        "    or sign in with one of these one-time recovery codes: "
                        + " ".join(account.recovery_codes)
                    )
            if not created:
                self.stdout.write(
                    "  Demo users already exist; reset a password with "
                    "`python manage.py changepassword <username>`."
                )
