"""The TikTok Shop content world: LIVE hosts, creators, videos, LIVE sessions, the channel
each order came through, and the platform's own analytics (per shop, video and LIVE day).

Built from a `Dataset` (orders) and its catalogues, seeded and deterministic. Every order is
attributed to exactly one channel:

- LIVE: created while one of its shop's LIVE sessions was on air;
- VIDEO: a video posted by the shop's own account, promoting a product in the order;
- AFFILIATE: a creator's video promoting a product in the order (creator, commission rate and
  commission on the order's GMV). Creators only sell through videos here, not LIVEs;
- PRODUCT_CARD: everything else.

Analytics are the platform's view, by SHOP-LOCAL day, and a day is only published once it is
over in the shop's time zone (`latest_available_date` = yesterday, local). GMV counts orders
paid on that local day and not cancelled at the data clock (`sandbox.ground_truth.order_gmv`),
so a day is restated when a paid order is cancelled later, which is why loads look back.
The funnel per shop-day is consistent: impressions >= page views >= visitors, page views >=
add-to-cart >= orders. One or two videos per shop go viral (a spike of views and orders).

The `*_truth` functions at the bottom are the plain-Python yardstick for every emitted table.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from sandbox.generator import (
    CANCELLED,
    DAY,
    HOUR,
    ZERO,
    Dataset,
    LineItem,
    Order,
    Shop,
    quantize_money,
)
from sandbox.ground_truth import local_date, order_gmv

LIVE = "LIVE"
VIDEO = "VIDEO"
AFFILIATE = "AFFILIATE"
PRODUCT_CARD = "PRODUCT_CARD"
CHANNELS = (LIVE, VIDEO, AFFILIATE, PRODUCT_CARD)

_CREATORS_PER_MARKET = 12
_SHOP_VIDEOS_PER_DAY = 0.8
_CREATOR_VIDEOS_PER_DAY = 1.5
_LIVES_PER_WEEK = 4
_VIDEO_ATTRIBUTION_RATE = 0.4  # of orders with a matching recent video
_LIVE_ATTRIBUTION_RATE = 0.7  # of orders created while a LIVE is on air
_VIDEO_REACH_DAYS = 10  # a video sells for this many days after it is posted
_RATE_STEP = Decimal("0.0001")

_HANDLE_WORDS = ("glow", "daily", "haul", "mama", "techie", "styl", "cozy", "deal", "vibe")
_HOST_NAMES = ("Ava", "Budi", "Chloe", "Dewi", "Ethan", "Farah", "Gio", "Hana", "Ivan", "Jade")


@dataclass(frozen=True)
class Creator:
    """An affiliate creator in one market; `commission_rate` is a fraction (0.12 = 12 %)."""

    creator_id: str
    handle: str
    region: str
    follower_count: int
    commission_rate: Decimal


@dataclass(frozen=True)
class LiveHost:
    host_id: str
    shop_id: str
    username: str


@dataclass(frozen=True)
class Video:
    """A shoppable video promoting one product; `creator_id` None: the shop's own account."""

    video_id: str
    shop_id: str
    creator_id: str | None
    username: str
    product_id: str
    product_name: str
    title: str
    post_time: int
    duration_seconds: int
    viral: bool


@dataclass(frozen=True)
class LiveSession:
    live_id: str
    shop_id: str
    host_username: str
    title: str
    start_time: int
    end_time: int
    peak_viewers: int
    total_viewers: int
    avg_watch_seconds: int


@dataclass(frozen=True)
class Attribution:
    """The one channel an order came through; commission only for AFFILIATE."""

    order_id: str
    shop_id: str
    channel: str
    content_type: str | None  # VIDEO or LIVE
    content_id: str | None
    creator_id: str | None
    commission_rate: Decimal | None
    commission_amount: Decimal | None


@dataclass(frozen=True)
class VideoDay:
    video_id: str
    shop_id: str
    local_date: date
    views: int
    likes: int
    comments: int
    shares: int
    product_clicks: int
    orders: int
    units: int
    gmv: Decimal


@dataclass(frozen=True)
class LiveStats:
    """A finished LIVE session with the paid, not-cancelled orders attributed to it."""

    session: LiveSession
    orders: int
    buyers: int
    units: int
    gmv: Decimal


