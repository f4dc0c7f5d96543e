//! signedIdentity matching (stub; being written).
