"""Console and IVR languages: zh-CN (default) and English. Each package owns a
`translations/` catalog; all are merged. Catalogs are compiled when stale."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, session
from flask_login import current_user

LOCALES = ("zh_CN", "en")


def compile_catalogs(directories: list[str]) -> None:
    for directory in directories:
        for po_path in Path(directory).glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            try:
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog)
            except OSError:  # read-only install: `make` compiled them already
                pass


def select_locale() -> str:
    if not has_request_context():  # jobs and CLI commands speak the configured language
        return current_app.config["HOTLINE_LOCALE"]
    if current_user and getattr(current_user, "is_authenticated", False):
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    return current_app.config["HOTLINE_LOCALE"]


def translation_directories(package_dirs: list[Path]) -> list[str]:
    return [str(path / "translations") for path in package_dirs
            if (path / "translations").is_dir()]


def init_app(app: Flask, package_dirs: list[Path]) -> None:
    from hotline.extensions import babel

    dirs = translation_directories(package_dirs)
    compile_catalogs(dirs)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(dirs)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["HOTLINE_LOCALE"])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["HOTLINE_TIMEZONE"])
    babel.init_app(app, locale_selector=select_locale,
                   timezone_selector=lambda: app.config["HOTLINE_TIMEZONE"])


def extract(package_dir: Path):
    """The translatable messages of one package (its Python code and templates)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
                "_l": None, "_n": (1, 2), "tr": None, "tr_install": None, "tr_here": None, "N_": None,
                "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2),
                "_lp": ((1, "c"), 2), "_p": ((1, "c"), 2)}
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            str(package_dir), method_map=method_map, keywords=keywords,
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}}):
        if "translations" in filename.split("/"):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def update_catalog(package_dir: Path, locale: str = "zh_CN") -> list[str]:
    """Merge newly extracted messages into the package's catalog; return the untranslated.

    Catalogs live under the bare language (`zh`): Babel parses zh_CN as zh_Hans_CN, and
    gettext finds `zh` from that, but not `zh_CN`."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    po_path = package_dir / "translations" / locale.split("_")[0] / "LC_MESSAGES" / "messages.po"
    template = extract(package_dir)
    if po_path.exists():
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=locale)
    else:
        catalog = Catalog(locale=locale)
    catalog.update(template, no_fuzzy_matching=True)
    po_path.parent.mkdir(parents=True, exist_ok=True)
    with po_path.open("wb") as f:
        write_po(f, catalog, omit_header=False, ignore_obsolete=True, width=100)
    return [m.id for m in catalog if m.id and not m.string]


def N_(message: str) -> str:
    """Marks a msgid for the catalogs without translating it (translated later, per
    reader)."""
    return message


class Message(str):
    """Text translated for now that remembers its English msgid and parameters, so that
    text stored once and read by many (a notification) is shown again in each reader's
    language. It is a `str`: code that only wants the text never notices."""

    msgid: str
    params: dict

    def __new__(cls, text: str, msgid: str, params: dict | None = None) -> "Message":
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        obj.params = dict(params or {})
        return obj


class Localized(str):
    """A data value that has one text per language (an area's Chinese and English names);
    its own text is the install language's."""

    variants: dict

    def __new__(cls, variants: dict[str, str], text: str | None = None) -> "Localized":
        obj = super().__new__(cls, text if text is not None else _pick(variants,
                                                                        install_locale()))
        obj.variants = dict(variants)
        return obj


class Coded(str):
    """A stored code shown through the label tables (`hotline.web.labels`), e.g. a
    work-order category inside an SLA notification."""

    kind: str
    code: str

    def __new__(cls, kind: str, code: str, text: str | None = None) -> "Coded":
        obj = super().__new__(cls, text if text is not None else code)
        obj.kind, obj.code = kind, code
        return obj


def _pick(variants: dict[str, str], locale: str) -> str:
    language = locale.split("_")[0]
    for key, text in variants.items():
        if key.split("_")[0] == language:
            return text
    return next(iter(variants.values()), "")


def localized(zh: str, en: str) -> Localized:
    return Localized({"zh_CN": zh, "en": en})


def tr(message: str, **params) -> str:
    """gettext for services shared by requests, jobs and CLI commands: translated in a
    request (the user's language), plain English elsewhere (logs, CLI)."""
    from flask import has_request_context
    from flask_babel import gettext

    if has_request_context():
        return Message(gettext(message, **params), message, params)
    return Message(message % params if params else message, message, params)


def install_locale() -> str:
    from flask import current_app, has_app_context

    return current_app.config["HOTLINE_LOCALE"] if has_app_context() else "zh_CN"


def tr_install(message: str, **params) -> str:
    """gettext in the install's language (`HOTLINE_LOCALE`), for text stored once and read by
    many people (notification titles), whoever's request wrote it."""
    from flask import current_app, has_app_context
    from flask_babel import force_locale, gettext

    if not has_app_context():
        return Message(message % params if params else message, message, params)
    with force_locale(current_app.config["HOTLINE_LOCALE"]):
        return Message(gettext(message, **params), message, params)


def tr_here(message: str, **params) -> str:
    """gettext in the reader's language within a request, else in the install's language
    (clock jobs, CLI, demo load); remembers the msgid (see `Message`)."""
    from flask import has_request_context
    from flask_babel import gettext

    if has_request_context():
        return Message(gettext(message, **params), message, params)
    return tr_install(message, **params)
