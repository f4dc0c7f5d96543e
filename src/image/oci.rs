//! `oci:PATH[:REF]` — OCI image layouts (stub).

use super::{ImageError, OpenOptions, Opened};
use crate::reference::transport::{Host, ImageRef};

/// Opens an image in an OCI layout directory.
pub fn open_layout(_r: &ImageRef, _host: &dyn Host, _opts: &OpenOptions) -> Result<Opened, ImageError> {
    Err(ImageError("oci: not implemented yet".into()))
}
