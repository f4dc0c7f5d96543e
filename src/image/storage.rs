//! `containers-storage:` — the podman/CRI-O store on disk, read without c/storage (stub).

use super::{ImageError, OpenOptions, Opened};
use crate::reference::transport::StorageRef;

/// Opens an image in a containers-storage store.
pub fn open(_s: &StorageRef, _opts: &OpenOptions) -> Result<Opened, ImageError> {
    Err(ImageError("containers-storage: not implemented yet".into()))
}
