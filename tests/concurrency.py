"""Running jobs in threads that start together, each in its own app context and transaction."""

import threading
from collections.abc import Callable, Sequence


def in_threads(app, jobs: Sequence[Callable[[], object]]) -> list[BaseException | None]:
    """Run each job in its own thread, all starting together; returns each job's error or None.

    A job that finishes is committed; every thread's session is removed afterwards.
    """
    from app.extensions import db

    barrier = threading.Barrier(len(jobs))
    results: list[BaseException | None] = [None] * len(jobs)

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                jobs[index]()
                db.session.commit()
            except BaseException as error:  # reported to the test
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
