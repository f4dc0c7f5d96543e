//! Reading untrusted files (I/O edge): every file policyctl reads on behalf of a policy, an
//! image or a store goes through here.
//!
//! A FIFO, socket or device where a regular file is expected would block `open(2)` or `read(2)`
//! forever (a FIFO with no writer), or read without end (`/dev/zero`). So the file is opened
//! with `O_NONBLOCK` (which makes opening a FIFO return at once and has no effect on regular
//! files), checked with `fstat` to be a regular file, and read with a size limit. A directory
//! is let through to the read, which fails with `EISDIR` exactly as Go's `os.ReadFile` does
//! (`read P: is a directory`), so error texts compared with c/image stay the same.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The error kind of "not a regular file" refusals (the message names the kind of file).
pub const NOT_REGULAR: io::ErrorKind = io::ErrorKind::InvalidInput;

fn kind_name(ft: std::fs::FileType) -> &'static str {
    if ft.is_fifo() {
        "a named pipe (FIFO)"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

fn check_type(ft: std::fs::FileType) -> io::Result<()> {
    if ft.is_file() || ft.is_dir() {
        return Ok(());
    }
    Err(io::Error::new(
        NOT_REGULAR,
        format!("not a regular file: it is {}", kind_name(ft)),
    ))
}

/// Opens `path` for reading without ever blocking, and only if it is a regular file (or a
/// directory, whose reads fail with `EISDIR` as in Go). FIFOs, sockets and devices are refused
/// with an error of kind [`NOT_REGULAR`] whose text says what the file is (callers add the
/// path, as for any OS error).
pub fn open_regular(path: &Path) -> io::Result<File> {
    // stat first, so that a device is never even opened (opening some has side effects)...
    check_type(std::fs::metadata(path)?.file_type())?;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    // ...and fstat what was opened: the path may have been swapped in between.
    check_type(f.metadata()?.file_type())?;
    Ok(f)
}

/// Reads at most `max` bytes of `path` (opened with [`open_regular`]).
pub fn read_upto(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let f = open_regular(path)?;
    let mut buf = Vec::new();
    f.take(max).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Reads a whole file of at most `limit` bytes. A larger file is an error of kind `Other`
/// whose text names the file (`P is larger than N bytes`).
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let buf = read_upto(path, limit.saturating_add(1))?;
    if buf.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "{} is larger than {limit} bytes",
            path.display()
        )));
    }
    Ok(buf)
}

/// The strerror text Go prints (Rust appends " (os error N)" and capitalises).
pub fn go_errno_text(e: &io::Error) -> String {
    let s = e.to_string();
    let s = s
        .find(" (os error")
        .map_or(s.as_str(), |i| &s[..i])
        .to_owned();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

/// Go's `os.ReadFile` error text: `read P: is a directory` (the open succeeds), else
/// `open P: <strerror>`.
pub fn go_read_file_error(path: &str, e: &io::Error) -> String {
    let op = if e.kind() == io::ErrorKind::IsADirectory {
        "read"
    } else {
        "open"
    };
    format!("{op} {path}: {}", go_errno_text(e))
}

/// The process's effective user ID (the owner of `/proc/self`, see proc(5)); 0 when it
/// cannot be read.
pub fn effective_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(0, |m| m.uid())
}

/// `path` under `root` (`--root`) when it is absolute; relative paths stay as written.
pub fn under_root(root: Option<&Path>, path: &str) -> std::path::PathBuf {
    match root {
        Some(r) if path.starts_with('/') => r.join(path.trim_start_matches('/')),
        _ => std::path::PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mkfifo(p: &Path) {
        let st = std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .expect("mkfifo");
        assert!(st.success());
    }

    #[test]
    fn fifo_is_refused_without_blocking() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("fifo");
        mkfifo(&p);
        let e = read_limited(&p, 10).unwrap_err();
        assert_eq!(e.kind(), NOT_REGULAR);
        assert!(e.to_string().contains("named pipe"), "{e}");
        assert!(open_regular(&p).is_err());
    }

    #[test]
    fn devices_and_sockets_are_refused() {
        let e = read_limited(Path::new("/dev/null"), 10).unwrap_err();
        assert_eq!(e.kind(), NOT_REGULAR);
        assert!(e.to_string().contains("character device"), "{e}");
        let t = tempfile::tempdir().unwrap();
        let s = t.path().join("sock");
        let _l = std::os::unix::net::UnixListener::bind(&s).unwrap();
        assert!(
            read_limited(&s, 10)
                .unwrap_err()
                .to_string()
                .contains("socket")
        );
    }

    #[test]
    fn regular_files_directories_and_limits() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f");
        std::fs::write(&p, b"hello").unwrap();
        assert_eq!(read_limited(&p, 5).unwrap(), b"hello");
        let e = read_limited(&p, 4).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Other);
        assert!(e.to_string().contains(&p.display().to_string()), "{e}");
        assert_eq!(read_upto(&p, 2).unwrap(), b"he");
        // A directory opens, and reading it fails with EISDIR (Go's `read P: is a directory`).
        let e = read_limited(t.path(), 5).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::IsADirectory);
        // A symlink to a FIFO is a FIFO.
        let fifo = t.path().join("fifo");
        mkfifo(&fifo);
        let link = t.path().join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        assert_eq!(read_limited(&link, 5).unwrap_err().kind(), NOT_REGULAR);
        assert_eq!(
            read_limited(&t.path().join("missing"), 5)
                .unwrap_err()
                .kind(),
            io::ErrorKind::NotFound
        );
    }
}
