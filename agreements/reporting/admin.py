from django.contrib import admin

from agreements.reporting.models import ReportCriterion


@admin.register(ReportCriterion)
class ReportCriterionAdmin(admin.ModelAdmin):
    """Criteria of eco-industrial park certification, entered as the legal text in force
    states them (the park reports check the active ones: ``agreements/reporting/eip.py``)."""

    list_display = ["__str__", "indicator", "comparison", "threshold", "is_active", "order"]
    list_editable = ["is_active", "order"]
    list_filter = ["is_active", "indicator"]
    search_fields = ["text_vi", "text_en", "legal_reference"]
    fields = [
        "text_vi",
        "text_en",
        "legal_reference",
        "indicator",
        "comparison",
        "threshold",
        "is_active",
        "order",
    ]
