"""Related links: the classification of a page's link blocks, with and without what a crawl
learned of the source's template. (Whole pages are in tests/fixtures/extraction/related_*.)"""

from __future__ import annotations

from aggregator.extraction.dom import parse_html
from aggregator.extraction.related import find_related
from aggregator.template import TemplateStats

URL = "https://ex.com/2024/05/02/chips-are-back"
BODY = "<p>" + "The chip market recovered this quarter, analysts said on Tuesday. " * 8 + "</p>"


def _page(boxes: str) -> str:
    return (f"<html><body><main><article><h1>Chips are back</h1>{BODY}</article>{boxes}"
            "</main></body></html>")


def _box(heading: str, paths: list[str]) -> str:
    # headlines on the article's topic: words of its text and of its headline ("chips")
    items = "".join(f'<li><a href="{p}">Chips: the market recovered again in study {p[-1]}</a></li>'
                    for p in paths)
    return f'<section class="box"><h3>{heading}</h3><ul>{items}</ul></section>'


OWN = ["/2024/04/10/story-1", "/2024/04/11/story-2", "/2024/04/12/story-3"]
SITE_WIDE = ["/2024/01/01/pick-7", "/2024/01/02/pick-8", "/2024/01/03/pick-9"]


def _urls(html: str, stats: TemplateStats | None = None) -> list[str]:
    tree = parse_html(html)
    assert tree is not None
    return [link.url.removeprefix("https://ex.com") for link in
            find_related(tree, URL, template=stats).links]


def _learned(pages: int) -> TemplateStats:
    """What a crawl learns from pages that each have the site-wide box and a block of
    their own."""
    stats = TemplateStats()
    for n in range(pages):
        own = [f"/2024/03/{n:02d}/other-{k}" for k in range(3)]
        tree = parse_html(_page(_box("Keep exploring", own) + _box("Staff selection", SITE_WIDE)))
        assert tree is not None
        seen = find_related(tree, f"https://ex.com/2024/03/{n:02d}/page", template=TemplateStats())
        stats.observe(seen.observed_links, seen.observed_blocks)
    return stats


def test_a_page_alone_cannot_tell_an_unnamed_site_wide_box() -> None:
    html = _page(_box("Keep exploring", OWN) + _box("Staff selection", SITE_WIDE))
    assert _urls(html) == OWN + SITE_WIDE


def test_template_links_are_dropped_once_the_source_is_known() -> None:
    html = _page(_box("Keep exploring", OWN) + _box("Staff selection", SITE_WIDE))
    assert _urls(html, _learned(10)) == OWN
    # too few pages seen: the page decides alone
    assert _urls(html, _learned(3)) == OWN + SITE_WIDE


def test_a_recurring_block_with_changing_links_is_confirmed() -> None:
    # a short unheaded list that a page alone does not take
    items = "".join(f'<li><a href="{p}">Story {p[-1]}</a></li>' for p in OWN)
    html = _page(f'<section class="box"><ul>{items}</ul></section>')
    assert _urls(html) == []
    assert _urls(html, _learned(10)) == OWN


def test_named_site_wide_lists_hidden_blocks_and_menus_are_not_related() -> None:
    html = _page(_box("Most read", SITE_WIDE)
                 + f'<div style="display: none">{_box("Related", OWN)}</div>'
                 '<nav><a href="/2024/04/10/story-in-a-menu-preview">Story in a menu</a></nav>')
    assert _urls(html) == []


def test_a_heading_over_an_empty_container_names_nothing_after_it() -> None:
    """"Related" over a container a script fills is not the heading of the list after it."""
    items = "".join(f'<li><a href="{p}">Another headline for the site, number {p[-1]}</a></li>'
                    for p in SITE_WIDE)
    html = _page(f'<h3>Related</h3><div class="js-filled"></div><ul>{items}</ul>')
    assert _urls(html) == []
    assert _urls(html.replace('<div class="js-filled"></div>', "")) == SITE_WIDE


