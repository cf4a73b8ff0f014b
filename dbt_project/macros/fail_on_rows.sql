{#-
    The rows of a bad-input test, raised as one error that lists them: dbt's output shows a
    failing test's count, never its rows, and a user must see which market and date are bad.
    `rows` is a CTE name, `describe` a SQL string expression for one row.
-#}
{% macro fail_on_rows(rows, describe) %}

select {{ rows }}.*
from {{ rows }}
cross join (
    select count(*) as n, left(string_agg({{ describe }}, '; '), 4000) as listed
    from {{ rows }}
) as summary
where error('bad input, ' || summary.n || ' row(s): ' || summary.listed) is null

{% endmacro %}
