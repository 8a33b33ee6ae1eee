"""Settings for ``bench/run.py``: production settings plus the floor views' URLs."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
