"""Every model has a factory (diaodu.factories), and what each factory builds is valid."""

import inspect

import factory
import pytest
from django.apps import apps

from diaodu import factories

FACTORIES = {
    cls._meta.model: cls
    for _, cls in inspect.getmembers(factories, inspect.isclass)
    if issubclass(cls, factory.django.DjangoModelFactory) and cls._meta.model is not None
}


def diaodu_models():
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("diaodu.") and not model._meta.proxy
    ]


def test_every_model_has_a_factory():
    missing = [model._meta.label for model in diaodu_models() if model not in FACTORIES]
    assert missing == [], f"no factory in diaodu/factories.py for {', '.join(missing)}"


@pytest.mark.parametrize(
    "model_factory",
    sorted(FACTORIES.values(), key=lambda cls: cls._meta.model._meta.label),
    ids=lambda cls: cls._meta.model._meta.label,
)
def test_each_factory_builds_a_valid_object(db, model_factory):
    obj = model_factory()
    obj.full_clean()  # fields, choices, clean() and the constraints, as a form would check them
    again = model_factory()  # a second one beside it is valid too (sequences, get-or-create)
    again.full_clean()
    assert str(obj)
