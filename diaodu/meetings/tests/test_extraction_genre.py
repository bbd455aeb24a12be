"""The extractor on the structures of the genre rather than on phrases: who is addressed, how
bodies are listed, which dates are limits, what a text is about. Sentences written for these
tests."""

from datetime import date

import pytest

from diaodu.meetings.extraction import Draft, extract
from diaodu.meetings.extraction.deadlines import parse_deadline
from diaodu.meetings.extraction.normalize import normalize

JULY_4 = date(2016, 7, 4)


def drafts_of(text: str, when: date = JULY_4) -> list[Draft]:
    return extract(text, when, projects={}, units={})


def test_every_reading_of_a_character_and_spaces_inside_words_are_noise():
    norm = normalize("要(yào / yāo)求市住建局要 求施工方加(jiā)快进度")
    assert norm.text == "要求市住建局要求施工方加快进度"
    assert norm.original_slice(3, 6) == "住建局"


def test_a_limit_up_to_the_meeting_is_still_a_deadline_in_an_instruction():
    bulletin = "2.滨湖科技园项目,要求6月底完成场地平整。"
    [draft] = drafts_of(bulletin)
    assert (draft.deadline, draft.deadline_text) == (date(2016, 6, 30), "6月底")
    same_day = "二是县发改局要修改完善项目清单,并于7月4日晚19:00时前报县政府。"
    [draft] = drafts_of(same_day)
    assert (draft.deadline, draft.deadline_text) == (JULY_4, "7月4日晚19:00时前")
    # A date that is the meeting itself, or history, stays none.
    assert drafts_of("7月4日上午,县长主持召开项目调度会,听取各单位汇报。") == []
    assert drafts_of("截至6月底,滨湖科技园项目已完成场地平整。") == []


@pytest.mark.parametrize(
    "text",
    [
        "由县城管局负责,确保8月15日后渣土清运顺利启动。",
        "7月5日讯 7月4日,县长到滨湖科技园项目调研。",
        "县里要求签约后1个月内完成腾空,腾空后1个月内拆除到位。",
    ],
)
def test_dates_that_do_not_close_a_task(text):
    assert all(d.deadline is None for d in drafts_of(text))


def test_school_start_and_new_year():
    assert parse_deadline("开学前", JULY_4) == date(2016, 9, 1)
    assert parse_deadline("开学前", date(2016, 10, 8)) == date(2017, 9, 1)
    assert parse_deadline("确保2017年元旦节试运营", JULY_4) == date(2017, 1, 1)


def test_the_owner_line_of_a_bulletin_item_owns_its_requirement():
    text = (
        "1.滨湖科技园项目(二期),要求8月底完成厂房主体。责任单位:高新区。\n"
        "2.城北物流园项目,要求9月底前开工建设。责任单位:城东区、开发区。\n"
    )
    drafts = drafts_of(text)
    assert [(d.project, d.unit, d.deadline_text) for d in drafts] == [
        ("滨湖科技园项目(二期)", "高新区", "8月底"),
        ("城北物流园", "城东区、开发区", "9月底前"),
    ]


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        # bodies sharing one head, or closed by 等部门: as written
        ("建设、施工单位要优化施工组织,加快进度。", "建设、施工单位"),
        ("市、县两级指挥部要尽快完成杆线迁改。", "市、县两级指挥部"),
        ("县发改、财政、林业局等部门要组建专班,迅速列出项目清单。", "县发改、财政、林业局等部门"),
        # full names of several bodies: the first, as A及B gives A
        ("县住建局、县交通局要尽快完成杆线迁改。", "县住建局"),
        ("市城投集团及沿线街道要尽快完成杆线迁改。", "市城投集团"),
        # 和 inside one body's name
        ("县自然资源和规划局要尽快拿出实施方案。", "县自然资源和规划局"),
        # a body's role in the project it is about
        ("代建单位要全面梳理施工情况,按时完工验收。", "代建单位"),
        ("城西乡作为责任主体,负责组织好项目推进工作。", "城西乡"),
        # asked with 请: no directive needed after the body
        ("请规划科汇整相关资料,提报局务会议。", "规划科"),
        ("并请更新处及工务科研议修正计划内容。", "更新处"),
    ],
)
def test_the_body_a_clause_addresses(text, unit):
    [draft] = drafts_of(text)
    assert draft.unit == unit


def test_who_asks_is_not_who_acts():
    text = "自治区水利厅要 求,城北水库工程12月底前完成初步设计批复。"
    [draft] = drafts_of(text)
    assert draft.unit is None
    assert draft.deadline == date(2016, 12, 31)