def test_a_related_link_never_takes_a_chunk_of_article_text_with_it():
    """A link scored related inside a block that is mostly paragraphs (a second chunk of the
    body with a video link in it) stays a link: the block is not removed from the body."""
    from aggregator.extraction.linkblocks import LinkCandidate
    from aggregator.extraction.related import _removable

    chunk = parse_html(f"<div class='story-block'>{BODY}{BODY}<a href='/video/'>Watch</a></div>")
    block = chunk.find(".//div")
    anchor = block.find(".//a")
    as_text = LinkCandidate(anchor, "https://ex.com/video/", "Watch", block, "", None,
                            {"block_link_share": 0.05})
    assert _removable(as_text) is None
    as_list = LinkCandidate(anchor, "https://ex.com/video/", "Watch", block, "", None,
                            {"block_link_share": 0.6})
    assert _removable(as_list) is block


def test_boxes_of_the_same_shape_side_by_side_are_each_their_own_block() -> None:
    """A widget column of boxes sharing one class, each under its own heading ("Related
    articles", "Most read"), is not one list of cards: the heading of the first box does not
    name the links of the next."""
    def widget(heading: str, paths: list[str]) -> str:
        cards = "".join(f'<a href="{p}"><div class="inner"><div class="kicker">Chips</div>'
                        f'<div class="title">The market recovered again in study {p[-1]}'
                        '</div></div></a>' for p in paths)
        return f'<div class="teaser-widget"><div class="header">{heading}</div>{cards}</div>'

    html = _page(f'<div class="column">{widget("Related articles", OWN)}'
                 f'{widget("Most read", SITE_WIDE)}</div>')
    assert _urls(html) == OWN


def test_a_list_headed_by_a_link_to_its_section() -> None:
    """<h2><a href="/markets/">More in Markets</a></h2> over a row of cards names the card
    beside it, and neither that link nor the row's "see all" link (the heading again) is a
    related article: both go to the section's page."""
    def card(path: str) -> str:
        return (f'<div class="card"><a href="{path}"><img src="x.jpg" alt="Chips"></a>'
                f'<a href="{path}">Chips: the market recovered again in study {path[-1]}</a>'
                f'<a href="/2024/04/3{path[-1]}/video-{path[-1]}">Watch</a></div>')

    section = "/markets-and-economy/"  # not a section's URL by its shape
    html = _page(f'<section><header><h2><a href="{section}">More in Markets</a></h2></header>'
                 f'<div class="content"><div class="layout"><div class="lead">{card(OWN[0])}'
                 f'</div><div class="rest">{card(OWN[1])}{card(OWN[2])}</div></div></div>'
                 f'<a href="{section}">More in Markets</a></section>')
    found = _urls(html)
    assert OWN[0] in found and section not in found


def test_a_linked_heading_names_every_column_of_its_list_but_not_the_bylines() -> None:
    """<h2><a href="/markets/">More in Markets</a></h2> over a lead column and a column of two
    more cards names the cards of both columns (the heading is the region's, not only the
    lead's); each card's byline ("Ann Lee, CFA" to /ann-lee/: a short name to a page whose
    URL is no article's) is not a related article."""
    def card(path: str) -> str:
        return (f'<div class="card"><a href="{path}"><img src="x.jpg" alt="Chips"></a>'
                f'<a href="{path}">Chips: the market recovered again in study {path[-1]}</a>'
                '<a href="/ann-lee/">Ann Lee, CFA</a></div>')

    section = "/markets-and-economy/"
    html = _page(f'<section><header><h2><a href="{section}">More in Markets</a></h2></header>'
                 f'<div class="content"><div class="layout"><div class="lead">{card(OWN[0])}'
                 f'</div><div class="rest">{card(OWN[1])}{card(OWN[2])}</div></div></div>'
                 f'<a href="{section}">More in Markets</a></section>')
    assert _urls(html) == OWN


