{#- A composite key test without a package: no two rows share (a, b). -#}
{% test unique_pair(model, a, b) %}

select {{ a }}, {{ b }}, count(*) as copies
from {{ model }}
group by 1, 2
having count(*) > 1

{% endtest %}
