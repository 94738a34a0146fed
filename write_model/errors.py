"""Domain errors, grouped by meaning so the API can map each family to one status."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Raised when a command cannot be carried out; `code` names the reason."""

    code: ClassVar[str] = "domain_error"

    def __init__(
        self,
        message: str,
        details: Any = None,
        position: int | None = None,
        log: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.position = position
        """Set when the refusal itself was recorded (a rejected order), for read-your-writes."""
        self.log = log
        """The application whose event log `position` counts in."""


class NotFoundError(DomainError):
    """Raised when the target of a command does not exist (or is not the caller's)."""

    code = "not_found"


class RuleViolationError(DomainError):
    """Raised when a command breaks a business rule."""

    code = "rule_violation"


class ConflictError(DomainError):
    """Raised when a command clashes with the current state."""

    code = "conflict"


class PermissionDeniedError(DomainError):
    """Raised when the caller's role does not allow the command."""

    code = "forbidden"


class DependencyFailedError(DomainError):
    """Raised when an outside service answered, but with something we cannot use."""

    code = "dependency_failed"


class ConcurrentUpdateError(ConflictError):
    """Raised when optimistic-concurrency retries are exhausted."""

    code = "concurrent_update"


class UnauthenticatedError(DomainError):
    """Raised when the caller could not be identified."""

    code = "unauthenticated"
