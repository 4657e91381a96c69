"""The whole flow in a real browser (Debian's Chromium, headless, driven by Playwright),
against the portal served on 127.0.0.1 during the test.

A candidate on a phone-sized screen registers, declares, uploads through the file chooser
(the progress bar shows), submits and downloads the receipt; the employer's HR approves; a
reviewer claims the item, zooms a scan and asks for a supplement; the candidate fixes it;
the reviewer passes it; an administrator publishes and the public page shows the masked
entry. Screenshots go to test-artifacts/screenshots/; any JavaScript console error fails.
"""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect, sync_playwright

from candidates.enums import ApplicationStatus
from candidates.models import Application, GeneratedDocument
from candidates.services.ocr import ocr_sweep
from tests import factories
from tests.conftest import sms_code_for
from tests.files import pdf_bytes
from tests.pages import jpeg as page_jpeg
from tests.pages import page as scanned_page

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "Correct-Horse-42"
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1366, "height": 900}


def code_for(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


class Browser:
    """One browser; a context per person; console errors collected from every page."""

    def __init__(self, playwright, base_url: str):
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        self.base_url = base_url
        self.errors: list[str] = []

    def page(self, viewport):
        context = self.browser.new_context(viewport=viewport, base_url=self.base_url, accept_downloads=True)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def login_staff(self, user, viewport=DESK, keyboard_only=False):
        page = self.page(viewport)
        page.goto("/login/")
        if keyboard_only:
            # The name field has the focus on arrival; type, Tab, type, Enter.
            expect(page.locator("#id_username")).to_be_focused()
            page.keyboard.type(user.username)
            page.keyboard.press("Tab")
            expect(page.locator("#id_password")).to_be_focused()
            page.keyboard.type(PASSWORD)
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r"/otp/"))
            expect(page.locator("#id_token")).to_be_focused()  # autofocus
            page.keyboard.type(code_for(user))
            page.keyboard.press("Enter")
            return page
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(re.compile(r"/otp/"))
        # Until the code is confirmed the menu offers only 取消登录, no role page.
        expect(page.locator(".site-header nav")).to_contain_text("取消登录")
        expect(page.locator(".site-header nav")).not_to_contain_text("退出")
        page.fill("#id_token", code_for(user))
        page.click("button.primary")
        return page


AXE = Path(__file__).resolve().parents[2] / ".venv" / "axe.min.js"


