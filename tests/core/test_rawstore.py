from pathlib import Path

from nianbao.store.rawstore import load_raw, sha256_of, store_raw


def test_store_is_content_addressed_and_write_once(tmp_path: Path) -> None:
    digest, path = store_raw(tmp_path, b"%PDF-1.4 broken")
    assert digest == sha256_of(b"%PDF-1.4 broken") and path.name == digest
    mtime = path.stat().st_mtime_ns
    again, same = store_raw(tmp_path, b"%PDF-1.4 broken")
    assert (again, same) == (digest, path) and path.stat().st_mtime_ns == mtime
    assert load_raw(tmp_path, digest) == b"%PDF-1.4 broken"
    assert not list(Path(tmp_path).rglob("*.tmp*"))


def test_threads_storing_the_same_bytes_at_once_all_succeed(tmp_path: Path) -> None:
    """Two agencies can link the same file: threads then write it at the same moment, and the
    temporary file of one must not be renamed away under another (a shared name raised
    FileNotFoundError)."""
    import threading

    data = b"x" * 2_000_000  # long enough for the writes to overlap
    failures: list[BaseException] = []
    for round_ in range(10):
        barrier = threading.Barrier(8)

        def store(round_: int = round_, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                store_raw(tmp_path / str(round_), data)
            except BaseException as exc:  # collected for the assertion
                failures.append(exc)

        threads = [threading.Thread(target=store) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures, failures[:3]
    assert load_raw(tmp_path / "9", sha256_of(data)) == data
    assert not list(Path(tmp_path).rglob("*.tmp*"))
