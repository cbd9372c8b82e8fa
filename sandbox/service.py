"""Customer-service conversations and product reviews of the sandbox shops, seeded.

Built from a generated `Dataset`: buyers ask where their parcel is once it has left the
warehouse, ask about returns after delivery, or ask before buying (pre-sale). Agents answer
in the shop's local working hours, usually within the hour, sometimes after 12 or 24 hours,
and a few conversations are never answered. Delivered line items get reviews (1-5 stars); a
few SKUs draw a cluster of bad ones. Every record has its own random stream per (seed, order
or shop-day), and nothing is visible before its time (`as_of`).

Buyer nicknames, user ids and message text (buyers paste phone numbers) are PII: they
appear in the API payloads and `pii_values()` lists them for leak checks downstream.
The truth functions at the end are what the warehouse is tested against.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from sandbox.generator import DAY, HOUR, Buyer, Dataset, Order, Shop

BUYER = "BUYER"
AGENT = "CUSTOMER_SERVICE"
SYSTEM = "SYSTEM"
SENDER_ROLES = (BUYER, AGENT, SYSTEM)

WORK_START_HOUR = 9  # shop-local working hours of the CS team, every day
WORK_END_HOUR = 21
BAD_RATING_MAX = 2  # a "bad review" is rated 1 or 2

_PARCEL_QUESTION_RATE = 0.04
_RETURN_QUESTION_RATE = 0.02
_PRE_SALE_PER_SHOP_DAY = 0.6
_COMPLAINT_RATE = 0.12
_PHONE_IN_TEXT_RATE = 0.15
_FOLLOW_UP_RATE = 0.4
_NEVER_ANSWERED_RATE = 0.04
_SLOW_12H_RATE = 0.08
_SLOW_24H_RATE = 0.05
_REVIEW_RATE = 0.18
_BAD_SKU_REVIEW_RATE = 0.4
_SELLER_REPLY_RATE = 0.25

_AGENT_NAMES = ("Alex", "Sam", "Jordan", "Rina", "Putri", "Minh", "Nok", "Carlos", "Aisha")
_PARCEL_TEXTS = (
    "Hi, where is my parcel? It says in transit for days.",
    "When will my order arrive?",
    "My tracking has not moved since yesterday, can you check?",
)
_RETURN_TEXTS = (
    "The item is damaged, how do I return it?",
    "Wrong size, can I exchange?",
    "I want a refund, the colour is different from the photo.",
)
_PRE_SALE_TEXTS = (
    "Is this still in stock?",
    "Do you ship to my city?",
    "Is there a bigger size?",
)
_FOLLOW_UP_TEXTS = ("Hello??", "Anyone there?", "Please reply")
_AGENT_TEXTS = (
    "Hi! Thanks for reaching out, let me check that for you.",
    "Sorry for the wait, we are looking into it now.",
    "Hello, your request is noted, we will update you shortly.",
)
_SYSTEM_TEXTS = (
    "The seller usually replies within 12 hours.",
    "Buyer started a conversation from the order page.",
)
_REVIEW_TEXTS = {
    1: ("Broke after one day.", "Not as described, very disappointed."),
    2: ("Quality is poor for the price.", "Arrived late and scratched."),
    3: ("It is okay.", "Average, does the job."),
    4: ("Good value, would buy again.", "Nice, shipping was fast."),
    5: ("Love it!", "Perfect, exactly as pictured."),
}
_NORMAL_RATING_WEIGHTS = (4, 4, 10, 25, 57)  # 1..5 stars
_BAD_SKU_RATING_WEIGHTS = (45, 30, 15, 5, 5)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Agent:
    agent_id: str  # the agent's IM user id
    name: str


@dataclass(frozen=True)
class BuyerIdentity:
    """How a buyer appears in chat: PII (nickname, user ids)."""

    user_id: str
    im_user_id: str
    nickname: str
    phone_number: str

    def pii_values(self) -> set[str]:
        return {self.user_id, self.im_user_id, self.nickname, self.phone_number}


@dataclass(frozen=True)
class Message:
    message_id: str
    role: str
    create_time: int
    text: str
    agent: Agent | None = None

    def api_view(self, buyer: BuyerIdentity) -> dict:
        if self.role == BUYER:
            sender = {"role": BUYER, "im_user_id": buyer.im_user_id, "nickname": buyer.nickname}
        elif self.role == AGENT:
            assert self.agent is not None
            sender = {"role": AGENT, "im_user_id": self.agent.agent_id, "nickname": self.agent.name}
        else:
            sender = {"role": SYSTEM, "im_user_id": "", "nickname": "System"}
        return {
            "id": self.message_id,
            "type": "TEXT",
            "content": json.dumps({"content": self.text}, ensure_ascii=False),
            "create_time": self.create_time,
            "sender": sender,
            "is_visible": True,
        }


@dataclass(frozen=True)
class Conversation:
    """One buyer conversation; `messages` sorted by time. `topic` is not an API field."""

    conversation_id: str
    shop: Shop
    buyer: BuyerIdentity
    topic: str  # PARCEL, RETURN or PRE_SALE
    order_id: str | None
    is_complaint: bool
    messages: tuple[Message, ...]

    @property
    def create_time(self) -> int:
        return self.messages[0].create_time

    def visible_messages(self, as_of: int) -> list[Message]:
        return [m for m in self.messages if m.create_time <= as_of]

    def update_time_at(self, as_of: int) -> int | None:
        """Time of the newest visible message; None before the conversation exists."""
        visible = self.visible_messages(as_of)
        return visible[-1].create_time if visible else None

    def api_view(self, as_of: int) -> dict | None:
        visible = self.visible_messages(as_of)
        if not visible:
            return None
        participants = [
            {
                "role": BUYER,
                "im_user_id": self.buyer.im_user_id,
                "user_id": self.buyer.user_id,
                "nickname": self.buyer.nickname,
                "avatar": f"https://p16-sign.example.com/avatar/{self.buyer.im_user_id}.jpeg",
            }
        ]
        agents = {m.agent.agent_id: m.agent for m in visible if m.agent is not None}
        participants += [
            {"role": AGENT, "im_user_id": a.agent_id, "nickname": a.name} for a in agents.values()
        ]
        return {
            "id": self.conversation_id,
            "participants": participants,
            "latest_message": visible[-1].api_view(self.buyer),
            "create_time": self.create_time,
            "unread_count": 0,
            "can_send_message": True,
            "is_complaint": self.is_complaint,
        }


@dataclass(frozen=True)
class Review:
    review_id: str
    shop: Shop
    order_id: str
    product_id: str
    sku_id: str
    rating: int
    text: str
    create_time: int
    reviewer: BuyerIdentity
    reply_time: int | None = None

    def update_time_at(self, as_of: int) -> int | None:
        if self.create_time > as_of:
            return None
        if self.reply_time is not None and self.reply_time <= as_of:
            return self.reply_time
        return self.create_time

    def api_view(self, as_of: int) -> dict | None:
        update_time = self.update_time_at(as_of)
        if update_time is None:
            return None
        view: dict = {
            "id": self.review_id,
            "order_id": self.order_id,
            "product_id": self.product_id,
            "sku_id": self.sku_id,
            "rating": self.rating,
            "review_text": self.text,
            "create_time": self.create_time,
            "update_time": update_time,
            "reviewer": {"user_id": self.reviewer.user_id, "nickname": self.reviewer.nickname},
        }
        if update_time != self.create_time:
            view["seller_reply"] = {
                "content": "Thank you for your feedback!",
                "create_time": update_time,
            }
        return view


# --------------------------------------------------------------------------- the world


@dataclass
class ServiceData:
    """Agents, conversations and reviews per shop id."""

    agents: dict[str, tuple[Agent, ...]]
    conversations: dict[str, list[Conversation]]
    reviews: dict[str, list[Review]]
    bad_skus: dict[str, str]  # shop id -> SKU with a cluster of bad reviews

    @cached_property
    def _conversation_by_id(self) -> dict[str, Conversation]:
        return {c.conversation_id: c for cs in self.conversations.values() for c in cs}

    def conversation(self, conversation_id: str) -> Conversation | None:
        return self._conversation_by_id.get(conversation_id)

    def pii_values(self) -> set[str]:
        """Every buyer identity value in these payloads (nicknames, ids, phone numbers)."""
        values: set[str] = set()
        for conversations in self.conversations.values():
            for c in conversations:
                values |= c.buyer.pii_values()
        for reviews in self.reviews.values():
            for r in reviews:
                values |= r.reviewer.pii_values()
        return values


def build_service(dataset: Dataset) -> ServiceData:
    seed = dataset.config.seed if dataset.config else 0
    days = dataset.config.days() if dataset.config else []
    agents, conversations, reviews, bad_skus = {}, {}, {}, {}
    for index, shop in enumerate(dataset.shops):
        shop_agents = _agents(seed, shop)
        agents[shop.shop_id] = shop_agents
        orders = dataset.orders_for_shop(shop.shop_id)
        found = [c for o in orders if (c := _order_conversation(seed, o, shop_agents))]
        found += _pre_sale_conversations(seed, shop, days, shop_agents)
        conversations[shop.shop_id] = sorted(
            found, key=lambda c: (c.create_time, c.conversation_id)
        )
        catalogue = [s for s in dataset.catalogues.get(shop.shop_id, ()) if not s.is_gift]
        bad = _bad_sku(seed, shop, index, catalogue)
        if bad:
            bad_skus[shop.shop_id] = bad
        reviews[shop.shop_id] = [r for o in orders for r in _order_reviews(seed, o, bad)]
    return ServiceData(agents, conversations, reviews, bad_skus)


def _agents(seed: int, shop: Shop) -> tuple[Agent, ...]:
    rng = random.Random(f"{seed}:{shop.shop_id}:agents")
    names = rng.sample(_AGENT_NAMES, 3)
    return tuple(Agent("7" + _digits(rng, 18), f"{name} ({shop.code[:2]} CS)") for name in names)


def _identity(seed: int, buyer: Buyer) -> BuyerIdentity:
    rng = random.Random(f"{seed}:{buyer.user_id}:chat")
    first, last = buyer.name.split(" ", 1) if " " in buyer.name else (buyer.name, "x")
    nickname = f"{first.lower().replace(' ', '')}.{last[:1].lower()}{_digits(rng, 3)}"
    return BuyerIdentity(buyer.user_id, "7" + _digits(rng, 18), nickname, buyer.phone_number)


def _in_working_hours(shop: Shop, t: int) -> bool:
    hour = datetime.fromtimestamp(t, ZoneInfo(shop.time_zone)).hour
    return WORK_START_HOUR <= hour < WORK_END_HOUR


def _next_opening(shop: Shop, t: int) -> int:
    """`t` if the team is at work then, else the next shop-local WORK_START_HOUR."""
    if _in_working_hours(shop, t):
        return t
    tz = ZoneInfo(shop.time_zone)
    local = datetime.fromtimestamp(t, tz)
    day = local.date() if local.hour < WORK_START_HOUR else local.date() + timedelta(days=1)
    opening = datetime(day.year, day.month, day.day, WORK_START_HOUR, tzinfo=tz)
    return int(opening.timestamp())


def _response_time(rng: random.Random, shop: Shop, asked: int) -> int | None:
    """When an agent first answers a buyer who wrote at `asked` (None: never)."""
    u = rng.random()
    if u < _NEVER_ANSWERED_RATE:
        return None
    if u < _NEVER_ANSWERED_RATE + _SLOW_24H_RATE:
        late = asked + 24 * HOUR + rng.randint(60, 16 * HOUR)
    elif u < _NEVER_ANSWERED_RATE + _SLOW_24H_RATE + _SLOW_12H_RATE:
        late = asked + 12 * HOUR + rng.randint(60, 10 * HOUR)
    else:
        late = asked + rng.choice((rng.randint(45, 600), rng.randint(600, 3600)))
    return _next_opening(shop, late) + (
        0 if _in_working_hours(shop, late) else rng.randint(60, 1800)
    )


def _conversation(
    rng: random.Random,
    seed: int,
    shop: Shop,
    buyer: BuyerIdentity,
    topic: str,
    order_id: str | None,
    start: int,
    agents: tuple[Agent, ...],
) -> Conversation:
    texts = {"PARCEL": _PARCEL_TEXTS, "RETURN": _RETURN_TEXTS, "PRE_SALE": _PRE_SALE_TEXTS}[topic]
    messages: list[tuple[str, int, str, Agent | None]] = []
    if rng.random() < 0.5:  # entered from the order or product page: a system note first
        messages.append((SYSTEM, start, _SYSTEM_TEXTS[1], None))
    asked = start + rng.randint(5, 120)
    text = rng.choice(texts)
    if rng.random() < _PHONE_IN_TEXT_RATE:
        text += f" Call me at {buyer.phone_number}"
    messages.append((BUYER, asked, text, None))
    messages.append((SYSTEM, asked + 1, _SYSTEM_TEXTS[0], None))  # auto-notice, not an answer
    answered = _response_time(rng, shop, asked)
    if rng.random() < _FOLLOW_UP_RATE:
        follow_up = asked + rng.randint(300, 4 * HOUR)
        if answered is None or follow_up < answered:
            messages.append((BUYER, follow_up, rng.choice(_FOLLOW_UP_TEXTS), None))
    if answered is not None:
        agent = rng.choice(agents)
        messages.append((AGENT, answered, rng.choice(_AGENT_TEXTS), agent))
        if rng.random() < 0.5:
            reply = answered + rng.randint(120, 6 * HOUR)
            messages.append((BUYER, reply, "Thanks!", None))
            messages.append((AGENT, reply + rng.randint(60, 3600), "You're welcome!", agent))
    messages.sort(key=lambda m: m[1])
    conversation_id = "7" + _digits(rng, 18)
    return Conversation(
        conversation_id=conversation_id,
        shop=shop,
        buyer=buyer,
        topic=topic,
        order_id=order_id,
        is_complaint=topic != "PRE_SALE" and rng.random() < _COMPLAINT_RATE,
        messages=tuple(
            Message(f"{conversation_id}{k:03d}", role, t, text, agent)
            for k, (role, t, text, agent) in enumerate(messages)
        ),
    )


def _order_conversation(seed: int, order: Order, agents: tuple[Agent, ...]) -> Conversation | None:
    rng = random.Random(f"{seed}:{order.order_id}:cs")
    buyer = _identity(seed, order.buyer)
    u = rng.random()
    if order.collection_time is not None and u < _PARCEL_QUESTION_RATE:
        start = order.collection_time + rng.randint(DAY, 4 * DAY)
        return _conversation(rng, seed, order.shop, buyer, "PARCEL", order.order_id, start, agents)
    if order.delivery_time is not None and u < _PARCEL_QUESTION_RATE + _RETURN_QUESTION_RATE:
        start = order.delivery_time + rng.randint(HOUR, 5 * DAY)
        return _conversation(rng, seed, order.shop, buyer, "RETURN", order.order_id, start, agents)
    return None


def _pre_sale_conversations(
    seed: int, shop: Shop, days: list[date], agents: tuple[Agent, ...]
) -> list[Conversation]:
    found = []
    for day in days:
        rng = random.Random(f"{seed}:{shop.shop_id}:{day.isoformat()}:presale")
        count = sum(1 for _ in range(3) if rng.random() < _PRE_SALE_PER_SHOP_DAY / 3)
        day_start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        for _ in range(count):
            region = shop.region
            buyer_rng = random.Random(f"{seed}:{shop.shop_id}:{day}:{rng.random()}")
            user_id = "7494" + _digits(buyer_rng, 15)
            buyer = BuyerIdentity(
                user_id,
                "7" + _digits(buyer_rng, 18),
                f"shopper{_digits(buyer_rng, 6)}",
                f"(+{_digits(buyer_rng, 2)}){region}{_digits(buyer_rng, 8)}",
            )
            start = day_start + rng.randrange(DAY)
            found.append(_conversation(rng, seed, shop, buyer, "PRE_SALE", None, start, agents))
    return found


def _bad_sku(seed: int, shop: Shop, index: int, catalogue: list) -> str | None:
    """Every third shop has one SKU buyers hate (a faulty batch)."""
    if index % 3 != 0 or not catalogue:
        return None
    rng = random.Random(f"{seed}:{shop.shop_id}:bad_sku")
    return rng.choice(catalogue[:5]).sku_id


def _order_reviews(seed: int, order: Order, bad_sku: str | None) -> list[Review]:
    if order.delivery_time is None:
        return []
    rng = random.Random(f"{seed}:{order.order_id}:reviews")
    reviewer = _identity(seed, order.buyer)
    reviews = []
    for line in order.line_items:
        if line.is_gift:
            continue
        bad = line.sku_id == bad_sku
        if rng.random() >= (_BAD_SKU_REVIEW_RATE if bad else _REVIEW_RATE):
            continue
        weights = _BAD_SKU_RATING_WEIGHTS if bad else _NORMAL_RATING_WEIGHTS
        rating = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
        created = order.delivery_time + rng.randint(2 * HOUR, 7 * DAY)
        reply = (
            created + rng.randint(2 * HOUR, 3 * DAY) if rng.random() < _SELLER_REPLY_RATE else None
        )
        reviews.append(
            Review(
                review_id="69" + line.id[2:],
                shop=order.shop,
                order_id=order.order_id,
                product_id=line.product_id,
                sku_id=line.sku_id,
                rating=rating,
                text=rng.choice(_REVIEW_TEXTS[rating]),
                create_time=created,
                reviewer=reviewer,
                reply_time=reply,
            )
        )
    return reviews


# --------------------------------------------------------------------------- truth


@dataclass(frozen=True)
class FirstResponse:
    """The first-response definition, written once for the truth: the first BUYER message,
    then the first agent message at or after it. System messages and buyer follow-ups never
    count as a response; no agent answer yet means no response time."""

    first_buyer_message_at: int | None
    first_agent_response_at: int | None

    @property
    def response_seconds(self) -> int | None:
        if self.first_buyer_message_at is None or self.first_agent_response_at is None:
            return None
        return self.first_agent_response_at - self.first_buyer_message_at


def first_response(messages: list[Message]) -> FirstResponse:
    asked = min((m.create_time for m in messages if m.role == BUYER), default=None)
    if asked is None:
        return FirstResponse(None, None)
    answered = min(
        (m.create_time for m in messages if m.role == AGENT and m.create_time >= asked),
        default=None,
    )
    return FirstResponse(asked, answered)


def first_response_truth(service: ServiceData, as_of: int) -> dict[str, FirstResponse]:
    """Per conversation visible at `as_of`: its first response as of then."""
    return {
        c.conversation_id: first_response(c.visible_messages(as_of))
        for conversations in service.conversations.values()
        for c in conversations
        if c.visible_messages(as_of)
    }


def reviews_truth(service: ServiceData, as_of: int) -> dict[tuple[str, date], tuple[int, int]]:
    """(reviews, bad reviews) per (shop id, shop-local date of creation), created by `as_of`."""
    totals: dict[tuple[str, date], tuple[int, int]] = {}
    for shop_id, reviews in service.reviews.items():
        for r in reviews:
            if r.create_time > as_of:
                continue
            day = datetime.fromtimestamp(r.create_time, ZoneInfo(r.shop.time_zone)).date()
            count, bad = totals.get((shop_id, day), (0, 0))
            totals[(shop_id, day)] = (count + 1, bad + (r.rating <= BAD_RATING_MAX))
    return totals
