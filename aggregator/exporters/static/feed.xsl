<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows an RSS 2.0 or Atom 1.0 feed as a readable page when it is opened in a browser.
     Readers ignore the xml-stylesheet instruction that points here. Every text is output
     with value-of (escaped); the feed's HTML content is never rendered, so a hostile title
     or summary stays text. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="normalize-space(rss/channel/title | atom:feed/atom:title)"/>
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="referrer" content="no-referrer"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <link rel="stylesheet" href="style.css"/>
      </head>
      <body>
        <header>
          <p class="notice">This is a <strong>
            <xsl:choose>
              <xsl:when test="atom:feed">Atom</xsl:when>
              <xsl:otherwise>RSS</xsl:otherwise>
            </xsl:choose></strong> news feed. Copy this page's address into your feed reader
            to subscribe. <a href="./">All feeds</a></p>
          <h1><xsl:value-of select="$title"/></h1>
          <p class="desc">
            <xsl:value-of select="rss/channel/description | atom:feed/atom:subtitle"/>
          </p>
        </header>
        <main>
          <ol class="entries">
            <xsl:apply-templates select="rss/channel/item | atom:feed/atom:entry"/>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li class="entry">
      <h2><a href="{link}" rel="noopener noreferrer"><xsl:value-of select="title"/></a></h2>
      <p class="meta">
        <xsl:value-of select="pubDate"/>
        <xsl:if test="author or *[local-name()='creator']">
          <xsl:text> · </xsl:text>
          <xsl:value-of select="author | *[local-name()='creator']"/>
        </xsl:if>
      </p>
      <xsl:if test="description">
        <p class="summary"><xsl:value-of select="substring(description, 1, 400)"/></p>
      </xsl:if>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="entry">
      <h2>
        <a href="{(atom:link[@rel='alternate'] | atom:link[not(@rel)])[1]/@href}"
           rel="noopener noreferrer"><xsl:value-of select="atom:title"/></a>
      </h2>
      <p class="meta">
        <xsl:value-of select="substring(atom:published | atom:updated[not(../atom:published)], 1, 10)"/>
        <xsl:if test="atom:author/atom:name">
          <xsl:text> · </xsl:text>
          <xsl:value-of select="atom:author/atom:name"/>
        </xsl:if>
      </p>
      <xsl:if test="atom:summary">
        <p class="summary"><xsl:value-of select="substring(atom:summary, 1, 400)"/></p>
      </xsl:if>
    </li>
  </xsl:template>
</xsl:stylesheet>
