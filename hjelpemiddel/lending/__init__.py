"""Lending: a citizen's need (behov), its application (søknad), the reservation of a concrete
device, the loan (utlån: short-term from municipal stock, long-term/varig via NAV), extensions,
the return request, collection and receipt at the depot."""


def blueprints():
    from .api import bp as api_bp
    from .therapist_views import bp as therapist_bp
    from .views import bp as web_bp

    return [api_bp, web_bp, therapist_bp]
