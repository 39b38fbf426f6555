from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agreements.accounts import two_factor


class Command(BaseCommand):
    help = (
        "Reset a user's two-factor sign-in (their authenticator app and recovery codes), as the "
        "admin's action does: for an admin who lost both and has no other admin to ask. They "
        "sign in with their password, then set it up again if their role requires it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is named {username!r}.")
        two_factor.reset(user=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-factor sign-in reset for {username!r}: they sign in with their password, "
                "then set it up again if their role requires it."
            )
        )
