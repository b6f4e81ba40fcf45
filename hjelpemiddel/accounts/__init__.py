"""People who use the service: the admin's page and the ``hjelpemiddel users|tokens`` commands to
create users, change roles, deactivate, reset passwords, and list and revoke API tokens. The models
and the login itself live in ``core`` (``core/auth.py``, ``core/logins.py``)."""


def blueprints():
    from .views import bp as web_bp

    return [web_bp]
