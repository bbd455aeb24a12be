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
    r"|\(\d{1,2}\)|[一二三四五六七八九十]是(?=[\u4e00-\u9fff])|第[一二三四五六七八九十]{1,2}[,、]"
    # 一要…, 第三要…: the marker is the number; 要 stays, the item is an instruction
    r"|第?[一二三四五六七八九十](?=要[\u4e00-\u9fff])"
    r"|[\u2460-\u2473\u2474-\u2487])"
)
# A page break inside a sentence in documents copied from preview sites: "前\n\n4、期".
_PAGE_BREAK = re.compile(r"(?<=[^" + _TERMINAL + r"\s:])\s*\n\s*\d{1,3}、")


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
        while a < b and (text[a].isspace() or text[a] in _TERMINAL + ",:、•●◆■▪"):
            a += 1
        m = _OUTLINE.match(text, a, b)
        if m and m.end() > a:
            a = m.end()
            continue
        break
    while b > a and (text[b - 1].isspace() or text[b - 1] in _TERMINAL + ",:、"):
        b -= 1
    return a, b


_CLOCK = re.compile(r"\d:\d")  # 19:00 is a time, not a clause break


def _clauses(text: str, start: int, end: int) -> list[Clause]:
    out, a = [], start
    for i in range(start, end + 1):
        if i == end or text[i] == "," or (text[i] == ":" and not _CLOCK.match(text, i - 1)):
            s, e = _trim(text, a, i)
            if e > s:
                out.append(Clause(s, e, text[s:e]))
            a = i + 1
    return out


# ---------------------------------------------------------------------------
# Reading a clause

_DIRECTIVE_AFTER_SUBJECT = (
    r"(?:要|务必|必须|须|应当|应(?!急|用|对)|将|抓紧|尽快|负责(?!同志|人|的)|牵头|会同|立即|迅速"
    r"|切实|进一步|主动|全力|加快)"
)
_UNIT_SUBJECT = re.compile(
    r"^(?:叮嘱|要求|强调|督促|责成|请|也请|并|由|同时|其中)?"
    r"(?P<unit>[\u4e00-\u9fff“”\"A-Za-z0-9+()—]{1,40}?(?:" + lx.UNIT_SUFFIX_RE + r"))"
    r"(?:成员|负责人|主要负责同志)?"
    r"(?:(?:和|、|及|与|会同)[\u4e00-\u9fff“”]{1,15}?(?:" + lx.UNIT_SUFFIX_RE + r"|单位|部门))?"
    r"(?=(?:下周|本周|近期|今年|年内|同时)?" + _DIRECTIVE_AFTER_SUBJECT + r")"
)
# Who a clause addresses, before its directive: the subject noun phrase.
_LEAD = re.compile(
    r"^(?:(?:叮嘱|要求|强调|督促|责成|同时|其中|特别是|尤其是|并|也|另|再次|再|分别)*(?:请|由)?)"
)
# 请X / 要求X / 副县长再次要求X: the body asked comes after the asking word.
_ASKED = re.compile(
    r"^(?P<speaker>[\u4e00-\u9fff]{0,8}?)(?:并|也|另|再次|再|分别|同时)*(?:请|要求|责成|叮嘱)"
)
# What a body asked to act must do beyond just complying: "要求分公司严格落实" asks nothing.
_ONLY_COMPLY = re.compile(
    r"^(?:(?:和|及|、)[\u4e00-\u9fff]{1,12}?(?:" + lx.UNIT_SUFFIX_RE + r"))?"
    r"(?:严格|认真|切实|坚决|抓好)*(?:落实|执行|遵守|贯彻)(?:到位)?$"
)
# A unit's last character that is the first of another word: 办理, 科室, 处置, 部署, 组织 …
_WORD_GOES_ON = r"(?![理公好结室学技置面署分门织成])"
_SUBJECT_END = re.compile(
    r"(?<!将)(?:下周|本周|近期|今年|年内|同时)?(?:"
    + _DIRECTIVE_AFTER_SUBJECT
    + r"|作为(?:责任主体|牵头单位|责任单位)|在[^,]{1,16}(?:的同时|前提下|基础上))"
)
# How the bodies of a subject are joined: A及B / A和B / A与B give A; A、B gives A when A is a
# body's full name, and the whole phrase when they share one head (建设、施工单位,
# 市、县两级指挥部) or close with 等部门.
_AND = re.compile(r"以及|及|和|与|会同")
_SUBJECT_PHRASE = re.compile(r"^[\u4e00-\u9fff“”\"A-Za-z0-9+()—、]{1,50}$")
_SPEAKER = re.compile(r"要求|强调|指出|提出|表示|认为|介绍|汇报|通报")


_OPENS_DIRECTIVE = re.compile(r"^(?:要|务必|必须|须|应|负责|牵头)")
_ONE_UNIT = r"[\u4e00-\u9fff]{1,20}?(?:" + lx.UNIT_SUFFIX_RE + r")"
_UNIT_SHARE = re.compile(r"^(?:其中)?(?P<unit>" + _ONE_UNIT + r")(?=涉及|承担|辖区内|所辖)")
_UNIT_LIST = re.compile(r"^(?P<unit>" + _ONE_UNIT + r")(?:(?:、|和|及)" + _ONE_UNIT + r")+$")


