"""Diaodu's words as OC4IDS codes: every value written into a codelist field of the export.

Each code comes from the standard's codelists (diaodu/oc4ids/schema/codelists/), and the tests
check every one against them.
"""

import re

from diaodu.projects.choices import Category, Stage

# The stage of a project → projectStatus (closed).
STATUS = {
    Stage.RESERVE: "identification",
    Stage.PREPARATION: "preparation",
    Stage.NEW: "implementation",
    Stage.CONTINUING: "implementation",
    Stage.COMPLETED: "completion",
    Stage.OPERATING: "maintenance",
    Stage.CANCELLED: "cancelled",
}

# The category of a project → projectSector (a parent code before its subsector).
SECTORS = {
    Category.INDUSTRY: ["economy"],
    Category.INFRASTRUCTURE: ["transport", "transport.road"],  # 市政: streets, bridges, tunnels
    Category.TRANSPORT: ["transport"],
    Category.WATER: ["waterAndWaste"],
    Category.ENERGY: ["energy"],
    Category.LIVELIHOOD: ["socialHousing"],
    Category.EDUCATION: ["education"],
    Category.HEALTH: ["health"],
    Category.URBAN_RENEWAL: ["socialHousing"],
    Category.ECOLOGY: ["naturalResources"],
    Category.TOURISM: ["cultureSportsAndRecreation"],
    Category.AGRICULTURE: ["economy"],
    Category.SERVICES: ["economy"],
}

# projectType (closed): urban renewal rehabilitates what stands; everything else is built new.
REHABILITATION = {Category.URBAN_RENEWAL}


def project_type(category: str) -> str:
    return "rehabilitation" if category in REHABILITATION else "construction"


# partyRole: the owner (建设单位) develops the asset; the lead unit (牵头单位) and the responsible
# units (责任单位) administer it for the government; a funding source is a funder.
OWNER = "publicAuthority"
LEAD_UNIT = "administrativeEntity"
RESPONSIBLE_UNIT = "administrativeEntity"
FUNDER = "funder"

# milestoneType: a milestone named after an approval (立项, 批复, 许可证 ...) is an approval; any
# other checkpoint of the works is delivery.
_APPROVAL = re.compile(r"批复|审批|核准|备案|许可|立项|手续|预审|评审|审查|验收")


def milestone_type(name: str) -> str:
    return "approval" if _APPROVAL.search(name) else "delivery"


# metricID
FINANCIAL_PROGRESS = "financialProgress"
PHYSICAL_PROGRESS = "physicalProgress"

# documentType: a bulletin (通报) reports the supervisors' checks on the projects and units; the
# minutes (会议纪要) of a scheduling meeting are minutes.
BULLETIN = "oversightReport"
MINUTES = "minutes"

CURRENCY = "CNY"
POINT = "Point"
