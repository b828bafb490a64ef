"""An Airflow DAG that runs a day's tiles on Spool with the CLI and acts on its exit codes.

`spool job submit ... --wait` exits 0 when every job succeeded, 1 when some failed, timed out or were
canceled, 3 when the function's build failed, 4 when the wait timed out (see the README's table).
"""

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.utils.trigger_rule import TriggerRule

SPOOL = "/opt/spool/bin/spool"
FUNCTION_ID = "{{ var.value.spool_tiles_function }}"
DAY = "{{ ds }}"

with DAG(
    dag_id="spool_tiles",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["spool"],
) as dag:
    # Exit 1 (some jobs failed) makes this task skipped rather than failed: the rerun below handles it.
    # Exit 3, 4, 5, 6 fail the task (Airflow's retries apply); 0 succeeds.
    submit = BashOperator(
        task_id="submit_tiles",
        bash_command=(
            f"{SPOOL} job submit {FUNCTION_ID} --file /data/tiles/{DAY}.jsonl --tag {DAY} "
            f"--wait --progress never --timeout 21600"
        ),
        skip_on_exit_code=1,
    )

    # Runs only when the submit was skipped (exit 1): one more attempt for the failures, then a wait whose exit
    # code decides the task (0 success, anything else failure).
    rerun = BashOperator(
        task_id="rerun_failures",
        bash_command=(
            f"{SPOOL} job rerun --function {FUNCTION_ID} --tag {DAY} --status FAILURE --status TIMEOUT "
            f"&& {SPOOL} function wait {FUNCTION_ID} --progress never --timeout 21600"
        ),
        trigger_rule=TriggerRule.ALL_SKIPPED,
    )

    done = EmptyOperator(task_id="done", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)

    submit >> rerun >> done
    submit >> done
