"""The one write path for recorded objects: save or delete, and record who changed what."""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction

from diaodu.core.history import diff, m2m_snapshot, record, snapshot
from diaodu.core.models import Action

Actor = AbstractBaseUser | AnonymousUser | None
M = TypeVar("M", bound=models.Model)


@transaction.atomic
def do_save(
    actor: Actor,
    instance: M,
    *,
    m2m: dict[str, Iterable[models.Model]] | None = None,
    reason: str = "",
    validate: bool = True,
) -> M:
    """Create or update a project (or a plan, milestone, approval, funding line) and record it.

    `m2m` maps a many-to-many field name to the objects it should hold afterwards.
    """
    model = type(instance)
    creating = instance._state.adding
    before: dict[str, Any] = {}
    if not creating:
        current = model._default_manager.get(pk=instance.pk)
        before = snapshot(current)
        if m2m:
            before.update({k: v for k, v in m2m_snapshot(current).items() if k in m2m})
    if validate:
        instance.full_clean()
    instance.save()
    for name, objects in (m2m or {}).items():
        getattr(instance, name).set(objects)
    after = snapshot(instance)
    if m2m:
        after.update({k: v for k, v in m2m_snapshot(instance).items() if k in m2m})
    changes = diff(before, after)
    if creating or changes:
        record(
            actor, instance, Action.CREATE if creating else Action.UPDATE, changes, reason=reason
        )
    return instance


@transaction.atomic
def do_record_m2m(actor: Actor, instance: models.Model, before: dict[str, Any]) -> None:
    """Record changes of many-to-many relations made elsewhere (the admin saves them itself)."""
    changes = diff(before, {k: v for k, v in m2m_snapshot(instance).items() if k in before})
    if changes:
        record(actor, instance, Action.UPDATE, changes)


@transaction.atomic
def do_delete(actor: Actor, instance: models.Model, *, reason: str = "") -> None:
    gone = {name: [value, None] for name, value in snapshot(instance).items() if value}
    record(actor, instance, Action.DELETE, gone, reason=reason)
    instance.delete()
