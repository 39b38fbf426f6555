"""Shared fixtures: test settings and the demo data. The ``make_*`` helpers are in
tests/factories.py."""

import pytest

from agreements.models import Agreement
from agreements.sample_data.demo import load_demo


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    # No cache: every test sees its own writes at once (they never commit, so the cache's
    # invalidation would not run) and query counts measure the uncached page.
    # tests/symbiosis/test_caching.py turns a real cache on where it tests caching.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def demo(db):
    """The founding case: Deep C, Hai An District Police and their agreement."""
    load_demo()
    return Agreement.objects.get(reference="DEEPC-2023-IUS-01")
