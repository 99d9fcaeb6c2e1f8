import threading

from adapters.jobs import InlineJobRunner, ThreadJobRunner


def test_the_inline_runner_keeps_each_jobs_result() -> None:
    runner = InlineJobRunner()
    status = runner.submit(lambda: 42, "answer")
    assert (status.state, status.result) == ("succeeded", 42)
    assert runner.status(status.id) == status


def test_a_failing_background_job_is_recorded_as_failed_with_its_error() -> None:
    runner = ThreadJobRunner()
    done = threading.Event()

    def explode() -> None:
        done.set()
        raise ValueError("no data")

    status = runner.submit(explode, "explode")
    done.wait(5)
    runner.shutdown()
    finished = runner.status(status.id)
    assert finished is not None
    assert (finished.state, finished.error) == ("failed", "ValueError: no data")


def test_an_unknown_job_has_no_status() -> None:
    assert ThreadJobRunner().status("nope") is None
