"""Parse one number token: Arabic (1,000 / 0.3 / 1.5万 / 15k), full-width, or Chinese numerals (二十五, 两)."""

from __future__ import annotations

import re

CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_BIG = {"万": 10_000, "亿": 100_000_000}
SCALE_SUFFIXES = {"k": 1e3, "K": 1e3, "M": 1e6, "千": 1e3, "万": 1e4, "亿": 1e8}

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")
_ARABIC = re.compile(r"^(\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)\s*([kKM千万亿]?)$")


def parse_chinese(token: str) -> float | None:
    """Value of a Chinese numeral such as 三, 十二, 二十五, 一百零五, 两万, 1.5亿 (digits before 万/亿 allowed)."""
    if not token:
        return None
    total = 0.0
    section = 0.0  # the part below the current 万/亿
    digit: float | None = None
    i = 0
    while i < len(token):
        ch = token[i]
        if ch in CHINESE_DIGITS:
            if digit is not None and digit != 0 and CHINESE_DIGITS[ch] != 0:
                return None  # "五四": two digits in a row are a label, not a number
            digit = CHINESE_DIGITS[ch]
        elif ch.isdigit() or ch == ".":
            match = re.match(r"\d+(?:\.\d+)?", token[i:])
            if match is None or digit is not None:
                return None
            digit = float(match.group())
            i += len(match.group())
            continue
        elif ch in CHINESE_UNITS:
            section += (1 if digit is None else digit) * CHINESE_UNITS[ch]
            digit = None
        elif ch in CHINESE_BIG:
            section += digit or 0
            if section == 0 and total == 0:
                return None  # "万一" and the like
            total = (total + section) * CHINESE_BIG[ch] if ch == "亿" else total + section * CHINESE_BIG[ch]
            section, digit = 0.0, None
        else:
            return None
        i += 1
    return total + section + (digit or 0)


def parse_number(token: str) -> float | None:
    """The value of a number token, or None when it is not one."""
    try:
        return float(token)  # the common case, "60" or "0.3"
    except ValueError:
        pass
    text = token.strip().translate(_FULL_WIDTH)
    if not text:
        return None
    match = _ARABIC.match(text)
    if match:
        return float(match.group(1).replace(",", "")) * SCALE_SUFFIXES.get(match.group(2), 1)
    return parse_chinese(text)
