import pytest

from hjelpemiddel.core.ids import DEVICE_PREFIX, LOCATION_PREFIX, looks_like_code, make_code, normalize_scan, parse_code


def test_a_code_is_prefix_seven_digits_and_a_luhn_check_digit():
    assert make_code(DEVICE_PREFIX, 1) == "HJM00000018"
    assert make_code(LOCATION_PREFIX, 1234567) == "LOK12345674"


def test_every_single_mistyped_digit_is_caught():
    code = make_code(DEVICE_PREFIX, 4711)
    for position in range(3, len(code)):
        for digit in "0123456789":
            if digit != code[position]:
                typo = code[:position] + digit + code[position + 1:]
                assert parse_code(typo) is None, typo


def test_swapped_neighbouring_digits_are_caught():
    code = make_code(DEVICE_PREFIX, 1234567)
    body = code[3:10]
    for i in range(len(body) - 1):
        if body[i] != body[i + 1] and {body[i], body[i + 1]} != {"0", "9"}:
            swapped = body[:i] + body[i + 1] + body[i] + body[i + 2:]
            assert parse_code("HJM" + swapped + code[-1]) is None


def test_parse_code_returns_prefix_and_number():
    assert parse_code(make_code(LOCATION_PREFIX, 42)) == ("LOK", 42)


@pytest.mark.parametrize("raw", ["", "HJM123", "XYZ00000018", "hjm00000018", "HJM0000001A"])
def test_malformed_codes_do_not_parse(raw):
    assert parse_code(raw) is None


def test_a_code_with_a_wrong_check_digit_still_looks_like_one_of_ours():
    assert looks_like_code("HJM00000012") and parse_code("HJM00000012") is None


def test_scanner_noise_and_lower_case_are_normalised():
    assert normalize_scan("  hjm00000018\r\n") == "HJM00000018"


@pytest.mark.parametrize("number", [0, -1, 10**7])
def test_numbers_outside_seven_digits_are_refused(number):
    with pytest.raises(ValueError):
        make_code(DEVICE_PREFIX, number)
