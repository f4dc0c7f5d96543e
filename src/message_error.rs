//! Typed errors that carry a message: for the core's parsers whose only content is
//! containers/image's (or Go's) exact error text. Each parser gets its own type, so a caller
//! sees in the signature what failed (a blob, a payload, a key…) and no `String` crosses a
//! module boundary as an error.

/// Declares `pub struct $name(pub String)`: an error whose `Display` is the message.
#[macro_export]
macro_rules! message_error {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("{0}")]
        pub struct $name(pub String);

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl $name {
            /// The message.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// The message, for text checks in tests and explanations.
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }
    };
}
