"""Every route × every role, generated from the URL conf: a new page or endpoint is covered
the day it is added, and fails here until it keeps its data to those who may see it.

For each route (pages, exports, the API router's lists, details and actions, the
administration), its parameters filled from diaodu/tests/world.py (see diaodu/tests/routes.py):

- anonymous: a page sends to the sign-in page, the API answers 401/403, for every method,
  and nothing changes;
- headquarters, and the region user 解放区 on its own objects: 200 (405 on GET for a route
  that only takes POST); every method the route takes, sent with an empty body, answers
  below 500 and never 404 (the object is there);
- 解放区 on 高新区's objects (the "outsider" case, for every route with an object out of its
  scope): 404, for every method, the same answer as for objects that do not exist, and
  nothing changes;
- nothing answered to 解放区 names 高新区's objects: no page, export (inside the workbook or
  document), API list or detail;
- the administration: anonymous and a user who is not staff are sent to its sign-in, a
  superuser gets its pages.

The exceptions are the tables below, each entry with its reason: routes open to everyone,
routes the region user may not use, lists it deliberately gets empty, and answers other than
200 that are right.
"""

import html
import io
import zipfile
from urllib.parse import unquote

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import resolve, reverse

from diaodu.core.models import SignedInQuerySet
from diaodu.meetings.models import Meeting
from diaodu.projects.models import Project
from diaodu.tests.routes import all_routes, unfilled, viewset_model
from diaodu.tests.world import MARKER, build_world

pytestmark = pytest.mark.django_db

ROUTES = [route for route in all_routes() if not route.is_format_variant]

# Routes open to everyone, with what an anonymous visitor gets.
PUBLIC = {
    "login": {200},
    # Single sign-on through the identity platform: not found while it is not configured.
    "oidc-login": {404},
    "oidc-callback": {404},
    "logout": {405},  # signing out is a POST
    "set_language": {302},
    "health": {200, 503},
    "favicon.ico": {301, 302},
    # The home-screen application's manifest, service worker and offline page: no user data.
    "manifest": {200},
    "service-worker": {200},
    "offline": {200},
    "admin:login": {200},
    "admin:logout": {302},
}

# Routes the region user may not use, though it sees the object: 403 (404 when the object is
# looked up among what only headquarters sees). For a parameter out of its scope it gets the
# same, whether the object exists or not.
REFUSED_TO_REGION = {
    "projects:programs": "headquarters moves projects in and out of programmes",
    "projects:milestone-met": "the owner marks a milestone met",
    "approvals:new": "headquarters adds approvals",
    "approvals:edit": "the responsible department and headquarters change an approval",
    "problems:task-new": "headquarters and leaders assign tasks",
    "problems:task-new-project": "headquarters and leaders assign tasks",
    "problems:task-notice": "those who assign tasks issue supervision notices",
    "problems:unit-notice": "those who assign tasks issue supervision notices",
    "task-notice": "those who assign tasks issue supervision notices",
    "task-overdue-notice": "those who assign tasks issue supervision notices",
    "meetings:new": "headquarters and leaders hold meetings",
    "meetings:edit": "headquarters and leaders hold meetings",
    "inspections:new": "inspectors and headquarters inspect",
    "assessment:scheme-new": "headquarters sets the scoring schemes",
    "assessment:summons": "headquarters issues the summons notice",
    "ranking-summons": "headquarters issues the summons notice",
    "notifications:outbox": "the outbox is headquarters'",
    "notifications:outbox-resend": "the outbox is headquarters'",
    "delivery-detail": "the outbox is headquarters'",
    "audit": "headquarters and administrators read the audit log",
    "audit-event-detail": "headquarters and administrators read the audit log",
    "delivery-resend": "the outbox is headquarters'",
}

# API lists that answer the region user, deliberately, with nothing.
EMPTY_FOR_REGION = {
    "delivery-list": "the outbox is headquarters'",
    "audit-event-list": "headquarters and administrators read the audit log",
}

