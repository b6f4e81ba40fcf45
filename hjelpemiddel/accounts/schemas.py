"""What the admin's user page accepts."""
from __future__ import annotations

from marshmallow import fields, validate

from ..core.auth import ROLES
from ..core.schemas import PageArgs, Schema

STATUSES = {"aktive": True, "deaktiverte": False, "alle": None}


class UserQuery(PageArgs):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    role = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ROLES, error="Ukjent rolle."))
    status = fields.String(load_default="aktive", validate=validate.OneOf(tuple(STATUSES), error="Ukjent status."))


class UserIn(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64, error="Må ha 1–64 tegn."))
    role = fields.String(required=True, validate=validate.OneOf(ROLES, error="Ukjent rolle."))
    full_name = fields.String(load_default="", validate=validate.Length(max=200, error="Høyst 200 tegn."))
    password = fields.String(required=True)


class RoleIn(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES, error="Ukjent rolle."))


class PasswordIn(Schema):
    # Blank: a random password is made and shown once.
    password = fields.String(load_default=None)


class TokenIn(Schema):
    label = fields.String(load_default="", validate=validate.Length(max=100, error="Høyst 100 tegn."))