def _subject_unit(text: str) -> tuple[int, int] | None:
    """The unit a clause opens with, as ``(start, end)`` in ``text``, or None."""
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    asked = _ASKED.match(text)
    if (
        asked
        and asked["speaker"]
        and (_is_unit_name(asked["speaker"]) is False and re.search(r"[要将,]", asked["speaker"]))
    ):
        asked = None
    if asked:
        start = max(start, asked.end())
        # 请都更中心汇整资料: after 请 the body needs no directive of its own; a suffix inside a
        # word (请加速办理, 请张主秘邀集相关科室) is none.
        name = ""
        for end in range(start + 2, min(len(text), start + 12) + 1):
            candidate = text[start:end]
            if (
                re.fullmatch(r"[\u4e00-\u9fff“”()]+", candidate)
                and re.match(_WORD_GOES_ON, text[end:])
                and _is_unit_name(candidate)
            ):
                name = candidate  # the shortest body: 都市规划科, not 都市
                break
        longer = re.match(r"(?:" + lx.UNIT_SUFFIX_RE + r")", text[start + len(name) :])
        if name and longer:
            name += longer.group()  # 镇 + 政府: the body is 镇政府
        rest = text[start + len(name) :]
        if (
            name
            and _is_unit_name(name)
            and not _UNIT_BAD_START.match(name)
            and not re.search(r"[再邀安排加速协助]", name)
            and not _ONLY_COMPLY.match(rest)
            and not re.match("(?:" + "|".join(lx.PROJECT_SUFFIXES) + ")", rest)
        ):
            return start, start + len(name)
    end_m = _SUBJECT_END.search(text, start)
    if not end_m or end_m.start() == start:
        return None
    if _SPEAKER.match(text, end_m.start()) or text.startswith("要求", end_m.start()):
        return None  # 水利厅要求…: who speaks, not who acts
    phrase = text[start : end_m.start()]
    phrase = re.sub(r"(?:成员|负责人|主要负责同志|负责同志)$", "", phrase)
    if not _SUBJECT_PHRASE.match(phrase) or not re.search(
        r"(?:" + lx.UNIT_SUFFIX_RE + r"|单位|部门)$", phrase
    ):
        return None
    first = phrase
    for joint in _AND.finditer(phrase):
        if _is_unit_name(phrase[: joint.start()].split("、")[-1]):
            first = phrase[: joint.start()]  # 自然资源和规划局 is one body, 住建局和交通局 two
            break
    listed = "、" in first and re.search(r"等[\u4e00-\u9fff]{0,4}(?:部门|单位)$", first)
    if "、" in first and not listed:
        head = first.split("、", 1)[0]
        if len(head) > 1 and _is_unit_name(head):
            first = head  # 住建局、交通局: the first; 市、县两级指挥部: one head shared
    unit = first
    if not (_is_unit_name(unit) or (listed and not lx.EVERYONE.match(unit))):
        return None
    if _UNIT_BAD_START.match(unit) or re.search(r"[要将]", unit[:-1]):
        return None
    return start, start + len(unit)


_BY_UNIT = re.compile(
    r"由(?P<unit>[\u4e00-\u9fff“”\"A-Za-z0-9+]{2,24}?(?:" + lx.UNIT_SUFFIX_RE + r"))"
    r"(?:(?:和|、|及|会同)[\u4e00-\u9fff]{1,15}?)?"
    r"(?:牵头|负责|主抓|落实|承办|实施|抓紧|尽快|立即|会同)"
)
# A project that a unit's own name carries: 贵溪洋路网建设——规划二路项目部.
_UNIT_OF_PROJECT = re.compile(r"^(?P<project>.{4,40}?)(?:项目部|项目指挥部|工程指挥部|指挥部)$")
# A project quoted by name: 「金门自来水智慧型水网计画」, “城东污水处理厂二期工程”.
_QUOTED_PROJECT = re.compile(r"“(?P<name>[^”]{5,30}(?:项目|工程|计划|计画))”")
_SUBJECT_BEFORE = re.compile(
    r"^(?P<subject>[^,:]{2,60}?)(?=由[\u4e00-\u9fff“”]{2,24}?(?:牵头|负责|主抓)|要|务必|必须|力争|确保"
    r"|请(?!示))"
)
_WEAK_PROJECT = re.compile(r"“[^”]{1,12}”(?:重点项目|重大项目|项目|工程|行动计划)")
# What closes an enumeration of projects: 等项目, 等三个项目, 等一批项目, 等重大工程项目.
_LIST_END = re.compile(
    r"等(?:[0-9一二三四五六七八九十两]+个|一批|多个)?(?:重点|重大|重大工程|工程|产业|续建|新建)?项目"
    r"|等标案"
)
_THIS_PROJECT = re.compile(r"^(?:至于)?(?:该|此|这个|上述)(?:项目|工程|计划|计画)")
# A clause that only names the project the rest of its sentence is about.
_TOPIC_CLAUSE = re.compile(r"^(?:对于|针对|关于)(?P<name>[^,:;。]{3,40})$")
# The places a leader visits are named after these: 深入A、B等项目现场, 先后来到A、B.
_VISIT = re.compile(r"深入|来到|前往|先后到|先后赴|察看|视察|调研|督导|督察|督查|走访")
_LIST_SPLIT = re.compile(r"、|(?<=.)和(?![平谐美])|(?<=.)及(?!时)|以及")
_QUANTITY = re.compile(r"^[0-9一二三四五六七八九十两百千]+[个条座家项处批]?$")
_LEADING_VERB = re.compile(r"^(?:" + lx.ACTION_VERB_RE + r")+")
_ADVERBS = re.compile(
    r"^(?:要|并|另|同时|当前|特别是|尤其是|积极|持续|扎实|着力|大力|努力|切实|确保|力争|务必|进一步"
    r"|重点|全力|快速)+"
)
# After the 项目 that closes a project list, only these may follow in the clause.
_AFTER_PROJECT_LIST = re.compile(
    r"^(?:建设|的建设)?$|^\([^()]{1,8}\)$|^(?:要|由|务必|必须|力争|确保|争取)"
    r"|^(?:前期)?(?:的)?(?:各项)?(?:审批)?手续|^前期工作"
)
_UNIT_BAD_START = re.compile(
    r"^(?:按照|根据|通过|围绕|对接|对|为|在|把|将|从|向|以|就|经|与|加强|积极|主动|强化|全力|加快"
    r"|今年|明年|目前|当前)"
)


def _is_unit_name(name: str) -> bool:
    return (
        bool(re.search(r"(?:" + lx.UNIT_SUFFIX_RE + r")$", name))
        and not lx.EVERYONE.match(name)
        and not re.search(r"了|会议|传达|参加|陪同|按照|根据|通过|手续|问题|情况", name)
        and not re.search(r"(?:出|之|好|住|到|此|难|用|长|短|益|何|深|远|近)处$", name)
        and not re.search(r"(?:片|景|小|校|厂|街|城)区$", name)  # a place, not a district
    )


