"""The eraser registry: each app that holds data about people registers how to erase it.

An eraser is `func(subject_hash, subject_kind) -> int`: it deletes or anonymises every row it
owns that matches the hashed identifier and returns how many rows it changed. Processing a
deletion request runs all registered erasers inside one transaction.
"""

from collections.abc import Callable, Iterable

Eraser = Callable[[str, str], int]

_erasers: dict[str, Eraser] = {}


class EraserAlreadyRegistered(Exception):
    """Raised when a second, different function is registered under a taken name."""


def register_eraser(name: str, func: Eraser) -> None:
    """Add an eraser under a unique name; registering the same function again is a no-op."""
    existing = _erasers.get(name)
    if existing is not None and existing is not func:
        raise EraserAlreadyRegistered(name)
    _erasers[name] = func


def unregister_eraser(name: str) -> None:
    """Remove an eraser (for tests that register a temporary one)."""
    _erasers.pop(name, None)


def registered_erasers() -> dict[str, Eraser]:
    """Return a copy of the registry, by name."""
    return dict(_erasers)


def erasure_run(*, subject_hash: str, subject_kind: str) -> dict[str, int]:
    """Run every eraser in name order and return the rows each one changed."""
    return {name: _erasers[name](subject_hash, subject_kind) for name in sorted(_erasers)}


def erased_subjects(subject_kind: str, subject_hashes: Iterable[str]) -> set[str]:
    """Return which of these hashes belong to someone whose deletion was carried out.

    Syncs ask before storing: a platform still holds the erased person's data, and the next
    full sync would otherwise bring it back.
    """
    from flux.privacy.models import DeletionRequest, DeletionStatus

    wanted = {h for h in subject_hashes if h}
    if not wanted:
        return set()
    return set(
        DeletionRequest.objects.filter(
            subject_kind=subject_kind, status=DeletionStatus.COMPLETED, subject_hash__in=wanted
        ).values_list("subject_hash", flat=True)
    )
