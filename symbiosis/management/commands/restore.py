from django.core.management.base import BaseCommand, CommandError

from symbiosis.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive of `manage.py backup` into an empty database (DATABASE_URL) and an "
        "empty documents' storage, and check both against its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive, e.g. backups/symbiosis-….tar.gz")

    def handle(self, *args, archive, **options):
        try:
            summary = restore_backup(archive=archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {summary}, each as its manifest says.")