def _is_specific(name: str) -> bool:
    """Does ``name`` name one project, rather than a kind of project?"""
    if len(name) < 3 or len(name) > 40:
        return False
    if lx.EVERYONE.match(name) or re.match(
        r"^(?:一批|一些|部分|全部|所有|各类|各个|这些|多个)", name
    ):
        return False
    if any(word in re.sub(r"提[升质]改造", "改造", name) for word in lx.NOT_IN_NAMES):
        return False
    if re.search(r"等(?:基础设施|工作|要素|手续|问题|方面|事项|领域|行业|产业)$", name):
        return False
    if re.search(r"(?:重点|重大|省市重点|十大|在建|新建|续建|一批)$", name) or "“" in name:
        return False
    if re.search(r"(?:任务|工作|问题|目标)$", name):
        return False  # 3个街道拆除任务: a task, not what it is done on
    if re.search(r"\D\d+个", name):
        return False  # 星光大道建设1个工业项目: a count after a name (29个老旧小区改造 is one)
    if re.search(r"\d|[A-Za-z]", name):
        return True
    rest = name
    for word in sorted(lx.GENERIC_WORDS, key=len, reverse=True):
        rest = rest.replace(word, "")
    rest = re.sub(r"[()“”\s]", "", rest)
    return len(rest) >= 2 and not _QUANTITY.match(rest)


def _is_specific_short(name: str) -> bool:
    """In an explicit enumeration (A、B、C等一批项目) two characters can name a project."""
    if len(name) == 2 and not _QUANTITY.match(name) and name not in lx.GENERIC_WORDS:
        return not lx.EVERYONE.match(name)
    return _is_specific(name)


def _looks_named(name: str) -> bool:
    """A verb's object is a project only if it ends like one (路, 园, 改造 ...) or has digits."""
    return bool(
        re.search(r"\d|[A-Za-z]", name)
        or re.search("(?:" + "|".join(lx.PROJECT_SUFFIXES) + r")(?:\(.{1,4}\))?(?:建设)?$", name)
    )


def _clean_item(item: str, keep_project_word: bool) -> str:
    item = item.strip(' “”"')
    item = re.sub(r"等$", "", item)
    if not keep_project_word:
        item = re.sub(r"(?<!扩建|迁建|新建|改建|续建)项目$", "", item)
    return item.strip()


def _split_items(phrase: str) -> list[str]:
    """``A、B和C等三个项目`` → [A, B, C]; ``X等7条道路和管网`` stays whole."""
    phrase = re.sub(_LIST_END.pattern + "$", "", phrase)
    phrase = re.sub(r"(?:建设)?\(含[^)]*\)(?=、|$)", "", phrase)
    phrase = re.sub(r"等?[0-9一二三四五六七八九十两]+个项目$|等项目$|等$", "", phrase)
    phrase = re.sub(
        r"(?:的)?(?:规划建设|建设进度|施工进度|进度|建设|前期准备|前期工作|的十字连接)$", "", phrase
    )
    if re.search(r"等\d+[条个座处项]", phrase):
        return [phrase]
    parts = [p for p in _LIST_SPLIT.split(phrase) if p]
    each_has_word = len(parts) > 1 and all(p.endswith("项目") for p in parts)
    return [_clean_item(p, each_has_word) for p in parts]


def _projects_in(clause: str) -> list[str]:
    """Named projects that a clause gives an action to."""
    text = _ADVERBS.sub("", clause)
    text = re.sub(r"等(?:标案|案件)$", "等项目", text)  # 台湾: A、B等标案
    # 1. A list closed by 项目: 加快推进A、B等项目 / A项目、B项目 / A、B等三个项目建设.
    for m in re.finditer("项目", text):
        listed = _LIST_END.search(text, 0, m.end())
        enumerated = listed is not None and listed.end() == m.end()
        if not enumerated and not _AFTER_PROJECT_LIST.match(text[m.end() :]):
            continue
        if _VISIT.search(text, 0, m.start()):
            break  # 深入A、B等项目现场调研: an itinerary, not an instruction
        end = m.end()
        phase = re.match(r"\([^()]{1,8}\)$", text[end:])  # 中关村科技园项目(一期)
        if phase:
            end += phase.end()
        body = _LEADING_VERB.sub("", text[:end])
        verb = body != text[:end]
        if not verb and not enumerated and end < len(text):
            break  # 全周期、多方位、分层面管控项目…: no verb, no enumeration, not a topic
        items = _split_items(body)
        if not items:
            break
        if (
            not verb
            and not enumerated
            and not (all(_looks_named(i) for i in items) or text.count("项目") == len(items) > 1)
        ):
            whole = _clean_item(body, bool(phase))
            if len(items) > 1 and _is_specific(whole) and "、" not in whole:
                return [whole]  # one name holding 和: 绿色印刷和环保版材产业化项目
            break  # 聚精会神抓项目: a topic list must hold names
        specific = _is_specific_short if enumerated else _is_specific
        if all(specific(i) for i in items):
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


def _visited(clause: str) -> list[str]:
    """The named projects a leader visits in this clause: 对A项目、B项目进行了实地走访."""
    m = re.search(
        r"(?:对|到|赴|深入|来到|前往)(?P<list>[^,:]{4,120}?项目)(?:现场)?(?:进行了?)?(?:实地)?"
        r"(?:走访|调研|督导|督查|察看|视察|检查)",
        clause,
    )
    if not m:
        return []
    items = _split_items(m["list"])
    named = [i for i in items if _is_specific(i)]
    return named if len(named) == len(items) and len(named) > 1 else []


