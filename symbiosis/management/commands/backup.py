from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from symbiosis.backups import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Write one archive (symbiosis-YYYYmmdd-HHMMSS.tar.gz) of the database, the uploaded "
        "documents and a manifest of their row counts and checksums; `manage.py restore` "
        "restores it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=settings.BACKUP_DIR,
            help="The folder the archive is written to (default: DJANGO_BACKUP_DIR, %(default)s).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            help="Then delete all but this many newest archives of the folder.",
        )

    def handle(self, *args, dir, keep, **options):
        try:
            summary = make_backup(directory=dir, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written to {summary}.")
