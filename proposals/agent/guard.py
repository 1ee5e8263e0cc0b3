"""The personal-data guard: find emails, phone numbers, street addresses and recipient names.

Run on every prompt before it leaves; a finding refuses the call (the AI call log says why,
naming the kind of data, never the data itself). Recipient names are every name Shippo gave
us (labels and shipments): a prompt naming one of our customers is refused.
"""

import re
from dataclasses import dataclass, field

from integrations.models import Label, Shipment

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A run of digits with the separators phone numbers use; counted and judged in _is_phone.
PHONE_CANDIDATE = re.compile(r"(?<![\w.])\+?\(?\d[\d \t().-]{6,20}\d(?![\w])")
STREET_SUFFIXES = (
    "Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Way|Boulevard|Blvd|Court|Ct|Place|Pl|"
    "Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl"
)
STREET = re.compile(rf"\b\d{{1,6}}\s+(?:[A-Z][a-z]+\s+){{1,3}}(?:{STREET_SUFFIXES})\b\.?")
WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 9, 15
MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class Finding:
    """One kind of personal data found, and how many times."""

    kind: str  # email, phone, street address, recipient name
    count: int

    def __str__(self) -> str:
        if self.count == 1:
            return f"1 {self.kind}"
        return f"{self.count} {self.kind}{'es' if self.kind.endswith('s') else 's'}"


@dataclass
class PersonalDataGuard:
    """Checks texts for personal data; holds the known recipient names, read once."""

    names: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def load(cls) -> "PersonalDataGuard":
        """Read every recipient name Shippo gave us (labels and shipments)."""
        names: set[str] = set()
        for model in (Label, Shipment):
            rows = model.objects.exclude(recipient_name="").values_list("recipient_name", flat=True)
            names.update(_name_key(n) for n in rows.distinct().iterator())
        return cls(frozenset(n for n in names if n))

    def findings(self, text: str) -> list[Finding]:
        """Return what personal data `text` holds, by kind (empty: none found)."""
        counts = {
            "email address": len(EMAIL.findall(text)),
            "phone number": sum(_is_phone(m) for m in PHONE_CANDIDATE.findall(text)),
            "street address": len(STREET.findall(text)),
            "recipient name": self._names_in(text),
        }
        return [Finding(kind, n) for kind, n in counts.items() if n]

    def is_clean(self, text: str) -> bool:
        """Say whether `text` holds no personal data."""
        return not self.findings(text)

    def _names_in(self, text: str) -> int:
        if not self.names:
            return 0
        words = [w.casefold() for w in WORD.findall(text)]
        found = 0
        for start in range(len(words)):
            for size in range(1, MAX_NAME_WORDS + 1):
                if (
                    start + size <= len(words)
                    and " ".join(words[start : start + size]) in self.names
                ):
                    found += 1
        return found


def _name_key(name: str) -> str:
    """Return a name as the guard compares it: its words, case-folded, single-spaced.

    Single words shorter than four letters are left out: they match too much ordinary text.
    """
    words = [w.casefold() for w in WORD.findall(name)][:MAX_NAME_WORDS]
    if not words or (len(words) == 1 and len(words[0]) < 4):
        return ""
    return " ".join(words)


def _is_phone(candidate: str) -> bool:
    digits = sum(c.isdigit() for c in candidate)
    separators = sum(c in " \t().-" for c in candidate.strip())
    looks_dialled = candidate.startswith("+") or separators >= 2
    return MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS and looks_dialled
