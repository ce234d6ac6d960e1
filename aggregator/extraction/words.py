"""The words sites use for what is not the article, in the languages we read most.

English, French, German, Spanish, Portuguese, Italian, Dutch, Chinese and Japanese, and for
link-block headings also Russian, Polish, Czech, Turkish, Swedish, Norwegian, Danish,
Indonesian, Korean and Vietnamese, for:
related links ("related", "read more", "you may also like", "recommended", "more from"),
site-wide lists ("most read", "trending") and calls to share or subscribe. Latin-script
phrases must end on a word boundary; CJK phrases need none (CJK text has no spaces).

>>> bool(RELATED_HEADING_RE.match("Lesen Sie auch")), bool(RELATED_HEADING_RE.match("相关文章推荐"))
(True, True)
>>> bool(RELATED_HEADING_RE.match("Relative humidity"))
False
>>> bool(POPULAR_HEADING_RE.match("Les plus lus"))
True
>>> bool(SITE_WIDE_WORDS_RE.search("More Trending")), bool(SITE_WIDE_WORDS_RE.search("Related"))
(True, False)
>>> bool(SHARE_OR_SUBSCRIBE_RE.match("Abonnez-vous à notre newsletter"))
True
>>> bool(SHARE_OR_SUBSCRIBE_RE.match("Shares fell 3%"))
False
"""

from __future__ import annotations

import re


def _phrases(latin: str, cjk: str) -> re.Pattern[str]:
    """A case-insensitive regex matching at the start of a text."""
    return re.compile(rf"^\W*(?:(?:{latin})(?:\b|(?<=\W))|(?:{cjk}))", re.IGNORECASE)


_RELATED_LATIN = "|".join([
    # English
    r"suggested|related|recommended|read more|read next|more from|more on|more in|more about",
    r"more stories|more news|more articles|more like this|you may also like|you might also like",
    r"you may like|you might like|also read|see also|further reading|keep reading",
    r"what to read next|read this next|more\s*:",
    # French
    r"articles? similaires|articles? li[ée]s|sur le m[êe]me (?:sujet|th[èe]me)",
    r"(?:[àa] )?lire aussi",
    r"(?:[àa] )?voir aussi|lire la suite|vous aimerez (?:aussi|peut-[êe]tre)|recommand[ée]s?",
    r"plus d'articles|plus de (?:contenus|news|nouvelles)|dans la m[êe]me rubrique",
    # German
    r"(?:ähnliche|verwandte|weitere) (?:artikel|beiträge|themen|nachrichten)|mehr zum thema",
    r"mehr (?:aus|von|zu)|das könnte sie (?:auch )?interessieren|auch interessant",
    r"lesen sie (?:auch|mehr)|weiterlesen|empfohlen|empfehlungen|zum weiterlesen",
    # Spanish
    r"(?:noticias|art[íi]culos|contenidos?) relacionad[oa]s|relacionad[oa]s",
    r"(?:tambi[ée]n )?te puede interesar|quiz[áa]s? te interese|le puede interesar|leer m[áa]s",
    r"lee tambi[ée]n|m[áa]s (?:de|noticias|art[íi]culos)|recomendad[oa]s|te recomendamos",
    # Portuguese
    r"(?:not[íi]cias|artigos|mat[ée]rias) relacionad[oa]s|leia (?:tamb[ée]m|mais)",
    r"veja (?:tamb[ée]m|mais)|voc[êe] (?:tamb[ée]m )?pode gostar|saiba mais",
    r"mais (?:de|not[íi]cias|lidas?)",
    r"recomendad[oa]s para voc[êe]",
    # Italian
    r"articoli correlati|correlati|leggi anche|leggi di pi[ùu]|potrebbe interessarti",
    r"ti potrebbe(?:ro)? interessare|consigliati|altro da|altri articoli|vedi anche",
    r"potrebbe piacerti",
    # Dutch
    r"gerelateerde? (?:artikelen|berichten|nieuws)?|lees (?:ook|meer|verder)",
    r"meer (?:over|van|nieuws)",
    r"misschien ook interessant|ook interessant|aanbevolen",
    # Russian
    r"(?:читайте|смотрите) (?:также|еще|ещё)|материалы по теме|по теме|похожие (?:статьи|новости)",
    r"еще (?:по теме|новости)|ещё (?:по теме|новости)|рекомендуем|связанные",
    # Polish, Czech
    r"czytaj (?:też|także|również|więcej)|zobacz (?:też|także|również)|powiązane|polecane",
    r"podobne artykuły|więcej na ten temat|(?:přečtěte|čtěte) (?:si )?(?:také|též|více)",
    r"související(?: články)?|mohlo by vás zajímat|doporučujeme|další články|více k tématu",
    # Turkish
    r"ilgili (?:haberler|yazılar|içerikler)|benzer haberler|bunlar da ilginizi|önerilen",
    r"daha fazla|devamını oku",
    # Swedish, Norwegian, Danish
    r"läs (?:också|även|mer)|relaterade? (?:artiklar|nyheter)?|les (?:også|mer)|relaterte",
    r"læs (?:også|mere)|relaterede(?: artikler)?|mer om|mere om|anbefalt|anbefalet",
    # Indonesian
    r"baca (?:juga|selengkapnya)|berita terkait|artikel terkait|terkait",
    # Vietnamese
    r"tin liên quan|bài liên quan|xem thêm|đọc thêm",
])
_RELATED_CJK = "|".join([
    "相关|相關|延伸阅读|延伸閱讀|推荐阅读|推薦閱讀|推荐|推薦|猜你喜欢|猜你喜歡|你可能也喜欢",
    "更多|阅读更多|閱讀更多|关联|关联阅读",
    "関連|あわせて読みたい|合わせて読みたい|こちらもおすすめ|おすすめ|オススメ|もっと読む|続きを読む",
    "관련 기사|관련기사|관련 뉴스|추천 기사|함께 볼|【関連",
])
#: heading texts that introduce a block of links to other articles
RELATED_HEADING_RE = _phrases(_RELATED_LATIN, _RELATED_CJK)

