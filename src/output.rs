//! Files the CLI writes (`--out`): one behaviour for every command. Parent folders are
//! created, the content goes to a hidden temporary file beside the target, is synced, and
//! only then renamed over it, so a failure or a kill never leaves half a file, and an
//! existing file is replaced whole. Errors name the target, never the temporary file.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Result};

fn folder(out: &Path) -> Result<&Path> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| fail(out, e))?;
    Ok(dir)
}

fn fail(out: &Path, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("cannot write {}: {e}", out.display()))
}

fn temp_in(dir: &Path, out: &Path) -> Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(".horrors-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| fail(out, e))
}

fn finish(out: &Path, dir: &Path, temp: tempfile::NamedTempFile) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| fail(out, e))?;
    }
    temp.as_file().sync_all().map_err(|e| fail(out, e))?;
    temp.persist(out).map_err(|e| fail(out, e.error))?;
    // The rename itself is durable once the folder is synced.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes `out` through `write`, atomically.
pub fn write_atomically(out: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    let dir = folder(out)?;
    let mut temp = temp_in(dir, out)?;
    write(temp.as_file_mut())?;
    finish(out, dir, temp)
}

/// Like [`write_atomically`] for writers that need a path to a file that does not exist
/// yet (SQLite's `VACUUM INTO`).
pub fn write_path_atomically(out: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = folder(out)?;
    let temp = temp_in(dir, out)?;
    let path = temp.path().to_path_buf();
    std::fs::remove_file(&path).map_err(|e| fail(out, e))?;
    let result = write(&path);
    let file = match result.and_then(|()| {
        File::options()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| fail(out, e))
    }) {
        Ok(file) => file,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
    };
    let temp = tempfile::NamedTempFile::from_parts(file, temp.into_temp_path());
    finish(out, dir, temp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn replaces_whole_creates_folders_and_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/b/out.txt");
        let write = |text: &'static [u8]| {
            move |f: &mut File| {
                f.write_all(text)
                    .map_err(|e| Error::internal(e.to_string()))
            }
        };
        write_atomically(&out, write(b"one")).unwrap();
        write_atomically(&out, write(b"two")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
        let failed = write_atomically(&out, |f| {
            f.write_all(b"half").unwrap();
            Err(Error::internal("boom"))
        });
        assert!(failed.is_err());
        assert_eq!(
            std::fs::read(&out).unwrap(),
            b"two",
            "the old file stays whole"
        );
        let left: Vec<_> = std::fs::read_dir(out.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn path_writers_get_a_fresh_path() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("copy.bin");
        write_path_atomically(&out, |p| {
            assert!(!p.exists());
            std::fs::write(p, b"x").map_err(|e| Error::internal(e.to_string()))
        })
        .unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"x");
        let err = write_path_atomically(&dir.path().join("no.bin"), |_| Err(Error::internal("no")))
            .unwrap_err();
        assert_eq!(err.to_string(), "no");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