def accessibility_problems(page) -> list[str]:
    """Serious and critical WCAG 2 A/AA findings of axe-core on the current page."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through the driver, so the page's CSP stays strict
    result = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})")
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}) x{len(violation['nodes'])}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def shot(page, name: str, audit: list | None = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if audit is not None:
        audit.extend(accessibility_problems(page))


def upload(page, code: str, *paths: Path) -> None:
    """Choose files through the chooser and watch the progress bar appear."""
    page.evaluate(
        """code => {
            const bar = document.querySelector(`#item-${code} form[data-upload] progress`);
            sessionStorage.removeItem("progressSeen");
            new MutationObserver(() => { if (!bar.hidden) sessionStorage.setItem("progressSeen", "1"); })
                .observe(bar, {attributes: true});
        }""",
        code,
    )
    with page.expect_file_chooser() as chooser:
        page.click(f"#files-{code}")
    chooser.value.set_files([str(path) for path in paths])
    # The script posts the files, then reloads the page: wait for that reload.
    with page.expect_navigation():
        page.click(f"#item-{code} form[data-upload] button[type=submit]")
    page.wait_for_selector(f"#item-{code} .tag.ok")
    assert page.evaluate("sessionStorage.getItem('progressSeen')") == "1"  # the bar showed


@pytest.fixture
def portal(live_server, private_storage, settings, monkeypatch):
    """The people and the round: an employer that reviews online, a reviewer, an administrator."""
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    city = factories.CityFactory(code="changsha", name="长沙")
    exam = factories.ExamFactory(code="shegong", name="社会工作者")
    now = timezone.now()
    round_ = factories.RoundFactory(
        name="2026年度社会工作者考后人工核查（长沙）",
        city=city,
        exams=[exam],
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=5),
        publication_at=now - datetime.timedelta(minutes=1),
    )
    hr = factories.EmployerHRFactory(organisation__name="长沙示范设计院", user__first_name="王人事")
    reviewer = factories.CityReviewerFactory(city=city, user__first_name="赵核查").user
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    for user in (hr.user, reviewer, admin):
        TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    id_number = factories.make_id_number("19900307")
    factories.RosterEntryFactory(round=round_, exam=exam, id_number=id_number, name="王小明")
    return {"url": live_server.url, "hr": hr, "reviewer": reviewer, "admin": admin, "id_number": id_number}


@pytest.mark.django_db(transaction=True)
def test_the_whole_flow_in_a_browser(portal, tmp_path):
    scan = tmp_path / "报名表.jpg"  # a page OCR reads: the name, the ID number, the employer
    form_lines = [
        "资格考试报名表",
        "姓名：王小明",
        f"身份证号：{portal['id_number']}",
        "工作单位：长沙示范设计院",
    ]
    scan.write_bytes(page_jpeg(scanned_page(form_lines)))
    scan_back = tmp_path / "报名表-第2页.jpg"
    scan_back.write_bytes(
        page_jpeg(scanned_page(["资格考试报名表（续）", "工作经历：2012年7月至今 长沙示范设计院"]))
    )
    not_a_scan = tmp_path / "照片.jpg"
    not_a_scan.write_bytes(b"this is not a picture")
    record = tmp_path / "备案表.pdf"
    record.write_bytes(pdf_bytes(2))
    fixed = tmp_path / "备案表-清晰版.pdf"
    fixed.write_bytes(pdf_bytes(1))
    roster = tmp_path / "名单.csv"
    roster.write_bytes(
        "2026年度须参加考后人工核查人员名单\n序号,姓名,身份证号码,人工核查类别,报考级别\n"
        f"1,赵新,{factories.make_id_number('19850101')},在线服务平台无法核查,中级\n"
        "2,钱错,12345,1,中级\n".encode("gbk")
    )

    problems: list[str] = []  # accessibility findings, page by page
    with sync_playwright() as playwright:
        browser = Browser(playwright, portal["url"])

        # 1. The candidate, on a phone.
        phone = browser.page(PHONE)
        phone.goto("/register/")
        shot(phone, "01-register", problems)
        phone.fill("#id_real_name", "王小明")
        phone.fill("#id_id_number", portal["id_number"])
        phone.fill("#id_phone", "13712345678")
        phone.fill("#id_password1", PASSWORD)
        phone.fill("#id_password2", PASSWORD)
        phone.click("button.primary")
        expect(phone.get_by_role("heading", name="验证手机号码")).to_be_visible()
        shot(phone, "01b-verify-phone", problems)
        phone.fill("#id_code", sms_code_for("13712345678"))
        phone.click("button.primary")
        expect(phone.get_by_role("button", name="开始申报")).to_be_visible()
        shot(phone, "02-dashboard", problems)
        # The picker's script arrives after the fields are typed in (it is deferred; held back
        # here): what was typed before it ran is looked up all the same.
        held = []
        phone.route("**/js/employer_search.js", lambda route: held.append(route))
        phone.get_by_role("button", name="开始申报").click()
        # The declaration in three short steps, each saved on its own.
        phone.fill("#id_employer_name", "长沙示范")
        phone.fill("#id_employer_credit_code", portal["hr"].organisation.credit_code)
        while not held:
            phone.wait_for_timeout(50)
        held[0].continue_()
        phone.unroute("**/js/employer_search.js")
        expect(phone.locator("#id_employer_name")).to_have_value("长沙示范设计院")  # the picker filled it
        shot(phone, "03-declaration-employer", problems)
        phone.get_by_role("button", name="保存，下一步").click()
        expect(phone.locator(".steps [aria-current=step]")).to_contain_text("学历")
        # Saved half-filled: the error summary comes first, takes the focus, links to each field.
        phone.select_option("#id_education_type", "higher")
        phone.get_by_role("button", name="保存，下一步").click()
        expect(phone.locator(".error-summary")).to_be_focused()
        shot(phone, "03b-declaration-errors", problems)
        phone.locator(".error-summary a[href='#id_school']").click()
        expect(phone.locator("#id_school")).to_be_focused()
        # The chsi tick follows the graduation date.
        phone.fill("#id_graduation_date", "1998-06")
        expect(phone.locator("#id_chsi_registered")).to_be_disabled()
        phone.fill("#id_graduation_date", "2012-06")
        expect(phone.locator("#id_chsi_registered")).to_be_enabled()
        phone.check("#id_chsi_registered")
        phone.select_option("#id_education_level", "bachelor")
        phone.fill("#id_school", "湖南大学")
        phone.fill("#id_major", "社会工作")
        phone.get_by_role("button", name="保存，下一步").click()
        phone.fill("#id_work_start_date", "2012-07")
        phone.fill("#id_work-0-start", "2012-07")
        phone.fill("#id_work-0-employer", "长沙示范设计院")
        phone.fill("#id_work-0-position", "社会工作")
        shot(phone, "03-declaration", problems)
        phone.get_by_role("button", name="保存申报信息").click()
        expect(phone.locator(".timeline .step-current")).to_have_text(re.compile("上传材料"))
        # A refused file: the message in red, the bar gone; the next try starts afresh.
        with phone.expect_file_chooser() as chooser:
            phone.click("#files-application_form")
        chooser.value.set_files(str(not_a_scan))
        phone.click("#item-application_form form[data-upload] button[type=submit]")
        expect(phone.locator("#status-application_form")).to_contain_text("只能上传 PDF、JPG 或 PNG")
        expect(phone.locator("#status-application_form")).to_have_class(re.compile("error"))
        expect(phone.locator("#item-application_form progress")).to_be_hidden()
        # The browser logs the refusal's 400 as a console error: expected here, and only here.
        refused = [error for error in browser.errors if "status of 400" in error]
        assert len(refused) == 1
        browser.errors.remove(refused[0])
        # Two pages chosen together are one version.
        upload(phone, "application_form", scan, scan_back)
        expect(phone.locator("#item-application_form .files")).to_contain_text("第 1 版（2/2）")
        upload(phone, "edu_chsi_record", record)
        shot(phone, "04-uploaded", problems)
        phone.get_by_role("link", name="检查并申报").click()
        expect(phone.get_by_role("heading", name="检查并申报")).to_be_visible()
        phone.get_by_role("button", name="确认并申报").click()
        expect(phone.locator(".messages")).to_contain_text("请阅读并勾选承诺")  # the commitment is asked
        phone.check("#id_commitment")
        shot(phone, "04b-check-answers", problems)
        phone.get_by_role("button", name="确认并申报").click()
        expect(phone.locator(".status")).to_have_text("待单位初审")
        expect(phone.get_by_role("heading", name="接下来")).to_be_visible()
        with phone.expect_download() as download:
            phone.get_by_role("link", name="下载申报回执（PDF）").click()
        assert download.value.suggested_filename.endswith(".pdf")
        shot(phone, "05-submitted", problems)
        application = Application.objects.get()

        # 2. The employer's HR approves.
        hr = browser.login_staff(portal["hr"].user)
        expect(hr).to_have_url(re.compile("/employer/"))
        shot(hr, "06-employer-queue", problems)
        # Select all: the count shows, and the bulk approval asks to confirm the names first.
        hr.get_by_label("全选").check()
        expect(hr.locator("[data-selected-count]")).to_have_text("已选 1 份")
        for box in hr.locator("form[data-bulk] input[name=checks]").all():
            box.check()
        hr.get_by_role("button", name="批量通过所选申请").click()
        expect(hr.get_by_role("heading", name="确认通过 1 份申请")).to_be_visible()
        shot(hr, "06a-employer-bulk-confirm", problems)
        hr.get_by_role("link", name="返回修改").click()
        # Search by ID number, then approve one by one.
        hr.fill("#id_q", portal["id_number"])
        hr.get_by_role("button", name="查找").click()
        hr.get_by_role("link", name="王小明").click()
        for box in hr.locator("input[name=checks]").all():
            box.check()
        hr.get_by_role("button", name="初审通过并出具工作年限证明").click()
        expect(hr.locator(".messages")).to_contain_text("已通过初审")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.CITY_REVIEW
        hr.goto("/employer/")
        approved = hr.locator("section:has(h2:text('已通过初审'))")
        expect(approved).to_contain_text("王小明")
        expect(approved.get_by_role("link", name="下载（PDF）")).to_have_count(1)

        # 3. A reviewer claims it, zooms a scan, asks for a supplement of the education proof.
        # The periodic job reads the uploaded pages (OCR never runs in a request).
        assert ocr_sweep() == 4  # two form pages, the record's two pages
        reviewer = browser.login_staff(portal["reviewer"])
        expect(reviewer).to_have_url(re.compile("/review/"))
        shot(reviewer, "06b-review-queue", problems)
        reviewer.get_by_role("button", name="领取下一份").click()
        # What OCR read, compared with the application: an aid, and the page says so.
        expect(reviewer.locator("[data-ocr-summary]")).to_contain_text("仅供参考")
        form_ocr = reviewer.locator("#material-application_form [data-ocr]")
        expect(form_ocr.locator("[data-ocr-fact=id_number]")).to_contain_text("一致")
        expect(form_ocr.locator("[data-ocr-fact=name]")).to_contain_text("王小明")
        expect(form_ocr.locator("[data-ocr-fact=employer]")).to_contain_text("一致")
        marks = reviewer.locator("#material-application_form svg.ocr-marks").first
        expect(marks).to_be_visible()  # the words read are highlighted on the page image
        assert marks.locator("rect.ocr-match").count() >= 3
        shot(reviewer, "07c-ocr", problems)
        viewer = reviewer.locator(".viewer").first
        first_image = viewer.locator(".viewer-stage img").first
        stage = viewer.locator(".viewer-stage")
        fit_width = first_image.bounding_box()["width"]
        for _step in range(4):  # to 200%
            viewer.locator("[data-act=zoom-in]").click()
        expect(first_image).to_have_attribute("data-zoom", "2")
        expect(viewer.locator("[data-role=zoom]")).to_have_text("200%")
        # Zoomed from the top-left: the page's corner (title, name, ID lines) is in view.
        image_box, stage_box = first_image.bounding_box(), stage.bounding_box()
        assert abs(image_box["width"] - 2 * fit_width) < 4
        assert abs(image_box["x"] - stage_box["x"]) < 3 and abs(image_box["y"] - stage_box["y"]) < 3
        # Pan by keys and by drag; the stage scrolls over the whole page.
        viewer.focus()
        reviewer.keyboard.press("ArrowRight")
        assert stage.evaluate("s => s.scrollLeft") > 0
        stage.scroll_into_view_if_needed()
        here = stage.bounding_box()
        reviewer.mouse.move(here["x"] + 100, here["y"] + 150)
        reviewer.mouse.down()
        reviewer.mouse.move(here["x"] + 100, here["y"] + 60, steps=5)
        reviewer.mouse.up()
        assert stage.evaluate("s => s.scrollTop") > 0
        # Fit to width, then rotate: the page stays inside the stage's width.
        reviewer.keyboard.press("0")
        expect(first_image).to_have_attribute("data-zoom", "1")
        reviewer.keyboard.press("r")
        expect(first_image).to_have_attribute("style", re.compile(r"rotate\(90deg\)"))
        rotated = first_image.bounding_box()
        assert rotated["width"] <= stage.bounding_box()["width"] + 2 and rotated["x"] >= stage_box["x"] - 2
        # The large view fills the screen and Esc closes it.
        reviewer.keyboard.press("f")
        expect(viewer).to_have_class(re.compile("viewer-large"))
        assert stage.bounding_box()["height"] > 600
        shot(reviewer, "07a-large-view", problems)
        reviewer.keyboard.press("Escape")
        expect(viewer).not_to_have_class(re.compile("viewer-large"))
        shot(reviewer, "07-review", problems)
        viewer.locator("[data-act=zoom-in]").click()
        judge(reviewer, bad="edu_chsi_record")
        expect(first_image).to_have_attribute("data-zoom", "1.25")  # saved in place: the zoom stays
        reviewer.reload()  # and the saved verdicts show on the form
        expect(reviewer.locator("#material-edu_chsi_record input[name=ok][value='0']")).to_be_checked()
        expect(reviewer.locator("#material-edu_chsi_record select[name=reason]")).to_have_value("blurred")
        reviewer.check("input[name=kind][value=supplement]")
        reviewer.fill("#id_reason", "备案表扫描不清，请重新下载后上传。")
        reviewer.get_by_role("button", name="保存决定", exact=True).click()
        expect(reviewer.locator(".messages")).to_contain_text("需补正")

        # 4. The candidate fixes it.
        phone.reload()
        expect(phone.locator(".status")).to_have_text("需补正")
        expect(phone.locator("#item-edu_chsi_record .tag")).to_have_text("需补正")  # not also 已上传
        shot(phone, "08-supplement", problems)
        # Removing the unclear file asks first: dismissed, it stays; accepted, it goes.
        remove = phone.locator("#item-edu_chsi_record form[data-confirm] button")
        phone.once("dialog", lambda dialog: dialog.dismiss())
        remove.click()
        expect(phone.locator("#item-edu_chsi_record > ul.files > li")).to_have_count(1)
        phone.once("dialog", lambda dialog: dialog.accept())
        with phone.expect_navigation():
            remove.click()
        expect(phone.locator("#item-edu_chsi_record > ul.files")).to_have_count(0)
        upload(phone, "edu_chsi_record", fixed)
        expect(phone.locator("#item-edu_chsi_record .tag")).to_have_text("已补正上传")
        phone.get_by_role("button", name="提交补正").click()
        expect(phone.locator(".status")).to_have_text("待人工核查")

        # 5. The reviewer passes it.
        reviewer.goto("/review/")
        reviewer.fill("#id_q", portal["id_number"])  # found by the ID number
        reviewer.get_by_role("button", name="筛选").click()
        expect(reviewer.locator("table tbody tr")).to_have_count(1)
        expect(reviewer.locator("table tbody")).to_contain_text("王小明")
        shot(reviewer, "08b-review-search", problems)
        reviewer.get_by_role("button", name="领取下一份").click()
        expect(reviewer.locator("#material-edu_chsi_record [data-verdict-state]")).to_contain_text(
            "上次审核后文件有变化"
        )
        judge(reviewer)
        reviewer.check("input[name=kind][value=pass]")
        reviewer.get_by_role("button", name="保存决定", exact=True).click()
        expect(reviewer.locator(".messages")).to_contain_text("核查通过")
        phone.reload()
        expect(phone.locator(".status")).to_have_text("核查通过")
        shot(phone, "09-passed", problems)
        with phone.expect_download() as notice:
            phone.get_by_role("link", name="下载核查结果告知书（PDF）").click()
        assert notice.value.suggested_filename.startswith("核查结果告知书")

        # 6. An administrator publishes; the public page shows the masked entry.
        admin = browser.login_staff(portal["admin"], keyboard_only=True)
        expect(admin).to_have_url(re.compile("/manage/"))
        # The reviewers, managed here: invite one who will not handle second checks.
        admin.get_by_role("link", name="核查人员").click()
        admin.fill("#id_name", "钱新人")
        admin.fill("#id_email", "qian@example.com")
        admin.select_option("#id_city", label="长沙")
        admin.uncheck("#id_handles_second_checks")
        admin.get_by_role("button", name="发送邀请").click()
        expect(admin.locator(".messages")).to_contain_text("已向 qian@example.com 发送邀请")
        expect(admin.locator("section", has_text="已邀请、尚未设置账号")).to_contain_text("不处理复核和申辩")
        shot(admin, "09c-reviewers", problems)
        # A roster in a bureau's own shape: the mapping is shown first, then the refused rows.
        admin.goto("/manage/")
        section = admin.locator("section", has_text="社会工作者考后人工核查")
        section.locator("input[type=file]").set_input_files(str(roster))
        section.get_by_role("button", name="上传并校验").click()
        expect(admin.get_by_role("heading", name="核对列对应")).to_be_visible()
        admin.select_option("select[name=column-3]", "reason")  # 人工核查类别: mapped by hand
        shot(admin, "09d-import-mapping", problems)
        admin.get_by_role("button", name="按此对应开始校验").click()
        expect(admin.get_by_text("未通过校验的行（共 1 行）")).to_be_visible()
        expect(admin.get_by_role("button", name="确认导入 1 条")).to_be_visible()
        shot(admin, "09e-import-result", problems)
        admin.goto("/manage/")
        admin.get_by_role("link", name="立即公示…").click()
        expect(admin.get_by_text("将公示目前核查通过的 1 人")).to_be_visible()
        shot(admin, "09b-publish-confirm", problems)
        admin.get_by_role("button", name="确认立即公示").click()
        expect(admin.locator(".messages")).to_contain_text("公示名单正在生成（1 人）")
        public = browser.page(PHONE)
        public.goto("/pass-lists/")
        round_section = public.locator("section", has_text="社会工作者考后人工核查")
        round_section.get_by_role("link", name="通过人员名单").click()
        masked = f"{portal['id_number'][:6]}********{portal['id_number'][14:]}"
        expect(public.locator("table")).to_contain_text(masked)
        expect(public.locator("table")).not_to_contain_text(portal["id_number"])
        # On the phone a card a person: the name on one line, not a character a line.
        name_cell = public.locator("td.name").first
        assert name_cell.bounding_box()["height"] < 40 and name_cell.bounding_box()["width"] > 40
        public.fill("#last4", portal["id_number"][-4:])
        public.get_by_role("button", name="查找").click()
        expect(public.locator("tbody tr")).to_have_count(1)
        shot(public, "10-public-list", problems)
        # A report during the objection period gets a number to look the outcome up with.
        public.get_by_role("link", name="举报 王小明").click()
        public.fill("#id_contact", "13900001111")
        public.fill("#id_text", "该人员的工作年限证明与实际不符，请核实。")
        public.get_by_role("button", name="提交举报").click()
        expect(public.locator(".messages")).to_contain_text("举报已收到，编号 JB")
        expect(public.locator("section")).to_contain_text("待处理")
        shot(public, "10b-report-lookup", problems)
        # Nothing scrolls sideways on the phone; the bureau's numbers are tap-to-call.
        wide = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        public.goto("/cities/")
        expect(public.locator("a.tel").first).to_have_attribute("href", re.compile(r"^tel:\d+$"))
        assert not public.evaluate(wide)
        shot(public, "10c-cities", problems)
        public.goto("/self-check/?kind=normal&education=higher&graduated=2010-07&registered=on")
        assert not public.evaluate(wide)
        shot(public, "10d-self-check", problems)

        # 7. The list is final: the certificate is registered; the candidate books mail
        # delivery, the bureau exports the bookings and imports the tracking number.
        from notices.models import PassList
        from notices.services.publication import pass_list_finalize_due
        from notices.tasks import task_issue_certificates

        first_list = PassList.objects.get(round__name__contains="社会工作者", series=1)
        pass_list_finalize_due(now=first_list.objection_ends_at + datetime.timedelta(minutes=1))
        task_issue_certificates(pass_list_id=first_list.pk)
        phone.goto(f"/applications/{application.pk}/")
        phone.get_by_role("link", name="预约邮寄（运费到付）").click()
        phone.fill("#id_recipient", "王小明")
        phone.fill("#id_phone", "13712345678")
        phone.select_option("#id_province", "湖南省")
        phone.fill("#id_city", "长沙市")
        phone.fill("#id_district", "岳麓区")
        phone.fill("#id_address", "麓山南路 1 号")
        shot(phone, "13-book-mail", problems)
        phone.get_by_role("button", name="确认预约（运费到付）").click()
        expect(phone.locator("[data-certificate-status]")).to_have_text("已预约邮寄")
        admin.goto("/manage/")
        admin.locator("section", has_text="社会工作者考后人工核查").get_by_role("link", name="证书…").click()
        with admin.expect_download() as bookings:
            admin.get_by_role("link", name=re.compile("导出待寄出的邮寄名单")).click()
        from openpyxl import Workbook, load_workbook

        exported = load_workbook(io.BytesIO(Path(bookings.value.path()).read_bytes())).active
        number = next(exported.iter_rows(min_row=2, values_only=True))[0]
        tracking = Workbook()
        tracking.active.append(["证书编号", "快递单号"])
        tracking.active.append([number, "SF1234567890"])
        tracking_file = tmp_path / "快递单号.xlsx"
        tracking.save(tracking_file)
        admin.set_input_files("#tracking-file", str(tracking_file))
        admin.get_by_role("button", name="导入快递单号", exact=True).click()
        expect(admin.locator(".messages")).to_contain_text("已处理 1 条")
        shot(admin, "13b-certificates", problems)
        phone.reload()
        expect(phone.locator("[data-tracking]")).to_have_text("SF1234567890")
        expect(phone.locator("[data-certificate-status]")).to_have_text("已寄出")
        shot(phone, "13c-certificate-sent", problems)

        # 8. 关怀版: switched from the page, 1.5x text, remembered; the pages pass axe in it too.
        size = "parseFloat(getComputedStyle(document.body).fontSize)"
        standard = phone.evaluate(size)
        phone.get_by_role("button", name="关怀版（大字）").click()
        expect(phone.locator("html")).to_have_class("care")
        # The class is on the new page before its stylesheet has applied; wait for the text to grow
        # (a timeout here fails the test).
        phone.wait_for_load_state("load")
        phone.wait_for_function(f"{size} >= {1.5 * standard}", timeout=10_000)
        for path in ("/me/", f"/applications/{application.pk}/", "/pass-lists/", "/cities/", "/self-check/"):
            phone.goto(path)
            expect(phone.locator("html")).to_have_class("care")  # remembered by the browser
            shot(phone, "11-care" + path.replace("/", "-").rstrip("-"), problems)
        tap = phone.locator("main button, main .button").first.bounding_box()
        assert tap["height"] >= 56
        phone.get_by_role("button", name="返回标准版").click()
        expect(phone.locator("html")).not_to_have_class("care")
        # In English, the stored messages read in English too.
        phone.goto("/me/")
        phone.select_option("#language", "en")
        phone.get_by_role("button", name="切换 / Switch").click()
        expect(phone.locator(".portal-message h3", has_text="Verification passed")).to_be_visible()
        expect(phone.locator(".portal-message h3", has_text="certificate has been sent")).to_be_visible()
        shot(phone, "12-english-messages", problems)

        assert GeneratedDocument.objects.filter(kind="work_years_proof").exists()
        assert browser.errors == []
        assert problems == []
        browser.browser.close()


def judge(page, bad: str | None = None) -> None:
    """Record a verdict on every item with the keys: 1 acceptable, 2 then the problem
    (blurred) for ``bad``. Verdicts save in place: the page does not reload."""
    for section in page.locator("section[id^=material-]:has(form.verdict-form)").all():
        code = section.get_attribute("id").removeprefix("material-")
        state = section.locator("[data-verdict-state]")
        section.locator("h2").click()
        if code == bad:
            page.keyboard.press("2")
            expect(section.locator("select[name=reason]")).to_be_focused()
            section.locator("select[name=reason]").select_option("blurred")
            section.get_by_role("button", name="保存意见").click()
            expect(state).to_have_text(re.compile("已审：不合格"))
        else:
            page.keyboard.press("1")
            expect(state).to_have_text(re.compile("已审：合格"))


def login_candidate(browser, candidate, viewport=PHONE):
    page = browser.page(viewport)
    page.goto("/login/")
    page.fill("#id_username", candidate.id_number)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/me/"))
    return page


@pytest.fixture
def late_round(live_server, private_storage, settings, monkeypatch):
    """A round already published, with two reviewers in its city who both took part in a
    fail, the failed candidate still in the appeal period, and another whose window closed."""
    from candidates.services.applications import application_submit
    from notices.services.publication import pass_list_publish
    from reviews.services.claims import application_claim
    from reviews.services.decisions import application_decide, material_verdict_record
    from tests.conftest import upload_checklist

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.PORTAL_STAFF_OTP_REQUIRED = True
    now = timezone.now()
    city = factories.CityFactory(code="zhuzhou", name="株洲")
    exam = factories.ExamFactory(code="jianzao", name="一级建造师")
    round_ = factories.RoundFactory(
        name="2026年度一级建造师考后人工核查（株洲）",
        city=city,
        exams=[exam],
        publication_at=now - datetime.timedelta(hours=1),
        appeal_closes_at=now + datetime.timedelta(days=5),
    )
    first, second = (
        factories.CityReviewerFactory(city=city, user__first_name=name).user for name in ("甲核查", "乙核查")
    )
    admin = factories.UserFactory(is_superuser=True, is_staff=True, username="admin_e2e")
    for user in (first, second, admin):
        TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    factories.ApplicationFactory(
        roster_entry__round=round_, roster_entry__exam=exam, candidate__real_name="早通过", status="passed"
    )
    failed = factories.ApplicationFactory(
        roster_entry__round=round_, roster_entry__exam=exam, candidate__real_name="李申辩"
    )
    upload_checklist(failed)
    application_submit(application=failed, actor=failed.candidate.user)
    failed.refresh_from_db()
    application_claim(application=failed, user=first)
    for material in failed.materials.all():
        material_verdict_record(material=material, user=first, ok=True)
    application_decide(
        application=failed, user=first, kind="fail", reason_code="work_years", reason="年限不足三年"
    )
    failed.refresh_from_db()
    application_claim(application=failed, user=second)
    application_decide(application=failed, user=second, kind="fail_confirm", reason="同意")
    pass_list_publish(round_=round_)
    closed = factories.RoundFactory(
        name="2026年度一级建造师考后人工核查（已截止）",
        city=city,
        exams=[exam],
        opens_at=now - datetime.timedelta(days=9),
        closes_at=now - datetime.timedelta(hours=2),
    )
    late = factories.ApplicationFactory(
        roster_entry__round=closed, roster_entry__exam=exam, candidate__real_name="赵迟到"
    )
    return {
        "url": live_server.url,
        "round": round_,
        "failed": failed,
        "first": first,
        "admin": admin,
        "late": late,
    }


@pytest.mark.django_db(transaction=True)
def test_an_appeal_in_a_two_reviewer_city_a_supplementary_list_and_a_closed_window(late_round):
    problems: list[str] = []
    failed, late = late_round["failed"], late_round["late"]
    with sync_playwright() as playwright:
        browser = Browser(playwright, late_round["url"])

        # 1. The failed candidate reads why, and appeals.
        phone = login_candidate(browser, failed.candidate)
        phone.goto(f"/applications/{failed.pk}/")
        expect(phone.locator(".status")).to_have_text("核查不通过")
        expect(phone.locator(".card.failed")).to_contain_text("年限不足三年")
        expect(phone.locator(".step-failed")).to_have_text("核查不通过")
        shot(phone, "11-failed-with-reason", problems)
        phone.get_by_role("link", name="提出申辩").first.click()
        phone.fill("#id_statement", "我在 2019 年至 2021 年另有一段相关工作经历，证明已附。")
        phone.get_by_role("button", name="提交申辩").click()
        expect(phone.locator(".status")).to_have_text("申辩处理中")

        # 2. Both reviewers of the city took part in the fail: the page says nobody here can act.
        reviewer = browser.login_staff(late_round["first"])
        reviewer.goto(f"/review/{failed.pk}/")
        expect(reviewer.locator(".claim-bar")).to_contain_text("本市没有可以处理的核查人员")
        shot(reviewer, "12-nobody-in-the-city", problems)

        # 3. The administrator sees it, decides the appeal, and publishes the supplementary list.
        admin = browser.login_staff(late_round["admin"])
        admin.goto("/manage/")
        admin.get_by_role("link", name=re.compile("李申辩")).click()
        shot(admin, "13-assign-or-decide", problems)
        admin.get_by_label("申辩成立，改为通过").check()
        admin.locator("form:has(input[value=decide]) textarea").fill("另一段工作经历经核实属实，年限满三年。")
        admin.get_by_role("button", name="保存决定").click()
        expect(admin.locator(".messages")).to_contain_text("决定已保存")
        section = admin.locator("section", has_text="2026年度一级建造师考后人工核查（株洲）")
        section.get_by_role("link", name="发布补充公示…").click()
        admin.get_by_role("button", name="确认发布补充公示").click()
        expect(admin.locator(".messages")).to_contain_text("补充公示名单（第 1 批）正在生成（1 人）")

        # 4. The public page shows both lists of the round, the late pass on the supplementary one.
        public = browser.page(PHONE)
        public.goto("/pass-lists/")
        round_section = public.locator("section", has_text="2026年度一级建造师考后人工核查（株洲）")
        expect(round_section.get_by_role("link")).to_have_text(["通过人员名单", "补充公示名单（第 1 批）"])
        round_section.get_by_role("link", name="补充公示名单（第 1 批）").click()
        expect(public.locator("table")).to_contain_text("李申辩")
        expect(public.locator("table")).not_to_contain_text("早通过")
        shot(public, "14-supplementary-list", problems)

        # 5. A candidate whose window closed is told so, and offered no upload.
        closed = login_candidate(browser, late.candidate)
        closed.goto(f"/applications/{late.pk}/")
        expect(closed.locator(".status")).to_have_text("未申报（已截止）")
        expect(closed.get_by_role("heading", name="申报已截止")).to_be_visible()
        expect(closed.locator("input[type=file]")).to_have_count(0)
        shot(closed, "15-window-closed", problems)

        assert browser.errors == []
        assert problems == []
        browser.browser.close()
    failed.refresh_from_db()
    assert failed.status == ApplicationStatus.PASSED
