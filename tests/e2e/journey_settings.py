"""Settings for the journey's gunicorn, worker and beat: the real ones, on a queue of their own.

Other tests share the Redis database (in CI all of them do), so the journey's tasks travel on
a queue named by FLUX_JOURNEY_QUEUE and its cache keys carry that name: no other test's worker
takes a journey task, and no journey worker takes theirs.
"""

import os

from flux.settings import *  # noqa: F403
from flux.settings import CACHES

FLUX_JOURNEY_QUEUE = os.environ["FLUX_JOURNEY_QUEUE"]
CELERY_TASK_DEFAULT_QUEUE = FLUX_JOURNEY_QUEUE
CACHES["default"]["KEY_PREFIX"] = FLUX_JOURNEY_QUEUE
