from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from nq57desk import vn


def test_numbers_money_percent():
    assert vn.fmt_number(14722) == "14.722"
    assert vn.fmt_number(72.5) == "72,5"
    assert vn.fmt_number(0.556) == "0,556"
    assert vn.fmt_money(1250000000) == "1.250.000.000 đồng"
    assert vn.fmt_percent(Decimal(12534) * 100 / Decimal(12555)) == "99,83%"
    assert vn.fmt_percent(Decimal(14706) * 100 / Decimal(14722)) == "99,89%"
    assert vn.fmt_percent(100) == "100%"
    assert vn.fmt_percent(50) == "50%"
    assert vn.fmt_percent(99.995) == "99,99%"  # not complete, so never "100%"
    assert vn.fmt_percent(Decimal(14721) * 100 / Decimal(14722)) == "99,99%"


def test_parse_what_officers_type():
    assert vn.parse_number("14722") == 14722
    assert vn.parse_number("14.722") == 14722
    assert vn.parse_number("1.250.000.000") == 1250000000
    assert vn.parse_number("72,5") == Decimal("72.5")
    assert vn.parse_number("99.89") == Decimal("99.89")
    assert vn.parse_number("99,89%") == Decimal("99.89")
    assert vn.parse_number("0.125") == Decimal("0.125")  # not 125: no grouped number starts with 0
    assert vn.parse_number("0,125") == Decimal("0.125")
    assert vn.parse_number("1.250") == 1250
    assert vn.parse_number("012.345") is None  # ambiguous: refused rather than guessed
    assert vn.parse_number("abc") is None
    assert vn.parse_number("") is None


@given(st.integers(min_value=0, max_value=10**12))
def test_format_parse_round_trip(n):
    assert vn.parse_number(vn.fmt_number(n)) == n


def test_dates_follow_decree_30():
    assert vn.date_line("Tân Cương", "2026-01-05") == "Tân Cương, ngày 05 tháng 01 năm 2026"
    assert vn.date_line("Phú Thịnh", "2026-04-24") == "Phú Thịnh, ngày 24 tháng 4 năm 2026"
    assert vn.fmt_date("2026-03-26") == "26/3/2026"
    assert vn.fmt_date("2026-02-09") == "09/02/2026"
    assert vn.parse_date("26/3/2026").isoformat() == "2026-03-26"
    assert vn.doc_number(5, "BC-UBND") == "Số: 05/BC-UBND"
    assert vn.doc_number("", "BC-UBND").startswith("Số:") and vn.doc_number("", "BC-UBND").endswith("/BC-UBND")


def test_point_letters_and_roman():
    assert [vn.point_letter(i) for i in range(1, 9)] == ["a", "b", "c", "d", "đ", "e", "g", "h"]
    assert vn.roman(4) == "IV" and vn.roman(10) == "X"


def test_nfc_and_fold():
    nfd = "ho\u0300a"  # "hòa" typed with a combining grave
    assert vn.nfc(nfd) == "hòa"
    assert vn.fold("Xã Tân Cương") == "xa tan cuong"
    assert vn.nfc_deep({"a": [nfd]}) == {"a": ["hòa"]}


def test_ascii_file_names_are_fat32_safe():
    assert vn.ascii_name("CON") == "_con"
    assert vn.ascii_name('Xã "Tân: Cương"?') == "xa_tan_cuong"
    assert len(vn.ascii_name("x" * 500)) <= 60


def test_official_names_are_clean():
    """The package spells ten names with a double space; the app shows and prints them with one."""
    from nq57desk.units import check_commune, commune, communes, provinces

    assert len(communes()) == 3321 and len(provinces()) == 34
    assert all("  " not in u.name and u.name == u.name.strip() for u in communes())
    assert commune("26887").name == "Phường An Nhơn"
    assert check_commune({"code": "26887", "name": "Phường  An Nhơn"}).name == "Phường An Nhơn"


def test_commune_search_puts_the_best_match_first():
    from nq57desk.units import search

    assert search("tan cuong")[0].name == "Xã Tân Cương"
    assert search("an truong")[0].name == "Xã An Trường"
    assert search("an truong", "31")[0].code == "11635"
    assert len(search("")) == 3321


def _babel(value, decimals=None):
    """The rule: babel's vi locale, as fmt_number used it before its fast path."""
    from babel.numbers import format_decimal

    if decimals is not None:
        d = vn._quantize(value, decimals)
        return format_decimal(d, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale="vi_VN")
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return format_decimal(d.to_integral_value(), format="#,##0", locale="vi_VN")
    return format_decimal(d.normalize(), format="#,##0.##########", locale="vi_VN")


@given(st.one_of(st.integers(-10**15, 10**15),
                 st.decimals(min_value=-10**12, max_value=10**12, places=6, allow_nan=False, allow_infinity=False),
                 st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)),
       st.one_of(st.none(), st.integers(0, 4)))
def test_fast_grouping_is_babels(value, decimals):
    assert vn.fmt_number(value, decimals) == _babel(value, decimals)


def test_fast_grouping_examples():
    assert vn.fmt_number(14722) == "14.722"
    assert vn.fmt_number(1_250_000_000) == "1.250.000.000"
    assert vn.fmt_number(-1234.5) == "-1.234,5"
    assert vn.fmt_number(0) == "0" and vn.fmt_number(0, 2) == "0,00"
    assert vn.fmt_number(72.5, 2) == "72,50"
    assert vn.fmt_number(Decimal("0.125")) == "0,125"


def test_same_words_as_officers_type_them():
    from nq57desk.vn import same_words

    assert same_words("Đã hoàn thành", "đã  hoàn thành.")
    assert same_words("Đã hoàn thành", "Đa\u0303 hoàn thành")  # NFD from a paste
    assert not same_words("Đã hoàn thành", "Da hoan thanh")  # the accents are the words
    assert not same_words("Đã hoàn thành", "Chưa hoàn thành")
