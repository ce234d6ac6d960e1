"""The lead image: its absolute URL, caption and credit.

Captions often carry the credit: ``Caption text (Image CUHK)``, ``Caption. Photo: Reuters``, or a
``.credit`` element inside the ``<figcaption>``.

>>> split_caption("Dean Wong with students (Image CUHK)")
('Dean Wong with students', 'CUHK')
>>> split_caption("A chip wafer. Photo: Reuters")
('A chip wafer.', 'Reuters')
>>> split_caption("No credit here")
('No credit here', '')
"""

from __future__ import annotations

import logging
import re
from typing import Any

from lxml import etree

from aggregator.urls import join, split
from ..items import LeadImage
from .rules import SiteRules
from .structured import StructuredData
from .text import clean_text

logger = logging.getLogger(__name__)

_LABEL = r"(?:image|images|photo|photos|photograph|picture|pic|credit|credits|source|courtesy|copyright|©)"
#: "(Image CUHK)", "(Photo: Reuters)", "[Credit: AP]" at the end of a caption
_BRACKET_CREDIT_RE = re.compile(
    rf"\s*[(\[]\s*{_LABEL}\s*(?:by\b)?\s*[:\-–—]?\s*(?P<credit>[^()\[\]]+?)\s*[)\]]\s*$", re.IGNORECASE
)
#: "... Photo: Reuters" / "... Image credit: NASA" / "... © AP" at the end of a caption
_TRAILING_CREDIT_RE = re.compile(
    rf"(?:^|(?<=[.!?])\s+|\s+[|/–—-]\s+)(?:{_LABEL}\s*)+(?:by\b)?\s*[:\-–—]\s*(?P<credit>[^.:]{{2,80}})$"
    rf"|\s*©\s*(?P<copy>[^.:]{{2,80}})$",
    re.IGNORECASE,
)
_LEADING_LABEL_RE = re.compile(rf"^\s*[(\[]?\s*(?:{_LABEL}\s*)+(?:by\b)?\s*[:\-–—]?\s*", re.IGNORECASE)
_CREDIT_CLASS = ("credit", "copyright", "attribution", "source", "byline", "photographer")


def clean_credit(text: str) -> str:
    """A credit without its "Image"/"Photo"/"Credit"/"Source" label and brackets."""
    text = clean_text(text).strip("()[] ")
    text = _LEADING_LABEL_RE.sub("", text)
    return text.strip("()[] ").strip()


def split_caption(text: str) -> tuple[str, str]:
    """(caption, credit) from a caption that may end with its credit."""
    text = clean_text(text)
    for regex in (_BRACKET_CREDIT_RE, _TRAILING_CREDIT_RE):
        match = regex.search(text)
        if match:
            credit = match.group("credit") if "credit" in regex.groupindex and match.group("credit") \
                else match.groupdict().get("copy") or ""
            return text[: match.start()].strip(), clean_credit(credit)
    return text, ""


def _is_credit_el(el: etree._Element) -> bool:
    klass = (el.get("class") or "").lower()
    return any(word in klass for word in _CREDIT_CLASS)


def caption_of(figcaption: etree._Element) -> tuple[str, str]:
    """(caption, credit) of a ``<figcaption>`` (or any caption element)."""
    credit_els = [el for el in figcaption.iter() if el is not figcaption and _is_credit_el(el)]
    if credit_els:
        credit = clean_credit(" ".join("".join(el.itertext()) for el in credit_els))
        parts: list[str] = []
        _text_without(figcaption, set(credit_els), parts)
        caption, inline = split_caption(" ".join(parts))
        return caption, credit or inline
    return split_caption("".join(figcaption.itertext()))


def _text_without(el: etree._Element, skip: set[etree._Element], out: list[str]) -> None:
    """Text of ``el`` without the subtrees in ``skip`` (iterative, document order)."""
    stack: list[Any] = [el]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if item in skip:
            if item.tail:
                out.append(item.tail)
            continue
        if item.tail and item is not el:
            stack.append(item.tail)
        stack.extend(reversed(list(item)))
        if item.text:
            stack.append(item.text)