def test_a_heading_is_read_with_its_parts_apart() -> None:
    """A heading with a close button in it (<h3>Read next<a>x</a></h3>) says "Read next x",
    not "Read nextx"."""
    items = "".join(f'<div class="item"><h4><a href="{p}">Chips: the market recovered again '
                    f'in study {p[-1]}</a></h4></div>' for p in OWN)
    html = _page(f'<aside class="popup"><h3 class="heading">Read next<a class="close">x</a>'
                 f'</h3><div class="content">{items}</div></aside>')
    assert _urls(html) == OWN


def test_topic_labels_beside_a_related_box_are_not_related() -> None:
    """Two-word topic labels ("Chips market") in a sidebar that also holds a "Related articles"
    box: the region's heading and the topic's words alone do not make them related."""
    topics = "".join(f'<li><a href="/subjects/{s}">{s.replace("-", " ").title()}</a></li>'
                     for s in ("chips-market", "chips-recovery"))
    html = _page(f'<aside>{_box("Related articles", OWN)}'
                 f'<div class="subjects"><h3>Subjects</h3><ul>{topics}</ul></div></aside>')
    assert _urls(html) == OWN


def test_a_wrapper_of_the_whole_list_names_it() -> None:
    """<section><div class="related-list"><h2>Next in Science</h2><ul>...: the class of the
    element that wraps every link of the block names the block, as the block's own would."""
    items = "".join(f'<li><a href="{p}">Another headline for the site, number {p[-1]}</a></li>'
                    for p in SITE_WIDE)
    html = _page(f'<section class="next"><div class="related-list"><h2>Next in Science</h2>'
                 f'<ul>{items}</ul></div></section>')
    assert _urls(html) == SITE_WIDE


def test_a_named_list_of_labels_is_not_related() -> None:
    """A box classed related whose links are all short labels (guide and topic pages with an
    icon), none reading like a headline, suggests no article."""
    chips = "".join(f'<a class="related-guide" href="/guides/{g}/"><img src="{g}.png" alt="">'
                    f'{g.replace("-", " ").title()}</a>' for g in ("chip-deals", "chip-news-daily"))
    html = _page(f'<div class="related-guides"><h4>Guides</h4>{chips}</div>')
    assert _urls(html) == []


def test_a_heading_over_an_empty_section_inside_a_block_names_nothing_else() -> None:
    """A sidebar whose first section is "Read more" over a container a script fills, then
    a box of column teasers: "Read more" names the empty section, not the teasers."""
    cards = "".join(f'<article class="card"><a href="{p}">Chips: the market recovered again '
                    f'in study {p[-1]}</a></article>' for p in SITE_WIDE)
    html = _page('<aside class="sidebar"><div class="content"><section class="block">'
                 '<div class="title"><span>Read more</span></div>'
                 '<div class="block-content" data-load="/suggested/1.html"><div class="loader">'
                 '</div></div></section><section class="block"><div class="title"><span>Columns'
                 f'</span></div><div class="block-content">{cards}</div></section></div></aside>')
    assert _urls(html) == []


def test_the_page_itself_is_never_related_whatever_its_query() -> None:
    html = _page(_box("Related", [*OWN, URL.removeprefix("https://ex.com") + "?_medium=widget"]))
    assert _urls(html) == OWN


def test_one_article_suggested_by_two_boxes_with_their_own_queries_is_one_link() -> None:
    """Two related boxes suggesting the same story, each link with the tag its box adds
    ("?iref=rel_01", "?iref=list_01"), give one related link, at its first place; a query that
    names the page ("/read.php?id=7") keeps two pages apart."""
    first = [f"{p}?iref=rel_0{n}" for n, p in enumerate(OWN)]
    again = [f"{OWN[0]}?iref=list_01", "/read.php?id=7", "/read.php?id=8"]
    html = _page(_box("Related", first) + _box("Related articles", again))
    assert _urls(html) == [*first, "/read.php?id=7", "/read.php?id=8"]


