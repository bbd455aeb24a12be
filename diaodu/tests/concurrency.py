"""Real concurrent transactions, for the tests of races.

They run on PostgreSQL, the production database, whose row locks they test; SQLite lets one
writer at a time and would prove nothing. `on_postgresql` skips them elsewhere before any
fixture runs, so a skipped race costs no flush of the database.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions are tested on PostgreSQL, the production database",
)

REFUSED = "refused"


def at_once(*calls: Callable[[], Any], atomic: bool = False, timeout: float = 60) -> list:
    """Run each call in its own thread (its own connection, and with `atomic` its own
    transaction), released together at a barrier. In the order of the calls: what each
    returned, REFUSED where it raised ValidationError, or the repr of any other exception (a
    failure of the test, shown as such)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            if atomic:
                with transaction.atomic():
                    outcomes[index] = call()
            else:
                outcomes[index] = call()
        except ValidationError:
            outcomes[index] = REFUSED
        except Exception as error:
            outcomes[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
