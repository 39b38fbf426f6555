"""Shared fixtures: test settings, the demo data, documents in S3-compatible storage. The
``make_*`` helpers are in tests/factories.py."""

import os
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

from agreements.models import Agreement, Resource
from agreements.sample_data.demo import load_demo
from parks.models import Organisation
from tests.factories import make_agreement
from tests.storage import configured_documents_storage, s3_environment

# The fuzz tests (test_*_fuzz.py): a bounded run by default, the one CI makes (seconds each, no
# example database left behind, a failure reported as found: shrinking a page's example can
# take minutes); HYPOTHESIS_PROFILE=thorough tries many more and shrinks what fails. Each
# example undoes its own writes, so the function-scoped fixtures it shares hold still.
_FUZZ = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
hypothesis_settings.register_profile(
    "registry", max_examples=30, phases=[Phase.explicit, Phase.generate], **_FUZZ
)
hypothesis_settings.register_profile("thorough", max_examples=1000, **_FUZZ)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "registry"))


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        # The open data package's builds (agreements/open_data/), in the test's own folder.
        "open_data": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "open-data"},
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    # No cache: every test sees its own writes at once (they never commit, so the cache's
    # invalidation would not run) and query counts measure the uncached page.
    # tests/symbiosis/test_caching.py turns a real cache on where it tests caching.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    # Nobody must use two-factor sign-in, so that tests sign admins and officials in with
    # force_login or a password, in this process and on the browser tests' live server alike.
    # tests/agreements/accounts/ turns it on where it tests it.
    settings.MFA_FOR_ADMINS = False
    settings.MFA_FOR_OFFICIALS = False


@pytest.fixture
def demo(db):
    """The founding case: Deep C, Hai An District Police and their agreement."""
    load_demo()
    return Agreement.objects.get(reference="DEEPC-2023-IUS-01")


DEEP_C_FLOW_ORGANISATIONS = {
    "dinh-vu-ip-jsc",
    "hai-an-district-police",
    "flat-vietnam",
    "shin-etsu-vietnam",
}


@pytest.fixture
def deep_c_network(demo):
    """The founding case plus four verified agreements between Deep C's developer and two tenants,
    built here (the demo's own illustrative records are drafts, off the public pages): five flows,
    two of them energy from Dinh Vu to Shin-Etsu."""
    organisations = {
        slug: Organisation.objects.get(slug=slug) for slug in DEEP_C_FLOW_ORGANISATIONS
    }
    for resource, provider, receiver in [
        ("rooftop-solar-electricity", "dinh-vu-ip-jsc", "shin-etsu-vietnam"),
        ("treated-wastewater", "dinh-vu-ip-jsc", "flat-vietnam"),
        ("waste-as-filling-material", "flat-vietnam", "dinh-vu-ip-jsc"),
        ("wind-electricity", "dinh-vu-ip-jsc", "shin-etsu-vietnam"),
    ]:
        provider, receiver = organisations[provider], organisations[receiver]
        make_agreement(
            demo.park,
            parties=[provider, receiver],
            flows=[(Resource.objects.get(slug=resource), provider, receiver)],
        )
    return demo


@pytest.fixture(scope="session")
def s3_server():
    """A local S3 server (moto) on loopback: every request stays on this machine."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_documents(settings, monkeypatch, s3_server):
    """Documents kept in a new, empty bucket of the local S3 server, with the storage the
    settings configure from the environment (DJANGO_DOCUMENTS_STORAGE=s3 and the rest).
    Returns that environment, for commands run in a process of their own, and a client of the
    bucket to look at what is stored."""
    import boto3

    environment = s3_environment(s3_server, bucket=f"documents-{uuid.uuid4().hex[:12]}")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": configured_documents_storage(**environment),
    }
    client = boto3.client(
        "s3", endpoint_url=s3_server, region_name=environment["AWS_S3_REGION_NAME"]
    )
    client.create_bucket(Bucket=environment["AWS_STORAGE_BUCKET_NAME"])
    return S3Documents(environment, client, environment["AWS_STORAGE_BUCKET_NAME"])


@dataclass
class S3Documents:
    environment: dict
    client: object
    bucket: str

    def keys(self):
        listed = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a new, empty database on this test run's engine: on the PostgreSQL server
    of DATABASE_URL (dropped afterwards), or a SQLite file."""
    if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        import psycopg2

        url = os.environ["DATABASE_URL"]
        # Named after this process: test runs side by side on one server never share it.
        server, name = url.rsplit("/", 1)[0], f"symbiosis_empty_{os.getpid()}"
        admin = psycopg2.connect(server + "/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
            cursor.execute(f"CREATE DATABASE {name}")
        yield f"{server}/{name}"
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()
    else:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
