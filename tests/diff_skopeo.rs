//! (being written by a colleague)
