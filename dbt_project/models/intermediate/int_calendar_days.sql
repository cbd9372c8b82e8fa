{#- Every calendar day between the calendar_start and calendar_end variables: the one spine
    that dim_dates and every gap-filling model (FX carry-forward, KPI zero days) share. -#}

with days as (
    {{ dbt.date_spine('day',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        dbt.dateadd('day', 1, "cast('" ~ var('calendar_end') ~ "' as date)")) }}
)

select cast(date_day as date) as date_day from days
