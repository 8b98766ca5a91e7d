"""Reading an article: plain text, text copied off a news page, or a saved HTML page.

Decode, tell a saved page from text by its content, strip page clutter, and split the text into
title, body paragraphs, subheads and the teasers of other stories (`related`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.drafting.dates import MONTHS, find_date


class DraftError(Exception):
    """The input cannot be drafted (empty, binary, not UTF-8); the message says why in one line."""


@dataclass
class Article:
    """An article as the drafting steps see it."""

    title: str
    paragraphs: list[str]
    subheads: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    published: dt.date | dt.datetime | None = None
    site_name: str | None = None
    url: str | None = None
    asides: list[int] = field(default_factory=list)  # paragraphs kept out of summary and points
    title_review: str | None = None


_HTML_START = re.compile(r"\A\s*(?:<!doctype\s+html|<html|<head|<body|<\?xml|<!--)", re.I)
_HTML_TAGS = re.compile(r"<(?:p|div|article|h1|h2|span|a|meta|title|section)[\s>]", re.I)
_SEPARATOR = re.compile(r"^[-–—_*=•·~]+$")
_WS = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_SENTENCE_END = re.compile(r"[.!?…:;][\"”’»)\]]*$")
_TEASER_PREFIX = re.compile(
    r"^(?:also read|read also|read more|see also|related(?: article| story)?|more on this"
    r"|you may also like|recommended|don'?t miss|more|watch)\s*[:：\-–—»›>|]\s*(?P<title>.*)$",
    re.I,
)
_TEASER_LABEL = re.compile(
    r"^(?:also read|read also|read more|see also|related(?: articles| stories)?|more on this"
    r"(?: story)?|you may also like|recommended(?: for you)?|most read|trending)\s*[:：]?$",
    re.I,
)
_CLUTTER = re.compile(
    r"""^(?:
        follow\ us\b.* | subscribe\b.* | support\ us | donate\b.{0,40} | about\ (?:the\ )?author
        | comments\ are\ closed\.? | leave\ a\ comment | share\ this\ article
        | (?:read|views?):\ *\d+ | .*\bsubscribe\ to\ our\b.* | support\ (?:our|independent)
        \ journalism\b.* | .*\bsupport\ our\ journalism\b.* | text\ size\b.* | font\ size\b.*
        | (?:advertisement|advert|ad|ads|sponsored(?:\ content)?|promoted|paid\ content)
        | -+\ ?advertisement\ ?-+ | share(?:\ this)?(?:\ article|\ story)?(?:\ on\ .*)?
        | (?:print|email|e-mail|copy\ link|comments?|\d+\ comments?)
        | sign\ up\b.* | .*\bnewsletter\b.{0,40} | listen\ to\ (?:this\ )?article.*
        | \d+\ min(?:ute)?s?\ read | skip\ to\ (?:main\ )?content | cookies?\b.*
        | (?:©|copyright\b|all\ rights\ reserved).* | download\ (?:our|the)\ app.*
        | join\ our\b.* | .*\b(?:whatsapp|telegram)\ channel.* | click\ here\b.*
        | (?:photo|image|picture|video)\s*(?:credit)?\s*:.* | (?:getty\ images|reuters|afp|ap)
        | (?:tags?|topics?|keywords?)\s*:.* | (?:home|menu|search|log\ ?in|sign\ in|close)
        | (?:by|written\ by|reporting\ by|edited\ by|author:?)\s+[A-Z][\w.'’-]+
          (?:\s+[A-Z][\w.'’-]+){0,3} (?:\s*[,|/–-]\s*.{0,60})?
        | (?:published|updated|posted|last\ updated)\b.{0,80}
        | .{0,80}\|.{0,80}\b(?:posted|published|updated)\b.{0,80}
        | [\w.-]+\.(?:com|org|net|info|news|co\.\w\w|com\.\w\w|in|uk|de|fr|ru|ua|az|pk)
        | download\ \w+ | sign\ in\b.{0,80} | (?:all|more|latest|top)\ news
    )$""",
    re.I | re.X,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?)"
    r"(?:,?\s+\d{4})?(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?)?"
    r"(?:\s*(?:\||·|-)?\s*\w+:\s*\d+)?\s*$",
    re.I,
)
_CAPTION = re.compile(
    r"\((?:[^()]*\b(?:photo|photograph|image|file|picture)\b[^()]*)\)\s*$"
    r"|\b(?:photo|image|picture)\s*(?:credit)?\s*:|\bgetty images\b|\b(?:afp|reuters|ap) photo\b",
    re.I,
)
_STAND_IN_TITLE = 120
# The place (and date, agency) a story opens with: "ANKARA —", "New Delhi:", "CAIRO, 19 August".
_DATELINE_PREFIX = re.compile(
    r"^(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})(?:,\s*[^–—:\n]{1,60}?)?"
    r"\s*(?::|\s[–—-])\s+(?=[A-Z“\"])"
)
_MONTH_WORDS = frozenset(MONTHS)
_ASIDE = re.compile(r"^(?:source|sources|via|credit|note|editor'?s note)\s*:", re.I)
_CRUMBS = re.compile(r"^[\w'’ &.-]{1,40}(?:\s*[>›»|/]\s*[\w'’ &.-]{1,40}){1,6}$")


def decode(raw: bytes | str) -> str:
    """The article's text, or `DraftError` for empty, binary or non-UTF-8 input."""
    if isinstance(raw, bytes):
        if b"\x00" in raw[:8192]:
            raise DraftError("binary data, not an article (a NUL byte in the first 8 KiB)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DraftError(
                f"not UTF-8 text (byte {exc.start} is 0x{raw[exc.start]:02x})"
            ) from None
    else:
        text = raw.removeprefix("\ufeff")
    if not text.strip():
        raise DraftError("the article is empty")
    return text


def is_html(text: str) -> bool:
    """Whether `text` is a saved web page rather than plain text (judged by content)."""
    head = text[:5000]
    return bool(_HTML_START.match(head)) or len(_HTML_TAGS.findall(head)) >= 3


def read_article(raw: bytes | str) -> Article:
    """Decode and split one article; raises `DraftError` when there is nothing to draft."""
    text = decode(raw)
    if is_html(text):
        return _read_html(text)
    return _read_text(text)


def clean_line(line: str) -> str:
    """One line with control characters dropped and runs of spaces folded."""
    return _WS.sub(" ", _CONTROL.sub("", line)).strip()


def _read_html(html: str) -> Article:
    import trafilatura  # only pages need it; plain text starts faster without

    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False
    )
    data: dict[str, object] = {}
    if doc is not None:
        data = doc if isinstance(doc, dict) else doc.as_dict()
    body = str(data.get("text") or "")
    if not body.strip():
        body = trafilatura.html2txt(html) or ""
    title = clean_line(str(data.get("title") or ""))
    if not body.strip() and not title:
        raise DraftError("no article text found in the HTML page")
    text = f"{title}\n\n{body}" if title else body
    article = _read_text(text)
    published = _parse_meta_date(data.get("date"))
    if published:
        article.published = published
    site = data.get("sitename") or data.get("hostname")
    article.site_name = clean_line(str(site)) if site else None
    url = data.get("url")
    article.url = str(url) if url and str(url).startswith(("http://", "https://")) else None
    return article


def _parse_meta_date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _read_text(text: str) -> Article:
    lines = [clean_line(line) for line in text.splitlines()]
    related: list[str] = []
    kept: list[str] = []  # "" marks a paragraph break
    published: dt.date | None = None
    after_separator = expect_teaser = False
    for line in lines:
        if not line:
            kept.append("")
            continue
        if _SEPARATOR.match(line):
            after_separator = True
            kept.append("")
            continue
        teaser = _TEASER_PREFIX.match(line)
        if teaser and len(line) <= 320:
            if teaser.group("title").strip():
                related.append(teaser.group("title").strip())
            else:
                expect_teaser = True
            after_separator = False
            continue
        if _TEASER_LABEL.match(line):
            expect_teaser = True
            continue
        if (after_separator or expect_teaser) and _looks_like_headline(line):
            related.append(line)
            after_separator = expect_teaser = False
            continue
        after_separator = expect_teaser = False
        if _DATELINE.match(line):
            published = published or find_date(line)
            continue
        if (
            _CLUTTER.match(line)
            or line.count(" » ") + line.count(" › ") >= 2
            or (len(line) <= 120 and _CRUMBS.match(line) and "/" not in line)
            or (len(line) <= 200 and _CAPTION.search(line))
        ):
            if published is None and re.match(r"(?i)(published|updated|posted)", line):
                published = find_date(line)
            continue
        kept.append(line)
    blocks = _blocks(kept)
    if not blocks:
        raise DraftError("no article text found (only page clutter)")
    title, body, title_review = _title(blocks, text)
    paragraphs: list[str] = []
    subheads: list[str] = []
    asides: list[int] = []
    for block in body:
        if block == title and title_review is None:
            continue  # the headline repeated by the page
        if _looks_like_subhead(block):
            subheads.append(block)
            continue
        if _ASIDE.match(block):
            asides.append(len(paragraphs))
        elif len(paragraphs) < 3:
            block = _strip_dateline(block)  # "CAIRO, 19 August (WAFA) –", "New Delhi:"
        paragraphs.append(block)
    if published is None:
        published = find_date(" ".join(blocks[:3])[:600])
    return Article(
        title, paragraphs, subheads, related, published, asides=asides, title_review=title_review
    )


def _strip_dateline(block: str) -> str:
    match = _DATELINE_PREFIX.match(block)
    if not match:
        return block
    prefix = re.sub(r"\([^)]*\)", "", match.group())
    words = re.findall(r"[a-z]{3,}", prefix)
    if any(w not in _MONTH_WORDS for w in words):
        return block  # "John Kirby, 61, told reporters:" is a sentence, not a dateline
    return block[match.end() :]


def _is_story_paragraph(block: str) -> bool:
    words = len(block.split())
    # Headlines and menu lines don't end in a full stop; a sentence of a few words does.
    sentence = words >= 5 and block.endswith(".")
    return words > 20 or sentence or bool(re.search(r"[a-z]{2}[.!?][\"”’]?$", block))


def _title(blocks: list[str], raw_text: str) -> tuple[str, list[str], str | None]:
    """The headline: repeated near the top by many pages, else the first block.

    Without a headline (the first block is a full sentence of the story) the first sentence
    stands in, and the block stays in the body.
    """
    head = blocks[:6]
    for block in head:
        if head.count(block) > 1 or block in blocks[6:12]:
            return block, [b for b in blocks if b != block], None
    # Pages copied whole start with app banners and menus: among the short lines before the
    # first paragraph of the story, the headline is the longest and is often echoed in the page.
    candidates: list[tuple[float, int]] = []
    for index, block in enumerate(blocks[:12]):
        if _is_story_paragraph(block):
            break
        words = len(block.split())
        score = min(words, 20) / 4 - (5 if words <= 3 else 0) + (2 if index == 0 else 0)
        if raw_text.count(block) > 1:
            score += 3
        candidates.append((score, index))
    if candidates:
        _, best = max(candidates, key=lambda c: (c[0], -c[1]))
        if best > 0:
            return blocks[best], blocks[best + 1 :], None
    first = blocks[0]
    if len(first.split()) > 20 and re.search(r"[.!?][\"”’]?$", first):
        sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", first, maxsplit=1)[0]
        if len(sentence) > _STAND_IN_TITLE:
            sentence = sentence[: _STAND_IN_TITLE - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        return sentence, blocks, "no headline found; the first sentence stands in"
    return first, blocks[1:], None


def _blocks(lines: list[str]) -> list[str]:
    """Lines to paragraphs: a line ends a paragraph unless it was wrapped mid-sentence."""
    blocks: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                blocks.append(current)
            current = ""
        elif current and not _SENTENCE_END.search(current) and line[:1].islower():
            current = f"{current} {line}"
        else:
            if current:
                blocks.append(current)
            current = line
    if current:
        blocks.append(current)
    return blocks


def _looks_like_headline(line: str) -> bool:
    return len(line) <= 300 and len(line.split()) <= 30 and not line.endswith(".")


def _looks_like_subhead(block: str) -> bool:
    if block.endswith(":") and len(block.split()) <= 5:
        return True  # a label such as "Key Quotes:" or "More about:"
    return (
        len(block) <= 80
        and len(block.split()) <= 10
        and not _SENTENCE_END.search(block.rstrip('”"’'))
        and block[-1:] not in ".!?"
    )
