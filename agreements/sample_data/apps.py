from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampleDataConfig(AppConfig):
    """Demo data (the Deep C founding case) and the synthetic registry for benchmarks, with
    their commands: ``load_demo``, ``generate_synthetic`` and the benchmark's ``bench_*``."""

    name = "agreements.sample_data"
    label = "sample_data"
    verbose_name = _("Sample data")
