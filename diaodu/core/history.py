"""Recording changes: a snapshot of an object before and after, and the difference."""

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from diaodu.core.models import Action, ChangeRecord

logger = logging.getLogger("diaodu.changes")


def plain(value: Any) -> Any:
    if isinstance(value, FieldFile):  # an uploaded file: its stored name
        return value.name or ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


# Fields that are bookkeeping or derived, never someone's change.
DERIVED = {
    "created_at",
    "updated_at",
    "version",
    "light",
    "light_reasons",
    "light_computed_at",
    "due_on",  # an approval's due date, counted from its 受理 date and limit
    "notified_light",  # the last warning sent about an approval
}


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The recorded fields of an instance as plain JSON values (relations by name)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in DERIVED:
            continue
        if field.is_relation:
            related = getattr(instance, field.name, None)
            data[field.name] = str(related) if related is not None else None
        else:
            data[field.name] = plain(field.value_from_object(instance))
    return data


def m2m_snapshot(instance: models.Model) -> dict[str, list[str]]:
    """Many-to-many relations of a saved instance, each as a sorted list of names."""
    return {
        field.name: sorted(str(obj) for obj in getattr(instance, field.name).all())
        for field in instance._meta.many_to_many
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = before.keys() | after.keys()
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(keys)
        if before.get(key) != after.get(key)
    }


def record(
    actor: AbstractBaseUser | AnonymousUser | None,
    instance: models.Model,
    action: Action,
    changes: dict[str, list[Any]] | None = None,
    *,
    project: models.Model | None = None,
    reason: str = "",
) -> ChangeRecord:
    """Write one change record. `project` defaults to the instance's own project."""
    if project is None:
        project = getattr(instance, "project", None)
        if project is None and instance._meta.label == "projects.Project":
            project = instance
    content_type = ContentType.objects.get_for_model(type(instance))
    change = ChangeRecord.objects.create(  # type: ignore[misc]  # core cannot name Project, User
        content_type=content_type,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        project=project if action != Action.DELETE or project is not instance else None,
        action=action,
        changes=changes or {},
        reason=reason,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    # Every service records its change here, so this one line logs them all, once the change is
    # committed: ids and names of fields only, never their values or the object's name, which
    # may be personal.
    message = (
        "%s %s #%s (project #%s) by %s: %s",
        action,
        content_type.model,
        change.object_id,
        change.project_id or "-",
        change.actor.get_username() if change.actor else "-",
        ", ".join(sorted(change.changes)) or "-",
    )
    extra = {
        "action": str(action),
        "object_type": f"{content_type.app_label}.{content_type.model}",
        "object_id": change.object_id,
        "project_id": change.project_id,
    }
    transaction.on_commit(lambda: logger.info(*message, extra=extra))
    return change
