"""Domain events published by services, for outboxes in apps further down the dependency line.

``accounts ← projects ← supervision``: a project service cannot import the webhook outbox
in ``supervision``, so it publishes here and ``supervision`` subscribes at start-up. Call
``publish`` inside the service's transaction: subscribers write outbox rows in it too.
"""

from collections.abc import Callable

_subscribers: list[Callable[[str, dict], None]] = []


def subscribe(handler: Callable[[str, dict], None]) -> None:
    if handler not in _subscribers:
        _subscribers.append(handler)


def publish(event_type: str, data: dict) -> None:
    for handler in _subscribers:
        handler(event_type, data)
