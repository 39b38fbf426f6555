"""The import's pages. ``symbiosis/urls.py`` places them in the ``agreements`` namespace, before
the register's catch-all agreement page ("import" is a word no reference may be:
``RESERVED_REFERENCE_WORDS``)."""

from django.urls import path

from agreements.imports import views

# Under /agreements/, namespace "agreements".
agreement_patterns = [
    path("import/", views.upload, name="import"),
    path("import/template.xlsx", views.template_file, name="import-template"),
    path("import/<int:pk>/", views.preview, name="import-preview"),
    path("import/<int:pk>/confirm/", views.confirm, name="import-confirm"),
]
