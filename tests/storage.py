"""Documents kept in S3-compatible storage, for the tests: what the settings configure from a
given environment, and that environment for a local S3 server (moto, on loopback)."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

_PRINT_DOCUMENTS_STORAGE = (
    "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
)


def run_manage(*args, **env):
    """``manage.py`` in a new process whose only ``DJANGO_`` and ``AWS_`` variables are
    ``env`` (with debug off and a secret key unless ``env`` says otherwise)."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "AWS_"))
    }
    environment.update({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 50, **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def configured_documents_storage(**env):
    """``STORAGES["default"]`` as the settings make it from ``env``."""
    result = run_manage("shell", "--no-imports", "-c", _PRINT_DOCUMENTS_STORAGE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def s3_environment(endpoint, bucket):
    """The variables that keep documents in ``bucket`` of the S3 server at ``endpoint``."""
    return {
        "DJANGO_DOCUMENTS_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test-access-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret-key",
    }
