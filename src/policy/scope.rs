//! Scope lookup (stub; being written).
