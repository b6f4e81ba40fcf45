"""One error hierarchy, answered as one JSON shape for the API and a friendly page for people."""
from __future__ import annotations

from typing import Any


class AppError(Exception):
    """``message`` is for people (bokmål, states and fields by their Norwegian names); ``details`` are
    for programs (codes and machine names), so pages show them only where they name bad fields."""

    status = 400
    code = "bad_request"
    # True when the message already says everything the details hold (pages then skip the list).
    summarised = False
    names_fields = False
    # Seconds after which trying again makes sense (429, 503): sent as the Retry-After header.
    retry_after: int | None = None

    def __init__(self, message: str, details: dict[str, Any] | None = None, code: str | None = None,
                 retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code
        if retry_after is not None:
            self.retry_after = retry_after

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(AppError):
    status = 400
    code = "bad_request"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class InvalidState(Conflict):
    """An illegal life-cycle step: names the current state and what is allowed from it."""

    code = "invalid_state"


class Unavailable(AppError):
    """An outside system (NAV) did not answer; nothing was changed here, try again later."""

    status = 503
    code = "unavailable"


class TooManyRequests(AppError):
    """Too many attempts in a time window; ``retry_after`` says in how many seconds one may try again."""

    status = 429
    code = "too_many_requests"
    retry_after = 60


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class ValidationFailed(AppError):
    """Details map each bad field to its messages."""

    status = 422
    code = "validation_failed"
    names_fields = True

    @classmethod
    def for_field(cls, field: str, message: str) -> "ValidationFailed":
        from .text import field_label

        error = cls(f"{field_label(field)}: {message}", {field: [message]})
        error.summarised = True
        return error
