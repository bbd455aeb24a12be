"""Backward scheduling (倒排工期): from a target date, the date each milestone must be met.

A template is an ordered list of milestones, each with the days allowed since the previous one;
the last milestone falls on the target date and every earlier one is laid back from it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from diaodu.core.limits import validate_year
from diaodu.org.permissions import require
from diaodu.projects.permissions import can_schedule
from diaodu.projects.services import do_set_milestone_dates

TEMPLATE_NAMES = {
    "industry": _("Industrial project"),
    "infrastructure": _("Infrastructure project"),
    "building": _("Public building"),
}
TEMPLATES = {
    "industry": [
        ("完成立项备案", 20),
        ("取得用地预审与选址意见", 30),
        ("完成土地摘牌", 45),
        ("取得建设用地规划许可证", 20),
        ("完成环评批复", 30),
        ("取得建设工程规划许可证", 30),
        ("完成施工图审查", 20),
        ("取得施工许可证", 15),
        ("开工建设", 10),
        ("厂房主体封顶", 180),
        ("设备安装调试", 90),
        ("竣工验收", 30),
        ("投产达效", 60),
    ],
    "infrastructure": [
        ("完成立项批复", 30),
        ("完成可研批复", 45),
        ("取得用地预审与选址意见书", 30),
        ("完成初步设计批复", 30),
        ("完成施工图审查", 30),
        ("完成征地拆迁", 90),
        ("完成施工招标", 30),
        ("取得施工许可证", 15),
        ("开工建设", 10),
        ("路基及管网工程完成", 150),
        ("主体工程完工", 120),
        ("附属工程完工", 60),
        ("交工验收", 30),
    ],
    "building": [
        ("完成立项批复", 30),
        ("完成可研批复", 30),
        ("取得建设用地规划许可证", 30),
        ("完成土地划拨", 30),
        ("取得建设工程规划许可证", 30),
        ("完成施工图审查", 30),
        ("取得施工许可证", 20),
        ("开工建设", 10),
        ("基础工程完成", 60),
        ("主体结构封顶", 150),
        ("装饰装修及设备安装完成", 120),
        ("竣工验收", 30),
        ("交付使用", 30),
    ],
}

# Which milestone template a project category follows.
TEMPLATE_BY_CATEGORY = {
    "industry": "industry",
    "services": "industry",
    "agriculture": "infrastructure",
    "infrastructure": "infrastructure",
    "transport": "infrastructure",
    "water": "infrastructure",
    "energy": "infrastructure",
    "ecology": "infrastructure",
    "livelihood": "building",
    "education": "building",
    "health": "building",
    "urban_renewal": "building",
    "tourism": "building",
}


@dataclass
class Step:
    name: str
    planned_date: date
    past: bool


def template_for(project) -> str:
    return TEMPLATE_BY_CATEGORY.get(project.category, "building")


def derive(template: str, target: date, today: date) -> list[Step]:
    """The planned dates of a template's milestones, laid back from the target date."""
    steps, when = [], target
    for name, days in reversed(TEMPLATES[template]):
        steps.append(Step(name, when, when < today))
        when -= timedelta(days=days)
    return list(reversed(steps))


def do_apply_schedule(actor, project, template: str, target: date, today: date) -> int:
    """Set the project's milestones to the derived dates (a milestone already met keeps its
    date), through the milestone service: checked, recorded, and the light refreshed once.

    Headquarters only (`can_schedule`): a region plans its milestones one by one. An unknown
    template, or a target out of the years a date may take, is refused before anything moves."""
    require(can_schedule(actor), _("Only headquarters applies backward scheduling."))
    if template not in TEMPLATES:
        raise ValidationError(_("There is no scheduling template “%(name)s”.") % {"name": template})
    validate_year(target)  # a year 1 or 9999 overflows the dates laid back from it
    return do_set_milestone_dates(
        actor,
        project,
        [(step.name, step.planned_date) for step in derive(template, target, today)],
        reason=str(_("Backward scheduling from %(target)s") % {"target": target}),
    )