def _subject_projects(clause: str) -> list[str]:
    """A named project as the subject: 滨河湾二期务必... / A、B项目由园区办负责."""
    m = _SUBJECT_BEFORE.match(clause)
    if not m:
        return []
    subject = _ADVERBS.sub("", re.sub(r"^(?:要求|强调|叮嘱)", "", m["subject"]))
    subject = re.sub(r"(?:一定|都|也)$", "", subject)
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
        if named and len(items) > 1 and "、" in subject:
            return items  # A基地、B社宅: a list of parallel names, one of them plainly a project
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
    # The clause is nothing but bodies: "管理局、大龙山镇," before "特别是…社区要…".
    only_units: bool = False
    # The unit is followed by its directive (X要, X应, X负责, 请X): an instruction as read.
    directed: bool = False


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


def _listed_projects(analysis: str) -> list[str]:
    """Projects a text names in a list (A项目、B项目…): its short forms are recognised later."""
    names = []
    for m in re.finditer(
        r"(?:^|[、,:;。]|先后到|先后赴|到|来到)(?P<name>[^,。、;:\s“”]{4,30}?)项目(?=[、,和及]|现场|工地)",
        analysis,
    ):
        if _is_specific(m["name"]) and not _NOT_A_SUBJECT.search(m["name"]):
            names.append(m["name"])
    return names


def _short_form(clause: str, listed: list[str]) -> list[str]:
    """悦达奥特莱斯要…, after 悦达奥特莱斯国际商务社区项目 was listed: that project, as written."""
    m = _SUBJECT_BEFORE.match(clause)
    if not m or not listed:
        return []
    subject = _ADVERBS.sub("", m["subject"])
    if len(subject) >= 4 and not _is_unit_name(subject):
        if any(name.startswith(subject) and name != subject for name in listed):
            return [subject]
    return []


def _read(
    clause: Clause,
    meeting: date,
    known_projects: list[str] | None = None,
    listed: list[str] | None = None,
) -> _Reading:
    r = _Reading(clause)
    text = clause.text
    m = _BY_UNIT.search(text)
    if m and _is_unit_name(m["unit"]):
        r.unit = m["unit"]
        r.unit_span = (clause.start + m.start("unit"), clause.start + m.end("unit"))
    else:
        found = _subject_unit(text)
        if found:
            r.unit = text[found[0] : found[1]]
            r.unit_span = (clause.start + found[0], clause.start + found[1])
            r.directed = True
    if not r.unit:
        # 其中乐成街道涉及216户…,要求8月底完成: the body whose share the sentence is about.
        share = _UNIT_SHARE.match(text)
        if share and _is_unit_name(share["unit"]) and not _UNIT_BAD_START.match(share["unit"]):
            r.unit = share["unit"]
            r.unit_span = (clause.start + share.start("unit"), clause.start + share.end("unit"))
    if not r.unit:
        bodies = _UNIT_LIST.match(text)
        items = re.split("、|和|及", text)
        if (
            bodies
            and all(_is_unit_name(u) and not _UNIT_BAD_START.match(u) for u in items)
            and not re.search(r"对接|协调|联系|配合|会同|参加|陪同", text)
        ):
            r.unit, r.only_units = bodies["unit"], True
            r.unit_span = (clause.start + bodies.start("unit"), clause.start + bodies.end("unit"))
    r.this_project = bool(_THIS_PROJECT.match(text))
    topic = _TOPIC_CLAUSE.match(text)
    if topic and not r.unit:
        name = re.sub(r"(?<!扩建|迁建|新建|改建|续建)项目$", "", topic["name"])
        if _is_specific(name) and (_looks_named(name) or topic["name"] != name):
            r.projects = [name]  # 对于X工程,…: what follows in the sentence is X's
            r.unit = None
    if not r.this_project and not r.projects:
        rest = text
        if r.unit and r.unit_span and not _BY_UNIT.search(text):
            rest = text[r.unit_span[1] - clause.start :]
            rest = re.sub(r"^(?:和[^要]{1,15}?)?" + _DIRECTIVE_AFTER_SUBJECT + "+", "", rest)
        r.projects = _subject_projects(text) or _projects_in(rest)
        if not r.projects and not r.unit and listed:
            r.projects = _short_form(text, listed)
        if not r.projects and known_projects:
            r.projects = _known_in(text, known_projects)
        if not r.projects:
            quoted = _QUOTED_PROJECT.search(text)
            if quoted and not _VISIT.search(text):
                r.projects = [quoted["name"]]
        if not r.projects:
            # 完善《新盈胶厂集中居住点建设项目建筑方案设计文本》: the project a paper is for.
            paper = re.search(r"《(?P<name>[^》]{3,30}?)项目[^》]{2,20}》", text)
            if paper and _is_specific(paper["name"]) and not _NOT_A_SUBJECT.search(paper["name"]):
                r.projects = [paper["name"]]
        if not r.projects and r.unit:
            owner = _UNIT_OF_PROJECT.match(r.unit)
            if owner and _is_specific(owner["project"]) and _looks_named(owner["project"]):
                r.projects = [owner["project"]]
        if r.unit and r.projects and r.unit in r.projects:
            r.projects.remove(r.unit)
    r.deadlines = [
        Deadline(clause.start + d.start, clause.start + d.end, d.date)
        for d in _deadlines(text, meeting)
    ]
    return r


# A date written as a limit (…前, …底) in an instruction is a deadline even when it is past
# or the meeting's own day: a bulletin of July checks what was due "6月底", a meeting asks for
# papers "2月9日下午下班前" the same day. Other dates up to the meeting are the meeting itself
# or history.
_BEFORE = re.compile(r"(?:前|之前|以前)$")
_END_OF = re.compile(r"(?:底|末)$")
_HISTORY = re.compile(r"已|截至|截止|以来|了")


def _deadlines(text: str, meeting: date) -> list[Deadline]:
    def counts(d: Deadline) -> bool:
        if d.date > meeting:
            return True
        written = text[d.start : d.end]
        if _HISTORY.search(text):
            return False
        return bool(_BEFORE.search(written) or (_END_OF.search(written) and _has_directive(text)))

    return [d for d in find_deadlines(text, meeting) if counts(d)]


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
    subject_joined: bool = False  # bodies named alone, then their instruction

    @property
    def start(self) -> int:
        return self.readings[0].clause.start

    @property
    def end(self) -> int:
        return self.readings[-1].clause.end

    def text(self, analysis: str) -> str:
        return analysis[self.start : self.end]


