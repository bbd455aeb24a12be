"""The application's addresses plus the benchmark's minimal view (the cost of a request)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def minimal(request):
    """Signed in, through every middleware, and nothing else."""
    return HttpResponse(str(request.user.pk))


urlpatterns = [
    path("bench/minimal/", minimal),
    path("", include("diaodu.urls")),
]
