{#- Calendar days between the calendar_start and calendar_end variables: the spine that gives
    every shop a row on days without sales, and the calendar a BI tool groups by (ISO weeks,
    months, quarters, weekdays, the seller's promotion days from the KPI configuration).
    Every day column is a DATE. Promotions come from the newest configuration version; a
    promotion limited to some markets still marks the day (promotion_markets says where). -#}

with days as (
    select date_day as local_date from {{ ref('int_calendar_days') }}
),

promotions as (
    select promotion_id, date_from, date_to, market
    from {{ ref('stg_kpi_config__promotions') }}
    where config_version = (select max(config_version) from {{ ref('stg_kpi_config__promotions') }})
),

promotion_days as (
    select
        days.local_date,
        {{ dbt.listagg('distinct promotions.promotion_id', "', '", "order by promotions.promotion_id") }} as promotion_ids,
        {{ dbt.listagg("distinct coalesce(promotions.market, 'every market')", "', '", "order by coalesce(promotions.market, 'every market')") }} as promotion_markets
    from days
    inner join promotions on days.local_date between promotions.date_from and promotions.date_to
    group by days.local_date
),

final as (
    select
        days.local_date,
        cast({{ dbt.date_trunc('week', 'days.local_date') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'days.local_date') }} as date) as month_start,
        cast({{ dbt.date_trunc('quarter', 'days.local_date') }} as date) as quarter_start,
        cast(extract(year from days.local_date) as integer) as calendar_year,
        cast(extract(quarter from days.local_date) as integer) as calendar_quarter,
        cast(extract(month from days.local_date) as integer) as calendar_month,
        cast(extract(day from days.local_date) as integer) as day_of_month,
        cast(extract(isoyear from days.local_date) as integer) as iso_year,
        cast(extract(week from days.local_date) as integer) as iso_week,
        cast(extract(isodow from days.local_date) as integer) as iso_weekday,
        case cast(extract(isodow from days.local_date) as integer)
            when 1 then 'Monday' when 2 then 'Tuesday' when 3 then 'Wednesday'
            when 4 then 'Thursday' when 5 then 'Friday' when 6 then 'Saturday' else 'Sunday'
        end as weekday_name,
        cast(extract(isodow from days.local_date) as integer) >= 6 as is_weekend,
        promotion_days.local_date is not null as is_promotion_day,
        promotion_days.promotion_ids,
        promotion_days.promotion_markets
    from days
    left join promotion_days on days.local_date = promotion_days.local_date
)

select * from final
