"""Settings for benches that serve the app: the project's, with bench/_urls.py (a trivial endpoint) added."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench._urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