@dataclass(frozen=True)
class ShopDay:
    shop_id: str
    local_date: date
    gmv: Decimal
    orders: int
    buyers: int
    units: int
    product_impressions: int
    product_page_views: int
    visitors: int
    add_to_cart: int
    conversion_rate: Decimal  # orders / visitors, 4 decimals


def is_paid_gmv(order: Order, as_of: int) -> bool:
    """Paid by `as_of` and not cancelled by then: what the platform counts as GMV."""
    state = order.state_at(as_of)
    return state is not None and "paid_time" in state.times and state.status != CANCELLED


def line_commission(line: LineItem, rate: Decimal, currency: str) -> Decimal:
    """Commission on one line (its GMV share: sale price plus platform discount), rounded to
    the currency; an order's commission is the sum of its lines'."""
    return quantize_money((line.sale_price + line.platform_discount) * rate, currency)


def latest_available_date(shop: Shop, as_of: int) -> date:
    """Analytics publish a shop-local day once it is over: yesterday in the shop's zone."""
    return local_date(shop, as_of) - timedelta(days=1)


def local_day_bounds(shop: Shop, day: date) -> tuple[int, int]:
    """[start, end) Unix seconds of a shop-local calendar day."""
    tz = ZoneInfo(shop.time_zone)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    return int(start.timestamp()), int((start + timedelta(days=1)).timestamp())


