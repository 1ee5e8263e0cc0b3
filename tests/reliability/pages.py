"""What staff see after a fault: a page rendered for a signed-in user, and one element's text."""

from html.parser import HTMLParser

from django.contrib.auth.models import User
from django.test import Client

VOID_TAGS = frozenset({"br", "hr", "img", "input", "link", "meta", "source", "wbr"})


def staff_page(user: User, url: str) -> str:
    """Return the HTML `url` shows `user` (who must be allowed to see it)."""
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


class _ElementText(HTMLParser):
    """Collect the text inside the first element whose `attribute` equals `value`."""

    def __init__(self, attribute: str, value: str) -> None:
        super().__init__()
        self.attribute, self.value = attribute, value
        self.depth = 0  # open tags inside the element, itself included
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS or self.done:
            return
        if self.depth:
            self.depth += 1
        elif (self.attribute, self.value) in attrs:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID_TAGS:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def element_text(html: str, attribute: str, value: str) -> str:
    """Return the whitespace-collapsed text of the first element with attribute=value."""
    finder = _ElementText(attribute, value)
    finder.feed(html)
    assert finder.depth or finder.done, f"no element with {attribute}={value!r} on the page"
    return " ".join("".join(finder.parts).split())


class _TableRows(HTMLParser):
    """Collect every body row (<td> cells) of every table, as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    """Return the cell texts of every table body row on the page, in page order."""
    parser = _TableRows()
    parser.feed(html)
    return [row for row in parser.rows if row]