def test_a_callout_label_is_read_through_wrappers_and_icons() -> None:
    """<p><i class="icon"></i><span>MORE: <a>...</a></span></p> between the paragraphs is a
    "More:" callout."""
    line = (f'<p class="more-link"><i class="icon-arrow"></i><span>MORE: '
            f'<a href="{OWN[0]}">Chips: the market recovered again in study 1</a></span></p>')
    linked = BODY.replace("analysts", '<a href="/2024/05/01/analyst-notes">analysts</a>', 1)
    html = (f"<html><body><main><article><h1>Chips are back</h1>{linked}{line}{BODY}"
            "</article></main></body></html>")
    assert _urls(html) == OWN[:1]


def test_an_ad_in_a_related_list_is_not_related() -> None:
    ad = ('<li><a href="/homes/2024/05/03/new-homes-for-sale"><span class="label">Sponsored</span>'
          '<span>Chips money buys a house near the new market</span></a></li>')
    html = _page(_box("Related", OWN).replace("</ul>", ad + "</ul>"))
    assert _urls(html) == OWN


def test_a_box_named_inside_is_not_renamed_by_a_caption_above_it() -> None:
    """An in-body "Read More" box of two stories under a photo with a linked credit: the box
    is the block, named "Read More", not the box and the photo named by the credit."""
    linked = BODY.replace("analysts", '<a href="/2024/05/01/analyst-notes">analysts</a>', 1)
    box = ('<section class="more-topic"><div class="title">Read More</div><ol>'
           + "".join(f'<li><a href="{p}"><div>Chips: the market recovered again in study '
                     f'{p[-1]}</div></a></li>' for p in OWN[:2]) + "</ol></section>")
    html = ("<html><body><main><article><h1>Chips are back</h1><div class='story'>"
            f"{linked}<div class='block'><figure><img src='a.jpg'><figcaption>Photo by <a "
            "href='/photos/ann-lee'>Ann Lee</a></figcaption></figure><section class='element'>"
            "<div class='sr'>Article content"
            f"</div><div class='inline'>{box}</div></section></div>{BODY}</div>"
            "</article></main></body></html>")
    assert _urls(html) == OWN[:2]


def test_more_from_the_site_itself_is_site_wide() -> None:
    """"More from Cool News" on coolnews.example is the site's list, not more on the topic;
    "More on the topic at Cool News Plus" is on the topic."""
    def urls(heading: str) -> list[str]:
        tree = parse_html(_page(f'<aside>{_box(heading, OWN)}</aside>'))
        return [link.url.removeprefix("https://www.coolnews.example") for link in
                find_related(tree, "https://www.coolnews.example/2024/05/02/chips").links]

    assert urls("More from Cool News") == []
    assert urls("More on the topic at Cool News Plus") == OWN


def test_an_all_caps_call_to_action_is_not_a_callout() -> None:
    """An all-caps link line between the paragraphs is a headline callout when it links a
    story of the site; one that links a file to download or another site is a call to
    action."""
    def urls(href: str) -> list[str]:
        line = f'<p><a href="{href}">GET THE FULL CHIP MARKET REPORT NOW</a></p>'
        return _urls(f"<html><body><main><article><h1>Chips are back</h1>{BODY}{line}{BODY}"
                     "</article></main></body></html>")

    assert urls("/2024/05/01/chip-market-report") == ["/2024/05/01/chip-market-report"]
    assert urls("/uploads/2024/05/chip-market-report.pdf") == []
    assert urls("https://stats.example.org/chips/report") == []


def test_links_in_the_comments_are_the_readers() -> None:
    """The comments section (id="comments") under a "Related" region: its thread links are
    readers' posts, not related articles."""
    thread = "".join(f'<div class="post"><a href="/forum/chips/{n}-chips-market-thread,read.html">'
                     f'Re: Chips: the market recovered again in study {n}</a></div>'
                     for n in range(1, 4))
    html = _page(f'<div class="more">{_box("Related", OWN)}<section id="comments">'
                 f'<div>Comments</div>{thread}</section></div>')
    assert _urls(html) == OWN


