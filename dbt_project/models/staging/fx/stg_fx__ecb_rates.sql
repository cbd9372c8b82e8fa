{#- One row per ECB publication day and currency, in units per 1 EUR, from the newest landed
    history file (each file holds the complete history, and the ECB does not revise).
    `N/A` (no rate that day) is dropped here: the carry-forward in int_fx_rates_daily fills
    the day and flags it. -#}

with landed as (
    select * from {{ source('fx', 'ecb_history') }}
),

newest_file as (
    select max(filename) as filename from landed
),

newest_history as (
    select landed.*
    from landed
    inner join newest_file on landed.filename = newest_file.filename
),

long_rates as (
    unpivot newest_history
    on columns(* exclude (Date, filename))
    into name currency value rate_text
),

typed as (
    select
        cast(trim("Date") as date) as rate_date,
        upper(trim(currency)) as currency,
        cast(trim(rate_text) as decimal(18, 6)) as units_per_eur,
        filename as loaded_from_file
    from long_rates
    where trim(rate_text) not in ('', 'N/A')
      and trim(currency) <> ''
)

select * from typed
