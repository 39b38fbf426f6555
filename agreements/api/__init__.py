"""The public read-only API, ``/api/v1/`` (README, "Public API"): what the public pages show, as
JSON. It reads the register through the same rules as those pages: verified agreements only
(``Agreement.objects.public()``), confirmed organisations and resources only
(``symbiosis.confirmation``), the agreement list's own filter form (``agreements.filters``)."""
