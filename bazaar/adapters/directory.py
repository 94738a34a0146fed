"""The sagas' Directory port, read from the accounts: who a user is, for addressing."""

from __future__ import annotations

from uuid import UUID

from projections.sagas.base import GiveUp
from write_model.accounts import Accounts, UserNotFoundError
from write_model.ports import Directory, Recipient


def directory(accounts: Accounts) -> Directory:
    """Users' names and addresses; a user who does not exist is not worth retrying."""

    def recipient(user_id: UUID) -> Recipient:
        try:
            user = accounts.get_user(user_id)
        except UserNotFoundError as unknown:
            raise GiveUp(str(unknown)) from None
        return Recipient(name=user.username, email=user.email)

    return recipient
