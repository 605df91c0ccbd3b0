"""The ``minting.Subject`` of a user flow, built the same way by the authorize endpoint and the
``authorization_code`` grant."""
from __future__ import annotations

from ...domain import UserAccess
from .. import minting


def subject_of(access: UserAccess, auth_time: int, amr: tuple[str, ...]) -> minting.Subject:
    user = access.user
    return minting.Subject(user_id=user.id, profile=dict(user.profile),
                           groups=tuple((g.id, g.name) for g in access.groups), auth_time=auth_time, amr=amr,
                           updated_at=int(user.last_updated.timestamp()))
