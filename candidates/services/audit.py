from django.db import models

from candidates.models import Application, AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    application: Application | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction of the change it records."""
    if application is None and isinstance(target, Application):
        application = target
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        application=application,
        data=data or {},
    )
