"""Who may do what with a problem or a task: the one place it is decided.

The services ask here before every change (and raise PermissionDenied); the pages and the API
ask only to offer an action. Each transition names its rule in `transitions.py`.
"""

from diaodu.org.choices import Role
from diaodu.org.models import AnyUser
from diaodu.org.permissions import acts_for, is_active
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import Project

# -- problems ------------------------------------------------------------------------------


def can_raise(user: AnyUser, project: Project) -> bool:
    return is_active(user) and Project.objects.visible_to(user).filter(pk=project.pk).exists()


def can_work_on_problem(user: AnyUser, problem: Problem) -> bool:
    """The responsible unit (or one above it), and headquarters."""
    return is_active(user) and (user.is_headquarters or acts_for(user, problem.responsible_unit))


def can_escalate(user: AnyUser, problem: Problem) -> bool:
    """The responsible unit, the project's region, the leader it was escalated to, headquarters."""
    if not is_active(user):
        return False
    region = problem.project.region
    return bool(
        user.is_headquarters
        or acts_for(user, problem.responsible_unit)
        or (user.role == Role.REGION and region is not None and acts_for(user, region))
        or (
            problem.coordinating_leader is not None
            and problem.coordinating_leader.user_id == user.pk
        )
    )


def can_verify_problem(user: AnyUser, problem: Problem) -> bool:
    """Headquarters, an inspector or the leader it was escalated to; never its solver."""
    if not is_active(user) or problem.solved_by_id == user.pk:
        return False
    leader = problem.coordinating_leader
    return (
        user.is_headquarters
        or user.role == Role.INSPECTOR
        or (leader is not None and leader.user_id == user.pk)
    )


def can_follow_up(user: AnyUser, problem: Problem) -> bool:
    """Whoever works on it, verifies it or may escalate it."""
    return (
        can_work_on_problem(user, problem)
        or can_verify_problem(user, problem)
        or can_escalate(user, problem)
    )


# -- tasks ---------------------------------------------------------------------------------


def can_assign(user: AnyUser) -> bool:
    return is_active(user) and (user.is_headquarters or user.role in {Role.LEADER, Role.INSPECTOR})


def can_work_on_task(user: AnyUser, task: Task) -> bool:
    """The lead unit and the responsible units (or units above them), and headquarters."""
    if not is_active(user):
        return False
    return (
        user.is_headquarters
        or acts_for(user, task.lead_unit)
        or any(acts_for(user, unit) for unit in task.responsible_units.all())
    )


def can_verify_task(user: AnyUser, task: Task) -> bool:
    """Headquarters, an inspector or whoever assigned it; never the one who reported it done."""
    if not is_active(user) or task.done_by_id == user.pk:
        return False
    return user.is_headquarters or user.role == Role.INSPECTOR or task.created_by_id == user.pk


def can_issue_notice(user: AnyUser) -> bool:
    """A 督办单 is issued by those who assign tasks: headquarters, leaders, inspectors."""
    return can_assign(user)
