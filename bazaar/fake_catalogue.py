"""Realistic stores and handmade products for the seed, from Faker and a crafts vocabulary.

Each item comes from a Faker seeded by the item's own key, so store 3 or product 7 of
store 3 is the same whatever the size of the data set and whichever run makes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from faker import Faker

COUNTRIES = ("PT", "ES", "FR", "IT", "DE", "NL", "BE", "IE", "GB", "AT")
LISBON = ("38.71667", "-9.13333", "Lisbon", "PT", "Europe/Lisbon")
STORE_KINDS = ("Craft House", "Makers' Market", "Workshop", "Atelier", "General Store", "Studio")


@dataclass(frozen=True, slots=True)
class Craft:
    """One category: what it makes, of what, how, and what a buyer should know."""

    category: str
    nouns: tuple[str, ...]
    variants: tuple[str, ...]
    qualities: tuple[str, ...]
    details: tuple[str, ...]
    euros: tuple[int, int]


def _craft(category: str, euros: tuple[int, int], *words: str) -> Craft:
    nouns, variants, qualities, details = (tuple(part.split("|")) for part in words)
    return Craft(category, nouns, variants, qualities, details, euros)


CRAFTS = (
    _craft(
        "ceramics",
        (8, 90),
        "mug|serving bowl|teapot|vase|dinner plate|espresso cup|jug|planter",
        "stoneware|porcelain|earthenware|terracotta",
        "hand-thrown|speckled|glazed|wood-fired|matte",
        "Dishwasher and microwave safe.|Each piece varies slightly in glaze.|Lead-free glaze.",
    ),
    _craft(
        "bakery",
        (2, 14),
        "sourdough loaf|croissant|cinnamon bun|focaccia|custard tart|biscuits",
        "spelt|wholemeal|rye|buckwheat|almond|olive",
        "naturally leavened|stone-baked|organic|fresh",
        "Baked this morning.|Best eaten within two days.|Contains gluten; may contain nuts.",
    ),
    _craft(
        "woodwork",
        (9, 180),
        "cutting board|cooking spoon|salad servers|bowl|coasters|tray|stool",
        "oak|walnut|cherry|ash|olive wood|beech",
        "hand-carved|end-grain|oiled|turned|rustic",
        "Finished with food-safe oil.|Wipe clean; do not soak.|From locally felled timber.",
    ),
    _craft(
        "textiles",
        (12, 140),
        "scarf|tea towel|cushion cover|table runner|throw|tote bag|apron",
        "linen|merino wool|organic cotton|alpaca|hemp",
        "hand-woven|block-printed|naturally dyed",
        "Machine wash cold.|Dyed with plant pigments.|Woven on a traditional loom.",
    ),
    _craft(
        "jewellery",
        (18, 220),
        "ring|pendant|hoop earrings|bracelet|stud earrings|necklace|brooch",
        "sterling silver|gold-plated brass|copper|recycled silver",
        "hammered|minimalist|engraved",
        "Comes in a gift box.|Nickel-free and hypoallergenic.|Resizable on request.",
    ),
    _craft(
        "leather",
        (15, 190),
        "wallet|belt|card holder|satchel|key fob|notebook cover|watch strap",
        "vegetable-tanned leather|full-grain leather|suede|cork",
        "hand-stitched|embossed|waxed",
        "Develops a rich patina with use.|Saddle-stitched with waxed thread.|Edges burnished.",
    ),
    _craft(
        "candles",
        (5, 45),
        "pillar candle|tea lights|jar candle|taper candles|travel tin|wax melts",
        "soy wax|beeswax|rapeseed wax|coconut wax",
        "scented|unscented|hand-poured|botanical",
        "Burns for about forty hours.|Cotton wick, no paraffin.|Scented with essential oils.",
    ),
    _craft(
        "skincare",
        (4, 38),
        "soap bar|lip balm|hand cream|bath salts|face oil|body scrub",
        "olive oil|shea butter|goat milk|lavender|oat",
        "cold-process|gentle|fragrance-free|herbal",
        "Suitable for sensitive skin.|Vegan and cruelty-free.|Packed in plastic-free paper.",
    ),
    _craft(
        "stationery",
        (3, 40),
        "notebook|greeting card|sketchbook|wrapping paper|journal|postcards",
        "recycled paper|cotton paper|kraft card|handmade paper",
        "letterpress|hand-bound|illustrated",
        "Printed on a vintage press.|Blank inside for your own message.|Lays flat when open.",
    ),
    _craft(
        "toys",
        (8, 120),
        "wooden train|rag doll|puzzle|spinning top|stacking rings|puppet|blocks",
        "beech|felt|organic cotton|birch plywood",
        "hand-painted|soft|classic|educational",
        "Painted with child-safe paint.|Suitable from 3 years.|Made to last for generations.",
    ),
    _craft(
        "pantry",
        (3, 25),
        "jam|honey|chutney|marmalade|hot sauce|granola|spice blend|syrup",
        "fig|lemon|rosemary|blood orange|wildflower|smoked chilli",
        "small-batch|organic|raw",
        "Made with local fruit.|No added preservatives.|Keep refrigerated once opened.",
    ),
    _craft(
        "glassware",
        (10, 150),
        "tumbler|wine glass|carafe|vase|bauble|paperweight|bowl|bottle",
        "recycled glass|borosilicate glass|crystal|sea glass",
        "mouth-blown|etched|fluted|smoked",
        "Hand wash only.|Each piece has tiny bubbles from the blowing.|Wrapped for safe delivery.",
    ),
)
CATEGORIES = tuple(craft.category for craft in CRAFTS)


@dataclass(frozen=True, slots=True)
class FakeStore:
    name: str
    city: str
    lat: float
    lng: float
    timezone: str
    delivery_radius_km: float


@dataclass(frozen=True, slots=True)
class FakeProduct:
    title: str
    description: str
    price: Decimal
    category: str
    stock: int


class FakeCatalogue:
    """Stores and products by index; the same index always gives the same item."""

    def __init__(self) -> None:
        self.fake = Faker("en_US")

    def store(self, index: int) -> FakeStore:
        fake = self._seeded(f"store/{index}")
        place = fake.local_latlng(country_code=fake.random_element(COUNTRIES)) or LISBON
        lat, lng, city, _, timezone = place
        name = f"{fake.last_name()} {fake.random_element(STORE_KINDS)}"
        radius = float(fake.random_int(5, 30))
        return FakeStore(name, city, float(lat), float(lng), timezone, radius)

    def product(self, store: int, index: int, city: str) -> FakeProduct:
        """The store's `index`th product; categories take turns so every store has them all."""
        fake = self._seeded(f"product/{store}/{index}")
        craft = CRAFTS[(store + index) % len(CRAFTS)]
        noun, variant = fake.random_element(craft.nouns), fake.random_element(craft.variants)
        title = f"{fake.random_element(craft.qualities).capitalize()} {variant} {noun}"
        details = " ".join(fake.random_elements(craft.details, length=2, unique=True))
        description = f"{title}, made by {fake.first_name()} in {city}. {details}"
        low, high = craft.euros
        price = Decimal(fake.random_int(low * 10, high * 10) * 10 - 1) / 100
        return FakeProduct(title, description, price, craft.category, fake.random_int(25, 120))

    def pick(self, key: str, count: int, among: int) -> list[int]:
        """`count` distinct indexes below `among`, the same for the same key."""
        fake = self._seeded(key)
        return sorted(fake.random_sample(range(among), length=min(count, among)))

    def _seeded(self, key: str) -> Faker:
        self.fake.seed_instance(key)
        return self.fake
