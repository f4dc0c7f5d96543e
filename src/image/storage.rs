//! `containers-storage:` — the podman/CRI-O store on disk, read without c/storage (stub).

use super::{ImageError, OpenOptions, Opened};
use crate::reference::transport::StorageRef;

/// Opens an image in a containers-storage store.
pub fn open(_s: &StorageRef, _opts: &OpenOptions) -> Result<Opened, ImageError> {
    Err(ImageError("containers-storage: not implemented yet".into()))
}

/// One image of a store: its ID and names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub id: String,
    pub names: Vec<String>,
}

/// Every image of the default store (for `check --all`).
pub fn list_images(_opts: &OpenOptions) -> Result<(crate::reference::transport::ResolvedStore, Vec<StoredImage>), ImageError> {
    Err(ImageError("containers-storage: not implemented yet".into()))
}
