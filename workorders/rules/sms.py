"""SMS wording to callers (pure). Callers hear and read Mandarin by default (DESIGN)."""

from __future__ import annotations

SIGNATURE = "【供水热线】"


def confirmation(number: str) -> str:
    return f"{SIGNATURE}您反映的问题已受理，工单号 {number}。可致电热线按工单号查询进度。"


def resolved(number: str, result: str) -> str:
    # The result is the crew's own sentence: its closing stop would double ours ("。。").
    text = result.strip().rstrip("。.！!；;，, ")
    if len(text) > 120:
        text = text[:117] + "…"
    return f"{SIGNATURE}工单 {number} 已办结：{text}。稍后我们将回访，感谢您的支持。"


def new_time(number: str, local_due: str) -> str:
    return f"{SIGNATURE}工单 {number} 预计完成时间调整为 {local_due}，给您带来不便敬请谅解。"


def visit_booked(number: str, window: str) -> str:
    """R31: the reminder of the visit booked with the customer."""
    return (f"{SIGNATURE}工单 {number} 已预约上门，时间 {window}，请届时留人。"
            "如需改约请致电热线。")


def visit_moved(number: str, window: str) -> str:
    return f"{SIGNATURE}工单 {number} 的上门时间改为 {window}，给您带来不便敬请谅解。"


def visit_cancelled(number: str) -> str:
    return f"{SIGNATURE}工单 {number} 原定的上门已取消，我们将另行与您约定时间，敬请谅解。"
