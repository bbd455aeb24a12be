"""The organisation's daily job, run by Celery beat: the audit log kept DIAODU_AUDIT_MONTHS."""

from celery import shared_task

from diaodu.core.tasks import recorded


@shared_task(name="diaodu.org.tasks.prune_audit")
def prune_audit() -> dict:
    """Delete the audit events older than the retention (idempotent: run daily)."""
    from diaodu.org.audit import prune

    with recorded("prune_audit"):
        return {"deleted": prune()}
