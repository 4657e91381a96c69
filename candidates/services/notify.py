"""What the candidate is told after each workflow event, in plain words, with what to do next
and by when. ``application_transition`` sends the message of the event it fires
(``EVENT_MESSAGES``); the caller passes what the words need (a reason, a deadline, items).
The words are phrases (message ids and values), so a message reads in the reader's language."""

from django.utils import timezone
from django.utils.translation import gettext_noop

from candidates.enums import Event
from candidates.models import Application
from candidates.services.messages import Phrase, message_send, phrase


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _send(application: Application, subject: Phrase, *body: Phrase) -> None:
    message_send(
        recipient=application.candidate.user,
        application=application,
        subject=subject,
        body=[
            *body,
            phrase(
                gettext_noop("\n\n申请编号：{reference}。请登录系统查看详情。"),
                reference=application.reference,
            ),
        ],
    )


def notify_employer_returned(application: Application, *, reason: str, deadline, **_context) -> None:
    _send(
        application,
        phrase(gettext_noop("单位退回了您的申请，请修改后重新提交")),
        phrase(
            gettext_noop(
                "您所在单位的人事部门退回了您的{exam}考后人工核查申请。\n退回原因：{reasons}\n"
                "请按原因修改申报信息或材料，并在 {deadline} 前重新提交。"
            ),
            exam=application.roster_entry.exam,
            reasons=reason,
            deadline=_when(deadline),
        ),
    )


def notify_employer_approved(application: Application, **_context) -> None:
    _send(
        application,
        phrase(gettext_noop("单位资格初审已通过")),
        phrase(
            gettext_noop(
                "您所在单位已完成资格初审并出具工作年限证明，申请已提交{city}人社局人工核查，请耐心等待结果。"
            ),
            city=application.round.city,
        ),
    )


def notify_passed(application: Application, **_context) -> None:
    when = application.round.publication_at
    body = [phrase(gettext_noop("您的{exam}考后人工核查已通过。"), exam=application.roster_entry.exam)]
    if when:
        body.append(phrase(gettext_noop("通过人员名单将于 {when} 公示。"), when=_when(when)))
    _send(application, phrase(gettext_noop("人工核查通过")), *body)


def notify_failed(application: Application, *, reason: str, **_context) -> None:
    round_ = application.round
    body = [
        phrase(
            gettext_noop("经核查，您不符合{exam}报考条件，考试成绩无效，不予发证。\n原因：{reason}\n"),
            exam=application.roster_entry.exam,
            reason=reason,
        )
    ]
    if round_.appeals_open():
        body.append(
            phrase(
                gettext_noop("如有异议，可在 {when} 前登录系统提出申辩，并提交新的证明材料。"),
                when=_when(round_.appeal_closes_at),
            )
        )
    _send(application, phrase(gettext_noop("人工核查未通过")), *body)


def notify_supplement(
    application: Application, *, items: list[str], reason: str, deadline, **_context
) -> None:
    _send(
        application,
        phrase(gettext_noop("请补正材料")),
        phrase(
            gettext_noop(
                "核查人员要求您补正以下材料：{items}。\n说明：{reason}\n"
                "请在 {deadline} 前重新上传这些材料并点击“提交补正”。逾期未补正的，按未通过处理。"
            ),
            items="、".join(items),
            reason=reason,
            deadline=_when(deadline),
        ),
    )


def notify_pending(application: Application, *, reason: str, **_context) -> None:
    _send(
        application,
        phrase(gettext_noop("报考条件待核查")),
        phrase(
            gettext_noop(
                "您的申请暂按“报考条件待核查”处理。\n说明：{reason}\n"
                "核查人员可能与您或您的单位联系，请保持电话畅通。"
            ),
            reason=reason,
        ),
    )


def notify_appeal_overturned(application: Application, *, reason: str, **_context) -> None:
    _send(
        application,
        phrase(gettext_noop("申辩成立，核查改为通过")),
        phrase(
            gettext_noop("经另一名核查人员复查，您的申辩成立，核查结论改为通过。\n说明：{reason}"),
            reason=reason,
        ),
    )


def notify_appeal_upheld(application: Application, *, reason: str, **_context) -> None:
    _send(
        application,
        phrase(gettext_noop("申辩不成立，维持未通过")),
        phrase(gettext_noop("经另一名核查人员复查，维持原核查结论。\n说明：{reason}"), reason=reason),
    )


def notify_withdrawn_after_report(application: Application, *, reason: str, **_context) -> None:
    message_send(
        recipient=application.candidate.user,
        application=application,
        subject=phrase(gettext_noop("经举报核实，核查结论改为不通过")),
        body=phrase(
            gettext_noop("公示期间收到举报，经核实：{outcome}\n您的考试成绩无效，不予发证。"), outcome=reason
        ),
    )


def notify_revoked(application: Application, *, reason: str, **_context) -> None:
    message_send(
        recipient=application.candidate.user,
        application=application,
        subject=phrase(gettext_noop("核查通过已撤销")),
        body=phrase(
            gettext_noop(
                "经查实：{reason}\n您的{exam}核查通过结论已撤销，考试成绩无效，证书注销，并记入诚信档案。"
                "如有异议，请联系所在市州人社局。"
            ),
            reason=reason,
            exam=application.roster_entry.exam,
        ),
    )


EVENT_MESSAGES = {
    Event.EMPLOYER_RETURN: notify_employer_returned,
    Event.EMPLOYER_APPROVE: notify_employer_approved,
    Event.DECIDE_PASS: notify_passed,
    Event.CONFIRM_FAIL: notify_failed,
    Event.REQUEST_SUPPLEMENT: notify_supplement,
    Event.MARK_PENDING: notify_pending,
    Event.OVERTURN_APPEAL: notify_appeal_overturned,
    Event.UPHOLD_APPEAL: notify_appeal_upheld,
    Event.WITHDRAW_AFTER_REPORT: notify_withdrawn_after_report,
    Event.REVOKE_FOR_FRAUD: notify_revoked,
}
