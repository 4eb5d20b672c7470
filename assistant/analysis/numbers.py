"""Parse one number token: Arabic ("0.3", "1,000", "1.5万", "3k", "10w"), full-width ("３０"),
Chinese numerals ("三", "二十五", "一百零五", "两万") and small English number words ("twenty-five").

The scanners in this package cut tokens out of a text; this module only says what a token is worth.
"""

from __future__ import annotations

import math

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
# Scale suffixes written right after Arabic digits (1.5万, 3k, 2M, 3千万, 10w: w is 万 in Chinese shorthand).
SCALE_SUFFIXES = {
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "w": 1e4,
    "千": 1e3,
    "万": 1e4,
    "十万": 1e5,
    "百万": 1e6,
    "千万": 1e7,
    "亿": 1e8,
    "thousand": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
}
ENGLISH_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "hundred": 100,
    "thousand": 1000,
}
_ENGLISH_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9}

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_ASCII_DIGITS = frozenset("0123456789")


def _arabic(text: str) -> float | None:
    """ "1,000", "0.3", ".5" (ASCII digits, optional thousands commas and one decimal point)."""
    head, dot, tail = text.partition(".")
    if dot and not (tail.isdecimal() and tail.isascii()):
        return None
    if "," in head:
        groups = head.split(",")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        head = "".join(groups)
    if not head:
        head = "0" if tail else ""
    if not (head.isdecimal() and head.isascii()):
        return None
    return float(f"{head}.{tail}" if tail else head)


def parse_chinese(token: str) -> float | None:
    """Value of a Chinese numeral: 三, 十二, 二十五, 一百零五, 两万, 1.5亿 (digits may stand before 十/百/千/万/亿)."""
    if not token:
        return None
    total = 0.0  # everything above the current 万/亿 section
    section = 0.0  # the part below the current 万/亿
    digit: float | None = None
    i, n = 0, len(token)
    while i < n:
        ch = token[i]
        if ch in CHINESE_DIGITS:
            if digit is not None and digit != 0 and CHINESE_DIGITS[ch] != 0:
                return None  # "五四": two digits in a row are a label, not a number
            digit = CHINESE_DIGITS[ch]
        elif ch in _ASCII_DIGITS or ch == ".":
            j = i
            while j < n and (token[j] in _ASCII_DIGITS or token[j] == "."):
                j += 1
            if digit is not None:
                return None
            digit = _arabic(token[i:j])
            if digit is None:
                return None
            i = j
            continue
        elif ch in CHINESE_UNITS:
            section += (1 if digit is None else digit) * CHINESE_UNITS[ch]
            digit = None
        elif ch in CHINESE_BIG:
            section += digit or 0
            if section == 0:
                return None  # "万一", "亿万" and the like
            if ch == "亿":
                total = (total + section) * CHINESE_BIG[ch]
            else:
                total += section * CHINESE_BIG[ch]
            section, digit = 0.0, None
        else:
            return None
        i += 1
    return total + section + (digit or 0)


def _english(token: str) -> float | None:
    """ "two", "twenty-five", "two hundred", "a dozen", "3 million"."""
    words = token.lower().replace("-", " ").split()
    if words[:1] == ["a"] and len(words) > 1:
        words[0] = "one"
    value = 0.0
    current: float | None = None
    for word in words:
        if word in _ENGLISH_SCALES and current is not None:
            current *= _ENGLISH_SCALES[word]
            if word != "hundred":
                value, current = value + current, None
        elif word in ENGLISH_NUMBERS:
            number = ENGLISH_NUMBERS[word]
            if current is not None and not (current >= 20 and current % 10 == 0 and number < 10):
                if current % 100 == 0 and number < 100:
                    current += number  # "two hundred five"
                    continue
                return None  # "two three"
            current = number if current is None else current + number
        elif word == "and" and current is not None:
            continue
        elif current is None and word[0] in _ASCII_DIGITS:
            current = _arabic(word)  # "3 million"
            if current is None:
                return None
        else:
            return None
    if current is None and value == 0:
        return None
    return value + (current or 0)


_SINGLE = {**{k: float(v) for k, v in CHINESE_DIGITS.items()}, "十": 10.0, "百": 100.0, "千": 1000.0}


def parse_number(token: str) -> float | None:
    """The value of a number token, or None when it is not one (labels like "五四", ids like "KR2").

    A value too large for a float (hundreds of digits) is not a number either.
    """
    single = _SINGLE.get(token)
    if single is not None:
        return single  # the most common Chinese numerals: 三 个, 两 倍
    text = token.strip()
    if not text:
        return None
    if not text.isascii():
        text = text.translate(_FULL_WIDTH)
    value = _value(text)
    return value if value is None or math.isfinite(value) else None


def _value(text: str) -> float | None:
    first = text[0]
    if first in _ASCII_DIGITS or first == ".":
        end = 0
        n = len(text)
        while end < n and (text[end] in _ASCII_DIGITS or text[end] in ".,"):
            end += 1
        if end == n:
            return _arabic(text)
        suffix = text[end:].strip()
        scale = SCALE_SUFFIXES.get(suffix)
        if scale is None and suffix.isascii() and suffix.lower() != "m":
            scale = SCALE_SUFFIXES.get(suffix.lower())
        if scale is not None:
            value = _arabic(text[:end])
            return None if value is None else value * scale
        if suffix.isascii():
            return _english(text) if " " in text else None
        return parse_chinese(text)
    if first.isascii():
        return _english(text) if first.isalpha() else None
    return parse_chinese(text)
