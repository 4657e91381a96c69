"""The declaration's steps posted in turn, for tests about what comes after it."""

from django.urls import reverse

STEPS = ("employer", "education", "work")


def declare_steps(client, application, data: dict):
    """Post ``data`` to each step in turn (each takes its own fields), following where each
    save leads; the first refusal is returned, else the last step's redirect."""
    response = None
    for step in STEPS:
        response = client.post(reverse("candidates:declare_step", args=[application.pk, step]), data)
        if response.status_code != 302 or "/declaration/" not in response["Location"]:
            return response  # refused, or the last step this application has
    return response
