"""What tests that start other processes (Celery workers, manage.py) need to share."""

from django.db import connection


def child_database_url() -> str:
    """Return a URL for the test database, so a child process writes where the test reads."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
