"""Which shop-local days have ended, as the published marts say (one definition, used by the
reports and `linkstar summary`).

anomalies_daily judges no shop day that is still under way at the pipeline's clock (status
`day_under_way`), so its rows are the marts' record of which days are partial.
"""

# A shop day still under way: its local midnight not yet passed when the marts were built.
DAY_UNDER_WAY = """exists (
    select 1 from marts.anomalies_daily as judged
    where judged.shop_id = {shop_id} and judged.local_date = {local_date}
      and judged.status = 'day_under_way')"""

# The newest day that has ended in every shop's time zone at the pipeline's clock.
NEWEST_FINISHED_DAY = """
    select max(local_date) from (
        select local_date from marts.anomalies_daily group by local_date
        having sum(case when status = 'day_under_way' then 1 else 0 end) = 0)"""
