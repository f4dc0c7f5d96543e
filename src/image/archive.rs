//! `oci-archive:` and `docker-archive:` tarballs, read without unpacking (stub).

use super::{ImageError, OpenOptions, Opened};
use crate::reference::transport::{Host, ImageRef};

/// Opens an image in an OCI archive.
pub fn open_oci_archive(_r: &ImageRef, _host: &dyn Host, _opts: &OpenOptions) -> Result<Opened, ImageError> {
    Err(ImageError("oci-archive: not implemented yet".into()))
}

/// Opens an image in a `docker save` archive.
pub fn open_docker_archive(_r: &ImageRef, _host: &dyn Host, _opts: &OpenOptions) -> Result<Opened, ImageError> {
    Err(ImageError("docker-archive: not implemented yet".into()))
}
