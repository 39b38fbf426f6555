from django.core.management.base import BaseCommand

from agreements.open_data.package import current_build, make_build


class Command(BaseCommand):
    help = (
        "Build the open data package (/data/) if the register changed since the last build and "
        "that build is old enough (DJANGO_OPEN_DATA_REBUILD_MINUTES); --force builds it anyway. "
        "Run it from cron every minute so that no reader waits for a build."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Build even if none is due.")

    def handle(self, *args, force=False, **options):
        build = make_build() if force else current_build()
        self.stdout.write(f"Open data build {build.id} ({build.created.isoformat()}).")
