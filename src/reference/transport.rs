//! Transports (stub; being written).
