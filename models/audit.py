"""The audit log: who did what to which object. Entries name objects by id and never carry PII."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.auth import Principal
from models.storage.orm import AuditEvent

READ_PII = "read_pii"
DELETE_PROFILE = "delete_profile"
SET_CONSENT = "set_consent"
WITHDRAW_CONSENT = "withdraw_consent"


def record(
    session: Session,
    principal: Principal,
    action: str,
    object_type: str,
    object_id: int | str,
    detail: dict | None = None,
) -> AuditEvent:
    """Add one event to the caller's transaction: it is written if, and only if, the work is."""
    event = AuditEvent(
        actor=principal.actor,
        role=principal.role.value,
        tenant=principal.tenant,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
    session.add(event)
    return event
