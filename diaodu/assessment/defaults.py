"""The scoring scheme a new installation starts with: 100 points, deductions on top.

Rates share the 100 points; overdue problems and tasks and faults found by inspectors
deduct, each capped. Headquarters replaces it with its own version from any month.
"""

from datetime import date

DEFAULT_NAME = "重点项目建设考核评分办法（默认）"
DEFAULT_VALID_FROM = date(2000, 1, 1)
DEFAULT_TIE_BREAKS = ["investment_rate", "schedule_rate", "reporting_rate"]
# (indicator, method, weight, target, floor, per item, cap)
DEFAULT_RULES = [
    ("investment_rate", "ratio", 30, 100, 0, 0, None),
    ("schedule_rate", "ratio", 20, 100, 0, 0, None),
    ("start_rate", "ratio", 15, 100, 0, 0, None),
    ("milestone_rate", "ratio", 10, 100, 0, 0, None),
    ("closure_rate", "ratio", 10, 100, 0, 0, None),
    ("reporting_rate", "ratio", 15, 100, 0, 0, None),
    ("problems_overdue", "per_item", 0, 100, 0, -1, 5),
    ("tasks_overdue", "per_item", 0, 100, 0, -1, 5),
    ("inspection_findings", "per_item", 0, 100, 0, -2, 10),
]


def create_default_scheme(scheme_model, rule_model):
    """Create the default scheme (models passed in, so a migration can use it)."""
    scheme = scheme_model.objects.create(
        name=DEFAULT_NAME,
        valid_from=DEFAULT_VALID_FROM,
        tie_breaks=DEFAULT_TIE_BREAKS,
        note="安装时的默认办法：各项比率共100分，逾期问题、逾期任务和督查发现问题另行扣分。",
    )
    rule_model.objects.bulk_create(
        rule_model(
            scheme=scheme,
            indicator=indicator,
            method=method,
            weight=weight,
            target=target,
            floor=floor,
            per_item=per_item,
            cap=cap,
            sort_order=index,
        )
        for index, (indicator, method, weight, target, floor, per_item, cap) in enumerate(
            DEFAULT_RULES
        )
    )
    return scheme
