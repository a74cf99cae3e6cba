"""Test settings: the real settings, with a fast password hasher and plain static files."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("ZHENGDUN_DATA_DIR", tempfile.mkdtemp(prefix="zhengdun-test-"))
os.environ.setdefault("ZHENGDUN_SECRET_KEY", "tests-only-" + "k" * 50)

from zhengdun.settings import *  # noqa: F403
from zhengdun.settings import STATIC_ROOT

# Argon2 costs ~180 ms a hash; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Hashed manifest names do not exist under the test server.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
