"""gunicorn settings of the web tier (Web tier in docs/deploy.md)::

    gunicorn -c config/gunicorn.conf.py config.wsgi:application

Measured with ``bench/appeals_intake.py`` (appeal intake, 32 clients, PostgreSQL and the clients
on the same 2-core machine); see docs/deploy.md. Options given on the command line (or in
``GUNICORN_CMD_ARGS``) override these; ``WEB_CONCURRENCY`` sets the number of workers.

* ``gthread`` workers with few threads: Python runs one thread of a process at a time, and
  with many threads per process requests wait longer for their turn (the slowest 1% the most).
* ``worker_connections``: a worker holds at most four connections per thread, so that
  long-lived keep-alive connections (a load balancer's, or many clients opened at once) are
  spread over the workers instead of piling up on the first one to accept them.
* After a worker has loaded the application and its URL patterns (with the views and
  serializers they import), the objects made so far (about 200,000) are moved out of the
  garbage collector's sight (``gc.freeze``): a full collection then no longer stops every
  request of the process for about 0.1 s.
"""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, os.cpu_count() or 1))))
worker_class = "gthread"
threads = 4
worker_connections = 4 * threads
timeout = 60


def post_worker_init(worker: Any) -> None:
    """Load the URL patterns, then freeze what loading made (see the module docstring)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URL modules and their views
    gc.freeze()
