//! Who is on the other end of a connection: the client's IP address, read from
//! `X-Forwarded-For` only when the direct peer is a configured trusted proxy.

use axum::http::HeaderMap;
use std::net::IpAddr;

/// The client's address. `peer` is the direct peer of the TCP connection (`None` in
/// in-process tests). When `peer` is one of `trusted` proxies, `X-Forwarded-For` is walked
/// from the right (the hop the proxy appended) past the trusted addresses; the first
/// untrusted address is the client. An entry that is not an address ends the walk at the
/// last trusted hop. From an untrusted peer the header is ignored: anyone can write it.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let mut client = peer?;
    if !trusted.contains(&client) {
        return Some(client);
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted.contains(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_only_from_a_trusted_peer_rightmost_untrusted() {
        let proxy = [ip("10.0.0.1"), ip("10.0.0.2")];
        let h = xff("1.1.1.1, 2.2.2.2, 10.0.0.2");
        // Untrusted peer: the header is ignored.
        assert_eq!(
            client_ip(Some(ip("9.9.9.9")), &h, &proxy),
            Some(ip("9.9.9.9"))
        );
        // Trusted peer: the rightmost untrusted hop (1.1.1.1 is what the client claimed).
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &h, &proxy),
            Some(ip("2.2.2.2"))
        );
        // No header: the proxy itself.
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &HeaderMap::new(), &proxy),
            Some(ip("10.0.0.1"))
        );
        // Garbage stops the walk at the last trusted hop.
        let h = xff("1.1.1.1, not-an-ip, 10.0.0.2");
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &h, &proxy),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(client_ip(None, &h, &proxy), None);
    }
}
