"""The password rule: long enough, not common, not the username, not one character over and over."""
import pytest

from hjelpemiddel.core.errors import ValidationFailed
from hjelpemiddel.core.passwords import check_password, common_passwords, generate_password, password_problem


@pytest.mark.parametrize("password,why", [
    ("password", "minst 12 tegn"), ("12345678", "minst 12 tegn"), ("kort-pass", "minst 12 tegn"),
    ("passwordpassword", "for vanlig"), ("123456789012", "for vanlig"), ("qwertyuiopasdf", "for vanlig"),
    ("sommerfugl123", "for vanlig"), ("Sommerfugl2026!", "for vanlig"), ("Hjelpemiddel2026", "for vanlig"),
    ("ROSENBORG1963", "for vanlig"), ("aaaaaaaaaaaa", "forskjellige tegn"), ("abababababab", "forskjellige tegn"),
    ("kari.nordmann", "brukernavnet"), ("Kari.Nordmann2026", "brukernavnet"),
])
def test_weak_passwords_are_refused_with_the_reason(password, why):
    assert why in password_problem(password, "kari.nordmann")
    with pytest.raises(ValidationFailed) as refused:
        check_password(password, "kari.nordmann")
    assert refused.value.details == {"password": [password_problem(password, "kari.nordmann")]}


@pytest.mark.parametrize("password", ["demo-passord", "langt-passord", "grønn-sykkel-på-taket", "Tre ord som husker"])
def test_long_uncommon_passwords_are_accepted(password):
    assert password_problem(password, "kari") is None


def test_the_shipped_list_holds_thousands_of_lowercase_entries():
    entries = common_passwords()
    assert len(entries) > 3000
    assert all(entry == entry.lower() for entry in entries)


def test_a_generated_password_passes_the_rule_and_differs_each_time():
    first, second = generate_password(), generate_password()
    assert first != second and password_problem(first, "kari") is None