# 要 inside another word is no directive: 主要, 重要, 需要, 纪要, 要素, 要点 …
_NOT_YAO = re.compile(r"(?<=[主重需只纪摘概提简扼必首将])要|要(?=素|点|件|害|闻|道)")


def _has_directive(text: str) -> bool:
    text = _NOT_YAO.sub("", text)
    return any(word in text for word in lx.DIRECTIVES)


def _has_action(text: str) -> bool:
    return any(word in text for word in lx.CONCRETE_ACTIONS)


# A body named with its part in the task: 由X牵头, X负责, X配合, 会同X.
_ROLE = re.compile(
    r"(?:并|同时)?(?:由|请|交由|会同)?(?P<who>[\u4e00-\u9fff“”()]{2,24}?(?:"
    + lx.UNIT_SUFFIX_RE
    + r"))(?:和|、|及)?(?:具体)?(?:牵头|负责|配合|协助|主抓|落实|承办)(?:落实|办理)?"
)
_LEAD_WORDS = re.compile(
    r"^(?:会议|同时|并|还|也|另外|此外)?(?:强调|要求|叮嘱|明确|指出|提出|责成|督促)?"
    r"(?:项目)?(?:要|务必|必须|须|需|应|确保|力争|争取|尽快|抓紧|一定要|和责任单位要)*"
)


def _content(group: _Group, analysis: str) -> str:
    """The task as a person would write it: the action and its object, nothing else.

    The owner, the date and the projects have their own fields; what is left of the clause
    is the action, without the words that only tied them together (由…负责, 于…前, 要).
    """
    text = group.text(analysis)
    if group.deadline:
        written = re.escape(analysis[group.deadline.start : group.deadline.end])
        text = re.sub(r"(?:于|在|到|至)?\s*" + written + r"(?:前|之前|以前)?", "", text)
    text = _ROLE.sub("", text)
    for name in sorted(filter(None, [group.unit, *group.projects]), key=len, reverse=True):
        text = text.replace(name, "")
    # What is left of a list of projects once its names are gone: "、、等三个项目".
    text = re.sub(r"^[、和及]*(?:" + _LIST_END.pattern + r"|项目)?(?:建设)?", "", text)
    text = re.sub(r"[、和及]*(?:" + _LIST_END.pattern + r")", "", text)
    parts = [_LEAD_WORDS.sub("", p.strip(" 、:")) for p in re.split(r"[,;]", text)]
    parts = [
        p
        for p in parts
        if p
        and not re.fullmatch(r"[于在由的和及、]+", p)
        and not re.fullmatch(r"[\u4e00-\u9fff]{0,8}(?:强调|要求|指出|叮嘱|表示|提出)", p)
    ]
    text = ",".join(parts)
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"^(?:于|在|由)|(?:于|在|由|负责|牵头)$", "", text)
    return text.strip(",、:") or group.text(analysis)


def _split_double_deadlines(clause: Clause, analysis: str, meeting: date) -> list[Clause]:
    """``A上半年全部开工、B9月底前大头落地``: one clause per deadline."""
    found = _deadlines(clause.text, meeting)
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


_VISIT_ONE = re.compile(
    r"(?:来到|来的|到|赴|前往|深入)(?P<name>[^,。、;:\s“”]{3,30}?项目)(?:建设)?(?:现场|工地|施工现场)"
)


def _context_project(paragraph: str) -> str | None:
    """The project a paragraph is about, when it opens with one (inspection reports)."""
    first = re.split(r"[,。;]", paragraph.strip(), maxsplit=1)[0]
    m = re.match(
        r"^(?:在)?(?P<name>[\u4e00-\u9fff“”A-Za-z0-9()]{4,40}(?:项目|工程|一期|二期|三期|基地|产业园|新城|段))",
        first,
    )
    if not m:
        # 在陈景润实验小学富兴校区,…: a paragraph opening at a named site.
        m = re.fullmatch(r"在(?P<name>[\u4e00-\u9fff“”A-Za-z0-9()]{3,30})", first)
        if m and (not _looks_named(m["name"]) or _is_unit_name(m["name"])):
            m = None
    if not m:
        # 随后,一行来到苍梧新华苑项目现场,…: a paragraph that visits one named project.
        opening = re.split(r"[。;]", paragraph.strip(), maxsplit=1)[0]
        visits = [
            v
            for v in _VISIT_ONE.finditer(opening)
            if _is_specific(re.sub(r"项目$", "", v["name"]))
            and not _NOT_A_SUBJECT.search(v["name"])
        ]
        m = visits[0] if len(visits) == 1 else None
    if not m:
        return None
    name = m["name"]
    name = re.sub(r"(?<!扩建|迁建|新建|改建|续建)项目$", "", name)
    return name if _is_specific(name) and not _NOT_A_SUBJECT.search(name) else None


# A clause that only names who answers for what came before it.
_OWNER_AFTER = re.compile(
    r"^(?:并)?(?:由|请|交由)[^，,。；;]{2,30}?(?:牵头|负责|落实|承办|办理|督办)"
)


def _referent(last_project: list[str]) -> list[str]:
    """What 该项目 refers to: the one project last named (none when a list was)."""
    return list(last_project) if len(last_project) == 1 else []


