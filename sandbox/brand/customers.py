"""The customer pool: synthetic people with addresses, so the app can prove it drops them."""

import random
import string
from dataclasses import dataclass
from typing import NamedTuple

from sandbox.brand import places
from sandbox.brand.seeds import Weighted, hex_id, stream

_COUNTRIES = Weighted(places.COUNTRY_WEIGHTS)


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address in the Squarespace shape's terms."""

    first_name: str
    last_name: str
    address1: str
    address2: str | None
    city: str
    state: str
    country_code: str
    postal_code: str
    phone: str

    def as_squarespace(self) -> dict[str, str | None]:
        """Return the Squarespace address object."""
        return {
            "firstName": self.first_name,
            "lastName": self.last_name,
            "address1": self.address1,
            "address2": self.address2,
            "city": self.city,
            "state": self.state,
            "countryCode": self.country_code,
            "postalCode": self.postal_code,
            "phone": self.phone,
        }

    @property
    def full_name(self) -> str:
        """Return the name as a label prints it."""
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class Customer:
    """One synthetic customer: an id, an email and where they live."""

    index: int
    customer_id: str
    email: str
    address: Address


class Home(NamedTuple):
    """Where a customer lives: all an order's shipping and tax depend on."""

    city: places.City
    postal_code: str

    @property
    def domestic(self) -> bool:
        """Return whether parcels to this home stay in the US."""
        return self.city.country == "US"


def customer_home(*, seed: int, index: int) -> Home:
    """Return where customer `index` lives, without drawing the rest of them."""
    rng = stream(seed, "home", index)
    country = _COUNTRIES.pick(rng.random())
    city = rng.choice(places.US_CITIES if country == "US" else places.FOREIGN_CITIES[country])
    return Home(city, "".join(_postal_char(rng, c) for c in city.postal))


def customer_build(*, seed: int, index: int) -> Customer:
    """Build customer `index` of the pool for `seed`."""
    rng = stream(seed, "customer", index)
    first = rng.choice(places.FIRST_NAMES)
    last = rng.choice(places.LAST_NAMES)
    # The index in the local part keeps every customer's email unique, so repeat-customer
    # counts by email hash match the pool exactly.
    email = f"{first}.{last}{index}@{rng.choice(places.EMAIL_DOMAINS)}".lower()
    customer_id = hex_id(seed, 24, "customer-id", index)
    home = customer_home(seed=seed, index=index)
    street = f"{rng.randrange(10, 9900)} {rng.choice(places.STREETS)}"
    unit = f"Apt {rng.randrange(1, 40)}" if rng.random() < 0.2 else None
    city = home.city
    address = Address(
        first, last, street, unit, city.name, city.state, city.country, home.postal_code,
        _phone(rng, city.country),
    )  # fmt: skip
    return Customer(index, customer_id, email, address)


def _postal_char(rng: random.Random, template: str) -> str:
    """Fill one character of a postal-code template."""
    if template == "#":
        return str(rng.randrange(10))
    if template == "@":
        return rng.choice(string.ascii_uppercase)
    return template


def _phone(rng: random.Random, country: str) -> str:
    """Return a phone number from the ranges each country reserves for fiction."""
    n = rng.randrange(1000)
    if country == "GB":
        return f"+44 20 7946 0{n:03d}"
    if country == "AU":
        return f"+61 2 5550 {n:04d}"
    if country == "DE":
        return f"+49 30 23125 {n:03d}"
    return f"+1 {rng.randrange(201, 990)}-555-01{n % 100:02d}"
