//! OpenPGP packet streams from untrusted bytes, with limits: rPGP parses each packet; this
//! module bounds how many there are, how deep compressed packets nest and how much they may
//! expand to, and drops GnuPG's keyring trust packets (tag 12).

use std::io::Read;

use pgp::packet::{Packet, PacketParser};

/// At most this many packets in one keyring or message (GnuPG has no fixed limit; real keys
/// have a few dozen, a signature message three).
pub const MAX_PACKETS: usize = 10_000;
/// Compressed packets nest at most this deep (gpg writes one level).
pub const MAX_DEPTH: usize = 4;
/// A message decompresses to at most this many bytes in total (payloads are under 1 KiB).
pub const MAX_DECOMPRESSED: usize = 4 << 20;

/// Why a packet stream could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacketError {
    /// A packet that rPGP could not parse (its message).
    Malformed(String),
    /// More than [`MAX_PACKETS`] packets.
    TooMany,
    /// Compressed packets nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Decompressed data larger than [`MAX_DECOMPRESSED`].
    TooLarge,
    /// A compressed packet that does not decompress (its message).
    Decompress(String),
}

impl std::fmt::Display for PacketError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PacketError::Malformed(e) => write!(f, "malformed OpenPGP packet: {e}"),
            PacketError::TooMany => write!(f, "more than {MAX_PACKETS} OpenPGP packets"),
            PacketError::TooDeep => {
                write!(f, "compressed packets nested more than {MAX_DEPTH} deep")
            }
            PacketError::TooLarge => {
                write!(
                    f,
                    "compressed data expands to more than {MAX_DECOMPRESSED} bytes"
                )
            }
            PacketError::Decompress(e) => write!(f, "compressed data does not decompress: {e}"),
        }
    }
}

/// The packets of `data` in order (trust packets dropped). A malformed packet ends the list:
/// the packets before it are returned with the error.
pub fn read(data: &[u8]) -> (Vec<Packet>, Option<PacketError>) {
    let mut out = Vec::new();
    for p in PacketParser::new(data) {
        if out.len() >= MAX_PACKETS {
            return (out, Some(PacketError::TooMany));
        }
        match p {
            Ok(Packet::Trust(_)) => {}
            Ok(p) => out.push(p),
            Err(e) => return (out, Some(PacketError::Malformed(e.to_string()))),
        }
    }
    (out, None)
}

/// The packets of a message with every compressed packet replaced by its contents
/// (recursively, within the limits). Any malformed packet is an error.
pub fn read_message(data: &[u8]) -> Result<Vec<Packet>, PacketError> {
    let mut out = Vec::new();
    let mut budget = MAX_DECOMPRESSED;
    expand(data, 0, &mut out, &mut budget)?;
    Ok(out)
}

fn expand(
    data: &[u8],
    depth: usize,
    out: &mut Vec<Packet>,
    budget: &mut usize,
) -> Result<(), PacketError> {
    let (packets, err) = read(data);
    if let Some(e) = err {
        return Err(e);
    }
    for p in packets {
        if out.len() >= MAX_PACKETS {
            return Err(PacketError::TooMany);
        }
        match p {
            Packet::CompressedData(c) => {
                if depth + 1 > MAX_DEPTH {
                    return Err(PacketError::TooDeep);
                }
                let reader = c
                    .decompress()
                    .map_err(|e| PacketError::Decompress(e.to_string()))?;
                let mut inner = Vec::new();
                let limit = *budget as u64 + 1;
                reader
                    .take(limit)
                    .read_to_end(&mut inner)
                    .map_err(|e| PacketError::Decompress(e.to_string()))?;
                if inner.len() > *budget {
                    return Err(PacketError::TooLarge);
                }
                *budget -= inner.len();
                expand(&inner, depth + 1, out, budget)?;
            }
            p => out.push(p),
        }
    }
    Ok(())
}
