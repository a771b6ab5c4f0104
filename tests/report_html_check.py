#!/usr/bin/python3
"""report_html_check.py -- checks an HTML report against the JSON report of
the same run (tests/test_reports.sh).

  report_html_check.py structure REPORT.html REPORT.json
      every claim of the JSON report appears in the HTML as a section with
      its title and a verdict badge matching its outcome, and a badge per
      method with that method's outcome; the summary line is the same.
  report_html_check.py offline REPORT.html
      the page is self-contained: no <script>, <link>, <iframe>, <object>,
      <embed>, no src/href/srcset/action/poster/data attribute naming
      another document (only in-page "#..." links), no url(...) or
      @import in the style sheet.
  report_html_check.py png SHOT.png
      the screenshot is not blank: it decodes (8-bit RGB/RGBA, no
      interlace), has at least 16 distinct colours and at least 2 % of
      its pixels are not the background.

Only the standard library is used (html.parser, zlib), so the check does
not depend on the code it checks.  Exit 0 when the check holds, 1 with a
message when it does not.
"""
import html.parser
import json
import re
import struct
import sys
import zlib


class Page(html.parser.HTMLParser):
    """Collects sections, badges and every tag with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []            # (tag, attrs)
        self.sections = []        # dict(title=str, badges=[str])
        self.style = []
        self._in = []             # open tags of interest
        self._text = None
        self.summary = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        cls = (attrs.get("class") or "").split()
        if tag == "section" and "claim" in cls:
            self.sections.append({"title": "", "badges": [], "h2": ""})
        if tag == "span" and "badge" in cls and self.sections:
            self._text = ("badge", [])
        if tag == "h2" and self.sections:
            self._in.append("h2")
        if tag == "style":
            self._in.append("style")
        if tag == "p" and attrs.get("id") == "summary":
            self._in.append("summary")
            self.summary = ""

    def handle_endtag(self, tag):
        if tag == "span" and self._text is not None:
            self.sections[-1]["badges"].append("".join(self._text[1]))
            if "h2" in self._in:
                self.sections[-1]["h2"] += "\0"
            self._text = None
        if self._in and self._in[-1] == tag:
            self._in.pop()
        elif tag == "p" and self._in and self._in[-1] == "summary":
            self._in.pop()

    def handle_data(self, data):
        if self._text is not None:
            self._text[1].append(data)
            return
        if "h2" in self._in:
            self.sections[-1]["h2"] += data
        if "style" in self._in:
            self.style.append(data)
        if "summary" in self._in:
            self.summary += data


def parse(path):
    page = Page()
    with open(path, encoding="utf-8") as f:
        page.feed(f.read())
    page.close()
    return page


def claim_label(claim):
    outcome = claim["outcome"]
    if outcome == "passed":
        return "PASS (refuted as expected)" if claim["kind"] == "refute" else "PASS"
    if outcome == "tested":
        return "TESTED"
    return "FAIL" if outcome == "failed" else "UNDECIDED"


def check_structure(html_path, json_path):
    page = parse(html_path)
    with open(json_path, encoding="utf-8") as f:
        report = json.load(f)
    claims = report["claims"]
    if len(page.sections) != len(claims):
        return "%d claim sections, the JSON report has %d claims" % (
            len(page.sections), len(claims))
    for number, (section, claim) in enumerate(zip(page.sections, claims), 1):
        # The heading is "N. " BADGE " TITLE"; the badge text was cut out.
        heading = section["h2"].split("\0", 1)[-1].strip()
        if heading != claim["title"]:
            return "section %d: title %r, expected %r" % (number, heading, claim["title"])
        badges = section["badges"]
        if not badges or badges[0] != claim_label(claim):
            return "section %d (%s): verdict badge %r, expected %r" % (
                number, claim["title"], badges[:1], claim_label(claim))
        for method in claim["methods"]:
            want = "%s: %s" % (method["method"], method["outcome"])
            if want not in badges:
                return "section %d (%s): no badge %r" % (number, claim["title"], want)
    s = report["summary"]
    want = "%d passed" % s["passed"]
    if s.get("tested"):
        want += ", %d tested" % s["tested"]
    want += ", %d failed" % s["failed"]
    if s.get("undecided"):
        want += ", %d undecided" % s["undecided"]
    if (page.summary or "").strip() != want:
        return "summary %r, expected %r" % (page.summary, want)
    return None


FORBIDDEN_TAGS = {"script", "link", "iframe", "object", "embed", "img", "audio",
                  "video", "source", "base", "frame", "meta"}
URL_ATTRIBUTES = {"src", "href", "srcset", "action", "poster", "data",
                  "xlink:href", "background", "formaction", "ping"}


def check_offline(html_path):
    page = parse(html_path)
    for tag, attrs in page.tags:
        if tag in FORBIDDEN_TAGS and not (
                tag == "meta" and set(attrs) <= {"charset", "name", "content"}):
            return "element <%s> %r could load something" % (tag, attrs)
        for name, value in attrs.items():
            value = (value or "").strip()
            if name in URL_ATTRIBUTES and not value.startswith("#"):
                return "<%s %s=%r> names another document" % (tag, name, value)
            if re.match(r"(?i)^\s*(https?:|//|file:|data:|javascript:)", value) \
                    and name != "content":
                return "<%s %s=%r> is a URL" % (tag, name, value)
            if name.startswith("on"):
                return "<%s %s=...> is an event handler" % (tag, name)
    style = "".join(page.style)
    if re.search(r"(?i)url\s*\(|@import|@font-face", style):
        return "the style sheet loads something"
    return None


def png_pixels(path):
    """Decodes an 8-bit, non-interlaced RGB or RGBA PNG into rows of pixels."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise ValueError("unsupported PNG kind (depth %d, colour %d)" % (depth, colour))
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def check_png(path):
    width, height, bpp, rows = png_pixels(path)
    colours = {}
    for line in rows:
        for x in range(0, len(line), bpp):
            px = line[x:x + 3]
            colours[px] = colours.get(px, 0) + 1
    background = max(colours, key=colours.get)
    other = width * height - colours[background]
    if len(colours) < 16:
        return "only %d distinct colours: the page looks blank" % len(colours)
    if other < 0.02 * width * height:
        return "only %d of %d pixels differ from the background" % (other, width * height)
    return None


def main(argv):
    if len(argv) == 4 and argv[1] == "structure":
        problem = check_structure(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "offline":
        problem = check_offline(argv[2])
    elif len(argv) == 3 and argv[1] == "png":
        problem = check_png(argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    if problem:
        print("report_html_check: %s" % problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
