"""Read a news page (HTML) into plain text: title, publication date and article body.

`extract_page` returns the page's title, publication date and article text, trying in order:

1. JSON-LD (`NewsArticle`, `Article`, … with `articleBody`), read with extruct — the publisher's
   own structured copy of the story, free of ads and navigation;
2. trafilatura's main-text extraction;
3. BeautifulSoup with script, style, nav, aside, header, footer, hidden elements and anything
   whose class or id looks like an ad, promo, share bar or related-links box removed.

A registry entry may name a CSS selector for the element that holds the figure; when it matches,
that element's text is the body (method 'bs4'). The title and date are looked up independently
(JSON-LD, then `<meta>` tags, then `<title>`/`<time>`, then trafilatura's metadata).

Everything returned is plain text: markup is dropped, scripts are never run or kept, control,
zero-width and bidirectional-override characters are stripped. Escaping for display is the
report's job. Checking a figure against the text is `figure_check`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from json import JSONDecodeError

import extruct
import trafilatura
from bs4 import BeautifulSoup, NavigableString, Tag, UnicodeDammit

from aipipe.normalize.text import clean_text

__all__ = ["METHODS", "Page", "clean_text", "extract_page", "html_to_text"]

ARTICLE_TYPES = {
    "Article",
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "TechArticle",
    "Report",
}
# Elements that never hold article text.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "header",
    "footer",
    "form",
    "iframe",
    "svg",
    "canvas",
    "object",
    "embed",
    "button",
    "select",
    "input",
    "textarea",
    "link",
    "meta",
)
_DROP_ROLES = {"navigation", "banner", "complementary", "contentinfo", "search"}
# class/id tokens of boxes that are not the story (ads, promos, share bars, related links).
_NOISE_TOKEN = re.compile(
    r"(?:^|[-_])(?:ad|ads|adv|advert\w*|adsbygoogle|sponsor\w*|promo\w*|banner|cookie\w*|"
    r"newsletter|related|recommend\w*|share|sharing|social|comments?|outbrain|taboola|"
    r"subscribe\w*|paywall|popup|modal|breadcrumbs?|sidebar|header|footer|masthead|nav|navbar|"
    r"menu|topbar)"
    r"(?:$|[-_])",
    re.IGNORECASE,
)
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "thead",
    "tbody",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "dl",
    "dd",
    "dt",
    "hr",
    "address",
    "details",
    "summary",
    "title",
}
_DATE_META = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("property", "og:published_time"),
    ("itemprop", "datePublished"),
    ("name", "pubdate"),
    ("name", "publishdate"),
    ("name", "publish-date"),
    ("name", "parsely-pub-date"),
    ("name", "sailthru.date"),
    ("name", "DC.date.issued"),
    ("name", "dc.date"),
    ("name", "date"),
)


@dataclass(frozen=True)
class Page:
    """The readable content of one news page. All strings are plain text."""

    url: str | None
    title: str | None
    date_published: str | None  # ISO date, "2025-06-11"
    body_text: str
    method: str  # 'json-ld' | 'trafilatura' | 'bs4'
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["warnings"] = list(self.warnings)
        return data


# ---------------------------------------------------------------------------------------------
# Page extraction


METHODS = ("json-ld", "trafilatura", "bs4")


def extract_page(
    html: str | bytes,
    url: str | None = None,
    *,
    selector: str | None = None,
    methods: Sequence[str] = METHODS,
) -> Page:
    """Title, publication date and plain article text of a news page (see module docstring).

    `methods` limits the body extractors tried, in order (a registry entry may know that a
    site's JSON-LD is truncated, say); 'bs4' is always the last resort.
    """
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"news_html: unknown extraction methods {sorted(unknown)}; use {METHODS}")
    markup = _decode(html)
    warnings: list[str] = []
    soup = BeautifulSoup(markup, "lxml")
    article = _jsonld_article(markup, url, warnings)

    title = _jsonld_text(article, "headline") or _jsonld_text(article, "name")
    title = title or _meta_title(soup)
    date_published = _iso_date(_jsonld_text(article, "datePublished"))
    date_published = date_published or _meta_date(soup)

    body, method = "", "bs4"
    if selector:
        body = _selected_text(soup, selector)
        if not body:
            warnings.append(f"selector {selector!r} matched no text; using the usual extraction")
    for name in methods if not body else ():
        if name == "json-ld":
            body = html_to_text(_jsonld_text(article, "articleBody") or "")
        elif name == "trafilatura":
            extracted = trafilatura.extract(
                markup, url=url, include_comments=False, include_tables=True, favor_precision=True
            )
            body = clean_text(extracted or "")
        if body:
            method = name
            break
    if not body:
        body, method = _fallback_text(soup), "bs4"
    if title is None or date_published is None:
        metadata = trafilatura.extract_metadata(markup, default_url=url, extensive=False)
        if metadata is not None:
            title = title or clean_text(metadata.title or "") or None
            date_published = date_published or _iso_date(metadata.date)
    return Page(
        url=url,
        title=title,
        date_published=date_published,
        body_text=body,
        method=method,
        warnings=tuple(warnings),
    )


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (e.g. a JSON-LD `articleBody`); scripts are dropped."""
    if not fragment.strip():
        return ""
    if "<" not in fragment:
        return clean_text(fragment)
    soup = BeautifulSoup(fragment, "lxml")
    for tag in soup.find_all(["script", "style", "noscript", "template"]):
        tag.decompose()
    return _element_text(soup)


def _decode(html: str | bytes) -> str:
    if isinstance(html, str):
        return html
    dammit = UnicodeDammit(html, is_html=True)
    return dammit.unicode_markup or html.decode("utf-8", errors="replace")


def _jsonld_article(markup: str, url: str | None, warnings: list[str]) -> dict | None:
    """The first article-typed JSON-LD node, preferring one with an articleBody."""
    try:
        items = extruct.extract(markup, base_url=url, syntaxes=["json-ld"], uniform=True)["json-ld"]
    except (JSONDecodeError, ValueError, TypeError) as exc:
        # One bad block makes extruct give up on all of them; read the blocks one by one.
        warnings.append(f"json-ld: unreadable block skipped ({type(exc).__name__}: {exc})")
        items = _jsonld_blocks_one_by_one(markup, url)
    articles = [node for node in _walk(items) if _types(node) & ARTICLE_TYPES]
    with_body = [node for node in articles if _jsonld_text(node, "articleBody")]
    return (with_body or articles or [None])[0]


def _jsonld_blocks_one_by_one(markup: str, url: str | None) -> list[dict]:
    soup = BeautifulSoup(markup, "lxml")
    items: list[dict] = []
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        document = f"<html><head>{script}</head></html>"
        try:
            items += extruct.extract(document, base_url=url, syntaxes=["json-ld"], uniform=True)["json-ld"]
        except (JSONDecodeError, ValueError, TypeError):
            continue
    return items


def _walk(node: object) -> Iterator[dict]:
    """JSON-LD nodes, including those nested in @graph and mainEntity."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(reversed(current))
        elif isinstance(current, dict):
            yield current
            for key in ("@graph", "mainEntity", "hasPart"):
                if key in current:
                    stack.append(current[key])


def _types(node: dict) -> set[str]:
    raw = node.get("@type", [])
    names = [raw] if isinstance(raw, str) else [t for t in raw if isinstance(t, str)]
    return {name.rsplit("/", 1)[-1] for name in names}


def _jsonld_text(node: dict | None, key: str) -> str | None:
    if node is None:
        return None
    value = node.get(key)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("@value")
    if not isinstance(value, str):
        return None
    if key == "articleBody":
        return value
    return html_to_text(value) or None


def _meta_title(soup: BeautifulSoup) -> str | None:
    og = soup.find("meta", attrs={"property": "og:title"})
    if isinstance(og, Tag) and og.get("content"):
        return clean_text(str(og["content"])) or None
    for name in ("title", "h1"):
        tag = soup.find(name)
        if isinstance(tag, Tag):
            text = clean_text(tag.get_text(" "))
            if text:
                return text
    return None


def _meta_date(soup: BeautifulSoup) -> str | None:
    for attr, name in _DATE_META:
        tag = soup.find("meta", attrs={attr: name})
        if isinstance(tag, Tag) and (found := _iso_date(str(tag.get("content", "")))):
            return found
    scope = soup.find("article") or soup
    for tag in scope.find_all(attrs={"itemprop": "datePublished"}):
        if found := _iso_date(str(tag.get("datetime") or tag.get("content") or tag.get_text())):
            return found
    time_tag = scope.find("time", attrs={"datetime": True})
    if isinstance(time_tag, Tag):
        return _iso_date(str(time_tag["datetime"]))
    return None


def _iso_date(value: str | None) -> str | None:
    """ISO date of '2025-06-11T08:00:00Z', '2025年6月11日', 'Wed, 11 Jun 2025 …', 'June 11, 2025'.

    The calendar date is taken as the publisher wrote it, without converting time zones.
    """
    if not value:
        return None
    value = value.strip()
    found = re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", value)
    if found:
        try:
            return date(*map(int, found.groups())).isoformat()
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for pattern in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%b. %d, %Y"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _remove_noise(soup: BeautifulSoup | Tag) -> None:
    body = soup.find("body") or soup
    page_chars = len(body.get_text())
    for tag in soup.find_all(_DROP_TAGS):
        if not tag.decomposed and not _holds_story(tag, page_chars):
            tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or not _looks_like_noise(tag) or _holds_story(tag, page_chars):
            continue
        tag.decompose()


def _looks_like_noise(tag: Tag) -> bool:
    style = str(tag.get("style", "")).replace(" ", "").lower()
    tokens = [*tag.get("class", []), str(tag.get("id", ""))]
    return (
        tag.has_attr("hidden")
        or "display:none" in style
        or str(tag.get("role", "")).lower() in _DROP_ROLES
        or any(_NOISE_TOKEN.search(token) for token in tokens if token)
    )


def _holds_story(tag: Tag, page_chars: int) -> bool:
    """A wrapper with a noisy-looking class ("has-ads", "with-sidebar", an ASP.NET page-wide
    <form>) may still wrap the story: never drop an element that contains the article or most
    of the page's text."""
    if tag.name in ("script", "style", "noscript", "template"):
        return False
    if tag.find(["article", "main"]) is not None:
        return True
    if tag.find(attrs={"itemprop": "articleBody"}) is not None:
        return True
    return page_chars > 0 and len(tag.get_text()) > page_chars / 2


def _selected_text(soup: BeautifulSoup, selector: str) -> str:
    copy = BeautifulSoup(str(soup), "lxml")
    for tag in copy.find_all(["script", "style", "noscript", "template"]):
        tag.decompose()
    return clean_text("\n\n".join(_element_text(tag) for tag in copy.select(selector)))


def _fallback_text(soup: BeautifulSoup) -> str:
    copy = BeautifulSoup(str(soup), "lxml")
    _remove_noise(copy)
    articles = copy.find_all("article")
    if articles:
        return max((_element_text(a) for a in articles), key=len)
    root = copy.find("main") or copy.find(attrs={"itemprop": "articleBody"}) or copy.body or copy
    return _element_text(root)


def _element_text(root: Tag) -> str:
    """Text with line breaks around block elements; inline markup does not split a sentence
    ("<b>$10</b> billion" stays "$10 billion"). Iterative, so deep nesting cannot overflow."""
    parts: list[str] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
        elif type(node) is NavigableString:
            parts.append(str(node))
        elif isinstance(node, Tag):
            if node.name in ("script", "style", "noscript", "template"):
                continue
            if node.name == "br":
                parts.append("\n")
            elif node.name in ("td", "th"):
                parts.append(" | ")
            if node.name in _BLOCK_TAGS:
                parts.append("\n")
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return clean_text("".join(parts))
