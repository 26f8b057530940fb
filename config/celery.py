"""Celery application.

In the embedded set-up (no ``CELERY_BROKER_URL``) tasks run in-process (``task_always_eager``);
in production a Redis broker and separate workers run them. See docs/deploy.md.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("civicgrid")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
