//! Docker references (stub; being written).
