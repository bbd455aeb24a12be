"""Filters shared by the apps' FilterSets."""

import django_filters
from django import forms

# The keys are 64-bit integers (BigAutoField): a number beyond them is no id, and the database
# cannot even compare it.
ID_RANGE = {"min_value": -(2**63), "max_value": 2**63 - 1}


class IdFilter(django_filters.NumberFilter):
    """An object's id given as a number (?project=12): a whole number within the keys' range,
    or the list is refused (400, naming the parameter; a page ignores it)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**ID_RANGE, **kwargs})
