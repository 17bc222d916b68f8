"""What a person reads on a page, and what must not be there: times in UTC, raw codes, and
text in the other language (issue 12, item 1). Used by test_crawler.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from sqlalchemy import String, Text, select

from hotline.extensions import db

# Attributes a person reads (hover, empty inputs, images, screen readers, texts the page's
# script shows).
READ_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")
SCRIPTED_TEXT = "data-text-"

# Columns holding what people typed or named (names, addresses, descriptions, notes, SMS
# that were sent): their values may appear in either language. Every other string column
# holds codes, which must never be shown raw.
DATA_COLUMNS = {
    "customer_accounts": ("account_number", "name", "street", "house_number", "landmark",
                          "meter_number"),
    "customer_phones": ("e164",), "api_tokens": ("name",),
    "areas": ("code", "name_zh", "name_en"),
    "departments": ("code", "name_zh", "name_en", "liaison_name", "liaison_phone"),
    "users": ("username", "display_name", "phone"),
    "calendar_days": ("note",), "calendar_years": ("note",), "sla_clusters": ("note",),
    "deadlines": ("extension_reason",), "notifications": ("body",),
    "wo_categories": ("name_zh", "name_en"), "wo_routing_rules": ("rule_ref",),
    "outage_notices": ("cause", "extent"), "outage_updates": ("note",),
    "wo_follow_ups": ("comment",), "callback_requests": ("phone", "note"),
    "calls": ("call_sid", "from_number", "to_number", "transcription", "voicemail_order"),
    "outbox_messages": ("to_number", "body", "last_error"),
    "kb_articles": ("title_zh", "title_en", "body_zh", "body_en"),
    "kb_article_revisions": ("title_zh", "title_en", "body_zh", "body_en", "note"),
    "work_order_events": ("note",),
    "work_orders": ("number", "contact_name", "contact_phone", "street", "house_number",
                    "landmark", "description", "call_sid", "result", "return_reason",
                    "extension_reason"),
}
# Not codes although code-shaped: machine columns nobody reads.
IGNORED_COLUMNS = {"password_hash", "token_hash", "prefix", "dedupe_key", "link", "holder",
                   "recording_url", "call_url", "provider_sid", "version_num", "title",
                   "ivr_path", "payload"}
# Latin words a Chinese page may carry: names of things that have no Chinese name.
LATIN_ALLOWED = {"SLA", "IVR", "API", "CSV", "XLSX", "English", "Twilio", "SMS", "JSON",
                 "CallSid", "TwiML", "JPEG", "PNG"}
# The language switch names each language in itself.
CJK_ALLOWED = {"中文"}

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]+")
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z'’]{2,}(?![A-Za-z0-9_])")
SNAKE = re.compile(r"(?<![A-Za-z0-9_/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
ORDER_NUMBER = re.compile(r"\bWO-\d{8}-\d{4}\b")
SEPARATORS = re.compile(r"[·:：()（）→|]")
RULE_REASON = re.compile(r"\bR\d+(?:-R\d+)? \([a-z_ ]+\)")


class VisibleText(HTMLParser):
    """Text chunks a person sees: text outside <script>/<style>, plus the attributes read
    on hover or aloud. Text inside <code> is an identifier shown on purpose (an API
    field, a category's code on the admin page) and is kept apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.identifiers: list[str] = []
        self._skip = 0
        self._code = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "code":
            self._code += 1
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or name.startswith(SCRIPTED_TEXT)):
                self.chunks.append(value.strip())
            elif value and tag == "input" and name == "value" and dict(attrs).get(
                    "type") in ("submit", "button"):
                self.chunks.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "code":
            self._code = max(0, self._code - 1)

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            (self.identifiers if self._code else self.chunks).append(text)


def visible(html: str) -> tuple[list[str], list[str]]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.chunks, parser.identifiers


@dataclass
class Vocabulary:
    """The database's data values and codes, read once after the demo is loaded."""

    data: list[str] = field(default_factory=list)
    data_words: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)

    def is_data_cjk(self, run: str) -> bool:
        return run in CJK_ALLOWED or any(run in value for value in self.data)

    def is_data_word(self, word: str) -> bool:
        return word in LATIN_ALLOWED or word in self.data_words


def vocabulary(session, extra_codes=()) -> Vocabulary:
    vocab = Vocabulary(codes=set(extra_codes))
    data: set[str] = set()
    for table in db.metadata.sorted_tables:
        keep = DATA_COLUMNS.get(table.name, ())
        for column in table.columns:
            if not isinstance(column.type, (String, Text)) or column.name in IGNORED_COLUMNS:
                continue
            values = {v for v in session.scalars(select(column).distinct()) if v}
            if column.name in keep:
                data |= {str(v) for v in values}
            else:
                vocab.codes |= {str(v) for v in values if re.fullmatch(r"[a-z][a-z0-9_-]*", v)}
        for constraint in table.constraints:  # CHECK (x IN ('a', 'b')): every allowed code
            sql = str(getattr(constraint, "sqltext", ""))
            if " IN " in sql:
                vocab.codes |= set(re.findall(r"'([a-z][a-z0-9_-]*)'", sql))
    vocab.data = sorted(data)
    vocab.data_words = {w for value in data for w in re.findall(r"[A-Za-z'’]+", value)}
    return vocab


def offences(html: str, locale: str, vocab: Vocabulary) -> list[str]:
    """Every UTC, raw code and other-language text on the page, as short snippets."""
    chunks, identifiers = visible(html)
    found: list[str] = []
    data = set(vocab.data)
    for chunk in chunks:
        if "UTC" in chunk:
            found.append(f"UTC: {chunk[:80]!r}")
        for part in SEPARATORS.split(chunk):
            part = part.strip()
            if part in vocab.codes and part not in data:
                found.append(f"raw code {part!r} in {chunk[:80]!r}")
        for token in SNAKE.findall(chunk):
            if not any(token in value for value in vocab.data):
                found.append(f"raw code {token!r} in {chunk[:80]!r}")
        if RULE_REASON.search(chunk):
            found.append(f"rule code instead of words: {chunk[:80]!r}")
        if locale == "en":
            for run in CJK.findall(chunk):
                if not vocab.is_data_cjk(run):
                    found.append(f"Chinese {run!r} in {chunk[:80]!r}")
        else:
            text = ORDER_NUMBER.sub("", chunk)
            for word in LATIN_WORD.findall(text):
                if not vocab.is_data_word(word):
                    found.append(f"English {word!r} in {chunk[:80]!r}")
    for chunk in identifiers:
        if "UTC" in chunk:
            found.append(f"UTC: {chunk[:80]!r}")
    return found
