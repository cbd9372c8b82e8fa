{#- Calendar days between the calendar_start and calendar_end variables: the spine that gives
    every shop a row on days without sales. -#}

with days as (
    {{ dbt.date_spine('day',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        dbt.dateadd('day', 1, "cast('" ~ var('calendar_end') ~ "' as date)")) }}
),

final as (
    select
        cast(date_day as date) as date_day,
        {{ dbt.date_trunc('week', 'date_day') }} as week_start,
        {{ dbt.date_trunc('month', 'date_day') }} as month_start,
        extract(year from date_day) as calendar_year,
        extract(month from date_day) as calendar_month,
        extract(day from date_day) as day_of_month
    from days
)

select * from final