#: headings of site-wide link lists: kept out of the body, but not related to the article
POPULAR_HEADING_RE = _phrases(
    "|".join([
        r"popular|most read|most popular|most viewed|trending|don'?t miss|editor'?s picks",
        r"latest|top stories|up next",
        r"les plus (?:lus|populaires|partag[ée]s)|populaires?|[àa] la une|tendances?",
        r"meistgelesen|am meisten gelesen|beliebteste?|top-?artikel",
        r"lo m[áa]s (?:le[íi]do|visto)|m[áa]s le[íi]d[oa]s|tendencias",
        r"mais (?:lidas|lidos|vistos?)|em alta",
        r"(?:i )?pi[ùu] lett[ie]|pi[ùu] popolari|in evidenza",
        r"meest gelezen|populair|trending",
    ]),
    "热门|熱門|最受欢迎|最受歡迎|排行|人気|ランキング|注目",
)

#: words anywhere in a heading that name a site-wide list rather than articles on this topic:
#: most read, trending, latest/newest, top stories, editors' picks (same languages as above)
SITE_WIDE_WORDS_RE = re.compile(
    r"(?:^|\b)(?:" + "|".join([
        r"popular|most[ -](?:read|viewed|shared|watched|commented)|trending|latest|newest",
        r"top (?:stories|news|articles)|editor'?s'? picks|breaking|newsticker|news ticker|live",
        r"(?:today'?s|top|latest) headlines",
        r"populaires?|les plus|derni[eè]res?|à la une|tendances?",
        r"meistgelesen\w*|meist gelesen|häufig gelesen|beliebteste?\w*|neueste\w*|aktuell\w*",
        r"top-?themen|top-?artikel|schlagzeilen",
        r"m[áa]s (?:le[íi]d[oa]s|vist[oa]s|popular(?:es)?)|[úu]ltim[ao]s?|tendencias?",
        r"mais (?:lid[oa]s|vist[oa]s)|em alta",
        r"pi[ùu] (?:lett[ie]|letti|popolari|recenti)|ultim[ei]|ultim'ora",
        r"meest (?:gelezen|recent|bekeken)|populair|laatste|net binnen",
        r"самое (?:читаемое|популярное)|популярное|последние|najczęściej|najnowsze|nejčtenější",
        r"nejnovější|en çok okunan|son dakika|mest (?:lest|läst|læst|delt)|senaste|siste|seneste",
        r"terpopuler|terbaru|phổ biến|mới nhất",
    ]) + r")(?:\b|$)"
    r"|热门|熱門|最新|排行|人気|ランキング|新着|注目|많이 본|인기|최신",
    re.IGNORECASE,
)