def test_a_headline_in_a_heading_is_never_taken_for_small_print() -> None:
    """<a><h2>Kicker<span class="visually-hidden">:</span></h2><h3><span class="topline">
    Headline</span></h3></a>: the h3 is the headline whatever its inner class says, and the
    h2, a kicker by its hidden colon, is not."""
    from lxml import html as lxml_html

    from aggregator.extraction.linkblocks import link_title

    a = lxml_html.fragment_fromstring(
        '<a href="/x"><h2><span class="subline">Court on school choice<span '
        'class="visually-hidden">:</span></span></h2><h3 class="headline"><span '
        'class="topline">Not every child can go to grammar school</span></h3></a>')
    assert link_title(a) == "Not every child can go to grammar school"


def test_an_image_link_in_a_row_of_images_keeps_its_alt_as_title() -> None:
    """Three image links in a row under "You may also like:": each is titled by its image's
    alt text, not by the first heading of the section around the row."""
    row = "".join(f'<a href="{p}"><img src="{p[-1]}.jpg" alt="Chips story number {p[-1]}"></a> '
                  for p in OWN)
    html = _page(f'<section><h4>Related post: the chip fab tour</h4><p>{"Fabs. " * 30}</p>'
                 f'<h3>You may also like:</h3><div>{row}</div></section>')
    tree = parse_html(html)
    titles = [link.title for link in find_related(tree, URL).links]
    assert titles == [f"Chips story number {p[-1]}" for p in OWN]


def test_plain_link_lines_in_the_text_under_a_popular_label_are_the_articles() -> None:
    """<p><strong>DON'T MISS</strong></p><p><a>..</a> [INSIGHT]<br><a>..</a></p> between the
    paragraphs, on the article's topic, is the editor's callout; the same list in a classed
    component ("Latest in Chips" between the paragraphs) is the template's site-wide list."""
    lines = "".join(f'<a href="{p}">Chips are back as the market recovered, study {p[-1]}</a>'
                    " [<strong>INSIGHT]</strong><br>" for p in OWN)
    plain = f"<p><strong>DON'T MISS</strong></p><p>{lines}</p>"
    html = (f"<html><body><main><article><h1>Chips are back</h1>{BODY}{plain}{BODY}"
            "</article></main></body></html>")
    assert _urls(html) == OWN
    component = (f'<div class="latest-list"><p><strong>Latest in Chips</strong></p>'
                 f'<p class="teaser-lines">{lines}</p></div>')
    html = (f"<html><body><main><article><h1>Chips are back</h1>{BODY}{component}{BODY}"
            "</article></main></body></html>")
    assert _urls(html) == []


def test_story_cards_scattered_in_the_text_are_each_their_own_block() -> None:
    """Two story cards between the paragraphs of an article with no other links (<aside
    class="linkcard"><a><img><h3>Headline</h3></a></aside>): the article's text is their only
    common container, so each card is its own block, an in-body card and not running text;
    the cards leave the body. A bare classed line of one link is no card."""
    def card(path: str) -> str:
        return (f'<aside class="linkcard"><a href="{path}"><img src="x.jpg" alt="">'
                f'<div class="flag">More on this</div><h3>Chips are back in the market, '
                f'study {path[-1]}</h3></a></aside>')

    html = (f"<html><body><main><article><h1>Chips are back</h1><div class='story'>{BODY}"
            f"{card(OWN[0])}{BODY}{card(OWN[1])}{BODY}</div></article></main></body></html>")
    tree = parse_html(html)
    found = find_related(tree, URL)
    assert [link.url.removeprefix("https://ex.com") for link in found.links] == OWN[:2]
    assert [block.get("class") for block in found.blocks] == ["linkcard", "linkcard"]
    line = (f'<div class="embedded article"><a href="{OWN[2]}">Chips are back in the market, '
            "study 3</a></div>")
    linked = BODY.replace("analysts", '<a href="/2024/05/01/analyst-notes">analysts</a>', 1)
    html = (f"<html><body><main><article><h1>Chips are back</h1><div class='story'>{linked}"
            f"{line}{BODY}</div></article></main></body></html>")
    assert _urls(html) == []


