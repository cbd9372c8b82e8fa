{#- Videos ranked per ISO week (Monday start, shop-local days) across all the seller's shops,
    with the features behind the "make a hit repeatable" analysis.
    - `gmv_rank`: by attributed GMV in the reporting currency (comparable across markets);
      ties share a rank; videos without a known rate rank last.
    - `efficiency_rank`: by ROAS where ad spend is attributable to the video. It is not today:
      ads creatives carry their own video/item ids, none of which is a shop video id, so
      spend cannot be tied to organic videos without guessing. The rank therefore uses GMV
      per view (`efficiency_rank_basis` = gmv_per_view); ads creatives are ranked by ROAS in
      kpi_top_creatives.
    - `is_top_decile`: GMV rank within the first tenth (rounded up) of the week's videos, and
      GMV above zero (macro is_top_decile). -#}

with video_days as (
    select * from {{ ref('int_content_video_days') }}
),

videos as (
    select * from {{ ref('int_content_videos') }}
),

weekly as (
    select
        video_id,
        cast({{ dbt.date_trunc('week', 'local_date') }} as date) as week_start,
        max(currency) as currency,
        max(reporting_currency) as reporting_currency,
        sum(views) as views,
        sum(product_clicks) as product_clicks,
        sum(attributed_orders) as attributed_orders,
        sum(attributed_gmv_amount) as attributed_gmv_amount,
        sum(attributed_gmv_amount_reporting) as attributed_gmv_amount_reporting,
        count(*) as published_days,
        count(attributed_gmv_amount_reporting) as days_with_rate
    from video_days
    group by video_id, cast({{ dbt.date_trunc('week', 'local_date') }} as date)
),

measured as (
    select
        weekly.video_id,
        weekly.week_start,
        weekly.currency,
        weekly.reporting_currency,
        weekly.views,
        weekly.product_clicks,
        weekly.attributed_orders,
        weekly.attributed_gmv_amount,
        -- a week with a day lacking a rate has no complete reporting amount
        case when weekly.days_with_rate = weekly.published_days then weekly.attributed_gmv_amount_reporting end
            as attributed_gmv_amount_reporting
    from weekly
),

ranked as (
    select
        measured.*,
        {{ gmv_per_view('measured.attributed_gmv_amount_reporting', 'measured.views') }} as gmv_per_view_amount_reporting,
        {{ rank_in_week('measured.attributed_gmv_amount_reporting', 'measured.week_start') }} as gmv_rank,
        count(*) over (partition by measured.week_start) as videos_in_week
    from measured
),

final as (
    select
        ranked.video_id,
        ranked.week_start,
        {{ iso_year_of_week('ranked.week_start') }} as iso_year,
        {{ iso_week_of_week('ranked.week_start') }} as iso_week,
        videos.shop_id,
        videos.market,
        ranked.currency,
        ranked.reporting_currency,
        cast(ranked.views as bigint) as views,
        cast(ranked.product_clicks as bigint) as product_clicks,
        cast(ranked.attributed_orders as bigint) as attributed_orders,
        {{ to_money('ranked.attributed_gmv_amount') }} as attributed_gmv_amount,
        {{ to_money('ranked.attributed_gmv_amount_reporting') }} as attributed_gmv_amount_reporting,
        ranked.gmv_per_view_amount_reporting,
        cast(ranked.gmv_rank as bigint) as gmv_rank,
        cast({{ rank_in_week('ranked.gmv_per_view_amount_reporting', 'ranked.week_start') }} as bigint) as efficiency_rank,
        'gmv_per_view' as efficiency_rank_basis,
        cast(ranked.videos_in_week as bigint) as videos_in_week,
        {{ is_top_decile('ranked.gmv_rank', 'ranked.videos_in_week', 'ranked.attributed_gmv_amount_reporting') }} as is_top_decile,
        videos.duration_seconds,
        videos.duration_bucket,
        videos.posted_local_hour,
        videos.posted_by_type,
        videos.creator_key,
        videos.product_id,
        cast({{ dbt.datediff('videos.posted_local_date', 'ranked.week_start', 'day') }} as integer)
            as days_posted_before_week
    from ranked
    left join videos on ranked.video_id = videos.video_id
)

select * from final