# What a user in scope gets instead of 200, by route.
IN_SCOPE = {
    "notifications:open": {302},  # marks it read and follows its link
    "admin:view_on_site": {404},  # no model has a page of its own on the site
    "admin/(?P<url>.*)$": {404},  # the administration's own not-found
    "api-not-found": {404},  # any address the API does not have, in JSON
    # The world's tasks are not overdue: no supervision notice for a unit's overdue tasks (the
    # page sends back to the counts with a message, the API answers 400 naming the unit).
    "problems:unit-notice": {302},
    "task-overdue-notice": {400},
    # The world's ranking has no scores: it summons no unit (the page sends back to the ranking
    # with a message, the API answers 400).
    "assessment:summons": {302},
    "ranking-summons": {400},
    # The PDF of a bulletin where LibreOffice is installed and the world's file is a Word file;
    # else back to the list with a message.
    "assessment:bulletin-pdf": {200, 302},
    "bulletin-pdf": {200, 409},
    # Rows the application writes, never added by hand:
    "admin:notifications_delivery_add": {403},
    "admin:core_changerecord_add": {403},
    "admin:exchange_importjob_add": {403},
    "admin:exchange_columnmapping_add": {403},  # corrected on the dry run, not here
    "admin:axes_accessattempt_add": {403},
    "admin:axes_accesslog_add": {403},
    "admin:axes_accessfailurelog_add": {403},
    "admin:org_auditevent_add": {403},
    "admin:org_auditevent_delete": {403},  # the audit log is kept as written
}

UNSAFE = ("post", "put", "patch", "delete")


def _shared(model) -> bool:
    """Read by every signed-in user (a period, a programme, a ranking): no one is out of
    scope for it."""
    queryset = model._default_manager.get_queryset()
    visible_to = getattr(type(queryset), "visible_to", None)
    return visible_to is SignedInQuerySet.visible_to


def _scoped(route) -> bool:
    models = [*route.models.values(), *route.query_models.values()]
    return any(isinstance(model, type) and not _shared(model) for model in models)


def _roles(route):
    if route.label in PUBLIC:
        return ["anonymous"]
    if route.is_admin:
        return ["anonymous", "region", "superuser"]
    roles = ["anonymous", "headquarters", "region"]
    return roles + ["outsider"] if _scoped(route) else roles


CASES = [
    pytest.param(route, role, id=f"{route.label}-{role}")
    for route in ROUTES
    for role in _roles(route)
]


# -- the world, built once for the module ----------------------------------------------------


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder():
    """The world's files stay in the world's folder, set once for the module (`world`)."""


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    """Nobody signs in with a password here: the world's sessions are made once."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media):
    """The world, and a signed-in session for each of its users (signing in once, not in
    every test)."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            world = build_world()
            for user in (world.hq, world.ours.user, world.superuser):
                client = Client()
                client.force_login(user)
                world.sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield world
            transaction.set_rollback(True)


# -- helpers ---------------------------------------------------------------------------------


def _client(world, user) -> Client:
    client = Client()
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user.pk]
    return client


def _fill(models: dict, route, world, side) -> dict:
    values = {}
    for param, model in models.items():
        if isinstance(model, type):
            obj = world.object(model, side)
            assert obj is not None, (
                f"{route.label}: add a {model.__name__} to diaodu/tests/world.py ({param})"
            )
            values[param] = obj.pk
        else:
            values[param] = model(world, side)
    return values


def _objects(route, world, side) -> list:
    models = [*route.models.values(), *route.query_models.values()]
    return [world.object(model, side) for model in models if isinstance(model, type)]


