"""Meeting text → draft tasks, by rules.

Pipeline (see docs/extraction.md):

1. normalise (traditional → simplified, half-width, no pinyin noise) keeping an index map;
2. split into paragraphs, sentences (。；！？ and outline markers) and clauses (，：);
3. read each clause: responsible unit in subject position, named projects, deadlines,
   directive words;
4. group clauses into tasks: a clause that names a unit, a project or 该项目 opens a task,
   the clauses after it belong to it; a deadline in a directive sentence opens one too;
5. keep the groups that are tasks (a unit, a deadline, or a named project given an
   action), one draft per project when several share a clause;
6. map written project and unit names to ids.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from . import lexicon as lx
from .deadlines import Deadline, find_deadlines
from .normalize import Normalized, normalize

# ---------------------------------------------------------------------------
# Segmentation

_TERMINAL = "。！？!?;；"
# Outline markers that start a sentence: 一、 (一) 1. (1) 一是 一要 第一,
_OUTLINE = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)|(?<![0-9.])\d{1,2}[.、](?![0-9])"
    r"|\(\d{1,2}\)|[一二三四五六七八九十][是要](?=[\u4e00-\u9fff])|第[一二三四五六七八九十]{1,2}[,、])"
)
# A page break inside a sentence in documents copied from preview sites: "前\n\n4、期".
_PAGE_BREAK = re.compile(r"(?<=[^" + _TERMINAL + r"\s])\s*\n\s*\d{1,3}、")


@dataclass
class Clause:
    start: int
    end: int
    text: str


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _analysis_text(norm: Normalized) -> str:
    """The normalised text with page-break noise blanked (same length, same offsets)."""
    text = norm.text
    for m in list(_PAGE_BREAK.finditer(text)):
        text = _blank(text, m.start(), m.end())
    return text


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(r"\n", text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = {start, end}
    for i in range(start, end):
        if text[i] in _TERMINAL:
            cuts.add(i + 1)
    for m in _OUTLINE.finditer(text, start, end):
        cuts.add(m.start())
    ordered = sorted(cuts)
    spans = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        a, b = _trim(text, a, b)
        if b > a:
            spans.append((a, b))
    return spans


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Strip spaces, terminal punctuation and leading outline markers."""
    while True:
        while a < b and (text[a].isspace() or text[a] in _TERMINAL + ",:、"):
            a += 1
        m = _OUTLINE.match(text, a, b)
        if m and m.end() > a:
            a = m.end()
            continue
        break
    while b > a and (text[b - 1].isspace() or text[b - 1] in _TERMINAL + ",:、"):
        b -= 1
    return a, b


def _clauses(text: str, start: int, end: int) -> list[Clause]:
    out, a = [], start
    for i in range(start, end + 1):
        if i == end or text[i] in ",:":
            s, e = _trim(text, a, i)
            if e > s:
                out.append(Clause(s, e, text[s:e]))
            a = i + 1
    return out


# ---------------------------------------------------------------------------
# Reading a clause

_DIRECTIVE_AFTER_SUBJECT = (
    r"(?:要|务必|必须|须|应当|应|将|抓紧|尽快|负责|牵头|会同|立即|迅速|切实|进一步|主动|全力|加快)"
)
_UNIT_SUBJECT = re.compile(
    r"^(?:叮嘱|要求|督促|责成|请|并|由|同时|其中)?"
    r"(?P<unit>[\u4e00-\u9fff“”\"A-Za-z0-9+]{1,24}?(?:" + lx.UNIT_SUFFIX_RE + r"))"
    r"(?:(?:和|、|及|与|会同)[\u4e00-\u9fff“”]{1,15}?)?"
    r"(?=" + _DIRECTIVE_AFTER_SUBJECT + r")"
)
_BY_UNIT = re.compile(
    r"由(?P<unit>[\u4e00-\u9fff“”\"A-Za-z0-9+]{2,24}?(?:" + lx.UNIT_SUFFIX_RE + r"))"
    r"(?:(?:和|、|及|会同)[\u4e00-\u9fff]{1,15}?)?(?:牵头|负责|主抓|落实|承办|实施)"
)
_SUBJECT_BEFORE = re.compile(
    r"^(?P<subject>[^,:]{2,60}?)(?=由[\u4e00-\u9fff“”]{2,24}?(?:牵头|负责|主抓)|要|务必|必须|力争|确保)"
)
_WEAK_PROJECT = re.compile(r"“[^”]{1,12}”(?:重点项目|重大项目|项目|工程|行动计划)")
_THIS_PROJECT = re.compile(r"^(?:该|此|这个|上述)项目")
_LIST_SPLIT = re.compile(r"、|和(?![平谐美])|及(?!时)|以及")
_QUANTITY = re.compile(r"^[0-9一二三四五六七八九十两百千]+[个条座家项处批]?$")
_LEADING_VERB = re.compile(r"^(?:" + lx.ACTION_VERB_RE + r")+")
_ADVERBS = re.compile(
    r"^(?:要|并|同时|当前|特别是|尤其是|积极|持续|扎实|着力|大力|努力|切实|确保|力争|务必|进一步)+"
)
# After the 项目 that closes a project list, only these may follow in the clause.
_AFTER_PROJECT_LIST = re.compile(r"^(?:建设|的建设)?$|^(?:要|由|务必|必须|力争|确保|争取)")
_UNIT_BAD_START = re.compile(
    r"^(?:按照|根据|通过|围绕|对接|对|为|在|把|将|从|向|以|就|经|与|加强|积极|主动|强化|全力|加快)"
)


