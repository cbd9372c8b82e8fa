{#- Calendar days between the calendar_start and calendar_end variables, with week and month
    starts: the spine that gives every shop a row on days without sales. -#}

with days as (
    select date_day from {{ ref('int_calendar_days') }}
),

final as (
    select
        date_day,
        {{ dbt.date_trunc('week', 'date_day') }} as week_start,
        {{ dbt.date_trunc('month', 'date_day') }} as month_start,
        extract(year from date_day) as calendar_year,
        extract(month from date_day) as calendar_month,
        extract(day from date_day) as day_of_month
    from days
)

select * from final