def test_a_cards_headline_is_read_without_its_styles() -> None:
    """An empty overlay link on a card whose headline carries its own <style> (CSS-in-JS):
    the title is the headline, not the CSS."""
    from lxml import html as lxml_html

    from aggregator.extraction.linkblocks import link_title

    card = lxml_html.fragment_fromstring(
        '<div class="teaser"><a href="/2024/05/01/petros"></a><div><h3><style>.css-1x{hyphens:'
        'auto}</style><span>He runs with a lighter heart</span></h3></div></div>')
    assert link_title(card.find("a")) == "He runs with a lighter heart"


def test_a_list_holding_the_page_itself_off_its_topic_is_the_sites() -> None:
    """A box classed related and headed whose stories share no word with the article and
    which lists the page itself (with a tracking query) is the site's latest list; without
    the page in it, its class and heading name it related. (Without a heading, such a box is
    the site's whatever it holds:
    test_an_unheaded_box_only_a_class_calls_related_off_the_topic_is_the_sites.)"""
    off_topic = [f"/2024/04/2{n}/garden-story-{n}" for n in range(1, 4)]
    items = "".join(f'<li><a href="{p}">Garden party draws crowds to town hall {p[-1]}</a></li>'
                    for p in off_topic)
    box = f'<div class="related-items"><h3>Keep exploring</h3><ul>{items}</ul></div>'
    assert _urls(_page(box)) == off_topic
    itself = (f'<li><a href="{URL.removeprefix("https://ex.com")}?ref=latest">Chips are back'
              "</a></li>")
    assert _urls(_page(box.replace("</ul>", itself + "</ul>"))) == []


def test_top_in_a_class_is_a_position_under_a_related_heading() -> None:
    """"top" in a class says "top stories" or only where a box sits ("withThemeTopPadding",
    "padding-top"): under a heading that says related the box is related; under another
    heading it is still the site's list, even one of headlines on the article's topic."""
    off_topic = [f"/2024/04/2{n}/garden-story-{n}" for n in range(1, 4)]
    items = "".join(f'<li><a href="{p}">Garden party draws crowds to town hall {p[-1]}</a></li>'
                    for p in off_topic)
    box = (f'<section class="storyblock withThemeTopPadding"><h3>Das könnte Sie auch '
           f"interessieren</h3><ul>{items}</ul></section>")
    assert _urls(_page(box)) == off_topic
    on_topic = _box("Aus aller Welt", OWN)
    assert _urls(_page(on_topic)) == OWN
    assert _urls(_page(on_topic.replace('class="box"', 'class="box withThemeTopPadding"'))) == []


def test_an_item_named_by_a_long_number_in_its_query_is_an_article() -> None:
    """"/video/?vid=565167712" and "/index.php?p=40512" are one clip or story each, not a
    section; "?page=2" and a tag page with an id stay listings."""
    from aggregator.extraction.linkblocks import url_shape

    page = "https://ex.com/2024/05/02/chips-are-back"
    assert url_shape("https://ex.com/video/?vid=565167712", page).article_like
    assert url_shape("https://www.ex.com/index.php?p=40512", page).article_like
    assert url_shape("https://ex.com/news?page=2", page).listing
    assert url_shape("https://ex.com/tag/chips?id=12345", page).listing
    clips = [f"/video/?vid=5651677{n}" for n in range(10, 13)]
    items = "".join(f'<li><a href="{p}">Chips: the market recovered again in clip {p[-1]}</a></li>'
                    for p in clips)
    assert _urls(_page(f"<aside><h3>Related</h3><ul>{items}</ul></aside>")) == clips