def _is_unit_name(name: str) -> bool:
    return bool(re.search(r"(?:" + lx.UNIT_SUFFIX_RE + r")$", name)) and not lx.EVERYONE.match(name)


def _is_specific(name: str) -> bool:
    """Does ``name`` name one project, rather than a kind of project?"""
    if len(name) < 3 or len(name) > 40:
        return False
    if lx.EVERYONE.match(name) or re.match(
        r"^(?:一批|一些|部分|全部|所有|各类|各个|这些|多个)", name
    ):
        return False
    if any(word in name for word in lx.NOT_IN_NAMES):
        return False
    if re.search(r"等(?:基础设施|工作|要素|手续|问题|方面|事项|领域|行业|产业)$", name):
        return False
    if re.search(r"(?:重点|重大|省市重点|十大|在建|新建|续建|一批)$", name) or "“" in name:
        return False
    if re.search(r"\d|[A-Za-z]", name):
        return True
    rest = name
    for word in sorted(lx.GENERIC_WORDS, key=len, reverse=True):
        rest = rest.replace(word, "")
    rest = re.sub(r"[()“”\s]", "", rest)
    return len(rest) >= 2 and not _QUANTITY.match(rest)


def _looks_named(name: str) -> bool:
    """A verb's object is a project only if it ends like one (路, 园, 改造 ...) or has digits."""
    return bool(
        re.search(r"\d|[A-Za-z]", name)
        or re.search("(?:" + "|".join(lx.PROJECT_SUFFIXES) + r")(?:\(.{1,4}\))?$", name)
    )


def _clean_item(item: str, keep_project_word: bool) -> str:
    item = item.strip(' “”"')
    item = re.sub(r"等$", "", item)
    if not keep_project_word:
        item = re.sub(r"(?<!扩建|迁建|新建|改建|续建)项目$", "", item)
    return item.strip()


def _split_items(phrase: str) -> list[str]:
    """``A、B和C等三个项目`` → [A, B, C]; ``X等7条道路和管网`` stays whole."""
    phrase = re.sub(r"等?[0-9一二三四五六七八九十两]+个项目$|等项目$|等$", "", phrase)
    phrase = re.sub(r"(?:的)?(?:规划建设|建设|前期准备|前期工作|的十字连接)$", "", phrase)
    if re.search(r"等\d+[条个座处项]", phrase):
        return [phrase]
    parts = [p for p in _LIST_SPLIT.split(phrase) if p]
    each_has_word = len(parts) > 1 and all(p.endswith("项目") for p in parts)
    return [_clean_item(p, each_has_word) for p in parts]


def _projects_in(clause: str) -> list[str]:
    """Named projects that a clause gives an action to."""
    text = _ADVERBS.sub("", clause)
    # 1. A list closed by 项目: 加快推进A、B等项目 / A项目、B项目 / A、B等三个项目建设.
    for m in re.finditer("项目", text):
        if not _AFTER_PROJECT_LIST.match(text[m.end() :]):
            continue
        body = _LEADING_VERB.sub("", text[: m.end()])
        items = _split_items(body)
        if items and all(_is_specific(i) for i in items):
            return items
        break
    # 2. A verb and its object: 全力实施S309长济线卫滨区段建设 / 打通A、B等断头路.
    m = re.match(r"^(?:" + lx.ACTION_VERB_RE + r")+(?P<object>.+)$", text)
    if m:
        obj = m["object"]
        obj = re.sub(r"(?<=[路道街线站场桥])等[\u4e00-\u9fff]{1,5}$", "", obj)
        obj = re.sub(r"的[\u4e00-\u9fff]{1,6}$", "", obj)
        if not re.search(r"等(?:基础设施|工作|要素)", obj):
            items = _split_items(obj)
            if items and all(_is_specific(i) and _looks_named(i) for i in items):
                return items
    return []