def test_bodies_named_alone_then_instructed_give_the_first_as_owner():
    text = "县住建局、城关镇,特别是城东、城西社区要积极配合,尽快完成剩余拆迁任务。"
    [draft] = drafts_of(text)
    assert draft.unit == "县住建局"
    assert draft.sentence == text.rstrip("。")
    # Bodies listed as those who reported are asked nothing.
    reported = "会上,城东区、城西区,以及市交通局和市水利局,分别就所承担的项目汇报了进展。"
    assert drafts_of(reported) == []


@pytest.mark.parametrize(
    "text",
    [
        "城投公司、二分公司分别做了表态发言,一定严格落实会议精神,确保四条路10月份全部完成。",
        "区长表示,城东区将以本次督查为契机,奋力推进全区项目建设,确保年内完成投资目标。",
        "副区长表示,城北片区任务重,城东区政府将努力克服困难,积极协调。",
    ],
)
def test_pledges_are_not_tasks(text):
    assert drafts_of(text) == []


@pytest.mark.parametrize(
    ("lead", "project"),
    [
        ("7月4日,县委书记主持召开湘江大道项目建设工作推进会。", "湘江大道"),
        ("7月4日,副市长主持召开滨江高速现场征地协调会。", "滨江高速"),
        ("7月4日,副局长赴城南片区土地复垦项目进行调研。", "城南片区土地复垦"),
        ("7月4日,区人大常委会主任调研05省道南延工程。区各有关部门参加。", "05省道南延工程"),
        ("7月4日,副县长在县委第三会议室召开城北示范片区重点项目建设推进会。", "城北示范片区"),
        ("7月4日,副市长在沿湖大道提升改造项目调研。", "沿湖大道提升改造"),
    ],
)
def test_the_project_a_meeting_or_visit_is_about(lead, project):
    text = lead + "\n他要求,施工单位要倒排工期,制定详细的施工计划。"
    [draft] = drafts_of(text)
    assert (draft.project, draft.unit) == (project, "施工单位")


def test_title_lines_repeat_the_text_and_give_no_task():
    text = (
        "市长在城北高速公路协调会上要求\n"
        "加快进度 确保年内开工建设\n"
        "7月4日,市政府召开城北高速公路建设第二次协调会议。市长要求,"
        "要尽快完成征地拆迁任务,确保年内开工建设。"
    )
    [draft] = drafts_of(text)
    assert draft.project == "城北高速公路"
    assert "加快进度 确保" not in draft.sentence


def test_a_paragraph_opening_at_a_site_gives_it_to_the_instruction():
    text = (
        "7月4日,副市长调研市区教育项目。\n"
        "在城东实验小学北校区,副市长察看了效果图,要求加快征迁,确保10月份开工建设。\n"
        "在城西第二中学,副市长察看了施工现场,要求确保年底顺利封顶。"
    )
    drafts = drafts_of(text)
    assert [(d.project, d.deadline) for d in drafts] == [
        ("城东实验小学北校区", date(2016, 10, 31)),
        ("城西第二中学", date(2016, 12, 31)),
    ]


def test_a_topic_clause_gives_its_project_to_every_deadline_after_it():
    text = "对于城北防洪二期工程,可研报告争取在8月底前取得批复,12月底前开工建设。"
    drafts = drafts_of(text)
    assert [(d.project, d.deadline) for d in drafts] == [
        ("城北防洪二期工程", date(2016, 8, 31)),
        ("城北防洪二期工程", date(2016, 12, 31)),
    ]


def test_bodies_asked_by_name():
    [draft] = drafts_of("会后,副县长再次要求镇政府加大征地工作力度,确保项目顺利推进。")
    assert draft.unit == "镇政府"
    [draft] = drafts_of("林业站要落实具体方案,依法处理林地争议。")
    assert draft.unit == "林业站"
    # Asked only to comply, a body is given no task; a body that is part of a project's name
    # is none.
    assert drafts_of("会议要求分公司和项目部严格落实。") == []
    [draft] = drafts_of("要求行政服务中心装修工程确保国庆前完工。")
    assert (draft.unit, draft.project) == (None, "行政服务中心装修工程")


def test_what_is_asked_after_a_visit_is_asked_of_the_projects_visited():
    text = (
        "副市长先后对城东文体中心项目、城西保障房项目进行了实地走访,了解了存在的问题,"
        "要求项目单位加快建设进度,确保8月形成更多实物工作量。"
    )
    drafts = drafts_of(text)
    assert [(d.project, d.unit, d.deadline) for d in drafts] == [
        ("城东文体中心项目", None, date(2016, 8, 31)),
        ("城西保障房项目", None, date(2016, 8, 31)),
    ]