def test_a_numbered_list_is_a_ranking_not_related() -> None:
    """A box whose items are numbered 1, 2, 3 (<span class="n">1</span><a>...</a>) ranks the
    site's stories (most read), whatever its heading says; the same box unnumbered is
    related."""
    def box(numbered: bool) -> str:
        items = "".join(f'<li>{f"<span>{n}</span>" if numbered else ""}<a href="{p}">Chips: '
                        f"the market recovered again in study {n}</a></li>"
                        for n, p in enumerate(OWN, start=1))
        return f'<section class="box"><h3>Related</h3><ol>{items}</ol></section>'

    assert _urls(_page(box(numbered=False))) == OWN
    assert _urls(_page(box(numbered=True))) == []


def test_an_unnamed_list_in_a_sidebar_by_class_is_not_related() -> None:
    """An unheaded list of headlines on the article's topic after it is related, but not in
    a sidebar, whether the page marks it with <aside> or with a class ("sidebar", "rail")."""
    items = "".join(f'<li><a href="{p}">Chips: the market recovered again in study {p[-1]}</a>'
                    "</li>" for p in OWN)
    assert _urls(_page(f"<div><ul>{items}</ul></div>")) == OWN
    assert _urls(_page(f"<aside><ul>{items}</ul></aside>")) == []
    assert _urls(_page(f'<div class="right-rail"><ul>{items}</ul></div>')) == []


def test_a_story_card_with_its_image_link_first_is_one_block() -> None:
    """A card between the paragraphs -- an image link in wrappers of its own, then the title
    link to the same story, a date -- is one block, the card, and an in-body story card
    whatever its topic: it is related and leaves the body."""
    card = (f'<div class="c1"><div class="m"><a href="{OWN[0]}"><div><div><img src="a.jpg">'
            f'</div></div></a></div><div class="t"><a href="{OWN[0]}"><h3>Garden party draws '
            "crowds to the town hall</h3></a><span><time>31. 10. 2025 17:46</time></span></div>"
            "</div>")
    linked = BODY.replace("analysts", '<a href="/2024/05/01/analyst-notes">analysts</a>', 1)
    tree = parse_html(f"<html><body><main><article><h1>Chips are back</h1><div class='story'>"
                      f"{linked}{card}{BODY}</div></article></main></body></html>")
    found = find_related(tree, URL)
    assert [link.url.removeprefix("https://ex.com") for link in found.links] == OWN[:1]
    assert found.links[0].title == "Garden party draws crowds to the town hall"
    assert [block.get("class") for block in found.blocks] == ["c1"]
    from aggregator.extraction.linkblocks import link_candidates

    cards = [c.block.get("class") for c in link_candidates(tree, URL) if c.url.endswith(OWN[0])]
    assert cards == ["c1", "c1"]  # the image link's block is the card too


def test_a_heading_is_read_whole_when_its_first_word_is_set_apart() -> None:
    """<h3><strong>Further</strong> reading</h3> over a list names it "Further reading", not
    "Further" (headlines that share no word with the article: only the heading names it)."""
    off_topic = [f"/2024/04/2{n}/garden-story-{n}" for n in range(1, 4)]
    items = "".join(f'<li><a href="{p}">Garden party draws crowds to town hall {p[-1]}</a></li>'
                    for p in off_topic)
    box = f'<div class="box"><h3><strong>Further</strong> reading</h3><ul>{items}</ul></div>'
    assert _urls(_page(box)) == off_topic


def test_todays_headlines_is_a_site_wide_list() -> None:
    """"Today's Headlines" (or "Top Headlines") over a box classed related is the site's
    list of the day, not more on the article's topic."""
    box = _box("Today's Headlines", OWN).replace('class="box"', 'class="related"')
    assert _urls(_page(box)) == []
    assert _urls(_page(_box("Related", OWN).replace('class="box"', 'class="related"'))) == OWN


