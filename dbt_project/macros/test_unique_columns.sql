{#- A composite key test without a package: no two rows share the values of `columns`
    (grouped on the columns themselves: cheaper than a unique test of their concatenation). -#}
{% test unique_columns(model, columns) %}

select {{ columns | join(', ') }}, count(*) as copies
from {{ model }}
group by all
having count(*) > 1

{% endtest %}