def test_minutes_that_ask_with_qing():
    text = "• 城南A基地请安排局长至现场会勘。\n• 城北国宅、福田社宅等标案,请加速办理招标作业。\n"
    drafts = drafts_of(text)
    assert [d.project for d in drafts] == ["城南A基地", "城北国宅", "福田社宅"]
    assert not any(d.sentence.startswith("•") for d in drafts)


def test_this_project_refers_to_one_project_only():
    text = "要加快推进城北国宅、福田社宅等项目建设。该项目,区住建局要研议修正计划内容。"
    drafts = drafts_of(text)
    assert [(d.unit, d.project) for d in drafts if d.unit] == [("区住建局", None)]


def test_yao_inside_a_word_is_no_directive():
    text = "城东大道全长6.5公里,主要建设内容包括道路、排水、桥梁和绿化等工程。"
    assert drafts_of(text) == []
    text = "今年城东区将要完成3个街道拆除任务。"
    assert drafts_of(text) == []


def test_the_body_whose_share_a_sentence_is_about():
    text = "其中城东街道涉及821户,要求在8月底全面完成拆除工作,10月1日前全面完成清零。"
    drafts = drafts_of(text)
    assert [(d.unit, d.deadline) for d in drafts] == [
        ("城东街道", date(2016, 8, 31)),
        ("城东街道", date(2016, 10, 1)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "城东高架南延工程是我区民生实事项目,也是交通大会战的重要组成部分。",
        "要谋划谋细一批旅游农业产业项目,推进产业融合发展。",
        "城东工业园区星光大道建设1个工业项目。",
    ],
)
def test_descriptions_and_kinds_are_not_project_names(text):
    assert all(d.project is None for d in drafts_of(text))


def test_an_item_marked_yi_yao_is_an_instruction():
    text = (
        "7月4日,副市长调研西环高速项目。副市长强调,首先要做好防控;第三要解决土源、拆迁等"
        "难点问题,为全面开工扫清障碍。"
    )
    drafts = drafts_of(text)
    assert [d.project for d in drafts] == ["西环高速"]
    assert drafts[0].sentence.startswith("要解决土源")


def test_a_paragraph_visiting_one_project_gives_it_to_its_instructions():
    text = (
        "7月4日,董事长先后赴城东路、城南家苑等项目现场督查。\n"
        "随后,董事长一行来到城南家苑项目现场,查看了施工情况。他强调,各参建单位要加快完成"
        "铺装、绿化等收尾工作,力争提前交付使用。"
    )
    [draft] = drafts_of(text)
    assert (draft.project, draft.unit) == ("城南家苑", None)


def test_instructions_without_a_yao():
    text = (
        "7月4日,总经理前往城北大道西延工程现场调研。他强调:一是要提高站位。二是要抓紧推进。"
        "进一步强化与属地的协调,尽快落实征地、拆迁等工作。三是要成立工作专班,及时解决问题。"
    )
    drafts = drafts_of(text)
    assert ["尽快落实征地" in d.sentence for d in drafts] == [True, False]
    assert drafts[1].sentence.startswith("要成立工作专班")
    assert {d.project for d in drafts} == {"城北大道西延工程"}


def test_a_city_is_a_body_but_not_this_city():
    [draft] = drafts_of("哈密市要做好今年援建项目的总结,提交报告。")
    assert draft.unit == "哈密市"
    assert all(d.unit is None for d in drafts_of("我市要做好今年援建项目的总结,提交报告。"))
    [draft] = drafts_of("请都市规划科汇整相关资料。")
    assert draft.unit == "都市规划科"


def test_a_project_listed_earlier_is_recognised_in_short():
    text = (
        "7月4日,区委书记先后到城南水厂项目、悦城奥特莱斯国际商务社区项目现场调研。"
        "他要求,悦城奥特莱斯要加快规划、土地等各项工作进度。"
    )
    [draft] = drafts_of(text)
    assert draft.project == "悦城奥特莱斯"


def test_reports_and_long_targets_are_no_tasks():
    target = "按照两年内实现城中村清零的目标,今年城东区将要完成3个街道的拆除。"
    assert drafts_of(target) == []
    report = "今年,城东区城中村改造坚持整村拆除、连片推进,明确了各街道的拆除任务。"
    assert drafts_of(report) == []


def test_the_project_a_paper_is_for_and_the_project_an_item_discussed():
    [draft] = drafts_of("设计院要完善《城北安置点建设项目建筑方案设计文本》,加快报建工作。")
    assert (draft.project, draft.unit) == ("城北安置点建设", "设计院")
    text = (
        "二是研究讨论了城东智慧产业园综合开发项目规划划定工作。副总要求,各责任主体要加快"
        "启动概念性规划修编、项目公司注册成立工作。"
    )
    [draft] = drafts_of(text)
    assert draft.project == "城东智慧产业园"