def test_a_list_headed_by_the_articles_section_is_more_in_that_section() -> None:
    """On /superbike/news/..., a list headed "Superbike WSBK News" of stories filed under
    /superbike/ is more from the article's section (related, whatever their topic); its
    stories filed elsewhere, or the same list headed "Superbike: most read", are not."""
    page = "https://ex.com/superbike/news/rea-wins-in-assen-2024"

    def urls(heading: str, folder: str) -> list[str]:
        items = "".join(f'<li><a href="/{folder}/news/garden-party-in-town-{n}">Garden party '
                        f"draws crowds to the town hall {n}</a></li>" for n in range(1, 4))
        html = _page(f'<aside class="news-box"><h3>{heading}</h3><ul>{items}</ul></aside>')
        return [link.url.removeprefix("https://ex.com") for link in
                find_related(parse_html(html), page).links]

    assert urls("Superbike WSBK News", "superbike") == [
        f"/superbike/news/garden-party-in-town-{n}" for n in range(1, 4)]
    assert urls("Superbike WSBK News", "formel1") == []
    assert urls("Superbike: most read", "superbike") == []


def test_a_see_all_link_repeating_the_lists_heading_is_its_page() -> None:
    """Under "Superbike WSBK News", the link "Alle Superbike WSBK News" (to the section's
    page, "/superbike/news.html") is the list's own page, not one of its stories."""
    page = "https://ex.com/superbike/news/rea-wins-in-assen-2024"
    stories = [f"/superbike/news/garden-party-in-town-{n}" for n in range(1, 4)]
    items = "".join(f'<li><a href="{p}">Garden party draws crowds to the town hall {p[-1]}'
                    "</a></li>" for p in stories)
    items += '<li><a href="/superbike/news.html">Alle Superbike WSBK News</a></li>'
    html = _page(f'<aside class="news-box"><h3>Superbike WSBK News</h3><ul>{items}</ul></aside>')
    assert [link.url.removeprefix("https://ex.com") for link in
            find_related(parse_html(html), page).links] == stories


def test_an_unheaded_sidebar_box_only_a_class_calls_related_is_the_sites() -> None:
    """A sidebar grid classed "related-posts" with no heading, three of whose four stories
    are off the article's topic (the site's trending ones), is site-wide; with a heading of
    its own, or with its stories on the topic, it stays related."""
    stories = [f"/2024/04/2{n}/garden-story-{n}" for n in range(1, 4)] + OWN[:1]
    items = "".join(f'<div class="card"><a href="{p}">Garden party draws crowds to town hall '
                    f"{p[-1]}</a></div>" for p in stories[:3])
    items += (f'<div class="card"><a href="{OWN[0]}">Chips: the market recovered again in '
              "study 1</a></div>")
    grid = f'<aside><div class="post-grid related-posts">{items}</div></aside>'
    assert _urls(_page(grid)) == []
    headed = grid.replace('related-posts">', 'related-posts"><h3>Keep exploring</h3>')
    assert _urls(_page(headed)) == stories
    on_topic = "".join(f'<div class="card"><a href="{p}">Chips: the market recovered again in '
                       f"study {p[-1]}</a></div>" for p in OWN)
    assert _urls(_page(f'<aside><div class="post-grid related-posts">{on_topic}</div></aside>'
                       )) == OWN


def test_an_unheaded_box_only_a_class_calls_related_off_the_topic_is_the_sites() -> None:
    """A box classed "related" with no heading, none of whose stories shares a word with the
    article, is the site's feature box wherever it stands (after the article, not only in a
    sidebar); one story of it on the topic, or a heading of its own, keeps it related."""
    stories = [f"/2024/04/2{n}/garden-story-{n}" for n in range(1, 4)]
    cards = "".join(f'<div class="card"><a href="{p}">Garden party draws crowds to town hall '
                    f"{p[-1]}</a></div>" for p in stories)
    box = f'<div class="related-box">{cards}</div>'
    assert _urls(_page(box)) == []
    headed = box.replace('related-box">', 'related-box"><h3>Keep exploring</h3>')
    assert _urls(_page(headed)) == stories
    topical = box.replace("Garden party draws crowds to town hall 1",
                          "Chips: the market recovered again in study 1")
    assert _urls(_page(topical)) == stories