def _groups(
    sentence: tuple[int, int],
    analysis: str,
    meeting: date,
    last_project: list[str],
    known_projects: list[str] | None = None,
    listed: list[str] | None = None,
) -> list[_Group]:
    s, e = sentence
    clauses: list[Clause] = []
    for clause in _clauses(analysis, s, e):
        clauses.extend(_split_double_deadlines(clause, analysis, meeting))
    readings = [_read(c, meeting, known_projects, listed) for c in clauses]
    groups: list[_Group] = []
    current: _Group | None = None
    pending: _Reading | None = None  # "12月底以前," waiting for the task it dates
    visited: list[str] = []  # "对A项目、B项目进行了实地走访,…,要求…": asked of those visited
    for r in readings:
        anchor = bool(r.unit or r.projects or r.this_project)
        if not visited:
            visited = _visited(r.clause.text)
        elif not anchor and current is None and _has_directive(r.clause.text):
            current = _Group([r], projects=list(visited))
            groups.append(current)
            if r.deadlines:
                current.deadline = r.deadlines[0]
            continue
        if (
            not anchor
            and current is None
            and len(r.deadlines) == 1
            and len(r.clause.text) - (r.deadlines[0].end - r.deadlines[0].start) <= 2
        ):
            pending = r
            continue
        if pending is not None:
            if anchor:
                r_group = _Group([pending])
                r_group.deadline = pending.deadlines[0]
                current = r_group
                groups.append(current)
                current.readings.append(r)
                current.projects = _referent(last_project) if r.this_project else r.projects
                current.unit = r.unit
                if r.projects:
                    last_project[:] = r.projects
                if r.deadlines and current.deadline is None:
                    current.deadline = r.deadlines[0]
                pending = None
                continue
            current = _Group([pending])
            current.deadline = pending.deadlines[0]
            groups.append(current)
            pending = None
        if anchor:
            projects = _referent(last_project) if r.this_project else r.projects
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
            # The owner first, then what it acts on: "园区办要专人督办,重点完成A、B、C".
            if (
                current is not None
                and current.unit
                and not current.projects
                and r.projects
                and not r.unit
                and not r.this_project
            ):
                current.readings.append(r)
                current.projects = list(r.projects)
                last_project[:] = r.projects
                if r.deadlines and current.deadline is None:
                    current.deadline = r.deadlines[0]
                continue
            # Bodies named in a clause of their own, then what they must do: the first owns it.
            if (
                current is not None
                and len(current.readings) == 1
                and current.readings[0].only_units
                and ((r.unit and not r.only_units) or _OPENS_DIRECTIVE.match(r.clause.text))
            ):
                current.readings.append(r)
                current.projects = current.projects or projects
                current.subject_joined = True
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
    if pending is not None:
        current = _Group([pending])
        current.deadline = pending.deadlines[0]
        groups.append(current)
    # "各街道办事处要主动沟通…,对争议区域在下周三前进行划分": the instruction starts with the
    # sentence, before its date, when nothing before the date names an owner or a project.
    if groups and not groups[0].unit and not groups[0].projects and groups[0].deadline:
        before = [r for r in readings if r.clause.end <= groups[0].start]
        if (
            0 < len(before) <= 2
            and not any(r.unit or r.projects for r in before)
            and _has_directive(before[0].clause.text)
        ):
            groups[0].readings[:0] = before
    return groups


_BOILERPLATE = re.compile(r"转载|版权|声明|责任编辑|原文出处|免责")
# 请 asking someone to act (not 申请, 邀请, 请示 …).
_ASKS = re.compile(r"(?<![申邀提报聘])请(?!示|假|求)")
_STRONG_DIRECTIVE = re.compile(r"要|务必|必须|确保|力争|要求|须|需尽快|应")


# A pledge of the speaker's own body: "…分别做了表态发言,一定…确保…", "高陵区表示,将…".
_PLEDGE = re.compile(r"表态|[作做]出承诺|公开承诺|表示[,:]?[^,]{0,20}将")
_SAYS = re.compile(r"表示|表态")


def _is_task(group: _Group, sentence_text: str, analysis: str) -> bool:
    text = group.text(analysis)
    if _PLEDGE.search(analysis[_sentence_start(group, analysis, sentence_text) : group.end]):
        return False
    if group.readings[0].only_units and not group.subject_joined:
        return False  # 解放区、山阳区…,分别汇报…: bodies listed, nothing asked of them
    if _SAYS.search(sentence_text) and "将" in text and not _STRONG_DIRECTIVE.search(text):
        return False  # 黄业文表示,…,琼山区政府将努力…: a pledge
    if lx.REPORTING.search(sentence_text) and not _has_directive(sentence_text):
        return False
    if re.match(r"^(?:下一步|下步)", sentence_text) and not _STRONG_DIRECTIVE.search(sentence_text):
        return False  # a plan the unit reports about itself
    if group.readings[0].this_project and not (_has_directive(text) or _ASKS.search(text)):
        return False  # 该项目建设规划用地面积…: a description
    if group.unit and re.search(r"每天|每日|每周|每旬|每月", text) and not group.deadline:
        return False  # a routine, not a task
    if _BOILERPLATE.search(sentence_text):
        return False  # 转载请附上原文出处: the page, not the meeting
    if (
        group.deadline
        and re.search(
            r"(?:计划|预计|拟)[^,]{0,6}$",
            analysis[group.readings[0].clause.start : group.deadline.start],
        )
        and not _has_directive(text)
    ):
        return False  # 计划12月28日开业: a plan reported
    if group.inherited_from is not None:
        return _has_directive(sentence_text) or _has_action(text)
    if group.unit:
        asked = any(_ASKED.match(r.clause.text) or r.directed for r in group.readings)
        return bool(
            asked or _has_directive(text) or "将" in text or _has_directive(sentence_text[:4])
        )
    if group.deadline:
        return _has_directive(sentence_text) or _has_action(text)
    if group.projects:
        if _ASKS.search(text):
            return True  # 广慈C基地请安排会勘: asked outright
        return _has_action(text) and not re.search(r"已|正在|(?<!项)目前", text)
    return False


