//! Image references: docker references (`docker.io/library/busybox:latest`) and
//! containers-transports(5) references (`dir:/path`, `containers-storage:[…]name`, …), with the
//! per-transport policy scope rules of c/image.

pub mod docker;
pub mod transport;
