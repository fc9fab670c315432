from pathlib import Path

from nianbao.rawstore import load_raw, sha256_of, store_raw


def test_store_is_content_addressed_and_write_once(tmp_path: Path) -> None:
    digest, path = store_raw(tmp_path, b"%PDF-1.4 broken")
    assert digest == sha256_of(b"%PDF-1.4 broken") and path.name == digest
    mtime = path.stat().st_mtime_ns
    again, same = store_raw(tmp_path, b"%PDF-1.4 broken")
    assert (again, same) == (digest, path) and path.stat().st_mtime_ns == mtime
    assert load_raw(tmp_path, digest) == b"%PDF-1.4 broken"
    assert not list(Path(tmp_path).rglob("*.tmp*"))
