"""The load benchmark's URLs: the portal's, plus the floor (a login-required view answering one
line) and a textbook ListView of the city's queue (Paginator: COUNT + OFFSET, select_related),
the two views the portal's pages are compared with. Not part of the portal."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import ListView

from candidates.enums import BACKLOG_STATUSES
from candidates.models import Application


@login_required
def floor(request):
    return HttpResponse(f"{request.user.username}\n", content_type="text/plain")


class TextbookQueue(LoginRequiredMixin, ListView):
    template_name = "textbook_queue.html"
    paginate_by = 50
    context_object_name = "applications"

    def get_queryset(self):
        return (
            Application.objects.filter(city=self.request.user.city_reviewer.city, status__in=BACKLOG_STATUSES)
            .select_related("candidate", "exam", "employer", "round", "claimed_by")
            .order_by("status_changed_at", "pk")
        )


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/textbook/", TextbookQueue.as_view()),
    path("", include("verification_portal.urls")),
]