def _body(response) -> str:
    """Everything the response says, an Office file's parts included, as text."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    parts = [content]
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                parts = [archive.read(name) for name in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    headers = " ".join(f"{k}: {unquote(v)}" for k, v in response.items())
    # An Office file's XML may write characters as references (&#22806;).
    return headers + " ".join(html.unescape(part.decode("utf-8", "replace")) for part in parts)


def _fingerprint(objects) -> tuple:
    """How many rows each of the project's tables has (in one query), and the stored values of
    the given objects."""
    tables = sorted(
        {m._meta.db_table for m in apps.get_models() if m.__module__.startswith("diaodu.")}
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
    rows = [list(type(obj)._base_manager.filter(pk=obj.pk).values()) for obj in objects]
    return counts, rows


def _send(client, method, url, route):
    if route.is_api:
        return getattr(client, method)(url, {}, content_type="application/json")
    return getattr(client, method)(url)


def _methods(route) -> list[str]:
    """The unsafe methods to try: those an API route maps, POST for a page."""
    if route.actions:
        return [method for method in UNSAFE if method in route.actions]
    return ["post"]


def _refused(route, response) -> bool:
    """Sent to sign in (the administration's sign-in for its pages), or 401/403 from the API."""
    if route.is_api:
        return response.status_code in (401, 403)
    login = reverse("admin:login") if route.is_admin else reverse(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].startswith(login)


def _post_only(response) -> bool:
    return response.status_code == 405 and "GET" not in response.get("Allow", "GET")


def _says(response, what):
    return f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} {what}"


# -- the tests --------------------------------------------------------------------------------


def test_every_route_can_be_filled():
    """A new route whose parameters nothing fills says what to add."""
    missing = {route.label: unfilled(route) for route in ROUTES if unfilled(route)}
    assert not missing, (
        "Add to PARAMETERS in diaodu/tests/routes.py how to fill these route parameters "
        f"(or name them so that their model can be inferred): {missing}"
    )


def test_a_format_suffix_is_an_alias():
    """Routes with a format suffix (`.json`) are left out: each is the same view as a route
    without it."""
    plain = {(route.name, route.callback) for route in ROUTES}
    for route in all_routes():
        if route.is_format_variant:
            assert (route.name, route.callback) in plain, route.label


def test_the_tables_name_routes_that_exist():
    labels = {route.label for route in ROUTES}
    for table in (PUBLIC, REFUSED_TO_REGION, EMPTY_FOR_REGION, IN_SCOPE):
        assert set(table) <= labels, set(table) - labels


