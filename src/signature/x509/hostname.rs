//! Go's `(*x509.Certificate).VerifyHostname` and its `HostnameError` texts (spec §14.3):
//! IP literals (optionally in brackets) match IP SANs only; names match DNS SANs
//! ASCII-case-insensitively, with the trailing dot ignored and a `*` left-most label as a
//! wildcard only when both sides are valid host names; the subject CN is never matched.

use std::net::IpAddr;

use super::cert::Certificate;

/// Checks `host` against `cert`; `Err` is Go's `HostnameError` text.
pub fn verify_hostname(cert: &Certificate, host: &str) -> Result<(), HostnameError> {
    let candidate_ip = match host.as_bytes() {
        [b'[', inner @ .., b']'] if host.len() >= 3 => std::str::from_utf8(inner).unwrap_or(host),
        _ => host,
    };
    if let Ok(ip) = candidate_ip.parse::<IpAddr>() {
        let want = ip16(&ip);
        if cert.ip_addresses.iter().any(|c| san_ip16(c) == Some(want)) {
            return Ok(());
        }
        return Err(HostnameError(hostname_error(cert, candidate_ip)));
    }
    let candidate = to_lower_ascii(host);
    let valid_candidate = valid_hostname(&candidate, false);
    let parts = split_hostname(&candidate);
    for pattern in &cert.dns_names {
        let matched = if valid_candidate && valid_hostname(pattern, true) {
            match_hostnames(pattern, &parts)
        } else {
            match_exactly(pattern, &candidate)
        };
        if matched {
            return Ok(());
        }
    }
    Err(HostnameError(hostname_error(cert, host)))
}

crate::message_error! {
    /// Go's `HostnameError` text.
    HostnameError
}

fn ip16(ip: &IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

fn san_ip16(b: &[u8]) -> Option<[u8; 16]> {
    match b.len() {
        4 => Some(
            std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3])
                .to_ipv6_mapped()
                .octets(),
        ),
        16 => b.try_into().ok(),
        _ => None,
    }
}

/// `net.IP.String()` of a SAN IP.
fn ip_string(b: &[u8]) -> String {
    match san_ip16(b) {
        Some(o) => {
            let v6 = std::net::Ipv6Addr::from(o);
            match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => v6.to_string(),
            }
        }
        None => "?".into(),
    }
}

/// `HostnameError.Error()`.
fn hostname_error(cert: &Certificate, host: &str) -> String {
    let cn = cert.subject.common_name().unwrap_or("");
    if cert.san_value().is_none() && match_hostnames(cn, &split_hostname(host)) {
        return "x509: certificate relies on legacy Common Name field, use SANs instead".into();
    }
    const MAX_NAMES: usize = 100;
    let valid = if host.parse::<IpAddr>().is_ok() {
        if cert.ip_addresses.is_empty() {
            return format!(
                "x509: cannot validate certificate for {host} because it doesn't contain any IP SANs"
            );
        }
        if cert.ip_addresses.len() >= MAX_NAMES {
            return format!(
                "x509: certificate is valid for {} IP SANs, but none matched {host}",
                cert.ip_addresses.len()
            );
        }
        cert.ip_addresses
            .iter()
            .map(|b| ip_string(b))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        if cert.dns_names.len() >= MAX_NAMES {
            return format!(
                "x509: certificate is valid for {} names, but none matched {host}",
                cert.dns_names.len()
            );
        }
        cert.dns_names.join(", ")
    };
    if valid.is_empty() {
        return format!("x509: certificate is not valid for any names, but wanted to match {host}");
    }
    format!("x509: certificate is valid for {valid}, not {host}")
}

fn to_lower_ascii(s: &str) -> String {
    s.to_ascii_lowercase()
}

fn split_hostname(host: &str) -> Vec<String> {
    to_lower_ascii(host.strip_suffix('.').unwrap_or(host))
        .split('.')
        .map(str::to_owned)
        .collect()
}

/// `validHostname`.
fn valid_hostname(host: &str, is_pattern: bool) -> bool {
    let host = if is_pattern {
        host
    } else {
        host.strip_suffix('.').unwrap_or(host)
    };
    if host.is_empty() || host == "*" {
        return false;
    }
    host.split('.').enumerate().all(|(i, part)| {
        if part.is_empty() {
            return false;
        }
        if is_pattern && i == 0 && part == "*" {
            return true;
        }
        part.chars()
            .enumerate()
            .all(|(j, c)| c.is_ascii_alphanumeric() || (c == '-' && j != 0) || c == '_')
    })
}

fn match_exactly(a: &str, b: &str) -> bool {
    if a.is_empty() || a == "." || b.is_empty() || b == "." {
        return false;
    }
    to_lower_ascii(a) == to_lower_ascii(b)
}

fn match_hostnames(pattern: &str, host_parts: &[String]) -> bool {
    let pattern = to_lower_ascii(pattern);
    if pattern.is_empty() || host_parts.is_empty() {
        return false;
    }
    let pattern_parts: Vec<&str> = pattern.split('.').collect();
    if pattern_parts.len() != host_parts.len() {
        return false;
    }
    pattern_parts
        .iter()
        .zip(host_parts)
        .enumerate()
        .all(|(i, (p, h))| (i == 0 && *p == "*") || p == h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_hostname_rules() {
        assert!(valid_hostname("a.example.com.", false));
        assert!(!valid_hostname("a.example.com.", true));
        assert!(valid_hostname("*.example.com", true));
        assert!(!valid_hostname("*.example.com", false));
        assert!(!valid_hostname("a*.example.com", true));
        assert!(!valid_hostname("-a.example.com", false));
        assert!(valid_hostname("a-.ex_ample.com", false));
        assert!(!valid_hostname("*", true));
        assert!(!valid_hostname("a..b", false));
        let parts = split_hostname("WWW.Example.com.");
        assert!(match_hostnames("*.example.COM", &parts));
        assert!(!match_hostnames("*.com", &parts));
        assert!(match_exactly("A.b", "a.B"));
        assert!(!match_exactly(".", "."));
        assert_eq!(ip_string(&[10, 0, 0, 1]), "10.0.0.1");
        let mut mapped = [0u8; 16];
        mapped[10] = 0xff;
        mapped[11] = 0xff;
        mapped[12..].copy_from_slice(&[1, 2, 3, 4]);
        assert_eq!(ip_string(&mapped), "1.2.3.4");
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(ip_string(&v6), "::1");
    }
}
