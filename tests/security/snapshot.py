"""Row counts of every table, so a test can prove a request wrote nothing anywhere."""

from django.apps import apps


def row_counts() -> dict[str, int]:
    """Return the number of rows of every model's table, m2m link tables included."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def changed_tables(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Return each table whose row count moved since `before`, with its old and new count."""
    after = row_counts()
    return {
        label: (before.get(label, 0), count)
        for label, count in after.items()
        if before.get(label, 0) != count
    }
