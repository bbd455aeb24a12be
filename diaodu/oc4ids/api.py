"""GET /api/oc4ids/: the projects the user sees as an OC4IDS project package, a page at a time.

Each page is a package of its own (at most PAGE_SIZE projects, built in a fixed number of
queries) with `links.next` and `links.prev` to the pages beside it, as OCDS packages are
paged; `diaodu export_oc4ids` writes every page's projects in one package.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from diaodu.oc4ids.package import package, projects_data, published_date, visible_projects

PAGE_SIZE = 100


class PublisherSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The issuing office (DIAODU_DOCUMENT_ISSUER).")


class LinksSerializer(serializers.Serializer):
    next = serializers.URLField(required=False, help_text="The next page, if any.")
    prev = serializers.URLField(required=False, help_text="The previous page, if any.")


class ProjectPackageSerializer(serializers.Serializer):
    """An OC4IDS 0.9 project package (project-package-schema.json), one page of it."""

    uri = serializers.URLField(help_text="The package's address: the whole export.")
    version = serializers.CharField(help_text="The OC4IDS version, 0.9.")
    publishedDate = serializers.DateTimeField(  # noqa: N815 (the standard's name)
        help_text="The last change to the projects the user sees."
    )
    publisher = PublisherSerializer()
    projects = serializers.ListField(
        child=serializers.DictField(),
        help_text="OC4IDS projects (project-schema.json), by their Diaodu number.",
    )
    links = LinksSerializer(required=False, help_text="The pages beside this one.")


class Pages(PageNumberPagination):
    page_size = PAGE_SIZE


class ProjectPackageView(APIView):
    """The projects the user sees (the ledger's scope) as an OC4IDS 0.9 project package."""

    @extend_schema(
        operation_id="oc4ids_package",
        parameters=[
            OpenApiParameter(
                "page", OpenApiTypes.INT, description=f"The page, of {PAGE_SIZE} projects."
            )
        ],
        responses=ProjectPackageSerializer,
    )
    def get(self, request):
        projects = visible_projects(request.user)
        pages = Pages()
        ids = pages.paginate_queryset(projects.values_list("pk", flat=True), request, view=self)
        data = package(projects_data(request.user, ids or []), published_date(projects))
        links = {"next": pages.get_next_link(), "prev": pages.get_previous_link()}
        links = {name: link for name, link in links.items() if link}
        if links:
            data["links"] = links
        return Response(data)