def test_the_answers_are_read_inside_office_files(world):
    """The check for 高新区's data reads what a workbook or a document says (character
    references and all): 解放区's own ledger names its project, its agenda its meeting."""
    client = _client(world, world.ours.user)
    meeting = world.ours.objects[Meeting]
    for url, text in (
        (reverse("projects:export"), world.ours.objects[Project].name),
        (reverse("meetings:agenda-docx", args=[meeting.pk]), meeting.title),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in _body(response), url


@pytest.mark.parametrize(("route", "role"), CASES)
def test_route(route, role, world):
    side = {"outsider": world.theirs, "headquarters": world.hq_side}.get(role, world.ours)
    user = {
        "anonymous": None,
        "headquarters": world.hq,
        "region": world.ours.user,
        "outsider": world.ours.user,
        "superuser": world.superuser,
    }[role]
    url = route.url(
        _fill(route.models, route, world, side), _fill(route.query_models, route, world, side)
    )
    match = resolve(url.split("?")[0])
    assert match.func == route.callback, f"{url} is {match.view_name}, not {route.label}"
    objects = _objects(route, world, side)
    client = _client(world, user)
    response = client.get(url)
    assert response.status_code < 500, _says(response, f"as {role}: {response.status_code}")
    if role in ("region", "outsider"):
        assert MARKER not in _body(response), _says(response, f"as {role} shows 高新区's data")

    if route.label in PUBLIC:
        assert response.status_code in PUBLIC[route.label], _says(response, response.status_code)
    elif role == "anonymous" or (route.is_admin and role == "region"):
        assert _refused(route, response), _says(response, f"as {role}: {response.status_code}")
        _assert_refused_every_method(client, route, url, objects, role)
    elif role == "outsider" or (role == "region" and route.label in REFUSED_TO_REGION):
        allowed = {403, 404} if route.label in REFUSED_TO_REGION else {404}
        assert response.status_code in allowed or _post_only(response), _says(
            response, f"as {role}: {response.status_code}, expected {allowed}"
        )
        _assert_refused_every_method(client, route, url, objects, role)
        if role == "outsider":
            _assert_answered_as_missing(client, route, world, response)
    else:
        expected = IN_SCOPE.get(route.label) or _in_scope(route)
        assert response.status_code in expected or _post_only(response), _says(
            response, f"as {role}: {response.status_code}, expected {expected}. {_hint(route)}"
        )
        if expected == {404}:
            return  # a not-found by design: no method takes anything there
        if role == "region" and route.is_api:
            _assert_list_leaves_theirs_out(response, route, world)
        if role == "headquarters" or (role == "region" and (route.is_api or _post_only(response))):
            _assert_taken_every_method(client, route, url, role)


def _hint(route) -> str:
    models = {p: getattr(m, "__name__", "PARAMETERS") for p, m in route.models.items()}
    return (
        f"Filled with {models}: if a model is wrong, fill the parameter in PARAMETERS "
        "(diaodu/tests/routes.py); if the region user may not use the route, add it to "
        "REFUSED_TO_REGION; if another answer is right, to IN_SCOPE."
    )


def _in_scope(route) -> set[int]:
    """200, but for the administration's short object addresses, sent on to the change page."""
    if route.is_admin and route.name is None and "object_id" in route.params:
        return {302}
    return {200}


def _assert_refused_every_method(client, route, url, objects, role):
    """Every method is refused (or not taken at all), says nothing of 高新区, changes nothing."""
    before = _fingerprint(objects)
    for method in _methods(route):
        response = _send(client, method, url, route)
        if role == "anonymous" or route.is_admin:
            assert _refused(route, response) or response.status_code == 405, _says(
                response, f"as {role}: {response.status_code}"
            )
        else:
            allowed = {403, 404, 405} if route.label in REFUSED_TO_REGION else {404, 405}
            assert response.status_code in allowed, _says(
                response, f"as {role}: {response.status_code}, expected {allowed}"
            )
            assert MARKER not in _body(response), _says(response, "shows 高新区's data")
    assert _fingerprint(objects) == before, f"{url}: {role} changed something"


def _assert_answered_as_missing(client, route, world, response):
    """The other region's objects get the answer of objects that do not exist."""
    url = route.url(
        _none_such(route.models, route, world), _none_such(route.query_models, route, world)
    )
    missing = client.get(url)
    assert missing.status_code == response.status_code, _says(
        missing, f"{missing.status_code}, but {response.status_code} for 高新区's objects"
    )


def _none_such(models: dict, route, world) -> dict:
    """The other region's values, with an id that no row has for every object out of scope."""
    values = _fill(models, route, world, world.theirs)
    for param, model in models.items():
        if isinstance(model, type) and not _shared(model):
            last = model._base_manager.order_by("-pk").first()
            values[param] = (last.pk if last else 0) + 1000
    return values


def _assert_taken_every_method(client, route, url, role):
    """A user in scope sending nothing gets an answer, never a 500, never a 404."""
    for method in _methods(route):
        response = _send(client, method, url, route)
        assert response.status_code < 500, _says(response, f"as {role}: {response.status_code}")
        assert response.status_code != 404, _says(response, f"as {role}: 404")
        if role == "region":
            assert MARKER not in _body(response), _says(response, "shows 高新区's data")


def _assert_list_leaves_theirs_out(response, route, world):
    """An API list answers the region's objects, not the other region's."""
    if not route.actions or "list" not in route.actions.values():
        return
    data = response.json()
    items = data.get("results", data) if isinstance(data, dict) else data
    model = viewset_model(route)
    theirs = world.theirs.objects.get(model)
    ours = world.ours.objects.get(model)
    ids = {item["id"] for item in items}
    if theirs is not None:
        assert theirs.pk not in ids, f"{route.label} lists 高新区's {model.__name__}"
    if route.label in EMPTY_FOR_REGION:
        assert not ids, f"{route.label} lists {ids}"
    elif ours is not None:
        assert ours.pk in ids, f"{route.label} leaves out 解放区's {model.__name__}"