def _subject_projects(clause: str) -> list[str]:
    """A named project as the subject: 滨河湾二期务必... / A、B项目由园区办负责."""
    m = _SUBJECT_BEFORE.match(clause)
    if not m:
        return []
    subject = _ADVERBS.sub("", m["subject"])
    if _is_unit_name(subject) or not subject:
        return []
    items = _split_items(subject)
    if all(
        _is_specific(i) and re.search("(?:" + "|".join(lx.PROJECT_SUFFIXES) + r")$", i + "项目")
        for i in items
    ):
        named = [
            i
            for i in items
            if re.search(r"(?:" + "|".join(lx.PROJECT_SUFFIXES) + r")$", i)
            or subject.endswith("项目")
        ]
        return named if len(named) == len(items) else []
    return []


@dataclass
class _Reading:
    clause: Clause
    unit: str | None = None
    unit_span: tuple[int, int] | None = None
    projects: list[str] = field(default_factory=list)
    this_project: bool = False
    deadlines: list[Deadline] = field(default_factory=list)


def _known_in(text: str, known: list[str]) -> list[str]:
    """Names from the project directory written in ``text``, longest first, no overlaps."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for name in known:
        at = text.find(name)
        if at >= 0 and not any(a < at + len(name) and at < b for a, b in taken):
            found.append((at, name))
            taken.append((at, at + len(name)))
    return [name for _, name in sorted(found)]


def _read(clause: Clause, meeting: date, known_projects: list[str] | None = None) -> _Reading:
    r = _Reading(clause)
    text = clause.text
    m = _BY_UNIT.search(text)
    if m and _is_unit_name(m["unit"]):
        r.unit = m["unit"]
        r.unit_span = (clause.start + m.start("unit"), clause.start + m.end("unit"))
    else:
        m = _UNIT_SUBJECT.match(text)
        if (
            m
            and _is_unit_name(m["unit"])
            and not re.search(r"[要将]", m["unit"][:-1])
            and not _UNIT_BAD_START.match(m["unit"])
        ):
            r.unit = m["unit"]
            r.unit_span = (clause.start + m.start("unit"), clause.start + m.end("unit"))
    r.this_project = bool(_THIS_PROJECT.match(text))
    if not r.this_project:
        rest = text
        if r.unit and r.unit_span and not _BY_UNIT.search(text):
            rest = text[r.unit_span[1] - clause.start :]
            rest = re.sub(r"^(?:和[^要]{1,15}?)?" + _DIRECTIVE_AFTER_SUBJECT + "+", "", rest)
        r.projects = _subject_projects(text) or _projects_in(rest)
        if not r.projects and known_projects:
            r.projects = _known_in(text, known_projects)
        if r.unit and r.projects and r.unit in r.projects:
            r.projects.remove(r.unit)
    r.deadlines = [
        Deadline(clause.start + d.start, clause.start + d.end, d.date)
        for d in find_deadlines(text, meeting)
        if d.date > meeting
    ]
    return r


# ---------------------------------------------------------------------------
# Drafts


@dataclass
class Draft:
    """One task found in a meeting text, for a person to check before it is saved."""

    sentence: str
    project: str | None = None
    project_id: int | None = None
    content: str = ""
    unit: str | None = None
    unit_id: int | None = None
    deadline: date | None = None
    deadline_text: str | None = None

    def as_dict(self) -> dict:
        return {
            "sentence": self.sentence,
            "project": self.project,
            "project_id": self.project_id,
            "content": self.content,
            "unit": self.unit,
            "unit_id": self.unit_id,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_text": self.deadline_text,
        }


@dataclass
class _Group:
    readings: list[_Reading]
    projects: list[str] = field(default_factory=list)
    unit: str | None = None
    deadline: Deadline | None = None
    from_context: bool = False
    inherited_from: "_Group | None" = None

    @property
    def start(self) -> int:
        return self.readings[0].clause.start

    @property
    def end(self) -> int:
        return self.readings[-1].clause.end

    def text(self, analysis: str) -> str:
        return analysis[self.start : self.end]


def _has_directive(text: str) -> bool:
    return any(word in text for word in lx.DIRECTIVES)


def _has_action(text: str) -> bool:
    return any(word in text for word in lx.CONCRETE_ACTIONS)


def _content(group: _Group, analysis: str) -> str:
    text = group.text(analysis)
    for name in [group.unit, *group.projects]:
        if name:
            text = text.replace(name, "")
    if group.deadline:
        text = text.replace(analysis[group.deadline.start : group.deadline.end], "")
    text = re.sub(
        r"[,]?(?:并|交)?由\s*(?:牵头)?(?:具体)?(?:负责|落实|承办|办理|督办)?[,]?", "", text
    )
    text = re.sub(
        r"^[\s,、:]*(?:项目)?(?:要|务必|必须|确保|力争|和责任单位要|叮嘱|要求)*", "", text
    )
    text = re.sub(r"\s+", "", text)
    return text.strip(",、:") or group.text(analysis)


def _split_double_deadlines(clause: Clause, analysis: str, meeting: date) -> list[Clause]:
    """``A上半年全部开工、B9月底前大头落地``: one clause per deadline."""
    found = [d for d in find_deadlines(clause.text, meeting) if d.date > meeting]
    if len(found) < 2:
        return [clause]
    out, a = [], clause.start
    for prev, nxt in zip(found, found[1:], strict=False):
        cut = clause.text.rfind("、", prev.end, nxt.start)
        if cut < 0:
            continue
        out.append(Clause(a, clause.start + cut, analysis[a : clause.start + cut]))
        a = clause.start + cut + 1
    out.append(Clause(a, clause.end, analysis[a : clause.end]))
    return out


def _context_project(paragraph: str) -> str | None:
    """The project a paragraph is about, when it opens with one (inspection reports)."""
    first = re.split(r"[,。;]", paragraph, maxsplit=1)[0]
    m = re.match(
        r"^(?:在)?(?P<name>[\u4e00-\u9fff“”A-Za-z0-9()]{4,40}(?:项目|工程|一期|二期|三期|基地|产业园|新城|段))",
        first,
    )
    if not m:
        return None
    name = m["name"]
    name = re.sub(r"(?<!扩建|迁建|新建|改建|续建)项目$", "", name)
    return name if _is_specific(name) else None


# A clause that only names who answers for what came before it.
_OWNER_AFTER = re.compile(
    r"^(?:并)?(?:由|请|交由)[^，,。；;]{2,30}?(?:牵头|负责|落实|承办|办理|督办)"
)


def _groups(
    sentence: tuple[int, int],
    analysis: str,
    meeting: date,
    last_project: list[str],
    known_projects: list[str] | None = None,
) -> list[_Group]:
    s, e = sentence
    clauses: list[Clause] = []
    for clause in _clauses(analysis, s, e):
        clauses.extend(_split_double_deadlines(clause, analysis, meeting))
    readings = [_read(c, meeting, known_projects) for c in clauses]
    groups: list[_Group] = []
    current: _Group | None = None
    for r in readings:
        anchor = bool(r.unit or r.projects or r.this_project)
        if anchor:
            projects = list(last_project) if r.this_project else r.projects
            # The owner named after the action, in the same sentence: "…,由交通局牵头负责".
            if (
                current is not None
                and r.unit
                and not r.projects
                and not r.deadlines
                and not current.unit
                and _OWNER_AFTER.match(r.clause.text)
            ):
                current.readings.append(r)
                current.unit = r.unit
                continue
            # A topic list followed by its owner: "A、B、C项目,园区办要..."
            if (
                current is not None
                and r.unit
                and not r.projects
                and not current.unit
                and current.projects
                and len(current.readings) == 1
                and not _has_action(current.readings[0].clause.text)
            ):
                current.readings.append(r)
                current.unit = r.unit
            else:
                current = _Group([r], projects=projects, unit=r.unit)
                groups.append(current)
            if r.projects:
                last_project[:] = r.projects
        elif r.deadlines and (current is None or current.deadline is not None):
            # A second deadline in the same sentence: a second task for the same owner.
            previous = current
            current = _Group([r])
            if previous is not None:
                current.projects, current.unit = list(previous.projects), previous.unit
                current.inherited_from = previous
            groups.append(current)
        elif current is not None:
            current.readings.append(r)
        if (
            current is not None
            and current.deadline is None
            and r.deadlines
            and current.readings[-1] is r
        ):
            current.deadline = r.deadlines[0]
    return groups


def _is_task(group: _Group, sentence_text: str, analysis: str) -> bool:
    text = group.text(analysis)
    if lx.REPORTING.search(sentence_text) and not _has_directive(sentence_text):
        return False
    if group.inherited_from is not None:
        return _has_directive(sentence_text) or _has_action(text)
    if group.unit:
        return _has_directive(text) or "将" in text or _has_directive(sentence_text[:4])
    if group.deadline:
        return _has_directive(sentence_text) or _has_action(text)
    if group.projects:
        return _has_action(text) and not re.search(r"已|正在|目前", text)
    return False


def _draft(group: _Group, project: str | None, norm: Normalized, analysis: str) -> Draft:
    a, b = norm.span(group.start, group.end)
    sentence = norm.original[a:b]
    deadline_text = None
    if group.deadline:
        da, db = norm.span(group.deadline.start, group.deadline.end)
        deadline_text = norm.original[da:db]
    unit = None
    owner = group
    while owner.inherited_from is not None and not any(r.unit for r in owner.readings):
        owner = owner.inherited_from
    if group.unit:
        for r in owner.readings:
            if r.unit == group.unit and r.unit_span:
                ua, ub = norm.span(*r.unit_span)
                unit = norm.original[ua:ub]
                break
    return Draft(
        sentence=sentence,
        project=_as_written(project, norm, analysis, group) if project else None,
        content=_content(group, analysis),
        unit=unit,
        deadline=group.deadline.date if group.deadline else None,
        deadline_text=deadline_text,
    )


def _as_written(name: str, norm: Normalized, analysis: str, group: _Group) -> str:
    """The project name in the original characters, when it can be found."""
    at = analysis.find(name, group.start, group.end)
    if at < 0:
        at = analysis.find(name)
    if at < 0:
        return name
    return norm.original_slice(at, at + len(name))


def extract_drafts(
    text: str, meeting_date: date, known_projects: list[str] | None = None
) -> list[Draft]:
    """The drafts of ``text``, without ids (see ``extract``).

    ``known_projects`` (simplified names, longest first) are recognised wherever written.
    """
    norm = normalize(text)
    analysis = _analysis_text(norm)
    drafts: list[Draft] = []
    seen: set[tuple[str, str | None]] = set()
    last_project: list[str] = []
    for p_start, p_end in _paragraphs(analysis):
        context = _context_project(analysis[p_start:p_end])
        if context:
            last_project[:] = [context]
        context_used = False
        for sentence in _sentences(analysis, p_start, p_end):
            sentence_text = analysis[sentence[0] : sentence[1]]
            topic = _TOPIC.match(sentence_text)
            if topic and _is_specific(topic["name"]):
                context = re.sub(r"(?<!扩建|迁建|新建|改建|续建)项目$", "", topic["name"])
                context_used = True  # a heading gives a project, not an instruction
                last_project[:] = [context]
            groups = _groups(sentence, analysis, meeting_date, last_project, known_projects)
            tasks = [g for g in groups if _is_task(g, sentence_text, analysis)]
            if context and not tasks and not context_used:
                tasks = _context_task(sentence, analysis, meeting_date)
            for group in tasks:
                projects = group.projects or ([context] if context else [])
                if not projects:
                    weak = _WEAK_PROJECT.search(group.text(analysis))
                    if weak and (group.unit is None or weak.group() not in group.unit):
                        projects = [weak.group()]
                if context and (group.unit or group.deadline or group.projects):
                    context_used = context_used or not group.projects
                for project in projects or [None]:
                    draft = _draft(group, project, norm, analysis)
                    key = (re.sub(r"\s", "", normalize(draft.sentence).text), project)
                    if key in seen:
                        continue
                    seen.add(key)
                    drafts.append(draft)
            if tasks and context and not any(g.projects for g in tasks):
                context_used = True
    return drafts


# A minutes heading: 关于城东污水处理厂二期工程用地问题.
_TOPIC = re.compile(
    r"^关于(?P<name>[^,:]{3,40}(?:项目|工程|一期|二期|三期|基地|产业园|新城|路|大道|桥|站|厂|园|中心|改造))"
    r"(?:的)?(?:[\u4e00-\u9fff]{0,6}(?:问题|事项|事宜|工作))?$"
)


def _context_task(sentence: tuple[int, int], analysis: str, meeting: date) -> list[_Group]:
    """In a paragraph about one project, the leader's first instruction is its task."""
    clauses = _clauses(analysis, *sentence)
    for i, clause in enumerate(clauses):
        if re.search(r"(?:强调|要求|叮嘱|指出)?要|要求|务必|确保|力争", clause.text) and i < len(
            clauses
        ):
            rest = clauses[i:]
            if not any(_has_action(c.text) for c in rest):
                return []
            readings = [_Reading(c) for c in rest]
            return [_Group(readings, from_context=True)]
    return []
