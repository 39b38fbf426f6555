from django.core.management.base import BaseCommand
from django.utils import timezone

from agreements.reporting import dashboard
from agreements.reporting import figures as park_figures
from parks.models import Park


class Command(BaseCommand):
    help = (
        "Work out and keep today's dashboard figures of every park whose kept figures are "
        "missing or out of date, and their sum over all parks, and forget the sums of earlier "
        "days (agreements/reporting/figures.py). Dashboards do it themselves "
        "when they first need them on a day; run this just after midnight (cron) so that no "
        "official waits for it."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        park_ids = list(Park.objects.values_list("pk", flat=True))
        # Every park's figures, and their sum: what a national official's dashboard reads.
        dashboard.kept_sum(
            park_ids, today=today, overview_counts=dashboard.overview_counts(today=today)
        )
        park_figures.forget_sums_before(today)
        self.stdout.write(f"Figures of {len(park_ids)} parks kept for {today.isoformat()}.")
