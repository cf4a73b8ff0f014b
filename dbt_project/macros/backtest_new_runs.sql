{#
    The CTEs `committed_runs` and `new_runs` every backtest mart starts from.

    A run is committed once its backtest_runs row exists (written after its data rows), so rows
    of a store that died half way are never served. The marts are incremental by run: a
    committed run is never rewritten, so a build copies only the runs committed since the last.
#}
{% macro backtest_new_runs() %}

committed_runs as (

    select run_id from {{ ref('stg_lake__backtest_runs') }}

),

{% if is_incremental() %}

new_runs as (

    select run_id
    from committed_runs
    where run_id not in (select distinct run_id from {{ this }})

),

{% else %}

new_runs as (

    select run_id from committed_runs

),

{% endif %}

{% endmacro %}