def _sentence_start(group: _Group, analysis: str, sentence_text: str) -> int:
    at = analysis.rfind(sentence_text, 0, group.end)
    return at if 0 <= at <= group.start else group.start


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
    subject = _text_subject(analysis)
    listed = _listed_projects(analysis)
    for number, (p_start, p_end) in enumerate(_paragraphs(analysis)):
        context = _context_project(analysis[p_start:p_end])
        if context:
            last_project[:] = [context]
        if number < 3 and _is_headline(analysis[p_start:p_end]):
            continue  # the title and subtitle repeat what the text says
        context_used = False
        item = False  # a numbered item of minutes headed by its project: "1、旅游职专:…"
        paragraph_drafts = len(drafts)
        for sentence in _sentences(analysis, p_start, p_end):
            sentence_text = analysis[sentence[0] : sentence[1]]
            owner = _OWNER_LINE.match(sentence_text)
            if owner:
                # "责任单位:高新区。" after an item's requirement: the owner of that item.
                at = sentence[0]
                ua, ub = norm.span(at + owner.start("unit"), at + owner.end("unit"))
                for draft in drafts[paragraph_drafts:]:
                    draft.unit = draft.unit or norm.original[ua:ub]
                continue
            topic = _TOPIC.match(sentence_text)
            if topic and _is_specific(topic["name"]):
                context = re.sub(r"(?<!扩建|迁建|新建|改建|续建)项目$", "", topic["name"])
                context_used = True  # a heading gives a project, not an instruction
                last_project[:] = [context]
            if _is_heading(analysis, p_start, sentence) and not _TOPIC.match(sentence_text):
                named = _projects_in(
                    _ADVERBS.sub("", re.sub(r"^要?千方百计|^要", "", sentence_text))
                )
                context = named[0] if len(named) == 1 else None
                context_used = False
                last_project[:] = named
                continue
            discussed = [
                m["name"]
                for m in _DISCUSSED.finditer(sentence_text)
                if not re.match(r"[^,。]*、", sentence_text[m.end() :])  # one topic, not a list
                and not re.match(
                    r"(?:建设)?(?:领导小组|办公室|指挥部|公司|部)", sentence_text[m.end() :]
                )
                and not _is_unit_name(m["name"])
                and not re.search(r"公司|集团", m["name"])
            ]
            if len(set(discussed)) == 1 and _is_specific(discussed[0]):
                # 二是研究讨论了X项目…工作。陈健要求,…: the item is about X.
                context, context_used = discussed[0], False
                last_project[:] = [context]
            heading = _ITEM_TOPIC.match(sentence_text)
            numbered = _NUMBERED_ITEM.match(analysis, p_start, sentence[0] + 1)
            if heading and numbered and _is_item_name(heading["name"]):
                context = re.sub(r"(?<!扩建|迁建|新建|改建|续建)项目$", "", heading["name"])
                context_used, item = False, True
                last_project[:] = [context]
            groups = _groups(sentence, analysis, meeting_date, last_project, known_projects, listed)
            tasks = [g for g in groups if _is_task(g, sentence_text, analysis)]
            if item and context:
                # Every instruction of the item is its project's: the first one may have no
                # owner or date of its own ("会议要求抓紧办理前期手续").
                first = _context_task(sentence, analysis, meeting_date)
                if first and (not tasks or first[0].start < tasks[0].start):
                    head = first[0]
                    if tasks:
                        head.readings = [r for r in head.readings if r.clause.end <= tasks[0].start]
                    if head.readings and tasks and len(head.readings) <= 2:
                        tasks[0].readings[:0] = head.readings  # one instruction: "…,力争年内开工"
                    elif head.readings:
                        tasks.insert(0, head)
            elif context and not tasks and not context_used:
                tasks = _context_task(sentence, analysis, meeting_date)
            elif (
                subject
                and not context
                and not tasks
                and not _names_other(sentence_text, subject)
                and not re.search(r"各[\u4e00-\u9fff]{0,6}(?:单位|部门)", sentence_text)
            ):
                found = _context_task(sentence, analysis, meeting_date)
                if not found and _OUTLINE.match(analysis, _outline_start(analysis, sentence[0])):
                    found = [_Group([_Reading(c) for c in _clauses(analysis, *sentence)])]
                tasks = [g for g in found if _STRONG_ACTION.search(g.text(analysis))]
            for group in tasks:
                projects = group.projects or ([context] if context else [])
                if not projects and subject:
                    projects = [subject]
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


# What an item of minutes discussed or heard: 研究讨论了X项目“三区三线”划定工作.
_DISCUSSED = re.compile(
    r"(?:研究讨论了|研究了|讨论了|听取了)(?P<name>[^,。、;:\s“”《》]{3,30}?)(?:综合开发)?项目"
)

# The owner of a bulletin's item, on a line of its own: "责任单位:高新区".
_OWNER_LINE = re.compile(
    r"^(?:责任|牵头|主责|承办|实施)(?:单位|部门)[::]\s*(?P<unit>[^,;。:]{2,40}?)\s*$"
)

# A numbered item of minutes that names its project before a colon: "旅游职专:会议要求…".
_NUMBERED_ITEM = re.compile(r"\s*(?:\d{1,2}[、.]|\(\d{1,2}\))\s*")
_ITEM_TOPIC = re.compile(r"^(?P<name>[^,:;。、\s]{2,24}):")
_NOT_ITEM = re.compile(r"会议|要求|强调|指出|表示|认为|方面|内容|情况|问题|意见|精神|工作|措施")