def _url_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _url_of(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, list) and value:
        return _url_of(value[0])
    return ""


def _img_src(img: etree._Element) -> str:
    for attr in ("src", "data-src", "data-original", "data-lazy-src"):
        value = img.get(attr)
        if value and not value.startswith("data:"):
            return value.strip()
    srcset = img.get("srcset") or img.get("data-srcset")
    return srcset.split()[0] if srcset else ""


def _same_image(a: str, b: str) -> bool:
    name_a, name_b = split(a).path.rsplit("/", 1)[-1], split(b).path.rsplit("/", 1)[-1]
    return bool(name_a) and name_a == name_b


_FIGURES = etree.XPath("//figure[.//img] | //*[@itemprop='image' and .//img]")


def _figure_for(tree: etree._Element, image_url: str) -> etree._Element | None:
    """The figure that shows ``image_url``, else the first figure in the article."""
    figures = _FIGURES(tree)
    for fig in figures:
        for img in fig.iter("img"):
            if image_url and _same_image(join(image_url, _img_src(img)), image_url):
                return fig
    for fig in figures:
        if any(anc.tag in ("article", "main") for anc in fig.iterancestors()):
            return fig
    # no declared image and no <article>: the page's first figure, if it has a caption
    for fig in figures:
        if fig.tag == "figure" and next(fig.iter("figcaption"), None) is not None:
            return fig
    return None


#: a site's logo, icon or avatar: never a lead image
_LOGO_RE = re.compile(
    r"(?:^|[/_.=-])(?:logos?|favicons?|blavatar|gravatar|avatars?|icons?|sprites?|placeholder)"
    r"(?:$|[/_.=-]|\d)", re.IGNORECASE)


def is_logo(image_url: str, data: StructuredData) -> bool:
    """``image_url`` is the site's logo or an icon (by its URL, or as the publisher's logo)."""
    parts = split(image_url)
    if _LOGO_RE.search(parts.netloc + parts.path):
        return True
    publisher = data.article.get("publisher")
    logo = _url_of(publisher.get("logo")) if isinstance(publisher, dict) else ""
    return bool(logo) and _same_image(logo, image_url)


def find_image(
    tree: etree._Element,
    data: StructuredData,
    url: str,
    rules: SiteRules | None = None,
) -> LeadImage | None:
    """The lead image, its URL made absolute, with caption and credit when the page gives them."""
    image_url = ""
    caption = credit = ""
    if rules is not None:
        image_url = rules.first_value(tree, "image") or ""
        caption = rules.first_value(tree, "caption") or ""
        credit = clean_credit(rules.first_value(tree, "credit") or "")
        if caption and not credit:
            caption, credit = split_caption(caption)
    article_image = data.article.get("image")
    if not image_url:
        image_url = (
            data.first("og:image", "og:image:url", "og:image:secure_url")
            or _url_of(article_image)
            or _url_of(data.microdata_article.get("image"))
            or data.first("twitter:image", "twitter:image:src")
        )
        if image_url and is_logo(image_url, data):
            image_url = ""
    figure = None
    if not image_url or not caption:
        figure = _figure_for(tree, join(url, image_url) if image_url else "")
    if not image_url and figure is not None:
        img = next(figure.iter("img"), None)
        image_url = _img_src(img) if img is not None else ""
    if not image_url:
        return None
    if not caption and figure is not None:
        figcaption = next(figure.iter("figcaption"), None)
        if figcaption is not None:
            caption, fig_credit = caption_of(figcaption)
            credit = credit or fig_credit
    if not caption and isinstance(article_image, dict):
        caption, inline = split_caption(str(article_image.get("caption") or ""))
        credit = credit or clean_credit(str(article_image.get("creditText") or "")) or inline
    return LeadImage(url=join(url, image_url), caption=caption, credit=credit)