#: the whole text of a share bar or newsletter box
SHARE_OR_SUBSCRIBE_RE = _phrases(
    "|".join([
        r"share(?: this)?(?: (?:article|story|post|page))?(?: on| via|:|$)|share$",
        r"sign up for (?:our|the) newsletter|subscribe to (?:our|the) newsletter",
        r"newsletter sign-?up",
        r"partager(?: cet article| sur)?|abonnez-vous|inscrivez-vous [àa] (?:notre|la) newsletter",
        r"teilen|artikel teilen|newsletter abonnieren|jetzt abonnieren",
        r"compartir|comp[áa]rtelo|suscr[íi]bete|suscribirse",
        r"compartilhe|compartilhar|assine (?:a|nossa) newsletter|inscreva-se",
        r"condividi|iscriviti(?: alla newsletter)?",
        r"del(?:en)? (?:dit|op)|schrijf je in|aanmelden (?:voor )?(?:de )?nieuwsbrief",
    ]),
    "分享|分享到|分享本文|订阅|訂閱|(?:この)?記事を(?:シェア|共有)|シェア|共有する|購読|メルマガ登録|"
    "ニュースレター",
)
#: such a text is at most this long
MAX_SHARE_TEXT = 80

#: class/id words of related-link containers (class names are mostly English; a few are not)
RELATED_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:related|suggested|recommend(?:ed|ations?)?|more-from|read-more|readmore|"
    r"read-next|you-may-like|also-like|more-stories|outbrain|taboola|"
    r"relacionad[oa]s?|correlat[io]|verwandte?|aehnliche?|gerelateerd|similaires?|lire-aussi|"
    r"leia-tambem|leggi-anche|lees-ook|kanren)(?:$|[\s_-])",
    re.IGNORECASE,
)
#: class/id words of boilerplate containers (share bars, newsletter boxes, ads, consent...)
BOILERPLATE_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|newsletter|subscribe|subscription|signup|sign-up|"
    r"promo|advert|advertisement|ad-slot|adslot|ad-container|ad-wrapper|ads|sponsored|"
    r"cookie|consent|breadcrumbs?|paywall|inline-related|related|outbrain|taboola|"
    r"most-popular|trending|recirc|recirculation|byline-share|print-only|"
    r"partage|partager|teilen|compartir|compartilhar|condividi|delen|nieuwsbrief|"
    r"abonnement|abonnieren|suscripcion|werbung|anzeige|publicite|pubblicita|publicidad|"
    r"reklame)(?:$|[\s_-])",
    re.IGNORECASE,
)

#: a picture's credit line: "Photo: AP", "Image credit: Getty", "Bild: dpa"
PHOTO_CREDIT = r"^\W*(?:photo|image|picture|foto|bild|imagen|immagine)s?(?: credits?)?\s*:"
PHOTO_CREDIT_RE = re.compile(PHOTO_CREDIT, re.IGNORECASE)
#: ...is at most this long
MAX_PHOTO_CREDIT = 80

#: text of a block at the start or end of a body that belongs to the page, not the article:
#: copyright and rights lines, reprint notices, bare URLs, e-mail lines, photo credits, ad labels
EDGE_BOILERPLATE_RE = re.compile(
    "|".join([
        r"copyright|©|\(c\)\s*\d{4}",
        r"all rights reserved|tous droits r[ée]serv[ée]s|alle rechte vorbehalten",
        r"todos los derechos reservados|todos os direitos reservados|tutti i diritti riservati",
        r"alle rechten voorbehouden|版权所有|版權所有|無断転載|無断複製",
        r"personal,? non-commercial use|order reprints|print (?:this )?article",
        r"^\W*https?://\S+\W*$",
        r"[\w.+-]+@[\w-]+\.[\w.-]+",
        PHOTO_CREDIT,
        r"^\W*(?:follow us|suivez-nous|folgen sie uns|s[íi]guenos|siga-nos|seguici|volg ons)\b",
        r"\bfollow (?:us|him|her|me|them) (?:on|@)",
        r"^\W*(?:advertisement|publicit[ée]|anzeige|werbung|publicidad|publicidade|pubblicit[àa]"
        r"|advertentie|广告|廣告|広告)\W*$",
    ]),
    re.IGNORECASE,
)
#: ...and such a block is at most this long
MAX_EDGE_BOILERPLATE = 400