# Actions a text's single project is given, concrete enough to be a task on their own.
_STRONG_ACTION = re.compile(
    r"开工|动工|封顶|竣工|完工|建成|投产|投用|通车|进驻|入驻|搬迁|征拆|拆迁|征迁|移交|交付|验收"
    r"|完成|办理|确定|启动|清表|蓄水|送电|收尾|方案|成立|组建"
)
# The one project a text is about, named in its lead: a visit to its site, its own meeting.
_SUBJECT_PATTERNS = (
    re.compile(
        r"(?:深入|来到|前往|到|赴)(?P<name>[^,。、;:\s]{1,30}?(?:项目|工程|大道|路|站|厂|园|库|标))"
        r"(?:建设)?(?:工地|现场|施工现场|进行调度|调度)"
    ),
    re.compile(
        r"(?P<name>[^,。、;:\s]{3,30}?(?:项目|工程|标))(?:项目)?(?:指挥部|项目部)?(?:召开|组织召开)"
    ),
    re.compile(r"调度(?!会)(?:推进)?(?P<name>[^,。、;:\s]{3,30}?(?:项目|工程))"),
    re.compile(
        r"(?m)(?:^|日,)(?P<name>[^,。、;:\s]{3,30}?(?:项目|工程|标))(?:首次)?(?:月)?(?:生产)?"
        r"(?:调度会|协调会|推进会|专题会)"
    ),
    # The meeting held on it, the site visited: 召开X项目建设推进会, 调研X工程, 到X现场办公,
    # 赴X项目进行调研, 深入X项目全线开展调研.
    # (a lookahead, so that 在X会议室召开Y推进会 finds Y after the X it rejects)
    re.compile(
        r"(?=(?:召开(?:的)?|调研|督导|督查|视察|考察|到|赴|深入|前往|来到|在)"
        r"(?P<name>[^,。、;:\s“”]{2,40}?)(?P<kind>项目|工程|重点项目)?(?:\([^()]{1,20}\))?"
        r"(?:建设)?(?:项目|工程)?"
        r"(?:(?:全线|现场|工地|施工现场|一线)?(?:开展|进行)?(?:调研|督导|督查|视察|检查|办公|调度)"
        r"|(?:工作|现场|征地|征迁|征拆|建设|专题|第[一二三四五六七八九十]+次)*"
        r"(?:推进会|调度会|协调会|专题会|办公会|现场会|座谈会|例会|会议(?!室))))"
    ),
    # 调研03省道东复线高架南延工程。: the object of a visit, named as a project.
    re.compile(
        r"(?:调研|督导|督查|视察|考察|察看)(?P<name>[^,。、;:\s“”]{2,40}?(?:项目|工程))"
        r"(?:建设)?(?:情况|进展|进度|工作)?(?=[,。;])"
    ),
)
# The patterns above that find a name by what surrounds it, not by how it ends.
_LOOSE_SUBJECT = 4
_NOT_A_SUBJECT = re.compile(
    r"召开|主持|会议|参加|陪同|一行|带队|带领|率队|先后|分别|暨|\s|重点项目|第[0-9一二三四五六七八九十]+次|"
    r"^项目|工作|防控|" + _VISIT.pattern
)


def _is_headline(paragraph: str) -> bool:
    """A title line: short, no punctuation of a sentence (加快进度 确保年内开工建设)."""
    return len(paragraph.strip()) <= 40 and not re.search(r"[,。;:!?、]", paragraph)


def _is_heading(analysis: str, p_start: int, sentence: tuple[int, int]) -> bool:
    """A short section title after 一、 二、 … that ends at its full stop: "二、加快景观改造。"."""
    s, e = sentence
    marker = analysis.rfind("、", max(p_start, s - 3), s)
    if marker < 0 or not re.fullmatch(
        r"\s*[一二三四五六七八九十]{1,2}", analysis[max(p_start, marker - 2) : marker]
    ):
        return False
    return e - s <= 30 and e < len(analysis) and analysis[e] == "。" and "," not in analysis[s:e]


def _outline_start(analysis: str, at: int) -> int:
    """Where the outline marker before a sentence starting at ``at`` begins (or ``at``)."""
    for back in range(1, 5):
        if at - back >= 0 and _OUTLINE.match(analysis, at - back, at):
            return at - back
    return at


def _is_item_name(name: str) -> bool:
    return not _NOT_ITEM.search(name) and (_is_specific(name) or _is_specific_short(name))


def _text_subject(analysis: str) -> str | None:
    """The single project named in the lead of a text about one project, or None."""
    lead = analysis[:400]
    strong: set[str] = set()  # written with 项目/工程, or found by its closing word
    weak: set[str] = set()  # only ending like a project (…路, …场)
    for number, pattern in enumerate(_SUBJECT_PATTERNS):
        for m in pattern.finditer(lead):
            name = re.sub(r"^(?:\d{1,2}月\d{1,2}日)?(?:上午|下午)?", "", m["name"])
            kind = m.groupdict().get("kind")
            if kind == "工程":
                name += kind
            name = re.sub(r"(?<!扩建|迁建|新建|改建|续建)项目$", "", name)
            if not _is_specific(name) or _NOT_A_SUBJECT.search(name) or _is_unit_name(name):
                continue
            if number != _LOOSE_SUBJECT or kind:
                strong.add(name)
            elif _looks_named(name) or name.endswith(("高速", "公路")):
                weak.add(name)
    names = strong or weak
    # The same project written longer and shorter (广连高速, 广连高速公路): the shorter.
    names = {n for n in names if not any(o != n and n.startswith(o) for o in names)}
    return names.pop() if len(names) == 1 else None


def _names_other(sentence_text: str, subject: str) -> bool:
    """Does the sentence name a project other than the text's subject?"""
    return any(p != subject for p in _projects_in(_ADVERBS.sub("", sentence_text)))


# A minutes heading: 关于城东污水处理厂二期工程用地问题.
_TOPIC = re.compile(
    r"^关于(?P<name>[^,:]{3,40}(?:项目|工程|一期|二期|三期|基地|产业园|新城|路|大道|桥|站|厂|园|中心|改造))"
    r"(?:的)?(?:[\u4e00-\u9fff]{0,6}(?:问题|事项|事宜|工作))?$"
)


def _context_task(sentence: tuple[int, int], analysis: str, meeting: date) -> list[_Group]:
    """In a paragraph about one project, the leader's first instruction is its task."""
    clauses = _clauses(analysis, *sentence)
    for i, clause in enumerate(clauses):
        if re.search(
            r"(?:强调|要求|叮嘱|指出)?要|要求|务必|确保|力争|需|应|尽快|抓紧",
            _NOT_YAO.sub("", clause.text),
        ) and i < len(clauses):
            rest = clauses[i:]
            if not any(_has_action(c.text) for c in rest):
                return []
            readings = [_Reading(c) for c in rest]
            return [_Group(readings, from_context=True)]
    return []
