"""FX ingestion: the ECB's complete rate history, landed byte for byte once a day.

The history file holds every published day, so one unpartitioned asset re-fetching it daily
is both the incremental load and the backfill. It is parsed before landing so that a broken
file fails here, naming the line, instead of replacing a good one.
"""

import dagster as dg

from connectors.ecb_fx import parse_history_csv
from linkstar_pipeline.defs.fx.resources import EcbFxResource
from linkstar_pipeline.lib.freshness import DAILY_FRESHNESS
from linkstar_pipeline.lib.paths import linkstar_paths
from linkstar_pipeline.lib.raw_landing import write_raw_file

SOURCE = "fx"
ENTITY = "ecb_history"


@dg.asset(
    key=[SOURCE, ENTITY],
    group_name="fx",
    kinds={"python", "csv"},
    freshness_policy=DAILY_FRESHNESS,
    description=(
        "The ECB's euro reference rate history (eurofxref-hist), landed unchanged as "
        "raw/fx/ecb_history/<fetch day>.csv; staging reads the newest file."
    ),
)
def ecb_history(context: dg.AssetExecutionContext, ecb_fx: EcbFxResource) -> dg.MaterializeResult:
    published = ecb_fx.client().fetch_history_csv()
    rates = parse_history_csv(published.text)
    if not rates:
        raise dg.Failure(f"{published.url} holds no rates; the previous history file is kept.")
    fetch_day = published.fetched_at.date().isoformat()
    path = linkstar_paths().raw_dir / SOURCE / ENTITY / f"{fetch_day}.csv"
    write_raw_file(path, published.text.encode("utf-8"))
    days = sorted({rate.rate_date for rate in rates})
    currencies = sorted({rate.currency for rate in rates})
    context.log.info(
        f"Landed {len(rates)} rates for {len(currencies)} currencies, {days[0]} .. {days[-1]}, to {path}"
    )
    return dg.MaterializeResult(
        metadata={
            "rates": len(rates),
            "currencies": ", ".join(currencies),
            "first_day": str(days[0]),
            "newest_day": str(days[-1]),
            "source_url": published.url,
            "raw_file": dg.MetadataValue.path(str(path)),
        }
    )
