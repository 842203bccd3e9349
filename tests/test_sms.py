"""SMS length and parts, counted as Chinese gateways bill them."""

from __future__ import annotations

import pytest

from outreach.rendering.sms import count


@pytest.mark.parametrize("length, parts", [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)])
def test_chinese_is_ucs2(length, parts):
    result = count("诈" * length)
    assert (result.encoding, result.units, result.parts) == ("UCS-2", length, parts)


@pytest.mark.parametrize("length, parts", [(160, 1), (161, 2), (306, 2), (307, 3)])
def test_ascii_is_gsm7(length, parts):
    result = count("a" * length)
    assert (result.encoding, result.units, result.parts) == ("GSM-7", length, parts)


def test_gsm7_extended_characters_count_twice():
    assert count("{" * 80) == count("a" * 160)
    assert count("{" * 81).parts == 2
    assert count("€[]~^|\\}").units == 16


def test_one_chinese_character_switches_everything_to_ucs2():
    result = count("a" * 69 + "诈")
    assert (result.encoding, result.units, result.parts) == ("UCS-2", 70, 1)
    assert count("a" * 70 + "诈").parts == 2


def test_signature_counts():
    body = "诈" * 63
    assert count(body).parts == 1
    assert count("【示例派出所】" + body).units == 70
    assert count("【示例派出所】" + body + "骗").parts == 2


def test_characters_beyond_the_bmp_take_two_units():
    assert count("😀").units == 2
    assert count("𠀀" * 35).parts == 1 and count("𠀀" * 36).parts == 2


def test_empty_message():
    assert count("").parts == 0


def test_capacity_of_billed_parts():
    from outreach.rendering.sms import capacity, count

    assert capacity("UCS-2", 1) == 70 and capacity("UCS-2", 2) == 134
    assert capacity("GSM-7", 1) == 160 and capacity("GSM-7", 3) == 459
    # A message exactly at the capacity of two parts is two parts; one character more is three.
    assert count("骗" * 134).parts == 2 and count("骗" * 135).parts == 3
