import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from diaodu.factories import ProjectFactory
from diaodu.projects.national_code import check_national_code, iso7064_mod11_10


def test_check_digit_of_the_published_example():
    assert iso7064_mod11_10("2111522323040134206") == 8


def test_valid_2020_code_passes_without_warning():
    result = check_national_code("2111-522323-04-01-342068")
    assert result.format == "2020"
    assert result.warnings == []


def test_wrong_check_digit_is_a_warning_in_chinese():
    with translation.override("zh-hans"):
        result = check_national_code("2111-522323-04-01-342067")
    assert result.format == "2020"
    assert len(result.warnings) == 1
    assert "校验位" in result.warnings[0]
    assert "8" in result.warnings[0]


def test_legacy_code_is_accepted_without_check_digit():
    result = check_national_code("2019-410800-48-01-012345")
    assert result.format == "legacy"
    assert result.warnings == []


def test_full_width_digits_and_spaces_are_normalised():
    assert check_national_code("２１１１－522323-04-01-342068 ").code == "2111-522323-04-01-342068"


@pytest.mark.parametrize(
    "value", ["2111522323040134206", "2111-52232-04-01-342068", "ABCD-522323-04-01-342068", "x"]
)
def test_malformed_code_is_refused_with_a_chinese_message(value):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        check_national_code(value)
    assert "格式不正确" in error.value.messages[0]


def test_first_group_neither_month_nor_year_is_refused():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        check_national_code("2150-522323-04-01-342068")
    assert "2150" in error.value.messages[0]


@pytest.mark.django_db
def test_project_form_validation_refuses_malformed_code():
    project = ProjectFactory.build(national_code="12-34")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "national_code" in error.value.message_dict
    assert "项目代码" in error.value.message_dict["national_code"][0]


@pytest.mark.django_db
def test_project_with_wrong_check_digit_saves_and_warns():
    project = ProjectFactory(national_code="2111-522323-04-01-342067")
    project.full_clean()
    assert project.national_code_warnings