class ContentWorld:
    """Everything generated once per dataset; views at a data clock come from the methods."""

    def __init__(self, dataset: Dataset) -> None:
        config = dataset.config
        self.dataset = dataset
        self.seed = config.seed if config else 0
        days = (
            config.days() if config else sorted({_utc_day(o.create_time) for o in dataset.orders})
        )
        self.utc_days: list[date] = list(days)
        self.creators: dict[str, list[Creator]] = {}
        self.hosts: dict[str, list[LiveHost]] = {}
        self.team_names: dict[str, str] = {}
        self.videos: dict[str, list[Video]] = {}
        self.lives: dict[str, list[LiveSession]] = {}
        for shop in dataset.shops:
            if shop.region not in self.creators:
                self.creators[shop.region] = self._creator_pool(shop.region)
            self._build_shop(shop)
        self.attributions: dict[str, Attribution] = {}
        for shop in dataset.shops:
            for order in dataset.orders_for_shop(shop.shop_id):
                self.attributions[order.order_id] = self._attribute(order)

    # ------------------------------------------------------------------ lookups

    @cached_property
    def creator_by_id(self) -> dict[str, Creator]:
        return {c.creator_id: c for pool in self.creators.values() for c in pool}

    @cached_property
    def video_by_id(self) -> dict[str, Video]:
        return {v.video_id: v for videos in self.videos.values() for v in videos}

    def shop(self, shop_id: str) -> Shop:
        return next(s for s in self.dataset.shops if s.shop_id == shop_id)

    def local_days(self, shop: Shop) -> list[date]:
        """Every shop-local day the generated UTC window touches."""
        if not self.utc_days:
            return []
        first = _utc_start(self.utc_days[0])
        last = _utc_start(self.utc_days[-1]) + DAY - 1
        day, end = local_date(shop, first), local_date(shop, last)
        out = []
        while day <= end:
            out.append(day)
            day += timedelta(days=1)
        return out

    # --------------------------------------------------------------- generation

    def _creator_pool(self, region: str) -> list[Creator]:
        rng = random.Random(f"{self.seed}:creators:{region}")
        pool = []
        for i in range(_CREATORS_PER_MARKET):
            handle = f"{rng.choice(_HANDLE_WORDS)}.{rng.choice(_HANDLE_WORDS)}_{region.lower()}{i}"
            rate = Decimal(rng.choice((5, 8, 10, 12, 15, 20))) / 100
            followers = int(10 ** rng.uniform(3.5, 6.5))
            pool.append(
                Creator(
                    f"69{region}{i:03d}{rng.randrange(10**8):08d}", handle, region, followers, rate
                )
            )
        return pool

    def _build_shop(self, shop: Shop) -> None:
        rng = random.Random(f"{self.seed}:{shop.shop_id}:content")
        self.team_names[shop.shop_id] = f"{shop.name} LIVE Team"
        hosts = [
            LiveHost(
                f"h{shop.shop_id[-4:]}{i}", shop.shop_id, f"{name.lower()}.{shop.code[:6].lower()}"
            )
            for i, name in enumerate(rng.sample(_HOST_NAMES, rng.randint(2, 4)))
        ]
        self.hosts[shop.shop_id] = hosts
        products = [s for s in self.dataset.catalogues.get(shop.shop_id, ()) if not s.is_gift]
        by_product = {s.product_id: s.product_name.rsplit(" - ", 1)[0] for s in products}
        product_ids = sorted(by_product)
        creators = self.creators[shop.region]
        videos: list[Video] = []
        lives: list[LiveSession] = []
        for day in self.utc_days:
            start = _utc_start(day)
            for owner in ("shop", "creator"):
                rate = _SHOP_VIDEOS_PER_DAY if owner == "shop" else _CREATOR_VIDEOS_PER_DAY
                count = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
                for _ in range(count if product_ids else 0):
                    creator = rng.choice(creators) if owner == "creator" else None
                    product_id = rng.choice(product_ids)
                    videos.append(
                        Video(
                            video_id=f"73{len(videos):05d}{shop.shop_id[-6:]}{rng.randrange(10**6):06d}",
                            shop_id=shop.shop_id,
                            creator_id=creator.creator_id if creator else None,
                            username=creator.handle if creator else shop.code.lower(),
                            product_id=product_id,
                            product_name=by_product[product_id],
                            title=f"{by_product[product_id]} {rng.choice(('review', 'unboxing', 'haul', 'tips'))}",
                            post_time=start + rng.randrange(DAY),
                            duration_seconds=rng.randint(9, 180),
                            viral=False,
                        )
                    )
            if rng.random() < _LIVES_PER_WEEK / 7:
                # Evening prime time, local: 19:00-21:59 start, 1-3 hours on air.
                local_start = datetime.fromtimestamp(start + 12 * HOUR, ZoneInfo(shop.time_zone))
                on_air = local_start.replace(
                    hour=rng.randint(19, 21), minute=rng.choice((0, 15, 30)), second=0
                )
                begin = int(on_air.timestamp())
                end = begin + rng.randint(1, 3) * HOUR
                total = rng.randint(800, 20000)
                host = rng.choice(hosts)
                lives.append(
                    LiveSession(
                        live_id=f"74{len(lives):04d}{shop.shop_id[-6:]}{rng.randrange(10**7):07d}",
                        shop_id=shop.shop_id,
                        host_username=host.username,
                        title=f"{shop.name} LIVE with {host.username.split('.')[0].title()}",
                        start_time=begin,
                        end_time=end,
                        peak_viewers=max(1, total // rng.randint(4, 12)),
                        total_viewers=total,
                        avg_watch_seconds=rng.randint(25, 240),
                    )
                )
        # One or two viral videos per shop, away from the window's edges when possible.
        if videos:
            middle = videos[len(videos) // 4 : max(len(videos) // 4 + 1, 3 * len(videos) // 4)]
            for chosen in rng.sample(middle, min(len(middle), rng.randint(1, 2))):
                index = videos.index(chosen)
                videos[index] = _replace_viral(chosen)
        self.videos[shop.shop_id] = sorted(videos, key=lambda v: (v.post_time, v.video_id))
        self.lives[shop.shop_id] = sorted(lives, key=lambda s: (s.start_time, s.live_id))

    def _attribute(self, order: Order) -> Attribution:
        rng = random.Random(f"{self.seed}:{order.order_id}:channel")
        shop_id = order.shop.shop_id
        t = order.create_time
        on_air = next(
            (s for s in self.lives.get(shop_id, ()) if s.start_time <= t < s.end_time), None
        )
        if on_air is not None and rng.random() < _LIVE_ATTRIBUTION_RATE:
            return Attribution(
                order.order_id, shop_id, LIVE, LIVE, on_air.live_id, None, None, None
            )
        products = {li.product_id for li in order.line_items if not li.is_gift}
        candidates = [
            v
            for v in self.videos.get(shop_id, ())
            if v.product_id in products and t - _VIDEO_REACH_DAYS * DAY <= v.post_time <= t
        ]
        if candidates and rng.random() < _VIDEO_ATTRIBUTION_RATE + (
            0.4 if any(v.viral for v in candidates) else 0
        ):
            weights = [(12.0 if v.viral else 1.0) for v in candidates]
            video = rng.choices(candidates, weights=weights)[0]
            if video.creator_id is None:
                return Attribution(
                    order.order_id, shop_id, VIDEO, VIDEO, video.video_id, None, None, None
                )
            rate = self.creator_by_id[video.creator_id].commission_rate
            amount = sum(
                (line_commission(li, rate, order.currency) for li in order.line_items), ZERO
            )
            return Attribution(
                order.order_id,
                shop_id,
                AFFILIATE,
                VIDEO,
                video.video_id,
                video.creator_id,
                rate,
                amount,
            )
        return Attribution(order.order_id, shop_id, PRODUCT_CARD, None, None, None, None, None)

    # ------------------------------------------------------------ views at as_of

    def videos_at(self, shop_id: str, as_of: int) -> list[Video]:
        return [v for v in self.videos.get(shop_id, ()) if v.post_time <= as_of]

    def lives_at(self, shop_id: str, as_of: int) -> list[LiveSession]:
        """Sessions are reported once they are over."""
        return [s for s in self.lives.get(shop_id, ()) if s.end_time <= as_of]

    def affiliate_commissions(self) -> dict[str, Decimal]:
        """Order id -> the creator's commission, for every order a creator sold."""
        return {
            a.order_id: a.commission_amount
            for a in self.attributions.values()
            if a.channel == AFFILIATE and a.commission_amount is not None
        }

    def attributions_at(self, shop_id: str, as_of: int) -> list[tuple[Order, Attribution]]:
        return [
            (o, self.attributions[o.order_id])
            for o in self.dataset.orders_for_shop(shop_id)
            if o.create_time <= as_of
        ]

    def video_days(self, shop: Shop, as_of: int) -> list[VideoDay]:
        """Per video x shop-local day, from the posting day to the last published day."""
        last = min(latest_available_date(shop, as_of), self.local_days(shop)[-1])
        sales: dict[tuple[str, date], list[Order]] = defaultdict(list)
        for order, attribution in self.attributions_at(shop.shop_id, as_of):
            if attribution.content_type == VIDEO and is_paid_gmv(order, as_of):
                paid = order.state_at(as_of).times["paid_time"]  # type: ignore[union-attr]
                sales[(attribution.content_id, local_date(shop, paid))].append(order)  # type: ignore[arg-type]
        rows = []
        for video in self.videos_at(shop.shop_id, as_of):
            day = local_date(shop, video.post_time)
            while day <= last:
                orders = sales.get((video.video_id, day), [])
                rows.append(self._video_day(video, day, orders))
                day += timedelta(days=1)
        return rows

    def _video_day(self, video: Video, day: date, orders: list[Order]) -> VideoDay:
        rng = random.Random(f"{self.seed}:{video.video_id}:{day.isoformat()}")
        shop = self.shop(video.shop_id)
        age = (day - local_date(shop, video.post_time)).days
        base = rng.randint(200, 3000) * (0.6**age)
        if video.viral and 1 <= age <= 3:
            base *= rng.randint(40, 90)  # the spike
        units = sum(o.units for o in orders)
        views = int(base) + 30 * len(orders)
        clicks = max(len(orders), int(views * rng.uniform(0.02, 0.08)))
        return VideoDay(
            video_id=video.video_id,
            shop_id=video.shop_id,
            local_date=day,
            views=views,
            likes=int(views * rng.uniform(0.03, 0.12)),
            comments=int(views * rng.uniform(0.002, 0.01)),
            shares=int(views * rng.uniform(0.001, 0.006)),
            product_clicks=clicks,
            orders=len(orders),
            units=units,
            gmv=sum((order_gmv(o) for o in orders), ZERO),
        )

    def live_stats(self, shop: Shop, as_of: int) -> list[LiveStats]:
        sold: dict[str, list[Order]] = defaultdict(list)
        for order, attribution in self.attributions_at(shop.shop_id, as_of):
            if attribution.channel == LIVE and is_paid_gmv(order, as_of):
                sold[attribution.content_id].append(order)  # type: ignore[index]
        out = []
        for session in self.lives_at(shop.shop_id, as_of):
            orders = sold.get(session.live_id, [])
            out.append(
                LiveStats(
                    session=session,
                    orders=len(orders),
                    buyers=len({o.buyer.user_id for o in orders}),
                    units=sum(o.units for o in orders),
                    gmv=sum((order_gmv(o) for o in orders), ZERO),
                )
            )
        return out

    def shop_days(self, shop: Shop, as_of: int) -> list[ShopDay]:
        last = latest_available_date(shop, as_of)
        paid: dict[date, list[Order]] = defaultdict(list)
        for order in self.dataset.orders_for_shop(shop.shop_id):
            if order.create_time <= as_of and is_paid_gmv(order, as_of):
                paid[local_date(shop, order.state_at(as_of).times["paid_time"])].append(order)  # type: ignore[union-attr]
        rows = []
        for day in self.local_days(shop):
            if day > last:
                break
            orders = paid.get(day, [])
            rng = random.Random(f"{self.seed}:{shop.shop_id}:{day.isoformat()}:funnel")
            n = len(orders)
            page_views = n * rng.randint(8, 20) + rng.randint(20, 80)
            visitors = max(n, int(page_views * rng.uniform(0.55, 0.8)))
            add_to_cart = n + int((page_views - n) * rng.uniform(0.05, 0.15))
            rate = (Decimal(n) / Decimal(visitors)).quantize(_RATE_STEP, ROUND_HALF_UP)
            rows.append(
                ShopDay(
                    shop_id=shop.shop_id,
                    local_date=day,
                    gmv=sum((order_gmv(o) for o in orders), ZERO),
                    orders=n,
                    buyers=len({o.buyer.user_id for o in orders}),
                    units=sum(o.units for o in orders),
                    product_impressions=page_views * rng.randint(5, 12),
                    product_page_views=page_views,
                    visitors=visitors,
                    add_to_cart=add_to_cart,
                    conversion_rate=rate,
                )
            )
        return rows


def _replace_viral(video: Video) -> Video:
    return Video(**{**video.__dict__, "viral": True})


def _utc_start(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _utc_day(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


# ---------------------------------------------------------------- truth functions


def shop_performance_truth(world: ContentWorld, as_of: int) -> dict[tuple[str, date], ShopDay]:
    return {
        (r.shop_id, r.local_date): r for s in world.dataset.shops for r in world.shop_days(s, as_of)
    }


def video_performance_truth(world: ContentWorld, as_of: int) -> dict[tuple[str, date], VideoDay]:
    return {
        (r.video_id, r.local_date): r
        for s in world.dataset.shops
        for r in world.video_days(s, as_of)
    }


def videos_truth(world: ContentWorld, as_of: int) -> dict[str, Video]:
    return {v.video_id: v for s in world.dataset.shops for v in world.videos_at(s.shop_id, as_of)}


def live_sessions_truth(world: ContentWorld, as_of: int) -> dict[str, LiveStats]:
    return {
        st.session.live_id: st for s in world.dataset.shops for st in world.live_stats(s, as_of)
    }


def affiliate_orders_truth(world: ContentWorld, as_of: int) -> dict[str, Attribution]:
    """Orders created by `as_of` that a creator sold, keyed by order id."""
    return {
        a.order_id: a
        for s in world.dataset.shops
        for _, a in world.attributions_at(s.shop_id, as_of)
        if a.channel == AFFILIATE
    }


def creators_truth(world: ContentWorld, as_of: int) -> dict[str, Creator]:
    """Creators that show up in the data by `as_of` (embedded in videos and affiliate orders)."""
    ids = {v.creator_id for v in videos_truth(world, as_of).values() if v.creator_id}
    ids |= {a.creator_id for a in affiliate_orders_truth(world, as_of).values() if a.creator_id}
    return {i: world.creator_by_id[i] for i in sorted(ids)}
