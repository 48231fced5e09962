"""Where the heavy work runs: on this machine (``local``) or on a Dask cluster (``dask``).

An engine does the heavy parts of a scan: it reads the parts of a Parquet dataset (a folder or
a glob), computes sentence embeddings (``--text-model``) and runs the out-of-fold model fits.
The work itself is the same functions either way, given the same inputs in the same order, so a
Dask scan finds what a local scan finds.

The local engine fits folds in threads (the models release the GIL); the Dask engine submits
one task per fold to a ``dask.distributed`` cluster: the scheduler at ``--scheduler ADDR``, or
a ``LocalCluster`` of worker processes on this machine when no address is given. Dask is an
optional extra (``pip install 'databugs[dask]'``); nothing here imports it for the local engine.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from joblib import Parallel, delayed
from threadpoolctl import ThreadpoolController, threadpool_limits

from databugs.errors import DatabugsError, ErrorCode, given, option, value_set

ENGINES = ("local", "dask")
CONNECT_TIMEOUT = "20s"


class LocalEngine:
    """Folds in threads on this machine; dataset parts read one after the other."""

    name = "local"

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs

    def workers(self, tasks: int) -> int:
        """Threads for ``tasks`` parallel tasks: ``jobs``, else every core, at most one each."""
        return min(tasks, _cores(self.jobs))

    def map(
        self,
        function: Callable[[Any], Any],
        items: Sequence[Any],
        on_done: Callable[[], None] | None = None,
    ) -> list[Any]:
        """``function`` of each item, in order; ``on_done()`` after each."""
        results = []
        for item in items:
            results.append(function(item))
            if on_done:
                on_done()
        return results

    def run_folds(
        self, function: Callable[..., Any], shared: tuple[Any, ...], folds: Sequence[tuple]
    ) -> Iterator[Any]:
        """``function(*shared, *fold)`` for each fold, yielded as they finish."""
        workers = self.workers(len(folds))
        tasks = (delayed(_on_one_openmp_thread)(function, *shared, *fold) for fold in folds)
        # One BLAS/OpenMP thread per fold: folds already fill the cores, and nested threads on a
        # busy machine made a logistic regression 30x slower and gradient boosting hang.
        with threadpool_limits(limits=1):
            yield from Parallel(n_jobs=workers, prefer="threads", return_as="generator_unordered")(
                tasks
            )


def _on_one_openmp_thread(function: Callable[..., Any], *arguments: Any) -> Any:
    """``function(*arguments)`` with one OpenMP thread in the calling thread: OpenMP's thread
    count is per thread, so the limit set around the folds does not reach a fold's thread,
    where gradient boosting then started a thread per core beside the other folds'
    (wine_quality_white, 2,000 rows: 7.4 s instead of 1 s)."""
    with _thread_pools().limit(limits=1, user_api="openmp"):
        return function(*arguments)


def on_one_thread() -> AbstractContextManager[Any]:
    """BLAS and OpenMP held to one thread, for work made of many small matrix steps (a
    truncated SVD, t-SNE): there, threads waiting on each other while other jobs hold the
    cores cost ten times the work (the map's SVD of 100,000 texts beside two busy processes:
    2.2-2.7 s on two threads, 0.19 s on one)."""
    return _thread_pools().limit(limits=1)


@functools.cache
def _thread_pools() -> ThreadpoolController:
    """The loaded thread pools, found once: finding them takes 4 ms, a small fit's time."""
    return ThreadpoolController()


class DaskEngine:
    """Folds as tasks on a Dask cluster; dataset parts read by the workers, one task per file.

    The fold inputs (feature matrix, labels, model templates) are sent to the cluster once and
    shared by the fold tasks; only each fold's held-out probabilities come back.
    """

    name = "dask"

    def __init__(self, client: Any) -> None:
        self.client = client

    def map(
        self,
        function: Callable[[Any], Any],
        items: Sequence[Any],
        on_done: Callable[[], None] | None = None,
    ) -> list[Any]:
        """``function`` of each item on the workers, in order (errors re-raised here);
        ``on_done()`` as each finishes."""
        from distributed import as_completed

        with _cluster_errors():
            futures = self.client.map(function, list(items), pure=False)
            for _ in as_completed(futures):
                if on_done:
                    on_done()
            return self.client.gather(futures)

    def run_folds(
        self, function: Callable[..., Any], shared: tuple[Any, ...], folds: Sequence[tuple]
    ) -> Iterator[Any]:
        from distributed import as_completed

        with _cluster_errors():
            scattered = self.client.scatter(list(shared), broadcast=False, hash=False)
            futures = [
                self.client.submit(function, *scattered, *fold, pure=False) for fold in folds
            ]
            for future in as_completed(futures):
                yield future.result()


