"""The flow's report task publishes the report as Prefect artifacts (a real flow run under the
test harness), so the Prefect UI shows it per run."""

from __future__ import annotations

from tests.support.warehouse import settings_in


def test_flow_run_publishes_report_artifacts(tmp_path, prefect_harness):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId

    from flows.refresh import refresh

    settings = settings_in(tmp_path)
    state = refresh(settings=settings, families=["sec"], return_state=True)
    result = state.result()
    assert result["report"].endswith("validation.html")
    keys = ["validation-report", "source-loads", "claim-check", "article-tables"]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) == set(keys)
    assert result["run_id"] in by_key["validation-report"].data
    assert by_key["validation-report"].type == "markdown" and by_key["source-loads"].type == "table"
    assert "sec:CIK0001326801" in str(by_key["source-loads"].data)
