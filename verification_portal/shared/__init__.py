"""Shared infrastructure the three apps import: queuing jobs through the outbox
(``jobs``), the audit trail (``audit``), serving stored files (``files``), a service's
refusal on a form (``forms``) and the read-only admin (``admin``)."""
