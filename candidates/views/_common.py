from django.http import Http404

from candidates import permissions


def _candidate_or_404(request):
    profile = permissions.candidate_of(request.user)
    if profile is None:
        raise Http404
    return profile


PENDING_PROFILE = "pending_candidate_profile"
