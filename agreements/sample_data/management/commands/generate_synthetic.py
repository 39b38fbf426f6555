import time

from django.core.management.base import BaseCommand, CommandError

from agreements.sample_data.synthetic import clear_synthetic, generate


class Command(BaseCommand):
    help = (
        "Write a reproducible synthetic registry for benchmarks. Every row is marked synthetic "
        "(SYN- references, syn- slugs) and replaces the previous synthetic set; the demo and real "
        "data are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--parks", type=int, default=200)
        parser.add_argument("--organisations", type=int, default=20_000)
        parser.add_argument("--agreements", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--clear", action="store_true", help="Only delete the synthetic rows.")

    def handle(self, *args, parks, organisations, agreements, seed, clear, **options):
        if clear:
            clear_synthetic()
            self.stdout.write("Synthetic rows deleted.")
            return
        if parks < 1 or agreements < 0 or organisations < parks // 10 + 4:
            raise CommandError(
                "Need at least one park and enough organisations (4 + parks/10) to fill them."
            )
        started = time.monotonic()

        def progress(message):
            self.stdout.write(f"[{time.monotonic() - started:6.1f}s] {message}")
            self.stdout.flush()

        counts = generate(
            parks=parks,
            organisations=organisations,
            agreements=agreements,
            seed=seed,
            progress=progress,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic registry: {counts.parks} parks, {counts.organisations} organisations, "
                f"{counts.agreements} agreements in {time.monotonic() - started:.0f}s."
            )
        )