@contextmanager
def _cluster_errors() -> Iterator[None]:
    """A worker that died, a lost scheduler or a task that failed remotely: one line, exit 2.
    Errors about the data (``DatabugsError``, raised on a worker) pass through as they are."""
    try:
        yield
    except DatabugsError:
        raise
    except Exception as error:
        raise DatabugsError(
            f"the Dask cluster failed: {type(error).__name__}: {' '.join(str(error).split())}",
            code=ErrorCode.ENGINE_FAILED,
            hint="check the workers' logs and that they run this databugs version",
        ) from None


def worker_version() -> str:
    """What a worker reports: the databugs version it imports (run there by ``client.run``)."""
    from databugs.version import __version__

    return __version__


def _check_workers(client: Any) -> None:
    """Workers exist and run this databugs: otherwise every task would fail or wait forever."""
    from databugs.version import __version__

    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        versions = client.run(worker_version)
    except TimeoutError:
        raise DatabugsError(
            "the Dask scheduler has no workers",
            code=ErrorCode.ENGINE_FAILED,
            hint="start some workers",
        ) from None
    except Exception as error:  # workers that cannot import databugs fail to unpickle the call
        raise DatabugsError(
            f"the Dask workers cannot run databugs ({type(error).__name__}: {error})",
            code=ErrorCode.ENGINE_FAILED,
            hint="pip install 'databugs[dask]' on every worker",
        ) from None
    wrong = sorted({version for version in versions.values() if version != __version__})
    if wrong:
        raise DatabugsError(
            f"the Dask workers run databugs {', '.join(wrong)}, this is {__version__}",
            code=ErrorCode.ENGINE_FAILED,
            hint="install the same databugs version on the workers",
        )


Engine = LocalEngine | DaskEngine


def _cores(jobs: int | None) -> int:
    """``--jobs``, else every core of this machine."""
    return jobs or os.cpu_count() or 1


def check_engine(name: str, scheduler: str | None) -> None:
    """Refuse unknown engines, and a scheduler address the local engine would ignore."""
    if name not in ENGINES:
        raise DatabugsError(
            f"{value_set('engine', name)} is not an engine",
            code=ErrorCode.BAD_OPTION,
            hint="use local or dask",
        )
    if scheduler and name != "dask":
        raise DatabugsError(
            f"{value_set('scheduler', scheduler)} needs {given('engine', 'dask')}",
            code=ErrorCode.BAD_OPTION,
            hint=f"add {given('engine', 'dask')}, or leave out {option('scheduler')}",
        )


def open_engine(
    name: str = "local", *, scheduler: str | None = None, jobs: int | None = None
) -> AbstractContextManager[Engine]:
    """The engine for a scan, as a context manager: a Dask client (and a LocalCluster it
    started) is closed when the scan ends."""
    check_engine(name, scheduler)
    if name == "local":
        return nullcontext(LocalEngine(jobs))
    return _dask(scheduler, jobs)


@contextmanager
def _dask(scheduler: str | None, jobs: int | None) -> Iterator[Engine]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise DatabugsError(
            f"{given('engine', 'dask')} needs Dask, which is not installed",
            code=ErrorCode.MISSING_EXTRA,
            hint="pip install 'databugs[dask]'",
        ) from None
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as error:
            raise DatabugsError(
                f"{value_set('scheduler', scheduler)}: cannot reach a Dask scheduler ({error})",
                code=ErrorCode.BAD_OPTION,
                hint="check the address (tcp://host:8786) and that the scheduler runs",
            ) from None
        with client:
            _check_workers(client)
            yield DaskEngine(client)
        return
    # One single-threaded worker process per core (or --jobs): a fold is one task.
    with (
        LocalCluster(
            n_workers=_cores(jobs), threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        yield DaskEngine(client)
