import pytest

from hjelpemiddel.core.crypto import FnrVault
from hjelpemiddel.core.fnr import fnr_problem, make_fnr, mask_fnr

VALID = make_fnr("010190", "233")


def test_a_generated_fnr_passes_both_check_digits():
    assert VALID is not None and fnr_problem(VALID) is None


@pytest.mark.parametrize("digit_position", range(11))
def test_changing_any_single_digit_is_caught(digit_position):
    digit = (int(VALID[digit_position]) + 1) % 10
    changed = VALID[:digit_position] + str(digit) + VALID[digit_position + 1:]
    assert fnr_problem(changed) is not None


def test_a_d_number_is_accepted():
    d_number = make_fnr("410190", "123")
    assert d_number and fnr_problem(d_number) is None


@pytest.mark.parametrize("raw,needle", [("123", "11 siffer"), ("0101901234a", "11 siffer"), ("00000000000", "dato"),
                                        ("32139912345", "dato")])
def test_malformed_numbers_are_explained(raw, needle):
    assert needle in fnr_problem(raw)


def test_the_mask_keeps_only_the_date_part():
    assert mask_fnr(VALID) == "010190 *****"


def test_the_vault_encrypts_differently_each_time_but_hashes_the_same():
    vault = FnrVault(["ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="], "nøkkel")
    first, second = vault.encrypt(VALID), vault.encrypt(VALID)
    assert first != second and VALID not in first
    assert vault.decrypt(first) == VALID
    assert vault.lookup_hash(VALID) == vault.lookup_hash(VALID) != VALID


def test_rotating_keys_still_decrypts_what_the_old_key_wrote():
    old = FnrVault(["ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="], "k")
    token = old.encrypt(VALID)
    rotated = FnrVault(["u1UHtbWv_O6TcMVkEAfU7pTg6ZsUi5Y1n0tBs2hR2Fk=", "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="], "k")
    assert rotated.decrypt(token) == VALID
