"""Template filters for approvals: whether the user may edit one (no query)."""

from django import template

from diaodu.projects import approvals

register = template.Library()


@register.filter
def approval_editable_by(approval, user) -> bool:
    """`{% if approval|approval_editable_by:user %}`: the edit button where the user may edit."""
    return approvals.can_edit(user, approval)
