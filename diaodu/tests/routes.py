"""Every address the site answers, read from the URL conf, with what fills each of its parts.

`all_routes()` walks `get_resolver()` (namespaces included, the API router's routes among
them). A path parameter is filled with the primary key of an object of the right model; the
model is inferred:

- an API viewset's `pk`: the model of the viewset's queryset;
- an administration page's `object_id`: the model of its ModelAdmin;
- `<name>_pk`: the model called `name`, else as for `pk`;
- `pk`: the word of the path just before it (`problems/<pk>/` → Problem), looked up among
  the models of the view's app first, then among all the project's models.

What cannot be inferred is in PARAMETERS; a route with a part that neither fills is reported
by `unfilled()` (and the route test fails, saying what to add).
"""

import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from rest_framework.request import Request
from rest_framework.views import APIView

# Parameters that are not an object's primary key, by route and parameter: a function of the
# world and of the side whose objects fill the route.
PARAMETERS = {
    ("projects:plan", "year"): lambda world, side: world.year,
    ("problems:problem-action", "action"): lambda world, side: "accept",
    ("problems:task-action", "action"): lambda world, side: "accept",
    ("reporting:action", "action"): lambda world, side: "approve",
    ("notifications:outbox-resend", "pk"): "notifications.Delivery",
    ("admin:app_list", "app_label"): lambda world, side: "projects",
    ("admin:auth_user_password_change", "id"): lambda world, side: world.hq.pk,
    ("admin:view_on_site", "content_type_id"): lambda world, side: world.content_type_id,
    ("admin:view_on_site", "object_id"): lambda world, side: world.hq.pk,
    ("admin/(?P<url>.*)$", "url"): lambda world, side: "no-such-page/",
}

# What some routes take in their query string: an object ("app.Model": its primary key, e.g.
# a form for a project, ?project=<id>) or a value.
QUERIES = {
    "approvals:new": {"project": "projects.Project"},
    "inspections:new": {"project": "projects.Project"},
    "report-export": {"period": "reporting.ReportingPeriod"},
    "task-overdue-notice": {"unit": "org.Unit"},
    "admin:autocomplete": {
        "app_label": lambda world, side: "notifications",
        "model_name": lambda world, side: "unitrobot",
        "field_name": lambda world, side: "unit",
    },
}

_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern, with the patterns above it."""

    patterns: tuple
    name: str | None
    callback: object

    @property
    def route(self) -> str:
        return "".join(str(p.pattern) for p in self.patterns)

    @property
    def label(self) -> str:
        return self.name or self.route

    @property
    def params(self) -> tuple[str, ...]:
        names = []
        for p in self.patterns:
            if isinstance(p.pattern, RoutePattern):
                names += [m.group(2) for m in _CONVERTER.finditer(str(p.pattern))]
            else:
                names += list(p.pattern.regex.groupindex)
        return tuple(names)

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def is_api(self) -> bool:
        cls = getattr(self.callback, "cls", None)
        return cls is not None and issubclass(cls, APIView)

    @property
    def is_admin(self) -> bool:
        return any(getattr(p, "namespace", None) == "admin" for p in self.patterns)

    @property
    def is_format_variant(self) -> bool:
        """The same view with a format suffix (`.json`): an alias of the route without it."""
        return "format" in self.params

    @property
    def actions(self) -> dict:
        """A viewset route's methods and their actions."""
        return getattr(self.callback, "actions", None) or {}

    @cached_property
    def query_models(self) -> dict:
        """The model of each object the route takes in its query string."""
        return {
            name: apps.get_model(given) if isinstance(given, str) else given
            for name, given in QUERIES.get(self.label, {}).items()
        }

    def url(self, values: dict, query: dict | None = None) -> str:
        """The concrete address, each parameter replaced by its value."""
        text = []
        for p in self.patterns:
            source = str(p.pattern)
            if isinstance(p.pattern, RoutePattern):
                text.append(_CONVERTER.sub(lambda m: str(values[m.group(2)]), source))
            else:
                filled = _GROUP.sub(lambda m: str(values[m.group(1)]), source)
                text.append(filled.replace("^", "").replace("$", "").replace("\\.", "."))
        address = "/" + "".join(text)
        return f"{address}?{urlencode(query)}" if query else address

    @cached_property
    def models(self) -> dict:
        """The model (or the function from PARAMETERS) that fills each parameter."""
        return {param: _infer(self, param) for param in self.params}


def _diaodu_models():
    return [m for m in apps.get_models() if m.__module__.startswith("diaodu.")]


def _model_called(word: str, app_label: str | None):
    """The one model whose name is the word, or ends or starts with it: in the app, then
    anywhere."""
    word = word.replace("-", "").replace("_", "").lower()
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s"):
        word = word[:-1]
    everything = _diaodu_models()
    pools = [[m for m in everything if m._meta.app_label == app_label], everything]
    tests = [str.__eq__, str.endswith, str.startswith]
    for pool in pools:
        for test in tests:
            found = [m for m in pool if test(m._meta.model_name, word)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                break
    return None


def viewset_model(route: Route):
    """The model of an API viewset's queryset."""
    cls = route.view_class
    view = cls(**getattr(route.callback, "initkwargs", {}))
    view.action = next(iter(route.actions.values()), None)
    view.request = Request(RequestFactory().get("/"))
    view.request.user = AnonymousUser()
    view.kwargs, view.format_kwarg = {}, None
    return view.get_queryset().model


def _word_before(route: Route, param: str) -> str | None:
    """The last word of the path before the parameter: `problems` in `problems/<int:pk>/`."""
    text = route.route
    match = re.search(rf"<(?:\w+:)?{param}>|\(\?P<{param}>", text)
    before = _CONVERTER.sub("/", _GROUP.sub("/", text[: match.start()]))
    words = re.findall(r"[A-Za-z][\w-]*", before)
    return words[-1] if words else None


def _infer(route: Route, param: str):
    given = PARAMETERS.get((route.name, param)) or PARAMETERS.get((route.route, param))
    if isinstance(given, str):
        return apps.get_model(given)
    if given is not None:
        return given
    if route.is_admin:
        model_admin = getattr(route.callback, "model_admin", None)
        return model_admin.model if model_admin and param == "object_id" else None
    if param == "pk" and route.actions:
        return viewset_model(route)
    config = apps.get_containing_app_config(route.callback.__module__)
    app_label = config.label if config else None
    if param.endswith("_pk"):
        model = _model_called(param[:-3], None)
        if model is not None:
            return model
    if param == "pk" or param.endswith("_pk"):
        word = _word_before(route, param)
        return _model_called(word, app_label) if word else None
    return None


def _walk(patterns, above=(), namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else None
            yield from _walk(p.url_patterns, (*above, p), inner or p.namespace or namespace)
        else:
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield Route(patterns=(*above, p), name=name, callback=p.callback)


def all_routes() -> list[Route]:
    """Every pattern of the URL conf, in order."""
    return list(_walk(get_resolver().url_patterns))


def unfilled(route: Route) -> list[str]:
    """The parameters of the route that nothing fills."""
    if route.is_format_variant:
        return []
    return [param for param, model in route.models.items() if model is None]
